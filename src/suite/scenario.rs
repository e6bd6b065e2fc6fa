//! One YAML document read into a `model::Scenario`: keys, types and references checked,
//! every problem recorded with its position.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::suite::LoadOptions;
use crate::suite::body_path;
use crate::suite::matcher::matcher;
use crate::suite::model::{
    AuthMode, Body, BodyCheck, Capture, CaptureSource, Expectation, HeaderCheck, Located, Request,
    Scenario, Severity, StatusExpectation, Step,
};
use crate::suite::reader::Reader;
use crate::suite::scope::{Names, Place, StepInfo};
use crate::suite::template::{RESERVED_NAMES, is_name};
use crate::suite::yaml::{Node, NodeKind, Pos};

pub const SCENARIO_KEYS: [&str; 10] = [
    "id",
    "title",
    "requirement",
    "severity",
    "tags",
    "requires",
    "exclusive",
    "area",
    "vars",
    "steps",
];
pub const STEP_KEYS: [&str; 5] = ["name", "request", "expect", "capture", "cleanup"];
pub const REQUEST_KEYS: [&str; 7] = [
    "method", "path", "query", "headers", "body", "raw_body", "auth",
];
pub const EXPECT_KEYS: [&str; 4] = ["status", "headers", "schema", "body"];

/// Capability names a scenario can require; discovery decides which the target has.
pub const CAPABILITIES: [&str; 11] = [
    "users",
    "groups",
    "patch",
    "bulk",
    "filter",
    "sort",
    "etag",
    "change-password",
    "enterprise-user",
    "auth",
    "search",
];
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const SEVERITIES: [&str; 3] = ["must", "should", "may"];
const AUTH_MODES: [&str; 3] = ["default", "none", "invalid"];

/// Reads one scenario document, returning it with the position of its id; `None` when
/// it has errors (all recorded in `r`).
pub fn scenario(r: &mut Reader, doc: &Node, options: &LoadOptions) -> Option<(Scenario, Pos)> {
    let errors_before = r.diags.iter().filter(|d| d.is_error()).count();
    let m = r.mapping(doc, "scenario", &SCENARIO_KEYS)?;

    let id_node = r.required(&m, "id");
    let id = id_node.and_then(|n| scenario_id(r, n));
    let title = r.required(&m, "title").and_then(|n| {
        let t = r.string(n, "'title'")?;
        if t.trim().is_empty() {
            r.error(n.pos, "'title' is empty");
        }
        Some(t.to_owned())
    });
    let requirement = m
        .get("requirement")
        .map(|n| requirement_ids(r, n))
        .unwrap_or_default();
    let severity = match m.get("severity") {
        Some(n) => match r.choice(n, "severity", &SEVERITIES, false) {
            Some("should") => Severity::Should,
            Some("may") => Severity::May,
            _ => Severity::Must,
        },
        None => Severity::Must,
    };
    let tags = m.get("tags").map(|n| tags(r, n)).unwrap_or_default();
    let requires = m
        .get("requires")
        .map(|n| capabilities(r, n))
        .unwrap_or_default();
    let exclusive = m
        .get("exclusive")
        .and_then(|n| r.bool(n, "'exclusive'"))
        .unwrap_or(false);
    let area = m.get("area").and_then(|n| {
        let a = r.string(n, "'area'")?;
        if !is_id_segment(a) {
            r.error(
                n.pos,
                format!("invalid area '{a}': expected lower-case letters, digits, '_' and '-'"),
            );
        }
        Some(a.to_owned())
    });

    let var_entries = m
        .get("vars")
        .and_then(|n| r.entries(n, "'vars'"))
        .unwrap_or_default();
    let mut var_names = Vec::new();
    for entry in &var_entries {
        if check_name(r, entry.key, entry.key_pos, "variable") {
            var_names.push(entry.key.to_owned());
        }
    }

    let step_nodes: &[Node] = match r.required(&m, "steps") {
        Some(n) => match &n.kind {
            NodeKind::Seq(items) if items.is_empty() => {
                r.error(
                    n.pos,
                    "'steps' is empty: a scenario needs at least one step",
                );
                &[]
            }
            NodeKind::Seq(items) => items,
            _ => {
                r.wrong_type(n, "a list of steps", "'steps'");
                &[]
            }
        },
        None => &[],
    };
    let names = Names::new(var_names, &options.known_vars, step_infos(step_nodes));

    let mut vars = Vec::with_capacity(var_entries.len());
    for entry in &var_entries {
        if let Some(v) = r.template_value(entry.value, "a variable", &names, Place::VarDefault) {
            vars.push((entry.key.to_owned(), v));
        }
    }

    let mut steps = Vec::with_capacity(step_nodes.len());
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (index, node) in step_nodes.iter().enumerate() {
        if let Some(name_node) = field(node, "name")
            && let Some(name) = name_node.as_str()
        {
            if let Some(first_line) = seen.get(name) {
                let d = Diagnostic::error(
                    r.loc(name_node.pos),
                    format!("duplicate step name '{name}'"),
                )
                .with_label("step names must be unique in a scenario")
                .with_note(format!("first used at line {first_line}"));
                r.push(d);
            } else {
                seen.insert(name.to_owned(), name_node.pos.line);
            }
        }
        if let Some(step) = step(r, node, index, &names, options) {
            steps.push(step);
        }
    }
    warn_unused_captures(r, step_nodes, &names);

    let errors_after = r.diags.iter().filter(|d| d.is_error()).count();
    if errors_after > errors_before {
        return None;
    }
    let id = id?;
    let area = area.unwrap_or_else(|| id.split('.').next().unwrap_or_default().to_owned());
    let id_pos = id_node.map_or(doc.pos, |n| n.pos);
    let scenario = Scenario {
        id,
        title: title?,
        requirement,
        severity,
        tags,
        requires,
        exclusive,
        area,
        vars,
        steps,
        loc: r.loc(doc.pos),
    };
    Some((scenario, id_pos))
}

/// The value of `key` in a mapping node, without any checks.
fn field<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.kind {
        NodeKind::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Names and captures of all steps, gathered first so that a reference to a later step
/// can say so instead of "unknown".
fn step_infos(nodes: &[Node]) -> Vec<StepInfo> {
    nodes
        .iter()
        .map(|node| {
            let captures = match field(node, "capture").map(|c| &c.kind) {
                Some(NodeKind::Map(pairs)) => pairs
                    .iter()
                    .filter_map(|(k, _)| k.as_str())
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            StepInfo {
                name: field(node, "name")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                line: node.pos.line,
                captures,
            }
        })
        .collect()
}

fn scenario_id(r: &mut Reader, node: &Node) -> Option<String> {
    let id = r.string(node, "'id'")?;
    let valid = !id.is_empty()
        && id.split('.').all(is_id_segment)
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !valid {
        let d = Diagnostic::error(r.loc(node.pos), format!("invalid scenario id '{id}'"))
            .with_label("not a valid id")
            .with_hint(
                "an id is dot-separated segments of lower-case letters, digits, '_' and '-', \
                 e.g. users.create.basic",
            );
        r.push(d);
        return None;
    }
    Some(id.to_owned())
}

fn is_id_segment(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `RFC7644-3.3`, `RFC7643-4.1.2`, `ACME-ROLES-1`: a prefix, a dash, then a section.
fn is_requirement_id(s: &str) -> bool {
    let Some((prefix, rest)) = s.split_once('-') else {
        return false;
    };
    prefix.starts_with(|c: char| c.is_ascii_alphabetic())
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        && rest.starts_with(|c: char| c.is_ascii_alphanumeric())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn requirement_ids(r: &mut Reader, node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for (id, pos) in r.string_list(node, "'requirement'", true) {
        if is_requirement_id(id) {
            out.push(id.to_owned());
        } else {
            let d = Diagnostic::error(r.loc(pos), format!("invalid requirement id '{id}'"))
                .with_hint("a requirement id looks like RFC7644-3.3 or RFC7643-4.1.2");
            r.push(d);
        }
    }
    out
}

fn tags(r: &mut Reader, node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, pos) in r.string_list(node, "'tags'", false) {
        if tag.is_empty() || tag.contains(|c: char| c.is_whitespace() || c == ',') {
            r.error(pos, format!("invalid tag '{tag}': no spaces or commas"));
        } else {
            out.push(tag.to_owned());
        }
    }
    out
}

fn capabilities(r: &mut Reader, node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for (cap, pos) in r.string_list(node, "'requires'", false) {
        if CAPABILITIES.contains(&cap) {
            out.push(cap.to_owned());
        } else {
            let d = Diagnostic::error(r.loc(pos), format!("unknown capability '{cap}'"))
                .with_label("not a capability")
                .with_suggestion(cap, CAPABILITIES);
            let d = if d.hint.is_none() {
                d.with_hint(format!("capabilities are: {}", CAPABILITIES.join(", ")))
            } else {
                d
            };
            r.push(d);
        }
    }
    out
}

/// Checks a variable or capture name; true when usable.
fn check_name(r: &mut Reader, name: &str, pos: Pos, what: &str) -> bool {
    if !is_name(name) {
        r.error(
            pos,
            format!("invalid {what} name '{name}': use letters, digits, '_' and '-'"),
        );
        false
    } else if RESERVED_NAMES.contains(&name) {
        r.error(
            pos,
            format!("'{name}' is reserved and cannot name a {what}"),
        );
        false
    } else {
        true
    }
}

fn step(
    r: &mut Reader,
    node: &Node,
    index: usize,
    names: &Names<'_>,
    options: &LoadOptions,
) -> Option<Step> {
    let m = r.mapping(node, "step", &STEP_KEYS)?;
    let name = r.required(&m, "name").and_then(|n| {
        let s = r.string(n, "step 'name'")?;
        if s.trim().is_empty() {
            r.error(n.pos, "step 'name' is empty");
            return None;
        }
        Some(s.to_owned())
    });
    let request = r
        .required(&m, "request")
        .and_then(|n| request(r, n, names, Place::Request(index)));
    let expect = m
        .get("expect")
        .and_then(|n| expectation(r, n, names, Place::Expect(index), options));
    let capture = m
        .get("capture")
        .map(|n| captures(r, n, names))
        .unwrap_or_default();
    let track_created = m
        .get("cleanup")
        .and_then(|n| r.bool(n, "'cleanup'"))
        .unwrap_or(true);
    if m.get("expect").is_none() || expect.as_ref().is_some_and(|e| e.status.is_none()) {
        let d = Diagnostic::warning(
            r.loc(node.pos),
            format!(
                "step '{}' does not check the response status",
                name.as_deref().unwrap_or("?")
            ),
        )
        .with_hint("add `expect: { status: ... }`");
        r.push(d);
    }
    Some(Step {
        name: name?,
        request: request?,
        expect: if m.get("expect").is_some() {
            expect?
        } else {
            Expectation::default()
        },
        capture,
        track_created,
        loc: r.loc(node.pos),
    })
}

fn request(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Request> {
    let m = r.mapping(node, "request", &REQUEST_KEYS)?;
    let method = r
        .required(&m, "method")
        .and_then(|n| r.choice(n, "HTTP method", &METHODS, true));
    let path = r.required(&m, "path").and_then(|n| {
        let t = r.template(n, "'path'", names, place)?;
        if !n.as_str().is_some_and(|s| s.starts_with('/')) {
            let d = Diagnostic::error(r.loc(n.pos), "'path' must start with '/'")
                .with_hint("the path is relative to the base URL, e.g. /Users");
            r.push(d);
            return None;
        }
        Some(t)
    });
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
    let body = match (m.get("body"), m.get("raw_body")) {
        (Some(_), Some(raw)) => {
            let d = Diagnostic::error(r.loc(raw.pos), "'body' and 'raw_body' cannot both be given")
                .with_hint("use 'body' for JSON written as YAML, 'raw_body' for bytes sent as is");
            r.push(d);
            None
        }
        (Some(b), None) => r
            .template_value(b, "request 'body'", names, place)
            .map(|v| Some(Body::Json(v))),
        (None, Some(raw)) => r
            .template(raw, "'raw_body'", names, place)
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
) -> Vec<(String, crate::suite::model::Template)> {
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
fn is_header_name(name: &str) -> bool {
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

fn expectation(
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
        if options.known_schemas.iter().any(|s| s == name) {
            return Some(Located {
                value: name.to_owned(),
                loc: r.loc(n.pos),
            });
        }
        let d = Diagnostic::error(r.loc(n.pos), format!("unknown schema '{name}'"))
            .with_label("no such schema")
            .with_suggestion(name, options.known_schemas.iter().map(String::as_str));
        let d = if d.hint.is_none() {
            d.with_hint(format!(
                "known schemas are: {}",
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
            let path_ok = body_path::check(r, e.key, e.key_pos, e.key, 0);
            if let Some(matcher) = matcher(r, e.value, names, place)
                && path_ok
            {
                body.push(BodyCheck {
                    path: e.key.to_owned(),
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

fn captures(r: &mut Reader, node: &Node, names: &Names<'_>) -> Vec<Capture> {
    let Some(entries) = r.entries(node, "'capture'") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries {
        if !check_name(r, e.key, e.key_pos, "capture") {
            continue;
        }
        if names.scenario_vars.iter().any(|v| v == e.key) {
            r.error(
                e.key_pos,
                format!("capture '{}' has the name of a scenario variable", e.key),
            );
            continue;
        }
        let Some(source_text) = r.string(e.value, "a capture source") else {
            continue;
        };
        let source = if source_text == "status" {
            Some(CaptureSource::Status)
        } else if source_text == "body" {
            Some(CaptureSource::Body(String::new()))
        } else if let Some(path) = source_text.strip_prefix("body.") {
            body_path::check(r, path, e.value.pos, source_text, "body.".len())
                .then(|| CaptureSource::Body(path.to_owned()))
        } else if let Some(header) = source_text.strip_prefix("headers.")
            && is_header_name(header)
        {
            Some(CaptureSource::Header(header.to_ascii_lowercase()))
        } else {
            let d = Diagnostic::error(
                r.loc(e.value.pos),
                format!("invalid capture source '{source_text}'"),
            )
            .with_hint("a capture takes `body.PATH`, `headers.NAME` or `status`");
            r.push(d);
            None
        };
        if let Some(source) = source {
            out.push(Capture {
                name: e.key.to_owned(),
                source,
                loc: r.loc(e.key_pos),
            });
        }
    }
    out
}

fn warn_unused_captures(r: &mut Reader, step_nodes: &[Node], names: &Names<'_>) {
    for node in step_nodes {
        let Some(NodeKind::Map(entries)) = field(node, "capture").map(|c| &c.kind) else {
            continue;
        };
        for (key, _) in entries {
            if let Some(name) = key.as_str()
                && !names.capture_used(name)
            {
                let d = Diagnostic::warning(
                    r.loc(key.pos),
                    format!("capture '{name}' is never used by a later step"),
                );
                r.push(d);
            }
        }
    }
}
