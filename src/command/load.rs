//! Loading the scenarios a command works on, with diagnostics on stderr.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::exit;
use crate::suite::{self, LoadOptions, model::Suite};

/// Loads `paths`, or the built-in suites when empty. On errors prints every diagnostic
/// and returns the exit code for a bad scenario file.
pub fn suite(paths: &[PathBuf], vars: &BTreeMap<String, serde_json::Value>) -> Result<Suite, i32> {
    let options = LoadOptions {
        known_vars: vars.keys().cloned().collect(),
        ..LoadOptions::default()
    };
    let loaded = if paths.is_empty() {
        suite::load_builtin(&options)
    } else {
        suite::load_paths(paths, &options)
    };
    loaded.map_err(|diagnostics| {
        for d in diagnostics.iter() {
            eprintln!("{}", d.render(false));
        }
        eprintln!("{} error(s) in scenario files", diagnostics.len());
        exit::USAGE
    })
}
