//! The conformance scenarios as libtest tests: one test per scenario, named by its id.
//!
//! `cargo test --test conformance` runs the built-in suite against the embedded reference
//! server; `SCIMCHECK_URL=... SCIMCHECK_TOKEN=... cargo test --test conformance` against a
//! live one. `SCIMCHECK_SUITE=dir1,dir2` adds suites and `SCIMCHECK_NO_BUILTIN=1` leaves the
//! built-in one out, as `--suite` and `--no-builtin` do; `SCIMCHECK_PROFILE=okta` (or a list,
//! `entra-id,talentech`, applied in order) judges with profiles: their deviations pass,
//! their exclusions are ignored tests. libtest filtering,
//! `--list`, `--exact` and nextest work as usual; a scenario whose capability the target does
//! not advertise is reported as ignored with the reason.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use scimcheck::check::SchemaSet;
use scimcheck::client::{Auth, Client, Target};
use scimcheck::discovery::{self, Capabilities, DeclaredAttributes};
use scimcheck::plan::{self, Plan, PlannedScenario};
use scimcheck::profile::{self, Profiles};
use scimcheck::result::{Outcome, RunInfo};
use scimcheck::run::{self, ExecuteOptions};
use scimcheck::server::{self, ServerConfig, ServerHandle};
use scimcheck::suite::{self, LoadOptions, model::Scenario};
use secrecy::SecretString;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

/// What every test shares: one runtime, one target, one discovery.
struct Session {
    runtime: Runtime,
    client: Arc<Client>,
    capabilities: Capabilities,
    attributes: DeclaredAttributes,
    schemas: Arc<SchemaSet>,
    profiles: Profiles,
    /// Exclusive scenarios take it for writing, all others for reading.
    exclusive: RwLock<()>,
    /// Kept alive for the whole process when the target is embedded.
    _server: Option<ServerHandle>,
}

static SESSION: OnceLock<Result<Session, String>> = OnceLock::new();

fn main() {
    let args = Arguments::from_args();
    let scenarios = match load_scenarios() {
        Ok(scenarios) => scenarios,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    if let Ok(spec) = std::env::var("SCIMCHECK_PROFILE")
        && let Err(message) = profile::load_all(&[spec])
    {
        eprintln!("error: SCIMCHECK_PROFILE: {message}");
        std::process::exit(2);
    }
    let trials = scenarios
        .into_iter()
        .map(|scenario| {
            let name = scenario.id.clone();
            Trial::ignorable_test(name, move || run_one(scenario))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn load_scenarios() -> Result<Vec<Arc<Scenario>>, String> {
    let specs: Vec<PathBuf> = std::env::var("SCIMCHECK_SUITE")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    let no_builtin = std::env::var("SCIMCHECK_NO_BUILTIN").is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    });
    let sources = suite::resolve_sources(&specs, no_builtin)?;
    suite::load_sources(&sources, &LoadOptions::default())
        .map(|s| s.scenarios)
        .map_err(|d| d.render(false))
}

fn session() -> Result<&'static Session, Failed> {
    SESSION
        .get_or_init(start_session)
        .as_ref()
        .map_err(|message| Failed::from(message.as_str()))
}

fn start_session() -> Result<Session, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let (target, server) = runtime.block_on(target_from_env())?;
    let has_credentials = !matches!(target.auth, Auth::None);
    let client = Client::new(target).map_err(|e| e.to_string())?;
    let found = runtime
        .block_on(discovery::discover(&client))
        .map_err(|e| e.to_string())?;
    let mut capabilities = found.capabilities;
    if has_credentials {
        capabilities.insert("auth");
    }
    let all = load_scenarios()?;
    let plan = Plan {
        scenarios: all.into_iter().map(planned).collect(),
    };
    let mut schemas = SchemaSet::for_plan(&plan).map_err(|e| e.to_string())?;
    schemas.add_declared(&found.declared);
    let profiles = match std::env::var("SCIMCHECK_PROFILE") {
        Ok(spec) => profile::load_all(&[spec])?,
        Err(_) => Profiles::default(),
    };
    Ok(Session {
        runtime,
        client: Arc::new(client),
        capabilities,
        attributes: found.attributes,
        schemas: Arc::new(schemas),
        profiles,
        exclusive: RwLock::new(()),
        _server: server,
    })
}

async fn target_from_env() -> Result<(Target, Option<ServerHandle>), String> {
    if let Ok(url) = std::env::var("SCIMCHECK_URL") {
        let mut target = Target::new(url);
        if let Ok(token) = std::env::var("SCIMCHECK_TOKEN") {
            target.auth = Auth::Bearer(SecretString::from(token));
        }
        return Ok((target, None));
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let config = ServerConfig {
        token: Some(token.clone()),
        ..ServerConfig::default()
    };
    let server = server::start(config)
        .await
        .map_err(|e| format!("cannot start the embedded server: {e}"))?;
    let mut target = Target::new(server.base_url());
    target.auth = Auth::Bearer(SecretString::from(token));
    Ok((target, Some(server)))
}

fn planned(scenario: Arc<Scenario>) -> PlannedScenario {
    PlannedScenario::new(scenario)
}

fn run_one(scenario: Arc<Scenario>) -> Result<Completion, Failed> {
    let session = session()?;
    let mut plan = Plan {
        scenarios: vec![planned(scenario.clone())],
    };
    session.profiles.apply(&mut plan);
    plan::gate_capabilities(&mut plan, &session.capabilities);
    plan::gate_declared_schemas(&mut plan, &session.schemas);
    plan::gate_undeclared_attributes(&mut plan, &session.attributes);
    if let Some(skip) = &plan.scenarios[0].skip {
        return Ok(Completion::ignored_with(&skip.reason));
    }
    let _turn = if scenario.exclusive {
        Turn::Alone(session.exclusive.write().unwrap_or_else(|e| e.into_inner()))
    } else {
        Turn::Shared(session.exclusive.read().unwrap_or_else(|e| e.into_inner()))
    };
    // Each test is its own run: unique values are numbered per run, so a shared run id
    // would hand two tests the same userName.
    let run_id = run::new_run_id();
    let info = RunInfo {
        target_url: session.client.base_url().to_owned(),
        profiles: session.profiles.names(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: run_id.clone(),
        started_at: String::new(),
    };
    let options = ExecuteOptions {
        adapter: Default::default(),
        jobs: 1,
        keep: false,
        vars: BTreeMap::new(),
        run_id,
        cancel: CancellationToken::new(),
        ..ExecuteOptions::default()
    };
    let (events, _ignored) = tokio::sync::mpsc::unbounded_channel();
    let summary = session.runtime.block_on(run::execute(
        &plan,
        session.client.clone(),
        session.schemas.clone(),
        info,
        options,
        events,
    ));
    let result = summary
        .results
        .into_iter()
        .next()
        .ok_or_else(|| Failed::from("the executor returned no result"))?;
    let mut message = match &result.outcome {
        Outcome::Pass | Outcome::Deviation { .. } | Outcome::Warn { .. } => String::new(),
        Outcome::Skip { reason, .. } => return Ok(Completion::ignored_with(reason)),
        Outcome::Blocked {
            precondition,
            failures,
        } => std::iter::once(format!("blocked: {precondition}"))
            .chain(failures.iter().map(|f| f.rendered.clone()))
            .collect::<Vec<_>>()
            .join("\n"),
        Outcome::Fail { failures } => failures
            .iter()
            .map(|f| f.rendered.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        Outcome::Error { message } => format!("could not be judged: {message}"),
    };
    for problem in &result.cleanup_errors {
        message.push_str(&format!("\ncleanup: {problem}"));
    }
    if message.is_empty() {
        Ok(Completion::Completed)
    } else {
        Err(Failed::from(message.trim_start()))
    }
}

/// Holds the exclusivity lock for the duration of one scenario.
enum Turn<'a> {
    Alone(#[allow(dead_code)] std::sync::RwLockWriteGuard<'a, ()>),
    Shared(#[allow(dead_code)] std::sync::RwLockReadGuard<'a, ()>),
}
