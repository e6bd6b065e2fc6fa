//! The full representation of a stored resource: schemas, id, attributes in schema order,
//! derived members/groups/manager details, and meta. Projection happens afterwards.

use serde_json::{Map, Value, json};

use super::etag::shown_etag;
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::schema_defs::{ResourceKind, Returned};
use super::store::{Membership, Store, Stored};

/// Everything rendering needs besides the resource: the store for names and links, and
/// the membership index for User.groups.
pub struct View<'a> {
    pub ctx: &'a Ctx<'a>,
    pub store: &'a Store,
    pub membership: Membership,
}

impl<'a> View<'a> {
    pub fn new(ctx: &'a Ctx<'a>, store: &'a Store) -> Self {
        View {
            ctx,
            store,
            membership: store.membership(),
        }
    }

    pub fn resource(&self, stored: &Stored) -> Value {
        let kind = stored.kind;
        let mut out = Map::new();
        let mut schemas = vec![json!(kind.schema())];
        for (urn, _) in kind.extensions() {
            if stored.attrs.contains_key(*urn) {
                schemas.push(json!(urn));
            }
        }
        out.insert("schemas".into(), Value::Array(schemas));
        out.insert("id".into(), json!(stored.id));
        if let Some(external) = stored.attrs.get("externalId") {
            out.insert("externalId".into(), external.clone());
        }
        let show_password = self.ctx.misbehaves(Misbehaviour::PasswordReturned);
        for def in kind.attrs() {
            if def.returned == Returned::Never && !show_password {
                continue;
            }
            if def.name == "groups" && kind == ResourceKind::User {
                if let Some(groups) = self.groups_of(&stored.id) {
                    out.insert("groups".into(), groups);
                }
                continue;
            }
            if let Some(value) = stored.attrs.get(def.name) {
                let value = if def.name == "members" {
                    self.members(value)
                } else {
                    value.clone()
                };
                out.insert(def.name.into(), value);
            } else if self.ctx.misbehaves(Misbehaviour::NullValues) {
                // RFC 7643 2.5: null is the same as unassigned.
                out.insert(def.name.into(), Value::Null);
            }
        }
        for (urn, _) in kind.extensions() {
            if let Some(extension) = stored.attrs.get(*urn) {
                out.insert((*urn).into(), self.extension(extension));
            }
        }
        out.insert("meta".into(), self.meta(stored));
        Value::Object(out)
    }

    fn meta(&self, stored: &Stored) -> Value {
        if self.ctx.misbehaves(Misbehaviour::MetaIncomplete) {
            return json!({ "resourceType": stored.kind.name() });
        }
        json!({
            "resourceType": stored.kind.name(),
            "created": stored.created,
            "lastModified": stored.last_modified,
            "location": if self.ctx.misbehaves(Misbehaviour::LocationBareId) {
                stored.id.clone()
            } else {
                self.ctx.location(stored.kind, &stored.id)
            },
            "version": shown_etag(self.ctx, stored.version),
        })
    }

    /// Members with `$ref` and `display` filled in from the member resources.
    fn members(&self, members: &Value) -> Value {
        let Value::Array(items) = members else {
            return members.clone();
        };
        let rendered = items
            .iter()
            .map(|item| {
                let id = item
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let kind = match item.get("type").and_then(Value::as_str) {
                    Some("Group") => ResourceKind::Group,
                    _ => ResourceKind::User,
                };
                let mut out = json!({
                    "value": id,
                    "$ref": self.ctx.location(kind, id),
                    "type": kind.name(),
                });
                if let Some(name) = self.store.get_any(id).and_then(Stored::display_name) {
                    out["display"] = json!(name);
                }
                out
            })
            .collect();
        Value::Array(rendered)
    }

    fn groups_of(&self, user_id: &str) -> Option<Value> {
        let groups: Vec<Value> = self
            .membership
            .groups_of(user_id)
            .into_iter()
            .map(|group| {
                let value = match self.store.get_any(&group.id).and_then(Stored::display_name) {
                    Some(name) if self.ctx.misbehaves(Misbehaviour::UserGroupsValueName) => name,
                    _ => group.id.as_str(),
                };
                let mut out = json!({
                    "value": value,
                    "$ref": self.ctx.location(ResourceKind::Group, &group.id),
                    "type": if group.direct { "direct" } else { "indirect" },
                });
                if let Some(name) = self.store.get_any(&group.id).and_then(Stored::display_name) {
                    out["display"] = json!(name);
                }
                out
            })
            .collect();
        (!groups.is_empty()).then_some(Value::Array(groups))
    }

    /// The Enterprise extension, with the manager's `$ref` and `displayName` filled in
    /// when the manager is a user of this server.
    fn extension(&self, extension: &Value) -> Value {
        let mut out = extension.clone();
        let manager_id = out
            .get("manager")
            .and_then(|manager| manager.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(id) = manager_id
            && let Some(manager) = self.store.get(ResourceKind::User, &id)
        {
            out["manager"]["$ref"] = json!(self.ctx.location(ResourceKind::User, &id));
            let as_given = self.ctx.misbehaves(Misbehaviour::ManagerDisplayNameStored)
                && out["manager"].get("displayName").is_some();
            if let Some(name) = manager.display_name().filter(|_| !as_given) {
                out["manager"]["displayName"] = json!(name);
            }
        }
        out
    }
}

/// Deviations that change only how a resource is written into a response: applied after
/// filtering, sorting and PATCH have worked on the true values.
pub fn as_sent(ctx: &Ctx<'_>, kind: ResourceKind, resource: &mut Value) {
    if kind == ResourceKind::User
        && ctx.misbehaves(Misbehaviour::ActiveAsString)
        && let Some(Value::Bool(active)) = resource.get("active")
    {
        resource["active"] = Value::String(active.to_string());
    }
    misdescribe(ctx, kind, resource);
}

/// Deviations in what a resource says about itself and its links.
fn misdescribe(ctx: &Ctx<'_>, kind: ResourceKind, resource: &mut Value) {
    if kind == ResourceKind::User
        && ctx.misbehaves(Misbehaviour::SchemasPadded)
        && let Some(Value::Array(schemas)) = resource.get_mut("schemas")
    {
        schemas.push(json!(kind.schema()));
        schemas.push(json!("urn:scim:schemas:core:1.0"));
    }
    if ctx.misbehaves(Misbehaviour::ResourceTypeMislabelled)
        && let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut)
    {
        meta.insert("resourceType".into(), json!(kind.endpoint()));
    }
    if ctx.misbehaves(Misbehaviour::LastModifiedSkewed)
        && let Some(Value::String(created)) = resource.pointer_mut("/meta/created")
        && let Some((whole_seconds, _)) = created.split_once('.')
    {
        *created = format!("{whole_seconds}Z");
    }
    if ctx.misbehaves(Misbehaviour::LastModifiedFrozen)
        && let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut)
        && let Some(created) = meta.get("created").cloned()
    {
        meta.insert("lastModified".into(), created);
    }
    if ctx.misbehaves(Misbehaviour::ExternalIdInvented)
        && resource.get("externalId").is_none()
        && let Some(id) = resource.get("id").cloned()
    {
        resource["externalId"] = id;
    }
    if ctx.misbehaves(Misbehaviour::BinaryAsPem)
        && let Some(Value::Array(certificates)) = resource.get_mut("x509Certificates")
    {
        for certificate in certificates.iter_mut() {
            if let Some(Value::String(value)) = certificate.get_mut("value") {
                *value = format!("-----BEGIN CERTIFICATE-----\n{value}\n-----END CERTIFICATE-----");
            }
        }
    }
    if ctx.misbehaves(Misbehaviour::ReferencesUrn) {
        for links in ["members", "groups"] {
            if let Some(Value::Array(items)) = resource.get_mut(links) {
                for item in items.iter_mut().filter(|item| item.get("$ref").is_some()) {
                    let id = item["value"].as_str().unwrap_or_default().to_owned();
                    item["$ref"] = json!(format!("urn:uuid:{id}"));
                }
            }
        }
    }
}
