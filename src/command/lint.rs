//! `scimcheck lint`: every finding as `file:line:col: message` with the source line.

use crate::cli::lint::LintArgs;
use crate::diag::Severity as DiagSeverity;
use crate::exit;
use crate::suite::{self, LoadOptions};

pub fn lint(args: LintArgs) -> i32 {
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
    let findings = suite::lint(&args.paths, &options);
    let errors = findings
        .iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .count();
    let warnings = findings.len() - errors;
    for finding in &findings {
        eprintln!("{}", finding.render(false));
    }
    if errors > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
        exit::USAGE
    } else {
        println!("ok: no errors, {warnings} warning(s)");
        exit::SUCCESS
    }
}
