//! Scenario model, YAML loading with source locations, templates, built-in suites, lint.
//!
//! Loading reads each file into a position-keeping YAML tree (`yaml`), then reads that
//! tree into the model (`scenario`, `matcher`, `reader`), resolving every template hole
//! against what the scenario defines at that point (`scope`). All problems of all files
//! are reported together.

mod body_path;
pub mod builtin;
mod capture;
mod expect;
mod files;
mod matcher;
pub mod model;
pub(crate) mod reader;
mod request;
mod scenario;
mod scope;
mod source;
mod template;
pub(crate) mod yaml;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::vocabulary::{Loc, SourceFile};
use model::{Scenario, Suite};

pub use files::{PROFILE_SUFFIX, split_profiles, whole_file_error};
pub use request::METHODS;
pub use source::{BUILTIN_PREFIX, SuiteSource, resolve as resolve_sources};
pub use yaml::MAX_FILE_BYTES;

/// What the loader may assume beyond the files themselves.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Run-level variables (from `--var` and the config file) that `{{ vars.NAME }}` may
    /// use without the scenario declaring them.
    pub known_vars: Vec<String>,
    /// Names accepted by `expect.schema`; the built-in schemas by default.
    pub known_schemas: Vec<String>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            known_vars: Vec::new(),
            known_schemas: builtin::schema_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// A scenario with the place of its id, for the duplicate check across files.
struct Loaded {
    scenario: Arc<Scenario>,
    id_loc: Loc,
}

/// Reads one file's text: its scenarios and every finding (errors and warnings), the
/// findings sorted by position.
fn analyse(name: &str, text: &str, options: &LoadOptions) -> (Vec<Loaded>, Vec<Diagnostic>) {
    let file = Arc::new(SourceFile {
        name: name.to_owned(),
        text: text.to_owned(),
    });
    let mut r = reader::Reader::new(Arc::clone(&file));
    let docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => {
            let (line, col) = e.pos.map_or((0, 0), |p| (p.line, p.col));
            let loc = Loc { file, line, col };
            return (Vec::new(), vec![Diagnostic::error(loc, e.message)]);
        }
    };
    if docs.is_empty() {
        let loc = Loc {
            file,
            line: 0,
            col: 0,
        };
        return (
            Vec::new(),
            vec![Diagnostic::warning(loc, "no scenario in this file")],
        );
    }
    let mut loaded = Vec::new();
    for doc in &docs {
        if let Some((scenario, id_pos)) = scenario::scenario(&mut r, doc, options) {
            loaded.push(Loaded {
                scenario: Arc::new(scenario),
                id_loc: r.loc(id_pos),
            });
        }
    }
    let mut diags = r.diags;
    diags.sort_by_key(|d| (d.loc.line, d.loc.col));
    (loaded, diags)
}

/// Errors for ids used more than once, each naming the first place.
fn duplicate_ids(loaded: &[Loaded]) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &Loc> = HashMap::new();
    let mut out = Vec::new();
    let mut hinted = false;
    for l in loaded {
        match first.get(l.scenario.id.as_str()) {
            Some(earlier) => {
                let mut diagnostic = Diagnostic::error(
                    l.id_loc.clone(),
                    format!("duplicate scenario id '{}'", l.scenario.id),
                )
                .with_label("already used")
                .with_note(format!("first defined at {earlier}"));
                // Said once: a copy of a whole built-in suite repeats every id.
                if !hinted && is_builtin(earlier) && !is_builtin(&l.id_loc) {
                    hinted = true;
                    diagnostic = diagnostic.with_hint(
                        "--suite adds to the built-in suite; add --no-builtin to run only \
                         the files you name",
                    );
                }
                out.push(diagnostic);
            }
            None => {
                first.insert(&l.scenario.id, &l.id_loc);
            }
        }
    }
    out
}

fn is_builtin(loc: &Loc) -> bool {
    loc.file.name.starts_with(BUILTIN_PREFIX)
}

fn errors_only(diags: Vec<Diagnostic>) -> Diagnostics {
    Diagnostics(diags.into_iter().filter(Diagnostic::is_error).collect())
}

/// Loads the scenarios of one file's text; `name` is shown in diagnostics.
pub fn load_source(
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Vec<Arc<Scenario>>, Diagnostics> {
    let (loaded, mut diags) = analyse(name, text, options);
    diags.extend(duplicate_ids(&loaded));
    let errors = errors_only(diags);
    if errors.is_empty() {
        Ok(loaded.into_iter().map(|l| l.scenario).collect())
    } else {
        Err(errors)
    }
}

/// Every finding for a set of sources, and what loaded. Files on disk are gathered
/// together, so one named twice (or inside a named folder) is read once.
fn analyse_sources(
    sources: &[SuiteSource],
    options: &LoadOptions,
) -> (Vec<Loaded>, Vec<Diagnostic>) {
    let mut loaded = Vec::new();
    let mut diags = Vec::new();
    let mut paths = Vec::new();
    for source in sources {
        match source {
            SuiteSource::Builtin(name) => {
                for (file, bytes) in builtin::suite_files(name).unwrap_or_default() {
                    match std::str::from_utf8(bytes) {
                        Ok(text) => {
                            let (l, d) = analyse(&file, text, options);
                            loaded.extend(l);
                            diags.extend(d);
                        }
                        Err(_) => {
                            diags.push(files::whole_file_error(&file, "file is not UTF-8 text"))
                        }
                    }
                }
            }
            SuiteSource::Path(path) => paths.push(path.clone()),
        }
    }
    for source in files::gather(&paths) {
        match source {
            Ok(source) => {
                let (l, d) = analyse(&source.name, &source.text, options);
                loaded.extend(l);
                diags.extend(d);
            }
            Err(d) => diags.push(d),
        }
    }
    diags.extend(duplicate_ids(&loaded));
    (loaded, diags)
}

/// Loads built-in suites and files together; an id must be unique across all of them.
pub fn load_sources(sources: &[SuiteSource], options: &LoadOptions) -> Result<Suite, Diagnostics> {
    let (loaded, diags) = analyse_sources(sources, options);
    let errors = errors_only(diags);
    if errors.is_empty() {
        Ok(Suite {
            scenarios: loaded.into_iter().map(|l| l.scenario).collect(),
        })
    } else {
        Err(errors)
    }
}

fn path_sources(paths: &[PathBuf]) -> Vec<SuiteSource> {
    paths.iter().cloned().map(SuiteSource::Path).collect()
}

/// Loads files and folders (folders recursively: `*.yaml` and `*.yml`, sorted by path).
/// A missing path, an unreadable file or a duplicate id across files is an error.
pub fn load_paths(paths: &[PathBuf], options: &LoadOptions) -> Result<Suite, Diagnostics> {
    load_sources(&path_sources(paths), options)
}

/// Loads the suites compiled into the binary (`suites/core`), named
/// `builtin:core/<file>`.
pub fn load_builtin(options: &LoadOptions) -> Result<Suite, Diagnostics> {
    let all: Vec<SuiteSource> = builtin::SUITE_NAMES
        .iter()
        .map(|name| SuiteSource::Builtin(name))
        .collect();
    load_sources(&all, options)
}

/// Every finding for the given files and folders: errors, and warnings such as a step
/// that does not check the status or a capture that nothing uses.
pub fn lint(paths: &[PathBuf], options: &LoadOptions) -> Vec<Diagnostic> {
    analyse_sources(&path_sources(paths), options).1
}
