//! `scimcheck report`: the console summary and the JUnit, HTML, Markdown and transcript
//! reports, written from a JSON report (a run's, or one `scimcheck merge` wrote).

use std::path::PathBuf;

use clap::Args;

use super::reports::ReportArgs;
use super::{CliError, CommandResult, Context};
use crate::report::{self, ConsoleReporter};
use crate::result::{RunEvent, Verdict};

#[derive(Debug, Clone, Args)]
pub struct ReportCommandArgs {
    /// The JSON report to read (`run --report-json`, or `merge -o`)
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// Write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write one file per scenario with each HTTP exchange into DIR
    #[arg(long, value_name = "DIR")]
    pub transcript: Option<PathBuf>,
    /// Print only the summary, not a line per scenario
    #[arg(long, short)]
    pub quiet: bool,
    /// Show the transcript of failing scenarios, and the notes of passing ones, on the console
    #[arg(long, short)]
    pub verbose: bool,
}

/// Exits with the report's verdict, as the run would have (0, 1, 5, ...); 2 when the
/// file is not a JSON report, 3 when a report cannot be written.
pub fn report(args: ReportCommandArgs, ctx: &Context) -> CommandResult {
    let files = ReportArgs {
        report_junit: args.junit,
        report_json: None,
        report_html: args.html,
        report_markdown: args.markdown,
        transcript: args.transcript,
    };
    files.check()?;
    let summary = report::read_summary(&args.report).map_err(CliError::usage)?;
    let mut console = ConsoleReporter::stdout(ctx.console_options(true, args.verbose));
    if !args.quiet {
        for result in &summary.results {
            console.on_event(&RunEvent::ScenarioFinished(std::sync::Arc::new(
                result.clone(),
            )));
        }
    }
    console.on_event(&RunEvent::Finished(Box::new(summary.clone())));
    files.write(&summary)?;
    Ok(Verdict::of(&summary).exit_code)
}
