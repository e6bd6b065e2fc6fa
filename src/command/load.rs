//! Loading the scenarios a command works on, with diagnostics on stderr.

use std::collections::BTreeMap;

use super::settings::ProfileSpecs;
use crate::exit;
use crate::profile::{self, Profiles};
use crate::suite::{self, LoadOptions, SuiteSource, model::Suite};

/// Loads the suites that `sources` name (see `settings::resolve_suites`). On errors
/// prints them and returns the exit code for a bad invocation or scenario file.
pub fn suite(
    sources: Result<Vec<SuiteSource>, String>,
    vars: &BTreeMap<String, serde_json::Value>,
) -> Result<Suite, i32> {
    let sources = sources.map_err(|message| {
        eprintln!("error: {message}");
        exit::USAGE
    })?;
    let options = LoadOptions {
        known_vars: vars.keys().cloned().collect(),
        ..LoadOptions::default()
    };
    suite::load_sources(&sources, &options).map_err(|diagnostics| {
        for d in diagnostics.iter() {
            eprintln!("{}", d.render(false));
        }
        eprintln!("{} error(s) in scenario files", diagnostics.len());
        exit::USAGE
    })
}

/// The named profiles in order (none when `specs` is empty); warns about rules that match
/// no scenario of `suite` (usually a typo). On errors prints them, prefixed with where the
/// profiles were named, and returns the exit code for bad input.
pub fn profiles(named: &ProfileSpecs, suite: &Suite) -> Result<Profiles, i32> {
    let profiles = named_profiles(named)?;
    warn_unmatched(&profiles, suite);
    Ok(profiles)
}

/// The named profiles in order; on errors prints them and returns the exit code.
pub fn named_profiles(named: &ProfileSpecs) -> Result<Profiles, i32> {
    profile::load_all(&named.specs).map_err(|message| {
        eprintln!("error: {}: {message}", named.origin);
        exit::USAGE
    })
}

/// Warns about profile rules that match no scenario of `suite` (usually a typo).
pub fn warn_unmatched(profiles: &Profiles, suite: &Suite) {
    for (profile, rule) in profiles.unmatched_rules(suite) {
        eprintln!(
            "warning: {}: profile {} has a rule for {} that matches no scenario",
            rule.place, profile.name, rule.matcher
        );
    }
}
