//! Loading the scenarios and the profile a command works on, with diagnostics on stderr.

use std::collections::BTreeMap;

use super::CliError;
use super::settings::ProfileSpecs;
use crate::exit;
use crate::profile::{self, Profiles};
use crate::suite::{self, LoadOptions, SuiteSource, model::Suite};

/// Loads the suites that `sources` name (see `settings::resolve_suites`); errors are
/// printed, and are a bad invocation or scenario file.
pub fn suite(
    sources: Result<Vec<SuiteSource>, String>,
    vars: &BTreeMap<String, serde_json::Value>,
) -> Result<Suite, CliError> {
    let sources = sources.map_err(CliError::usage)?;
    let options = LoadOptions {
        known_vars: vars.keys().cloned().collect(),
        ..LoadOptions::default()
    };
    suite::load_sources(&sources, &options).map_err(|diagnostics| {
        for d in diagnostics.iter() {
            eprintln!("{}", d.render(false));
        }
        eprintln!("{} error(s) in scenario files", diagnostics.len());
        CliError::reported(exit::USAGE)
    })
}

/// The named profiles in order; errors say where they were named.
pub fn named_profiles(named: &ProfileSpecs) -> Result<Profiles, CliError> {
    profile::load_all(&named.specs)
        .map_err(|message| CliError::usage(format!("{}: {message}", named.origin)))
}

/// Warns about profile rules that match no scenario of `suite` (usually a typo).
pub fn warn_unmatched(profiles: &Profiles, suite: &Suite) {
    for (profile, rule) in profiles.unmatched_rules(suite) {
        eprintln!(
            "warning: {}: profile {} has a rule for {} that matches no scenario",
            rule.place, profile.name, rule.scope
        );
    }
}
