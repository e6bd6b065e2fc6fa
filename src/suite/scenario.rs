//! One YAML document read into a `model::Scenario`: the scenario's own keys and its
//! steps, every problem recorded with its position. Requests, expectations and captures
//! are read by their own modules.

use std::collections::HashMap;
use std::sync::Arc;

use crate::catalog::{self, BUILTIN_PATH, Catalog};
use crate::diag::Diagnostic;
use crate::suite::LoadOptions;
use crate::suite::capture::{captures, warn_unused_captures};
use crate::suite::expect::expectation;
use crate::suite::fixture::{Fixture, Fixtures, apply_with, merge_expectations};
use crate::suite::model::{Expectation, Request, Scenario, Step, TemplateValue};
use crate::suite::reader::{Format, Mapping, Reader};
use crate::suite::request::request;
use crate::suite::scope::{Names, Place, StepInfo};
use crate::suite::template::{RESERVED_NAMES, is_name};
use crate::suite::yaml::{Node, NodeKind, Pos};
use crate::vocabulary::{Capability, Located, Severity};

pub const SCENARIO_KEYS: [&str; 11] = [
    "format",
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
pub const STEP_KEYS: [&str; 6] = ["name", "request", "expect", "capture", "cleanup", "setup"];
/// Format 2 adds named, reusable setup: `uses: FIXTURE` and `with:` overrides.
pub const STEP_KEYS_2: [&str; 10] = [
    "name", "uses", "with", "wait", "request", "expect", "capture", "cleanup", "setup", "rereads",
];
/// The longest `wait:` a step may ask for, in seconds: enough for a server whose times
/// have whole seconds, short enough never to look like a hang.
const MAX_WAIT_SECONDS: u64 = 5;

pub(super) const SEVERITIES: [&str; 3] = ["must", "should", "may"];
/// Reads one scenario document, returning it with the position of its id; `None` when
/// it has errors (all recorded in `r`).
pub fn scenario(
    r: &mut Reader,
    doc: &Node,
    options: &LoadOptions,
    fixtures: &Fixtures,
) -> Option<(Scenario, Pos)> {
    let errors_before = r.diags.iter().filter(|d| d.is_error()).count();
    r.format = document_format(r, doc);
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
    let names = Names::new(
        var_names,
        &options.known_vars,
        step_infos(step_nodes, fixtures),
    );

    let mut vars = Vec::with_capacity(var_entries.len());
    for entry in &var_entries {
        if let Some(v) = r.template_value(entry.value, "a variable", &names, Place::VarDefault) {
            vars.push((entry.key.to_owned(), v));
        }
    }

    let mut steps = Vec::with_capacity(step_nodes.len());
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (index, node) in step_nodes.iter().enumerate() {
        if let Some(name_node) = field(node, "name").or_else(|| fixture_of(node, fixtures))
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
        if let Some(step) = step(r, node, index, &names, options, fixtures) {
            steps.push(step);
        }
    }
    warn_unused_captures(r, step_nodes, &names);
    check_setup_order(r, &steps);
    check_rereads(r, &steps);

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
pub(super) fn field<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.kind {
        NodeKind::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The format a document is written in: `format: 2`, else 1.
fn document_format(r: &mut Reader, doc: &Node) -> Format {
    match field(doc, "format").map(|n| (n, &n.kind)) {
        None | Some((_, NodeKind::Int(1))) => Format::One,
        Some((_, NodeKind::Int(2))) => Format::Two,
        Some((n, _)) => {
            let d = Diagnostic::error(r.loc(n.pos), "unknown scenario format")
                .with_label("expected 1 or 2")
                .with_hint("`format: 2` marks the current format; without it a file is format 1");
            r.push(d);
            Format::One
        }
    }
}

/// The `uses:` node of a step that uses a known fixture, standing in for the step's
/// name when it gives none.
fn fixture_of<'n>(node: &Node, fixtures: &'n Fixtures) -> Option<&'n Node> {
    let fixture = fixtures.get(field(node, "uses")?.as_str()?)?;
    fixture.field("name")
}

/// The name of a step: its own, or that of the fixture it uses.
fn step_name_of(node: &Node, fixtures: &Fixtures) -> String {
    if let Some(name) = field(node, "name").and_then(Node::as_str) {
        return name.to_owned();
    }
    field(node, "uses")
        .and_then(Node::as_str)
        .and_then(|u| fixtures.get(u))
        .map(|f| f.step_name().to_owned())
        .unwrap_or_default()
}

/// Names and captures of all steps, gathered first so that a reference to a later step
/// can say so instead of "unknown".
fn step_infos(nodes: &[Node], fixtures: &Fixtures) -> Vec<StepInfo> {
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
                name: step_name_of(node, fixtures),
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

/// When the built-in catalog cannot load (its own tests rule that out) nothing is
/// rejected.
fn in_catalog(id: &str) -> bool {
    Catalog::builtin().map_or(true, |c| c.contains(id))
}

fn requirement_ids(r: &mut Reader, node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for (id, pos) in r.string_list(node, "'requirement'", true) {
        if is_requirement_id(id) && catalog::is_statement_shaped(id) && !in_catalog(id) {
            let statements = Catalog::builtin()
                .map(|c| c.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())
                .unwrap_or_default();
            r.error_suggesting(
                pos,
                format!(
                    "requirement: unknown requirement '{id}': not a statement of the \
                     requirement catalog ({BUILTIN_PATH})"
                ),
                id,
                statements,
            );
        } else if is_requirement_id(id) {
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

fn capabilities(r: &mut Reader, node: &Node) -> Vec<Capability> {
    let mut out = Vec::new();
    for (cap, pos) in r.string_list(node, "'requires'", false) {
        if let Some(capability) = Capability::from_name(cap) {
            out.push(capability);
        } else {
            let names = Capability::names();
            let d = Diagnostic::error(r.loc(pos), format!("unknown capability '{cap}'"))
                .with_label("not a capability")
                .with_suggestion(cap, names);
            let d = if d.hint.is_none() {
                d.with_hint(format!("capabilities are: {}", names.join(", ")))
            } else {
                d
            };
            r.push(d);
        }
    }
    out
}

/// Checks a variable or capture name; true when usable.
pub(super) fn check_name(r: &mut Reader, name: &str, pos: Pos, what: &str) -> bool {
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

/// Setup steps prepare what the scenario is about, so they come first and something
/// comes after them.
fn check_setup_order(r: &mut Reader, steps: &[Step]) {
    if let Some(late) = steps.iter().skip_while(|s| s.setup).find(|s| s.setup) {
        r.push(
            Diagnostic::error(
                late.loc.clone(),
                format!(
                    "setup step '{}' follows a step that is not setup",
                    late.name
                ),
            )
            .with_hint("setup steps prepare the scenario: put them first"),
        );
    }
    if !steps.is_empty() && steps.iter().all(|s| s.setup) {
        r.push(
            Diagnostic::error(
                steps[0].loc.clone(),
                "every step is setup: nothing is left for the scenario to check",
            )
            .with_hint("mark only the steps that prepare the scenario as `setup: true`"),
        );
    }
}

/// `rereads: STEP` names an earlier PUT or PATCH, and the step is a plain GET whose
/// answer could be that write's answer: no query, body or header of its own to send, and
/// no header to check (headers are the GET's own).
fn check_rereads(r: &mut Reader, steps: &[Step]) {
    for (index, step) in steps.iter().enumerate() {
        let Some(rereads) = &step.rereads else {
            continue;
        };
        let write = steps[..index].iter().find(|s| s.name == rereads.value);
        let problem = match write {
            None if steps.iter().any(|s| s.name == rereads.value) => Some((
                format!(
                    "'rereads' names step '{}', which does not come before it",
                    rereads.value
                ),
                "name a PUT or PATCH step that comes before this one",
            )),
            None => Some((
                format!("'rereads' names no step: '{}'", rereads.value),
                "name an earlier PUT or PATCH step of this scenario",
            )),
            Some(write) if !matches!(write.request.method.as_str(), "PUT" | "PATCH") => Some((
                format!(
                    "'rereads' names step '{}', a {}: only a PUT or PATCH answers with the resource",
                    write.name, write.request.method
                ),
                "RFC 7644 3.5.1 and 3.5.2: a 200 answer to PUT or PATCH carries the whole resource",
            )),
            Some(_) if step.request.method != "GET" => Some((
                format!("'rereads' on a {}: only a GET reads back", step.request.method),
                "remove 'rereads', or make the step a GET of the written resource",
            )),
            Some(_)
                if !step.request.query.is_empty()
                    || !step.request.headers.is_empty()
                    || step.request.body.is_some() =>
            {
                Some((
                    "'rereads' on a GET with its own query, headers or body: the write's answer is not its answer".to_owned(),
                    "a step that rereads sends a plain GET of the written resource",
                ))
            }
            Some(_) if !step.expect.headers.is_empty() => Some((
                "'rereads' on a step that checks headers: headers belong to the GET's own answer".to_owned(),
                "remove 'rereads', or move the header checks to a step that is always sent",
            )),
            Some(_) => None,
        };
        if let Some((message, hint)) = problem {
            r.push(Diagnostic::error(rereads.loc.clone(), message).with_hint(hint));
        }
    }
}

fn step(
    r: &mut Reader,
    node: &Node,
    index: usize,
    names: &Names<'_>,
    options: &LoadOptions,
    fixtures: &Fixtures,
) -> Option<Step> {
    let keys: &[&str] = match r.format {
        Format::One => &STEP_KEYS,
        Format::Two => &STEP_KEYS_2,
    };
    let m = r.mapping(node, "step", keys)?;
    let uses = match m.get("uses") {
        Some(n) => Some(used_fixture(r, n, &m, fixtures)?),
        None => {
            if let Some(with) = m.get("with") {
                r.error(
                    with.pos,
                    "'with' sets attributes of a fixture's body: add `uses:`",
                );
            }
            None
        }
    };
    let name = match (m.get("name"), uses) {
        (Some(n), _) => r.string(n, "step 'name'").and_then(|s| {
            if s.trim().is_empty() {
                r.error(n.pos, "step 'name' is empty");
                return None;
            }
            Some(s.to_owned())
        }),
        (None, Some(fixture)) => Some(fixture.step_name().to_owned()),
        (None, None) => r.required(&m, "name").and(None),
    };
    let shared = uses.filter(|f| f.is_shared());
    if shared.is_some() {
        for key in ["with", "cleanup"] {
            if let Some(n) = m.get(key) {
                let d = Diagnostic::error(
                    r.loc(n.pos),
                    format!("'{key}' cannot change a shared fixture"),
                )
                .with_label("the fixture is created once and used as it is by every scenario")
                .with_hint("use a fixture that is not shared, or define another shared one");
                r.push(d);
            }
        }
    }
    let (request, fixture_expect) = match uses {
        Some(fixture) => {
            let (request, expect) = fixture_parts(r, fixture, index, names, options);
            let request = match (request, m.get("with")) {
                (Some(mut request), Some(with)) => {
                    apply_with_node(r, &mut request, with, names, index).then_some(request)
                }
                (request, _) => request,
            };
            (request, expect)
        }
        None => (
            r.required(&m, "request")
                .and_then(|n| request(r, n, names, Place::Request(index))),
            Some(Expectation::default()),
        ),
    };
    let own_expect = match m.get("expect") {
        Some(n) => expectation(r, n, names, Place::Expect(index), options),
        None => Some(Expectation::default()),
    };
    let expect = match (fixture_expect, own_expect) {
        (Some(f), Some(own)) => Some(merge_expectations(f, own)),
        _ => None,
    };
    let capture = m
        .get("capture")
        .map(|n| captures(r, n, names))
        .unwrap_or_default();
    let fixture_flag = |key: &str| {
        uses.and_then(|f| f.field(key)).and_then(|n| match n.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        })
    };
    let track_created = m
        .get("cleanup")
        .and_then(|n| r.bool(n, "'cleanup'"))
        .or_else(|| fixture_flag("cleanup"))
        .unwrap_or(true);
    let setup = m
        .get("setup")
        .and_then(|n| r.bool(n, "'setup'"))
        .or_else(|| fixture_flag("setup"))
        .unwrap_or(false);
    if expect.as_ref().is_some_and(|e| e.status.is_none()) {
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
    let wait = match m.get("wait") {
        Some(n) => Some(wait_seconds(r, n)?),
        None => None,
    };
    let rereads = match m.get("rereads") {
        Some(n) => Some(Located {
            value: r.string(n, "'rereads'")?.to_owned(),
            loc: r.loc(n.pos),
        }),
        None => None,
    };
    Some(Step {
        name: name?,
        wait,
        request: request?,
        expect: expect?,
        capture,
        track_created,
        setup,
        shared: shared.map(|f| f.name.clone()),
        rereads,
        loc: r.loc(node.pos),
    })
}

/// `wait: SECONDS` before the request: a whole number from 1 to MAX_WAIT_SECONDS.
fn wait_seconds(r: &mut Reader, node: &Node) -> Option<std::time::Duration> {
    match node.kind {
        NodeKind::UInt(seconds) if (1..=MAX_WAIT_SECONDS).contains(&seconds) => {
            Some(std::time::Duration::from_secs(seconds))
        }
        NodeKind::Int(seconds) if (1..=MAX_WAIT_SECONDS as i64).contains(&seconds) => {
            Some(std::time::Duration::from_secs(seconds.unsigned_abs()))
        }
        _ => {
            r.wrong_type(
                node,
                &format!("a whole number of seconds from 1 to {MAX_WAIT_SECONDS}"),
                "'wait'",
            );
            None
        }
    }
}

/// The fixture a `uses:` names; a step that uses one sends its request, not its own.
fn used_fixture<'f>(
    r: &mut Reader,
    node: &Node,
    step: &Mapping<'_>,
    fixtures: &'f Fixtures,
) -> Option<&'f Fixture> {
    let name = r.string(node, "'uses'")?;
    if let Some(request) = step.get("request") {
        let d = Diagnostic::error(
            r.loc(request.pos),
            "a step that uses a fixture sends the fixture's request",
        )
        .with_hint("set body attributes with `with:`, or write the step without `uses:`");
        r.push(d);
        return None;
    }
    match fixtures.get(name) {
        Some(fixture) => Some(fixture),
        None => {
            let d = Diagnostic::error(r.loc(node.pos), format!("unknown fixture '{name}'"))
                .with_label("no such fixture")
                .with_suggestion(name, fixtures.names());
            let d = if d.hint.is_none() {
                d.with_hint(format!(
                    "fixtures are defined in a fixtures.yaml file; known: {}",
                    fixtures.names().collect::<Vec<_>>().join(", ")
                ))
            } else {
                d
            };
            r.push(d);
            None
        }
    }
}

/// The fixture's request and expectations, read where they are written (its errors
/// point into the fixtures file) but in this scenario's scope.
fn fixture_parts(
    r: &mut Reader,
    fixture: &Fixture,
    index: usize,
    names: &Names<'_>,
    options: &LoadOptions,
) -> (Option<Request>, Option<Expectation>) {
    let file = std::mem::replace(&mut r.file, Arc::clone(&fixture.file));
    let format = std::mem::replace(&mut r.format, Format::Two);
    // A shared fixture is sent before any step of any scenario: its request can refer
    // to no step, only to generated values and run variables.
    let request_at = if fixture.is_shared() { 0 } else { index };
    let request = fixture
        .field("request")
        .and_then(|n| request(r, n, names, Place::Request(request_at)));
    let expect = match fixture.field("expect") {
        Some(n) => expectation(r, n, names, Place::Expect(index), options),
        None => Some(Expectation::default()),
    };
    r.file = file;
    r.format = format;
    (request, expect)
}

/// Sets the attributes of `with` in the fixture's request body; false with an error.
fn apply_with_node(
    r: &mut Reader,
    request: &mut Request,
    with: &Node,
    names: &Names<'_>,
    index: usize,
) -> bool {
    if !matches!(with.kind, NodeKind::Map(_)) {
        r.wrong_type(with, "a mapping of body attributes", "'with'");
        return false;
    }
    let Some(TemplateValue::Object(attributes)) =
        r.template_value(with, "'with'", names, Place::Request(index))
    else {
        return false;
    };
    let applied = match request.body.as_mut() {
        Some(body) => apply_with(body, attributes),
        None => Err("`with` sets attributes of a JSON body, and this fixture sends none"),
    };
    match applied {
        Ok(()) => true,
        Err(message) => {
            r.error(with.pos, message);
            false
        }
    }
}
