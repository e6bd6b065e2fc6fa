//! `scimcheck run`: load, plan, start the target if embedded, then hand the run to the
//! `RunBuilder` with the console and the stop watcher listening, and write the reports.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::reports::ReportArgs;
use super::settings::{self, SelectionArgs, TargetArgs};
use super::{CliError, CommandResult, Context, load, stop};
use crate::client::{Auth, Target};
use crate::exit;
use crate::plan;
use crate::profile::{Adapter, Profiles};
use crate::report;
use crate::report::ConsoleReporter;
use crate::result::{RunEvent, Verdict};
use crate::run::{RunBuilder, Stop};
use crate::server::{self, ServerConfig, ServerHandle};
use crate::vocabulary::Partition;

/// Scenarios at a time when `--jobs` is not given.
const DEFAULT_JOBS: usize = 4;
/// Most scenarios at a time; more would only be a way to flood the target.
const MAX_JOBS: usize = 256;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Scenarios run at the same time
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only slice K of N of the selected scenarios (e.g. 2/4), to spread one run
    /// over N CI jobs; a scenario's slice follows from its id alone. `scimcheck merge`
    /// puts the slices' JSON reports together again
    #[arg(long, value_name = "K/N", value_parser = Partition::parse)]
    pub partition: Option<Partition>,
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
    #[command(flatten)]
    pub reports: ReportArgs,
    /// JSON report of an earlier run (--report-json): only failures not in it fail this
    /// run, and the ones it had that now pass are listed as fixed
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Plain lines instead of a progress bar
    #[arg(long)]
    pub no_progress: bool,
    /// Show the transcript of failing scenarios, and the notes of passing ones, on the console
    #[arg(long, short)]
    pub verbose: bool,
    /// Misbehaviours of the embedded server (comma-separated; only without --url),
    /// to see which checks catch them; `scimcheck serve --help` lists them
    #[arg(long, value_name = "LIST")]
    pub misbehave: Option<String>,
}

pub async fn run(args: RunArgs, ctx: &Context) -> CommandResult {
    let config = settings::load_config(&args.target).map_err(CliError::usage)?;
    let mut target =
        settings::resolve_target(&args.target, config.as_ref(), ctx).map_err(CliError::usage)?;
    let vars = settings::resolve_vars(&args.selection, config.as_ref()).map_err(CliError::usage)?;
    let jobs = args
        .jobs
        .or(config.as_ref().and_then(|c| c.jobs))
        .unwrap_or(DEFAULT_JOBS);
    if !(1..=MAX_JOBS).contains(&jobs) {
        return Err(CliError::usage(format!(
            "--jobs must be between 1 and {MAX_JOBS}, not {jobs}"
        )));
    }
    let strict = args.strict || config.as_ref().and_then(|c| c.strict).unwrap_or(false);
    let deadline = settings::resolve_deadline(args.deadline.as_deref(), config.as_ref())
        .map_err(CliError::usage)?;
    let embedded = target.base_url.is_empty();
    if !embedded && args.misbehave.is_some() {
        return Err(CliError::usage(
            "--misbehave switches the embedded server; it cannot be used with --url",
        ));
    }
    args.reports.check()?;
    let baseline = args
        .baseline
        .as_deref()
        .map(report::read_baseline)
        .transpose()
        .map_err(|e| CliError::usage(format!("--baseline: {e}")))?;

    let profiles = load::named_profiles(&settings::resolve_profiles(
        &args.selection,
        config.as_ref(),
        ctx,
    ))?;
    // The products' own scenarios join the suites the run loads.
    let sources = settings::resolve_suites(&args.selection, config.as_ref()).and_then(|mut s| {
        s.extend(profiles.scenario_sources()?);
        Ok(s)
    });
    let suite = load::suite(sources, &vars)?;
    load::warn_unmatched(&profiles, &suite);
    let adapter = Adapter::new(&profiles, &vars).map_err(CliError::usage)?;
    let selection = settings::resolve_selection(&args.selection, config.as_ref());
    let builder = RunBuilder::new(plan::select(&suite, &selection))
        .profiles(&profiles)
        .adapter(adapter)
        .baseline(baseline)
        .jobs(jobs)
        .keep(args.keep)
        .strict(strict)
        .vars(vars);
    if builder.runnable() == 0 {
        return Err(CliError::new(
            exit::NOTHING_SELECTED,
            "no scenario matches the selection",
        ));
    }
    // Slices are taken of the whole selection: a slice may be empty, and still reports.
    let builder = match args.partition {
        Some(partition) => builder.partition(partition),
        None => builder,
    };
    let (embedded_server, builder) = if embedded {
        let (handle, described) = start_embedded(&args, &profiles, &mut target).await?;
        (Some(handle), builder.embedded(described))
    } else {
        (None, builder)
    };
    let outcome = run_against(&args, builder.target(target), deadline, ctx).await;
    if let Some(handle) = embedded_server {
        handle.shutdown().await;
    }
    outcome
}

async fn run_against(
    args: &RunArgs,
    builder: RunBuilder,
    deadline: Duration,
    ctx: &Context,
) -> CommandResult {
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
    let stop = Stop::default();
    // Built-in schemas compile now, so a broken one is a usage error before any request;
    // `declared:` ones once discovery has read the target's /Schemas.
    let mut run = builder
        .stop(stop.clone())
        .events(events.clone())
        .build()
        .map_err(CliError::usage)?;
    // The console and the stop watcher start before discovery: a signal or the deadline
    // during discovery still ends in cleanup (of nothing) and reports.
    let console_options = ctx.console_options(args.no_progress, args.verbose);
    let console = tokio::task::spawn_blocking(move || {
        let mut reporter = ConsoleReporter::stdout(console_options);
        while let Some(event) = received.blocking_recv() {
            reporter.on_event(&event);
        }
    });
    let watcher = stop::watch(
        stop::Controls {
            stop,
            client: run.client().clone(),
            events: events.downgrade(),
        },
        deadline,
    );
    // The console ends when the run lets go of its sender.
    drop(events);
    let discovery = run.discover().await.map_err(CliError::cannot_start)?;
    for warning in discovery.iter().flat_map(|d| d.warnings()) {
        eprintln!("warning: {warning}");
    }
    let summary = run.execute().await.map_err(CliError::cannot_start)?;
    let _ = console.await;
    // A second signal while the reports are written still quits at once.
    let cause = watcher.cause();
    args.reports.write(&summary)?;
    drop(watcher);
    // A signal after the last scenario but before the reports were written still says so.
    Ok(match cause {
        Some(cause) if !summary.interrupted => cause.exit_code(),
        _ => Verdict::of(&summary).exit_code,
    })
}

/// The embedded server; with a profile that describes a product, it emulates that
/// product as `serve --profile` does (a token endpoint aside: it takes the run's token).
/// Returned with how reports name it.
async fn start_embedded(
    args: &RunArgs,
    profiles: &Profiles,
    target: &mut Target,
) -> Result<(ServerHandle, String), CliError> {
    let misbehaviours = match args.misbehave.as_deref().map(server::parse_misbehaviours) {
        Some(set) => set.map_err(CliError::usage)?,
        None => Default::default(),
    };
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut config = ServerConfig {
        token: Some(token.clone()),
        misbehaviours,
        ..ServerConfig::default()
    };
    for profile in profiles.iter().filter(|p| p.product != Default::default()) {
        crate::profile::apply_to(profile, &mut config).map_err(CliError::usage)?;
    }
    let mut described = "embedded reference server".to_owned();
    if !config.misbehaviours.is_empty() {
        let names: Vec<&str> = config.misbehaviours.iter().map(|m| m.name()).collect();
        described.push_str(&format!(" misbehaving: {}", names.join(", ")));
    }
    let handle = server::start(config)
        .await
        .map_err(|e| CliError::cannot_start(format!("cannot start the embedded server: {e}")))?;
    target.base_url = handle.base_url().to_owned();
    target.auth = Auth::Bearer(secrecy::SecretString::from(token));
    Ok((handle, described))
}
