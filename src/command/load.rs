//! Loading the scenarios a command works on, with diagnostics on stderr.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::exit;
use crate::profile::{self, Profile};
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

/// The named profile, if any; warns about rules that match no scenario of `suite`
/// (usually a typo). On errors prints them and returns the exit code for bad input.
pub fn profile(spec: Option<&str>, suite: &Suite) -> Result<Option<Profile>, i32> {
    let Some(spec) = spec else {
        return Ok(None);
    };
    let profile = profile::load(spec).map_err(|message| {
        eprintln!("error: {message}");
        exit::USAGE
    })?;
    for rule in profile.unmatched_rules(suite) {
        eprintln!(
            "warning: {}: profile {} has a rule for {} that matches no scenario",
            rule.place, profile.name, rule.matcher
        );
    }
    Ok(Some(profile))
}
