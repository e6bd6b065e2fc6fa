//! Profiles through the `scimcheck` binary: documented vendor behaviour becomes a
//! deviation (exit 0) without hiding anything else, an IdP profile raises what that IdP
//! needs to `must`, exclusions are reported as skips, and bad profiles are refused.

use crate::support::cli;

use cli::{not_passing, outcome, scenarios};

fn ids_with(report: &serde_json::Value, kind: &str) -> Vec<String> {
    scenarios(report)
        .filter(|s| outcome(s) == kind)
        .map(|s| s["id"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn documented_soft_delete_is_a_deviation_not_a_failure() {
    let flags = ["--misbehave", "soft-delete", "--filter", "users.delete"];
    let plain = cli::run_json(&flags).unwrap();
    assert_eq!(plain.finished.code, 1, "{}", plain.finished.stdout);
    // Required failures and warnings alike become deviations under the profile.
    let failed: Vec<String> = scenarios(&plain.report)
        .filter(|s| matches!(outcome(s), "fail" | "warn"))
        .map(|s| s["id"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert!(
        failed.contains(&"users.delete.basic".to_owned()),
        "{failed:?}"
    );

    let profiled = cli::run_json(&[&flags[..], &["--profile", "socialtalent"]].concat()).unwrap();
    assert_eq!(profiled.finished.code, 0, "{}", profiled.finished.stdout);
    assert_eq!(ids_with(&profiled.report, "deviation"), failed);
    assert_eq!(profiled.report["run"]["profile"], "socialtalent");
    let basic = scenarios(&profiled.report)
        .find(|s| s["id"] == "users.delete.basic")
        .unwrap();
    let reason = basic["outcome"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("socialtalent profile"), "{basic}");
    assert!(
        profiled.finished.stdout.contains("deviations  "),
        "{}",
        profiled.finished.stdout
    );
}

#[test]
fn a_profile_hides_nothing_it_does_not_name() {
    let run = cli::run_json(&[
        "--misbehave",
        "soft-delete,uniqueness-500",
        "--filter",
        "users.delete.basic",
        "--filter",
        "users.create.duplicate-username",
        "--profile",
        "socialtalent",
    ])
    .unwrap();
    assert_eq!(run.finished.code, 1, "{}", run.finished.stdout);
    let broken = not_passing(&run.report);
    assert!(
        broken.contains("users.delete.basic deviation"),
        "{broken:?}"
    );
    assert!(
        broken.contains("users.create.duplicate-username fail"),
        "{broken:?}"
    );
}

#[test]
fn a_deviation_rule_leaves_a_passing_scenario_passing() {
    // SocialTalent's rules alone, without its product (which the embedded server would
    // emulate): against a server that really deletes, nothing deviates.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deletes.profile.yaml");
    std::fs::write(
        &path,
        "name: deletes\ntitle: D\nrules:\n  - scenario: users.delete.*\n    deviation: DELETE deactivates\n",
    )
    .unwrap();
    let path = path.to_string_lossy().into_owned();
    let run = cli::run_json(&["--filter", "users.delete", "--profile", &path]).unwrap();
    assert_eq!(run.finished.code, 0, "{}", run.finished.stdout);
    assert!(
        not_passing(&run.report).is_empty(),
        "{}",
        run.finished.stdout
    );
}

#[test]
fn the_entra_id_profile_makes_capitalised_ops_required() {
    let flags = [
        "--misbehave",
        "patch-op-case-sensitive",
        "--filter",
        "capitalised",
    ];
    let plain = cli::run_json(&flags).unwrap();
    assert_eq!(
        plain.finished.code, 0,
        "lenient without a profile: {}",
        plain.finished.stdout
    );
    assert!(
        ids_with(&plain.report, "fail").is_empty() && !ids_with(&plain.report, "warn").is_empty(),
        "may failures are warnings: {}",
        plain.finished.stdout
    );

    let entra = cli::run_json(&[&flags[..], &["--profile", "entra-id"]].concat()).unwrap();
    assert_eq!(entra.finished.code, 1, "{}", entra.finished.stdout);
    for scenario in scenarios(&entra.report).filter(|s| outcome(s) == "fail") {
        assert_eq!(scenario["severity"], "must", "{scenario}");
    }
}

#[test]
fn an_exclusion_is_reported_as_a_skip_with_the_reason() {
    let run = cli::run_json(&[
        "--filter",
        "groups.create.basic",
        "--filter",
        "users.read",
        "--profile",
        "talkdesk",
    ])
    .unwrap();
    assert_eq!(run.finished.code, 0, "{}", run.finished.stdout);
    let group = scenarios(&run.report)
        .find(|s| s["id"] == "groups.create.basic")
        .unwrap();
    assert_eq!(outcome(group), "skip");
    let reason = group["outcome"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("only supports the User resource"),
        "{group}"
    );
    assert!(!ids_with(&run.report, "pass").is_empty());
}

#[test]
fn a_malformed_profile_file_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vendor.yaml");
    std::fs::write(
        &path,
        "name: vendor\ntitle: Vendor\nrules:\n  - tag: users\n    deviaton: typo\n",
    )
    .unwrap();
    let output = cli::scimcheck()
        .args(["list", "--profile"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let place = format!("{}:5:5", path.display());
    assert!(stderr.contains(&place), "{stderr}");
    assert!(stderr.contains("did you mean 'deviation'?"), "{stderr}");
}

#[test]
fn an_unknown_profile_lists_the_built_in_ones() {
    let output = cli::scimcheck()
        .args(["run", "--profile", "entra_id"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean 'entra-id'?"), "{stderr}");
    assert!(stderr.contains("talkdesk"), "{stderr}");
}

#[test]
fn a_rule_that_matches_no_scenario_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vendor.yaml");
    std::fs::write(
        &path,
        "name: vendor\ntitle: Vendor\nrules:\n  - scenario: users.delete.basik\n    deviation: typo\n",
    )
    .unwrap();
    let output = cli::scimcheck()
        .args(["list", "--filter", "users.delete.basic", "--profile"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("scenario 'users.delete.basik' that matches no scenario"),
        "{stderr}"
    );
}

#[test]
fn lint_checks_profiles_as_profiles_and_scenarios_as_scenarios() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = cli::scimcheck()
        .args(["lint", &format!("{root}/suites")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("profile file(s) checked"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vendor.profile.yaml");
    std::fs::write(&path, "name: vendor\ntitle: Vendor\nrate_limit: fast\n").unwrap();
    let output = cli::scimcheck()
        .arg("lint")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:3:13", path.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("no scenario files"), "{stderr}");
}

#[test]
fn a_profile_rate_limit_keeps_a_four_per_second_server_happy_without_retries() {
    let flags = [
        "--misbehave",
        "rate-limit",
        "--retries",
        "0",
        "--filter",
        "users.read",
        "--filter",
        "users.create.basic",
    ];
    let unlimited = cli::run_json(&flags).unwrap();
    assert_eq!(unlimited.finished.code, 1, "{}", unlimited.finished.stdout);
    let paced = cli::run_json(&[&flags[..], &["--profile", "talkdesk"]].concat()).unwrap();
    assert_eq!(paced.finished.code, 0, "{}", paced.finished.stdout);
    // Scenarios about fields Talkdesk does not take are skipped; nothing else fails.
    assert!(
        not_passing(&paced.report)
            .iter()
            .all(|line| line.ends_with(" skip")),
        "{}",
        paced.finished.stdout
    );
}
