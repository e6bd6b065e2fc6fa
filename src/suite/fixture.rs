//! Named, reusable steps (format 2): a fixtures file (`fixtures.yaml` or
//! `NAME.fixtures.yaml`) states each fixture once, and a step says `uses: create-user`.
//! The fixture's request and expectations are read in the using scenario's scope, so a
//! step that uses a fixture becomes an ordinary `model::Step` and is sent, checked and
//! recorded for cleanup like any other.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::diag::Diagnostic;
use crate::suite::builtin;
use crate::suite::model::{Body, Expectation, TemplateValue};
use crate::suite::reader::{Format, Reader};
use crate::suite::template::is_name;
use crate::suite::yaml::{self, Node, NodeKind};
use crate::vocabulary::SourceFile;

/// The keys of a fixture: a step without `capture` (what a scenario remembers is named
/// in the scenario, where its later steps use it).
pub const FIXTURE_KEYS: [&str; 6] = ["name", "setup", "cleanup", "shared", "request", "expect"];

/// The keys of a fixtures file.
pub const FIXTURES_FILE_KEYS: [&str; 2] = ["format", "fixtures"];

/// True for a file that holds fixtures, not scenarios.
pub fn is_fixtures_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "fixtures.yaml" || n.ends_with(".fixtures.yaml"))
}

/// One fixture as written: its mapping, kept as YAML so each use reads it in the using
/// scenario's scope, and the file it is written in.
#[derive(Debug)]
pub struct Fixture {
    pub name: String,
    pub file: Arc<SourceFile>,
    pub node: Node,
    pub line: u32,
}

impl Fixture {
    pub fn field(&self, key: &str) -> Option<&Node> {
        crate::suite::scenario::field(&self.node, key)
    }

    /// The step name a use gets unless it names itself.
    pub fn step_name(&self) -> &str {
        self.field("name")
            .and_then(Node::as_str)
            .unwrap_or(&self.name)
    }

    /// A fixture marked `shared: true`: created once per run, on first use, and read
    /// by every scenario that uses it.
    pub fn is_shared(&self) -> bool {
        self.field("shared")
            .is_some_and(|n| matches!(n.kind, NodeKind::Bool(true)))
    }

    fn is_builtin(&self) -> bool {
        self.file.name.starts_with(crate::suite::BUILTIN_PREFIX)
    }
}

/// The fixtures a scenario may use, by name.
#[derive(Debug, Default, Clone)]
pub struct Fixtures {
    by_name: BTreeMap<String, Arc<Fixture>>,
}

impl Fixtures {
    pub fn get(&self, name: &str) -> Option<&Arc<Fixture>> {
        self.by_name.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Reads one fixtures file into the set. A fixture of the user's own files may
    /// redefine a built-in one (for the user's scenarios only; built-in scenarios use the
    /// built-in set); two definitions in the user's files are an error.
    pub fn add_file(&mut self, name: &str, text: &str, diags: &mut Vec<Diagnostic>) {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
        });
        let mut r = Reader::new(Arc::clone(&file));
        r.format = Format::Two;
        let docs = match yaml::parse_documents(text) {
            Ok(docs) => docs,
            Err(e) => {
                let pos = e.pos.unwrap_or(yaml::Pos {
                    line: 0,
                    col: 0,
                    byte: None,
                });
                r.error(pos, e.message);
                diags.append(&mut r.diags);
                return;
            }
        };
        for doc in &docs {
            let Some(m) = r.mapping(doc, "fixtures file", &FIXTURES_FILE_KEYS) else {
                continue;
            };
            match m.get("format").map(|n| &n.kind) {
                Some(NodeKind::Int(2)) => {}
                _ => {
                    let d = Diagnostic::error(r.loc(doc.pos), "a fixtures file is format 2")
                        .with_hint("start the document with `format: 2`");
                    r.push(d);
                }
            }
            let Some(list) = r.required(&m, "fixtures") else {
                continue;
            };
            let Some(entries) = r.entries(list, "'fixtures'") else {
                continue;
            };
            for e in entries {
                if !is_name(e.key) {
                    r.error(
                        e.key_pos,
                        format!(
                            "invalid fixture name '{}': use letters, digits, '_' and '-'",
                            e.key
                        ),
                    );
                    continue;
                }
                let Some(fm) = r.mapping(e.value, "fixture", &FIXTURE_KEYS) else {
                    continue;
                };
                if let Some(n) = fm.get("name")
                    && !n.as_str().is_some_and(is_name)
                {
                    r.wrong_type(n, "a step name of letters, digits, '_' and '-'", "'name'");
                }
                for key in ["setup", "cleanup", "shared"] {
                    if let Some(n) = fm.get(key) {
                        r.bool(n, &format!("'{key}'"));
                    }
                }
                r.required(&fm, "request");
                if let (Some(shared), Some(cleanup)) = (fm.get("shared"), fm.get("cleanup"))
                    && matches!(shared.kind, NodeKind::Bool(true))
                {
                    r.error(
                        cleanup.pos,
                        "a shared fixture is always deleted at the end of the run: drop 'cleanup'",
                    );
                }
                let fixture = Arc::new(Fixture {
                    name: e.key.to_owned(),
                    file: Arc::clone(&file),
                    node: e.value.clone(),
                    line: e.key_pos.line,
                });
                match self.by_name.get(e.key) {
                    Some(earlier) if !earlier.is_builtin() => {
                        let d = Diagnostic::error(
                            r.loc(e.key_pos),
                            format!("duplicate fixture '{}'", e.key),
                        )
                        .with_label("already defined")
                        .with_note(format!(
                            "first defined at {}:{}",
                            earlier.file.name, earlier.line
                        ));
                        r.push(d);
                    }
                    _ => {
                        self.by_name.insert(e.key.to_owned(), fixture);
                    }
                }
            }
        }
        diags.append(&mut r.diags);
    }
}

/// The fixtures of the built-in suites, read once, and their findings.
pub fn builtin_fixtures() -> &'static (Fixtures, Vec<Diagnostic>) {
    static BUILTIN: OnceLock<(Fixtures, Vec<Diagnostic>)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut fixtures = Fixtures::default();
        let mut diags = Vec::new();
        for suite in builtin::SUITE_NAMES {
            for (name, bytes) in builtin::fixture_files(suite) {
                match std::str::from_utf8(bytes) {
                    Ok(text) => fixtures.add_file(&name, text, &mut diags),
                    Err(_) => diags.push(crate::suite::whole_file_error(
                        &name,
                        "file is not UTF-8 text",
                    )),
                }
            }
        }
        (fixtures, diags)
    })
}

/// A fixture's expectations with the using step's on top: a status or schema the step
/// gives replaces the fixture's, and a header or body path the step checks replaces the
/// fixture's check of it.
pub fn merge_expectations(fixture: Expectation, step: Expectation) -> Expectation {
    let mut headers: Vec<_> = fixture
        .headers
        .into_iter()
        .filter(|h| !step.headers.iter().any(|s| s.name == h.name))
        .collect();
    headers.extend(step.headers);
    let mut body: Vec<_> = fixture
        .body
        .into_iter()
        .filter(|b| !step.body.iter().any(|s| s.path.text == b.path.text))
        .collect();
    body.extend(step.body);
    Expectation {
        status: step.status.or(fixture.status),
        headers,
        schema: step.schema.or(fixture.schema),
        body,
    }
}

/// The fixture's JSON body with the attributes of `with` set: an attribute the fixture
/// has keeps its place, a new one is added at the end.
pub fn apply_with(body: &mut Body, with: Vec<(String, TemplateValue)>) -> Result<(), &'static str> {
    let Body::Json(TemplateValue::Object(attributes)) = body else {
        return Err("`with` sets attributes of a JSON body, and this fixture sends none");
    };
    for (key, value) in with {
        match attributes.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => attributes.push((key, value)),
        }
    }
    Ok(())
}
