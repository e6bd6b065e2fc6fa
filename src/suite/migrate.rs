//! `scimcheck migrate`: rewrites scenario files from format 1 to format 2.
//!
//! Each document is read into the position-keeping YAML tree, translated key by key and
//! written out again; a document that already says `format: 2` is left as it is. The
//! comment lines before and after each document (the file header above all) are kept;
//! a comment inside a document is dropped with a note saying where it was.

use std::path::{Path, PathBuf};

use crate::suite::template::{self, RawExpr, RawPart};
use crate::suite::yaml::{self, Node, NodeKind};
use crate::suite::{LoadOptions, files, load_source};

/// A file's text in format 2, and what could not be carried over.
#[derive(Debug)]
pub struct Migrated {
    pub text: String,
    /// Documents rewritten (documents already in format 2 are not counted).
    pub documents: usize,
    pub notes: Vec<String>,
}

/// Lines longer than this are written in block style.
const WIDTH: usize = 100;

/// Rewrites every format 1 document of `text` (named `name` in messages).
pub fn migrate_text(name: &str, text: &str) -> Result<Migrated, String> {
    let mut out = String::new();
    let mut documents = 0;
    let mut notes = Vec::new();
    let mut first_line = 1;
    for (index, chunk) in split_documents(text).into_iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let lines: Vec<&str> = chunk.lines().collect();
        let is_aside = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
        let lead = lines.iter().take_while(|l| is_aside(l)).count();
        let trail = lines[lead..]
            .iter()
            .rev()
            .take_while(|l| is_aside(l))
            .count();
        let body = &lines[lead..lines.len() - trail];
        let chunk_start = first_line;
        first_line += lines.len() + 1;
        if body.is_empty() {
            out.push_str(&chunk);
            continue;
        }
        let body_text = body.join("\n") + "\n";
        let docs = yaml::parse_documents(&body_text).map_err(|e| {
            let line = e
                .pos
                .map_or(0, |p| p.line as usize + chunk_start + lead - 1);
            format!("{name}:{line}: {}", e.message)
        })?;
        let [doc] = docs.as_slice() else {
            return Err(format!(
                "{name}:{}: expected one scenario document here",
                chunk_start + lead
            ));
        };
        for (offset, line) in body.iter().enumerate() {
            if has_comment(line) {
                notes.push(format!(
                    "{name}:{}: a comment inside a scenario is not kept",
                    chunk_start + lead + offset
                ));
            }
        }
        for line in &lines[..lead] {
            out.push_str(line);
            out.push('\n');
        }
        if crate::suite::scenario::field(doc, "format").is_some() {
            out.push_str(&body_text);
        } else {
            let converted = scenario(doc).map_err(|e| {
                format!(
                    "{name}:{}: {e}",
                    doc.pos.line as usize + chunk_start + lead - 1
                )
            })?;
            emit_document(&converted, &mut out);
            documents += 1;
        }
        for line in &lines[lines.len() - trail..] {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(Migrated {
        text: out,
        documents,
        notes,
    })
}

/// The text between `---` lines, each chunk with its line breaks.
fn split_documents(text: &str) -> Vec<String> {
    let mut chunks = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            chunks.push(String::new());
        } else if let Some(last) = chunks.last_mut() {
            last.push_str(line);
        }
    }
    chunks
}

/// A `#` that starts a comment: at the line start or after a space, outside quotes.
fn has_comment(line: &str) -> bool {
    let mut quote = None;
    let mut previous = ' ';
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return true,
            _ => {}
        }
        previous = c;
    }
    false
}

/// A YAML value to write: strings are quoted when written, by where they stand.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    /// Written as is (numbers, booleans, null).
    Raw(String),
    Str(String),
    Seq(Vec<Out>),
    Map(Vec<(String, Out)>),
}

fn word(s: &str) -> Out {
    Out::Str(s.to_owned())
}

/// A value copied unchanged but for the step references in its templates.
fn value(node: &Node) -> Out {
    match &node.kind {
        NodeKind::Null => Out::Raw("null".into()),
        NodeKind::Bool(b) => Out::Raw(b.to_string()),
        NodeKind::Int(i) => Out::Raw(i.to_string()),
        NodeKind::UInt(u) => Out::Raw(u.to_string()),
        NodeKind::Float(f) => Out::Raw(float(*f)),
        NodeKind::Str(s) => Out::Str(templates(s)),
        NodeKind::Seq(items) => Out::Seq(items.iter().map(value).collect()),
        NodeKind::Map(pairs) => Out::Map(pairs.iter().map(|(k, v)| (key(k), value(v))).collect()),
    }
}

fn float(f: f64) -> String {
    let text = f.to_string();
    if text.contains(['.', 'e', 'E']) || !f.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

fn key(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(s) => s.clone(),
        _ => match value(node) {
            Out::Raw(text) => text,
            _ => String::new(),
        },
    }
}

fn entries(node: &Node) -> Option<&[(Node, Node)]> {
    match &node.kind {
        NodeKind::Map(pairs) => Some(pairs),
        _ => None,
    }
}

/// Step references in a template rewritten to `{{ NAME: QUERY }}`; everything else kept
/// as written.
fn templates(text: &str) -> String {
    let mut out = String::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let open = rest + found;
        let Some(close) = template::find_close(text, open + 2) else {
            break;
        };
        out.push_str(&text[rest..open]);
        let hole = &text[open..close + 2];
        match template::parse_expr(text[open + 2..close].trim()) {
            Ok(RawExpr::StepRef { step, side, part }) => {
                let side = match side {
                    crate::suite::model::ExchangeSide::Request => "request ",
                    crate::suite::model::ExchangeSide::Response => "",
                };
                let query = match part {
                    RawPart::Body(path) if path.is_empty() => "body".to_owned(),
                    RawPart::Body(path) => format!("body {path}"),
                    RawPart::Header(name) => format!("header {name}"),
                    RawPart::Status => "status".to_owned(),
                };
                out.push_str(&format!("{{{{ {step}: {side}{query} }}}}"));
            }
            _ => out.push_str(hole),
        }
        rest = close + 2;
    }
    out.push_str(&text[rest..]);
    out
}

fn scenario(doc: &Node) -> Result<Out, String> {
    let Some(pairs) = entries(doc) else {
        return Err("a scenario is a mapping".into());
    };
    let mut out = vec![("format".to_owned(), Out::Raw("2".into()))];
    for (k, v) in pairs {
        let converted = match (k.as_str(), &v.kind) {
            (Some("steps"), NodeKind::Seq(steps)) => Out::Seq(
                steps
                    .iter()
                    .map(|s| step(s).map(use_fixture))
                    .collect::<Result<_, _>>()?,
            ),
            _ => value(v),
        };
        out.push((key(k), converted));
    }
    Ok(Out::Map(out))
}

fn step(node: &Node) -> Result<Out, String> {
    let Some(pairs) = entries(node) else {
        return Ok(value(node));
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        let converted = match k.as_str() {
            Some("request") => request(v),
            Some("expect") => expect(v)?,
            Some("capture") => capture(v),
            _ => value(v),
        };
        out.push((key(k), converted));
    }
    Ok(Out::Map(out))
}

/// A step that sends a built-in fixture's request, perhaps with more body attributes,
/// and checks at least what the fixture checks, written as `uses:` that fixture.
fn use_fixture(step: Out) -> Out {
    let Out::Map(pairs) = &step else {
        return step;
    };
    let known = ["name", "request", "expect", "capture", "cleanup", "setup"];
    if pairs.iter().any(|(k, _)| !known.contains(&k.as_str())) {
        return step;
    }
    let (fixtures, _) = crate::suite::fixture::builtin_fixtures();
    for name in fixtures.names() {
        let Some(fixture) = fixtures.get(name) else {
            continue;
        };
        if let Some(used) = as_use(pairs, name, fixture) {
            return used;
        }
    }
    step
}

fn get<'o>(pairs: &'o [(String, Out)], key: &str) -> Option<&'o Out> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn as_use(
    step: &[(String, Out)],
    name: &str,
    fixture: &crate::suite::fixture::Fixture,
) -> Option<Out> {
    let Out::Map(fixture_pairs) = value(&fixture.node) else {
        return None;
    };
    let (Some(Out::Map(request)), Some(Out::Map(wanted))) =
        (get(step, "request"), get(&fixture_pairs, "request"))
    else {
        return None;
    };
    let same_keys =
        request.len() == wanted.len() && wanted.iter().all(|(k, _)| get(request, k).is_some());
    let same_line = |key: &str| get(request, key) == get(wanted, key);
    if !same_keys || !same_line("method") || !same_line("path") {
        return None;
    }
    // The fixture's attributes come first, in its order; a changed value and what
    // follows are `with:`, which sets them back in the same places.
    let (Some(Out::Map(body)), Some(Out::Map(fixture_body))) =
        (get(request, "body"), get(wanted, "body"))
    else {
        return None;
    };
    let same_order = body.len() >= fixture_body.len()
        && body.iter().zip(fixture_body).all(|((k, _), (f, _))| k == f);
    if !same_order {
        return None;
    }
    let with: Vec<(String, Out)> = body
        .iter()
        .enumerate()
        .filter(|(i, pair)| fixture_body.get(*i) != Some(*pair))
        .map(|(_, pair)| pair.clone())
        .collect();
    let empty = Vec::new();
    let expect = match get(step, "expect") {
        Some(Out::Map(e)) => e,
        None => &empty,
        Some(_) => return None,
    };
    let fixture_expect = match get(&fixture_pairs, "expect") {
        Some(Out::Map(e)) => e.clone(),
        _ => Vec::new(),
    };
    if !fixture_expect
        .iter()
        .all(|(k, v)| get(expect, k) == Some(v))
    {
        return None;
    }
    let extra_expect: Vec<(String, Out)> = expect
        .iter()
        .filter(|(k, _)| get(&fixture_expect, k).is_none())
        .cloned()
        .collect();
    let flag = |pairs: &[(String, Out)], key: &str, default: bool| match get(pairs, key) {
        Some(Out::Raw(t)) => t == "true",
        _ => default,
    };
    let mut out = vec![("uses".to_owned(), word(name))];
    if let Some(own) = get(step, "name")
        && *own != word(fixture.step_name())
    {
        out.push(("name".into(), own.clone()));
    }
    for (key, default) in [("setup", false), ("cleanup", true)] {
        let own = flag(step, key, default);
        if own != flag(&fixture_pairs, key, default) {
            out.push((key.into(), Out::Raw(own.to_string())));
        }
    }
    if !with.is_empty() {
        out.push(("with".into(), Out::Map(with)));
    }
    if !extra_expect.is_empty() {
        out.push(("expect".into(), Out::Map(extra_expect)));
    }
    if let Some(capture) = get(step, "capture") {
        out.push(("capture".into(), capture.clone()));
    }
    Some(Out::Map(out))
}

fn request(node: &Node) -> Out {
    let Some(pairs) = entries(node) else {
        return value(node);
    };
    Out::Map(
        pairs
            .iter()
            .map(|(k, v)| {
                let name = match k.as_str() {
                    Some("raw_body") => "raw-body".to_owned(),
                    _ => key(k),
                };
                (name, value(v))
            })
            .collect(),
    )
}

/// `headers:` and `body:` mappings become `header NAME` and `body PATH` keys.
fn expect(node: &Node) -> Result<Out, String> {
    let Some(pairs) = entries(node) else {
        return Ok(value(node));
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        match (k.as_str(), entries(v)) {
            (Some("headers"), Some(checks)) => {
                for (name, m) in checks {
                    out.push((format!("header {}", key(name)), matcher(m)?));
                }
            }
            (Some("body"), Some(checks)) => {
                for (path, m) in checks {
                    out.push((format!("body {}", key(path)), matcher(m)?));
                }
            }
            _ => out.push((key(k), value(v))),
        }
    }
    Ok(Out::Map(out))
}

fn capture(node: &Node) -> Out {
    let Some(pairs) = entries(node) else {
        return value(node);
    };
    let source = |v: &Node| match v.as_str() {
        Some(s) if s.starts_with("body.") => word(&format!("body {}", &s["body.".len()..])),
        Some(s) if s.starts_with("headers.") => word(&format!("header {}", &s["headers.".len()..])),
        _ => value(v),
    };
    Out::Map(pairs.iter().map(|(k, v)| (key(k), source(v))).collect())
}

/// One spelling per check: `absent` and `present: false` become `not: present`,
/// `not_equals: X` becomes `not: X`, operator names become kebab-case.
fn matcher(node: &Node) -> Result<Out, String> {
    let pairs = match &node.kind {
        NodeKind::Str(s) if s == "absent" => {
            return Ok(Out::Map(vec![("not".into(), word("present"))]));
        }
        NodeKind::Map(pairs) => pairs,
        _ => return Ok(value(node)),
    };
    let present = ("present".to_owned(), Out::Raw("true".into()));
    let not_present = ("not".to_owned(), word("present"));
    let mut out: Vec<(String, Out)> = Vec::new();
    let mut not_equals = false;
    for (k, v) in pairs {
        let op = k.as_str().unwrap_or_default();
        let flag = match v.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        };
        out.push(match (op, flag) {
            ("present", Some(true)) | ("absent", Some(false)) => present.clone(),
            ("present", Some(false)) | ("absent", Some(true)) => not_present.clone(),
            ("not_equals", _) => {
                not_equals = true;
                ("not".into(), value(v))
            }
            ("equals_ignore_case", _) => ("equals-ignore-case".into(), value(v)),
            ("one_of", _) => ("one-of".into(), value(v)),
            ("every" | "not", _) => (op.to_owned(), matcher(v)?),
            _ => (key(k), value(v)),
        });
    }
    if out.iter().filter(|(k, _)| k == "not").count() > 1 {
        return Err(format!(
            "line {}: this matcher negates twice (`not` and `not_equals`/`absent`); \
             write it by hand as two checks",
            node.pos.line
        ));
    }
    // `not_equals` failed on a missing value where `not` passes: keep that demand.
    if not_equals && out.len() == 1 {
        out.insert(0, present);
    }
    Ok(match out.as_slice() {
        [(k, Out::Raw(t))] if k == "present" && t == "true" => word("present"),
        [(k, v)] if k == "equals" && !is_word_or_map(v) => v.clone(),
        _ => Out::Map(out),
    })
}

/// Values that `equals:` must keep: a mapping, or a word that is a check of its own.
fn is_word_or_map(v: &Out) -> bool {
    match v {
        Out::Map(_) => true,
        Out::Str(s) => ["present", "absent", "scim-json"].contains(&s.as_str()),
        _ => false,
    }
}

fn emit_document(doc: &Out, out: &mut String) {
    match doc {
        Out::Map(pairs) => emit_map(pairs, 0, 0, out),
        other => {
            out.push_str(&flow(other));
            out.push('\n');
        }
    }
}

/// Block mapping entries at `indent`; `depth` counts the levels above (the document is
/// 0, a step 2), and the document, its steps and each step stay in block style.
fn emit_map(pairs: &[(String, Out)], indent: usize, depth: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in pairs {
        let k = scalar(k, false);
        emit_entry(&format!("{pad}{k}:"), v, indent, depth, out);
    }
}

fn emit_entry(head: &str, v: &Out, indent: usize, depth: usize, out: &mut String) {
    let inline = |v: &Out| format!("{head} {}\n", block_scalar_or_flow(v));
    match v {
        Out::Raw(_) | Out::Str(_) => out.push_str(&inline(v)),
        Out::Map(pairs) if pairs.is_empty() => out.push_str(&inline(v)),
        Out::Seq(items) if items.is_empty() => out.push_str(&inline(v)),
        _ if !(depth == 0 && head == "steps:")
            && head.len() + 1 + flow(v).len() <= WIDTH
            && flow_depth(v) <= 2 =>
        {
            out.push_str(&inline(v))
        }
        Out::Map(pairs) => {
            out.push_str(head);
            out.push('\n');
            emit_map(pairs, indent + 2, depth + 1, out);
        }
        Out::Seq(items) => {
            out.push_str(head);
            out.push('\n');
            let pad = " ".repeat(indent + 2);
            for item in items {
                match item {
                    Out::Map(pairs) if !pairs.is_empty() => {
                        let fits = (depth >= 1 || get(pairs, "uses").is_some())
                            && indent + 4 + flow(item).len() <= WIDTH
                            && flow_depth(item) <= 2;
                        if fits {
                            out.push_str(&format!("{pad}- {}\n", flow(item)));
                        } else {
                            let mut block = String::new();
                            emit_map(pairs, indent + 4, depth + 2, &mut block);
                            out.push_str(&format!("{pad}- {}", &block[indent + 4..]));
                        }
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", block_scalar_or_flow(item))),
                }
            }
        }
    }
}

/// A string outside any flow collection may hold `,`, `[` and the like unquoted.
fn block_scalar_or_flow(v: &Out) -> String {
    match v {
        Out::Str(s) => scalar(s, false),
        other => flow(other),
    }
}

fn flow_depth(v: &Out) -> usize {
    match v {
        Out::Map(pairs) => 1 + pairs.iter().map(|(_, v)| flow_depth(v)).max().unwrap_or(0),
        Out::Seq(items) => 1 + items.iter().map(flow_depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn flow(v: &Out) -> String {
    match v {
        Out::Raw(text) => text.clone(),
        Out::Str(s) => scalar(s, true),
        Out::Seq(items) => {
            let inner: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", inner.join(", "))
        }
        Out::Map(pairs) if pairs.is_empty() => "{}".into(),
        Out::Map(pairs) => {
            let inner: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k, true), flow(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

/// A string as a YAML scalar: plain when that reads back as the same string, else
/// single-quoted when it holds double quotes, else double-quoted.
fn scalar(s: &str, in_flow: bool) -> String {
    if is_plain(s, in_flow) {
        return s.to_owned();
    }
    if s.contains('"') && !s.contains('\'') && !s.chars().any(char::is_control) {
        return format!("'{s}'");
    }
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn is_plain(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let special = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ".inf", "-.inf", ".nan",
    ];
    (first.is_alphabetic() || matches!(first, '/' | '_' | '.' | '('))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains("{{")
        && !s.contains(" #")
        && !s.chars().any(char::is_control)
        && !(in_flow && s.contains([',', '[', ']', '{', '}']))
        && !special.contains(&s.to_ascii_lowercase().as_str())
        && s.parse::<f64>().is_err()
}

/// What `scimcheck migrate` does with each path: rewrite it in place, or print it.
pub fn run(paths: &[PathBuf], to_stdout: bool) -> i32 {
    let mut failed = false;
    for file in files_of(paths, &mut failed) {
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: {name}: cannot read: {e}");
                failed = true;
                continue;
            }
        };
        let migrated = match migrate_text(&name, &text) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        for note in &migrated.notes {
            eprintln!("note: {note}");
        }
        // A translation the loader refuses is a bug here, not in the file: keep the file.
        let options = LoadOptions::default();
        if load_source(&name, &text, &options).is_ok()
            && let Err(errors) = load_source(&name, &migrated.text, &options)
        {
            eprintln!("error: {name}: the migrated text does not load; the file is left as it is");
            for d in &errors.0 {
                eprintln!("{}", d.render(false));
            }
            failed = true;
            continue;
        }
        if to_stdout {
            print!("{}", migrated.text);
        } else if migrated.documents == 0 {
            println!("{name}: already format 2");
        } else if let Err(e) = std::fs::write(&file, &migrated.text) {
            eprintln!("error: {name}: cannot write: {e}");
            failed = true;
        } else {
            println!("{name}: {} scenario(s) migrated", migrated.documents);
        }
    }
    if failed {
        crate::exit::USAGE
    } else {
        crate::exit::SUCCESS
    }
}

/// The files named, and the scenario files under the folders named.
fn files_of(paths: &[PathBuf], failed: &mut bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = out.len();
            if let Err(e) = files::scenario_files(path, &mut out) {
                eprintln!("error: {}: cannot list folder: {e}", path.display());
                *failed = true;
            } else if out.len() == before {
                eprintln!(
                    "error: {}: no scenario files in this folder",
                    path.display()
                );
                *failed = true;
            }
        } else if Path::new(path).exists() {
            out.push(path.clone());
        } else {
            eprintln!("error: {}: no such file or directory", path.display());
            *failed = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrate(text: &str) -> String {
        migrate_text("t.yaml", text).expect("migrates").text
    }

    #[test]
    fn expect_headers_and_body_become_query_keys_and_captures_use_the_same_words() {
        let before = "# header\nid: a.b\ntitle: t\nsteps:\n  - name: create\n    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      headers: { ETag: present }\n      body: { totalResults: { equals_ignore_case: x }, title: absent, id: { not_equals: \"{{ steps.create.response.headers.etag }}\" } }\n    capture: { etag: headers.ETag, id: body.id }\n";
        let after = migrate(before);
        assert_eq!(
            after,
            "# header\nformat: 2\nid: a.b\ntitle: t\nsteps:\n  - name: create\n    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      header ETag: present\n      body totalResults: { equals-ignore-case: x }\n      body title: { not: present }\n      body id: { present: true, not: \"{{ create: header etag }}\" }\n    capture: { etag: header ETag, id: body id }\n"
        );
    }

    #[test]
    fn a_format_two_document_is_left_as_it_is_and_comments_between_documents_stay() {
        let text = "format: 2\nid: a\n---\n# about b\nid: b\ntitle: t\nsteps: [{ name: x, request: { method: GET, path: / }, expect: { status: 200 } }]\n";
        let migrated = migrate_text("t.yaml", text).expect("migrates");
        assert_eq!(migrated.documents, 1);
        assert!(
            migrated
                .text
                .starts_with("format: 2\nid: a\n---\n# about b\nformat: 2\nid: b\n")
        );
    }

    #[test]
    fn a_comment_inside_a_scenario_is_reported() {
        let text = "id: a\ntitle: t # why\nsteps: []\n";
        let migrated = migrate_text("t.yaml", text).expect("migrates");
        assert_eq!(
            migrated.notes,
            ["t.yaml:2: a comment inside a scenario is not kept"]
        );
    }

    #[test]
    fn strings_are_quoted_only_when_plain_text_would_read_differently() {
        assert_eq!(scalar("users", true), "users");
        assert_eq!(scalar("true", true), "\"true\"");
        assert_eq!(scalar("400", false), "\"400\"");
        assert_eq!(scalar("{{ user }}", false), "\"{{ user }}\"");
        assert_eq!(
            scalar(r#"body emails[type eq "work"].value"#, true),
            r#"'body emails[type eq "work"].value'"#
        );
        assert_eq!(
            scalar(r#"body emails[type eq "work"].value"#, false),
            r#"body emails[type eq "work"].value"#
        );
        assert_eq!(scalar("a: b", false), "\"a: b\"");
    }
}
