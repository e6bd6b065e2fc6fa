//! The IdP replay suites (`suites/profiles/entra-id/`, `okta/`, `onelogin/`): `scimcheck
//! run --profile P` against the reference server passes, every replayed scenario of P
//! included, and the server's request log shows the requests as the IdP's documents
//! write them, not tidied into the RFC's spelling on the way. What each dialect switch
//! makes fail is pinned in the misbehaviour matrix (`tests/misbehaviours.rs`).

use crate::vendors::{Emulation, own_scenarios_pass, patches};

use scimcheck::exit;
use serde_json::{Value, json};

/// Every operation of every PATCH the server received.
fn operations(requests: &[Value]) -> Vec<&Value> {
    patches(requests)
        .into_iter()
        .flat_map(|body| body["Operations"].as_array().into_iter().flatten())
        .collect()
}

/// The query strings of the GETs of one endpoint (`/Users`, `/Groups`).
fn queries<'r>(requests: &'r [Value], endpoint: &str) -> Vec<Option<&'r str>> {
    requests
        .iter()
        .filter(|r| {
            r["method"] == "GET" && r["path"].as_str().is_some_and(|p| p.ends_with(endpoint))
        })
        .map(|r| r["query"].as_str())
        .collect()
}

/// The bodies of the requests with this method to a path ending in `endpoint`.
fn bodies<'r>(requests: &'r [Value], method: &str, endpoint: &str) -> Vec<&'r Value> {
    requests
        .iter()
        .filter(|r| {
            r["method"] == method && r["path"].as_str().is_some_and(|p| p.contains(endpoint))
        })
        .map(|r| &r["body"])
        .collect()
}

/// Runs the profile against a reference server of its own; the run must pass whole.
fn replay(profile: &str) -> Vec<Value> {
    let emulation = Emulation::start(profile, &[]);
    let (out, report) = emulation.run(&["--profile", profile]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    own_scenarios_pass(&report, profile);
    let requests = emulation.requests();
    emulation.stop();
    requests
}

#[test]
fn entra_id_replay_passes_and_sends_both_of_its_dialects() {
    let requests = replay("entra-id");
    let operations = operations(&requests);
    let sent = |wanted: &dyn Fn(&Value) -> bool| operations.iter().any(|op| wanted(op));
    for op in ["Add", "Replace", "Remove", "add", "replace", "remove"] {
        assert!(sent(&|o| o["op"] == op), "no {op} op in {operations:?}");
    }
    assert!(sent(&|o| o["op"] == "Replace"
        && o["path"] == "active"
        && o["value"] == "False"));
    assert!(sent(&|o| o["op"] == "Remove"
        && o["path"] == "members"
        && o["value"].as_array().is_some_and(|v| v.len() == 1)));
    assert!(sent(&|o| o["path"]
        .as_str()
        .is_some_and(|p| p.starts_with("members[value eq "))));
    assert!(sent(&|o| o["path"].is_null()
        && o["value"].get("name.familyName").is_some()
        && o["value"].get("emails[type eq \"work\"].value").is_some()));
    let manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
    assert!(sent(&|o| o["path"] == manager && o["value"].is_string()));
    assert!(sent(
        &|o| o["path"] == manager && o["value"]["value"].is_string()
    ));

    let users = queries(&requests, "/Users");
    let guid = |q: &Option<&str>| {
        q.and_then(|q| q.strip_prefix("filter=userName+eq+%22"))
            .and_then(|rest| rest.strip_suffix("%22"))
            .is_some_and(|id| id.len() == 36 && id.matches('-').count() == 4)
    };
    assert!(
        users.iter().any(guid),
        "no Test Connection look-up in {users:?}"
    );
    let groups = queries(&requests, "/Groups");
    assert!(
        groups.iter().any(|q| q
            .is_some_and(|q| q.starts_with("excludedAttributes=members&filter=displayName+eq+"))),
        "{groups:?}"
    );
    let creates = bodies(&requests, "POST", "/Users");
    assert!(
        creates
            .iter()
            .any(|b| b["roles"] == json!([]) && b.get("title") == Some(&Value::Null)),
        "no create with nulls and roles: []"
    );
}

#[test]
fn okta_replay_passes_and_sends_its_documented_requests() {
    let requests = replay("okta");
    let users = queries(&requests, "/Users");
    assert!(
        users.iter().any(|q| q.is_some_and(
            |q| q.starts_with("filter=userName+eq+") && q.ends_with("&startIndex=1&count=100")
        )),
        "{users:?}"
    );
    for page in ["startIndex=1&count=100", "startIndex=101&count=100"] {
        assert!(
            users.contains(&Some(page)),
            "no import page {page} in {users:?}"
        );
    }
    let creates = bodies(&requests, "POST", "/Users");
    assert!(
        creates
            .iter()
            .any(|b| b["groups"] == json!([]) && b["password"].is_string())
    );
    // The PUT of the whole body Okta read: read-only members included.
    let puts = bodies(&requests, "PUT", "/Users/");
    assert!(
        puts.iter()
            .any(|b| b["meta"].is_object() && b["id"].is_string())
    );
    assert!(puts.iter().any(|b| b["active"] == false));
    let groups = bodies(&requests, "POST", "/Groups");
    assert!(groups.iter().any(|b| b["members"] == json!([])));
    let operations = operations(&requests);
    assert!(
        operations
            .iter()
            .any(|o| o["path"].is_null() && o["value"] == json!({"active": false}))
    );
    assert!(operations.iter().any(|o| o["path"].is_null()
        && o["value"]["id"].is_string()
        && o["value"]["displayName"].is_string()));
    assert!(
        patches(&requests).iter().any(|body| {
            let ops = body["Operations"].as_array().cloned().unwrap_or_default();
            ops.len() == 2
                && ops[0]["op"] == "remove"
                && ops[1]["op"] == "add"
                && ops[1]["value"][0]["display"].is_string()
        }),
        "no member swap in one request"
    );
}

#[test]
fn onelogin_replay_passes_and_sends_its_form_queries_and_templates() {
    let requests = replay("onelogin");
    let users = queries(&requests, "/Users");
    assert!(
        users
            .iter()
            .any(|q| q
                .is_some_and(|q| q.starts_with("filter=userName+eq+%22") && q.ends_with("%22&"))),
        "{users:?}"
    );
    assert!(queries(&requests, "/Groups").contains(&None));
    let template = |b: &&Value| {
        b["schemas"] == json!(["urn:scim:schemas:core:1.0"])
            && b.get("id") == Some(&Value::Null)
            && b["active"] == "true"
    };
    assert!(bodies(&requests, "POST", "/Users").iter().any(template));
    assert!(bodies(&requests, "PUT", "/Users/").iter().any(template));
}

/// `list --profile` shows the replay scenarios a run would add, with their severities:
/// the IdP's needs raised to must, its dialect scenarios left at may.
#[test]
fn list_shows_each_replay_with_the_severity_it_runs_at() {
    for (profile, must, may) in [
        (
            "entra-id",
            "entra-id.disable.still-found",
            "entra-id.patch.capitalised-ops",
        ),
        ("okta", "okta.import-pages", "okta.group-rename-with-id"),
        (
            "onelogin",
            "onelogin.groups-unfiltered",
            "onelogin.template-create-and-put",
        ),
    ] {
        let mut command = crate::support::cli::scimcheck();
        command.args(["list", "--format", "json", "--profile", profile]);
        let out = crate::support::cli::finish(command);
        out.assert_code(exit::SUCCESS);
        let listed: Vec<Value> = serde_json::from_str(&out.stdout).expect("a JSON list");
        let severity = |id: &str| {
            listed
                .iter()
                .find(|s| s["id"] == id)
                .map(|s| s["severity"].clone())
                .unwrap_or_else(|| panic!("{id} is not listed with --profile {profile}"))
        };
        assert_eq!(severity(must), "must");
        assert_eq!(severity(may), "may");
    }
}
