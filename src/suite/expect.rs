//! The `expect` of a step read into a `model::Expectation`: status, header and body
//! matchers, schema name (a built-in one, or `declared:<ResourceType>`, which only the
//! target can resolve).

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::suite::LoadOptions;
use crate::suite::body_path;
use crate::suite::matcher::matcher;
use crate::suite::model::{
    BodyCheck, DECLARED_PREFIX, Expectation, HeaderCheck, StatusExpectation, declared_resource_type,
};
use crate::suite::reader::Reader;
use crate::suite::request::is_header_name;
use crate::suite::scope::{Names, Place};
use crate::suite::yaml::{Node, NodeKind};
use crate::vocabulary::Located;

pub const EXPECT_KEYS: [&str; 4] = ["status", "headers", "schema", "body"];

pub fn expectation(
    r: &mut Reader,
    node: &Node,
    names: &Names<'_>,
    place: Place,
    options: &LoadOptions,
) -> Option<Expectation> {
    let errors_before = r.diags.len();
    let m = r.mapping(node, "expect", &EXPECT_KEYS)?;
    let status = m.get("status").and_then(|n| status(r, n));
    let mut headers = Vec::new();
    if let Some(n) = m.get("headers")
        && let Some(entries) = r.entries(n, "expect 'headers'")
    {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for e in entries {
            let lower = e.key.to_ascii_lowercase();
            if !is_header_name(e.key) {
                r.error(e.key_pos, format!("invalid header name '{}'", e.key));
                continue;
            }
            if let Some(line) = seen.get(&lower) {
                r.error(
                    e.key_pos,
                    format!(
                        "header '{lower}' is already checked at line {line} (names ignore case)"
                    ),
                );
                continue;
            }
            seen.insert(lower.clone(), e.key_pos.line);
            if let Some(matcher) = matcher(r, e.value, names, place) {
                headers.push(HeaderCheck {
                    name: lower,
                    matcher,
                    loc: r.loc(e.key_pos),
                });
            }
        }
    }
    let schema = m.get("schema").and_then(|n| {
        let name = r.string(n, "'schema'")?;
        if options.known_schemas.iter().any(|s| s == name) || declared_resource_type(name).is_some()
        {
            return Some(Located {
                value: name.to_owned(),
                loc: r.loc(n.pos),
            });
        }
        if name.starts_with(DECLARED_PREFIX) {
            r.push(
                Diagnostic::error(r.loc(n.pos), format!("'{name}' names no resource type"))
                    .with_label("a resource type name without spaces is needed")
                    .with_hint(
                        "declared:<ResourceType> (e.g. declared:User) checks the body against \
                         what the target declares for that resource type in /Schemas",
                    ),
            );
            return None;
        }
        let d = Diagnostic::error(r.loc(n.pos), format!("unknown schema '{name}'"))
            .with_label("no such schema")
            .with_suggestion(name, options.known_schemas.iter().map(String::as_str));
        let d = if d.hint.is_none() {
            d.with_hint(format!(
                "known schemas are: {}, and declared:<ResourceType> for what the target \
                 declares in /Schemas",
                options.known_schemas.join(", ")
            ))
        } else {
            d
        };
        r.push(d);
        None
    });
    let mut body = Vec::new();
    if let Some(n) = m.get("body")
        && let Some(entries) = r.entries(n, "expect 'body'")
    {
        for e in entries {
            let path = body_path::parse(r, e.key, e.key_pos, e.key, 0);
            if let Some(matcher) = matcher(r, e.value, names, place)
                && let Some(path) = path
            {
                body.push(BodyCheck {
                    path,
                    matcher,
                    loc: r.loc(e.key_pos),
                });
            }
        }
    }
    if r.diags[errors_before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    Some(Expectation {
        status,
        headers,
        schema,
        body,
    })
}

fn status(r: &mut Reader, node: &Node) -> Option<StatusExpectation> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) if !items.is_empty() => items.iter().collect(),
        NodeKind::Seq(_) => {
            r.error(node.pos, "'status' list is empty");
            return None;
        }
        _ => vec![node],
    };
    let mut codes = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let code = match item.kind {
            NodeKind::Int(i) => u16::try_from(i).ok().filter(|c| (100..=599).contains(c)),
            _ => {
                r.wrong_type(item, "an HTTP status code (or a list of them)", "'status'");
                ok = false;
                continue;
            }
        };
        match code {
            Some(c) => codes.push(c),
            None => {
                let d = Diagnostic::error(r.loc(item.pos), "status code out of range")
                    .with_label("expected 100..=599");
                r.push(d);
                ok = false;
            }
        }
    }
    ok.then(|| StatusExpectation {
        any_of: codes,
        loc: r.loc(node.pos),
    })
}
