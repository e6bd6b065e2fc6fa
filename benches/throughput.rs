//! Speed of the parts a run spends its time in: the filter grammar, loading the built-in
//! suite, and a whole conformance run against the embedded server (requests per second,
//! and the tool's own overhead per request). `cargo bench --bench throughput`; pass a
//! number to change the iteration count. Numbers are printed, not asserted: speed is
//! compared between commits, never gated by wall-clock thresholds in tests.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scimcheck::check::SchemaSet;
use scimcheck::client::{Auth, Client, Target};
use scimcheck::discovery;
use scimcheck::plan::{self, Selection};
use scimcheck::result::RunInfo;
use scimcheck::run::{self, ExecuteOptions};
use scimcheck::scim::{NoSchema, matches, parse_filter};
use scimcheck::server::{self, ServerConfig};
use scimcheck::suite::{self, LoadOptions};
use secrecy::SecretString;
use serde_json::json;
use tokio_util::sync::CancellationToken;

const FILTER: &str = r#"userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or meta.lastModified gt "2011-05-13T04:42:34Z") and not (title pr)"#;

fn main() {
    let iterations: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    bench("filter parse", iterations, || {
        black_box(parse_filter(black_box(FILTER)).ok());
    });
    let filter = parse_filter(FILTER).expect("the benchmark filter parses");
    let user = json!({
        "userName": "ada@example.com", "userType": "Employee",
        "emails": [{"type": "home", "value": "ada@home.test"}, {"type": "work", "value": "ada@example.com"}],
        "meta": {"lastModified": "2024-01-01T00:00:00Z"}
    });
    bench("filter evaluate", iterations, || {
        black_box(matches(&filter, black_box(&user), &NoSchema));
    });
    bench("load built-in suite", (iterations / 1000).max(3), || {
        black_box(suite::load_builtin(&LoadOptions::default()).ok());
    });
    whole_run();
}

fn bench(name: &str, iterations: u32, mut body: impl FnMut()) {
    body();
    let start = Instant::now();
    for _ in 0..iterations {
        body();
    }
    let per = start.elapsed() / iterations;
    println!(
        "{name:<22} {:>10.2} µs/iter ({iterations} iterations)",
        micros(per)
    );
}

fn whole_run() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let token = "bench-token".to_owned();
        let server = server::start(ServerConfig {
            token: Some(token.clone()),
            ..ServerConfig::default()
        })
        .await
        .expect("embedded server starts");
        let mut target = Target::new(server.base_url());
        target.auth = Auth::Bearer(SecretString::from(token));
        let client = Arc::new(Client::new(target).expect("client"));
        let suite = suite::load_builtin(&LoadOptions::default()).expect("built-in suite loads");
        let mut plan = plan::select(&suite, &Selection::default());
        let found = discovery::discover(&client).await.expect("discovery");
        let mut capabilities = found.capabilities;
        capabilities.insert("auth");
        plan::gate_capabilities(&mut plan, &capabilities);
        let mut schemas = SchemaSet::for_plan(&plan).expect("schemas compile");
        schemas.add_declared(&found.declared);
        let schemas = Arc::new(schemas);
        for jobs in [1, 4] {
            let run_id = run::new_run_id();
            let info = RunInfo {
                target_url: client.base_url().to_owned(),
                profiles: Vec::new(),
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
                run_id: run_id.clone(),
                started_at: String::new(),
            };
            let options = ExecuteOptions {
                adapter: Default::default(),
                jobs,
                keep: false,
                vars: BTreeMap::new(),
                run_id,
                cancel: CancellationToken::new(),
                ..ExecuteOptions::default()
            };
            let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
            let start = Instant::now();
            let summary = run::execute(
                &plan,
                client.clone(),
                schemas.clone(),
                info,
                options,
                events,
            )
            .await;
            let elapsed = start.elapsed();
            let requests: usize = summary.results.iter().map(|r| r.exchanges.len()).sum();
            let failing = summary
                .results
                .iter()
                .filter(|r| r.outcome.label() != "pass")
                .count();
            println!(
                "whole run, jobs={jobs:<2}    {:>8.1} ms for {} scenarios, {requests} requests \
                 ({:.0} req/s, {:.0} µs per request; {failing} not passing)",
                millis(elapsed),
                summary.results.len(),
                requests as f64 / elapsed.as_secs_f64(),
                micros(elapsed) / requests.max(1) as f64,
            );
        }
        server.shutdown().await;
    });
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
