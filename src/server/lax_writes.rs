//! Write-path deviations of the misbehaviour switches: what a lax or over-eager server
//! does with a create or replace body before (or after) storing it. Each function is a
//! no-op unless its switch is on.

use serde_json::{Map, Value, json};

use super::error::ScimError;
use super::misbehave::Misbehaviour;
use super::provider::{Ctx, Provider};
use super::schema_defs::{ENTERPRISE_SCHEMA, ResourceKind};
use super::store::Store;

/// `schemas-order-strict`: the first URN of `schemas` must be the core schema.
pub fn check_core_schema_first(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    body: &Map<String, Value>,
) -> Result<(), ScimError> {
    if !ctx.misbehaves(Misbehaviour::SchemasOrderStrict) {
        return Ok(());
    }
    let first = member(body, "schemas")
        .and_then(|schemas| schemas.get(0))
        .and_then(Value::as_str);
    if first.is_some_and(|urn| urn.eq_ignore_ascii_case(kind.schema())) {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "schemas must start with {}",
            kind.schema()
        )))
    }
}

/// `schemas-first-required`: the raw body must open with the `schemas` member.
pub fn check_schemas_first(provider: &Provider, bytes: &[u8]) -> Result<(), ScimError> {
    if !provider.misbehaves(Misbehaviour::SchemasFirstRequired) {
        return Ok(());
    }
    let text = String::from_utf8_lossy(bytes);
    let opens_with_schemas = text
        .trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"schemas\""));
    if opens_with_schemas {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(
            "the body must start with the schemas member",
        ))
    }
}

/// `primary-defaulted`: the first email is made primary when none is.
pub fn default_primary(ctx: &Ctx<'_>, attrs: &mut Map<String, Value>) {
    if !ctx.misbehaves(Misbehaviour::PrimaryDefaulted) {
        return;
    }
    if let Some(Value::Array(emails)) = attrs.get_mut("emails")
        && !emails.iter().any(|email| email["primary"] == json!(true))
        && let Some(Value::Object(first)) = emails.first_mut()
    {
        first.insert("primary".into(), json!(true));
    }
}

/// `manager-display-name-stored`: the manager's displayName is kept as the client gave it.
pub fn keep_manager_name(ctx: &Ctx<'_>, body: &Map<String, Value>, attrs: &mut Map<String, Value>) {
    if !ctx.misbehaves(Misbehaviour::ManagerDisplayNameStored) {
        return;
    }
    let given = member(body, ENTERPRISE_SCHEMA)
        .and_then(|extension| extension.get("manager"))
        .and_then(|manager| manager.get("displayName"))
        .cloned();
    if let Some(name) = given
        && let Some(Value::Object(manager)) = attrs
            .get_mut(ENTERPRISE_SCHEMA)
            .and_then(|extension| extension.get_mut("manager"))
    {
        manager.insert("displayName".into(), name);
    }
}

/// `user-groups-writable`: the groups a user body names gain the user as a member.
pub fn join_named_groups(
    ctx: &Ctx<'_>,
    store: &mut Store,
    kind: ResourceKind,
    user: &str,
    body: &Map<String, Value>,
) {
    if kind != ResourceKind::User || !ctx.misbehaves(Misbehaviour::UserGroupsWritable) {
        return;
    }
    let Some(Value::Array(groups)) = member(body, "groups") else {
        return;
    };
    let stale = ctx.misbehaves(Misbehaviour::EtagStale);
    for group in groups.iter().filter_map(|g| g.get("value")?.as_str()) {
        let Some(stored) = store.get(ResourceKind::Group, group) else {
            continue;
        };
        let mut attrs = stored.attrs.clone();
        let members = attrs.entry("members").or_insert_with(|| json!([]));
        if let Value::Array(items) = members {
            items.push(json!({ "value": user, "type": "User" }));
        }
        store.update(group, attrs, stale);
        store.touch(user, stale);
    }
}

fn member<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}
