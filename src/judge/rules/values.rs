//! Attribute names and values against what /Schemas declares (RFC 7643 2.1, 2.3, 2.4, 3.3
//! and 7): the JSON form of each type, plurality, sub-attributes, undeclared names, and
//! read-only attributes in creates.

use serde_json::{Map, Value};

use crate::judge::declared::{AttrDecl, Mutability, ResourceTypeDecl, SchemaDecl};
use crate::judge::finding::Verdict;
use crate::judge::rulebook::ids;
use crate::scim::{AttrKind, is_attr_name, parse_instant};

/// What the body is for: read-only attributes only matter in a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Replace,
    Patch,
}

/// The attributes of a resource body (top level and extension containers). Common
/// attributes (`schemas`, `id`, `externalId`, `meta`) and those in `skip` are the
/// caller's business.
pub fn check_resource(
    body: &Map<String, Value>,
    rt: &ResourceTypeDecl,
    mode: Mode,
    skip: &[&str],
    v: &mut Verdict,
) {
    for (key, value) in body {
        if skip.iter().any(|s| s.eq_ignore_ascii_case(key)) {
            continue;
        }
        let place = format!("body.{key}");
        if key.contains(':') {
            if let Some(extension) = rt.extension(key) {
                v.checked(ids::EXTENSION_CONTAINER);
                match value {
                    Value::Object(inner) => {
                        check_schema_attributes(inner, extension, &place, mode, v)
                    }
                    Value::Null => {}
                    other => v.broke(
                        ids::EXTENSION_CONTAINER,
                        place,
                        other.to_string(),
                        format!("an object of {key}'s attributes"),
                    ),
                }
            }
            continue;
        }
        check_top_level(key, value, rt, &place, mode, v);
    }
}

/// One attribute at the top level of a resource or of a pathless PATCH value.
pub fn check_top_level(
    key: &str,
    value: &Value,
    rt: &ResourceTypeDecl,
    place: &str,
    mode: Mode,
    v: &mut Verdict,
) {
    v.checked(ids::ATTR_NAME_SYNTAX);
    if !is_attr_name(key) {
        v.broke(
            ids::ATTR_NAME_SYNTAX,
            place,
            format!("\"{key}\""),
            "a name that starts with a letter and has only letters, digits, '$', '-' and '_'",
        );
        return;
    }
    if let Some(decl) = rt.core.attribute(key) {
        v.checked(ids::DECLARED_ATTRIBUTES_ONLY);
        v.checked(ids::EXTENSION_CONTAINER);
        check_attribute(decl, value, place, mode, v);
    } else if let Some((extension, _)) = rt
        .extensions
        .iter()
        .find(|(schema, _)| schema.attribute(key).is_some())
    {
        v.broke(
            ids::EXTENSION_CONTAINER,
            place,
            format!("\"{key}\" at the top level"),
            format!("\"{key}\" inside \"{}\": {{ ... }}", extension.urn),
        );
    } else {
        v.broke(
            ids::DECLARED_ATTRIBUTES_ONLY,
            place,
            format!("\"{key}\""),
            format!(
                "an attribute /Schemas declares for {} ({})",
                rt.name,
                names(&rt.core)
            ),
        );
    }
}

fn check_schema_attributes(
    body: &Map<String, Value>,
    schema: &SchemaDecl,
    place: &str,
    mode: Mode,
    v: &mut Verdict,
) {
    for (key, value) in body {
        let place = format!("{place}.{key}");
        v.checked(ids::ATTR_NAME_SYNTAX);
        if !is_attr_name(key) {
            v.broke(
                ids::ATTR_NAME_SYNTAX,
                place,
                format!("\"{key}\""),
                "a name that starts with a letter and has only letters, digits, '$', '-' and '_'",
            );
            continue;
        }
        v.checked(ids::DECLARED_ATTRIBUTES_ONLY);
        match schema.attribute(key) {
            Some(decl) => check_attribute(decl, value, &place, mode, v),
            None => v.broke(
                ids::DECLARED_ATTRIBUTES_ONLY,
                place,
                format!("\"{key}\""),
                format!(
                    "an attribute /Schemas declares in {} ({})",
                    schema.urn,
                    names(schema)
                ),
            ),
        }
    }
}

/// A declared attribute's value, whole (an array for a multi-valued one).
pub fn check_attribute(decl: &AttrDecl, value: &Value, place: &str, mode: Mode, v: &mut Verdict) {
    if mode == Mode::Create && decl.mutability == Mutability::ReadOnly {
        v.broke(
            ids::READ_ONLY_OMITTED,
            place,
            shown(value),
            format!("no {}: /Schemas declares it readOnly", decl.name),
        );
        return;
    }
    if value.is_null() {
        return;
    }
    v.checked(ids::VALUE_JSON_TYPE);
    if decl.multi_valued {
        let Value::Array(items) = value else {
            v.broke(
                ids::VALUE_JSON_TYPE,
                place,
                shown(value),
                format!("a JSON array: /Schemas declares {} multi-valued", decl.name),
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            check_single(decl, item, &format!("{place}[{i}]"), mode, v);
        }
        check_primary(decl, items, place, v);
    } else if value.is_array() {
        v.broke(
            ids::VALUE_JSON_TYPE,
            place,
            shown(value),
            format!("one value: /Schemas declares {} single-valued", decl.name),
        );
    } else {
        check_single(decl, value, place, mode, v);
    }
}

/// One value of an attribute (an item of a multi-valued one).
pub fn check_single(decl: &AttrDecl, value: &Value, place: &str, mode: Mode, v: &mut Verdict) {
    let Some(kind) = decl.kind else {
        return;
    };
    if value.is_null() {
        return;
    }
    v.checked(ids::VALUE_JSON_TYPE);
    let wrong = |v: &mut Verdict, rule: &'static str, what: &str| {
        v.broke(
            rule,
            place,
            shown(value),
            format!(
                "{what}, as /Schemas declares {} {}",
                decl.name,
                type_name(kind)
            ),
        );
    };
    match kind {
        AttrKind::Complex => match value {
            Value::Object(members) => check_sub_attributes(decl, members, place, mode, v),
            _ => wrong(v, ids::VALUE_JSON_TYPE, "an object of sub-attributes"),
        },
        _ if value.is_object() => {
            v.checked(ids::SIMPLE_NO_SUB_ATTRIBUTES);
            wrong(
                v,
                ids::SIMPLE_NO_SUB_ATTRIBUTES,
                "a plain value, not an object",
            );
        }
        AttrKind::Boolean => {
            v.checked(ids::BOOLEAN_LITERAL);
            match value {
                Value::Bool(_) => {}
                Value::String(_) => {
                    wrong(v, ids::BOOLEAN_LITERAL, "the JSON literal true or false")
                }
                _ => wrong(v, ids::VALUE_JSON_TYPE, "true or false"),
            }
        }
        AttrKind::Integer => {
            v.checked(ids::INTEGER_WHOLE);
            match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => {}
                Value::Number(_) => wrong(
                    v,
                    ids::INTEGER_WHOLE,
                    "a whole number without fraction or exponent",
                ),
                _ => wrong(v, ids::VALUE_JSON_TYPE, "a JSON number"),
            }
        }
        AttrKind::Decimal => {
            if !value.is_number() {
                wrong(v, ids::VALUE_JSON_TYPE, "a JSON number");
            }
        }
        AttrKind::DateTime => {
            v.checked(ids::DATETIME_FORMAT);
            match value {
                Value::String(text) if parse_instant(text).is_some() => {}
                Value::String(_) => wrong(
                    v,
                    ids::DATETIME_FORMAT,
                    "an xsd:dateTime with date and time, e.g. 2024-05-01T12:00:00Z",
                ),
                _ => wrong(v, ids::VALUE_JSON_TYPE, "a JSON string"),
            }
        }
        AttrKind::String | AttrKind::Binary | AttrKind::Reference => {
            v.checked(ids::SIMPLE_NO_SUB_ATTRIBUTES);
            if !value.is_string() {
                wrong(v, ids::VALUE_JSON_TYPE, "a JSON string");
            }
        }
    }
}

fn check_sub_attributes(
    decl: &AttrDecl,
    members: &Map<String, Value>,
    place: &str,
    mode: Mode,
    v: &mut Verdict,
) {
    for (key, value) in members {
        let place = format!("{place}.{key}");
        v.checked(ids::ATTR_NAME_SYNTAX);
        if !is_attr_name(key) {
            v.broke(
                ids::ATTR_NAME_SYNTAX,
                place,
                format!("\"{key}\""),
                "a name that starts with a letter and has only letters, digits, '$', '-' and '_'",
            );
            continue;
        }
        v.checked(ids::DECLARED_ATTRIBUTES_ONLY);
        let Some(sub) = decl.sub(key) else {
            let known: Vec<&str> = decl
                .sub_attributes
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            v.broke(
                ids::DECLARED_ATTRIBUTES_ONLY,
                place,
                format!("\"{key}\""),
                format!(
                    "a sub-attribute /Schemas declares for {} ({})",
                    decl.name,
                    known.join(", ")
                ),
            );
            continue;
        };
        if mode == Mode::Create && sub.mutability == Mutability::ReadOnly {
            v.broke(
                ids::READ_ONLY_OMITTED,
                place,
                shown(value),
                format!(
                    "no {}.{}: /Schemas declares it readOnly",
                    decl.name, sub.name
                ),
            );
            continue;
        }
        check_single(sub, value, &place, mode, v);
    }
}

fn check_primary(decl: &AttrDecl, items: &[Value], place: &str, v: &mut Verdict) {
    if decl.sub("primary").is_none() {
        return;
    }
    v.checked(ids::SINGLE_PRIMARY);
    let primaries: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| {
            item.as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("primary")))
                .is_some_and(|(_, p)| p == &Value::Bool(true))
        })
        .map(|(i, _)| i)
        .collect();
    if primaries.len() > 1 {
        let at: Vec<String> = primaries.iter().map(|i| format!("[{i}]")).collect();
        v.broke(
            ids::SINGLE_PRIMARY,
            place,
            format!("primary: true on {} values ({})", at.len(), at.join(", ")),
            "at most one value marked primary",
        );
    }
}

/// A value as JSON, for quoting.
pub fn shown(value: &Value) -> String {
    value.to_string()
}

fn type_name(kind: AttrKind) -> &'static str {
    match kind {
        AttrKind::String => "a string",
        AttrKind::Boolean => "a boolean",
        AttrKind::Decimal => "a decimal",
        AttrKind::Integer => "an integer",
        AttrKind::DateTime => "a dateTime",
        AttrKind::Binary => "binary",
        AttrKind::Reference => "a reference",
        AttrKind::Complex => "complex",
    }
}

fn names(schema: &SchemaDecl) -> String {
    let names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
    names.join(", ")
}
