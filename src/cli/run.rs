//! `scimcheck run`: flags of a conformance run.

use std::path::PathBuf;

use clap::Args;

use super::shared::{SelectionArgs, TargetArgs};

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Scenarios run at the same time
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Do not delete the resources the run created
    #[arg(long)]
    pub keep: bool,
    /// Longest the whole run may take, e.g. 30m, 90s, 2h, or seconds (default 30m);
    /// then it stops, cleans up, writes its reports and exits 124
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
    /// Let `should` failures fail the run too
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write a JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// JSON report of an earlier run (--report-json): only failures not in it fail this
    /// run, and the ones it had that now pass are listed as fixed
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
    /// Write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)
    #[arg(long, value_name = "FILE")]
    pub report_markdown: Option<PathBuf>,
    /// Write one file per scenario with each HTTP exchange (secrets redacted) into DIR
    #[arg(long, value_name = "DIR")]
    pub transcript: Option<PathBuf>,
    /// Plain lines instead of a progress bar
    #[arg(long)]
    pub no_progress: bool,
    /// Show the transcript of failing scenarios on the console
    #[arg(long, short)]
    pub verbose: bool,
    /// Misbehaviours of the embedded server (comma-separated; only without --url),
    /// to see which checks catch them; `scimcheck serve --help` lists them
    #[arg(long, value_name = "LIST")]
    pub misbehave: Option<String>,
}
