//! `scimcheck judge -- <command>`: start a judging reference server on a free loopback
//! port, run the integration with SCIM_URL and SCIM_TOKEN, check the final state with
//! `--expect`, and write the same reports as `run`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::process::Command;

use crate::check::SchemaSet;
use crate::cli::judge::{FaultArgs, JudgeArgs};
use crate::cli::shared::SelectionArgs;
use crate::client::{Auth, Client, Target};
use crate::discovery;
use crate::exit;
use crate::judge::{self, DEFAULT_HOLD, JudgeOptions, Judgement, Schedule, summary};
use crate::plan::{self, Selection};
use crate::profile::{self, Profile};
use crate::report;
use crate::result::{Outcome, RunEvent, RunInfo, RunSummary, ScenarioResult, Verdict};
use crate::run::{self as executor, ExecuteOptions};
use crate::server::ServerConfig;
use crate::suite::model::{Severity, Suite};
use crate::suite::{self};

use super::{fail, load, settings};

/// The share of requests that get a fault when `--inject` gives no rate.
const DEFAULT_RATE: f64 = 0.2;
/// The id of the result that says how the judged command ended.
const COMMAND_RESULT: &str = "judge.command";

pub async fn judge(args: JudgeArgs) -> i32 {
    let reports = ReportPaths::of(&args);
    if let Err(message) = reports.check() {
        return fail(exit::USAGE, message);
    }
    if !(args.command_timeout.is_finite() && args.command_timeout > 0.0) {
        return fail(
            exit::USAGE,
            "--command-timeout must be a positive number of seconds",
        );
    }
    let profile = match load_profile(args.profile.as_deref()) {
        Ok(profile) => profile,
        Err(message) => return fail(exit::USAGE, message),
    };
    let faults = match schedule(&args.faults) {
        Ok(faults) => faults,
        Err(message) => return fail(exit::USAGE, message),
    };
    let expectations = match &args.expect {
        None => None,
        Some(path) => {
            let selection = SelectionArgs {
                vars: args.vars.clone(),
                ..SelectionArgs::default()
            };
            let vars = match settings::resolve_vars(&selection, None) {
                Ok(vars) => vars,
                Err(message) => return fail(exit::USAGE, message),
            };
            match load::suite(
                suite::resolve_sources(std::slice::from_ref(path), true),
                &vars,
            ) {
                Ok(suite) => Some((suite, vars)),
                Err(code) => return code,
            }
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
    let (handle, judge) = match judge::start(server, options).await {
        Ok(started) => started,
        Err(message) => return fail(exit::CANNOT_START, message),
    };
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
        return fail(exit::INTERRUPTED, "interrupted: the command was stopped");
    }
    let mut extra = vec![command_result(&args.command, &ran)];
    if let Some((suite, vars)) = expectations {
        extra.extend(expect(&suite, vars, &base_url, &token, args.strict).await);
    }
    let info = RunInfo {
        target_url: base_url,
        profiles: profile_name.into_iter().collect(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: executor::new_run_id(),
        started_at,
    };
    let summary = summary::run_summary(info, &judgement, extra, started.elapsed(), args.strict);
    handle.shutdown().await;
    print_console(&judgement, &summary);
    if let Err(code) = reports.write(&summary) {
        return code;
    }
    // The command's own failure is an error result: the verdict is then incomplete (5),
    // unless a broken rule already failed it.
    Verdict::of(&summary).exit_code
}

/// Report files a judgement is written to, as for `run`.
struct ReportPaths {
    junit: Option<std::path::PathBuf>,
    json: Option<std::path::PathBuf>,
    html: Option<std::path::PathBuf>,
    markdown: Option<std::path::PathBuf>,
    transcript: Option<std::path::PathBuf>,
}

impl ReportPaths {
    fn of(args: &JudgeArgs) -> Self {
        ReportPaths {
            junit: args.report_junit.clone(),
            json: args.report_json.clone(),
            html: args.report_html.clone(),
            markdown: args.report_markdown.clone(),
            transcript: args.transcript.clone(),
        }
    }

    /// Bad paths are found before the command runs, not after.
    fn check(&self) -> Result<(), String> {
        for path in [&self.junit, &self.json, &self.html, &self.markdown]
            .into_iter()
            .flatten()
        {
            report::check_output_path(path).map_err(|e| e.to_string())?;
        }
        if let Some(dir) = &self.transcript {
            report::check_output_dir(dir).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn write(&self, summary: &RunSummary) -> Result<(), i32> {
        let mut written: Vec<(&str, &std::path::Path, Result<(), report::ReportError>)> =
            Vec::new();
        if let Some(path) = &self.junit {
            written.push(("JUnit report", path, report::write_junit(summary, path)));
        }
        if let Some(path) = &self.json {
            written.push(("JSON report", path, report::write_json(summary, path)));
        }
        if let Some(path) = &self.html {
            written.push(("HTML report", path, report::write_html(summary, path)));
        }
        if let Some(path) = &self.markdown {
            written.push((
                "Markdown report",
                path,
                report::write_markdown(summary, path),
            ));
        }
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
            Err(exit::CANNOT_START)
        } else {
            Ok(())
        }
    }
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
        id: COMMAND_RESULT.to_owned(),
        title: format!("The judged command `{shown}` runs to completion"),
        area: "judge".to_owned(),
        severity: Severity::Must,
        requirement: Vec::new(),
        tags: vec!["client".to_owned()],
        file: String::new(),
        outcome,
        duration: Duration::ZERO,
        exchanges: Vec::new(),
        cleanup_errors: Vec::new(),
        leftovers: Vec::new(),
        notes: Vec::new(),
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
    let client = match Client::new(target) {
        Ok(client) => Arc::new(client),
        Err(e) => return vec![expect_error(format!("cannot reach the server: {e}"))],
    };
    let mut plan = plan::select(suite, &Selection::default());
    let mut schemas = match SchemaSet::for_plan(&plan) {
        Ok(schemas) => schemas,
        Err(e) => return vec![expect_error(e.to_string())],
    };
    match discovery::discover(&client).await {
        Ok(found) => {
            schemas.add_declared(&found.declared);
            let mut capabilities = found.capabilities;
            capabilities.insert("auth");
            plan::gate_capabilities(&mut plan, &capabilities);
        }
        Err(e) => {
            return vec![expect_error(format!(
                "cannot read the server's discovery: {e}"
            ))];
        }
    }
    let info = RunInfo {
        target_url: base_url.to_owned(),
        profiles: Vec::new(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: executor::new_run_id(),
        started_at: now_rfc3339(),
    };
    let options = ExecuteOptions {
        adapter: Default::default(),
        jobs: 1,
        vars,
        run_id: info.run_id.clone(),
        strict,
        ..ExecuteOptions::default()
    };
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
    let drain = tokio::spawn(async move { while received.recv().await.is_some() {} });
    let summary = executor::execute(&plan, client, Arc::new(schemas), info, options, events).await;
    let _ = drain.await;
    summary.results
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

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
