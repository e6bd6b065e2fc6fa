//! `scimcheck judge`: run a SCIM client (an integration) against a judging reference
//! server and report what it sent that the RFCs or the vendor's document do not allow.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;

/// Faults injected into a judged client's requests (`judge`, `serve --judge`).
#[derive(Debug, Clone, Default, Args)]
pub struct FaultArgs {
    /// Faults to inject, comma-separated: 429 (with Retry-After), 500, timeout (the
    /// request is carried out, but the answer is held back and then replaced by 504)
    #[arg(long, value_name = "LIST")]
    pub inject: Option<String>,
    /// Share of requests that get a fault, above 0 and at most 1 (default 0.2); the
    /// choice is evenly spread and the same on every run
    #[arg(long, value_name = "R")]
    pub inject_rate: Option<f64>,
    /// Seconds a timeout fault holds the answer (default 5)
    #[arg(long, value_name = "SECONDS")]
    pub inject_timeout: Option<f64>,
}

#[derive(Debug, Clone, Args)]
pub struct JudgeArgs {
    /// Vendor profile, built-in or a profile file: its client rules and request rate are
    /// judged too
    #[arg(long = "profile", value_name = "NAME|FILE")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub faults: FaultArgs,
    /// Scenario file run against the server after the command exits, to check the final
    /// state (e.g. no duplicate users, every user of the input present)
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Scenario variable for --expect, name=value (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Seconds the command may run before it is stopped and counted as failed
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub command_timeout: f64,
    /// Port for the judging server (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Let broken `should` rules fail the judgement too
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report (one test case per rule) to FILE
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
    /// Write one file per rule (and expectation) with its offending exchanges into DIR
    #[arg(long, value_name = "DIR")]
    pub transcript: Option<PathBuf>,
    /// The integration to judge, after `--`; it gets SCIM_URL and SCIM_TOKEN
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}
