//! The figures BENCHMARKS.md states, in one run (`cargo bench`, about four
//! minutes): the filter grammar; the core suite against the embedded server at
//! `--jobs 1`, the default and 16, with requests counted at the server; the tool's time
//! per request against a bare reqwest loop sending the same requests to the same server
//! (in turns with the jobs-1 runs, so that both meet the machine in the same state);
//! the CLI's peak RSS and `list` start-up; load and plan time of 500, 1,000 and 5,000
//! generated scenarios; and, against PyPI scim2-server when `.ci/external-peer` has
//! installed it in `.venv`, the jobs-1 run against a bare loop and jobs 4 against 16.
//!
//! Numbers are printed, not asserted: speed is compared between commits, never gated by
//! wall-clock thresholds in tests. Each timed figure is the median of a few repetitions,
//! since the machine may be shared; a ratio is the median of pairs taken in turns, each
//! pair's own ratio, with the pairs' range beside it. `cargo bench -- peer` (or any of
//! `PARTS`) runs only the parts named.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scimcheck::RunBuilder;
use scimcheck::client::{Auth, Target};
use scimcheck::plan::{self, Plan, Selection};
use scimcheck::result::{Exchange, RunSummary};
use scimcheck::scim::{NoSchema, matches, parse_filter};
use scimcheck::suite::{self, LoadOptions, SuiteSource};
use secrecy::SecretString;
use serde_json::json;

const FILTER: &str = r#"userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or meta.lastModified gt "2011-05-13T04:42:34Z") and not (title pr)"#;
const TOKEN: &str = "bench-token";
/// Repetitions of a timed figure: pairs of runs at 4 and 16 jobs, loads of a suite.
const REPEATS: usize = 5;
/// Pairs of a jobs-1 run and a bare loop, for the overhead per request.
const OVERHEAD_PAIRS: usize = 15;
const DEFAULT_JOBS: usize = 4;

/// The bench's parts, in the order they run; `cargo bench -- peer embedded` runs only
/// those named (cargo's own `--bench` flag is ignored).
const PARTS: [&str; 5] = ["cli", "micro", "embedded", "load", "peer"];

fn main() {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(unknown) = named.iter().find(|n| !PARTS.contains(&n.as_str())) {
        eprintln!(
            "unknown part `{unknown}`; the parts are {}",
            PARTS.join(", ")
        );
        std::process::exit(2);
    }
    let runs = |part: &str| named.is_empty() || named.iter().any(|n| n == part);
    let machine = machine();
    println!("machine: {machine}");
    let mut table = Table::default();
    // As the CLI runs its client commands: on one thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // First: a child's peak RSS includes the parent's at the time it was started.
    if runs("cli") {
        cli_figures(&mut table);
    }
    if runs("micro") {
        micro_benches();
    }
    if runs("embedded") {
        runtime.block_on(embedded_runs(&mut table));
    }
    if runs("load") {
        load_and_plan(&mut table);
    }
    if runs("peer") {
        runtime.block_on(peer_runs(&mut table));
    }
    println!("\n{machine}\n");
    table.print();
}

/// The figures as a markdown table, for BENCHMARKS.md.
#[derive(Default)]
struct Table(Vec<(String, String)>);

impl Table {
    fn row(&mut self, what: &str, figure: String) {
        self.0.push((what.to_owned(), figure));
    }

    fn print(&self) {
        println!("| figure | value |\n|---|---|");
        for (what, figure) in &self.0 {
            println!("| {what} | {figure} |");
        }
    }
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

/// The reference server in its own process (`scimcheck serve`), so that this process's
/// CPU time is the client's alone.
struct ChildServer {
    /// Stopped when the server is dropped.
    _process: Stopped,
    base_url: String,
    /// The server's `--request-log`: one line per request it received.
    request_log: tempfile::TempDir,
}

impl ChildServer {
    fn start() -> ChildServer {
        use std::io::BufRead;
        let request_log = tempfile::tempdir().expect("a temporary directory");
        let mut process = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
            .args(["serve", "--port", "0", "--token", TOKEN, "--request-log"])
            .arg(request_log.path().join("requests.jsonl"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("scimcheck serve starts");
        let stdout = process.stdout.take().expect("piped stdout");
        let mut first = String::new();
        let mut reader = std::io::BufReader::new(stdout);
        reader
            .read_line(&mut first)
            .expect("the server says where it listens");
        // Keep reading: a closed pipe would end the server at its next line.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base_url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a URL in the server's first line")
            .to_owned();
        ChildServer {
            _process: Stopped(process),
            base_url,
            request_log,
        }
    }

    /// Requests the server has logged so far.
    fn requests_received(&self) -> usize {
        std::fs::read_to_string(self.request_log.path().join("requests.jsonl"))
            .map_or(0, |log| log.lines().count())
    }
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

/// One run's figures: wall time, requests sent on the clock, own CPU of the process.
struct Timed {
    wall: Duration,
    /// Every request the client sent after discovery: retries, cleanup, decoys and
    /// shared fixtures included (the run's own count; `requests_at_server` checks it).
    requests: usize,
    cpu: Duration,
    summary: RunSummary,
}

/// Runs `plan` with `jobs` against `base_url` (discovery read once, before the clock).
async fn timed_run(plan: &Plan, base_url: &str, jobs: usize) -> Timed {
    let mut run = RunBuilder::new(plan.clone())
        .target(target(base_url))
        .jobs(jobs)
        .build()
        .expect("the run builds");
    run.discover().await.expect("discovery");
    let cpu = process_cpu();
    let start = Instant::now();
    let summary = run.execute().await.expect("the run starts");
    let wall = start.elapsed();
    let cpu = process_cpu().saturating_sub(cpu);
    let requests = summary.requests.map_or(summary.totals.requests, |r| {
        (r.total - r.discovery) as usize
    });
    Timed {
        wall,
        requests,
        cpu,
        summary,
    }
}

/// Runs at `few` and at `many` jobs, in turns like the overhead pairs: the median run of
/// each, and the median of the pairs' own ratios (many / few), sorted.
async fn jobs_in_turns(
    plan: &Plan,
    base_url: &str,
    few: usize,
    many: usize,
) -> (Timed, Timed, Vec<f64>) {
    let (mut fews, mut manys, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let a = timed_run(plan, base_url, few).await;
        let b = timed_run(plan, base_url, many).await;
        ratios.push(b.wall.as_secs_f64() / a.wall.as_secs_f64());
        fews.push(a);
        manys.push(b);
    }
    ratios.sort_by(f64::total_cmp);
    fews.sort_by_key(|t| t.wall);
    manys.sort_by_key(|t| t.wall);
    (
        fews.swap_remove(REPEATS / 2),
        manys.swap_remove(REPEATS / 2),
        ratios,
    )
}

/// The median of sorted ratios, and their range as text.
fn median_and_range(ratios: &[f64]) -> (f64, String) {
    let range = format!(
        "pairs from {:.2} to {:.2}",
        ratios.first().copied().unwrap_or(0.0),
        ratios.last().copied().unwrap_or(0.0)
    );
    (ratios[ratios.len() / 2], range)
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

async fn embedded_runs(table: &mut Table) {
    let server = ChildServer::start();
    let plan = core_plan();
    let base = server.base_url.clone();
    let one = overhead(&plan, &base, "embedded server", table).await;
    describe("core suite, jobs 1", &one);
    let before = server.requests_received();
    let counted = timed_run(&plan, &base, 1).await;
    let received = server.requests_received() - before;
    let sent = counted.summary.requests.map_or(0, |r| r.total);
    println!(
        "requests of one jobs-1 run    {received} received by the server, {sent} sent by \
         the client (discovery included)"
    );
    let (default, sixteen, ratios) = jobs_in_turns(&plan, &base, DEFAULT_JOBS, 16).await;
    describe("core suite, jobs 4 (default)", &default);
    describe("core suite, jobs 16", &sixteen);
    let (ratio, range) = median_and_range(&ratios);
    println!("jobs 16 / jobs 4 wall          {ratio:>8.2}× ({range})");
    let scenarios = one.summary.results.len();
    heaviest(&one.summary);
    table.row(
        "core suite, embedded server, jobs 1",
        format!(
            "{:.0} ms, {scenarios} scenarios, {} requests after discovery",
            millis(one.wall),
            one.requests
        ),
    );
    table.row(
        "core suite, embedded server, jobs 4 (default)",
        format!("{:.0} ms", millis(default.wall)),
    );
    table.row(
        "requests per full run / per scenario (received by the server)",
        format!(
            "{received} / {:.2}",
            received as f64 / scenarios.max(1) as f64
        ),
    );
    table.row(
        "embedded server, jobs 16 / jobs 4 (wall)",
        format!(
            "{ratio:.2}× ({:.0} ms / {:.0} ms, the median runs); {range}",
            millis(sixteen.wall),
            millis(default.wall)
        ),
    );
}

/// Requests per scenario: the spread, and the scenarios that send the most (shared
/// fixtures' creates count where they were first used).
fn heaviest(summary: &RunSummary) {
    let mut counts: Vec<(usize, &str)> = summary
        .results
        .iter()
        .map(|r| (r.exchanges.len(), r.id.as_str()))
        .collect();
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut spread = std::collections::BTreeMap::new();
    for (n, _) in &counts {
        *spread.entry(*n).or_insert(0) += 1;
    }
    let spread: Vec<String> = spread
        .iter()
        .map(|(n, scenarios)| format!("{n}: {scenarios}"))
        .collect();
    println!(
        "requests per scenario (requests: scenarios)  {}",
        spread.join(", ")
    );
    let top: Vec<String> = counts
        .iter()
        .take(5)
        .map(|(n, id)| format!("{id} {n}"))
        .collect();
    println!("most requests                {}", top.join(", "));
}

/// One pass of the bare loop: its wall and CPU time.
struct Bare {
    wall: Duration,
    cpu: Duration,
}

/// The jobs-1 run and the bare loop, taken in turns so that both see the machine in the
/// same state: the figure is the median of the `OVERHEAD_PAIRS` pairs' own ratios, since
/// this VM's speed drifts by half between minutes and a ratio of two medians taken from
/// different minutes mostly measures that drift. The bare loop sends the first run's
/// requests again, one at a time, from a plain reqwest client to the same server: what
/// the server and the HTTP stack cost, without the tool. Both clocks cover everything
/// between the first request and the last, and both CPU figures the whole process over
/// that time.
async fn overhead(plan: &Plan, base: &str, server: &str, table: &mut Table) -> Timed {
    // The loop cannot send a request whose recorded body was cut (over 64 KiB: the Bulk
    // limit scenarios), so both sides leave out the scenarios that send one, building
    // their bodies included, not only the requests' time on the wire.
    let whole = timed_run(plan, base, 1).await;
    let left_out = scenarios_with_cut_bodies(&whole);
    let mut replayable = plan.clone();
    replayable
        .scenarios
        .retain(|p| !left_out.contains(&p.scenario.id));
    let plan = &replayable;
    println!(
        "left out of the comparison    {} (bodies cut in the record)",
        if left_out.is_empty() {
            "nothing".to_owned()
        } else {
            left_out.join(", ")
        }
    );
    let mut pairs = Vec::new();
    let mut drift = Vec::new();
    let mut http = None;
    let mut replays = None;
    // A step's `wait` is the scenario's own pause (a clock that must move on), not overhead.
    let paused = deliberate_waits(plan);
    for pair in 0..OVERHEAD_PAIRS {
        // In turns, which goes first: a drift within a pair then favours neither side.
        let tool_first = pair % 2 == 0;
        let early = if tool_first {
            Some(timed_run(plan, base, 1).await)
        } else {
            None
        };
        // Built after a run, which installed the TLS crypto provider reqwest needs.
        let http = http.get_or_insert_with(reqwest::Client::new);
        let replay = match (&replays, &early) {
            (Some(replay), _) => replay,
            (None, Some(run)) => replays.insert(replay_plan(run)),
            (None, None) => unreachable!("the first pair starts with the run"),
        };
        // Two passes: the loop against itself says how far identical work drifts apart
        // here; the pass next to the run is the one compared with it.
        let first = bare_once(http, replay).await;
        let second = bare_once(http, replay).await;
        drift.push(second.wall.as_secs_f64() / first.wall.as_secs_f64());
        let bare = if tool_first { first } else { second };
        let run = match early {
            Some(run) => run,
            None => timed_run(plan, base, 1).await,
        };
        pairs.push(Pair::of(&run, &bare, replay.len(), paused));
    }
    drift.sort_by(f64::total_cmp);
    // Each pair's own CPU difference: the pair in the middle by wall says little of CPU.
    let mut own_cpu: Vec<f64> = pairs.iter().map(|p| p.tool_cpu - p.bare_cpu).collect();
    own_cpu.sort_by(f64::total_cmp);
    let mut tool_cpu: Vec<f64> = pairs.iter().map(|p| p.tool_cpu).collect();
    tool_cpu.sort_by(f64::total_cmp);
    let mut bare_cpu: Vec<f64> = pairs.iter().map(|p| p.bare_cpu).collect();
    bare_cpu.sort_by(f64::total_cmp);
    // In pair order, the run first in the even ones: an order effect shows as two levels.
    let in_turns: Vec<String> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}{:.2}", if i % 2 == 0 { "r" } else { "l" }, p.ratio))
        .collect();
    pairs.sort_by(|a, b| a.ratio.total_cmp(&b.ratio));
    let ratios: Vec<String> = pairs.iter().map(|p| format!("{:.2}", p.ratio)).collect();
    let pair = pairs.swap_remove(OVERHEAD_PAIRS / 2);
    println!(
        "deliberate step waits at jobs 1 {:>8.1} ms (left out of the time per request)",
        millis(paused)
    );
    println!(
        "requests with cut bodies      {}, {:.1} ms (left out of both sides)",
        pair.unsent,
        millis(pair.unsent_time)
    );
    println!(
        "bare reqwest loop, {server}   {} requests, {:.0} µs wall and {:.0} µs CPU per \
         request (the median pair)",
        pair.replayed, pair.bare_wall, pair.bare_cpu,
    );
    println!(
        "overhead per request, jobs 1, {server} {:>8.2}× the bare loop ({:+.0} µs wall, \
         {:+.0} µs CPU); the {OVERHEAD_PAIRS} pairs: {}",
        pair.ratio,
        pair.tool_wall - pair.bare_wall,
        pair.tool_cpu - pair.bare_cpu,
        ratios.join(" "),
    );
    println!(
        "the pairs in the order taken (r: the run went first, l: the loop): {}",
        in_turns.join(" ")
    );
    let drifts: Vec<String> = drift.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "bare loop against itself, {server} (second pass / first, the noise floor): {}",
        drifts.join(" ")
    );
    table.row(
        &format!("{server}, time per request, jobs 1: scimcheck / bare reqwest loop"),
        format!(
            "{:.2}× ({:.0} µs / {:.0} µs); pairs from {} to {}",
            pair.ratio,
            pair.tool_wall,
            pair.bare_wall,
            ratios[0],
            ratios[OVERHEAD_PAIRS - 1]
        ),
    );
    table.row(
        &format!("{server}, bare loop against itself (noise floor of the ratio above)"),
        format!(
            "{:.2}× median; pairs from {} to {}",
            drift[OVERHEAD_PAIRS / 2],
            drifts[0],
            drifts[OVERHEAD_PAIRS - 1]
        ),
    );
    let own: Vec<String> = own_cpu.iter().map(|d| format!("{d:+.0}")).collect();
    println!(
        "own CPU per request, {server} (each pair's scimcheck minus bare loop, µs): {}",
        own.join(" ")
    );
    let middle = OVERHEAD_PAIRS / 2;
    table.row(
        &format!("{server}, client CPU per request, jobs 1: scimcheck / bare loop (medians)"),
        format!("{:.0} µs / {:.0} µs", tool_cpu[middle], bare_cpu[middle]),
    );
    table.row(
        &format!("{server}, own CPU per request (each pair's scimcheck minus bare loop)"),
        format!(
            "{:.0} µs median; pairs from {} to {} µs",
            own_cpu[middle],
            own[0],
            own[OVERHEAD_PAIRS - 1]
        ),
    );
    whole
}

/// The exchange's request body was cut in the record (it names the full size only then),
/// so the loop cannot send it again.
fn body_cut(exchange: &Exchange) -> bool {
    exchange.request_body_size.is_some()
}

/// The scenarios of a run that sent a request whose recorded body was cut.
fn scenarios_with_cut_bodies(run: &Timed) -> Vec<String> {
    run.summary
        .results
        .iter()
        .filter(|r| r.exchanges.iter().any(body_cut))
        .map(|r| r.id.clone())
        .collect()
}

/// One jobs-1 run and the bare loop's pass right after it, per request.
struct Pair {
    tool_wall: f64,
    tool_cpu: f64,
    bare_wall: f64,
    bare_cpu: f64,
    ratio: f64,
    replayed: usize,
    unsent: usize,
    unsent_time: Duration,
}

impl Pair {
    fn of(run: &Timed, bare: &Bare, replayed: usize, paused: Duration) -> Pair {
        // Nor are the requests the loop cannot send again: their recorded bodies were cut.
        let (unsent, unsent_time) = not_replayable(run);
        let tool_wall = micros(run.wall.saturating_sub(paused + unsent_time))
            / run.requests.saturating_sub(unsent).max(1) as f64;
        let bare_wall = micros(bare.wall) / replayed.max(1) as f64;
        Pair {
            tool_cpu: micros(run.cpu) / run.requests.max(1) as f64,
            bare_cpu: micros(bare.cpu) / replayed.max(1) as f64,
            ratio: tool_wall / bare_wall,
            tool_wall,
            bare_wall,
            replayed,
            unsent,
            unsent_time,
        }
    }
}

/// Every request of the run in the order sent: the run's own before the scenarios (the
/// decoys), the scenarios' (at jobs 1 one after another), the run's own after them (the
/// Bulk cleanup and its check).
fn sent_in_order(run: &Timed) -> impl Iterator<Item = &Exchange> {
    let own = &run.summary.run_exchanges;
    own.before_scenarios
        .iter()
        .chain(run.summary.results.iter().flat_map(|r| &r.exchanges))
        .chain(&own.after_scenarios)
}

/// The requests the bare loop sends again: first attempts whose whole body was recorded.
fn first_attempts(run: &Timed) -> Vec<&Exchange> {
    sent_in_order(run)
        .filter(|e| e.attempt == 1 && !body_cut(e))
        .collect()
}

/// Requests whose recorded body holds only its start (over `RECORDED_BODY_BYTES`: the
/// bulk limit scenarios send up to `maxPayloadSize`), and the time they took. The loop
/// cannot send them as they were, and a cut body would be refused at once.
fn not_replayable(run: &Timed) -> (usize, Duration) {
    sent_in_order(run)
        .filter(|e| body_cut(e))
        .fold((0, Duration::ZERO), |(n, time), e| {
            (n + 1, time + Duration::from_millis(e.duration_ms))
        })
}

/// One request of the bare loop, worked out before the clock starts.
struct Replayed {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// Ids the run's server gave that this request names; the loop names its own.
    names: Vec<String>,
    /// The ids this answer gave the run, when later requests name one of them.
    gives: Vec<String>,
    /// A Bulk answer: its locations are what the loop created, to delete afterwards.
    bulk: bool,
}

/// The jobs-1 run's requests as the bare loop sends them again: every id substitution
/// found in advance, so the loop itself does no more than a hand-written client would
/// (send, read, take the new id from an answer a later request needs). Any search or
/// copy between requests would also give the server time to finish the last one, which
/// the tool's requests do not get.
fn replay_plan(run: &Timed) -> Vec<Replayed> {
    let exchanges = first_attempts(run);
    let given: Vec<Vec<String>> = exchanges
        .iter()
        .map(|e| {
            created_ids(e.response_body.as_deref().map(str::as_bytes))
                .into_iter()
                .filter(|id| id.len() >= MIN_RENAMED_ID)
                .collect()
        })
        .collect();
    let mut known: Vec<&str> = Vec::new();
    let mut plan: Vec<Replayed> = exchanges
        .iter()
        .zip(&given)
        .map(|(exchange, ids)| {
            let body = exchange.request_body.clone();
            let names = known
                .iter()
                .filter(|id| {
                    exchange.url.contains(*id) || body.as_deref().is_some_and(|b| b.contains(*id))
                })
                .map(|id| (*id).to_owned())
                .collect();
            for id in ids {
                if !known.contains(&id.as_str()) {
                    known.push(id);
                }
            }
            Replayed {
                method: reqwest::Method::from_bytes(exchange.method.as_bytes())
                    .unwrap_or(reqwest::Method::GET),
                url: exchange.url.clone(),
                headers: exchange
                    .request_headers
                    .iter()
                    .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                    .filter(|(name, _)| {
                        matches!(name.as_str(), "content-type" | "accept" | "if-match")
                    })
                    .collect(),
                body,
                names,
                gives: Vec::new(),
                bulk: exchange.url.ends_with("/Bulk"),
            }
        })
        .collect();
    // An answer's ids are read only where a later request names one.
    for (index, ids) in given.iter().enumerate() {
        let needed = plan[index + 1..]
            .iter()
            .any(|later| later.names.iter().any(|name| ids.contains(name)));
        if needed {
            plan[index].gives = ids.clone();
        }
    }
    plan
}

/// The replay sent once, the whole loop on the clock. A resource the run created has a
/// new id now, so each later request names the new one: the server does the same work
/// as for the run, not cheap 404s. After the clock, what the loop created is deleted, so
/// the next runs meet the server as the first one did.
async fn bare_once(http: &reqwest::Client, plan: &[Replayed]) -> Bare {
    let mut renamed: HashMap<&str, String> = HashMap::new();
    let mut created = Vec::new();
    let cpu = process_cpu();
    let start = Instant::now();
    for replayed in plan {
        let rename = |text: &str| {
            replayed.names.iter().fold(text.to_owned(), |text, old| {
                match renamed.get(old.as_str()) {
                    Some(new) => text.replace(old.as_str(), new),
                    None => text,
                }
            })
        };
        let (url, body) = if replayed.names.is_empty() {
            (replayed.url.clone(), replayed.body.clone())
        } else {
            (rename(&replayed.url), replayed.body.as_deref().map(rename))
        };
        let mut request = http
            .request(replayed.method.clone(), url.as_str())
            .bearer_auth(TOKEN);
        for (name, value) in &replayed.headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let Ok(response) = request.send().await else {
            continue;
        };
        let location = (response.status() == reqwest::StatusCode::CREATED)
            .then(|| response.headers().get("location"))
            .flatten()
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        let Ok(answer) = response.bytes().await else {
            continue;
        };
        created.extend(location);
        if replayed.bulk {
            let json = serde_json::from_slice(&answer).ok();
            created.extend(json.as_ref().map(bulk_locations).unwrap_or_default());
        }
        if !replayed.gives.is_empty() {
            let now = created_ids(Some(&answer));
            renamed.extend(replayed.gives.iter().map(String::as_str).zip(now));
        }
        black_box(answer);
    }
    let bare = Bare {
        wall: start.elapsed(),
        cpu: process_cpu().saturating_sub(cpu),
    };
    for location in created {
        let _ = http.delete(location).bearer_auth(TOKEN).send().await;
    }
    bare
}

/// The `location` of each operation in a Bulk response.
fn bulk_locations(json: &serde_json::Value) -> Vec<String> {
    json["Operations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|op| op["location"].as_str().map(str::to_owned))
        .collect()
}

/// Ids shorter than this are not replaced: a short one ("1") could be part of anything.
const MIN_RENAMED_ID: usize = 8;

/// The id of the resource an answer holds, or the ids a Bulk answer's locations end in.
fn created_ids(body: Option<&[u8]>) -> Vec<String> {
    let Some(json) = body.and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok()) else {
        return Vec::new();
    };
    if let Some(id) = json["id"].as_str() {
        return vec![id.to_owned()];
    }
    bulk_locations(&json)
        .iter()
        .filter_map(|l| l.rsplit('/').next().map(str::to_owned))
        .collect()
}

/// The `wait:` pauses the plan's steps take; at jobs 1 they add up.
fn deliberate_waits(plan: &Plan) -> Duration {
    plan.scenarios
        .iter()
        .flat_map(|p| &p.scenario.steps)
        .filter_map(|step| step.wait)
        .sum()
}

/// The binary as a user runs it: peak RSS of a whole run, and `list` start-up. A child
/// started by vfork counts the parent's peak RSS as its own when it execs, so this runs
/// while the bench is still small.
fn cli_figures(table: &mut Table) {
    let bin = env!("CARGO_BIN_EXE_scimcheck");
    let (wall, rss) = child(bin, &["run", "--no-progress"]);
    table.row(
        "peak RSS, `scimcheck run` (embedded server, same process)",
        format!("{:.1} MB", rss as f64 / 1024.0),
    );
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
    table.row(
        "`scimcheck list` start-up (median of 5)",
        format!("{:.0} ms", millis(walls[2])),
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
fn load_and_plan(table: &mut Table) {
    let documents = core_documents();
    let mut per_scenario = Vec::new();
    for n in [500, 1000, 5000] {
        let dir = generated_suite(&documents, n);
        let sources = [SuiteSource::Path(dir.path().to_path_buf())];
        let mut walls = Vec::new();
        for _ in 0..REPEATS {
            let start = Instant::now();
            let loaded = suite::load_sources(&sources, &LoadOptions::default())
                .unwrap_or_else(|d| panic!("{}", d.render(false)));
            let plan = plan::select(&loaded, &Selection::default());
            assert!(
                plan.scenarios.len() >= n,
                "every generated scenario planned"
            );
            walls.push(start.elapsed());
        }
        walls.sort();
        let wall = walls[REPEATS / 2];
        let per = micros(wall) / n as f64;
        per_scenario.push(per);
        println!(
            "load+plan {n:>5} scenarios      {:>8.1} ms, {per:.0} µs per scenario",
            millis(wall)
        );
        table.row(
            &format!("load + plan {n} generated scenarios"),
            format!("{:.0} ms ({per:.0} µs per scenario)", millis(wall)),
        );
    }
    let linearity = per_scenario[2] / per_scenario[0];
    println!("load+plan linearity           {linearity:>8.2} (µs per scenario, 5,000 / 500)");
    table.row(
        "linearity: µs per scenario at 5,000 / at 500 (1.00 = linear)",
        format!("{linearity:.2}"),
    );
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

/// `n` copies of core scenarios under new ids, in files of at most 100 documents (a
/// YAML file holds at most 256).
fn generated_suite(documents: &[String], n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let renamed: Vec<String> = (0..n)
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
        .collect();
    for (k, chunk) in renamed.chunks(100).enumerate() {
        let path = dir.path().join(format!("generated-{k:03}.yaml"));
        std::fs::write(path, chunk.join("\n---\n")).expect("writable");
    }
    dir
}

/// Against PyPI scim2-server, when `.ci/external-peer` installed it: the jobs-1 run
/// against a bare loop, and jobs 4 against 16.
/// The peer's command: `SCIMCHECK_BENCH_PEER`, else the `.venv` that `.ci/external-peer`
/// makes.
async fn peer_runs(table: &mut Table) {
    let peer = std::env::var_os("SCIMCHECK_BENCH_PEER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server"));
    if !peer.is_file() {
        println!(
            "scim2-server (PyPI)          not installed (set SCIMCHECK_BENCH_PEER to its \
             command, or run .ci/external-peer): skipped"
        );
        table.row(
            "CI peer (scim2-server 0.8.3), jobs 16 / jobs 4",
            "skipped: no SCIMCHECK_BENCH_PEER or .venv".to_owned(),
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let _peer = Stopped(
        Command::new(&peer)
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server starts"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            println!("scim2-server (PyPI)          did not start: skipped");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = format!("http://127.0.0.1:{port}/v2");
    let plan = core_plan();
    let one = overhead(&plan, &base, "CI peer (scim2-server 0.8.3)", table).await;
    describe("scim2-server, jobs 1", &one);
    let (four, sixteen, ratios) = jobs_in_turns(&plan, &base, 4, 16).await;
    describe("scim2-server, jobs 4", &four);
    describe("scim2-server, jobs 16", &sixteen);
    let (ratio, range) = median_and_range(&ratios);
    println!("scim2-server jobs 16 / jobs 4  {ratio:>8.2}× ({range})");
    table.row(
        "CI peer (scim2-server 0.8.3), jobs 16 / jobs 4 (wall)",
        format!(
            "{ratio:.2}× ({:.0} ms / {:.0} ms, the median runs); {range}",
            millis(sixteen.wall),
            millis(four.wall)
        ),
    );
}

/// A child process stopped when this goes out of scope, also when the bench panics.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
