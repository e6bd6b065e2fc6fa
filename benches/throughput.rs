//! The figures BENCHMARKS.md states, in one quick run (`cargo bench`, well under three
//! minutes): the filter grammar; the core suite against the embedded server at
//! `--jobs 1`, the default and 16, with requests counted at the server; the tool's time
//! per request against a bare reqwest loop sending the same requests to the same server;
//! the CLI's peak RSS and `list` start-up; load and plan time of 500, 1,000 and 5,000
//! generated scenarios; and jobs 4 against 16 against PyPI scim2-server when
//! `.ci/external-peer` has installed it in `.venv`.
//!
//! Numbers are printed, not asserted: speed is compared between commits, never gated by
//! wall-clock thresholds in tests. Each timed figure is the median of a few repetitions,
//! since the machine may be shared.

use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scimcheck::RunBuilder;
use scimcheck::client::{Auth, Target};
use scimcheck::plan::{self, Plan, Selection};
use scimcheck::result::{Exchange, RunSummary};
use scimcheck::scim::{NoSchema, matches, parse_filter};
use scimcheck::server::{
    self, Intervention, RequestHook, SeenRequest, SeenResponse, ServerConfig, ServerHandle,
};
use scimcheck::suite::{self, LoadOptions};
use secrecy::SecretString;
use serde_json::json;

const FILTER: &str = r#"userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or meta.lastModified gt "2011-05-13T04:42:34Z") and not (title pr)"#;
const TOKEN: &str = "bench-token";
/// Repetitions of each timed run; the median is printed.
const REPEATS: usize = 3;
const DEFAULT_JOBS: usize = 4;

fn main() {
    println!("machine: {}", machine());
    micro_benches();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(embedded_runs());
    cli_figures();
    load_and_plan();
    runtime.block_on(peer_runs());
}

fn micro_benches() {
    bench("filter parse", 20_000, || {
        black_box(parse_filter(black_box(FILTER)).ok());
    });
    let filter = parse_filter(FILTER).expect("the benchmark filter parses");
    let user = json!({
        "userName": "ada@example.com", "userType": "Employee",
        "emails": [{"type": "home", "value": "ada@home.test"}, {"type": "work", "value": "ada@example.com"}],
        "meta": {"lastModified": "2024-01-01T00:00:00Z"}
    });
    bench("filter evaluate", 20_000, || {
        black_box(matches(&filter, black_box(&user), &NoSchema));
    });
    bench("load built-in suite", 10, || {
        black_box(suite::load_builtin(&LoadOptions::default()).ok());
    });
}

fn bench(name: &str, iterations: u32, mut body: impl FnMut()) {
    body();
    let start = Instant::now();
    for _ in 0..iterations {
        body();
    }
    let per = start.elapsed() / iterations;
    println!(
        "{name:<28} {:>10.2} µs/iter ({iterations} iterations)",
        micros(per)
    );
}

/// Counts the requests a server receives.
#[derive(Default)]
struct Counter(AtomicUsize);

impl RequestHook for Counter {
    fn arrived(&self, _: &SeenRequest) -> Intervention {
        self.0.fetch_add(1, Ordering::Relaxed);
        Intervention::Serve
    }

    fn answered(&self, _: &SeenRequest, _: &SeenResponse, _: Option<&SeenResponse>) {}
}

impl Counter {
    fn take(&self) -> usize {
        self.0.swap(0, Ordering::Relaxed)
    }
}

async fn embedded(counter: &Arc<Counter>) -> ServerHandle {
    server::start(ServerConfig {
        token: Some(TOKEN.to_owned()),
        hook: Some(counter.clone() as Arc<dyn RequestHook>),
        ..ServerConfig::default()
    })
    .await
    .expect("embedded server starts")
}

fn target(base_url: &str) -> Target {
    let mut target = Target::new(base_url);
    target.auth = Auth::Bearer(SecretString::from(TOKEN.to_owned()));
    target
}

fn core_plan() -> Plan {
    let suite = suite::load_builtin(&LoadOptions::default()).expect("built-in suite loads");
    plan::select(&suite, &Selection::default())
}

/// One run's figures: wall time, requests the server saw, own CPU of the process.
struct Timed {
    wall: Duration,
    requests: usize,
    cpu: Duration,
    summary: RunSummary,
}

/// Runs `plan` with `jobs` against `base_url` (discovery read once, before the clock).
async fn timed_run(plan: &Plan, base_url: &str, jobs: usize, counter: Option<&Counter>) -> Timed {
    let mut run = RunBuilder::new(plan.clone())
        .target(target(base_url))
        .jobs(jobs)
        .build()
        .expect("the run builds");
    run.discover().await.expect("discovery");
    if let Some(counter) = counter {
        counter.take();
    }
    let cpu = process_cpu();
    let start = Instant::now();
    let summary = run.execute().await.expect("the run starts");
    let wall = start.elapsed();
    let cpu = process_cpu().saturating_sub(cpu);
    let requests = match counter {
        Some(counter) => counter.take(),
        None => summary.totals.requests,
    };
    Timed {
        wall,
        requests,
        cpu,
        summary,
    }
}

async fn median_run(plan: &Plan, base_url: &str, jobs: usize, counter: Option<&Counter>) -> Timed {
    let mut runs = Vec::new();
    for _ in 0..REPEATS {
        runs.push(timed_run(plan, base_url, jobs, counter).await);
    }
    runs.sort_by_key(|t| t.wall);
    runs.swap_remove(REPEATS / 2)
}

fn describe(label: &str, timed: &Timed) {
    let scenarios = timed.summary.results.len();
    let not_passing = timed
        .summary
        .results
        .iter()
        .filter(|r| r.outcome.label() != "pass")
        .count();
    println!(
        "{label:<28} {:>8.1} ms, {scenarios} scenarios, {} requests ({:.2} per scenario), \
         {:.0} µs wall and {:.0} µs CPU per request; {not_passing} not passing",
        millis(timed.wall),
        timed.requests,
        timed.requests as f64 / scenarios.max(1) as f64,
        micros(timed.wall) / timed.requests.max(1) as f64,
        micros(timed.cpu) / timed.requests.max(1) as f64,
    );
}

async fn embedded_runs() {
    let counter = Arc::new(Counter::default());
    let server = embedded(&counter).await;
    let plan = core_plan();
    let base = server.base_url().to_owned();
    let one = median_run(&plan, &base, 1, Some(&counter)).await;
    describe("core suite, jobs 1", &one);
    let default = median_run(&plan, &base, DEFAULT_JOBS, Some(&counter)).await;
    describe("core suite, jobs 4 (default)", &default);
    let sixteen = median_run(&plan, &base, 16, Some(&counter)).await;
    describe("core suite, jobs 16", &sixteen);
    println!(
        "jobs 16 / jobs 4 wall          {:>8.2}×",
        sixteen.wall.as_secs_f64() / default.wall.as_secs_f64()
    );
    bare_loop(&one).await;
    server.shutdown().await;
}

/// The jobs-1 run's requests again, one at a time, from a bare reqwest client: what the
/// server and the HTTP stack cost, without the tool.
async fn bare_loop(run: &Timed) {
    let exchanges: Vec<&Exchange> = run
        .summary
        .results
        .iter()
        .flat_map(|r| &r.exchanges)
        .filter(|e| e.attempt == 1)
        .collect();
    let http = reqwest::Client::new();
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..REPEATS {
        let cpu = process_cpu();
        let start = Instant::now();
        for exchange in &exchanges {
            let method = reqwest::Method::from_bytes(exchange.method.as_bytes())
                .unwrap_or(reqwest::Method::GET);
            let mut request = http
                .request(method, exchange.url.as_str())
                .bearer_auth(TOKEN);
            for (name, value) in &exchange.request_headers {
                let name = name.to_ascii_lowercase();
                if matches!(name.as_str(), "content-type" | "accept" | "if-match") {
                    request = request.header(name, value);
                }
            }
            if let Some(body) = &exchange.request_body {
                request = request.body(body.clone());
            }
            if let Ok(response) = request.send().await {
                black_box(response.bytes().await.ok());
            }
        }
        walls.push(start.elapsed());
        cpus.push(process_cpu().saturating_sub(cpu));
    }
    walls.sort();
    cpus.sort();
    let (wall, cpu) = (walls[REPEATS / 2], cpus[REPEATS / 2]);
    let n = exchanges.len().max(1) as f64;
    let bare_per = micros(wall) / n;
    let tool_per = micros(run.wall) / run.requests.max(1) as f64;
    println!(
        "bare reqwest loop, same requests {:>8.1} ms for {} requests, {bare_per:.0} µs wall and \
         {:.0} µs CPU per request",
        millis(wall),
        exchanges.len(),
        micros(cpu) / n
    );
    println!(
        "overhead per request, jobs 1  {:>8.2}× the bare loop ({:+.0} µs wall, {:+.0} µs CPU)",
        tool_per / bare_per,
        tool_per - bare_per,
        micros(run.cpu) / run.requests.max(1) as f64 - micros(cpu) / n
    );
}

/// The binary as a user runs it: peak RSS of a whole run, and `list` start-up.
fn cli_figures() {
    let bin = env!("CARGO_BIN_EXE_scimcheck");
    let (wall, rss) = child(bin, &["run", "--no-progress"]);
    println!(
        "scimcheck run (process)      {:>8.1} ms, peak RSS {:.1} MB",
        millis(wall),
        rss as f64 / 1024.0
    );
    let mut walls: Vec<Duration> = (0..5).map(|_| child(bin, &["list"]).0).collect();
    walls.sort();
    println!(
        "scimcheck list start-up      {:>8.1} ms (median of 5)",
        millis(walls[2])
    );
}

/// Wall time and peak RSS (KiB) of `bin args`.
fn child(bin: &str, args: &[&str]) -> (Duration, i64) {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scimcheck starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 reaped the child");
    // Reaped already; dropping a Child neither waits nor kills.
    drop(child);
    (wall, usage.ru_maxrss)
}

/// Load and plan time of generated suites: copies of the core suite's scenarios under
/// new ids, so the growth shows (per scenario, it should stay flat).
fn load_and_plan() {
    let documents = core_documents();
    for n in [500, 1000, 5000] {
        let text = generated_suite(&documents, n);
        let mut walls = Vec::new();
        for _ in 0..REPEATS {
            let start = Instant::now();
            let scenarios = suite::load_source("generated.yaml", &text, &LoadOptions::default())
                .unwrap_or_else(|d| panic!("{}", d.render(false)));
            let loaded = suite::model::Suite { scenarios };
            let plan = plan::select(&loaded, &Selection::default());
            assert_eq!(plan.scenarios.len(), n);
            walls.push(start.elapsed());
        }
        walls.sort();
        let wall = walls[REPEATS / 2];
        println!(
            "load+plan {n:>5} scenarios      {:>8.1} ms, {:.0} µs per scenario",
            millis(wall),
            micros(wall) / n as f64
        );
    }
}

/// Every scenario document of the core suite (not its fixtures), as written.
fn core_documents() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("suites/core");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("suites/core")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("fixtures.yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("readable");
            text.split("\n---\n")
                .filter(|doc| doc.lines().any(|l| l.starts_with("id: ")))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn generated_suite(documents: &[String], n: usize) -> String {
    (0..n)
        .map(|i| {
            documents[i % documents.len()]
                .lines()
                .map(|line| match line.strip_prefix("id: ") {
                    Some(id) => format!("id: {id}.g{i}"),
                    None => line.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Jobs 4 against 16 against PyPI scim2-server, when `.ci/external-peer` installed it.
async fn peer_runs() {
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server");
    if !peer.is_file() {
        println!(
            "scim2-server (PyPI)          not installed (.ci/external-peer installs it): skipped"
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut process = Command::new(&peer)
        .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
        .args(["--bearer-token", TOKEN])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scim2-server starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = process.kill();
            let _ = process.wait();
            println!("scim2-server (PyPI)          did not start: skipped");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = format!("http://127.0.0.1:{port}/v2");
    let plan = core_plan();
    let four = median_run(&plan, &base, 4, None).await;
    describe("scim2-server, jobs 4", &four);
    let sixteen = median_run(&plan, &base, 16, None).await;
    describe("scim2-server, jobs 16", &sixteen);
    println!(
        "scim2-server jobs 16 / jobs 4  {:>8.2}×",
        sixteen.wall.as_secs_f64() / four.wall.as_secs_f64()
    );
    let _ = process.kill();
    let _ = process.wait();
}

/// User plus system CPU time of this process so far.
fn process_cpu() -> Duration {
    // SAFETY: rusage is plain old data that getrusage fills.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The CPU model and core count, for the record.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{model}, {cores} cores, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
