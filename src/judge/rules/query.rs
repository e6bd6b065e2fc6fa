//! Query parameters and SearchRequests (RFC 7644 3.4.2, 3.4.3, 3.9): filters in the
//! grammar the server evaluates them with (`scim::parse_filter`), string values quoted,
//! complex attributes through their sub-attributes, attribute lists in attribute
//! notation, and never `attributes` with `excludedAttributes`.

use axum::http::Method;
use serde_json::Value;

use super::patch::member;
use super::values;
use crate::judge::declared::{AttrDecl, ResourceTypeDecl};
use crate::judge::finding::Verdict;
use crate::judge::request::{Endpoint, Incoming};
use crate::judge::rulebook::ids;
use crate::scim::{AttrKind, AttrPath, Filter, GrammarError, parse_attr_path, parse_filter};

pub const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

pub fn check(req: &Incoming<'_>, v: &mut Verdict) {
    let rt = match &req.endpoint {
        Endpoint::Collection(rt) | Endpoint::Resource(rt, _) => Some(*rt),
        Endpoint::Search(rt) => *rt,
        _ => None,
    };
    if let Some(filter) = req.param("filter") {
        check_filter(filter, "query filter", rt, v);
    }
    projection(
        req.param("attributes"),
        req.param("excludedAttributes"),
        "query",
        v,
    );
    if matches!(req.endpoint, Endpoint::Search(_)) && req.method() == Method::POST {
        search(req, rt, v);
    }
}

fn search(req: &Incoming<'_>, rt: Option<&ResourceTypeDecl>, v: &mut Verdict) {
    let Some(body) = req.json() else {
        return;
    };
    v.checked(ids::SEARCH_REQUEST_SCHEMA);
    let Value::Object(object) = body else {
        v.broke(
            ids::SEARCH_REQUEST_SCHEMA,
            "body",
            values::shown(body),
            "a SearchRequest object",
        );
        return;
    };
    let schemas = member(object, "schemas");
    if !schemas
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|s| s.as_str() == Some(SEARCH_REQUEST_URN)))
    {
        v.broke(
            ids::SEARCH_REQUEST_SCHEMA,
            "body.schemas",
            schemas.map_or_else(|| "(absent)".to_owned(), values::shown),
            format!("[\"{SEARCH_REQUEST_URN}\"]"),
        );
    }
    if let Some(Value::String(filter)) = member(object, "filter") {
        check_filter(filter, "body.filter", rt, v);
    }
    let list = |name: &str| match member(object, name) {
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
        ),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    projection(
        list("attributes").as_deref(),
        list("excludedAttributes").as_deref(),
        "body",
        v,
    );
}

/// One filter: grammar, quoting, complex attributes, value filters.
pub fn check_filter(text: &str, place: &str, rt: Option<&ResourceTypeDecl>, v: &mut Verdict) {
    v.checked(ids::FILTER_GRAMMAR);
    v.checked(ids::QUOTED_STRINGS);
    match parse_filter(text) {
        Err(error) if is_unquoted_string(&error) => v.broke(
            ids::QUOTED_STRINGS,
            place,
            format!("{text}  ({})", describe(&error)),
            format!(
                "string values in double quotes, e.g. {}",
                quoted_suggestion(text, &error)
            ),
        ),
        Err(error) => v.broke(
            ids::FILTER_GRAMMAR,
            place,
            format!("{text}  ({})", describe(&error)),
            "attrPath op value, joined with and/or/not, as in userName eq \"ada@example.com\"",
        ),
        Ok(filter) => {
            if let Some(rt) = rt {
                walk(&filter, rt, place, v);
            }
        }
    }
}

/// The parser's own verdict: a bare word where a value belongs.
fn is_unquoted_string(error: &GrammarError) -> bool {
    error
        .hint
        .as_deref()
        .is_some_and(|h| h.starts_with("strings are quoted"))
}

fn describe(error: &GrammarError) -> String {
    let mut text = format!("{} at offset {}", error.message, error.offset);
    if let Some(found) = &error.found {
        text.push_str(&format!(", found {found}"));
    }
    text
}

/// The filter with the offending bare word quoted.
fn quoted_suggestion(text: &str, error: &GrammarError) -> String {
    let start = error.offset.min(text.len());
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || "()[]".contains(c))
        .unwrap_or(rest.len());
    format!(
        "{}{}{}",
        &text[..start],
        Value::String(rest[..end].to_owned()),
        &rest[end..]
    )
}

fn walk(filter: &Filter, rt: &ResourceTypeDecl, place: &str, v: &mut Verdict) {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            walk(a, rt, place, v);
            walk(b, rt, place, v);
        }
        Filter::Not(inner) => walk(inner, rt, place, v),
        Filter::Present(_) => {}
        Filter::Compare { path, .. } => {
            v.checked(ids::COMPLEX_VIA_SUB_ATTRIBUTE);
            if path.sub.is_none()
                && let Some(attr) = declared(path, rt)
                && attr.kind == Some(AttrKind::Complex)
                && !attr.multi_valued
            {
                let subs: Vec<&str> = attr
                    .sub_attributes
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                v.broke(
                    ids::COMPLEX_VIA_SUB_ATTRIBUTE,
                    place,
                    format!("{filter}"),
                    format!("{}.<sub-attribute> ({})", attr.name, subs.join(", ")),
                );
            }
        }
        Filter::ValuePath {
            path,
            filter: inner,
        } => {
            if let Some(attr) = declared(path, rt) {
                value_filter_sub_attributes(inner, attr, place, v);
            }
        }
    }
}

/// The attribute a filter path names, when the resource type declares it.
fn declared<'d>(path: &AttrPath, rt: &'d ResourceTypeDecl) -> Option<&'d AttrDecl> {
    let schema = match &path.urn {
        Some(urn) => rt.schema(urn)?,
        None => &rt.core,
    };
    schema.attribute(&path.name)
}

/// Inside `attr[...]`, every path is a declared sub-attribute of `attr`.
pub fn value_filter_sub_attributes(filter: &Filter, attr: &AttrDecl, place: &str, v: &mut Verdict) {
    v.checked(ids::VALUE_FILTER_SUB_ATTRIBUTES);
    if attr.kind != Some(AttrKind::Complex) {
        v.broke(
            ids::VALUE_FILTER_SUB_ATTRIBUTES,
            place,
            format!("{}[{filter}]", attr.name),
            format!(
                "brackets only after a complex attribute; {} has no sub-attributes",
                attr.name
            ),
        );
        return;
    }
    for path in filter.attr_paths() {
        if attr.sub(&path.name).is_none() {
            let subs: Vec<&str> = attr
                .sub_attributes
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            v.broke(
                ids::VALUE_FILTER_SUB_ATTRIBUTES,
                place,
                format!("{}[{filter}] uses \"{}\"", attr.name, path.name),
                format!(
                    "sub-attributes of {} inside the brackets ({})",
                    attr.name,
                    subs.join(", ")
                ),
            );
        }
    }
}

/// `attributes` and `excludedAttributes`: attribute notation, and not both.
fn projection(attributes: Option<&str>, excluded: Option<&str>, place: &str, v: &mut Verdict) {
    for (name, list) in [("attributes", attributes), ("excludedAttributes", excluded)] {
        let Some(list) = list else { continue };
        v.checked(ids::ATTRIBUTE_NOTATION);
        for item in list.split(',').map(str::trim) {
            if let Err(error) = parse_attr_path(item) {
                v.broke(
                    ids::ATTRIBUTE_NOTATION,
                    format!("{place} {name}"),
                    format!("\"{item}\" ({})", describe(&error)),
                    "attribute names as name, name.sub or urn:...:name, separated by commas",
                );
            }
        }
    }
    if attributes.is_some() || excluded.is_some() {
        v.checked(ids::NOT_BOTH_PROJECTIONS);
    }
    if let (Some(a), Some(e)) = (attributes, excluded) {
        v.broke(
            ids::NOT_BOTH_PROJECTIONS,
            format!("{place} attributes and excludedAttributes"),
            format!("attributes={a} and excludedAttributes={e}"),
            "one of the two",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_word_value_is_told_apart_from_other_grammar_errors() {
        let bare = parse_filter("userName eq ada@example.com").unwrap_err();
        assert!(is_unquoted_string(&bare), "{bare}");
        assert_eq!(
            quoted_suggestion("userName eq ada@example.com", &bare),
            "userName eq \"ada@example.com\""
        );
        let other = parse_filter("userName equals \"x\"").unwrap_err();
        assert!(!is_unquoted_string(&other), "{other}");
    }
}
