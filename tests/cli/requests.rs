//! What a full run of the built-in suite costs the target in requests, read from the JSON
//! report as a rate-limited vendor would pay it: the budget, each shared fixture created
//! once per run however many jobs run, and no cleanup DELETE of what a scenario already
//! deleted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::cli::{self, scenarios};

/// Requests per scenario a full run may cost on average, discovery and cleanup included.
/// Issue 12 asks for 1.9: the suite of 158 scenarios came down to 2.26
/// (from 4.88) with shared read-only fixtures and Bulk cleanup; the scenarios added since
/// brought 235 scenarios to 566 requests (2.41), and moving the scenarios that only read
/// or query onto shared users, groups and discovery documents to 481 (2.05). Judging
/// the reads after a PUT or PATCH on the write's answer (`rereads:`) brought 245
/// scenarios from 498 to 463 (1.89), within the 1.9 the issue asks.
const MOST_PER_SCENARIO: f64 = 1.89;

/// scim2-tester's full run against the same server (issue 12): ours stays below it.
const FEWER_THAN: u64 = 835;

fn full_run(jobs: usize) -> Value {
    let run = cli::run_json_jobs(jobs, &[]).unwrap_or_else(|e| panic!("{e}"));
    run.finished.assert_code(scimcheck::exit::SUCCESS);
    run.report
}

fn count(report: &Value, kind: &str) -> u64 {
    report["requests"][kind]
        .as_u64()
        .unwrap_or_else(|| panic!("no requests.{kind} in the report: {}", report["requests"]))
}

#[test]
fn a_full_run_against_the_embedded_server_stays_within_its_request_budget() {
    let report = full_run(4);
    let total = count(&report, "total");
    let planned = report["totals"]["scenarios"].as_u64().unwrap_or(0);
    assert!(planned > 100, "the built-in suite ran: {planned} scenarios");
    let parts: u64 = ["discovery", "scenarios", "cleanup", "shared"]
        .iter()
        .map(|kind| count(&report, kind))
        .sum();
    assert_eq!(
        parts, total,
        "the kinds add up to the total: {}",
        report["requests"]
    );
    assert!(total < FEWER_THAN, "{total} requests");
    let per_scenario = total as f64 / planned as f64;
    assert!(
        per_scenario <= MOST_PER_SCENARIO,
        "{total} requests for {planned} scenarios: {per_scenario:.2} each"
    );
    // Discovery is read once: three documents, whatever the scenarios check of them.
    assert!(count(&report, "discovery") <= 3, "{}", report["requests"]);
}

#[test]
fn each_shared_fixture_is_created_once_per_run_even_with_eight_jobs() {
    let report = full_run(8);
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for exchange in scenarios(&report).flat_map(|s| s["exchanges"].as_array().into_iter().flatten())
    {
        if let Some(name) = exchange["step"]
            .as_str()
            .and_then(|s| s.strip_prefix("shared "))
        {
            *sent.entry(name.to_owned()).or_default() += 1;
        }
    }
    for name in [
        "shared-user",
        "shared-list-a",
        "shared-list-b",
        "shared-list-c",
    ] {
        assert_eq!(sent.get(name), Some(&1), "{name} sent once: {sent:?}");
    }
    assert!(sent.values().all(|n| *n == 1), "{sent:?}");
    assert_eq!(
        report["totals"]["leftovers"], 0,
        "the shared resources are deleted too"
    );
}

#[test]
fn cleanup_never_deletes_what_its_scenario_already_deleted() {
    let report = full_run(1);
    for scenario in scenarios(&report) {
        let exchanges: Vec<&Value> = scenario["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        let deleted: BTreeSet<&str> = exchanges
            .iter()
            .filter(|e| e["step"] != "cleanup" && e["method"] == "DELETE")
            .filter(|e| {
                e["status"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s))
            })
            .filter_map(|e| e["url"].as_str())
            .collect();
        let again: Vec<&str> = exchanges
            .iter()
            .filter(|e| e["step"] == "cleanup" && e["method"] == "DELETE")
            .filter_map(|e| e["url"].as_str())
            .filter(|url| deleted.contains(url))
            .collect();
        assert!(
            again.is_empty(),
            "{}: deleted again {again:?}",
            scenario["id"]
        );
    }
}
