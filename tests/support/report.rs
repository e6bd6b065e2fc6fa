//! A hand-built run shared by the report tests: one scenario of each outcome, across
//! four areas, with redacted exchanges and XML-hostile text.

#![allow(dead_code)] // each test crate uses a different part

use std::time::Duration;

use scimcheck::result::{
    AreaTally, CheckFailure, Coverage, Exchange, Leftover, Outcome, RunEvent, RunInfo, RunSummary,
    ScenarioResult, SkipCause, Tally, Totals, Unchecked,
};
use scimcheck::vocabulary::Severity;

pub const TARGET: &str = "http://127.0.0.1:8080/scim/v2";
pub const RUN_ID: &str = "scx-4f2a91";
pub const STARTED_AT: &str = "2026-11-23T09:15:00Z";

/// insta settings: snapshots in the top-level `snapshots/` folder, with the values that
/// change from run to run (run id, start time) replaced.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.add_filter(RUN_ID, "[run-id]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "[timestamp]",
    );
    settings
}

pub fn info() -> RunInfo {
    RunInfo {
        target_url: TARGET.into(),
        profiles: vec!["acme".into()],
        tool_version: "0.1.0".into(),
        run_id: RUN_ID.into(),
        started_at: STARTED_AT.into(),
        plan: None,
        embedded: None,
        capabilities: None,
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A request as the client records it: the token is already `[REDACTED]`.
fn exchange(step: &str, method: &str, path: &str, body: Option<&str>) -> Exchange {
    Exchange {
        step: step.into(),
        method: method.into(),
        url: format!("{TARGET}{path}"),
        request_headers: headers(&[
            ("accept", "application/scim+json"),
            ("authorization", "Bearer [REDACTED]"),
        ]),
        request_body: body.map(str::to_string),
        request_body_size: None,
        status: Some(200),
        response_headers: headers(&[("content-type", "application/scim+json")]),
        response_body: None,
        response_body_size: None,
        duration_ms: 4,
        error: None,
        attempt: 1,
    }
}

/// The command a failure carries to send its request again, as the client writes it.
pub fn curl(method: &str, path: &str, body: Option<&str>) -> Option<String> {
    let mut lines = vec![
        format!("curl -i -sS -X {method} '{TARGET}{path}'"),
        "-H \"Authorization: Bearer $SCIM_TOKEN\"".to_owned(),
    ];
    if let Some(body) = body {
        lines.push("-H 'Content-Type: application/scim+json'".to_owned());
        lines.push(format!("--data-raw '{}'", body.replace('\'', r"'\''")));
    }
    Some(lines.join(" \\\n  "))
}

fn respond(mut exchange: Exchange, status: u16, body: &str) -> Exchange {
    exchange.status = Some(status);
    exchange.response_body = Some(body.into());
    exchange
}

fn result(
    id: &str,
    area: &str,
    outcome: Outcome,
    ms: u64,
    exchanges: Vec<Exchange>,
) -> ScenarioResult {
    ScenarioResult {
        id: id.into(),
        title: format!("title of {id}"),
        area: area.into(),
        severity: Severity::Must,
        requirement: vec!["RFC7644-3.3".into()],
        tags: vec![area.into()],
        file: format!("builtin:core/{area}.yaml"),
        outcome,
        duration: Duration::from_millis(ms),
        exchanges,
        cleanup_errors: vec![],
        leftovers: vec![],
        notes: vec![],
    }
}

pub fn passed() -> ScenarioResult {
    let create = respond(
        exchange(
            "create",
            "POST",
            "/Users",
            Some(
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scx-4f2a91-ada@example.com","password":"[REDACTED]"}"#,
            ),
        ),
        201,
        r#"{"id":"u-1","userName":"scx-4f2a91-ada@example.com"}"#,
    );
    let read = respond(
        exchange("read back", "GET", "/Users/u-1", None),
        200,
        r#"{"id":"u-1"}"#,
    );
    let mut r = result(
        "users.create.basic",
        "users",
        Outcome::Pass,
        42,
        vec![create, read],
    );
    r.requirement = vec!["RFC7644-3.3".into(), "RFC7643-3.1".into()];
    r.tags = vec!["users".into(), "create".into()];
    r
}

pub fn deviation() -> ScenarioResult {
    let failure = CheckFailure {
        step: "create again".into(),
        subject: "status".into(),
        expected: "409".into(),
        actual: "500".into(),
        location: "builtin:core/users.yaml:31:15".into(),
        request: "POST /Users".into(),
        rendered: "error: unexpected status\n  --> builtin:core/users.yaml:31:15\n   |\n31 |       status: 409\n   |               ^^^ expected 409, got 500".into(),
        hint: None,
        curl: curl("POST", "/Users", Some(r#"{"userName":"scx-4f2a91-dup"}"#)),
    };
    let first = respond(
        exchange(
            "create",
            "POST",
            "/Users",
            Some(r#"{"userName":"scx-4f2a91-dup"}"#),
        ),
        201,
        r#"{"id":"u-2"}"#,
    );
    let again = respond(
        exchange(
            "create again",
            "POST",
            "/Users",
            Some(r#"{"userName":"scx-4f2a91-dup"}"#),
        ),
        500,
        r#"{"detail":"duplicate key"}"#,
    );
    result(
        "users.create.duplicate",
        "users",
        Outcome::Deviation {
            failures: vec![failure],
            reason: "Acme answers a uniqueness conflict with 500 (documented)".into(),
        },
        17,
        vec![first, again],
    )
}

const ADD_MEMBER: &str =
    r#"{"Operations":[{"op":"add","path":"members","value":[{"value":"u-1"}]}]}"#;

fn patch_curl() -> Option<String> {
    curl("PATCH", "/Groups/g-1", Some(ADD_MEMBER))
}

pub fn failed() -> ScenarioResult {
    let failures = vec![
        CheckFailure {
            step: "add member".into(),
            subject: r#"body.members[value eq "u-1"]"#.into(),
            expected: "present".into(),
            actual: "absent".into(),
            location: "builtin:core/groups.yaml:48:11".into(),
            request: "PATCH /Groups/{{ group }}".into(),
            rendered: "error: body check failed\n  --> builtin:core/groups.yaml:48:11\n   |\n48 |           members[value eq \"u-1\"]: present\n   |           ^^^^^^^^^^^^^^^^^^^^^^ expected present, got absent\n   = hint: the PATCH answered 200 but the member list is unchanged".into(),
            hint: Some("the PATCH answered 200 but the member list is unchanged".into()),
            curl: patch_curl(),
        },
        CheckFailure {
            step: "add member".into(),
            subject: "body.meta.version".into(),
            expected: "a new version".into(),
            actual: "W/\"1\" (unchanged)".into(),
            location: "builtin:core/groups.yaml:49:11".into(),
            request: "PATCH /Groups/{{ group }}".into(),
            rendered: "error: body check failed\n  --> builtin:core/groups.yaml:49:11\n   |\n49 |           meta.version: { not: \"{{ steps.create.response.headers.etag }}\" }\n   |           ^^^^^^^^^^^^ expected a new version, got W/\"1\" (unchanged)".into(),
            hint: None,
            curl: patch_curl(),
        },
    ];
    let patch = respond(
        exchange("add member", "PATCH", "/Groups/g-1", Some(ADD_MEMBER)),
        200,
        r#"{"id":"g-1","members":[],"meta":{"version":"W/\"1\""},"note":"a < b & c > d"}"#,
    );
    let mut r = result(
        "groups.patch.add-member",
        "groups",
        Outcome::Fail { failures },
        63,
        vec![patch],
    );
    r.cleanup_errors = vec!["DELETE /Groups/g-1 answered 500".into()];
    r.leftovers = vec![Leftover {
        what: format!("{TARGET}/Groups/g-1"),
        reason: "DELETE answered 500; GET answered 200".into(),
    }];
    r
}

pub fn skipped() -> ScenarioResult {
    result(
        "bulk.basic",
        "bulk",
        Outcome::Skip {
            reason: "capability `bulk` not advertised by /ServiceProviderConfig".into(),
            cause: SkipCause::Declared,
        },
        0,
        vec![],
    )
}

pub fn errored() -> ScenarioResult {
    let mut timeout = exchange("list schemas", "GET", "/Schemas", None);
    timeout.status = None;
    timeout.response_headers.clear();
    timeout.duration_ms = 30_000;
    timeout.error = Some("operation timed out".into());
    let mut r = result(
        "discovery.schemas",
        "discovery",
        Outcome::Error {
            message: "GET /Schemas: no response within 30 s".into(),
        },
        30_004,
        vec![timeout],
    );
    r.severity = Severity::Must;
    r
}

/// A failed check of `request`, rendered the short way the builders here use.
fn check(step: &str, request: &str, subject: &str, expected: &str, actual: &str) -> CheckFailure {
    CheckFailure {
        step: step.into(),
        subject: subject.into(),
        expected: expected.into(),
        actual: actual.into(),
        location: "builtin:core/users.yaml:10:7".into(),
        rendered: format!("error: check failed: {subject}: expected {expected}, got {actual}"),
        request: request.into(),
        hint: None,
        curl: None,
    }
}

/// A `should` scenario whose check failed: a warning, or with `--strict` a failure.
pub fn should_failure(strict: bool) -> ScenarioResult {
    let failures = vec![check(
        "query",
        "GET /Users",
        "body.scimType",
        "\"invalidFilter\"",
        "absent",
    )];
    let outcome = if strict {
        Outcome::Fail { failures }
    } else {
        Outcome::Warn { failures }
    };
    let mut r = result("errors.invalid-filter.detail", "errors", outcome, 5, vec![]);
    r.severity = Severity::Should;
    r
}

/// A `may` scenario whose check failed: a warning even with `--strict`.
pub fn may_failure() -> ScenarioResult {
    let failures = vec![check(
        "patch",
        "PATCH /Users/{{ user }}",
        "status",
        "one of 200, 204",
        "400",
    )];
    let mut r = result(
        "users.patch.replace-capitalised",
        "users",
        Outcome::Warn { failures },
        9,
        vec![],
    );
    r.severity = Severity::May;
    r
}

/// A `must` scenario whose setup step failed: blocked, not failed.
pub fn blocked() -> ScenarioResult {
    let create = respond(
        exchange(
            "create",
            "POST",
            "/Users",
            Some(r#"{"userName":"scx-4f2a91-blk"}"#),
        ),
        500,
        r#"{"detail":"database busy"}"#,
    );
    result(
        "users.patch.add-attribute",
        "users",
        Outcome::Blocked {
            precondition: "setup step `create` failed".into(),
            failures: vec![CheckFailure {
                curl: curl("POST", "/Users", Some(r#"{"userName":"scx-4f2a91-blk"}"#)),
                ..check("create", "POST /Users", "status", "201", "500")
            }],
        },
        11,
        vec![create],
    )
}

/// A `must` error: the tool could not judge the scenario.
pub fn must_error() -> ScenarioResult {
    let mut r = errored();
    r.id = "discovery.schemas.list".into();
    r
}

/// One scenario of every outcome the verdict counts: a must failure, a should failure, a
/// may failure, a deviation, a skip, an error and a blocked scenario (and a pass).
pub fn verdict_results(strict: bool) -> Vec<ScenarioResult> {
    vec![
        passed(),
        failed(),
        should_failure(strict),
        may_failure(),
        deviation(),
        skipped(),
        must_error(),
        blocked(),
    ]
}

/// pass, deviation, fail, skip, error, in the order they finished.
pub fn mixed_results() -> Vec<ScenarioResult> {
    vec![passed(), deviation(), failed(), skipped(), errored()]
}

pub fn summary_of(results: Vec<ScenarioResult>, interrupted: bool) -> RunSummary {
    let mut totals = Totals::default();
    for r in &results {
        totals.add(r);
    }
    RunSummary {
        info: info(),
        results,
        totals,
        duration: Duration::from_millis(30_131),
        interrupted,
        stop: None,
        leftovers: vec![],
        strict: false,
        notices: vec![],
        baseline: None,
        coverage: None,
        requests: None,
        run_exchanges: Default::default(),
    }
}

/// `summary` with a measured statement-level coverage: 120 of 197 server statements
/// checked, 90 of 150 MUSTs at must.
pub fn measured(mut summary: RunSummary) -> RunSummary {
    let tally = Tally {
        statements: 197,
        checked: 120,
        musts: 150,
        musts_at_must: 90,
    };
    summary.coverage = Some(Coverage {
        overall: tally,
        areas: vec![AreaTally {
            area: "create".to_owned(),
            tally,
        }],
        musts_not_at_must: vec![Unchecked {
            id: "RFC7644-3.3-create-201".to_owned(),
            text: "A create answers 201.".to_owned(),
        }],
    });
    summary
}

pub fn mixed_run() -> RunSummary {
    summary_of(mixed_results(), false)
}

/// The events an executor would emit for `summary`, with `planned` announced up front.
pub fn events(summary: &RunSummary, planned: usize) -> Vec<RunEvent> {
    let mut events = vec![RunEvent::Started {
        info: summary.info.clone(),
        planned,
    }];
    for r in &summary.results {
        events.push(RunEvent::ScenarioStarted { id: r.id.clone() });
        events.push(RunEvent::ScenarioFinished(std::sync::Arc::new(r.clone())));
    }
    if summary.interrupted {
        events.push(RunEvent::Cancelling);
    }
    events.push(RunEvent::Finished(Box::new(summary.clone())));
    events
}

/// A failure whose texts carry what a hostile server can send to forge output: a carriage
/// return and a fake PASS line, an escape sequence, a backspace and a bidi override.
pub fn forged() -> ScenarioResult {
    let forgery = "500\r     PASS [    1 ms] users.create.basic\u{1b}[2K\u{8}\u{202e}ssap";
    let failure = CheckFailure {
        step: "create".into(),
        subject: "status".into(),
        expected: "201".into(),
        actual: forgery.into(),
        location: "builtin:core/users.yaml:9:7".into(),
        rendered: format!("error: check failed\n   = expected 201, got {forgery}"),
        request: "POST /Users".into(),
        hint: None,
        curl: None,
    };
    let mut r = result(
        "users.create.forged",
        "users",
        Outcome::Fail {
            failures: vec![failure],
        },
        5,
        vec![],
    );
    r.cleanup_errors = vec![format!("DELETE /Users/1 answered {forgery}")];
    r
}

/// Every character a terminal acts on instead of showing, as the forged result holds them.
pub const FORGING_CHARACTERS: &[char] = &['\r', '\u{1b}', '\u{8}', '\u{202e}'];
