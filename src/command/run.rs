//! `scimcheck run`: load, plan, start the target if embedded, discover, execute, report.

use std::io::IsTerminal;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::check::SchemaSet;
use crate::cli::EnvSource;
use crate::cli::run::RunArgs;
use crate::client::{Auth, Client};
use crate::discovery;
use crate::exit;
use crate::plan;
use crate::profile::Adapter;
use crate::report::{self, ConsoleFacts, ConsoleOptions, ConsoleReporter};
use crate::result::{Coverage, RunEvent, RunInfo, RunSummary, Verdict};
use crate::run::{self as executor, ExecuteOptions, Held, StopReason};
use crate::server::{self, ServerConfig, ServerHandle};

use super::{fail, load, settings, stop};

/// Scenarios at a time when `--jobs` is not given.
const DEFAULT_JOBS: usize = 4;
/// Most scenarios at a time; more would only be a way to flood the target.
const MAX_JOBS: usize = 256;

pub async fn run(args: RunArgs, env: &dyn EnvSource) -> i32 {
    let config = match settings::load_config(&args.target) {
        Ok(config) => config,
        Err(message) => return fail(exit::USAGE, message),
    };
    let mut target = match settings::resolve_target(&args.target, config.as_ref(), env) {
        Ok(target) => target,
        Err(message) => return fail(exit::USAGE, message),
    };
    let vars = match settings::resolve_vars(&args.selection, config.as_ref()) {
        Ok(vars) => vars,
        Err(message) => return fail(exit::USAGE, message),
    };
    let jobs = args
        .jobs
        .or(config.as_ref().and_then(|c| c.jobs))
        .unwrap_or(DEFAULT_JOBS);
    if !(1..=MAX_JOBS).contains(&jobs) {
        return fail(
            exit::USAGE,
            format!("--jobs must be between 1 and {MAX_JOBS}, not {jobs}"),
        );
    }
    let strict = args.strict || config.as_ref().and_then(|c| c.strict).unwrap_or(false);
    let deadline = match settings::resolve_deadline(args.deadline.as_deref(), config.as_ref()) {
        Ok(deadline) => deadline,
        Err(message) => return fail(exit::USAGE, message),
    };
    let embedded = target.base_url.is_empty();
    if !embedded && args.misbehave.is_some() {
        return fail(
            exit::USAGE,
            "--misbehave switches the embedded server; it cannot be used with --url",
        );
    }
    for path in [
        &args.report_junit,
        &args.report_json,
        &args.report_html,
        &args.report_markdown,
    ]
    .into_iter()
    .flatten()
    {
        if let Err(e) = report::check_output_path(path) {
            return fail(exit::USAGE, e);
        }
    }
    if let Some(Err(e)) = args.transcript.as_deref().map(report::check_output_dir) {
        return fail(exit::USAGE, e);
    }

    let profiles = match load::named_profiles(&settings::resolve_profiles(
        &args.selection,
        config.as_ref(),
        env,
    )) {
        Ok(profiles) => profiles,
        Err(code) => return code,
    };
    // The products' own scenarios join the suites the run loads.
    let sources = settings::resolve_suites(&args.selection, config.as_ref()).and_then(|mut s| {
        s.extend(profiles.scenario_sources()?);
        Ok(s)
    });
    let suite = match load::suite(sources, &vars) {
        Ok(suite) => suite,
        Err(code) => return code,
    };
    load::warn_unmatched(&profiles, &suite);
    let adapter = match Adapter::new(&profiles, &vars) {
        Ok(adapter) => Arc::new(adapter),
        Err(message) => return fail(exit::USAGE, message),
    };
    let selection = settings::resolve_selection(&args.selection, config.as_ref());
    let mut plan = plan::select(&suite, &selection);
    profiles.apply(&mut plan);
    adapter.gate(&mut plan);
    if target.rate_limit.is_none() {
        target.rate_limit = profiles.rate_limit().map(|(rate, _)| rate);
    }
    if plan.runnable() == 0 {
        return fail(exit::NOTHING_SELECTED, "no scenario matches the selection");
    }
    // Built-in schemas compile now, so a broken one is a usage error before any request;
    // `declared:` ones once discovery has read the target's /Schemas.
    let schemas = match SchemaSet::for_plan(&plan) {
        Ok(schemas) => schemas,
        Err(e) => return fail(exit::USAGE, e),
    };

    let embedded_server = if embedded {
        match start_embedded(&args, &mut target).await {
            Ok(handle) => Some(handle),
            Err(code) => return code,
        }
    } else {
        None
    };
    let code = run_against(RunContext {
        args: &args,
        target_url: target.base_url.clone(),
        has_credentials: !matches!(target.auth, Auth::None),
        client: match Client::new(target) {
            Ok(client) => Arc::new(client),
            Err(e) => return fail(exit::USAGE, e),
        },
        plan: &mut plan,
        schemas,
        vars,
        jobs,
        strict,
        profiles: profiles.names(),
        adapter,
        deadline,
    })
    .await;
    if let Some(handle) = embedded_server {
        handle.shutdown().await;
    }
    code
}

struct RunContext<'a> {
    args: &'a RunArgs,
    target_url: String,
    has_credentials: bool,
    client: Arc<Client>,
    plan: &'a mut plan::Plan,
    schemas: SchemaSet,
    vars: std::collections::BTreeMap<String, serde_json::Value>,
    jobs: usize,
    strict: bool,
    profiles: Vec<String>,
    adapter: Arc<Adapter>,
    deadline: std::time::Duration,
}

async fn run_against(mut ctx: RunContext<'_>) -> i32 {
    // The console and the stop watcher start first: a signal or the deadline during
    // discovery still ends in cleanup (of nothing) and reports.
    let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
    let facts = ConsoleFacts::from_env(
        std::io::stdout().is_terminal(),
        &|name| std::env::var(name).ok(),
        ctx.args.no_progress,
        ctx.args.verbose,
    );
    let console_options = ConsoleOptions::resolve(&facts);
    let console = tokio::task::spawn_blocking(move || {
        let mut reporter = ConsoleReporter::stdout(console_options);
        while let Some(event) = events_rx.blocking_recv() {
            reporter.on_event(&event);
        }
    });
    // Weak: the console ends when the run's own sender is dropped, whatever still
    // holds these.
    let notices = events_tx.downgrade();
    ctx.client.set_notices(move |text| match notices.upgrade() {
        Some(console) => {
            let _ = console.send(RunEvent::Notice(text));
        }
        None => eprintln!("note: {text}"),
    });
    let controls = stop::Controls {
        cancel: CancellationToken::new(),
        abandon: CancellationToken::new(),
        stop_reason: StopReason::default(),
        held: Held::default(),
        client: ctx.client.clone(),
        events: events_tx.downgrade(),
    };
    let mut options = ExecuteOptions {
        adapter: ctx.adapter.clone(),
        jobs: ctx.jobs,
        keep: ctx.args.keep,
        vars: std::mem::take(&mut ctx.vars),
        run_id: executor::new_run_id(),
        cancel: controls.cancel.clone(),
        abandon: controls.abandon.clone(),
        held: controls.held.clone(),
        stop_reason: controls.stop_reason.clone(),
        strict: ctx.strict,
        notices: Vec::new(),
    };
    let watcher = stop::watch(controls, ctx.deadline);

    if let Err(e) = ctx.client.authorize().await {
        return fail(
            exit::CANNOT_START,
            format!(
                "cannot start the run against {}: {}",
                ctx.target_url,
                ctx.client.redactor().text(&e.to_string())
            ),
        );
    }
    let found = match discovery::discover(&ctx.client).await {
        Ok(found) => found,
        Err(e) => {
            return fail(
                exit::CANNOT_START,
                format!(
                    "cannot start the run against {}: {}",
                    ctx.target_url,
                    ctx.client.redactor().text(&e.to_string())
                ),
            );
        }
    };
    for warning in &found.warnings {
        let warning = ctx.client.redactor().text(warning);
        eprintln!("warning: {warning}");
        options.notices.push(warning);
    }
    ctx.schemas.add_declared(&found.declared);
    let mut capabilities = found.capabilities;
    if ctx.has_credentials {
        capabilities.insert("auth");
    }
    // What a product without discovery endpoints has, as its profile declares.
    for name in &ctx.adapter.capabilities {
        if capabilities.unknown_because(name).is_some() {
            capabilities.insert(name);
        }
    }
    plan::gate_capabilities(ctx.plan, &capabilities);
    plan::gate_declared_schemas(ctx.plan, &ctx.schemas);
    plan::gate_undeclared_attributes(ctx.plan, &found.attributes);

    let info = RunInfo {
        target_url: ctx.target_url.clone(),
        profiles: ctx.profiles.clone(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: options.run_id.clone(),
        started_at: now_rfc3339(),
    };
    let mut summary = executor::execute(
        ctx.plan,
        ctx.client,
        Arc::new(ctx.schemas),
        info,
        options,
        events_tx,
    )
    .await;
    summary.coverage = Coverage::measure(&summary.results, |c| capabilities.has(c));
    let _ = console.await;
    // A second signal while the reports are written still quits at once.
    let cause = watcher.cause();
    if let Err(code) = write_reports(ctx.args, &summary) {
        return code;
    }
    drop(watcher);
    // A signal after the last scenario but before the reports were written still says so.
    match cause {
        Some(cause) if !summary.interrupted => cause.exit_code(),
        _ => Verdict::of(&summary).exit_code,
    }
}

fn write_reports(args: &RunArgs, summary: &RunSummary) -> Result<(), i32> {
    let mut results = Vec::new();
    if let Some(path) = &args.report_junit {
        results.push(("JUnit report", path, report::write_junit(summary, path)));
    }
    if let Some(path) = &args.report_json {
        results.push(("JSON report", path, report::write_json(summary, path)));
    }
    if let Some(path) = &args.report_html {
        results.push(("HTML report", path, report::write_html(summary, path)));
    }
    if let Some(path) = &args.report_markdown {
        results.push((
            "Markdown report",
            path,
            report::write_markdown(summary, path),
        ));
    }
    if let Some(dir) = &args.transcript {
        let written = report::write_transcripts(summary, dir).map(|_| ());
        results.push(("transcripts", dir, written));
    }
    let mut failed = false;
    for (what, path, result) in results {
        if let Err(e) = result {
            eprintln!("error: cannot write {what} {}: {e}", path.display());
            failed = true;
        }
    }
    // A CI job must not read a missing report as a pass.
    if failed {
        Err(exit::CANNOT_START)
    } else {
        Ok(())
    }
}

async fn start_embedded(
    args: &RunArgs,
    target: &mut crate::client::Target,
) -> Result<ServerHandle, i32> {
    let misbehaviours = match args.misbehave.as_deref().map(server::parse_misbehaviours) {
        Some(Ok(set)) => set,
        Some(Err(message)) => return Err(fail(exit::USAGE, message)),
        None => Default::default(),
    };
    let token = uuid::Uuid::new_v4().simple().to_string();
    let config = ServerConfig {
        token: Some(token.clone()),
        misbehaviours,
        ..ServerConfig::default()
    };
    let handle = server::start(config).await.map_err(|e| {
        fail(
            exit::CANNOT_START,
            format!("cannot start the embedded server: {e}"),
        )
    })?;
    target.base_url = handle.base_url().to_owned();
    target.auth = Auth::Bearer(secrecy::SecretString::from(token));
    Ok(handle)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
