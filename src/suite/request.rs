//! The `request` of a step read into a `model::Request`.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::suite::model::{Body, Request, Template};
use crate::suite::reader::{Format, Reader};
use crate::suite::scope::{Names, Place};
use crate::suite::yaml::{Node, NodeKind};
use crate::vocabulary::AuthMode;

pub const REQUEST_KEYS: [&str; 7] = [
    "method", "path", "query", "headers", "body", "raw_body", "auth",
];
pub const REQUEST_KEYS_2: [&str; 8] = [
    "method", "path", "url", "query", "headers", "body", "raw-body", "auth",
];
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
pub(super) const AUTH_MODES: [&str; 3] = ["default", "none", "invalid"];

pub fn request(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Request> {
    let (keys, raw_key): (&[&str], _) = match r.format {
        Format::One => (&REQUEST_KEYS, "raw_body"),
        Format::Two => (&REQUEST_KEYS_2, "raw-body"),
    };
    let m = r.mapping(node, "request", keys)?;
    let method = r
        .required(&m, "method")
        .and_then(|n| r.choice(n, "HTTP method", &METHODS, true));
    let reference = m.get("url").is_some();
    let path = if let Some(url) = m.get("url") {
        match m.get("path") {
            Some(path) => {
                let d = Diagnostic::error(r.loc(path.pos), "'path' and 'url' cannot both be given")
                    .with_hint("'path' is relative to the base URL; 'url' follows a reference the server gave");
                r.push(d);
                None
            }
            None => r.template(url, "'url'", names, place),
        }
    } else {
        r.required(&m, "path").and_then(|n| {
            let t = r.template(n, "'path'", names, place)?;
            if !n.as_str().is_some_and(|s| s.starts_with('/')) {
                let d = Diagnostic::error(r.loc(n.pos), "'path' must start with '/'")
                    .with_hint("the path is relative to the base URL, e.g. /Users");
                r.push(d);
                return None;
            }
            Some(t)
        })
    };
    let query = m
        .get("query")
        .map(|n| template_pairs(r, n, "'query'", names, place))
        .unwrap_or_default();
    let headers = m
        .get("headers")
        .map(|n| template_pairs(r, n, "request 'headers'", names, place))
        .unwrap_or_default();
    if let Some(n) = m.get("headers") {
        check_header_names(r, n);
    }
    let body = match (m.get("body"), m.get(raw_key)) {
        (Some(_), Some(raw)) => {
            let d = Diagnostic::error(
                r.loc(raw.pos),
                format!("'body' and '{raw_key}' cannot both be given"),
            )
            .with_hint(format!(
                "use 'body' for JSON written as YAML, '{raw_key}' for bytes sent as is"
            ));
            r.push(d);
            None
        }
        (Some(b), None) => r
            .template_value(b, "request 'body'", names, place)
            .map(|v| Some(Body::Json(v))),
        (None, Some(raw)) => r
            .template(raw, &format!("'{raw_key}'"), names, place)
            .map(|t| Some(Body::Raw(t))),
        (None, None) => Some(None),
    };
    let auth = match m.get("auth") {
        Some(n) => match r.choice(n, "auth mode", &AUTH_MODES, false) {
            Some("none") => Some(AuthMode::None),
            Some("invalid") => Some(AuthMode::Invalid),
            Some(_) => Some(AuthMode::Default),
            None => None,
        },
        None => Some(AuthMode::Default),
    };
    Some(Request {
        method: method?.to_owned(),
        path: path?,
        reference,
        query,
        headers,
        body: body?,
        auth: auth?,
        loc: r.loc(node.pos),
    })
}

fn template_pairs(
    r: &mut Reader,
    node: &Node,
    what: &str,
    names: &Names<'_>,
    place: Place,
) -> Vec<(String, Template)> {
    let Some(entries) = r.entries(node, what) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter_map(|e| {
            r.scalar_template(e.value, what, names, place)
                .map(|t| (e.key.to_owned(), t))
        })
        .collect()
}

/// HTTP header names are tokens (RFC 9110 5.1).
pub(super) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Header names must be tokens and, as HTTP compares them ignoring case, distinct.
fn check_header_names(r: &mut Reader, node: &Node) {
    let NodeKind::Map(pairs) = &node.kind else {
        return;
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (key, _) in pairs {
        let Some(name) = key.as_str() else {
            continue;
        };
        if !is_header_name(name) {
            r.error(key.pos, format!("invalid header name '{name}'"));
        } else if let Some(line) = seen.insert(name.to_ascii_lowercase(), key.pos.line) {
            r.error(
                key.pos,
                format!("header '{name}' is already set at line {line} (names ignore case)"),
            );
        }
    }
}
