//! The PATCH deviations the misbehaviour switches play, kept apart from the strict
//! behaviour in `apply`: rewrites of an operation before it runs, refusals, and what an
//! operation's result is turned into afterwards.

use serde_json::{Map, Value};

use super::{OpKind, Operation, parse_path};
use crate::server::error::{ScimError, ScimType};
use crate::server::misbehave::Misbehaviour;
use crate::server::provider::Ctx;
use crate::server::schema_defs::ResourceKind;

/// The operations as a misbehaving server reads them.
pub(super) fn rewrite(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    operations: Vec<Operation>,
) -> Result<Vec<Operation>, ScimError> {
    let mut out = Vec::new();
    for mut operation in operations {
        let has_filter = operation
            .path
            .as_ref()
            .is_some_and(|(_, path)| path.filter.is_some());
        if let Some((_, path)) = &mut operation.path {
            let to_sub = path.attr.sub.is_some() || path.sub.is_some();
            if ctx.misbehaves(Misbehaviour::PatchRemoveSubDropsParent)
                && operation.kind == OpKind::Remove
                && !has_filter
                && to_sub
            {
                path.attr.sub = None;
                path.sub = None;
            }
            if ctx.misbehaves(Misbehaviour::PatchFilterReplaceAll)
                && operation.kind == OpKind::Replace
                && has_filter
                && !to_sub
            {
                path.filter = None;
            }
            if ctx.misbehaves(Misbehaviour::MemberValueMutable)
                && kind == ResourceKind::Group
                && operation.kind == OpKind::Replace
                && has_filter
                && path.attr.name.eq_ignore_ascii_case("members")
                && to_sub
            {
                // The member the filter names goes, a member with the new value comes.
                path.attr.sub = None;
                path.sub = None;
                let value = operation.value.take().unwrap_or(Value::Null);
                out.push(Operation {
                    kind: OpKind::Remove,
                    path: operation.path.take(),
                    value: None,
                });
                let mut member = Map::new();
                member.insert("value".into(), value);
                out.push(Operation {
                    kind: OpKind::Add,
                    path: Some(("members".into(), parse_path(kind, "members")?)),
                    value: Some(Value::Array(vec![Value::Object(member)])),
                });
                continue;
            }
        }
        out.push(operation);
    }
    Ok(out)
}

/// A refusal some switch makes before the operation runs.
pub(super) fn refuse(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    original: &Map<String, Value>,
    operation: &Operation,
) -> Result<(), ScimError> {
    if operation.kind != OpKind::Add {
        return refuse_extension(ctx, kind, original, operation);
    }
    if ctx.misbehaves(Misbehaviour::PatchAddNeedsPath) && operation.path.is_none() {
        return Err(ScimError::no_target("'add' needs a 'path'"));
    }
    let adds_members = match (&operation.path, &operation.value) {
        (Some((_, path)), _) => path.attr.name.eq_ignore_ascii_case("members"),
        (None, Some(Value::Object(value))) => {
            value.keys().any(|key| key.eq_ignore_ascii_case("members"))
        }
        (None, _) => false,
    };
    if ctx.misbehaves(Misbehaviour::MembersFixedAfterCreate)
        && kind == ResourceKind::Group
        && adds_members
    {
        return Err(ScimError::mutability(
            "members are set when the group is created",
        ));
    }
    refuse_extension(ctx, kind, original, operation)
}

/// `patch-extension-needs-schema`: an extension attribute's path works only when the
/// resource had that extension before the request.
fn refuse_extension(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    original: &Map<String, Value>,
    operation: &Operation,
) -> Result<(), ScimError> {
    let Some((text, _)) = &operation.path else {
        return Ok(());
    };
    if !ctx.misbehaves(Misbehaviour::PatchExtensionNeedsSchema) {
        return Ok(());
    }
    let lower = text.to_ascii_lowercase();
    for (urn, _) in kind.extensions() {
        let inside = lower.starts_with(&format!("{}:", urn.to_ascii_lowercase()));
        if inside && !original.contains_key(*urn) {
            return Err(ScimError::no_target(format!(
                "path '{text}': the resource has no {urn} data"
            )));
        }
    }
    Ok(())
}

/// Before the operation runs: `patch-replace-complex-whole` forgets the complex
/// attribute a replace names, so only the sub-attributes given survive.
pub(super) fn before(ctx: &Ctx<'_>, attrs: &mut Map<String, Value>, operation: &Operation) {
    let Some((_, path)) = &operation.path else {
        return;
    };
    let whole = path.filter.is_none() && path.attr.sub.is_none() && path.sub.is_none();
    if ctx.misbehaves(Misbehaviour::PatchReplaceComplexWhole)
        && operation.kind == OpKind::Replace
        && whole
        && path.attr.urn.is_none()
        && operation.value.as_ref().is_some_and(Value::is_object)
    {
        attrs.retain(|name, value| {
            !(name.eq_ignore_ascii_case(&path.attr.name) && value.is_object())
        });
    }
}

/// What a switch makes of an operation's result: `Ok(true)` keeps it, `Ok(false)` drops
/// it (the attributes go back to `before`), an error fails the request.
pub(super) fn after(
    ctx: &Ctx<'_>,
    operation: &Operation,
    result: &Result<(), ScimError>,
    before: &Map<String, Value>,
    attrs: &mut Map<String, Value>,
) -> Result<bool, ScimError> {
    if let Err(error) = result {
        let ignored = match error.scim_type {
            Some(ScimType::InvalidValue) => ctx.misbehaves(Misbehaviour::PatchBadValueIgnored),
            Some(ScimType::Mutability) => {
                operation.kind == OpKind::Remove
                    && ctx.misbehaves(Misbehaviour::PatchRemoveProtectedIgnored)
            }
            _ => false,
        };
        return Ok(!ignored);
    }
    if operation.kind == OpKind::Add && ctx.misbehaves(Misbehaviour::PatchAddKeepsSingle) {
        keep_singles(before, attrs);
    }
    if let Some((text, path)) = &operation.path
        && operation.kind == OpKind::Remove
        && path.filter.is_some()
        && ctx.misbehaves(Misbehaviour::PatchRemoveLastRefused)
    {
        let had = |map: &Map<String, Value>| {
            map.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case(&path.attr.name)
                    && value.as_array().is_some_and(|items| !items.is_empty())
            })
        };
        if had(before) && !had(attrs) {
            return Err(ScimError::invalid_value(format!(
                "path '{text}': the last value cannot be removed"
            )));
        }
    }
    Ok(true)
}

/// `patch-add-keeps-single`: single values that were there before an add come back.
fn keep_singles(before: &Map<String, Value>, attrs: &mut Map<String, Value>) {
    for (name, old) in before {
        match (old, attrs.get_mut(name)) {
            (Value::Array(_), _) => {}
            (Value::Object(old), Some(Value::Object(new))) => keep_singles(old, new),
            (old, _) => {
                attrs.insert(name.clone(), old.clone());
            }
        }
    }
}
