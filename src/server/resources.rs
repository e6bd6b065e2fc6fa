//! Create, read, replace and delete of Users and Groups: uniqueness, member resolution,
//! User.groups upkeep and If-Match preconditions. Free of HTTP, so Bulk reuses it.

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::discovery::{DROPPED_ATTRIBUTES, DROPPED_SUB_ATTRIBUTES};
use super::error::ScimError;
use super::etag::{etag, header_matches};
use super::lax_writes;
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::render::View;
use super::schema_defs::ResourceKind;
use super::store::{Store, Stored};
use super::validate::{Mode, attributes, check_immutable, check_required, check_schemas, describe};
use crate::scim::fold_case;

/// A resource as a write left it: its full representation and version.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: String,
    pub resource: Value,
    pub version: u64,
}

pub fn as_object(body: &Value) -> Result<&Map<String, Value>, ScimError> {
    body.as_object().ok_or_else(|| {
        ScimError::invalid_syntax(format!(
            "the request body must be a JSON object, found {}",
            describe(body)
        ))
    })
}

pub fn not_found(kind: ResourceKind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.name()))
}

/// Fail with 412 unless the If-Match header (if any) names the current version.
pub fn check_precondition(stored: &Stored, if_match: Option<&str>) -> Result<(), ScimError> {
    match if_match {
        Some(header) if !header_matches(header, &etag(stored.version)) => Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "If-Match '{header}' does not match the current version {}",
                etag(stored.version)
            ),
        )),
        _ => Ok(()),
    }
}

pub fn get(ctx: &Ctx<'_>, kind: ResourceKind, id: &str) -> Result<Written, ScimError> {
    let store = ctx.provider.read();
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    Ok(written(ctx, &store, stored))
}

fn written(ctx: &Ctx<'_>, store: &Store, stored: &Stored) -> Written {
    Written {
        id: stored.id.clone(),
        resource: View::new(ctx, store).resource(stored),
        version: stored.version,
    }
}

/// An emulated product's own user attributes, kept apart from what the schemas check.
pub fn set_aside(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    body: &Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    match (&ctx.provider.emulated, kind) {
        (Some(product), ResourceKind::User) => product.set_aside(body),
        _ => (body.clone(), Map::new()),
    }
}

pub fn create(ctx: &Ctx<'_>, kind: ResourceKind, body: &Value) -> Result<Written, ScimError> {
    let (body, own) = set_aside(ctx, kind, as_object(body)?);
    let body = &body;
    check_schemas(kind, body)?;
    refuse_nulls(ctx, body)?;
    lax_writes::check_core_schema_first(ctx, kind, body)?;
    let mut attrs = attributes(kind, body, Mode::Input)?;
    attrs.extend(own);
    lax_writes::keep_manager_name(ctx, body, &mut attrs);
    if !ctx.misbehaves(Misbehaviour::RequiredUnchecked) {
        check_required(kind, &attrs)?;
    }
    let mut store = ctx.provider.write();
    if let (Some(product), ResourceKind::User) = (&ctx.provider.emulated, kind) {
        product.license(&mut attrs, || {
            store
                .live(ResourceKind::User)
                .iter()
                .filter(|user| user.attrs.get("active") == Some(&Value::Bool(true)))
                .count()
        });
    }
    let id = commit(ctx, &mut store, kind, None, attrs)?;
    lax_writes::join_named_groups(ctx, &mut store, kind, &id, body);
    let stored = store
        .get(kind, &id)
        .ok_or_else(|| ScimError::internal("a created resource vanished"))?;
    Ok(written(ctx, &store, stored))
}

pub fn replace(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> Result<Written, ScimError> {
    let (body, own) = set_aside(ctx, kind, as_object(body)?);
    let body = &body;
    check_schemas(kind, body)?;
    refuse_nulls(ctx, body)?;
    let mut attrs = attributes(kind, body, Mode::Input)?;
    attrs.extend(own);
    lax_writes::keep_manager_name(ctx, body, &mut attrs);
    if !ctx.misbehaves(Misbehaviour::RequiredUnchecked) {
        check_required(kind, &attrs)?;
    }
    let mut store = ctx.provider.write();
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    check_precondition(stored, if_match)?;
    if ctx.misbehaves(Misbehaviour::NullKeepsValue) {
        keep_cleared(body, &stored.attrs, &mut attrs);
    }
    // The password is writeOnly: a client cannot echo it back, so omitting it keeps it.
    if let Some(password) = stored.attrs.get("password")
        && !attrs.contains_key("password")
    {
        attrs.insert("password".into(), password.clone());
    }
    check_all_immutable(kind, &stored.attrs, &attrs)?;
    if ctx.misbehaves(Misbehaviour::PutFirstMembersRefused)
        && stored.members().is_empty()
        && attrs
            .get("members")
            .is_some_and(|m| m.as_array().is_some_and(|m| !m.is_empty()))
    {
        return Err(ScimError::mutability(
            "members is immutable once the group exists: a PUT cannot add its first members",
        ));
    }
    commit(ctx, &mut store, kind, Some(id), attrs)?;
    lax_writes::join_named_groups(ctx, &mut store, kind, id, body);
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    Ok(written(ctx, &store, stored))
}

/// `null-rejected`: a null or [] value, which clients may send to clear an attribute, is
/// refused.
fn refuse_nulls(ctx: &Ctx<'_>, body: &Map<String, Value>) -> Result<(), ScimError> {
    if !ctx.misbehaves(Misbehaviour::NullRejected) {
        return Ok(());
    }
    match body.iter().find(|(_, value)| is_cleared(value)) {
        Some((name, _)) => Err(ScimError::invalid_value(format!(
            "'{name}' has no value; send a value or leave the attribute out"
        ))),
        None => Ok(()),
    }
}

fn is_cleared(value: &Value) -> bool {
    value.is_null() || value.as_array().is_some_and(Vec::is_empty)
}

/// `null-keeps-value`: a PUT's null or [] keeps what was stored under that name.
fn keep_cleared(
    body: &Map<String, Value>,
    stored: &Map<String, Value>,
    attrs: &mut Map<String, Value>,
) {
    for (name, _) in body.iter().filter(|(_, value)| is_cleared(value)) {
        if let Some((key, value)) = stored
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
        {
            attrs.insert(key.clone(), value.clone());
        }
    }
}

pub fn check_all_immutable(
    kind: ResourceKind,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), ScimError> {
    check_immutable(kind.attrs(), old, new)?;
    for (urn, defs) in kind.extensions() {
        if let (Some(Value::Object(before)), Some(Value::Object(after))) =
            (old.get(*urn), new.get(*urn))
        {
            check_immutable(defs, before, after)?;
        }
    }
    Ok(())
}

/// A new resource under a fresh id, or under a deleted one's when the server reuses ids.
fn fresh(
    ctx: &Ctx<'_>,
    store: &mut Store,
    kind: ResourceKind,
    attrs: Map<String, Value>,
) -> String {
    if ctx.misbehaves(Misbehaviour::DeletedIdsReused) {
        store.insert_reusing(kind, attrs)
    } else {
        store.insert(kind, attrs)
    }
}

pub fn delete(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    id: &str,
    if_match: Option<&str>,
) -> Result<(), ScimError> {
    let stale = ctx.misbehaves(Misbehaviour::EtagStale);
    let mut store = ctx.provider.write();
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    check_precondition(stored, if_match)?;
    match kind {
        ResourceKind::User if ctx.misbehaves(Misbehaviour::SoftDelete) => {
            let mut attrs = stored.attrs.clone();
            attrs.insert("active".into(), json!(false));
            store.update(id, attrs, stale);
            return Ok(());
        }
        ResourceKind::User => {
            if !ctx.misbehaves(Misbehaviour::StaleGroupMembers) {
                remove_from_groups(&mut store, id, stale);
            }
            if ctx.misbehaves(Misbehaviour::DeletedUserNameTaken) {
                store.tombstone(id);
            } else {
                store.remove(id);
            }
        }
        ResourceKind::Group => {
            let users = store.users_within(id);
            let before = group_views(&store, &users);
            store.remove(id);
            remove_from_groups(&mut store, id, stale);
            touch_changed_users(&mut store, before, stale);
        }
    }
    if ctx.misbehaves(Misbehaviour::DeletedIdsReused) {
        store.free_id(id);
    }
    Ok(())
}

/// Validate what only the store can judge (uniqueness, members), then insert or update,
/// keeping every affected user's `groups` version in step. Returns the id.
pub fn commit(
    ctx: &Ctx<'_>,
    store: &mut Store,
    kind: ResourceKind,
    id: Option<&str>,
    mut attrs: Map<String, Value>,
) -> Result<String, ScimError> {
    check_unique(ctx, store, kind, &attrs, id)?;
    let stale = ctx.misbehaves(Misbehaviour::EtagStale);
    if kind == ResourceKind::User && ctx.misbehaves(Misbehaviour::UndeclaredDropped) {
        drop_undeclared(&mut attrs);
    }
    if kind == ResourceKind::User && ctx.misbehaves(Misbehaviour::DisplayNameDropped) {
        attrs.remove("displayName");
    }
    if kind == ResourceKind::User {
        lax_writes::default_primary(ctx, &mut attrs);
    }
    if kind == ResourceKind::User {
        return Ok(match id {
            Some(id) => {
                store.update(id, attrs, stale);
                id.to_string()
            }
            None if ctx.misbehaves(Misbehaviour::IdsWithSpaces) => {
                let id = store.insert(kind, attrs);
                store.rekey(&id, format!("user {id}"))
            }
            None if ctx.misbehaves(Misbehaviour::IdsWithBulkId) => {
                let id = store.insert(kind, attrs);
                store.rekey(&id, format!("bulkId-{id}"))
            }
            None => fresh(ctx, store, kind, attrs),
        });
    }
    resolve_members(store, id, &mut attrs)?;
    let mut users: HashSet<String> = id.map(|id| store.users_within(id)).unwrap_or_default();
    for (member, _) in members_of(&attrs) {
        match store.get_any(&member).map(|stored| stored.kind) {
            Some(ResourceKind::User) => {
                users.insert(member);
            }
            Some(ResourceKind::Group) => users.extend(store.users_within(&member)),
            None => {}
        }
    }
    let before = group_views(store, &users);
    let id = match id {
        Some(id) => {
            store.update(id, attrs, stale);
            id.to_string()
        }
        None => fresh(ctx, store, kind, attrs),
    };
    touch_changed_users(store, before, stale);
    Ok(id)
}

/// What the `undeclared-dropped` misbehaviour does not keep: the attributes its /Schemas
/// leaves out, silently, as RFC 7644 3.3 allows ("free to alter and/or ignore").
fn drop_undeclared(attrs: &mut Map<String, Value>) {
    attrs.retain(|name, _| {
        !DROPPED_ATTRIBUTES
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name))
    });
    for (attribute, sub) in DROPPED_SUB_ATTRIBUTES {
        if let Some(Value::Array(items)) = attrs.get_mut(*attribute) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                item.retain(|name, _| !name.eq_ignore_ascii_case(sub));
            }
        }
    }
}

fn members_of(attrs: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(Value::Array(items)) = attrs.get("members") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let value = item.get("value")?.as_str()?.to_string();
            let kind = item
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("User")
                .to_string();
            Some((value, kind))
        })
        .collect()
}

/// userName is unique among Users, compared case-insensitively as caseExact=false
/// demands (unless a misbehaviour says otherwise).
fn check_unique(
    ctx: &Ctx<'_>,
    store: &Store,
    kind: ResourceKind,
    attrs: &Map<String, Value>,
    except: Option<&str>,
) -> Result<(), ScimError> {
    if kind != ResourceKind::User || ctx.misbehaves(Misbehaviour::NoUniqueness) {
        return Ok(());
    }
    let Some(name) = attrs.get("userName").and_then(Value::as_str) else {
        return Ok(());
    };
    let case_sensitive = ctx.misbehaves(Misbehaviour::UniquenessCaseSensitive);
    let unnormalized = ctx.misbehaves(Misbehaviour::UsernameUnnormalized);
    let key = |text: &str| {
        if case_sensitive {
            text.to_string()
        } else if unnormalized {
            text.to_lowercase()
        } else {
            fold_case(text)
        }
    };
    let wanted = key(name);
    let include_deleted = ctx.misbehaves(Misbehaviour::DeletedUserNameTaken);
    let taken = store.with_tombstones(ResourceKind::User).any(|other| {
        Some(other.id.as_str()) != except
            && (include_deleted || !other.tombstone)
            && other
                .attrs
                .get("userName")
                .and_then(Value::as_str)
                .is_some_and(|existing| key(existing) == wanted)
    });
    if !taken {
        return Ok(());
    }
    if ctx.misbehaves(Misbehaviour::Uniqueness500) {
        return Err(ScimError::internal("An unexpected error occurred."));
    }
    Err(ScimError::uniqueness(format!(
        "userName '{name}' is already taken by another User"
    )))
}

/// Members must name existing resources of the stated type; nesting may not loop. The
/// stored form is `{value, type}`; `$ref` and `display` are derived when rendering.
fn resolve_members(
    store: &Store,
    group_id: Option<&str>,
    attrs: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    let Some(Value::Array(items)) = attrs.get("members") else {
        return Ok(());
    };
    let mut seen = HashSet::new();
    let mut resolved = Vec::new();
    for item in items {
        let value = item
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let target = store.get_any(value).ok_or_else(|| {
            ScimError::invalid_value(format!("member '{value}' is not an existing User or Group"))
        })?;
        if let Some(stated) = item.get("type").and_then(Value::as_str)
            && !stated.eq_ignore_ascii_case(target.kind.name())
        {
            return Err(ScimError::invalid_value(format!(
                "member '{value}' is a {}, not a {stated}",
                target.kind.name()
            )));
        }
        if target.kind == ResourceKind::Group
            && let Some(group_id) = group_id
            && store.would_cycle(group_id, value)
        {
            return Err(ScimError::invalid_value(format!(
                "group '{value}' contains this group; nesting may not form a loop"
            )));
        }
        if seen.insert(value.to_string()) {
            resolved.push(json!({ "value": value, "type": target.kind.name() }));
        }
    }
    if resolved.is_empty() {
        attrs.remove("members");
    } else {
        attrs.insert("members".into(), Value::Array(resolved));
    }
    Ok(())
}

/// Drop `member` from every group that lists it; those groups change.
fn remove_from_groups(store: &mut Store, member: &str, stale: bool) {
    let groups: Vec<(String, Map<String, Value>)> = store
        .live(ResourceKind::Group)
        .into_iter()
        .filter(|group| group.members().iter().any(|(id, _)| *id == member))
        .map(|group| (group.id.clone(), group.attrs.clone()))
        .collect();
    for (id, mut attrs) in groups {
        if let Some(Value::Array(items)) = attrs.get_mut("members") {
            items.retain(|item| item.get("value").and_then(Value::as_str) != Some(member));
            if items.is_empty() {
                attrs.remove("members");
            }
        }
        store.update(&id, attrs, stale);
    }
}

type GroupView = Vec<(String, bool, Option<String>)>;

/// What `groups` shows for each of these users right now.
fn group_views(store: &Store, users: &HashSet<String>) -> HashMap<String, GroupView> {
    let membership = store.membership();
    users
        .iter()
        .map(|user| {
            let view = membership
                .groups_of(user)
                .into_iter()
                .map(|group| {
                    let name = store
                        .get_any(&group.id)
                        .and_then(Stored::display_name)
                        .map(str::to_string);
                    (group.id, group.direct, name)
                })
                .collect();
            (user.clone(), view)
        })
        .collect()
}

/// A user's representation includes its groups, so a change there is a change of the
/// user: new lastModified and version.
fn touch_changed_users(store: &mut Store, before: HashMap<String, GroupView>, stale: bool) {
    let users: HashSet<String> = before.keys().cloned().collect();
    let after = group_views(store, &users);
    for (user, view) in before {
        if after.get(&user) != Some(&view) && store.get(ResourceKind::User, &user).is_some() {
            store.touch(&user, stale);
        }
    }
}
