//! Resource bodies of creates (POST) and replaces (PUT): `schemas` (RFC 7643 3 and 3.3),
//! required attributes and extensions (RFC 7643 4.1.1, 4.2, 6; RFC 7644 3.5.1), the
//! client-chosen `id` and other read-only attributes (RFC 7643 3.1, 4.1.2, 7), then the
//! attributes themselves (`values`).

use axum::http::Method;
use serde_json::{Map, Value};

use super::values::{self, Mode};
use crate::judge::declared::{Mutability, ResourceTypeDecl};
use crate::judge::finding::Verdict;
use crate::judge::request::{Endpoint, Incoming};
use crate::judge::rulebook::ids;
use crate::scim::get_attr;

/// Attributes every resource has (RFC 7643 3.1), which /Schemas does not list.
const COMMON: &[&str] = &["schemas", "id", "externalId", "meta"];

pub fn check(req: &Incoming<'_>, v: &mut Verdict) {
    let (rt, mode) = match (&req.endpoint, req.method()) {
        (Endpoint::Collection(rt), &Method::POST) => (*rt, Mode::Create),
        (Endpoint::Resource(rt, _), &Method::PUT) => (*rt, Mode::Replace),
        (Endpoint::Collection(rt), &Method::PUT) => {
            v.broke(
                ids::PUT_CREATES_NOTHING,
                "method",
                format!("PUT {}", rt.endpoint),
                format!(
                    "POST {} to create; PUT replaces one existing resource",
                    rt.endpoint
                ),
            );
            return;
        }
        _ => return,
    };
    let Some(body) = req.json() else {
        return;
    };
    let Value::Object(body) = body else {
        v.broke(
            ids::SCHEMAS_PRESENT,
            "body",
            values::shown(body),
            format!("a {} object with schemas", rt.name),
        );
        return;
    };
    resource_body(body, rt, mode, v);
}

/// Every check of one resource representation (also used for bulk operations' data).
pub fn resource_body(
    body: &Map<String, Value>,
    rt: &ResourceTypeDecl,
    mode: Mode,
    v: &mut Verdict,
) {
    schemas(body, rt, v);
    common(body, mode, v);
    required(body, rt, mode, v);
    let mut skip = COMMON.to_vec();
    if rt.name == "User"
        && let Some(groups) = attr(body, "groups")
    {
        skip.push("groups");
        if mode == Mode::Create && !groups.is_null() {
            v.broke(
                ids::GROUPS_VIA_GROUP,
                "body.groups",
                values::shown(groups),
                "no groups: membership is written on the Group (members), never on the User",
            );
        } else {
            v.checked(ids::GROUPS_VIA_GROUP);
        }
    }
    values::check_resource(body, rt, mode, &skip, v);
    if rt.name == "User" {
        emails(body, v);
    }
}

fn attr<'b>(body: &'b Map<String, Value>, name: &str) -> Option<&'b Value> {
    body.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn schemas(body: &Map<String, Value>, rt: &ResourceTypeDecl, v: &mut Verdict) {
    v.checked(ids::SCHEMAS_PRESENT);
    let listed: Vec<&str> = match attr(body, "schemas") {
        Some(Value::Array(items)) if !items.is_empty() => {
            items.iter().filter_map(Value::as_str).collect()
        }
        other => {
            v.broke(
                ids::SCHEMAS_PRESENT,
                "body.schemas",
                other.map_or_else(|| "(absent)".to_owned(), values::shown),
                format!("[\"{}\"]", rt.core.urn),
            );
            return;
        }
    };
    v.checked(ids::BASE_SCHEMA_LISTED);
    if !listed.iter().any(|u| u.eq_ignore_ascii_case(&rt.core.urn)) {
        v.broke(
            ids::BASE_SCHEMA_LISTED,
            "body.schemas",
            format!("{listed:?}"),
            format!("a list that includes \"{}\"", rt.core.urn),
        );
    }
    v.checked(ids::SCHEMAS_NO_DUPLICATES);
    if let Some((i, urn)) = listed.iter().enumerate().find(|(i, u)| {
        listed[..*i]
            .iter()
            .any(|earlier| earlier.eq_ignore_ascii_case(u))
    }) {
        v.broke(
            ids::SCHEMAS_NO_DUPLICATES,
            format!("body.schemas[{i}]"),
            format!("\"{urn}\" a second time"),
            "each URI once",
        );
    }
    v.checked(ids::SCHEMAS_DECLARED_ONLY);
    let declared = rt.urns();
    for urn in &listed {
        if !declared.iter().any(|d| d.eq_ignore_ascii_case(urn)) {
            v.broke(
                ids::SCHEMAS_DECLARED_ONLY,
                "body.schemas",
                format!("\"{urn}\""),
                format!(
                    "only URIs /ResourceTypes names for {} ({})",
                    rt.name,
                    declared.join(", ")
                ),
            );
        }
    }
    v.checked(ids::SCHEMAS_COVER_CONTENT);
    for (key, value) in body {
        if key.contains(':')
            && !value.is_null()
            && !listed.iter().any(|u| u.eq_ignore_ascii_case(key))
        {
            v.broke(
                ids::SCHEMAS_COVER_CONTENT,
                "body.schemas",
                format!("{listed:?} without \"{key}\""),
                format!("\"{key}\" listed, since the body carries its attributes"),
            );
        }
    }
}

fn common(body: &Map<String, Value>, mode: Mode, v: &mut Verdict) {
    if mode == Mode::Create {
        v.checked(ids::NO_ID_ON_CREATE);
        if let Some(id) = attr(body, "id") {
            v.broke(
                ids::NO_ID_ON_CREATE,
                "body.id",
                values::shown(id),
                "no id: the server assigns it",
            );
        }
        if let Some(meta) = attr(body, "meta") {
            v.broke(
                ids::READ_ONLY_OMITTED,
                "body.meta",
                values::shown(meta),
                "no meta: the server maintains it (readOnly)",
            );
        }
    }
    if let Some(external) = attr(body, "externalId") {
        v.checked(ids::VALUE_JSON_TYPE);
        if !external.is_string() && !external.is_null() {
            v.broke(
                ids::VALUE_JSON_TYPE,
                "body.externalId",
                values::shown(external),
                "a JSON string (RFC 7643 3.1 defines externalId as a string)",
            );
        }
    }
}

fn required(body: &Map<String, Value>, rt: &ResourceTypeDecl, mode: Mode, v: &mut Verdict) {
    let named = |name: &str| {
        attr(body, name).is_some_and(|value| match value {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => true,
        })
    };
    // The RFC names these two in rules of their own; the general PUT rule covers the rest.
    let own_rule = match rt.name.as_str() {
        "User" => Some(("userName", ids::USERNAME_SENT)),
        "Group" => Some(("displayName", ids::DISPLAY_NAME_SENT)),
        _ => None,
    };
    if let Some((name, rule)) = own_rule {
        if named(name) {
            v.checked(rule);
        } else {
            v.broke(
                rule,
                format!("body.{name}"),
                attr(body, name).map_or_else(|| "(absent)".to_owned(), values::shown),
                format!("a non-empty {name}"),
            );
        }
    }
    if mode == Mode::Replace {
        v.checked(ids::PUT_REQUIRED_SENT);
        for decl in &rt.core.attributes {
            let own = own_rule.is_some_and(|(name, _)| decl.name.eq_ignore_ascii_case(name));
            if decl.required
                && decl.mutability != Mutability::ReadOnly
                && !own
                && !named(&decl.name)
            {
                v.broke(
                    ids::PUT_REQUIRED_SENT,
                    format!("body.{}", decl.name),
                    "(absent)",
                    format!(
                        "{}: /Schemas declares it required, and PUT replaces the whole resource",
                        decl.name
                    ),
                );
            }
        }
    }
    for (extension, is_required) in &rt.extensions {
        if !is_required {
            continue;
        }
        v.checked(ids::REQUIRED_EXTENSION_SENT);
        let container = attr(body, &extension.urn);
        let missing: Vec<&str> = extension
            .attributes
            .iter()
            .filter(|a| a.required)
            .filter(|a| {
                container
                    .and_then(|c| get_attr(c, &a.name))
                    .is_none_or(Value::is_null)
            })
            .map(|a| a.name.as_str())
            .collect();
        if container.is_none_or(Value::is_null) || !missing.is_empty() {
            v.broke(
                ids::REQUIRED_EXTENSION_SENT,
                format!("body.{}", extension.urn),
                container.map_or_else(|| "(absent)".to_owned(), values::shown),
                format!(
                    "the extension, which /ResourceTypes marks required{}",
                    if missing.is_empty() {
                        String::new()
                    } else {
                        format!(", with {}", missing.join(", "))
                    }
                ),
            );
        }
    }
}

/// RFC 5321 addresses, as far as their shape shows: one `@` with text on both sides.
fn emails(body: &Map<String, Value>, v: &mut Verdict) {
    let Some(Value::Array(items)) = attr(body, "emails") else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let Some(Value::String(address)) = get_attr(item, "value") else {
            continue;
        };
        v.checked(ids::EMAIL_FORMAT);
        if !looks_like_email(address) {
            v.broke(
                ids::EMAIL_FORMAT,
                format!("body.emails[{i}].value"),
                format!("\"{address}\""),
                "an email address such as ada@example.com",
            );
        }
    }
}

pub fn looks_like_email(text: &str) -> bool {
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("ada@example.com"));
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "a@b@c.com",
            "ada@example",
            "a da@example.com",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
