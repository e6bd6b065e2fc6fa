//! The four vendor documents certified end to end, over real HTTP: `scimcheck run
//! --profile V` against `scimcheck serve --profile V` (the reference server behaving as
//! the document says) passes, with the documented deviations reported as deviations and
//! the product's own scenarios passing; the server's request log shows the product's
//! dialect. Without the profile, the same emulation fails on what the document describes.

use crate::support::cli;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use cli::{Finished, Lines, Running, finish, not_passing, outcome, scenarios, scimcheck};
use scimcheck::exit;
use serde_json::Value;

const SECRET_VAR: &str = "TALKDESK_TEST_SECRET";
const SECRET: &str = "td-emulated-SECRET-42";

/// `scimcheck serve --profile NAME` as a child process, with its request log.
pub(crate) struct Emulation {
    base: String,
    log: PathBuf,
    server: Running,
    stdout: Lines,
    _dir: tempfile::TempDir,
}

impl Emulation {
    pub(crate) fn start(profile: &str, extra: &[&str]) -> Emulation {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("requests.jsonl");
        let mut command = scimcheck();
        command
            .args([
                "serve",
                "--port",
                "0",
                "--profile",
                profile,
                "--request-log",
            ])
            .arg(&log)
            .args(extra)
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut server = Running::spawn(&mut command);
        let mut stdout = Lines::follow(server.child.stdout.take().expect("piped"));
        let line = stdout.wait_for(Duration::from_secs(20), |l| l.contains("listening on"));
        let base = line.rsplit(' ').next().expect("a URL").to_owned();
        Emulation {
            base,
            log,
            server,
            stdout,
            _dir: dir,
        }
    }

    /// `scimcheck run` against the emulation, with a JSON report read back.
    pub(crate) fn run(&self, extra: &[&str]) -> (Finished, Value) {
        run_against(&self.base, extra)
    }

    /// Every request the server received, as its log wrote it.
    pub(crate) fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .expect("request log")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// Stops the server; what it printed.
    pub(crate) fn stop(mut self) -> String {
        self.server.interrupt();
        self.server.wait_for_exit(Duration::from_secs(10));
        self.stdout.rest()
    }
}

fn run_against(base: &str, extra: &[&str]) -> (Finished, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    let mut command: Command = scimcheck();
    command
        .args(["run", "--no-progress", "--url", base, "--report-json"])
        .arg(&path)
        .args(extra)
        .env(SECRET_VAR, SECRET);
    let finished = finish(command);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no JSON report ({e}):\n{}", finished.show()));
    (finished, serde_json::from_str(&text).expect("JSON report"))
}

/// The ids of the scenarios with this outcome.
fn with_outcome(report: &Value, kind: &str) -> BTreeSet<String> {
    scenarios(report)
        .filter(|s| outcome(s) == kind)
        .map(|s| s["id"].as_str().unwrap_or("?").to_owned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// The product's own scenarios (`<vendor>.`) all ran and passed.
pub(crate) fn own_scenarios_pass(report: &Value, vendor: &str) {
    let own: Vec<&Value> = scenarios(report)
        .filter(|s| {
            s["id"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("{vendor}."))
        })
        .collect();
    assert!(!own.is_empty(), "no {vendor} scenario ran");
    for scenario in own {
        assert_eq!(outcome(scenario), "pass", "{scenario:#}");
    }
}

/// The PATCH requests of a request log, with their bodies.
pub(crate) fn patches(requests: &[Value]) -> Vec<&Value> {
    requests
        .iter()
        .filter(|r| r["method"] == "PATCH")
        .map(|r| &r["body"])
        .collect()
}

/// Op names RFC 7644 defines (any case): others are a scenario's deliberately wrong op.
fn is_rfc_op(op: &str) -> bool {
    ["add", "replace", "remove"]
        .iter()
        .any(|o| o.eq_ignore_ascii_case(op))
}

/// Requests per one-second window of arrival time, the busiest first.
fn busiest_second(requests: &[Value]) -> usize {
    let mut windows: BTreeMap<u64, usize> = BTreeMap::new();
    for request in requests {
        *windows
            .entry(request["ms"].as_u64().unwrap_or(0) / 1000)
            .or_default() += 1;
    }
    windows.values().copied().max().unwrap_or(0)
}

#[test]
fn talentech_is_certified_against_its_emulation_in_its_own_dialect() {
    let emulation = Emulation::start("talentech", &[]);
    let (out, report) = emulation.run(&["--profile", "talentech"]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(
        with_outcome(&report, "deviation"),
        set(&[
            "bulk.partial-failure",
            "users.create.duplicate-username",
            "users.create.duplicate-username-case",
            "users.replace.username-conflict",
        ]),
        "{}",
        out.show()
    );
    // The deviation carries the document's own sentence.
    assert!(
        out.stdout.contains("results in 500-Exception"),
        "{}",
        out.show()
    );
    own_scenarios_pass(&report, "talentech");

    let requests = emulation.requests();
    let patches = patches(&requests);
    assert!(patches.len() > 10, "{patches:?}");
    for body in &patches {
        assert!(body.get("schemas").is_none(), "{body}");
        for operation in body["Operations"].as_array().into_iter().flatten() {
            let op = operation["op"].as_str().unwrap_or("");
            if is_rfc_op(op) {
                assert!(op == "Replace" || op == "Add", "{body}");
            }
            if operation["path"].as_str() == Some("roles") {
                assert_eq!(op, "Add", "{body}");
            }
        }
    }
    // No body went out with the default SCIM media type (a media-type scenario may
    // still choose its own, with a charset, say).
    for request in requests.iter().filter(|r| r["body"].is_object()) {
        assert_ne!(
            request["content_type"], "application/scim+json",
            "{request}"
        );
    }
    let json_bodies = requests
        .iter()
        .filter(|r| r["content_type"] == "application/json")
        .count();
    assert!(json_bodies > 50, "{json_bodies}");
    // Both documented look-ups went out unquoted.
    let queries: Vec<&str> = requests
        .iter()
        .filter_map(|r| r["query"].as_str())
        .collect();
    for attribute in ["userName", "externalId"] {
        let unquoted = format!("filter={attribute}+eq+scimcheck");
        assert!(
            queries.iter().any(|q| q.contains(&unquoted)),
            "no unquoted {attribute} look-up in {queries:?}"
        );
    }

    // Without the profile, the core suite speaks the RFC's dialect, which the product
    // refuses, and does not send the extension it requires.
    let (out, report) = emulation.run(&[]);
    out.assert_code(exit::CONFORMANCE_FAILURE);
    insta_snapshot("talentech_without_profile", &not_passing(&report));
    emulation.stop();
}

#[test]
fn socialtalent_is_certified_and_delete_is_seen_to_deactivate() {
    let emulation = Emulation::start("socialtalent", &[]);
    let (out, report) = emulation.run(&["--profile", "socialtalent"]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    let deviations = with_outcome(&report, "deviation");
    assert!(
        deviations.iter().all(|id| id.starts_with("users.delete.")
            || id == "groups.members.deleted-user-removed"
            || id == "bulk.update-methods"),
        "{deviations:?}"
    );
    assert!(deviations.contains("users.delete.basic"), "{deviations:?}");
    own_scenarios_pass(&report, "socialtalent");
    assert!(
        report["leftovers"].as_array().is_none_or(Vec::is_empty),
        "{}",
        out.show()
    );
    // Every user the suite created carried the mandatory fields.
    let requests = emulation.requests();
    let creates: Vec<&Value> = requests
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/Users"))
        })
        .map(|r| &r["body"])
        .collect();
    assert!(creates.len() > 20);
    for body in creates.iter().filter(|b| b.get("role").is_some()) {
        assert!(body.get("Core team").is_some(), "{body}");
    }
    assert!(
        creates
            .iter()
            .filter(|b| b.get("userName").is_some())
            .all(|b| b.get("role").is_some() && b.get("udf_Customer_ID").is_some()),
        "a created user lacks role or udf_Customer_ID"
    );

    let (out, report) = emulation.run(&[]);
    out.assert_code(exit::CONFORMANCE_FAILURE);
    insta_snapshot("socialtalent_without_profile", &not_passing(&report));
    emulation.stop();
}

#[test]
fn talentlms_is_certified_under_its_base_path_with_the_okta_push_flows() {
    let emulation = Emulation::start("talentlms", &[]);
    assert!(emulation.base.ends_with("/api/scim2"), "{}", emulation.base);
    let (out, report) = emulation.run(&["--profile", "talentlms"]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(
        with_outcome(&report, "deviation"),
        set(&["users.delete.username-reusable"]),
        "{}",
        out.show()
    );
    assert!(out.stdout.contains("permanently deleted"), "{}", out.show());
    own_scenarios_pass(&report, "talentlms");
    // Cleanup deactivated what the run created instead of deleting it.
    let requests = emulation.requests();
    let deletes_by_cleanup = requests.iter().filter(|r| r["method"] == "DELETE").count();
    let deactivations = patches(&requests)
        .iter()
        .filter(|b| {
            b.to_string()
                .contains("\"path\":\"active\",\"value\":false")
        })
        .count();
    assert!(deactivations > 20, "{deactivations} deactivations");
    assert!(
        deletes_by_cleanup < deactivations,
        "{deletes_by_cleanup} DELETEs"
    );

    let (out, report) = emulation.run(&[]);
    out.assert_no_panic();
    assert_eq!(
        not_passing(&report)
            .into_iter()
            .filter(|line| !line.ends_with(" skip"))
            .collect::<BTreeSet<_>>(),
        set(&["users.delete.username-reusable warn"]),
        "{}",
        out.show()
    );
    emulation.stop();
}

#[test]
fn talkdesk_gets_tokens_from_its_emulated_endpoint_and_keeps_to_four_requests_a_second() {
    let emulation = Emulation::start(
        "talkdesk",
        &[
            "--oauth-client-secret-env",
            SECRET_VAR,
            "--token-lifetime",
            "4",
        ],
    );
    let token_url = emulation.base.replace("/scim/v2", "/oauth/token");
    let (out, report) = emulation.run(&[
        "--profile",
        "talkdesk",
        "--oauth-token-url",
        &token_url,
        "--oauth-client-id",
        "talkdesk-scim",
        "--oauth-client-secret-env",
        SECRET_VAR,
        "--oauth-scope",
        "scim",
        "--oauth-param",
        "token_type=opaque",
        "--oauth-param",
        "expires_in=31556952",
        "--oauth-client-auth",
        "basic",
        // A part of the suite: at 4 requests a second the whole of it takes minutes.
        "--filter",
        "users.create",
        "--filter",
        "users.patch",
        "--filter",
        "talkdesk.",
        "--filter",
        "groups.create.basic",
    ]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(!out.all().contains(SECRET), "the secret leaked");
    own_scenarios_pass(&report, "talkdesk");
    let skipped = with_outcome(&report, "skip");
    assert!(skipped.contains("groups.create.basic"), "{skipped:?}");
    let requests = emulation.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r["path"].as_str().unwrap_or("").contains("/Groups")),
        "a request went to /Groups"
    );
    let busiest = busiest_second(&requests);
    assert!(busiest <= 4, "{busiest} requests in one second");
    // Only supported fields went out.
    for request in requests
        .iter()
        .filter(|r| r["method"] == "POST" || r["method"] == "PUT")
    {
        if let Some(body) = request["body"].as_object() {
            for key in body.keys() {
                assert!(
                    [
                        "schemas", "id", "meta", "username", "name", "emails", "active"
                    ]
                    .contains(&key.to_ascii_lowercase().as_str()),
                    "{request}"
                );
            }
        }
    }
    let printed = emulation.stop();
    let issued = printed
        .lines()
        .filter(|l| l.starts_with("oauth: issued a token to client talkdesk-scim"))
        .count();
    assert!(issued >= 2, "the token was never refreshed:\n{printed}");
    assert!(!printed.contains(SECRET), "{printed}");
}

fn insta_snapshot(name: &str, lines: &BTreeSet<String>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(true);
    let text = lines.iter().cloned().collect::<Vec<_>>().join("\n");
    settings.bind(|| insta::assert_snapshot!(name, text));
}
