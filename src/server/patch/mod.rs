//! PATCH (RFC 7644 3.5.2): reading the PatchOp request, then applying its operations to
//! a copy so that a failing operation changes nothing; the result is validated like a
//! PUT before it is committed. How each operation changes the attributes is in `apply`.

mod apply;
mod deviate;
mod primary;

use serde_json::Value;

use super::error::{ScimError, ScimType};
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::render::View;
use super::resources::{
    Written, as_object, check_all_immutable, check_precondition, commit, not_found,
};
use super::schema_defs::ResourceKind;
use super::validate::{Mode, attributes, check_required, describe};
use crate::scim::{PatchPath, parse_patch_path_with_schemas};

pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Add,
    Remove,
    Replace,
}

#[derive(Debug)]
pub(super) struct Operation {
    pub(super) kind: OpKind,
    pub(super) path: Option<(String, PatchPath)>,
    pub(super) value: Option<Value>,
}

pub fn patch(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> Result<Written, ScimError> {
    let operations = parse_request(ctx, kind, body)?;
    let mut operations = deviate::rewrite(ctx, kind, operations)?;
    if ctx.misbehaves(Misbehaviour::PatchOpsReversed) {
        operations.reverse();
    }
    let mut store = ctx.provider.write();
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    check_precondition(stored, if_match)?;
    let original = stored.attrs.clone();
    let mut attrs = original.clone();
    if kind == ResourceKind::Group {
        // Filters may select members by display; the stored form lacks it.
        let full = View::new(ctx, &store).resource(stored);
        if let Some(members) = full.get("members").filter(|m| !m.is_null()) {
            attrs.insert("members".into(), members.clone());
        }
    }
    for operation in &mut operations {
        forget_echoed_id(operation, id);
    }
    for (index, operation) in operations.iter().enumerate() {
        let before = attrs.clone();
        let at = |mut error: ScimError| {
            error.detail = format!("Operations[{index}]: {}", error.detail);
            error
        };
        deviate::refuse(ctx, kind, &original, operation).map_err(at)?;
        deviate::before(ctx, &mut attrs, operation);
        let result = apply::apply(kind, &mut attrs, operation);
        if !deviate::after(ctx, operation, &result, &before, &mut attrs).map_err(at)? {
            attrs = before;
            continue;
        }
        result.map_err(at)?;
        primary::demote_previous(&before, &mut attrs);
    }
    let (attrs, own) = super::resources::set_aside(ctx, kind, &attrs);
    let mut attrs = attributes(kind, &attrs, Mode::Input)?;
    attrs.extend(own);
    check_required(kind, &attrs)?;
    check_all_immutable(kind, &original, &attrs)?;
    // A PATCH that changes nothing leaves lastModified and the version alone (RFC 7644
    // 3.5.2.1).
    if attrs != original || ctx.misbehaves(Misbehaviour::PatchNoOpTouches) {
        commit(ctx, &mut store, kind, Some(id), attrs)?;
    }
    let stored = store.get(kind, id).ok_or_else(|| not_found(kind, id))?;
    Ok(Written {
        id: id.to_string(),
        resource: View::new(ctx, &store).resource(stored),
        version: stored.version,
    })
}

/// Okta renames a group with a path-less replace whose value repeats the group's `id`.
/// Repeating the current id modifies nothing, so it is dropped; another id is still an
/// attempt to change a readOnly attribute (400 mutability).
fn forget_echoed_id(operation: &mut Operation, id: &str) {
    if operation.path.is_some() {
        return;
    }
    if let Some(Value::Object(value)) = &mut operation.value {
        value
            .retain(|key, member| !(key.eq_ignore_ascii_case("id") && member.as_str() == Some(id)));
    }
}

fn parse_request(
    ctx: &Ctx<'_>,
    kind: ResourceKind,
    body: &Value,
) -> Result<Vec<Operation>, ScimError> {
    let body = as_object(body)?;
    let mut operations = None;
    let mut declared = false;
    for (key, value) in body {
        if key.eq_ignore_ascii_case("schemas") {
            declared = value
                .as_array()
                .is_some_and(|schemas| schemas.iter().any(|s| s.as_str() == Some(PATCH_OP_SCHEMA)));
        } else if key.eq_ignore_ascii_case("Operations") {
            operations = Some(value);
        } else {
            return Err(ScimError::invalid_syntax(format!(
                "unknown PatchOp member '{key}'"
            )));
        }
    }
    if !declared && !ctx.misbehaves(Misbehaviour::PatchSchemaOptional) {
        return Err(ScimError::invalid_syntax(format!(
            "a PATCH body needs \"schemas\": [\"{PATCH_OP_SCHEMA}\"]"
        )));
    }
    let list = match operations {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) => {
            return Err(ScimError::invalid_syntax(
                "'Operations' must hold at least one operation",
            ));
        }
        Some(other) => {
            return Err(ScimError::invalid_syntax(format!(
                "'Operations' must be an array, found {}",
                describe(other)
            )));
        }
        None => return Err(ScimError::invalid_syntax("a PATCH body needs 'Operations'")),
    };
    list.iter()
        .enumerate()
        .map(|(index, op)| {
            parse_operation(ctx, kind, op).map_err(|mut error| {
                error.detail = format!("Operations[{index}]: {}", error.detail);
                error
            })
        })
        .collect()
}

fn parse_operation(ctx: &Ctx<'_>, kind: ResourceKind, op: &Value) -> Result<Operation, ScimError> {
    let Value::Object(members) = op else {
        return Err(ScimError::invalid_syntax(format!(
            "an operation must be an object, found {}",
            describe(op)
        )));
    };
    let mut name = None;
    let mut path = None;
    let mut value = None;
    for (key, member) in members {
        match key.to_ascii_lowercase().as_str() {
            "op" => name = Some(member),
            "path" => path = Some(member),
            "value" => value = Some(member.clone()),
            _ => {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown operation member '{key}'"
                )));
            }
        }
    }
    let name = match name {
        Some(Value::String(name)) => name,
        Some(other) => {
            return Err(ScimError::invalid_syntax(format!(
                "'op' must be a string, found {}",
                describe(other)
            )));
        }
        None => return Err(ScimError::invalid_syntax("the operation has no 'op'")),
    };
    let exact = ctx.misbehaves(Misbehaviour::PatchOpCaseSensitive);
    let same = |known: &str| {
        if exact {
            name == known
        } else {
            name.eq_ignore_ascii_case(known)
        }
    };
    let kind_of_op = if same("add") {
        OpKind::Add
    } else if same("remove") {
        OpKind::Remove
    } else if same("replace") {
        OpKind::Replace
    } else {
        return Err(ScimError::invalid_syntax(format!(
            "op '{name}' is not one of add, remove, replace"
        )));
    };
    if kind_of_op == OpKind::Remove && ctx.misbehaves(Misbehaviour::PatchNoRemove) {
        return Err(ScimError::invalid_syntax("op 'remove' is not supported"));
    }
    let path = match path {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some((text.clone(), parse_path(kind, text)?)),
        Some(other) => {
            return Err(ScimError::invalid_path(format!(
                "'path' must be a string, found {}",
                describe(other)
            )));
        }
    };
    let lists_values = value.as_ref().is_some_and(|v| !v.is_null());
    let unfiltered = path.as_ref().is_some_and(|(_, p)| p.filter.is_none());
    if kind_of_op == OpKind::Remove
        && lists_values
        && unfiltered
        && ctx.misbehaves(Misbehaviour::LegacyMemberRemovalRefused)
    {
        return Err(ScimError::invalid_syntax(
            "a remove takes no value: name the values to remove in a filter of the path",
        ));
    }
    Ok(Operation {
        kind: kind_of_op,
        path,
        value,
    })
}

/// A grammar error inside the brackets is a bad filter (invalidFilter, as RFC 7644
/// table 9 lists for PATCH path filters); elsewhere a bad path (invalidPath).
fn parse_path(kind: ResourceKind, text: &str) -> Result<PatchPath, ScimError> {
    parse_patch_path_with_schemas(text, &kind.schema_urns()).map_err(|error| {
        let in_filter = text.find('[').is_some_and(|open| error.offset > open);
        let scim_type = if in_filter {
            ScimType::InvalidFilter
        } else {
            ScimType::InvalidPath
        };
        ScimError::bad_request(scim_type, format!("path '{text}': {error}"))
    })
}
