//! `scimcheck judge -- <command>`: start a judging reference server on a free loopback
//! port, run the integration with SCIM_URL and SCIM_TOKEN, check the final state with
//! `--expect`, and write the same reports as `run`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::Args;
use tokio::process::Command;

use super::reports::ReportArgs;
use super::settings::{self, SelectionArgs};
use super::{CliError, CommandResult, load};
use crate::client::{Auth, Target};
use crate::exit;
use crate::judge::{self, DEFAULT_HOLD, JudgeOptions, Judgement, Schedule, summary};
use crate::plan::{self, Selection};
use crate::profile::{self, Profile};
use crate::report;
use crate::result::{Outcome, RunInfo, RunSummary, ScenarioResult, Verdict};
use crate::run::{RunBuilder, RunError, new_run_id, now_rfc3339};
use crate::server::ServerConfig;
use crate::suite::{self, model::Suite};
use crate::vocabulary::Severity;

/// `--transcript` of a judgement: one file per rule, not per scenario.
pub const JUDGE_TRANSCRIPT_HELP: &str =
    "Write one file per rule (and expectation) with its offending exchanges into DIR";

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
    /// (`--transcript` says per rule in its help: see `JUDGE_TRANSCRIPT_HELP`.)
    #[command(flatten)]
    pub reports: ReportArgs,
    /// The integration to judge, after `--`; it gets SCIM_URL and SCIM_TOKEN
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// The share of requests that get a fault when `--inject` gives no rate.
const DEFAULT_RATE: f64 = 0.2;
/// The id of the result that says how the judged command ended.
const COMMAND_RESULT: &str = "judge.command";

pub async fn judge(args: JudgeArgs) -> CommandResult {
    args.reports.check()?;
    if !(args.command_timeout.is_finite() && args.command_timeout > 0.0) {
        return Err(CliError::usage(
            "--command-timeout must be a positive number of seconds",
        ));
    }
    let profile = load_profile(args.profile.as_deref()).map_err(CliError::usage)?;
    let faults = schedule(&args.faults).map_err(CliError::usage)?;
    let expectations = match &args.expect {
        None => None,
        Some(path) => {
            let selection = SelectionArgs {
                vars: args.vars.clone(),
                ..SelectionArgs::default()
            };
            let vars = settings::resolve_vars(&selection, None).map_err(CliError::usage)?;
            let suite = load::suite(
                suite::resolve_sources(std::slice::from_ref(path), true),
                &vars,
            )?;
            Some((suite, vars))
        }
    };

    let token = uuid::Uuid::new_v4().simple().to_string();
    let server = ServerConfig {
        port: args.port,
        token: Some(token.clone()),
        ..ServerConfig::default()
    };
    let profile_name = profile.as_ref().map(|p| p.name.clone());
    let options = JudgeOptions {
        profile,
        faults: Some(faults),
        sink: None,
    };
    let (handle, judge) = judge::start(server, options)
        .await
        .map_err(CliError::cannot_start)?;
    let base_url = handle.base_url().to_owned();
    let started_at = now_rfc3339();
    let started = Instant::now();
    println!(
        "Judging `{}` against {base_url}{}",
        shown_command(&args.command),
        profile_name
            .as_deref()
            .map(|p| format!(" (profile {p})"))
            .unwrap_or_default()
    );
    let ran = run_command(
        &args.command,
        &base_url,
        &token,
        Duration::from_secs_f64(args.command_timeout),
    )
    .await;
    let judgement = judge.close();
    if matches!(ran, Ran::Interrupted) {
        handle.shutdown().await;
        return Err(CliError::new(
            exit::INTERRUPTED,
            "interrupted: the command was stopped",
        ));
    }
    let mut extra = vec![command_result(&args.command, &ran)];
    if let Some((suite, vars)) = expectations {
        extra.extend(expect(&suite, vars, &base_url, &token, args.strict).await);
    }
    let info = RunInfo {
        target_url: base_url,
        profiles: profile_name.into_iter().collect(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: new_run_id(),
        started_at,
        plan: None,
        embedded: None,
        capabilities: None,
    };
    let summary = summary::run_summary(info, &judgement, extra, started.elapsed(), args.strict);
    handle.shutdown().await;
    print_console(&judgement, &summary);
    args.reports.write(&summary)?;
    // The command's own failure is an error result: the verdict is then incomplete (5),
    // unless a broken rule already failed it.
    Ok(Verdict::of(&summary).exit_code)
}

/// A built-in profile by name or a profile file. The judge takes one: client rules come
/// from the vendor whose API the client talks to.
pub(super) fn load_profile(spec: Option<&str>) -> Result<Option<Profile>, String> {
    if let Some(list) = spec.filter(|s| s.contains(',')) {
        return Err(format!(
            "the judge takes one profile, the vendor whose client rules apply; got '{list}'"
        ));
    }
    spec.map(profile::load).transpose()
}

/// `--inject`, `--inject-rate` and `--inject-timeout` as a fault schedule.
pub(super) fn schedule(args: &FaultArgs) -> Result<Schedule, String> {
    let Some(list) = &args.inject else {
        if args.inject_rate.is_some() || args.inject_timeout.is_some() {
            return Err("--inject-rate and --inject-timeout need --inject".to_owned());
        }
        return Ok(Schedule::None);
    };
    let faults = judge::parse_faults(list)?;
    let rate = args.inject_rate.unwrap_or(DEFAULT_RATE);
    if !(rate > 0.0 && rate <= 1.0) {
        return Err(format!(
            "--inject-rate must be above 0 and at most 1, got {rate}"
        ));
    }
    let hold = match args.inject_timeout {
        None => DEFAULT_HOLD,
        Some(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 => {
            Duration::from_secs_f64(seconds)
        }
        Some(seconds) => {
            return Err(format!(
                "--inject-timeout must be a number of seconds above 0 and at most 3600, got {seconds}"
            ));
        }
    };
    Ok(Schedule::Rate { faults, rate, hold })
}

/// How the judged command ended.
enum Ran {
    Exited(ExitStatus),
    NotStarted(String),
    TimedOut(Duration),
    Interrupted,
}

async fn run_command(command: &[OsString], url: &str, token: &str, limit: Duration) -> Ran {
    let Some((program, rest)) = command.split_first() else {
        return Ran::NotStarted("no command was given".to_owned());
    };
    let mut child = match Command::new(program)
        .args(rest)
        .env("SCIM_URL", url)
        .env("SCIM_TOKEN", token)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return Ran::NotStarted(format!("cannot start `{}`: {e}", program.to_string_lossy()));
        }
    };
    tokio::select! {
        status = child.wait() => match status {
            Ok(status) => Ran::Exited(status),
            Err(e) => Ran::NotStarted(format!("cannot wait for the command: {e}")),
        },
        () = tokio::time::sleep(limit) => {
            let _ = child.kill().await;
            Ran::TimedOut(limit)
        }
        _ = tokio::signal::ctrl_c() => {
            let _ = child.kill().await;
            Ran::Interrupted
        }
    }
}

/// The command as a shell would show it (arguments with spaces quoted).
fn shown_command(command: &[OsString]) -> String {
    command
        .iter()
        .map(|a| {
            let text = a.to_string_lossy();
            if text.is_empty() || text.contains(char::is_whitespace) {
                format!("'{}'", text.replace('\'', "'\\''"))
            } else {
                text.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command's end as a result of its own, so every report shows it.
fn command_result(command: &[OsString], ran: &Ran) -> ScenarioResult {
    let shown = shown_command(command);
    let outcome = match ran {
        Ran::Exited(status) if status.success() => Outcome::Pass,
        Ran::Exited(status) => Outcome::Error {
            message: match status.code() {
                Some(code) => format!("`{shown}` exited with status {code}"),
                None => format!("`{shown}` was ended by a signal ({status})"),
            },
        },
        Ran::NotStarted(why) => Outcome::Error {
            message: why.clone(),
        },
        Ran::TimedOut(limit) => Outcome::Error {
            message: format!(
                "`{shown}` did not finish within {} s (--command-timeout) and was stopped",
                limit.as_secs_f64()
            ),
        },
        Ran::Interrupted => Outcome::Error {
            message: "interrupted".to_owned(),
        },
    };
    ScenarioResult {
        title: format!("The judged command `{shown}` runs to completion"),
        area: "judge".to_owned(),
        tags: vec!["client".to_owned()],
        ..ScenarioResult::bare(COMMAND_RESULT, Severity::Must, outcome)
    }
}

/// Runs the `--expect` scenarios against the server, which no longer judges.
async fn expect(
    suite: &Suite,
    vars: BTreeMap<String, serde_json::Value>,
    base_url: &str,
    token: &str,
    strict: bool,
) -> Vec<ScenarioResult> {
    let mut target = Target::new(base_url);
    target.auth = Auth::Bearer(secrecy::SecretString::from(token.to_owned()));
    let run = RunBuilder::new(plan::select(suite, &Selection::default()))
        .target(target)
        .vars(vars)
        .strict(strict)
        .build();
    let summary = match run {
        Ok(run) => run.execute().await,
        Err(e) => Err(e),
    };
    match summary {
        Ok(summary) => summary.results,
        Err(RunError::Discovery { message, .. }) => vec![expect_error(format!(
            "cannot read the server's discovery: {message}"
        ))],
        Err(RunError::Invalid(message)) => vec![expect_error(message)],
    }
}

fn expect_error(message: String) -> ScenarioResult {
    ScenarioResult {
        id: "judge.expect".to_owned(),
        title: "The final-state expectations run".to_owned(),
        area: "judge".to_owned(),
        severity: Severity::Must,
        requirement: Vec::new(),
        tags: vec!["expect".to_owned()],
        file: String::new(),
        outcome: Outcome::Error { message },
        duration: Duration::ZERO,
        exchanges: Vec::new(),
        cleanup_errors: Vec::new(),
        leftovers: Vec::new(),
        notes: Vec::new(),
    }
}

fn print_console(judgement: &Judgement, summary: &RunSummary) {
    let options = report::ConsoleOptions::default();
    print!("{}", summary::findings_text(judgement));
    // After the rules: the command's own result, then the --expect scenarios.
    let after_rules = &summary.results[judgement.rules.len().min(summary.results.len())..];
    let (command, expectations): (Vec<_>, Vec<_>) =
        after_rules.iter().partition(|r| r.id == COMMAND_RESULT);
    for result in command {
        if !matches!(result.outcome, Outcome::Pass) {
            print!("\n{}", report::console::scenario_text(result, &options));
        }
    }
    if !expectations.is_empty() {
        println!("\nFinal state (--expect)");
        for result in expectations {
            print!("{}", report::console::scenario_text(result, &options));
        }
    }
    print!("{}", summary::summary_text(judgement, summary));
}
