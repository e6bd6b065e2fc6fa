//! `scimcheck merge`: the JSON reports of a run's slices (`run --partition k/n`) put
//! together into the JSON report of the whole run.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, CommandResult};
use crate::exit;
use crate::report;
use crate::result::{Slice, Totals, merge as merge_slices};

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The JSON reports of every slice (`run --partition k/n --report-json FILE`)
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Where to write the merged JSON report
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

/// Exit 0 when the merged report is written (`scimcheck report` states its verdict),
/// 2 when the reports are not the slices of one run, 3 when it cannot be written.
pub fn merge(args: MergeArgs) -> CommandResult {
    report::check_output_path(&args.output).map_err(CliError::usage)?;
    let slices = args
        .reports
        .iter()
        .map(|path| {
            Ok(Slice {
                file: path.display().to_string(),
                summary: report::read_summary(path)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(CliError::usage)?;
    let count = slices.len();
    let merged = merge_slices(slices).map_err(CliError::usage)?;
    report::write_json(&merged, &args.output).map_err(|e| {
        CliError::cannot_start(format!("cannot write {}: {e}", args.output.display()))
    })?;
    println!(
        "merged {count} {} into {}: {}",
        if count == 1 { "report" } else { "reports" },
        args.output.display(),
        report::final_line(&Totals::of_run(&merged))
    );
    Ok(exit::SUCCESS)
}
