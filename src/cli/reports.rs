//! The report files a run or a judgement is written to: the flags, a check of their
//! paths before anything runs, and the writing.

use std::path::{Path, PathBuf};

use clap::Args;

use super::CliError;
use crate::exit;
use crate::report::{self, ReportError};
use crate::result::RunSummary;

#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// Write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write a JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
    /// Write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)
    #[arg(long, value_name = "FILE")]
    pub report_markdown: Option<PathBuf>,
    /// Write one file per scenario with each HTTP exchange (secrets redacted) into DIR
    #[arg(long, value_name = "DIR")]
    pub transcript: Option<PathBuf>,
}

impl ReportArgs {
    /// Bad paths are found before the run, not after.
    pub fn check(&self) -> Result<(), CliError> {
        for path in self.files().map(|(_, path, _)| path) {
            report::check_output_path(path).map_err(CliError::usage)?;
        }
        if let Some(dir) = &self.transcript {
            report::check_output_dir(dir).map_err(CliError::usage)?;
        }
        Ok(())
    }

    /// Writes every report asked for; one that cannot be written is an error (a CI job
    /// must not read a missing report as a pass), after trying all of them.
    pub fn write(&self, summary: &RunSummary) -> Result<(), CliError> {
        let mut written: Vec<(&str, &Path, Result<(), ReportError>)> = self
            .files()
            .map(|(what, path, write)| (what, path, write(summary, path)))
            .collect();
        if let Some(dir) = &self.transcript {
            let result = report::write_transcripts(summary, dir).map(|_| ());
            written.push(("transcripts", dir, result));
        }
        let mut failed = false;
        for (what, path, result) in written {
            if let Err(e) = result {
                eprintln!("error: cannot write {what} {}: {e}", path.display());
                failed = true;
            }
        }
        if failed {
            Err(CliError::reported(exit::CANNOT_START))
        } else {
            Ok(())
        }
    }

    fn files(&self) -> impl Iterator<Item = (&'static str, &Path, Writer)> {
        [
            (
                "JUnit report",
                &self.report_junit,
                report::write_junit as Writer,
            ),
            ("JSON report", &self.report_json, report::write_json),
            ("HTML report", &self.report_html, report::write_html),
            (
                "Markdown report",
                &self.report_markdown,
                report::write_markdown,
            ),
        ]
        .into_iter()
        .filter_map(|(what, path, write)| Some((what, path.as_deref()?, write)))
    }
}

type Writer = fn(&RunSummary, &Path) -> Result<(), ReportError>;
