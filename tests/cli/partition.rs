//! `--partition k/n`, `merge` and `report`, through the binary: the slices of a run
//! hold every selected scenario exactly once, a scenario's slice follows from its id,
//! the merged slices say what one whole run says, every report can be written from the
//! merged JSON, and reports that are not the slices of one run are refused.

use crate::support::{cli, xsd};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cli::{run, run_json_jobs};
use scimcheck::exit;
use serde_json::Value;

fn listed_ids(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["list", "--format", "json"];
    args.extend_from_slice(extra);
    let finished = run(&args);
    finished.assert_code(exit::SUCCESS);
    let listed: Value = serde_json::from_str(&finished.stdout).expect("list prints JSON");
    listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn the_slices_of_a_partition_cover_every_selected_scenario_exactly_once() {
    let all: BTreeSet<String> = listed_ids(&[]).into_iter().collect();
    assert!(
        all.len() > 100,
        "the built-in suite: {} scenarios",
        all.len()
    );
    for n in [1, 2, 3, 5, 8] {
        let mut slice_of: BTreeMap<String, u32> = BTreeMap::new();
        for k in 1..=n {
            for id in listed_ids(&["--partition", &format!("{k}/{n}")]) {
                if let Some(other) = slice_of.insert(id.clone(), k) {
                    panic!("{id} is in slices {other}/{n} and {k}/{n}");
                }
            }
        }
        let covered: BTreeSet<String> = slice_of.keys().cloned().collect();
        assert_eq!(covered, all, "the {n} slices together");
        if n > 1 {
            let sizes: Vec<usize> = (1..=n)
                .map(|k| slice_of.values().filter(|&&s| s == k).count())
                .collect();
            assert!(
                sizes.iter().all(|&size| size * n as usize * 2 > all.len()),
                "slices of {n} far from even: {sizes:?}"
            );
        }
    }
}

#[test]
fn a_scenarios_slice_follows_from_its_id_not_from_what_else_is_selected() {
    let everything: BTreeSet<String> = listed_ids(&["--partition", "2/3"]).into_iter().collect();
    let users_only = listed_ids(&["--partition", "2/3", "--tag", "users"]);
    assert!(!users_only.is_empty());
    for id in &users_only {
        assert!(
            everything.contains(id),
            "{id} moved to another slice when fewer scenarios were selected"
        );
    }
}

#[test]
fn a_bad_partition_is_a_usage_error_that_says_what_is_expected() {
    for (partition, why) in [
        ("5/4", "k must be between 1 and n (4)"),
        ("0/4", "k must be between 1 and n (4)"),
        ("1/0", "n must be between 1 and"),
        ("half", "no `/`"),
    ] {
        let finished = run(&["run", "--partition", partition]);
        finished.assert_code(exit::USAGE).assert_no_panic();
        assert!(
            finished.stderr.contains(why) && finished.stderr.contains("expected k/n"),
            "{partition}\n{}",
            finished.show()
        );
    }
}

fn write(dir: &Path, name: &str, report: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, report.to_string()).expect("write the report");
    path
}

fn merge(reports: &[&Path], output: &Path) -> cli::Finished {
    let mut command = cli::scimcheck();
    command.arg("merge").args(reports).arg("-o").arg(output);
    cli::finish(command)
}

#[test]
fn merged_slices_say_what_one_whole_run_says_and_every_report_is_written_from_them() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let whole = run_json_jobs(4, &[]).unwrap_or_else(|e| panic!("{e}"));
    let n = 3;
    let slices: Vec<PathBuf> = (1..=n)
        .map(|k| {
            let partition = format!("{k}/{n}");
            let slice =
                run_json_jobs(4, &["--partition", &partition]).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                slice.report["run"]["plan"]["partition"],
                serde_json::json!({"slice": k, "of": n}),
                "the report records its slice"
            );
            write(dir.path(), &format!("slice-{k}.json"), &slice.report)
        })
        .collect();
    let merged_path = dir.path().join("all.json");
    let slice_refs: Vec<&Path> = slices.iter().map(PathBuf::as_path).collect();
    merge(&slice_refs, &merged_path)
        .assert_code(exit::SUCCESS)
        .assert_no_panic();
    let merged: Value =
        serde_json::from_str(&std::fs::read_to_string(&merged_path).expect("merged report"))
            .expect("the merged report is JSON");

    for field in ["verdict", "coverage"] {
        assert_eq!(merged[field], whole.report[field], "{field}");
    }
    // Each slice reads discovery and creates the shared fixtures it uses itself, so only
    // the request count may be higher than one whole run's.
    let without_requests = |report: &Value| {
        let mut totals = report["totals"].clone();
        totals.as_object_mut().map(|t| t.remove("requests"));
        totals
    };
    assert_eq!(without_requests(&merged), without_requests(&whole.report));
    assert!(merged["totals"]["requests"].as_u64() >= whole.report["totals"]["requests"].as_u64());
    assert_eq!(merged["run"]["plan"], whole.report["run"]["plan"]);
    let ids = |report: &Value| -> BTreeSet<String> {
        cli::scenarios(report)
            .map(|s| format!("{} {}", s["id"].as_str().unwrap_or("?"), cli::outcome(s)))
            .collect()
    };
    assert_eq!(ids(&merged), ids(&whole.report));

    // Every other format, from the merged JSON alone.
    let (junit, html, markdown) = (
        dir.path().join("junit.xml"),
        dir.path().join("run.html"),
        dir.path().join("summary.md"),
    );
    let mut command = cli::scimcheck();
    command
        .arg("report")
        .arg(&merged_path)
        .arg("--junit")
        .arg(&junit)
        .arg("--html")
        .arg(&html)
        .arg("--markdown")
        .arg(&markdown);
    let finished = cli::finish(command);
    let verdict_code = merged["verdict"]["exit_code"].as_i64().expect("a code") as i32;
    finished.assert_code(verdict_code).assert_no_panic();
    let counts = whole
        .finished
        .stdout
        .lines()
        .last()
        .expect("the run's counts line")
        .to_owned();
    assert!(
        finished.stdout.ends_with(&format!("{counts}\n")),
        "the console ends with the whole run's counts line `{counts}`\n{}",
        finished.show()
    );

    let junit = std::fs::read_to_string(&junit).expect("a JUnit report");
    let xsd_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/junit/junit.xsd"
    ))
    .expect("the JUnit schema");
    let schema = xsd::Schema::read(&xsd_text).expect("the JUnit schema reads");
    assert_eq!(schema.validate(&junit), Vec::<String>::new());
    let root = xsd::parse(&junit).expect("well-formed XML");
    let testcases: usize = root
        .children_named("testsuite")
        .map(|suite| suite.children_named("testcase").count())
        .sum();
    assert_eq!(testcases, cli::scenarios(&whole.report).count());

    let html = std::fs::read_to_string(&html).expect("an HTML report");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for scenario in cli::scenarios(&whole.report) {
        let id = scenario["id"].as_str().expect("an id");
        assert!(html.contains(&format!("<b>{id}</b>")), "{id} in the HTML");
    }
    let markdown = std::fs::read_to_string(&markdown).expect("a Markdown report");
    let verdict = format!(
        "**Verdict: {} (exit {verdict_code})**",
        merged["verdict"]["status"].as_str().expect("a status")
    );
    // Every request the slices sent, each slice's discovery included.
    let requests = format!("| {} | 0 |\n", merged["requests"]["total"]);
    for expected in [&verdict, &requests] {
        assert!(
            markdown.contains(expected.as_str()),
            "`{expected}` in\n{markdown}"
        );
    }

    refusals(dir.path(), &slices);
}

/// Reports that are not every slice of one run, once each.
fn refusals(dir: &Path, slices: &[PathBuf]) {
    let output = dir.join("refused.json");
    let refused = |reports: &[&Path], why: &str| {
        let finished = merge(reports, &output);
        finished.assert_code(exit::USAGE).assert_no_panic();
        assert!(finished.stderr.contains(why), "{why}\n{}", finished.show());
        assert!(!output.exists(), "nothing written when refused");
    };
    refused(&[&slices[0], &slices[1]], "slice 3/3 missing");
    refused(
        &[&slices[0], &slices[1], &slices[2], &slices[1]],
        "are both slice 2/3",
    );
    let read = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("a slice")).expect("JSON")
    };
    let tampered = |edit: &dyn Fn(&mut Value)| {
        let mut report = read(&slices[2]);
        edit(&mut report);
        write(dir, "tampered.json", &report)
    };
    let other_version = tampered(&|r| r["run"]["tool_version"] = "0.0.1".into());
    refused(
        &[&slices[0], &slices[1], &other_version],
        "the scimcheck version differs",
    );
    let other_target = tampered(&|r| {
        r["run"]["embedded"] = Value::Null;
        r["run"]["target_url"] = "https://other.example/scim/v2".into();
    });
    refused(
        &[&slices[0], &slices[1], &other_target],
        "the target differs",
    );
    let other_selection = tampered(&|r| r["run"]["plan"]["scenarios"] = 7.into());
    refused(
        &[&slices[0], &slices[1], &other_selection],
        "ran another selection of scenarios",
    );
    let overlapping = tampered(&|r| {
        let first = read(&slices[0])["scenarios"][0].clone();
        r["scenarios"]
            .as_array_mut()
            .expect("scenarios")
            .push(first);
    });
    refused(&[&slices[0], &slices[1], &overlapping], "is in both");
    let not_a_report = write(dir, "package.json", &serde_json::json!({"name": "x"}));
    refused(&[&slices[0], &not_a_report], "not a scimcheck JSON report");
}
