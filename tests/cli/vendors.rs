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
        let mut args = vec!["--profile", profile];
        args.extend_from_slice(extra);
        Emulation::serve(&args)
    }

    /// The reference server as the RFCs have it, no product emulated.
    fn strict() -> Emulation {
        Emulation::serve(&[])
    }

    fn serve(extra: &[&str]) -> Emulation {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("requests.jsonl");
        let mut command = scimcheck();
        command
            .args(["serve", "--port", "0", "--request-log"])
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
            "bulk.error-explained",
            "bulk.fail-on-errors",
            "bulk.partial-failure",
            "users.create.duplicate-username",
            "users.create.duplicate-username-case",
            "users.create.username-precis",
            "users.replace.username-conflict",
            "users.replace.username-conflict.status-409",
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
    fails_only_as_documented("talentech", &report);
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
    fails_only_as_documented("socialtalent", &report);
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
    fails_only_as_documented("talentlms", &report);
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
    let oauth = talkdesk_oauth(&token_url);
    let oauth: Vec<&str> = oauth.iter().map(String::as_str).collect();
    // A part of the suite: at 4 requests a second the whole of it takes minutes.
    let part = [
        "--filter",
        "users.create",
        "--filter",
        "users.patch",
        "--filter",
        "groups.create.basic",
    ];
    let mut args = vec!["--profile", "talkdesk", "--filter", "talkdesk."];
    args.extend_from_slice(&oauth);
    args.extend_from_slice(&part);
    let (out, report) = emulation.run(&args);
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
    // Without the profile (at the document's rate), the suite sends fields the product
    // does not take.
    let mut args = vec!["--rate-limit", "4"];
    args.extend_from_slice(&oauth);
    args.extend_from_slice(&part);
    let (out, report) = emulation.run(&args);
    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    assert!(!out.all().contains(SECRET), "the secret leaked");
    fails_only_as_documented("talkdesk", &report);
    let printed = emulation.stop();
    let issued = printed
        .lines()
        .filter(|l| l.starts_with("oauth: issued a token to client talkdesk-scim"))
        .count();
    assert!(issued >= 2, "the token was never refreshed:\n{printed}");
    assert!(!printed.contains(SECRET), "{printed}");
}

/// The OAuth2 flags of a run against the emulated Talkdesk, as its document writes the
/// token request.
fn talkdesk_oauth(token_url: &str) -> Vec<String> {
    [
        "--oauth-token-url",
        token_url,
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
    ]
    .map(str::to_owned)
    .to_vec()
}

/// What a run without the profile meets at a vendor's emulation, as
/// `tests/fixtures/vendors/<vendor>-without-profile.txt` lists it.
struct Documented {
    /// Behaviour key: (evidence in the emulation's answers, the document's words).
    explains: BTreeMap<String, (String, String)>,
    /// `<id> <outcome>` of every scenario that does not pass (skips aside): its key.
    scenarios: BTreeMap<String, String>,
}

fn documented(vendor: &str) -> Documented {
    let path = format!(
        "{}/tests/fixtures/vendors/{vendor}-without-profile.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut documented = Documented {
        explains: BTreeMap::new(),
        scenarios: BTreeMap::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let place = format!("{path}:{}", number + 1);
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("explains ") {
            let (key, rest) = rest.split_once(' ').expect(&place);
            let (evidence, quote) = rest.split_once(" | ").expect(&place);
            documented.explains.insert(
                key.to_owned(),
                (evidence.trim().to_owned(), quote.trim().to_owned()),
            );
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let [id, outcome, key] = words.as_slice() else {
            panic!("{place}: expected `<id> <outcome> <key>`: {line}");
        };
        documented
            .scenarios
            .insert(format!("{id} {outcome}"), (*key).to_owned());
    }
    documented
}

/// Words of a text, comment marks and line breaks aside: a quote in a YAML comment may
/// run over lines.
fn words_of(text: &str) -> String {
    text.lines()
        .map(|line| line.trim().trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The run without the profile fails exactly where the vendor's documented behaviour
/// says, and each such scenario shows that behaviour in the emulation's answers.
fn fails_only_as_documented(vendor: &str, report: &Value) {
    let documented = documented(vendor);
    let profile = std::fs::read_to_string(format!(
        "{}/suites/profiles/{vendor}.profile.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the profile");
    let profile = words_of(&profile);
    for (key, (_, quote)) in &documented.explains {
        assert!(
            profile.contains(&words_of(quote)),
            "{vendor}: the profile does not quote the document for {key}: {quote}"
        );
    }
    let failing: BTreeSet<String> = not_passing(report)
        .into_iter()
        .filter(|line| !line.ends_with(" skip"))
        .collect();
    let listed: BTreeSet<String> = documented.scenarios.keys().cloned().collect();
    assert_eq!(
        failing, listed,
        "{vendor}: the run without the profile differs from \
         tests/fixtures/vendors/{vendor}-without-profile.txt"
    );
    for scenario in scenarios(report).filter(|s| outcome(s) != "pass" && outcome(s) != "skip") {
        let line = format!(
            "{} {}",
            scenario["id"].as_str().unwrap_or("?"),
            outcome(scenario)
        );
        let key = &documented.scenarios[&line];
        let (evidence, _) = documented
            .explains
            .get(key)
            .unwrap_or_else(|| panic!("{vendor}: {line}: no `explains {key}` line"));
        let shows = |scenario: &Value| {
            scenario["exchanges"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| {
                    e["response_body"]
                        .as_str()
                        .is_some_and(|b| b.contains(evidence))
                })
        };
        // A scenario may read a shared fixture, whose create is recorded once, in the
        // scenario that sent it: then the run as a whole must show the evidence.
        let answered = shows(scenario) || scenarios(report).any(shows);
        assert!(answered, "{vendor}: {line}: no answer shows `{evidence}`");
    }
}

/// Per vendor: `run --profile V` against the reference server as the RFCs have it. The
/// exit code is what the README documents; each need of the dialect that such a server
/// does not meet is reported (console and JSON) as refused.
#[test]
fn against_the_strict_reference_server_a_profiled_run_says_what_the_dialect_needs() {
    struct Case {
        vendor: &'static str,
        extra: &'static [&'static str],
        exit: i32,
        /// Needs of the dialect the strict server refuses.
        refused: &'static [&'static str],
        /// Needs reported besides (the strict server takes them, but a scenario that
        /// expects a refusal may still meet one).
        reported: &'static [&'static str],
    }
    let cases = [
        Case {
            vendor: "talentech",
            extra: &[],
            exit: exit::CONFORMANCE_FAILURE,
            refused: &[
                "PATCH ops spelt `Add`, `Replace`, with `roles` only by `Add`",
                "PatchOp bodies without `schemas`",
                "`eq` filter values without quotes for `username`, `externalid`",
                "every User created carries `active`, \
                 `urn:talentech:params:scim:schemas:extension:product:2.0:User`",
            ],
            reported: &["request bodies sent as `application/json`"],
        },
        Case {
            vendor: "socialtalent",
            extra: &[],
            exit: exit::CONFORMANCE_FAILURE,
            refused: &["every User created carries `role`, `Core team`, `udf_Customer_ID`"],
            reported: &[],
        },
        // No dialect: nothing asked of a server beyond the RFCs, and the run passes.
        Case {
            vendor: "talentlms",
            extra: &[],
            exit: exit::SUCCESS,
            refused: &[],
            reported: &[],
        },
        Case {
            vendor: "talkdesk",
            // 4 requests a second: a part of the suite.
            extra: &["--filter", "talkdesk.", "--filter", "users.create"],
            exit: exit::SUCCESS,
            refused: &[],
            reported: &[],
        },
    ];
    let server = Emulation::strict();
    for case in cases {
        let mut args = vec!["--profile", case.vendor];
        args.extend_from_slice(case.extra);
        let (out, report) = server.run(&args);
        out.assert_code(case.exit).assert_no_panic();
        let needs: Vec<&str> = report["notices"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|n| n.starts_with("the profile's dialect needs from a server: "))
            .collect();
        assert_eq!(
            needs.len(),
            case.refused.len() + case.reported.len(),
            "{}: {needs:#?}",
            case.vendor
        );
        for need in needs.iter() {
            assert!(
                out.stdout.contains(&format!("note: {need}")),
                "{}: not on the console: {need}\n{}",
                case.vendor,
                out.show()
            );
        }
        let line = |what: &str| {
            needs
                .iter()
                .find(|n| n.contains(what))
                .unwrap_or_else(|| panic!("{}: no need `{what}` in {needs:#?}", case.vendor))
                .to_owned()
        };
        for what in case.refused {
            let need = line(what);
            assert!(need.contains("refused by this server"), "{need}");
        }
        for what in case.reported {
            line(what);
        }
    }
    server.stop();
}

/// "If at the end of the procedure, some users are provisioned with the "Deactivated"
/// status ..., it may be due to the lack of licenses": with its licences gone, the
/// emulated Talkdesk creates users inactive, and the profiled run reports that as the
/// documented deviation, not a failure.
#[test]
fn talkdesk_out_of_licences_creates_users_deactivated_a_documented_deviation() {
    let mut emulation = Emulation::start(
        "talkdesk",
        &["--oauth-client-secret-env", SECRET_VAR, "--licences", "0"],
    );
    emulation
        .stdout
        .wait_for(Duration::from_secs(5), |l| l.contains("; 0 licences"));
    let token_url = emulation.base.replace("/scim/v2", "/oauth/token");
    let mut args: Vec<String> = ["--profile", "talkdesk", "--filter", "talkdesk."]
        .map(str::to_owned)
        .to_vec();
    args.extend(talkdesk_oauth(&token_url));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, report) = emulation.run(&args);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(
        with_outcome(&report, "deviation"),
        set(&["talkdesk.created-active"]),
        "{}",
        out.show()
    );
    assert!(out.stdout.contains("lack of licenses"), "{}", out.show());
    // The user was created, and kept inactive.
    let created = scenarios(&report)
        .find(|s| s["id"] == "talkdesk.created-active")
        .and_then(|s| s["exchanges"].as_array())
        .and_then(|e| e.first())
        .expect("the create");
    assert_eq!(created["status"], 201);
    assert!(
        created["response_body"]
            .as_str()
            .is_some_and(|b| b.contains("\"active\":false")),
        "{created}"
    );
    emulation.stop();

    // Licences belong to an emulated product that counts them.
    for args in [
        vec!["serve", "--port", "0", "--licences", "3"],
        vec![
            "serve",
            "--port",
            "0",
            "--profile",
            "talentech",
            "--licences",
            "3",
        ],
    ] {
        let mut command = scimcheck();
        command.args(&args);
        let finished = finish(command);
        finished.assert_code(exit::USAGE);
        assert!(
            finished.stderr.contains("--licences"),
            "{}",
            finished.show()
        );
    }
}
