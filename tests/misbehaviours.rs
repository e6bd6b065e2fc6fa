//! Every misbehaviour switch of the reference server, run against the built-in suite
//! through the `scimcheck` binary. The matrix, `tests/fixtures/misbehaviour-matrix.txt`,
//! declares per switch the scenarios meant to catch it: each must report exactly the
//! declared outcome. Whatever else the switch changes (collateral: scenarios that need
//! what the switch breaks) is pinned in a per-switch insta snapshot,
//! `snapshots/misbehaviours__collateral-<switch>.snap`. Each switch must be caught by at
//! least one scenario, and the strict server must pass everything. This is the proof that
//! the suite's checks can fail.
//!
//! Switches marked `allowed` in the matrix play behaviour the RFCs permit: they may only
//! turn scenarios into skips, never into failures. For every other switch, each failed,
//! warned or blocked scenario must be explained by a root cause in the report.
//!
//! Lines with a fourth word, a profile, name that profile's own scenarios (the IdP replay
//! suites): the switch is also run with each replayed profile alone, and exactly the
//! named scenarios of those profiles may not pass.
//!
//! `cargo test --test misbehaviours` (one test per switch; libtest filters work).

#[path = "support/mod.rs"]
mod support;

use support::cli;

use std::collections::{BTreeMap, BTreeSet};

use cli::{not_passing, outcome, scenarios};
use libtest_mimic::{Arguments, Failed, Trial};
use scimcheck::server::Misbehaviour;
use serde_json::Value;

const MATRIX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/misbehaviour-matrix.txt"
);
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots");

/// One scenario that does not pass: `<scenario-id> <outcome>`.
type Caught = BTreeSet<String>;

/// Transport behaviour the client must survive rather than report; each has its own test.
const SURVIVED: [Misbehaviour; 3] = [
    Misbehaviour::RateLimit,
    Misbehaviour::CloseAfter500,
    Misbehaviour::Concurrent500,
];

/// The matrix's word for a switch that plays RFC-allowed behaviour.
const ALLOWED: &str = "allowed";

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![
        Trial::test("strict-server-passes-everything", strict_server_passes),
        Trial::test(
            "every-switch-is-in-the-matrix-and-caught",
            every_switch_caught,
        ),
        Trial::test(
            "strict-server-passes-every-replay",
            strict_server_passes_replays,
        ),
        Trial::test("rate-limit-is-survived-by-retries", rate_limit_survived),
        Trial::test(
            "close-after-500-is-survived-by-one-retry",
            close_after_500_survived,
        ),
        Trial::test(
            "filter-ignored-fails-the-same-scenarios-at-any-jobs",
            filter_ignored_is_deterministic,
        ),
        Trial::test(
            "concurrent-500-is-told-apart-from-conformance",
            concurrent_500_told_apart,
        ),
    ];
    for &misbehaviour in Misbehaviour::all() {
        if SURVIVED.contains(&misbehaviour) {
            continue;
        }
        trials.push(Trial::test(misbehaviour.name(), move || {
            switch_matches_matrix(misbehaviour)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The switches the matrix marks as RFC-allowed behaviour (`<switch> allowed`).
fn allowed() -> BTreeSet<String> {
    let text = std::fs::read_to_string(MATRIX).expect("the matrix is readable");
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").split_whitespace())
        .filter_map(
            |mut words| match (words.next(), words.next(), words.next()) {
                (Some(name), Some(ALLOWED), None) => Some(name.to_owned()),
                _ => None,
            },
        )
        .collect()
}

/// The matrix: misbehaviour name -> the built-in scenarios meant to catch it, with their
/// outcome.
fn intended() -> BTreeMap<String, Caught> {
    let text = std::fs::read_to_string(MATRIX).expect("the matrix is readable");
    let mut map: BTreeMap<String, Caught> = BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        let (Some(name), Some(id), Some(outcome), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            if let Some(name) = line.split_whitespace().next() {
                map.entry(name.to_owned()).or_default();
            }
            continue;
        };
        map.entry(name.to_owned())
            .or_default()
            .insert(format!("{id} {outcome}"));
    }
    map
}

/// The matrix's replay lines, `<switch> <scenario-id> <outcome> <profile>`: switch ->
/// profile -> the profile's own scenarios meant to catch it.
fn replayed() -> BTreeMap<String, BTreeMap<String, Caught>> {
    let text = std::fs::read_to_string(MATRIX).expect("the matrix is readable");
    let mut map: BTreeMap<String, BTreeMap<String, Caught>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [name, id, outcome, profile] = words[..] {
            map.entry(name.to_owned())
                .or_default()
                .entry(profile.to_owned())
                .or_default()
                .insert(format!("{id} {outcome}"));
        }
    }
    map
}

/// Every profile whose own scenarios the matrix names.
fn replay_profiles() -> BTreeSet<String> {
    replayed()
        .into_values()
        .flat_map(BTreeMap::into_keys)
        .collect()
}

/// A switch with replay lines, run with each such profile alone (its own scenarios only):
/// exactly the named scenarios do not pass, with the named outcome, and every other
/// scenario of the profiles passes.
fn replays_match(name: &str) -> Result<(), Failed> {
    let Some(mut by_profile) = replayed().remove(name) else {
        return Ok(());
    };
    for profile in replay_profiles() {
        let intended = by_profile.remove(&profile).unwrap_or_default();
        let own = format!("{profile}.");
        let run = cli::run_json(&["--misbehave", name, "--profile", &profile, "--filter", &own])?;
        let actual: Caught = not_passing(&run.report)
            .into_iter()
            .filter(|c| c.starts_with(&own))
            .collect();
        if actual != intended {
            return Err(format!(
                "--misbehave {name} --profile {profile}: the replay reported {actual:?}, \
                 the matrix says {intended:?}\n{}",
                run.finished.stdout
            )
            .into());
        }
    }
    Ok(())
}

/// The exit code the report's outcomes call for, worked out here independently of the
/// tool's own verdict: 1 for a required failure or when less than half of what the
/// target's declarations allow was judged, else 5 when a required scenario errored or was
/// blocked, else 0. The JSON report's verdict must say the same.
fn expected_exit_code(report: &Value) -> i32 {
    let all: Vec<&Value> = scenarios(report).collect();
    let required = |s: &Value| s["severity"] == "must";
    if all.iter().any(|s| outcome(s) == "fail") {
        return 1;
    }
    let chosen = all
        .iter()
        .filter(|s| {
            outcome(s) == "skip"
                && matches!(
                    s["outcome"]["cause"].as_str(),
                    Some("selection" | "declared" | "latitude")
                )
        })
        .count();
    let judged = all
        .iter()
        .filter(|s| matches!(outcome(s), "pass" | "fail" | "warn" | "deviation"))
        .count();
    let runnable = all.len() - chosen;
    if runnable > 0 && judged * 2 < runnable {
        return 1;
    }
    if all
        .iter()
        .any(|s| required(s) && matches!(outcome(s), "error" | "blocked"))
    {
        return 5;
    }
    0
}

fn strict_server_passes() -> Result<(), Failed> {
    let run = cli::run_json(&[])?;
    let broken = not_passing(&run.report);
    if !broken.is_empty() || run.finished.code != 0 {
        return Err(format!(
            "the strict server should pass everything (exit {}): {broken:?}\n{}",
            run.finished.code, run.finished.stdout
        )
        .into());
    }
    Ok(())
}

/// The profiles' own scenarios that the matrix names all pass on the strict server.
fn strict_server_passes_replays() -> Result<(), Failed> {
    for profile in replay_profiles() {
        let own = format!("{profile}.");
        let run = cli::run_json(&["--profile", &profile, "--filter", &own])?;
        let broken = not_passing(&run.report);
        let ran = scenarios(&run.report).count();
        if !broken.is_empty() || run.finished.code != 0 || ran == 0 {
            return Err(format!(
                "--profile {profile}: {ran} scenarios ran, not passing: {broken:?}\n{}",
                run.finished.stdout
            )
            .into());
        }
    }
    Ok(())
}

fn switch_matches_matrix(misbehaviour: Misbehaviour) -> Result<(), Failed> {
    let name = misbehaviour.name();
    let run = cli::run_json(&["--misbehave", name])?;
    let actual = not_passing(&run.report);
    let intended = intended().remove(name).unwrap_or_default();
    let missed: Vec<_> = intended.difference(&actual).collect();
    if !missed.is_empty() {
        let seen: String = actual.iter().map(|c| format!("{name} {c}\n")).collect();
        return Err(format!(
            "--misbehave {name}: scenarios meant to catch it did not report as declared: \
             {missed:?}\nwhat the suite reported instead:\n{seen}"
        )
        .into());
    }
    assert_collateral(name, &actual.difference(&intended).cloned().collect())?;
    if allowed().contains(name) {
        let accused: Vec<&String> = actual.iter().filter(|c| !c.ends_with(" skip")).collect();
        if !accused.is_empty() {
            return Err(format!(
                "--misbehave {name} plays RFC-allowed behaviour, yet: {accused:?}"
            )
            .into());
        }
    }
    unexplained(&run.report).map_err(|e| format!("--misbehave {name}: {e}"))?;
    replays_match(name)?;
    let want = expected_exit_code(&run.report);
    if run.report["verdict"]["exit_code"] != want {
        return Err(format!(
            "--misbehave {name}: the report's verdict {} disagrees with exit {want}",
            run.report["verdict"]
        )
        .into());
    }
    if run.finished.code != want {
        return Err(format!(
            "--misbehave {name}: exit code {} but {want} expected\n{}",
            run.finished.code, run.finished.stdout
        )
        .into());
    }
    Ok(())
}

/// What a switch changes beyond its intended catches, one `<scenario-id> <outcome>` a
/// line, against its insta snapshot (`INSTA_UPDATE=always` rewrites it; review the diff).
fn assert_collateral(name: &str, collateral: &Caught) -> Result<(), Failed> {
    let lines: String = collateral.iter().map(|c| format!("{c}\n")).collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(true);
    settings.set_description(format!("what --misbehave {name} changes beyond the matrix"));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(format!("collateral-{name}"), lines));
    }))
    .map_err(|_| format!("--misbehave {name}: the collateral differs from its snapshot").into())
}

/// Everything a switch is known to change: its intended catches and its collateral
/// snapshot.
fn known_changes(name: &str) -> Caught {
    let path = format!("{SNAPSHOTS}/misbehaviours__collateral-{name}.snap");
    let snapshot = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // The snapshot's text follows its `---`-fenced header.
    let body = snapshot.splitn(3, "---\n").nth(2).unwrap_or("");
    let mut known = intended().remove(name).unwrap_or_default();
    known.extend(
        body.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned),
    );
    known
}

/// Every failed, warned or blocked scenario is named by one of the report's root causes,
/// each of which gives the failing check and the first request that showed it.
fn unexplained(report: &Value) -> Result<(), String> {
    let causes: Vec<&Value> = report["root_causes"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    for cause in &causes {
        for field in ["check", "request", "first_request", "first_scenario"] {
            if cause[field].as_str().is_none_or(str::is_empty) {
                return Err(format!("a root cause without {field}: {cause}"));
            }
        }
    }
    let explained: BTreeSet<&str> = causes
        .iter()
        .flat_map(|c| c["scenarios"].as_array().into_iter().flatten())
        .filter_map(|s| s["id"].as_str())
        .collect();
    let missing: Vec<&str> = scenarios(report)
        .filter(|s| matches!(outcome(s), "fail" | "warn" | "blocked"))
        .filter_map(|s| s["id"].as_str())
        .filter(|id| !explained.contains(id))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no root cause names {missing:?}"))
    }
}

fn every_switch_caught() -> Result<(), Failed> {
    let mut intended = intended();
    for (name, by_profile) in replayed() {
        intended
            .entry(name)
            .or_default()
            .extend(by_profile.into_values().flatten());
    }
    let allowed = allowed();
    let known: BTreeSet<&str> = Misbehaviour::all().iter().map(|m| m.name()).collect();
    // A deviation must make at least one scenario fail; an allowed switch is listed.
    let uncaught: Vec<&str> = known
        .iter()
        .copied()
        .filter(|name| !SURVIVED.iter().any(|m| m.name() == *name))
        .filter(|name| {
            let failing = intended.get(*name).is_some_and(|caught| {
                caught
                    .iter()
                    .any(|c| !c.ends_with(" skip") && !c.ends_with(" pass"))
            });
            !(allowed.contains(*name) || failing)
        })
        .collect();
    let unknown: Vec<&String> = intended
        .keys()
        .filter(|name| !known.contains(name.as_str()))
        .collect();
    if !uncaught.is_empty() || !unknown.is_empty() {
        return Err(format!(
            "switches no scenario catches: {uncaught:?}; the matrix names no switch: {unknown:?}"
        )
        .into());
    }
    Ok(())
}

/// A service that allows 4 requests per second answers 429 with Retry-After; the client
/// retries, pauses every job and paces itself, so the run passes, and it ends by
/// suggesting the rate that worked. Without retries it cannot pass.
fn rate_limit_survived() -> Result<(), Failed> {
    let subset = ["--misbehave", "rate-limit", "--filter", "users.read"];
    let patient = cli::run_json_jobs(4, &subset)?;
    let broken = not_passing(&patient.report);
    if !broken.is_empty() || patient.finished.code != 0 {
        return Err(format!(
            "with retries the run should pass: {broken:?}\n{}",
            patient.finished.stdout
        )
        .into());
    }
    let advice = patient.report["notices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .find(|n| n.starts_with("the server rate-limited "))
        .map(str::to_owned);
    let suggested = advice
        .as_deref()
        .and_then(|a| a.rsplit_once("rerun with --rate-limit "))
        .and_then(|(_, n)| n.parse::<u32>().ok());
    if !suggested.is_some_and(|n| (1..=4).contains(&n))
        || !patient
            .finished
            .stdout
            .contains("note: the server rate-limited ")
    {
        return Err(format!(
            "a rate-limited run should suggest --rate-limit of at most 4, not {advice:?}\n{}",
            patient.finished.stdout
        )
        .into());
    }
    let paced = cli::run_json_jobs(4, &[&subset[..], &["--rate-limit", "3"]].concat())?;
    if paced.finished.stdout.contains("rerun with --rate-limit") || paced.finished.code != 0 {
        return Err(format!(
            "with --rate-limit 3 the run passes and suggests nothing\n{}",
            paced.finished.stdout
        )
        .into());
    }
    let impatient = cli::run_json(&[&subset[..], &["--retries", "0"]].concat())?;
    if !impatient.finished.stdout.contains("429") || impatient.finished.code != 1 {
        return Err(format!(
            "without retries a 429 should fail the run (exit {})\n{}",
            impatient.finished.code, impatient.finished.stdout
        )
        .into());
    }
    Ok(())
}

/// A server that drops its connection after a 500 costs the next request on it its
/// answer; idempotent ones are sent again, so the run reports exactly what the 500s
/// alone report, with no error and nothing left behind by a lost DELETE.
fn close_after_500_survived() -> Result<(), Failed> {
    let run = cli::run_json(&["--misbehave", "uniqueness-500,close-after-500"])?;
    let actual = not_passing(&run.report);
    let expected = known_changes("uniqueness-500");
    if actual != expected {
        return Err(format!(
            "with connections dropped after each 500 the run differs from uniqueness-500 \
             alone: {actual:?} instead of {expected:?}\n{}",
            run.finished.stdout
        )
        .into());
    }
    let mut retried = 0;
    for scenario in scenarios(&run.report) {
        if let Some(problem) = scenario["cleanup_errors"]
            .as_array()
            .and_then(|e| e.first())
        {
            return Err(format!("{}: cleanup failed: {problem}", scenario["id"]).into());
        }
        retried += scenario["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["attempt"] == 2 && e["method"] != "POST" && e["method"] != "PATCH")
            .count();
    }
    if retried == 0 {
        return Err("no request was retried: the switch dropped no connection".into());
    }
    Ok(())
}

/// A server that ignores filters fails the same scenarios one at a time and eight at a
/// time, run after run: every scenario scopes its queries to its own data, and the run's
/// decoy gives each filtered list something to leave out even when nothing else runs.
fn filter_ignored_is_deterministic() -> Result<(), Failed> {
    let mut seen: Vec<(usize, Caught)> = Vec::new();
    for _ in 0..5 {
        for jobs in [1, 8] {
            let run = cli::run_json_jobs(jobs, &["--misbehave", "filter-ignored"])?;
            seen.push((jobs, not_passing(&run.report)));
        }
    }
    let (_, first) = &seen[0];
    if first.is_empty() {
        return Err("filter-ignored made nothing fail".into());
    }
    for (jobs, caught) in &seen[1..] {
        if caught != first {
            let only_here: Vec<_> = caught.difference(first).collect();
            let only_first: Vec<_> = first.difference(caught).collect();
            return Err(format!(
                "--jobs {jobs} caught a different set: {only_here:?} instead of {only_first:?}"
            )
            .into());
        }
    }
    Ok(())
}

/// A server that answers 500 to overlapping writes but not to sequential ones: the
/// scenarios hit are run again alone, their verdicts come from that, and the run says its
/// failures depend on concurrency. A real 500 (a duplicate userName) still fails.
fn concurrent_500_told_apart() -> Result<(), Failed> {
    let eight = cli::run_json_jobs(8, &["--misbehave", "concurrent-500"])?;
    let notices = eight.report["notices"].to_string();
    if !notices.contains("failures depend on concurrency: retry with --jobs 1") {
        return Err(format!("no concurrency notice: {notices}").into());
    }
    let broken = not_passing(&eight.report);
    if !broken.is_empty() || eight.finished.code != 0 {
        return Err(format!("overlap 500s were listed as failures: {broken:?}").into());
    }
    let one = cli::run_json_jobs(1, &["--misbehave", "concurrent-500"])?;
    if one.report["notices"].to_string().contains("concurrency") || one.finished.code != 0 {
        return Err(format!("one at a time nothing overlaps: {}", one.report["notices"]).into());
    }
    let real = cli::run_json_jobs(8, &["--misbehave", "concurrent-500,uniqueness-500"])?;
    let expected = known_changes("uniqueness-500");
    let actual = not_passing(&real.report);
    if actual != expected {
        return Err(
            format!("real 500s must still fail: {actual:?} instead of {expected:?}").into(),
        );
    }
    Ok(())
}
