//! Requirement coverage, through the binary, counted in statements of the catalog:
//! `list --coverage` says what the selected scenarios check, per area and overall, and
//! which MUSTs no must scenario checks; the reports of a run say how many of the server
//! statements that bind the target its judged scenarios checked. The README states the
//! figure `list --coverage` prints, so it cannot go stale.

use crate::support::cli;

use cli::{run, run_json};
use serde_json::Value;

/// (checked, statements) of a JSON report's coverage.
fn run_coverage(extra: &[&str]) -> (u64, u64) {
    let run = run_json(extra).unwrap_or_else(|e| panic!("{e}"));
    let coverage = &run.report["coverage"];
    let number = |name: &str| {
        coverage[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no coverage.{name} in {coverage}"))
    };
    (number("checked"), number("statements"))
}

fn list_coverage_json(extra: &[&str]) -> Value {
    let args: Vec<&str> = ["list", "--coverage", "--format", "json"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let listed = run(&args);
    listed.assert_code(0);
    serde_json::from_str(&listed.stdout).unwrap_or_else(|e| panic!("{e}: {}", listed.show()))
}

fn number(value: &Value, name: &str) -> u64 {
    value[name]
        .as_u64()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

#[test]
fn a_run_reports_the_share_of_bound_statements_it_judged() {
    let (checked, statements) = run_coverage(&[]);
    assert!(
        0 < checked && checked <= statements,
        "{checked} of {statements}"
    );

    let (checked_users, statements_users) = run_coverage(&["--filter", "users."]);
    assert_eq!(
        statements_users, statements,
        "the selection does not change what binds"
    );
    assert!(
        0 < checked_users && checked_users < checked,
        "users only: {checked_users}, all: {checked}"
    );

    // Without a Group resource type, the statements about groups bind nothing.
    let (_, statements_without_groups) = run_coverage(&["--misbehave", "no-groups"]);
    assert!(
        statements_without_groups < statements,
        "a target without groups owes nothing to their statements: \
         {statements_without_groups} of {statements}"
    );
}

#[test]
fn the_console_summary_states_the_figure_of_the_run() {
    let run = run_json(&["--filter", "users.read."]).unwrap_or_else(|e| panic!("{e}"));
    let coverage = &run.report["coverage"];
    let row = format!(
        "  coverage    {} % of {} server statements checked ({});",
        number(coverage, "checked") * 100 / number(coverage, "statements"),
        number(coverage, "statements"),
        number(coverage, "checked")
    );
    assert!(
        run.finished.stdout.contains(&row),
        "no {row:?}\n{}",
        run.finished.show()
    );
}

#[test]
fn list_coverage_counts_per_area_and_lists_every_must_left_without_a_must_scenario() {
    let all = list_coverage_json(&[]);
    let areas = all["areas"].as_array().expect("areas");
    let sum = |name: &str| areas.iter().map(|a| number(a, name)).sum::<u64>();
    for name in ["statements", "checked", "musts", "musts_at_must"] {
        assert_eq!(sum(name), number(&all, name), "{name} per area adds up");
    }
    let unchecked = all["musts_not_at_must"].as_array().expect("the list");
    assert_eq!(
        unchecked.len() as u64,
        number(&all, "musts") - number(&all, "musts_at_must")
    );
    assert!(
        unchecked.iter().all(
            |u| u["id"].as_str().is_some_and(|id| id.starts_with("RFC764"))
                && u["text"].as_str().is_some_and(|t| t.ends_with('.'))
        ),
        "{unchecked:?}"
    );

    // A narrower selection checks fewer statements of the same catalog.
    let users = list_coverage_json(&["--filter", "users."]);
    assert_eq!(number(&users, "statements"), number(&all, "statements"));
    assert!(number(&users, "checked") < number(&all, "checked"));
    assert!(number(&users, "scenarios") < number(&all, "scenarios"));
}

#[test]
fn list_coverage_in_text_has_a_row_per_area_and_the_unchecked_musts() {
    let listed = run(&["list", "--coverage"]);
    listed.assert_code(0);
    let text = &listed.stdout;
    for area in ["discovery", "filter", "patch", "bulk", "all"] {
        assert!(
            text.lines().any(|l| l.starts_with(area)),
            "no row {area}: {text}"
        );
    }
    assert!(text.contains("\noverall: "), "{text}");
    assert!(
        text.contains("Server MUSTs no must scenario checks ("),
        "{text}"
    );
}

/// The README states the overall line `list --coverage` prints for the built-in suite,
/// word for word.
#[test]
fn the_readme_states_the_figure_list_coverage_computes() {
    let listed = run(&["list", "--coverage"]);
    listed.assert_code(0);
    let overall = listed
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("overall: "))
        .unwrap_or_else(|| panic!("no overall line: {}", listed.show()));
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    assert!(
        readme.contains(overall),
        "README.md does not state today's figure; put this line in it:\n{overall}"
    );
}
