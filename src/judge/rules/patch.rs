//! PATCH requests (RFC 7644 3.5.2): the PatchOp message, its operations, their paths in
//! the grammar the server itself parses with (`scim::parse_patch_path_with_schemas`), and
//! the values against what /Schemas declares at the path.

use axum::http::Method;
use serde_json::{Map, Value};

use super::values::{self, Mode};
use crate::judge::declared::{AttrDecl, Mutability, ResourceTypeDecl};
use crate::judge::finding::Verdict;
use crate::judge::request::{Endpoint, Incoming};
use crate::judge::rulebook::ids;
use crate::scim::{AttrKind, PatchPath, parse_patch_path_with_schemas};

pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// One operation as the checks (and vendor rules) read it.
#[derive(Debug)]
pub struct Op<'b> {
    pub index: usize,
    /// The `op` member as sent.
    pub name: Option<&'b str>,
    pub path: Option<&'b str>,
    pub value: Option<&'b Value>,
    pub members: &'b Map<String, Value>,
}

/// The operations of a PATCH body, as far as they are objects.
pub fn operations(body: &Value) -> Vec<Op<'_>> {
    let list = body
        .as_object()
        .and_then(|o| member(o, "Operations"))
        .and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, op)| {
            let members = op.as_object()?;
            Some(Op {
                index,
                name: member(members, "op").and_then(Value::as_str),
                path: member(members, "path").and_then(Value::as_str),
                value: member(members, "value"),
                members,
            })
        })
        .collect()
}

pub fn member<'b>(object: &'b Map<String, Value>, name: &str) -> Option<&'b Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

pub fn check(req: &Incoming<'_>, v: &mut Verdict) {
    let (Endpoint::Resource(rt, id), &Method::PATCH) = (&req.endpoint, req.method()) else {
        return;
    };
    let Some(body) = req.json() else {
        return;
    };
    v.checked(ids::PATCH_SCHEMA);
    let Value::Object(object) = body else {
        v.broke(
            ids::PATCH_SCHEMA,
            "body",
            values::shown(body),
            "a PatchOp object",
        );
        return;
    };
    let schemas = member(object, "schemas");
    let declared = schemas
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|s| s.as_str() == Some(PATCH_OP_URN)));
    if !declared {
        v.broke(
            ids::PATCH_SCHEMA,
            "body.schemas",
            schemas.map_or_else(|| "(absent)".to_owned(), values::shown),
            format!("[\"{PATCH_OP_URN}\"]"),
        );
    }
    v.checked(ids::PATCH_OPERATIONS);
    match member(object, "Operations") {
        Some(Value::Array(list)) if !list.is_empty() => {
            for (index, op) in list.iter().enumerate() {
                let place = format!("body.Operations[{index}]");
                match op {
                    Value::Object(members) => operation(members, &place, rt, id, v),
                    other => v.broke(
                        ids::PATCH_OP_MEMBER,
                        place,
                        values::shown(other),
                        "an object with op, and path and value as the op needs",
                    ),
                }
            }
        }
        other => v.broke(
            ids::PATCH_OPERATIONS,
            "body.Operations",
            other.map_or_else(|| "(absent)".to_owned(), values::shown),
            "an array of one or more operations",
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
}

fn operation(
    members: &Map<String, Value>,
    place: &str,
    rt: &ResourceTypeDecl,
    id: &str,
    v: &mut Verdict,
) {
    v.checked(ids::PATCH_OP_MEMBER);
    let ops: Vec<&Value> = members
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("op"))
        .map(|(_, v)| v)
        .collect();
    let kind = match ops.as_slice() {
        [Value::String(name)] => match name.to_ascii_lowercase().as_str() {
            "add" => Some(Kind::Add),
            "remove" => Some(Kind::Remove),
            "replace" => Some(Kind::Replace),
            _ => None,
        },
        _ => None,
    };
    let Some(kind) = kind else {
        let found = match ops.as_slice() {
            [] => "(no op)".to_owned(),
            [one] => values::shown(one),
            many => format!("{} op members", many.len()),
        };
        v.broke(
            ids::PATCH_OP_MEMBER,
            format!("{place}.op"),
            found,
            "exactly one op: \"add\", \"remove\" or \"replace\"",
        );
        return;
    };
    let value = member(members, "value").filter(|v| !v.is_null());
    let path = match member(members, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.as_str()),
        Some(other) => {
            v.broke(
                ids::PATCH_PATH_GRAMMAR,
                format!("{place}.path"),
                values::shown(other),
                "a path string such as name.givenName or emails[type eq \"work\"].value",
            );
            return;
        }
    };
    match kind {
        Kind::Remove => {
            v.checked(ids::PATCH_REMOVE_HAS_PATH);
            if path.is_none() {
                v.broke(
                    ids::PATCH_REMOVE_HAS_PATH,
                    format!("{place}.path"),
                    "(absent)",
                    "the path of what to remove",
                );
            }
        }
        Kind::Add => {
            v.checked(ids::PATCH_ADD_HAS_VALUE);
            if value.is_none() {
                v.broke(
                    ids::PATCH_ADD_HAS_VALUE,
                    format!("{place}.value"),
                    "(absent)",
                    "the value to add",
                );
            }
        }
        Kind::Replace => {}
    }
    match path {
        Some(text) => with_path(text, kind, value, place, rt, v),
        None if kind != Kind::Remove => {
            if let Some(value) = value {
                without_path(value, kind, place, rt, id, v);
            }
        }
        None => {}
    }
}

fn with_path(
    text: &str,
    kind: Kind,
    value: Option<&Value>,
    place: &str,
    rt: &ResourceTypeDecl,
    v: &mut Verdict,
) {
    v.checked(ids::PATCH_PATH_GRAMMAR);
    let path = match parse_patch_path_with_schemas(text, &rt.urns()) {
        Ok(path) => path,
        Err(error) => {
            v.broke(
                ids::PATCH_PATH_GRAMMAR,
                format!("{place}.path"),
                format!("\"{text}\": {error}"),
                "attrPath or valuePath[.subAttr], e.g. emails[type eq \"work\"].value",
            );
            return;
        }
    };
    let Some(target) = Target::resolve(&path, rt) else {
        v.broke(
            ids::DECLARED_ATTRIBUTES_ONLY,
            format!("{place}.path"),
            format!("\"{text}\""),
            format!("an attribute /Schemas declares for {}", rt.name),
        );
        return;
    };
    if let Some(filter) = &path.filter
        && let Some(attr) = target.attr
    {
        super::query::value_filter_sub_attributes(filter, attr, &format!("{place}.path"), v);
    }
    v.checked(ids::DECLARED_ATTRIBUTES_ONLY);
    if rt.name == "User"
        && target
            .attr
            .is_some_and(|a| a.name.eq_ignore_ascii_case("groups"))
    {
        v.broke(
            ids::GROUPS_VIA_GROUP,
            format!("{place}.path"),
            format!("\"{text}\""),
            "membership changed on the Group (its members), not on the User",
        );
        return;
    }
    v.checked(ids::PATCH_RESPECTS_MUTABILITY);
    if target.read_only() {
        v.broke(
            ids::PATCH_RESPECTS_MUTABILITY,
            format!("{place}.path"),
            format!("\"{text}\""),
            "a path to an attribute the client may change (this one is readOnly)",
        );
        return;
    }
    let Some(value) = value.filter(|_| kind != Kind::Remove) else {
        return;
    };
    let value_place = format!("{place}.value");
    if target.external_id {
        v.checked(ids::VALUE_JSON_TYPE);
        if !value.is_string() {
            v.broke(
                ids::VALUE_JSON_TYPE,
                value_place,
                values::shown(value),
                "a JSON string (RFC 7643 3.1 defines externalId as a string)",
            );
        }
        return;
    }
    match (target.attr, target.sub) {
        (None, _) => {
            // The whole extension: an object of its attributes.
            let Value::Object(members) = value else {
                v.broke(
                    ids::PATCH_COMPLEX_VALUE_OBJECT,
                    value_place,
                    values::shown(value),
                    "an object of the extension's attributes",
                );
                return;
            };
            for (key, item) in members {
                if let Some(schema) = target.schema
                    && let Some(decl) = schema.attribute(key)
                {
                    values::check_attribute(
                        decl,
                        item,
                        &format!("{value_place}.{key}"),
                        Mode::Patch,
                        v,
                    );
                }
            }
        }
        (Some(_), Some(sub)) => {
            values::check_single(sub, value, &value_place, Mode::Patch, v);
        }
        (Some(attr), None) if path.filter.is_some() => {
            complex_value(attr, value, kind, &value_place, v);
        }
        (Some(attr), None) => {
            if attr.kind == Some(AttrKind::Complex) {
                let items: Vec<&Value> = match value {
                    Value::Array(items) if attr.multi_valued => items.iter().collect(),
                    single => vec![single],
                };
                for (i, item) in items.iter().enumerate() {
                    let at = if value.is_array() {
                        format!("{value_place}[{i}]")
                    } else {
                        value_place.clone()
                    };
                    complex_value(attr, item, kind, &at, v);
                }
            } else if attr.multi_valued && !value.is_array() {
                values::check_single(attr, value, &value_place, Mode::Patch, v);
            } else {
                values::check_attribute(attr, value, &value_place, Mode::Patch, v);
            }
        }
    }
}

/// A value for a complex attribute: an object of sub-attributes.
fn complex_value(attr: &AttrDecl, value: &Value, kind: Kind, place: &str, v: &mut Verdict) {
    if kind == Kind::Add {
        v.checked(ids::PATCH_COMPLEX_VALUE_OBJECT);
        if !value.is_object() {
            v.broke(
                ids::PATCH_COMPLEX_VALUE_OBJECT,
                place,
                values::shown(value),
                format!("an object of {}'s sub-attributes", attr.name),
            );
            return;
        }
    }
    values::check_single(attr, value, place, Mode::Patch, v);
}

fn without_path(
    value: &Value,
    kind: Kind,
    place: &str,
    rt: &ResourceTypeDecl,
    id: &str,
    v: &mut Verdict,
) {
    let rule = if kind == Kind::Replace {
        ids::PATCH_PATHLESS_VALUE_OBJECT
    } else {
        ids::PATCH_COMPLEX_VALUE_OBJECT
    };
    v.checked(rule);
    let Value::Object(members) = value else {
        v.broke(
            rule,
            format!("{place}.value"),
            values::shown(value),
            "without a path, an object of the attributes to set",
        );
        return;
    };
    for (key, item) in members {
        let at = format!("{place}.value.{key}");
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        // Repeating the resource's own id changes nothing (Okta does it).
        if key.eq_ignore_ascii_case("id") && item.as_str() == Some(id) {
            continue;
        }
        if key.contains(':') {
            if let Some(extension) = rt.extension(key)
                && let Value::Object(inner) = item
            {
                for (name, inner_value) in inner {
                    if let Some(decl) = extension.attribute(name) {
                        values::check_attribute(
                            decl,
                            inner_value,
                            &format!("{at}.{name}"),
                            Mode::Patch,
                            v,
                        );
                    }
                }
            }
            continue;
        }
        let read_only = ["id", "meta"].iter().any(|k| k.eq_ignore_ascii_case(key))
            || rt
                .core
                .attribute(key)
                .is_some_and(|a| a.mutability == Mutability::ReadOnly);
        if rt.name == "User" && key.eq_ignore_ascii_case("groups") {
            v.broke(
                ids::GROUPS_VIA_GROUP,
                at,
                values::shown(item),
                "membership changed on the Group (its members), not on the User",
            );
            continue;
        }
        v.checked(ids::PATCH_RESPECTS_MUTABILITY);
        if read_only {
            v.broke(
                ids::PATCH_RESPECTS_MUTABILITY,
                at,
                values::shown(item),
                format!("no {key}: it is readOnly"),
            );
            continue;
        }
        if key.eq_ignore_ascii_case("externalId") {
            continue;
        }
        values::check_top_level(key, item, rt, &at, Mode::Patch, v);
    }
}

/// What a PATCH path addresses in the declarations.
struct Target<'d> {
    schema: Option<&'d crate::judge::declared::SchemaDecl>,
    attr: Option<&'d AttrDecl>,
    sub: Option<&'d AttrDecl>,
    /// `id` or `meta`, which no schema lists.
    common_read_only: bool,
    external_id: bool,
}

impl<'d> Target<'d> {
    /// `None` when the path names nothing declared.
    fn resolve(path: &PatchPath, rt: &'d ResourceTypeDecl) -> Option<Target<'d>> {
        let schema = match &path.attr.urn {
            Some(urn) => Some(rt.schema(urn)?),
            None => None,
        };
        if path.attr.is_schema() {
            return Some(Target {
                schema,
                attr: None,
                sub: None,
                common_read_only: false,
                external_id: false,
            });
        }
        let name = path.attr.name.as_str();
        if schema.is_none() {
            if ["id", "meta"].iter().any(|c| c.eq_ignore_ascii_case(name)) {
                return Some(Target {
                    schema: None,
                    attr: None,
                    sub: None,
                    common_read_only: true,
                    external_id: false,
                });
            }
            if name.eq_ignore_ascii_case("externalId") {
                return Some(Target {
                    schema: None,
                    attr: None,
                    sub: None,
                    common_read_only: false,
                    external_id: true,
                })
                .filter(|_| path.attr.sub.is_none() && path.filter.is_none());
            }
        }
        let attr = schema.unwrap_or(&rt.core).attribute(name)?;
        let sub_name = path.sub.as_deref().or(path.attr.sub.as_deref());
        let sub = match sub_name {
            Some(sub) => Some(attr.sub(sub)?),
            None => None,
        };
        Some(Target {
            schema,
            attr: Some(attr),
            sub,
            common_read_only: false,
            external_id: false,
        })
    }

    fn read_only(&self) -> bool {
        self.common_read_only
            || self
                .attr
                .is_some_and(|a| a.mutability == Mutability::ReadOnly)
            || self
                .sub
                .is_some_and(|s| s.mutability == Mutability::ReadOnly)
    }
}
