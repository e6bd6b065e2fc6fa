//! Which suites a run loads, through the binary: `--suite` adds to the built-in suite,
//! `--no-builtin` leaves it out, `builtin:NAME` names it, and the config file and the
//! environment say the same.

use crate::support::cli;

use std::collections::BTreeSet;

use cli::{Finished, finish, run_json, scenarios, scimcheck, write};
use scimcheck::exit;

/// A scenario of our own that passes against the embedded server.
const CUSTOM: &str = "\
id: custom.service-provider-config
title: The service provider configuration answers
steps:
  - name: read
    request: { method: GET, path: /ServiceProviderConfig }
    expect: { status: 200 }
";

/// The scenario ids a JSON report holds.
fn ids(report: &serde_json::Value) -> BTreeSet<String> {
    scenarios(report)
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect()
}

fn has_built_in(ids: &BTreeSet<String>) -> bool {
    ids.contains("users.create.basic")
}

fn has_custom(ids: &BTreeSet<String>) -> bool {
    ids.contains("custom.service-provider-config")
}

#[test]
fn a_custom_suite_runs_together_with_the_built_in_suite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let custom = write(dir.path(), "custom.yaml", CUSTOM);
    let run = run_json(&["--suite", custom.to_str().unwrap()]).unwrap_or_else(|e| panic!("{e}"));
    run.finished.assert_code(exit::SUCCESS);
    let ran = ids(&run.report);
    assert!(has_built_in(&ran) && has_custom(&ran), "{ran:?}");
    let built_in = ran.iter().filter(|id| !id.starts_with("custom.")).count();
    assert!(built_in > 100, "only {built_in} built-in scenarios ran");
}

#[test]
fn no_builtin_runs_only_the_custom_suite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let custom = write(dir.path(), "custom.yaml", CUSTOM);
    let run = run_json(&["--no-builtin", "--suite", custom.to_str().unwrap()])
        .unwrap_or_else(|e| panic!("{e}"));
    run.finished.assert_code(exit::SUCCESS);
    assert_eq!(
        ids(&run.report),
        BTreeSet::from(["custom.service-provider-config".to_owned()])
    );
    let tally = run.finished.tally();
    assert_eq!((tally.passed, tally.failed, tally.skipped), (1, 0, 0));
}

#[test]
fn builtin_core_names_the_built_in_suite_after_no_builtin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let custom = write(dir.path(), "custom.yaml", CUSTOM);
    let custom = custom.to_str().unwrap();
    let only_core = run_json(&[
        "--no-builtin",
        "--suite",
        "builtin:core",
        "--filter",
        "users.",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let ran = ids(&only_core.report);
    assert!(has_built_in(&ran) && !has_custom(&ran), "{ran:?}");
    let both = run_json(&[
        "--no-builtin",
        "--suite",
        "builtin:core",
        "--suite",
        custom,
        "--filter",
        "users.create.basic",
        "--filter",
        "custom.",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ids(&both.report),
        BTreeSet::from([
            "custom.service-provider-config".to_owned(),
            "users.create.basic".to_owned()
        ])
    );
}

#[test]
fn an_unknown_built_in_suite_exits_2_with_the_closest_name() {
    for command in ["run", "list"] {
        let out = cli::run(&[command, "--suite", "builtin:cor"]);
        out.assert_code(exit::USAGE).assert_no_panic();
        assert!(
            out.stderr
                .contains("unknown built-in suite 'builtin:cor'; did you mean 'builtin:core'?"),
            "{}",
            out.show()
        );
    }
}

#[test]
fn no_builtin_without_a_suite_exits_2() {
    let out = cli::run(&["run", "--no-builtin", "--no-progress"]);
    out.assert_code(exit::USAGE).assert_no_panic();
    assert!(
        out.stderr.contains("--no-builtin leaves no scenarios"),
        "{}",
        out.show()
    );
}

#[test]
fn a_copy_of_the_core_suite_beside_the_built_in_one_is_a_duplicate_with_a_hint() {
    let core = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/core");
    let out = cli::run(&["list", "--suite", core]);
    out.assert_code(exit::USAGE).assert_no_panic();
    assert!(
        out.stderr.contains("duplicate scenario id"),
        "{}",
        out.show()
    );
    assert!(out.stderr.contains("add --no-builtin"), "{}", out.show());
    cli::run(&["list", "--no-builtin", "--suite", core]).assert_code(exit::SUCCESS);
}

/// `scimcheck list --format json` in `dir` with `args`, and the listed ids.
fn listed(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Finished, BTreeSet<String>) {
    let mut command = scimcheck();
    command
        .current_dir(dir)
        .args(["list", "--format", "json"])
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let out = finish(command);
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let ids = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    (out, ids)
}

#[test]
fn the_environment_adds_suites_and_leaves_the_built_in_one_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "custom.yaml", CUSTOM);
    let (out, ids) = listed(dir.path(), &[], &[("SCIMCHECK_SUITE", "custom.yaml")]);
    out.assert_code(exit::SUCCESS);
    assert!(has_built_in(&ids) && has_custom(&ids), "{}", out.show());
    let (out, ids) = listed(
        dir.path(),
        &[],
        &[
            ("SCIMCHECK_SUITE", "custom.yaml"),
            ("SCIMCHECK_NO_BUILTIN", "1"),
        ],
    );
    out.assert_code(exit::SUCCESS);
    assert!(!has_built_in(&ids) && has_custom(&ids), "{}", out.show());
}

#[test]
fn the_config_file_adds_suites_relative_to_itself_and_can_leave_the_built_in_one_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("suites")).expect("a folder");
    write(dir.path(), "suites/custom.yaml", CUSTOM);
    let adding = write(dir.path(), "adding.yaml", "suites: [suites/custom.yaml]\n");
    let only = write(
        dir.path(),
        "only.yaml",
        "suites: [suites/custom.yaml]\nno_builtin: true\n",
    );
    let named = write(
        dir.path(),
        "named.yaml",
        "suites: [builtin:core, suites/custom.yaml]\nno_builtin: true\n",
    );
    // The test runs in the crate's folder, so the paths resolve against the config file.
    for (config, built_in) in [(&adding, true), (&only, false), (&named, true)] {
        let run = run_json(&[
            "--config",
            config.to_str().unwrap(),
            "--filter",
            "users.create.basic",
            "--filter",
            "custom.",
        ])
        .unwrap_or_else(|e| panic!("{}: {e}", config.display()));
        let ran = ids(&run.report);
        assert!(has_custom(&ran), "{}: {ran:?}", config.display());
        assert_eq!(
            has_built_in(&ran),
            built_in,
            "{}: {ran:?}",
            config.display()
        );
    }
}

#[test]
fn help_says_suites_add_to_the_built_in_one() {
    let out = cli::run(&["run", "--help"]);
    out.assert_code(exit::SUCCESS);
    for wanted in [
        "--suite <PATH|builtin:NAME>",
        "builtin:core",
        "--no-builtin",
        "SCIMCHECK_NO_BUILTIN",
    ] {
        assert!(
            out.stdout.contains(wanted),
            "{wanted} missing from help\n{}",
            out.stdout
        );
    }
}
