//! A vendor profile's client rules applied to a request: the PATCH dialect the document
//! spells out, the members every operation needs, value formats, what a create must
//! carry, and the attributes the product accepts at all. The rules are data
//! (`profile::ClientCheck`); this module only interprets them.

use axum::http::Method;
use serde_json::Value;

use super::finding::Verdict;
use super::request::{Endpoint, Incoming};
use super::rules::patch::{member, operations};
use super::rules::resource::looks_like_email;
use crate::profile::{ClientCheck, ClientRule, ValueFormat};
use crate::scim::{get_attr, parse_patch_path};

pub fn check(req: &Incoming<'_>, rules: &[ClientRule], v: &mut Verdict) {
    for rule in rules {
        match &rule.check {
            ClientCheck::PatchOps(allowed) => patch_ops(req, &rule.id, allowed, v),
            ClientCheck::PatchPathOps { attribute, ops } => {
                patch_path_ops(req, &rule.id, attribute, ops, v)
            }
            ClientCheck::PatchMembers(members) => patch_members(req, &rule.id, members, v),
            ClientCheck::Format {
                resource,
                attribute,
                format,
            } => value_format(req, &rule.id, resource, attribute, *format, v),
            ClientCheck::OnCreate {
                resource,
                attribute,
                equals,
            } => on_create(req, &rule.id, resource, attribute, equals.as_ref(), v),
            ClientCheck::Allow {
                resource,
                attributes,
            } => allow(req, &rule.id, resource, attributes, v),
        }
    }
}

/// The JSON body of a PATCH of one resource.
fn patch_body<'r>(req: &'r Incoming<'_>) -> Option<&'r Value> {
    match (&req.endpoint, req.method()) {
        (Endpoint::Resource(..), &Method::PATCH) => req.json(),
        _ => None,
    }
}

/// The resource type's name and body of a create or replace.
fn resource_body<'r>(req: &'r Incoming<'_>) -> Option<(&'r str, &'r Value, bool)> {
    let (rt, creating) = match (&req.endpoint, req.method()) {
        (Endpoint::Collection(rt), &Method::POST) => (rt, true),
        (Endpoint::Resource(rt, _), &Method::PUT) => (rt, false),
        _ => return None,
    };
    Some((rt.name.as_str(), req.json()?, creating))
}

fn listed(list: &[String]) -> String {
    let quoted: Vec<String> = list.iter().map(|w| format!("\"{w}\"")).collect();
    quoted.join(", ")
}

fn patch_ops(req: &Incoming<'_>, id: &str, allowed: &[String], v: &mut Verdict) {
    let Some(body) = patch_body(req) else { return };
    for op in operations(body) {
        let Some(name) = op.name else { continue };
        v.checked(id);
        if !allowed.iter().any(|a| a == name) {
            v.broke_vendor(
                id,
                format!("body.Operations[{}].op", op.index),
                format!("\"{name}\""),
                format!(
                    "one of {}, spelt as the document spells them",
                    listed(allowed)
                ),
            );
        }
    }
}

fn patch_path_ops(req: &Incoming<'_>, id: &str, attribute: &str, ops: &[String], v: &mut Verdict) {
    let Some(body) = patch_body(req) else { return };
    for op in operations(body) {
        let Some(path) = op.path.and_then(|p| parse_patch_path(p).ok()) else {
            continue;
        };
        if !path.attr.name.eq_ignore_ascii_case(attribute) {
            continue;
        }
        v.checked(id);
        // Which op, not its spelling: the spelling is a rule of its own (patch_ops).
        let name = op.name.unwrap_or_default();
        if !ops.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            v.broke_vendor(
                id,
                format!("body.Operations[{}].op", op.index),
                format!("\"{name}\" with path \"{}\"", op.path.unwrap_or_default()),
                format!("{} for a {attribute} path", listed(ops)),
            );
        }
    }
}

fn patch_members(req: &Incoming<'_>, id: &str, members: &[String], v: &mut Verdict) {
    let Some(body) = patch_body(req) else { return };
    for op in operations(body) {
        v.checked(id);
        let missing: Vec<&str> = members
            .iter()
            .filter(|m| member(op.members, m).is_none_or(Value::is_null))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            v.broke_vendor(
                id,
                format!("body.Operations[{}]", op.index),
                Value::Object(op.members.clone()).to_string(),
                format!("an operation with {}", missing.join(" and ")),
            );
        }
    }
}

fn value_format(
    req: &Incoming<'_>,
    id: &str,
    resource: &str,
    attribute: &str,
    format: ValueFormat,
    v: &mut Verdict,
) {
    let ValueFormat::Email = format;
    let mut values: Vec<(String, &Value)> = Vec::new();
    if let Some((name, body, _)) = resource_body(req)
        && name.eq_ignore_ascii_case(resource)
        && let Some(value) = get_attr(body, attribute)
    {
        values.push((format!("body.{attribute}"), value));
    }
    if let (Endpoint::Resource(rt, _), Some(body)) = (&req.endpoint, patch_body(req))
        && rt.name.eq_ignore_ascii_case(resource)
    {
        for op in operations(body) {
            if op.path.is_some_and(|p| p.eq_ignore_ascii_case(attribute))
                && let Some(value) = op.value
            {
                values.push((format!("body.Operations[{}].value", op.index), value));
            }
        }
    }
    for (place, value) in values {
        v.checked(id);
        if !value.as_str().is_some_and(looks_like_email) {
            v.broke_vendor(
                id,
                place,
                value.to_string(),
                format!("an email address as {attribute}"),
            );
        }
    }
}

fn on_create(
    req: &Incoming<'_>,
    id: &str,
    resource: &str,
    attribute: &str,
    equals: Option<&Value>,
    v: &mut Verdict,
) {
    let Some((name, body, true)) = resource_body(req) else {
        return;
    };
    if !name.eq_ignore_ascii_case(resource) {
        return;
    }
    v.checked(id);
    let sent = get_attr(body, attribute).filter(|v| !v.is_null());
    let fine = match (sent, equals) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(sent), Some(wanted)) => sent == wanted,
    };
    if !fine {
        v.broke_vendor(
            id,
            format!("body.{attribute}"),
            sent.map_or_else(|| "(absent)".to_owned(), Value::to_string),
            match equals {
                Some(wanted) => format!("{attribute}: {wanted} on every new {resource}"),
                None => format!("{attribute} on every new {resource}"),
            },
        );
    }
}

fn allow(req: &Incoming<'_>, id: &str, resource: &str, attributes: &[String], v: &mut Verdict) {
    let allowed = |name: &str| {
        name.eq_ignore_ascii_case("schemas")
            || attributes.iter().any(|a| a.eq_ignore_ascii_case(name))
    };
    let mut sent: Vec<(String, String)> = Vec::new();
    if let Some((name, Value::Object(body), _)) = resource_body(req)
        && name.eq_ignore_ascii_case(resource)
    {
        for (key, value) in body {
            match value {
                Value::Object(inner) if key.contains(':') => {
                    for inner_key in inner.keys() {
                        sent.push((
                            format!("body.{key}.{inner_key}"),
                            format!("{key}:{inner_key}"),
                        ));
                    }
                }
                _ => sent.push((format!("body.{key}"), key.clone())),
            }
        }
    }
    if let (Endpoint::Resource(rt, _), Some(body)) = (&req.endpoint, patch_body(req))
        && rt.name.eq_ignore_ascii_case(resource)
    {
        for op in operations(body) {
            if let Some(path) = op.path.and_then(|p| parse_patch_path(p).ok()) {
                let name = match &path.attr.urn {
                    Some(urn) => format!("{urn}:{}", path.attr.name),
                    None => path.attr.name.clone(),
                };
                sent.push((format!("body.Operations[{}].path", op.index), name));
            } else if op.path.is_none()
                && let Some(Value::Object(value)) = op.value
            {
                for key in value.keys() {
                    sent.push((
                        format!("body.Operations[{}].value.{key}", op.index),
                        key.clone(),
                    ));
                }
            }
        }
    }
    for (place, name) in sent {
        v.checked(id);
        if !allowed(&name) {
            v.broke_vendor(
                id,
                place,
                format!("\"{name}\""),
                format!("only the supported attributes ({})", attributes.join(", ")),
            );
        }
    }
}
