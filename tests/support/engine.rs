//! Helpers for the engine tests: load scenarios from YAML text, build a client, run a
//! plan and collect its events, and count what a target holds.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use scimcheck::check::SchemaSet;
use scimcheck::client::{Auth, AuthMode, Client, HttpRequest, Target};
use scimcheck::plan::{Plan, PlannedScenario};
use scimcheck::result::{RunEvent, RunInfo, RunSummary};
use scimcheck::run::{ExecuteOptions, execute, new_run_id};
use scimcheck::server::{ServerConfig, ServerHandle, parse_misbehaviours, start};
use scimcheck::suite::{LoadOptions, load_source};
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

/// The reference server on a free loopback port, with the given misbehaviours.
pub async fn reference_server(token: Option<&str>, misbehaviours: &[&str]) -> ServerHandle {
    let config = ServerConfig {
        token: token.map(str::to_owned),
        misbehaviours: parse_misbehaviours(&misbehaviours.join(",")).expect("known misbehaviours"),
        ..ServerConfig::default()
    };
    start(config).await.expect("the reference server starts")
}

/// Scenarios from YAML text, all planned to run.
pub fn plan(yaml: &str) -> Plan {
    let options = LoadOptions {
        known_vars: vec!["secret".into(), "department".into(), "flag".into()],
        ..LoadOptions::default()
    };
    let scenarios = match load_source("engine-test.yaml", yaml, &options) {
        Ok(scenarios) => scenarios,
        Err(diagnostics) => panic!(
            "scenario text does not load:\n{}",
            diagnostics.render(false)
        ),
    };
    Plan {
        scenarios: scenarios.into_iter().map(PlannedScenario::new).collect(),
    }
}

pub fn target(base_url: &str, token: Option<&str>) -> Target {
    let mut target = Target::new(base_url);
    if let Some(token) = token {
        target.auth = Auth::Bearer(SecretString::from(token.to_owned()));
    }
    target.timeout = Duration::from_secs(10);
    target
}

pub fn client(base_url: &str, token: Option<&str>) -> Arc<Client> {
    Arc::new(Client::new(target(base_url, token)).expect("client builds"))
}

pub fn options(jobs: usize) -> ExecuteOptions {
    ExecuteOptions {
        adapter: Default::default(),
        jobs,
        keep: false,
        vars: BTreeMap::new(),
        run_id: new_run_id(),
        cancel: CancellationToken::new(),
        ..ExecuteOptions::default()
    }
}

pub fn info(client: &Client, run_id: &str) -> RunInfo {
    RunInfo {
        target_url: client.base_url().to_owned(),
        profiles: Vec::new(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        run_id: run_id.into(),
        started_at: "2026-01-01T00:00:00Z".into(),
    }
}

/// Runs the plan and returns the summary with every event in emission order.
pub async fn run(
    plan: &Plan,
    client: Arc<Client>,
    options: ExecuteOptions,
) -> (RunSummary, Vec<RunEvent>) {
    let schemas = Arc::new(SchemaSet::for_plan(plan).expect("schemas compile"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let info = info(&client, &options.run_id);
    let summary = execute(plan, client, schemas, info, options, tx).await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    (summary, events)
}

/// Like `run`, but reads the target's discovery endpoints first, as `scimcheck run` does,
/// so `declared:` schemas are derived from what the target declares.
pub async fn run_discovered(
    plan: &Plan,
    client: Arc<Client>,
    options: ExecuteOptions,
) -> (RunSummary, Vec<String>) {
    let found = scimcheck::discovery::discover(&client)
        .await
        .expect("discovery");
    let mut schemas = SchemaSet::for_plan(plan).expect("schemas compile");
    schemas.add_declared(&found.declared);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let info = info(&client, &options.run_id);
    let summary = execute(plan, client, Arc::new(schemas), info, options, tx).await;
    (summary, found.warnings)
}

/// How many users on the target have a userName starting with `prefix`.
pub async fn count_users(client: &Client, prefix: &str) -> u64 {
    let sent = client
        .send(&HttpRequest {
            step: "count".into(),
            method: "GET".into(),
            path: "/Users".into(),
            query: vec![("filter".into(), format!("userName sw \"{prefix}\""))],
            auth: AuthMode::Default,
            ..HttpRequest::default()
        })
        .await;
    let response = sent.outcome.expect("count request answered");
    assert_eq!(
        response.status,
        200,
        "count: {}",
        String::from_utf8_lossy(&response.body)
    );
    let body: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON list");
    body["totalResults"].as_u64().expect("totalResults")
}

/// Start/finish pairs in event order: `(id, started_at_index, finished_at_index)`.
pub fn spans(events: &[RunEvent]) -> Vec<(String, usize, usize)> {
    let mut started = BTreeMap::new();
    let mut spans = Vec::new();
    for (i, event) in events.iter().enumerate() {
        match event {
            RunEvent::ScenarioStarted { id } => {
                started.insert(id.clone(), i);
            }
            RunEvent::ScenarioFinished(result) => {
                if let Some(start) = started.remove(&result.id) {
                    spans.push((result.id.clone(), start, i));
                }
            }
            _ => {}
        }
    }
    spans
}

/// The largest number of scenarios running at once, from the events.
pub fn max_overlap(events: &[RunEvent]) -> usize {
    let mut running = std::collections::BTreeSet::new();
    let mut max = 0;
    for event in events {
        match event {
            RunEvent::ScenarioStarted { id } => {
                running.insert(id.clone());
                max = max.max(running.len());
            }
            RunEvent::ScenarioFinished(result) => {
                running.remove(&result.id);
            }
            _ => {}
        }
    }
    max
}
