//! `scimcheck lint`: check scenario and profile files, every finding as
//! `file:line:col: message` with the source line.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, CommandResult};
use crate::diag::Diagnostic;
use crate::exit;
use crate::profile;
use crate::suite::{self, LoadOptions};

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Scenario files or folders
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Variables that runs will pass with --var (so references to them are not errors)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

pub fn lint(args: LintArgs) -> CommandResult {
    let known_vars = args
        .vars
        .iter()
        .map(|v| {
            v.split_once('=')
                .map_or(v.as_str(), |(name, _)| name)
                .trim()
                .to_owned()
        })
        .collect();
    let options = LoadOptions {
        known_vars,
        ..LoadOptions::default()
    };
    let (profiles, scenario_paths) = suite::split_profiles(&args.paths);
    let mut findings = if scenario_paths.is_empty() {
        Vec::new()
    } else {
        suite::lint(&scenario_paths, &options)
    };
    for path in &profiles {
        findings.extend(lint_profile(path));
    }
    let errors = findings.iter().filter(|d| d.is_error()).count();
    let warnings = findings.len() - errors;
    for finding in &findings {
        eprintln!("{}", finding.render(false));
    }
    if !profiles.is_empty() {
        println!("{} profile file(s) checked", profiles.len());
    }
    if errors > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
        Err(CliError::reported(exit::USAGE))
    } else {
        println!("ok: no errors, {warnings} warning(s)");
        Ok(exit::SUCCESS)
    }
}

fn lint_profile(path: &std::path::Path) -> Vec<Diagnostic> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => profile::parse(&name, &text)
            .err()
            .map(|d| d.0)
            .unwrap_or_default(),
        Err(e) => vec![suite::whole_file_error(&name, format!("cannot read: {e}"))],
    }
}
