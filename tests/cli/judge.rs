//! `scimcheck judge -- <command>` end to end. The judged command is this test binary
//! itself, acting as a SCIM client: `as_a_client` sends the steps named by
//! JUDGE_TEST_STEPS (a YAML list, as in tests/fixtures/judge/sequences.yaml) to SCIM_URL
//! with SCIM_TOKEN and exits with JUDGE_TEST_EXIT. So no test needs Python or curl.

use crate::support::cli;
use crate::support::judge as judged;

use std::path::Path;

use cli::{Finished, finish, scimcheck};
use scimcheck::exit;
use serde_json::Value;

const STEPS: &str = "JUDGE_TEST_STEPS";
const EXIT: &str = "JUDGE_TEST_EXIT";
/// Where the client writes the token it was given, so a test can search for it.
const TOKEN_OUT: &str = "JUDGE_TEST_TOKEN_OUT";

/// The client mode of this binary; an ordinary test run passes it at once.
#[test]
fn as_a_client() {
    let Ok(path) = std::env::var(STEPS) else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("the steps file is readable");
    let steps: Vec<judged::Step> = serde_saphyr::from_str(&text).expect("steps parse");
    let url = std::env::var("SCIM_URL").expect("SCIM_URL is set");
    let token = std::env::var("SCIM_TOKEN").expect("SCIM_TOKEN is set");
    if let Ok(out) = std::env::var(TOKEN_OUT) {
        std::fs::write(out, &token).expect("token written");
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(judged::send_all(
            &reqwest::Client::new(),
            &url,
            &token,
            &steps,
        ));
    let code = std::env::var(EXIT)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    std::process::exit(code);
}

/// `scimcheck judge ARGS -- <this binary as a client sending STEPS>`.
fn judge(dir: &Path, args: &[&str], steps: &str, client_exit: i32) -> Finished {
    let steps_file = dir.join("steps.yaml");
    std::fs::write(&steps_file, steps).expect("steps written");
    let me = std::env::current_exe().expect("the test binary");
    let mut command = scimcheck();
    command
        .arg("judge")
        .args(args)
        .arg("--")
        .arg(me)
        .args(["judge::as_a_client", "--exact", "--nocapture", "--quiet"])
        .env(STEPS, &steps_file)
        .env(EXIT, client_exit.to_string())
        .env(TOKEN_OUT, dir.join("token"));
    finish(command)
}

const CARELESS: &str = r#"
- method: POST
  path: /Users
  body: { userName: ada@example.com, active: true }
- method: GET
  path: /Users?filter=userName eq ada@example.com
"#;

const CAREFUL: &str = r#"
- method: POST
  path: /Users
  body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: ada@example.com, active: true }
- method: GET
  path: '/Users?filter=userName eq "ada@example.com"'
"#;

#[test]
fn a_careless_client_fails_with_its_findings_in_every_report() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("report.json");
    let html = dir.path().join("report.html");
    let markdown = dir.path().join("summary.md");
    let args = [
        "--report-junit",
        junit.to_str().unwrap(),
        "--report-json",
        json.to_str().unwrap(),
        "--report-html",
        html.to_str().unwrap(),
        "--report-markdown",
        markdown.to_str().unwrap(),
    ];
    let finished = judge(dir.path(), &args, CARELESS, 0);
    finished
        .assert_code(exit::CONFORMANCE_FAILURE)
        .assert_no_panic();
    for expected in [
        "BROKEN RFC7643-3-client-schemas-present (must)",
        "#1 POST /scim/v2/Users",
        "BROKEN RFC7644-3.4.2.2-client-quoted-strings (must)",
        "RFC 7644 section 3.4.2.2",
        "query filter: userName eq ada@example.com",
    ] {
        assert!(
            finished.stdout.contains(expected),
            "{expected} missing\n{}",
            finished.show()
        );
    }
    let failed = finished.tally().failed;
    assert_eq!(failed, 2, "two rules broken\n{}", finished.show());

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("JSON written")).expect("JSON");
    let text = report.to_string();
    assert!(
        text.contains("RFC7644-3.4.2.2-client-quoted-strings"),
        "{text}"
    );
    let junit = std::fs::read_to_string(&junit).expect("JUnit written");
    let cases = junit.matches("<testcase ").count();
    let rules = scimcheck::judge::RuleBook::new(None)
        .expect("rules")
        .iter()
        .count();
    assert_eq!(cases, rules + 1, "one test case per rule, and the command");
    assert_eq!(junit.matches("<failure").count(), 2, "{junit}");
    assert!(
        std::fs::read_to_string(&html)
            .expect("HTML")
            .contains("client-quoted-strings")
    );
    assert!(
        std::fs::read_to_string(&markdown)
            .expect("Markdown")
            .contains("client-quoted-strings")
    );
}

#[test]
fn a_careful_client_passes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let finished = judge(dir.path(), &[], CAREFUL, 0);
    finished.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(!finished.stdout.contains("BROKEN"), "{}", finished.show());
    assert_eq!(finished.tally().failed, 0);
}

#[test]
fn a_command_that_fails_is_its_own_error_and_reports_are_still_written() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let json = dir.path().join("report.json");
    let finished = judge(
        dir.path(),
        &["--report-json", json.to_str().unwrap()],
        CAREFUL,
        3,
    );
    finished.assert_code(exit::INCOMPLETE).assert_no_panic();
    assert!(
        finished.stdout.contains("exited with status 3"),
        "{}",
        finished.show()
    );
    let report = std::fs::read_to_string(&json).expect("JSON written");
    assert!(report.contains("judge.command"), "{report}");
}

#[test]
fn a_command_that_cannot_start_is_an_error_and_nothing_is_judged() {
    let finished = finish({
        let mut command = scimcheck();
        command.args(["judge", "--", "/no/such/integration-binary"]);
        command
    });
    // Nothing was judged because the command never ran: the tool could not judge, so
    // the run is incomplete (exit 5), never a conformance failure.
    finished.assert_code(exit::INCOMPLETE).assert_no_panic();
    assert!(
        finished
            .stdout
            .contains("cannot start `/no/such/integration-binary`"),
        "{}",
        finished.show()
    );
}

#[test]
fn expectations_check_the_final_state_after_the_command() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let expect = dir.path().join("final.expect.yaml");
    std::fs::write(
        &expect,
        r#"
id: final.ada-once
title: Ada exists exactly once
steps:
  - name: look up
    request: { method: GET, path: /Users, query: { filter: 'userName eq "ada@example.com"' } }
    expect: { status: 200, body: { totalResults: 1 } }
---
id: final.bob-present
title: Bob was created too
steps:
  - name: look up
    request: { method: GET, path: /Users, query: { filter: 'userName eq "bob@example.com"' } }
    expect: { status: 200, body: { totalResults: 1 } }
"#,
    )
    .expect("expectations written");
    let finished = judge(
        dir.path(),
        &["--expect", expect.to_str().unwrap()],
        CAREFUL,
        0,
    );
    finished
        .assert_code(exit::CONFORMANCE_FAILURE)
        .assert_no_panic();
    assert!(
        finished.stdout.contains("final.bob-present"),
        "{}",
        finished.show()
    );
    assert!(!finished.stdout.contains("BROKEN"), "{}", finished.show());
    let tally = finished.tally();
    let (passed, failed) = (tally.passed, tally.failed);
    assert_eq!(failed, 1, "only Bob is missing\n{}", finished.show());
    assert!(passed > 0);
}

#[test]
fn the_token_never_reaches_the_console_or_a_report() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let json = dir.path().join("report.json");
    let transcripts = dir.path().join("transcripts");
    // The client echoes its token in a query string: the judge must not repeat it.
    let steps = r#"
- method: GET
  path: /Users?access_token={token}&filter=userName eq bad
"#;
    let finished = judge(
        dir.path(),
        &[
            "--report-json",
            json.to_str().unwrap(),
            "--transcript",
            transcripts.to_str().unwrap(),
        ],
        steps,
        0,
    );
    finished.assert_code(exit::CONFORMANCE_FAILURE);
    let token = std::fs::read_to_string(dir.path().join("token")).expect("the client got a token");
    assert!(token.len() >= 16, "a real token: {token:?}");
    let report = std::fs::read_to_string(&json).expect("JSON written");
    assert!(report.contains("access_token=[REDACTED]"), "{report}");
    let mut everything = format!("{}{report}", finished.all());
    for entry in std::fs::read_dir(&transcripts).expect("transcripts written") {
        let path = entry.expect("an entry").path();
        everything.push_str(&std::fs::read_to_string(path).expect("a transcript"));
    }
    assert!(!everything.contains(&token), "the token leaked");
}

#[test]
fn bad_fault_flags_are_usage_errors() {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (args, says) in [
        (vec!["--inject", "418"], "unknown fault '418'"),
        (
            vec!["--inject", "429", "--inject-rate", "2"],
            "--inject-rate",
        ),
        (vec!["--inject-rate", "0.5"], "need --inject"),
    ] {
        let finished = judge(dir.path(), &args, CAREFUL, 0);
        finished.assert_code(exit::USAGE);
        assert!(finished.stderr.contains(says), "{}", finished.show());
    }
}

#[test]
fn a_create_retried_after_an_injected_timeout_is_reported_as_a_duplicate() {
    let dir = tempfile::tempdir().expect("a temp dir");
    // Every request faulted: the first create is carried out but its answer is lost
    // (the client waits out the 0.3 s hold and gets 504); the client then simply sends
    // the create again.
    let steps = r#"
- method: POST
  path: /Users
  body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: ada@example.com }
- method: POST
  path: /Users
  body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: ada@example.com }
"#;
    let finished = judge(
        dir.path(),
        &[
            "--inject",
            "timeout",
            "--inject-rate",
            "1",
            "--inject-timeout",
            "0.3",
        ],
        steps,
        0,
    );
    finished
        .assert_code(exit::CONFORMANCE_FAILURE)
        .assert_no_panic();
    for expected in [
        "Faults injected: #1 timeout, #2 timeout",
        "BROKEN SCIMCHECK-no-duplicate-create (must): 1 request",
        "#2 POST /scim/v2/Users",
        "request #1 created it",
        "without looking it up first",
    ] {
        assert!(
            finished.stdout.contains(expected),
            "{expected} missing\n{}",
            finished.show()
        );
    }
}
