//! Several profiles in one run, through the `scimcheck` binary: they apply in the order
//! given, a later one overriding an earlier one for a scenario both decide; the lowest
//! rate limit wins whatever the order; `list` shows which profile decided what; reports
//! name every profile; a bad name anywhere in the list is refused with a suggestion and
//! where it was named.

use crate::support::cli;

use std::path::{Path, PathBuf};

use cli::{outcome, scenarios};
use serde_json::Value;

/// Entra ID raises every capitalised-op scenario to `must`; this one relaxes one of them.
const RELAX: &str = "name: relax\ntitle: Relaxed add\nrules:\n  - scenario: users.patch.add-capitalised\n    severity: may\n";
const CAPITALISED: [&str; 3] = [
    "--misbehave",
    "patch-op-case-sensitive",
    // The core's three (entra-id's own replay, `entra-id.patch.capitalised-ops`, is apart).
    "--filter=-capitalised",
];

fn write_profile(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.profile.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn outcomes(report: &Value) -> Vec<(String, String, String)> {
    let mut all: Vec<(String, String, String)> = scenarios(report)
        .map(|s| {
            (
                s["id"].as_str().unwrap_or("?").to_owned(),
                outcome(s).to_owned(),
                s["severity"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

fn triple(id: &str, outcome: &str, severity: &str) -> (String, String, String) {
    (id.to_owned(), outcome.to_owned(), severity.to_owned())
}

#[test]
fn a_later_profile_overrides_an_earlier_one_for_the_scenario_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let relax = write_profile(dir.path(), "relax", RELAX);
    let relax = relax.to_str().unwrap();

    let later = cli::run_json(
        &[
            &CAPITALISED[..],
            &["--profile", &format!("entra-id,{relax}")],
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(later.finished.code, 1, "{}", later.finished.stdout);
    assert_eq!(
        outcomes(&later.report),
        vec![
            triple("groups.members.add-capitalised", "fail", "must"),
            triple("users.patch.add-capitalised", "warn", "may"),
            triple("users.patch.replace-capitalised", "fail", "must"),
        ]
    );
    assert_eq!(
        later.report["run"]["profiles"],
        serde_json::json!(["entra-id", "relax"])
    );
    assert_eq!(later.report["run"]["profile"], "entra-id, relax");
    assert!(
        later.finished.stdout.contains("(profiles entra-id, relax)"),
        "{}",
        later.finished.stdout
    );

    // The other order: Entra ID comes last and raises the scenario again.
    let earlier = cli::run_json(
        &[
            &CAPITALISED[..],
            &["--profile", relax, "--profile", "entra-id"],
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(earlier.finished.code, 1, "{}", earlier.finished.stdout);
    assert!(
        outcomes(&earlier.report)
            .iter()
            .all(|(_, outcome, severity)| outcome == "fail" && severity == "must"),
        "{:?}",
        outcomes(&earlier.report)
    );
    assert_eq!(
        earlier.report["run"]["profiles"],
        serde_json::json!(["relax", "entra-id"])
    );
}

#[test]
fn help_says_which_profile_wins() {
    for command in ["run", "list"] {
        let help = cli::run(&[command, "--help"]);
        help.assert_code(0);
        let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("where two disagree on a scenario, the one named last wins; the lowest rate limit of them all applies"),
            "{command}: {text}"
        );
    }
}

#[test]
fn the_config_file_and_the_environment_name_several_profiles_too() {
    let dir = tempfile::tempdir().unwrap();
    write_profile(dir.path(), "relax", RELAX);
    let config = dir.path().join("scimcheck.yaml");
    std::fs::write(&config, "profile: [entra-id, relax.profile.yaml]\n").unwrap();
    let from_config =
        cli::run_json(&[&CAPITALISED[..], &["--config", config.to_str().unwrap()]].concat())
            .unwrap();
    assert_eq!(
        from_config.report["run"]["profiles"],
        serde_json::json!(["entra-id", "relax"])
    );
    let relaxed = |report: &Value| {
        outcomes(report).contains(&triple("users.patch.add-capitalised", "warn", "may"))
    };
    assert!(
        relaxed(&from_config.report),
        "{:?}",
        outcomes(&from_config.report)
    );

    let report = dir.path().join("env.json");
    let mut command = cli::scimcheck();
    command
        .args(["run", "--no-progress", "--jobs", "1", "--report-json"])
        .arg(&report)
        .args(CAPITALISED)
        .env(
            "SCIMCHECK_PROFILE",
            format!(
                "entra-id,{}",
                dir.path().join("relax.profile.yaml").display()
            ),
        );
    let finished = cli::finish(command);
    assert_eq!(finished.code, 1, "{}", finished.show());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        report["run"]["profiles"],
        serde_json::json!(["entra-id", "relax"])
    );
    assert!(relaxed(&report), "{:?}", outcomes(&report));
}

#[test]
fn list_shows_which_profile_decided_each_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let relax = write_profile(dir.path(), "relax", RELAX);
    let profiles = format!("entra-id,{}", relax.display());
    let text = cli::run(&["list", "--filter", "capitalised", "--profile", &profiles]);
    text.assert_code(0);
    let out = &text.stdout;
    assert!(
        out.starts_with("profiles: entra-id, relax (applied in this order"),
        "{out}"
    );
    let facts_of = |id: &str| {
        let at = out
            .find(id)
            .unwrap_or_else(|| panic!("{id} missing: {out}"));
        out[at..].lines().take(2).collect::<Vec<_>>().join("\n")
    };
    assert!(
        facts_of("users.patch.add-capitalised")
            .contains("severity may from profile relax (overriding entra-id: must)"),
        "{out}"
    );
    assert!(
        facts_of("users.patch.replace-capitalised").contains("severity must from profile entra-id"),
        "{out}"
    );

    let json = cli::run(&[
        "list",
        "--filter",
        "capitalised",
        "--profile",
        &profiles,
        "--format",
        "json",
    ]);
    json.assert_code(0);
    let listed: Value = serde_json::from_str(&json.stdout).unwrap();
    let add = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "users.patch.add-capitalised")
        .unwrap();
    assert_eq!(add["severity"], "may");
    assert_eq!(
        add["decided_by"],
        serde_json::json!({"severity": {"profile": "relax",
            "overrides": [{"profile": "entra-id", "severity": "must"}]}})
    );
}

#[test]
fn list_shows_a_vendor_deviation_beside_the_idp_severity() {
    let out = cli::run(&[
        "list",
        "--filter",
        "users.create.duplicate-username",
        "--profile",
        "entra-id,talentech",
        "--format",
        "json",
    ]);
    out.assert_code(0);
    let listed: Value = serde_json::from_str(&out.stdout).unwrap();
    let decided = &listed[0]["decided_by"];
    assert_eq!(
        decided["known_deviation"]["profile"], "talentech",
        "{listed}"
    );
    let reason = listed[0]["known_deviation"].as_str().unwrap_or_default();
    assert!(reason.contains("talentech profile"), "{reason}");
}

#[test]
fn the_lowest_rate_limit_of_the_profiles_wins_whatever_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let fast = write_profile(
        dir.path(),
        "fast",
        "name: fast\ntitle: Fast\nrate_limit: 50\n",
    );
    let fast = fast.to_str().unwrap();
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
    // 50 requests per second is too fast for a server that allows 4.
    let alone = cli::run_json(&[&flags[..], &["--profile", fast]].concat()).unwrap();
    assert_eq!(alone.finished.code, 1, "{}", alone.finished.stdout);
    for order in [format!("{fast},talkdesk"), format!("talkdesk,{fast}")] {
        let paced = cli::run_json(&[&flags[..], &["--profile", &order]].concat()).unwrap();
        assert_eq!(paced.finished.code, 0, "{order}: {}", paced.finished.stdout);
    }
    let listed = cli::run(&[
        "list",
        "--filter",
        "users.read",
        "--profile",
        &format!("talkdesk,{fast}"),
    ]);
    assert!(
        listed
            .stdout
            .contains("rate limit: 4 requests per second, from profile talkdesk"),
        "{}",
        listed.stdout
    );
}

#[test]
fn a_bad_name_anywhere_in_the_list_is_refused_with_a_suggestion() {
    for args in [
        &["run", "--profile", "entra-id,talentek"][..],
        &["list", "--profile", "entra-id", "--profile", "talentek"][..],
    ] {
        let out = cli::run(args);
        out.assert_code(2);
        assert!(
            out.stderr
                .contains("unknown profile 'talentek'; did you mean 'talentech'?"),
            "{}",
            out.show()
        );
        assert!(
            !out.stdout.contains("Running"),
            "nothing ran: {}",
            out.show()
        );
    }
    let mut command = cli::scimcheck();
    command
        .args(["list"])
        .env("SCIMCHECK_PROFILE", "okta,entra_id");
    let out = cli::finish(command);
    out.assert_code(2);
    assert!(
        out.stderr.contains("did you mean 'entra-id'?"),
        "{}",
        out.show()
    );
    let twice = cli::run(&["list", "--profile", "okta,okta"]);
    twice.assert_code(2);
    assert!(twice.stderr.contains("named twice"), "{}", twice.show());
}

#[test]
fn an_error_says_where_the_profiles_were_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scimcheck.yaml");
    std::fs::write(
        &config,
        "url: http://127.0.0.1:9/scim/v2\n\nprofile:\n  - entra-id\n  - talentek\n",
    )
    .unwrap();
    let out = cli::run(&["run", "--config", config.to_str().unwrap()]);
    out.assert_code(2);
    let expected = format!(
        "error: {}:4: profile: unknown profile 'talentek'",
        config.display()
    );
    assert!(out.stderr.contains(&expected), "{}", out.show());

    let out = cli::run(&["list", "--profile", "okta", "--profile", "talentek"]);
    assert!(
        out.stderr.contains("error: --profile: unknown profile"),
        "{}",
        out.show()
    );
    let mut command = cli::scimcheck();
    command
        .args(["list"])
        .env("SCIMCHECK_PROFILE", "okta, talentek");
    let out = cli::finish(command);
    assert!(
        out.stderr
            .contains("error: SCIMCHECK_PROFILE: unknown profile"),
        "{}",
        out.show()
    );

    // A profile file with a mistake: the file's own line and field, once.
    let bad = write_profile(
        dir.path(),
        "bad",
        "name: bad\ntitle: Bad\nrules:\n  - scenari: users.create.basic\n    severity: must\n",
    );
    let out = cli::run(&["list", "--profile", &format!("okta,{}", bad.display())]);
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!(
            "error: --profile: profile file {} has errors:\nerror: unknown key 'scenari'",
            bad.display()
        )),
        "{}",
        out.show()
    );
    assert!(
        out.stderr.contains("bad.profile.yaml:4:5"),
        "{}",
        out.show()
    );
}
