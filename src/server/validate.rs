//! Checking incoming resource data against the schema definitions and bringing it into
//! canonical form: canonical attribute names, null and empty values dropped, readOnly
//! input ignored, types, required attributes, `primary` and immutability enforced.
//!
//! Unknown attributes are rejected with 400 invalidSyntax rather than ignored: RFC 7644
//! lets a provider ignore them, but silently dropping data a client believes it stored is
//! the kind of surprise a reference server should expose, and the message names the
//! attribute and the schema it is missing from.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::misbehave::edit_distance;
use super::schema_defs::{AttrDef, COMMON, Mutability, ResourceKind, find};
use crate::scim::{AttrKind, parse_instant};

/// How readOnly attributes in the input are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// POST and PUT bodies: readOnly values are ignored (RFC 7644 3.3, 3.5.1).
    Input,
    /// PATCH values: readOnly targets are errors (scimType mutability), and a null value
    /// is kept as null, meaning "unassign".
    Patch,
}

/// The extension URNs a POST/PUT body declares, after checking that `schemas` is a list of
/// this resource type's URNs that includes its core schema.
pub fn check_schemas(kind: ResourceKind, body: &Map<String, Value>) -> Result<(), ScimError> {
    let schemas = match body.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas")) {
        None => {
            return Err(ScimError::invalid_value(format!(
                "the body has no 'schemas'; a {} needs [\"{}\"]",
                kind.name(),
                kind.schema()
            )));
        }
        Some((_, Value::Array(items))) => items,
        Some((_, other)) => {
            return Err(ScimError::invalid_syntax(format!(
                "'schemas' must be an array of schema URNs, found {}",
                describe(other)
            )));
        }
    };
    let mut urns = Vec::new();
    for item in schemas {
        let Some(urn) = item.as_str() else {
            return Err(ScimError::invalid_syntax(format!(
                "'schemas' must hold strings, found {}",
                describe(item)
            )));
        };
        if !kind
            .schema_urns()
            .iter()
            .any(|known| known.eq_ignore_ascii_case(urn))
        {
            return Err(ScimError::invalid_value(format!(
                "'schemas' lists '{urn}', which is not a schema of the {} resource type (valid: {})",
                kind.name(),
                kind.schema_urns().join(", ")
            )));
        }
        urns.push(urn);
    }
    if !urns
        .iter()
        .any(|urn| urn.eq_ignore_ascii_case(kind.schema()))
    {
        return Err(ScimError::invalid_value(format!(
            "'schemas' must include the core schema '{}'",
            kind.schema()
        )));
    }
    for (key, value) in body {
        if let Some((urn, _)) = kind.extension(key)
            && !value.is_null()
            && !urns
                .iter()
                .any(|declared| declared.eq_ignore_ascii_case(urn))
        {
            return Err(ScimError::invalid_value(format!(
                "the body carries extension data under '{key}' but 'schemas' does not list it"
            )));
        }
    }
    Ok(())
}

/// The canonical attributes of a resource body (or a PATCH value without path). The
/// `schemas` member is skipped; id, meta and the other readOnly attributes follow `mode`.
pub fn attributes(
    kind: ResourceKind,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in body {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some((urn, defs)) = kind.extension(key) {
            let canonical = match value {
                Value::Null => None,
                Value::Object(members) => {
                    let members = members_of(defs, members, urn, mode)?;
                    (!members.is_empty() || mode == Mode::Patch).then_some(Value::Object(members))
                }
                other => {
                    return Err(ScimError::invalid_value(format!(
                        "extension '{urn}' must be an object, found {}",
                        describe(other)
                    )));
                }
            };
            check_once(&out, urn)?;
            if let Some(canonical) = canonical {
                out.insert(urn.to_string(), canonical);
            }
            continue;
        }
        let def = find(kind.attrs(), key)
            .or_else(|| find(COMMON, key))
            .ok_or_else(|| unknown_attribute(key, kind.schema(), &[kind.attrs(), COMMON]))?;
        check_once(&out, def.name)?;
        if let Some(canonical) = attribute(def, value, def.name, mode)? {
            out.insert(def.name.to_string(), canonical);
        }
    }
    Ok(out)
}

/// Members of an extension object, checked against its definitions.
fn members_of(
    defs: &'static [AttrDef],
    members: &Map<String, Value>,
    urn: &str,
    mode: Mode,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in members {
        if key.eq_ignore_ascii_case("schemas") && names_only(value, urn) {
            continue;
        }
        let def = find(defs, key).ok_or_else(|| unknown_attribute(key, urn, &[defs]))?;
        let path = format!("{urn}:{}", def.name);
        check_once(&out, def.name)?;
        if let Some(canonical) = attribute(def, value, &path, mode)? {
            out.insert(def.name.to_string(), canonical);
        }
    }
    Ok(out)
}

/// `schemas: [urn]` inside the extension object of that same URN only repeats its key
/// (scim2-models sends it); anything else there is an unknown attribute.
fn names_only(value: &Value, urn: &str) -> bool {
    value.as_array().is_some_and(|urns| {
        !urns.is_empty()
            && urns
                .iter()
                .all(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn)))
    })
}

/// One attribute's value, or `None` when it is to be left out (readOnly input, or an
/// unassigned value outside PATCH).
fn attribute(
    def: &'static AttrDef,
    value: &Value,
    path: &str,
    mode: Mode,
) -> Result<Option<Value>, ScimError> {
    if def.mutability == Mutability::ReadOnly {
        return match mode {
            Mode::Input => Ok(None),
            Mode::Patch => Err(read_only(path)),
        };
    }
    match value_for(def, value, path)? {
        Some(value) => Ok(Some(value)),
        None if mode == Mode::Patch => Ok(Some(Value::Null)),
        None => Ok(None),
    }
}

/// Names are case-insensitive, so `userName` and `USERNAME` in one body collide.
fn check_once(out: &Map<String, Value>, name: &str) -> Result<(), ScimError> {
    if out.contains_key(name) {
        return Err(ScimError::invalid_syntax(format!(
            "attribute '{name}' is given more than once (names are case-insensitive)"
        )));
    }
    Ok(())
}

/// The canonical value of `def` (all of it: an array for multi-valued attributes), or
/// `None` for null and empty values.
pub fn value_for(
    def: &'static AttrDef,
    value: &Value,
    path: &str,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi_valued {
        return single(def, value, path);
    }
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value(format!(
            "'{path}' is multi-valued and must be an array, found {}",
            describe(value)
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_null() {
            return Err(ScimError::invalid_value(format!(
                "'{path}' must not contain null values"
            )));
        }
        if let Some(item) = single(def, item, path)? {
            out.push(item);
        }
    }
    check_primary(&out, path)?;
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// One value of `def` (an element, for multi-valued attributes).
pub fn single(
    def: &'static AttrDef,
    value: &Value,
    path: &str,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if def.kind != AttrKind::Complex {
        check_simple(def, value, path)?;
        return Ok(Some(value.clone()));
    }
    let Value::Object(members) = value else {
        return Err(ScimError::invalid_value(format!(
            "'{path}' is complex and its values must be objects, found {}",
            describe(value)
        )));
    };
    let mut given = Map::new();
    for (key, sub_value) in members {
        let sub = def.sub(key).ok_or_else(|| {
            unknown_attribute(&format!("{path}.{key}"), path, &[def.sub_attributes])
        })?;
        if given.contains_key(sub.name) {
            return Err(ScimError::invalid_syntax(format!(
                "'{path}.{}' is given more than once",
                sub.name
            )));
        }
        let sub_path = format!("{path}.{}", sub.name);
        if sub.mutability == Mutability::ReadOnly {
            // Server-maintained sub-attributes (members.display, manager.displayName) are
            // ignored on input even inside PATCH values: clients echo them back.
            given.insert(sub.name.to_string(), Value::Null);
            continue;
        }
        check_simple(sub, sub_value, &sub_path)
            .or_else(|e| if sub_value.is_null() { Ok(()) } else { Err(e) })?;
        given.insert(sub.name.to_string(), sub_value.clone());
    }
    let mut out = Map::new();
    for sub in def.sub_attributes {
        match given.get(sub.name) {
            Some(Value::Null) | None => {
                if sub.required && def.multi_valued {
                    return Err(ScimError::invalid_value(format!(
                        "each value of '{path}' needs '{}'",
                        sub.name
                    )));
                }
            }
            Some(value) => {
                out.insert(sub.name.to_string(), value.clone());
            }
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

fn check_simple(def: &AttrDef, value: &Value, path: &str) -> Result<(), ScimError> {
    let ok = match def.kind {
        AttrKind::String | AttrKind::Reference => value.is_string(),
        AttrKind::Boolean => value.is_boolean(),
        AttrKind::Integer => value.is_i64() || value.is_u64(),
        AttrKind::Decimal => value.is_number(),
        AttrKind::DateTime => value.as_str().is_some_and(|s| parse_instant(s).is_some()),
        AttrKind::Binary => value.as_str().is_some_and(is_base64),
        AttrKind::Complex => false,
    };
    if ok {
        return Ok(());
    }
    let expected = match def.kind {
        AttrKind::String => "a string",
        AttrKind::Reference => "a string (a reference)",
        AttrKind::Boolean => "a boolean (true or false)",
        AttrKind::Integer => "an integer",
        AttrKind::Decimal => "a number",
        AttrKind::DateTime => "a dateTime string such as 2026-01-31T12:00:00Z",
        AttrKind::Binary => "a base64 string",
        AttrKind::Complex => "an object",
    };
    Err(ScimError::invalid_value(format!(
        "'{path}' must be {expected}, found {}",
        describe(value)
    )))
}

fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len().is_multiple_of(4)
        && text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn check_primary(items: &[Value], path: &str) -> Result<(), ScimError> {
    let primaries = items
        .iter()
        .filter(|item| item.get("primary") == Some(&Value::Bool(true)))
        .count();
    if primaries > 1 {
        return Err(ScimError::invalid_value(format!(
            "at most one value of '{path}' may have primary=true, found {primaries}"
        )));
    }
    Ok(())
}

/// Required attributes of the resource type must be present (non-empty).
pub fn check_required(kind: ResourceKind, attrs: &Map<String, Value>) -> Result<(), ScimError> {
    for def in kind.attrs().iter().filter(|def| def.required) {
        let present = match attrs.get(def.name) {
            None | Some(Value::Null) => false,
            Some(Value::String(text)) => !text.trim().is_empty(),
            Some(_) => true,
        };
        if !present {
            return Err(ScimError::invalid_value(format!(
                "'{}' is required for a {}",
                def.name,
                kind.name()
            )));
        }
    }
    Ok(())
}

/// Immutable attributes may be set when absent but never changed (RFC 7643 2.2). Applies
/// to singular attributes and sub-attributes of singular complex attributes; values of
/// multi-valued attributes have no identity to compare across a replacement.
pub fn check_immutable(
    defs: &'static [AttrDef],
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), ScimError> {
    for def in defs.iter().filter(|def| !def.multi_valued) {
        let (Some(before), after) = (old.get(def.name), new.get(def.name)) else {
            continue;
        };
        if def.mutability == Mutability::Immutable && after != Some(before) {
            return Err(ScimError::mutability(format!(
                "'{}' is immutable and already set; it cannot be changed",
                def.name
            )));
        }
        if def.kind == AttrKind::Complex
            && let (Some(before), Some(after)) =
                (before.as_object(), after.and_then(Value::as_object))
        {
            check_immutable(def.sub_attributes, before, after)?;
        }
    }
    Ok(())
}

pub fn read_only(path: &str) -> ScimError {
    ScimError::mutability(format!("'{path}' is readOnly and cannot be modified"))
}

fn unknown_attribute(name: &str, scope: &str, known: &[&'static [AttrDef]]) -> ScimError {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    let closest = known
        .iter()
        .flat_map(|defs| defs.iter())
        .map(|def| {
            (
                edit_distance(&last, &def.name.to_ascii_lowercase()),
                def.name,
            )
        })
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance);
    let mut detail = format!("unknown attribute '{name}' (not defined in {scope})");
    if let Some((_, suggestion)) = closest {
        detail.push_str(&format!("; did you mean '{suggestion}'?"));
    }
    ScimError::invalid_syntax(detail)
}

/// A short description of a JSON value for messages: its type and, for scalars, itself.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("string \"{head}...\"")
        }
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::schema_defs::{ENTERPRISE_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn user(body: Value) -> Result<Map<String, Value>, ScimError> {
        let body = body.as_object().cloned().unwrap();
        check_schemas(ResourceKind::User, &body)?;
        attributes(ResourceKind::User, &body, Mode::Input)
    }

    #[test]
    fn names_become_canonical_and_read_only_input_is_ignored() {
        let attrs = user(json!({
            "schemas": [USER_SCHEMA],
            "USERNAME": "ada",
            "id": "mine",
            "meta": {"version": "x"},
            "NAME": {"GIVENNAME": "Ada"},
            "emails": [],
            "title": null,
        }))
        .unwrap();
        assert_eq!(
            Value::Object(attrs),
            json!({"userName": "ada", "name": {"givenName": "Ada"}})
        );
    }

    #[test]
    fn wrong_types_are_invalid_values() {
        let error = user(json!({"schemas": [USER_SCHEMA], "userName": "a", "active": "False"}))
            .unwrap_err();
        assert_eq!(
            error.scim_type,
            Some(crate::server::error::ScimType::InvalidValue)
        );
        assert!(
            error.detail.contains("'active' must be a boolean"),
            "{}",
            error.detail
        );
        let error =
            user(json!({"schemas": [USER_SCHEMA], "userName": "a", "emails": {"value": "x"}}))
                .unwrap_err();
        assert!(
            error.detail.contains("must be an array"),
            "{}",
            error.detail
        );
    }

    #[test]
    fn unknown_attributes_and_duplicates_are_invalid_syntax() {
        let error =
            user(json!({"schemas": [USER_SCHEMA], "userName": "a", "shoeSize": 9})).unwrap_err();
        assert!(error.detail.contains("'shoeSize'"), "{}", error.detail);
        assert!(!error.detail.contains("did you mean"), "{}", error.detail);
        let error =
            user(json!({"schemas": [USER_SCHEMA], "userName": "a", "nickname2": "x"})).unwrap_err();
        assert!(
            error.detail.ends_with("did you mean 'nickName'?"),
            "{}",
            error.detail
        );
        let error =
            user(json!({"schemas": [USER_SCHEMA], "userName": "a", "name": {"givenNme": "x"}}))
                .unwrap_err();
        assert!(error.detail.contains("'name.givenNme'"), "{}", error.detail);
        assert!(
            error.detail.ends_with("did you mean 'givenName'?"),
            "{}",
            error.detail
        );
        let error =
            user(json!({"schemas": [USER_SCHEMA], "userName": "a", "UserName": "b"})).unwrap_err();
        assert!(error.detail.contains("more than once"), "{}", error.detail);
    }

    #[test]
    fn extension_data_needs_its_urn_in_schemas() {
        let body = json!({"schemas": [USER_SCHEMA], "userName": "a",
            ENTERPRISE_SCHEMA: {"employeeNumber": "7"}});
        assert!(user(body).unwrap_err().detail.contains("does not list it"));
        let body = json!({"schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA], "userName": "a",
            ENTERPRISE_SCHEMA: {"EmployeeNumber": "7"}});
        assert_eq!(
            user(body).unwrap()[ENTERPRISE_SCHEMA]["employeeNumber"],
            "7"
        );
    }

    #[test]
    fn only_one_primary_value() {
        let body = json!({"schemas": [USER_SCHEMA], "userName": "a", "emails": [
            {"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]});
        assert!(user(body).unwrap_err().detail.contains("primary"));
    }

    #[test]
    fn required_attribute_missing_or_blank() {
        assert!(check_required(ResourceKind::User, &Map::new()).is_err());
        let blank = json!({"userName": "  "}).as_object().cloned().unwrap();
        assert!(check_required(ResourceKind::User, &blank).is_err());
    }

    static IMMUTABLE_DEFS: &[AttrDef] = &[AttrDef {
        mutability: Mutability::Immutable,
        ..crate::server::schema_defs::USER_ATTRS[0]
    }];

    #[test]
    fn immutable_values_can_be_set_once_but_not_changed() {
        let empty = Map::new();
        let set = json!({"userName": "a"}).as_object().cloned().unwrap();
        let changed = json!({"userName": "b"}).as_object().cloned().unwrap();
        assert!(check_immutable(IMMUTABLE_DEFS, &empty, &set).is_ok());
        assert!(check_immutable(IMMUTABLE_DEFS, &set, &set).is_ok());
        let error = check_immutable(IMMUTABLE_DEFS, &set, &changed).unwrap_err();
        assert_eq!(
            error.scim_type,
            Some(crate::server::error::ScimType::Mutability)
        );
    }
}
