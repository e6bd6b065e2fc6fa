//! `--baseline` and `scimcheck diff`, through the binary: a run against a server with a
//! known misbehaviour passes when the baseline already has its failures, fails when a
//! second misbehaviour adds new ones, lists what was fixed; `diff` says the same of two
//! reports, with exit 1 only for new failures.

use crate::support::cli;

use std::path::Path;

use cli::{JsonRun, run, run_json};
use scimcheck::exit;

/// The scenarios these tests run: the create ones, which `no-location` and `no-uniqueness`
/// fail in different ways.
const SELECTION: &[&str] = &["--filter", "users.create."];

fn run_with(misbehave: &str, extra: &[&str]) -> JsonRun {
    let mut args = SELECTION.to_vec();
    if !misbehave.is_empty() {
        args.extend(["--misbehave", misbehave]);
    }
    args.extend_from_slice(extra);
    run_json(&args).unwrap_or_else(|e| panic!("{e}"))
}

/// Sorted, as `diff` and the baseline notes list them.
fn failed_ids(run: &JsonRun) -> Vec<String> {
    let mut ids: Vec<String> = cli::scenarios(&run.report)
        .filter(|s| cli::outcome(s) == "fail")
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

fn save(dir: &Path, name: &str, run: &JsonRun) -> String {
    let path = dir.join(name);
    std::fs::write(&path, run.report.to_string()).expect("write the report");
    path.display().to_string()
}

#[test]
fn a_baseline_run_passes_with_old_failures_fails_on_new_ones_and_lists_fixes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let before = run_with("no-location", &[]);
    before.finished.assert_code(exit::CONFORMANCE_FAILURE);
    let old = failed_ids(&before);
    assert!(!old.is_empty(), "{}", before.finished.show());
    let baseline = save(dir.path(), "before.json", &before);

    let same = run_with("no-location", &["--baseline", &baseline]);
    same.finished.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(failed_ids(&same), old, "the same failures, still reported");
    assert!(
        same.finished
            .stdout
            .contains(&format!("already in the baseline {baseline} do")),
        "{}",
        same.finished.show()
    );
    assert_eq!(same.report["verdict"]["status"], "passed");
    assert_eq!(
        same.report["baseline"]["known_failures"]
            .as_array()
            .map(Vec::len),
        Some(old.len())
    );

    let worse = run_with("no-location,no-uniqueness", &["--baseline", &baseline]);
    worse.finished.assert_code(exit::CONFORMANCE_FAILURE);
    let new: Vec<String> = worse.report["baseline"]["new_failures"]
        .as_array()
        .expect("new failures listed")
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!new.is_empty(), "{}", worse.finished.show());
    assert!(
        worse.finished.stdout.contains("not in the baseline")
            && worse.finished.stdout.contains(&new[0]),
        "{}",
        worse.finished.show()
    );
    assert_eq!(worse.report["verdict"]["status"], "failed");

    let fixed = run_with("", &["--baseline", &baseline]);
    fixed.finished.assert_code(exit::SUCCESS);
    let note = format!("note: fixed since the baseline {baseline}: ");
    let fixed_line = fixed.finished.stdout.lines().find(|l| l.starts_with(&note));
    assert!(
        fixed_line.is_some_and(|line| old.iter().all(|id| line.contains(id.as_str()))),
        "{}",
        fixed.finished.show()
    );
}

#[test]
fn diff_prints_new_failures_fixes_and_changed_skips_and_exits_1_only_for_new_failures() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let clean = save(dir.path(), "clean.json", &run_with("", &[]));
    let broken = run_with("no-location", &[]);
    let failing = failed_ids(&broken);
    let broken = save(dir.path(), "broken.json", &broken);

    let worse = run(&["diff", &clean, &broken]);
    worse
        .assert_code(exit::CONFORMANCE_FAILURE)
        .assert_no_panic();
    assert!(
        worse.stdout.contains(&format!(
            "new failures: {}\n  {} (was pass)",
            failing.len(),
            failing[0]
        )),
        "{}",
        worse.show()
    );
    assert!(worse.stdout.contains("failing: "), "{}", worse.show());
    assert!(worse.stdout.contains("fixed: 0"), "{}", worse.show());

    let better = run(&["diff", &broken, &clean]);
    better.assert_code(exit::SUCCESS);
    assert!(
        better.stdout.contains("new failures: 0")
            && better.stdout.contains(&format!(
                "fixed: {}\n  {} (now pass)",
                failing.len(),
                failing[0]
            )),
        "{}",
        better.show()
    );

    let same = run(&["diff", &broken, &broken]);
    same.assert_code(exit::SUCCESS);
    assert!(
        same.stdout
            .contains(&format!("still failing: {}", failing.len())),
        "{}",
        same.show()
    );
}

#[test]
fn diff_shows_scenarios_that_became_skipped() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let with_groups =
        run_json(&["--filter", "groups.create.basic"]).unwrap_or_else(|e| panic!("{e}"));
    let without = run_json(&[
        "--filter",
        "groups.create.basic",
        "--misbehave",
        "no-groups",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let before = save(dir.path(), "a.json", &with_groups);
    let after = save(dir.path(), "b.json", &without);
    let out = run(&["diff", &before, &after]);
    out.assert_code(exit::SUCCESS);
    assert!(
        out.stdout
            .contains("skips changed: 1\n  groups.create.basic: pass -> skip ("),
        "{}",
        out.show()
    );
}

#[test]
fn a_file_that_is_not_a_json_report_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let missing = dir.path().join("missing.json").display().to_string();
    let other = dir.path().join("package.json");
    std::fs::write(&other, r#"{"name": "left-pad"}"#).expect("write");
    let other = other.display().to_string();
    let truncated = dir.path().join("cut.json");
    std::fs::write(&truncated, "{\n  \"format\": ").expect("write");
    let truncated = truncated.display().to_string();

    for (file, why) in [
        (&missing, "cannot read"),
        (&other, "not a scimcheck JSON report: field `format`"),
        (&truncated, ":2:"),
    ] {
        let out = run(&["run", "--no-progress", "--baseline", file]);
        out.assert_code(exit::USAGE).assert_no_panic();
        assert!(
            out.stderr.contains("--baseline")
                && out.stderr.contains(file)
                && out.stderr.contains(why),
            "{}",
            out.show()
        );
        assert!(
            !out.stdout.contains("PASS"),
            "nothing may run\n{}",
            out.show()
        );
        let out = run(&["diff", file, file]);
        out.assert_code(exit::USAGE);
        assert!(
            out.stderr.contains(file) && out.stderr.contains(why),
            "{}",
            out.show()
        );
    }
}
