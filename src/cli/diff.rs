//! `scimcheck diff`: what changed between two runs, from their JSON reports.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, CommandResult};
use crate::exit;
use crate::report;
use crate::result::Changes;

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// JSON report of the earlier run (--report-json)
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// JSON report of the later run
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
}

pub fn diff(args: DiffArgs) -> CommandResult {
    let before = report::read_report(&args.before).map_err(CliError::usage)?;
    let after = report::read_report(&args.after).map_err(CliError::usage)?;
    let changes = Changes::between(&before, &after);
    let text = report::diff::render(
        &args.before.display().to_string(),
        &args.after.display().to_string(),
        &changes,
    );
    // Ids and skip reasons come from files: shown with their control characters escaped.
    print!("{}", crate::printable::escape_controls(&text));
    Ok(if changes.new_failures.is_empty() {
        exit::SUCCESS
    } else {
        exit::CONFORMANCE_FAILURE
    })
}
