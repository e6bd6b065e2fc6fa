//! Each misbehaviour switch over real HTTP: the behaviour it names differs from the strict
//! server, and a nearby behaviour it does not name stays the same.

use crate::support::server::*;

use std::time::Duration;

use reqwest::Method;
use scimcheck::server::Misbehaviour;
use serde_json::{Value, json};

/// The switches this file tests over HTTP; a test below fails when a switch is tested
/// neither here nor by the misbehaviour matrix.
const TESTED: &[&str] = &[
    "uniqueness-500",
    "uniqueness-case-sensitive",
    "no-uniqueness",
    "filter-ignored",
    "filter-case-sensitive",
    "soft-delete",
    "deleted-username-taken",
    "patch-op-case-sensitive",
    "patch-no-remove",
    "patch-schema-optional",
    "patch-204",
    "create-200",
    "no-location",
    "status-as-integer",
    "html-errors",
    "json-content-type",
    "no-total-results",
    "items-per-page-wrong",
    "paging-ignored",
    "projection-ignored",
    "projection-drops-schemas",
    "etag-stale",
    "etag-missing",
    "meta-incomplete",
    "password-returned",
    "active-as-string",
    "stale-group-members",
    "no-groups",
    "rate-limit",
    "endpoint-absolute",
    "endpoint-base-path",
    "no-discovery",
    "close-after-500",
    "null-values",
    "no-search",
    "filter-unsupported",
    "no-scim-type",
    "bulk-status-object",
    "undeclared-dropped",
    "display-name-dropped",
    "concurrent-500",
];

/// The misbehaviour matrix, whose test (tests/misbehaviours.rs) runs the suite with each
/// switch it names and shows the switch caught.
const MATRIX: &str = include_str!("../fixtures/misbehaviour-matrix.txt");

#[test]
fn every_switch_is_tested_here_or_in_the_matrix_and_documented() {
    let in_matrix: std::collections::BTreeSet<&str> = MATRIX
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let untested: Vec<&str> = Misbehaviour::all()
        .iter()
        .map(|m| m.name())
        .filter(|name| !TESTED.contains(name) && !in_matrix.contains(name))
        .collect();
    assert!(untested.is_empty(), "switches nothing tests: {untested:?}");
    for m in Misbehaviour::all() {
        let description = m.description();
        assert!(
            !description.is_empty() && !description.contains('\n') && description.len() < 100,
            "{}: {description:?}",
            m.name()
        );
    }
}

/// A strict server and one with the switch on.
async fn pair(switch: &str) -> (Scim, Scim) {
    (Scim::start().await, Scim::misbehaving(switch).await)
}

fn filter_query(filter: &str) -> String {
    filter.replace(' ', "%20").replace('"', "%22")
}

#[tokio::test]
async fn uniqueness_500_answers_a_conflict_with_500() {
    let (strict, bent) = pair("uniqueness-500").await;
    for scim in [&strict, &bent] {
        scim.create_user("dup").await;
        scim.create_user("other").await;
    }
    strict
        .post("/Users", user("dup"))
        .await
        .assert_error(409, Some("uniqueness"));
    bent.post("/Users", user("dup"))
        .await
        .assert_error(500, None);
    bent.post("/Users", json!({"schemas": [USER]}))
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn uniqueness_case_sensitive_lets_case_variants_coexist() {
    let (strict, bent) = pair("uniqueness-case-sensitive").await;
    for scim in [&strict, &bent] {
        scim.create_user("Ada").await;
    }
    strict
        .post("/Users", user("ada"))
        .await
        .assert_error(409, Some("uniqueness"));
    bent.post("/Users", user("ada")).await.assert_status(201);
    bent.post("/Users", user("Ada"))
        .await
        .assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn no_uniqueness_accepts_duplicates() {
    let (strict, bent) = pair("no-uniqueness").await;
    for scim in [&strict, &bent] {
        scim.create_user("twin").await;
    }
    strict
        .post("/Users", user("twin"))
        .await
        .assert_error(409, Some("uniqueness"));
    bent.post("/Users", user("twin")).await.assert_status(201);
    let both = bent
        .get(&format!(
            "/Users?filter={}",
            filter_query("userName eq \"twin\"")
        ))
        .await;
    assert_eq!(both.body["totalResults"], 2);
    bent.post("/Users", json!({"schemas": [USER]}))
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn filter_ignored_returns_everything() {
    let (strict, bent) = pair("filter-ignored").await;
    for scim in [&strict, &bent] {
        scim.create_user("one").await;
        scim.create_user("two").await;
    }
    let query = format!("/Users?filter={}", filter_query("userName eq \"one\""));
    assert_eq!(strict.get(&query).await.body["totalResults"], 1);
    assert_eq!(bent.get(&query).await.body["totalResults"], 2);
    bent.get("/Users?filter=userName%20eq")
        .await
        .assert_error(400, Some("invalidFilter"));
    let page = bent.get("/Users?count=1").await.body;
    assert_eq!(page["itemsPerPage"], 1);
}

#[tokio::test]
async fn filter_case_sensitive_misses_case_variants() {
    let (strict, bent) = pair("filter-case-sensitive").await;
    for scim in [&strict, &bent] {
        scim.create_user("Ada").await;
    }
    let variant = format!("/Users?filter={}", filter_query("userName eq \"ADA\""));
    let exact = format!("/Users?filter={}", filter_query("userName eq \"Ada\""));
    assert_eq!(strict.get(&variant).await.body["totalResults"], 1);
    assert_eq!(bent.get(&variant).await.body["totalResults"], 0);
    assert_eq!(bent.get(&exact).await.body["totalResults"], 1);
}

#[tokio::test]
async fn soft_delete_only_deactivates_users() {
    let (strict, bent) = pair("soft-delete").await;
    for scim in [&strict, &bent] {
        let user = scim
            .create(
                "/Users",
                json!({"schemas": [USER], "userName": "leaver", "active": true}),
            )
            .await;
        let path = format!("/Users/{}", id_of(&user));
        assert_eq!(scim.delete(&path).await.status, 204);
        let group = id_of(&scim.create_group("G", &[]).await);
        assert_eq!(scim.delete(&format!("/Groups/{group}")).await.status, 204);
        scim.get(&format!("/Groups/{group}"))
            .await
            .assert_error(404, None);
    }
    let query = format!("/Users?filter={}", filter_query("userName eq \"leaver\""));
    assert_eq!(strict.get(&query).await.body["totalResults"], 0);
    let found = bent.get(&query).await.body;
    assert_eq!(found["totalResults"], 1);
    let id = id_of(&found["Resources"][0]);
    let after = bent.get(&format!("/Users/{id}")).await;
    assert_eq!(after.assert_status(200)["active"], false);
}

#[tokio::test]
async fn deleted_username_taken_blocks_recreation() {
    let (strict, bent) = pair("deleted-username-taken").await;
    for scim in [&strict, &bent] {
        let id = id_of(&scim.create_user("reuse").await);
        assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
        scim.get(&format!("/Users/{id}"))
            .await
            .assert_error(404, None);
    }
    strict
        .post("/Users", user("reuse"))
        .await
        .assert_status(201);
    bent.post("/Users", user("reuse"))
        .await
        .assert_error(409, Some("uniqueness"));
}

async fn patch_title(scim: &Scim, op: &str) -> Answer {
    let id = id_of(&scim.create_user(&format!("p-{op}-{}", rand_suffix())).await);
    scim.patch_ops(
        &format!("/Users/{id}"),
        json!([{"op": op, "path": "title", "value": "T"}]),
    )
    .await
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[tokio::test]
async fn patch_op_case_sensitive_rejects_capitalized_ops() {
    let (strict, bent) = pair("patch-op-case-sensitive").await;
    strict_ok(patch_title(&strict, "Replace").await);
    patch_title(&bent, "Replace")
        .await
        .assert_error(400, Some("invalidSyntax"));
    patch_title(&bent, "Add")
        .await
        .assert_error(400, Some("invalidSyntax"));
    strict_ok(patch_title(&bent, "replace").await);
}

fn strict_ok(answer: Answer) {
    assert_eq!(answer.assert_status(200)["title"], "T");
}

#[tokio::test]
async fn patch_no_remove_rejects_remove() {
    let (strict, bent) = pair("patch-no-remove").await;
    for scim in [&strict, &bent] {
        strict_ok(patch_title(scim, "replace").await);
    }
    remove_title(&strict).await.assert_status(200);
    remove_title(&bent)
        .await
        .assert_error(400, Some("invalidSyntax"));
}

async fn remove_title(scim: &Scim) -> Answer {
    let body = json!({"schemas": [USER], "userName": format!("r{}", rand_suffix()), "title": "x"});
    let user = scim.create("/Users", body).await;
    scim.patch_ops(
        &format!("/Users/{}", id_of(&user)),
        json!([{"op": "remove", "path": "title"}]),
    )
    .await
}

#[tokio::test]
async fn patch_schema_optional_accepts_bodies_without_patch_op() {
    let (strict, bent) = pair("patch-schema-optional").await;
    for (scim, expected) in [(&strict, 400), (&bent, 200)] {
        let id = id_of(&scim.create_user("talentech").await);
        let answer = scim
            .patch(
                &format!("/Users/{id}"),
                json!({"Operations": [{"op": "Replace", "path": "externalId", "value": "e-1"}]}),
            )
            .await;
        assert_eq!(answer.status, expected, "{}", answer.text);
        let empty = scim.patch(&format!("/Users/{id}"), json!({})).await;
        empty.assert_error(400, Some("invalidSyntax"));
    }
}

#[tokio::test]
async fn patch_204_answers_without_a_body() {
    let (strict, bent) = pair("patch-204").await;
    strict_ok(patch_title(&strict, "replace").await);
    let answer = patch_title(&bent, "replace").await;
    assert_eq!(answer.status, 204);
    assert!(answer.text.is_empty());
    let list = bent.get("/Users?filter=title%20eq%20%22T%22").await;
    assert_eq!(list.body["totalResults"], 1, "the change was applied");
}

#[tokio::test]
async fn create_200_answers_200() {
    let (strict, bent) = pair("create-200").await;
    assert_eq!(strict.post("/Users", user("c")).await.status, 201);
    let answer = bent.post("/Users", user("c")).await;
    let created = answer.assert_status(200);
    bent.get(&format!("/Users/{}", id_of(created)))
        .await
        .assert_status(200);
    assert!(answer.header("location").is_some());
}

#[tokio::test]
async fn no_location_omits_the_header() {
    let (strict, bent) = pair("no-location").await;
    assert!(
        strict
            .post("/Users", user("l"))
            .await
            .header("location")
            .is_some()
    );
    let answer = bent.post("/Users", user("l")).await;
    assert!(answer.header("location").is_none());
    assert!(answer.assert_status(201)["meta"]["location"].is_string());
}

#[tokio::test]
async fn status_as_integer_sends_a_number() {
    let (strict, bent) = pair("status-as-integer").await;
    assert_eq!(strict.get("/Users/none").await.body["status"], "404");
    let answer = bent.get("/Users/none").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["status"], 404);
    assert_eq!(answer.body["schemas"], json!([ERROR]));
    bent.create_user("fine").await;
}

#[tokio::test]
async fn html_errors_answer_html_pages() {
    let (strict, bent) = pair("html-errors").await;
    strict.get("/Users/none").await.assert_error(404, None);
    let answer = bent.get("/Users/none").await;
    assert_eq!(answer.status, 404);
    assert!(
        answer.content_type().starts_with("text/html"),
        "{}",
        answer.content_type()
    );
    assert!(answer.text.contains("<html>"));
    let ok = bent.get("/Users").await;
    assert!(ok.content_type().starts_with(SCIM_JSON));
}

#[tokio::test]
async fn json_content_type_labels_answers_application_json() {
    let (strict, bent) = pair("json-content-type").await;
    let strict_user = strict.post("/Users", user("j")).await;
    assert!(strict_user.content_type().starts_with(SCIM_JSON));
    let answer = bent.post("/Users", user("j")).await;
    assert_eq!(answer.content_type(), "application/json");
    assert_eq!(answer.assert_status(201)["userName"], "j");
    let error = bent.get("/Users/none").await;
    assert_eq!(error.content_type(), "application/json");
    assert_eq!(error.body["status"], "404");
}

#[tokio::test]
async fn no_total_results_omits_the_count() {
    let (strict, bent) = pair("no-total-results").await;
    for scim in [&strict, &bent] {
        scim.create_user("t").await;
    }
    assert_eq!(strict.get("/Users").await.body["totalResults"], 1);
    let list = bent.get("/Users").await.body;
    assert!(list.get("totalResults").is_none());
    assert_eq!(list["itemsPerPage"], 1);
    assert_eq!(list["Resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn items_per_page_wrong_reports_the_requested_count() {
    let (strict, bent) = pair("items-per-page-wrong").await;
    for scim in [&strict, &bent] {
        scim.create_user("i1").await;
        scim.create_user("i2").await;
        scim.create_user("i3").await;
    }
    let strict_page = strict.get("/Users?startIndex=3&count=2").await.body;
    assert_eq!(strict_page["itemsPerPage"], 1);
    let page = bent.get("/Users?startIndex=3&count=2").await.body;
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["totalResults"], 3);
    assert_eq!(page["Resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn paging_ignored_returns_one_page() {
    let (strict, bent) = pair("paging-ignored").await;
    for scim in [&strict, &bent] {
        for name in ["a", "b", "c"] {
            scim.create_user(name).await;
        }
    }
    assert_eq!(
        strict.get("/Users?startIndex=2&count=1").await.body["itemsPerPage"],
        1
    );
    let page = bent.get("/Users?startIndex=2&count=1").await.body;
    assert_eq!(page["itemsPerPage"], 3);
    assert_eq!(page["startIndex"], 1);
    let filtered = bent
        .get("/Users?filter=userName%20eq%20%22b%22&count=1")
        .await
        .body;
    assert_eq!(filtered["totalResults"], 1);
}

#[tokio::test]
async fn projection_ignored_returns_full_resources() {
    let (strict, bent) = pair("projection-ignored").await;
    for scim in [&strict, &bent] {
        scim.create(
            "/Users",
            json!({"schemas": [USER], "userName": "p", "title": "T", "password": "pw-123"}),
        )
        .await;
    }
    let strict_list = strict.get("/Users?attributes=userName").await.body;
    assert!(strict_list["Resources"][0].get("title").is_none());
    let answer = bent.get("/Users?attributes=userName").await;
    assert_eq!(answer.body["Resources"][0]["title"], "T");
    assert!(!answer.text.contains("pw-123"), "password stays hidden");
}

#[tokio::test]
async fn projection_drops_schemas_when_attributes_are_asked_for() {
    let (strict, bent) = pair("projection-drops-schemas").await;
    for scim in [&strict, &bent] {
        scim.create_user("s").await;
    }
    assert!(
        strict.get("/Users?attributes=userName").await.body["Resources"][0]["schemas"].is_array()
    );
    let projected = bent.get("/Users?attributes=userName").await.body;
    assert!(projected["Resources"][0].get("schemas").is_none());
    assert_eq!(projected["Resources"][0]["userName"], "s");
    let full = bent.get("/Users").await.body;
    assert!(full["Resources"][0]["schemas"].is_array());
}

async fn etag_before_and_after_write(scim: &Scim) -> (Option<String>, Option<String>, Value) {
    let created = scim.post("/Users", user("e")).await;
    let id = id_of(&created.body);
    let patched = scim
        .patch_ops(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "title", "value": "new"}]),
        )
        .await;
    (
        created.header("etag").map(str::to_string),
        patched.header("etag").map(str::to_string),
        patched.body,
    )
}

#[tokio::test]
async fn etag_stale_keeps_the_version_after_a_write() {
    let (strict, bent) = pair("etag-stale").await;
    let (before, after, _) = etag_before_and_after_write(&strict).await;
    assert_ne!(before, after);
    let (before, after, body) = etag_before_and_after_write(&bent).await;
    assert_eq!(before, after);
    assert_eq!(body["meta"]["version"].as_str(), after.as_deref());
    assert_eq!(body["title"], "new");
}

#[tokio::test]
async fn etag_missing_sends_no_etag_header() {
    let (strict, bent) = pair("etag-missing").await;
    let (before, _, _) = etag_before_and_after_write(&strict).await;
    assert!(before.is_some());
    let (before, after, body) = etag_before_and_after_write(&bent).await;
    assert_eq!((before, after), (None, None));
    assert!(body["meta"]["version"].is_string());
    let spc = bent.get("/ServiceProviderConfig").await.body;
    assert_eq!(spc["etag"]["supported"], true);
}

#[tokio::test]
async fn meta_incomplete_keeps_only_the_resource_type() {
    let (strict, bent) = pair("meta-incomplete").await;
    let full = strict.create_user("m").await;
    for key in ["created", "lastModified", "location", "version"] {
        assert!(full["meta"].get(key).is_some(), "{key}");
    }
    let answer = bent.post("/Users", user("m")).await;
    assert_eq!(
        answer.assert_status(201)["meta"],
        json!({"resourceType": "User"})
    );
    assert!(answer.header("etag").is_some());
}

#[tokio::test]
async fn password_returned_sends_the_password_back() {
    let (strict, bent) = pair("password-returned").await;
    let body = json!({"schemas": [USER], "userName": "pw", "password": "hunter2!"});
    let strict_user = strict.create("/Users", body.clone()).await;
    assert!(strict_user.get("password").is_none());
    let user = bent.create("/Users", body).await;
    assert_eq!(user["password"], "hunter2!");
    assert_eq!(user["userName"], "pw");
}

#[tokio::test]
async fn active_as_string_sends_active_as_text_while_declaring_a_boolean() {
    let (strict, bent) = pair("active-as-string").await;
    let body = json!({"schemas": [USER], "userName": "on", "active": true});
    let strict_user = strict.create("/Users", body.clone()).await;
    assert_eq!(strict_user["active"], true);
    let user = bent.create("/Users", body).await;
    assert_eq!(user["active"], "true");
    let id = id_of(&user);
    assert_eq!(
        bent.get(&format!("/Users/{id}")).await.body["active"],
        "true"
    );
    let patched = bent
        .patch_ops(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!(patched.assert_status(200)["active"], "false");
    // Stored as a boolean: filters still match it, and /Schemas still says boolean.
    let found = bent
        .get(&format!(
            "/Users?filter={}",
            filter_query("active eq false")
        ))
        .await;
    assert_eq!(found.assert_status(200)["totalResults"], 1);
    assert_eq!(found.body["Resources"][0]["active"], "false");
    let schema = bent
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    let active = schema.assert_status(200)["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .find(|a| a["name"] == "active")
        .cloned()
        .expect("active is declared");
    assert_eq!(active["type"], "boolean");
}

#[tokio::test]
async fn stale_group_members_keeps_deleted_users_in_groups() {
    let (strict, bent) = pair("stale-group-members").await;
    let mut counts = Vec::new();
    for scim in [&strict, &bent] {
        let id = id_of(&scim.create_user("member").await);
        let group = id_of(&scim.create_group("G", &[&id]).await);
        assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
        scim.get(&format!("/Users/{id}"))
            .await
            .assert_error(404, None);
        let group = scim.get(&format!("/Groups/{group}")).await.body;
        counts.push(values_of(&group, "members").len());
    }
    assert_eq!(counts, vec![0, 1]);
}

#[tokio::test]
async fn no_groups_serves_users_only() {
    let (strict, bent) = pair("no-groups").await;
    strict.get("/Groups").await.assert_status(200);
    bent.get("/Groups").await.assert_error(404, None);
    bent.post("/Groups", group("G", &[]))
        .await
        .assert_error(404, None);
    let types = bent.get("/ResourceTypes").await.body;
    assert_eq!(types["totalResults"], 1);
    assert_eq!(types["Resources"][0]["id"], "User");
    let schemas = bent.get("/Schemas").await.body;
    assert_eq!(schemas["totalResults"], 2);
    bent.create_user("alone").await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_beyond_four_per_second() {
    let (strict, bent) = pair("rate-limit").await;
    for _ in 0..8 {
        strict.get("/Users").await.assert_status(200);
    }
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let answer = bent.send(bent.request(Method::GET, "/Users")).await;
        if answer.status == 429 {
            answer.assert_error(429, None);
            retry_after = answer.header("retry-after").map(str::to_string);
        }
        statuses.push(answer.status);
    }
    assert!(
        statuses.iter().filter(|s| **s == 200).count() >= 4,
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    bent.get("/Users").await.assert_status(200);
}

#[tokio::test]
async fn endpoint_switches_write_the_endpoint_in_other_forms() {
    let strict = Scim::start().await;
    let absolute = Scim::misbehaving("endpoint-absolute").await;
    let prefixed = Scim::misbehaving("endpoint-base-path").await;
    let endpoint = |types: Value| types["Resources"][0]["endpoint"].clone();
    assert_eq!(endpoint(strict.get("/ResourceTypes").await.body), "/Users");
    assert_eq!(
        endpoint(absolute.get("/ResourceTypes").await.body),
        format!("{}/Users", absolute.base).as_str()
    );
    assert_eq!(
        endpoint(prefixed.get("/ResourceTypes").await.body),
        "/scim/v2/Users"
    );
    prefixed.get("/Users").await.assert_status(200);
}

#[tokio::test]
async fn no_discovery_answers_404_to_the_discovery_endpoints_only() {
    let (strict, bent) = pair("no-discovery").await;
    for path in [
        "/ServiceProviderConfig",
        "/ResourceTypes",
        "/Schemas",
        "/Schemas/x",
    ] {
        bent.get(path).await.assert_error(404, None);
    }
    strict.get("/Schemas").await.assert_status(200);
    bent.get("/Users").await.assert_status(200);
    bent.create_user("still-here").await;
}

/// Sends one HTTP/1.1 request on `stream` and reads what comes back until the answer's
/// head and its declared body are in, or the connection ends.
async fn exchange_on(stream: &mut tokio::net::TcpStream, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) | Err(_) => 0,
        };
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn close_after_500_leaves_the_next_request_on_that_connection_unanswered() {
    for (switches, dropped) in [
        ("uniqueness-500", false),
        ("uniqueness-500,close-after-500", true),
    ] {
        let scim = Scim::misbehaving(switches).await;
        scim.create_user("taken").await;
        let mut stream = tokio::net::TcpStream::connect(scim.handle.local_addr())
            .await
            .unwrap();
        let body = user("taken").to_string();
        let post = format!(
            "POST /scim/v2/Users HTTP/1.1\r\nhost: x\r\ncontent-type: application/scim+json\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        );
        let first = exchange_on(&mut stream, &post).await;
        assert!(first.starts_with("HTTP/1.1 500"), "{first}");
        let get = "GET /scim/v2/Users HTTP/1.1\r\nhost: x\r\n\r\n";
        let second = exchange_on(&mut stream, get).await;
        assert_eq!(second.is_empty(), dropped, "{switches}: {second:?}");
        // A new connection is served as usual.
        scim.get("/Users").await.assert_status(200);
    }
}

#[tokio::test]
async fn null_values_answers_unassigned_attributes_as_null() {
    let (strict, bent) = pair("null-values").await;
    let quiet = strict.create_user("quiet").await;
    assert!(quiet.get("title").is_none(), "{quiet}");
    let nulls = bent.create_user("quiet").await;
    assert_eq!(nulls["title"], Value::Null);
    assert!(nulls.as_object().unwrap().contains_key("title"), "{nulls}");
    assert_eq!(nulls["userName"], "quiet");
    let spc = bent.get("/ServiceProviderConfig").await.body;
    assert!(spc.as_object().unwrap().contains_key("documentationUri"));
    assert_eq!(spc["documentationUri"], Value::Null);
}

#[tokio::test]
async fn no_search_answers_404_to_search_only() {
    let (strict, bent) = pair("no-search").await;
    let search = json!({"schemas": [SEARCH], "filter": "userName pr"});
    strict
        .post("/Users/.search", search.clone())
        .await
        .assert_status(200);
    for path in ["/.search", "/Users/.search"] {
        bent.post(path, search.clone())
            .await
            .assert_error(404, None);
    }
    bent.get("/Users?filter=userName%20pr")
        .await
        .assert_status(200);
}

#[tokio::test]
async fn filter_unsupported_refuses_all_but_one_eq_comparison() {
    let (strict, bent) = pair("filter-unsupported").await;
    for scim in [&strict, &bent] {
        scim.create_user("ada").await;
    }
    let eq = format!("/Users?filter={}", filter_query(r#"userName eq "ada""#));
    assert_eq!(bent.get(&eq).await.body["totalResults"], 1);
    for filter in [
        r#"userName sw "a""#,
        r#"userName eq "ada" or userName eq "bob""#,
        r#"emails[type eq "work"]"#,
    ] {
        let path = format!("/Users?filter={}", filter_query(filter));
        strict.get(&path).await.assert_status(200);
        bent.get(&path)
            .await
            .assert_error(400, Some("invalidFilter"));
    }
}

#[tokio::test]
async fn no_scim_type_keeps_only_the_keywords_the_rfc_text_names() {
    let (strict, bent) = pair("no-scim-type").await;
    let mut replies = Vec::new();
    for scim in [&strict, &bent] {
        let created = scim.create_user("ada").await;
        let id = id_of(&created);
        let read_only = scim
            .patch_ops(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "id", "value": "x"}]),
            )
            .await;
        let duplicate = scim.post("/Users", user("ada")).await;
        replies.push((read_only, duplicate));
    }
    let (strict_read_only, strict_duplicate) = &replies[0];
    let (bent_read_only, bent_duplicate) = &replies[1];
    // RFC 7644 3.5.2.2 names mutability for a read-only target, so it stays.
    strict_read_only.assert_error(400, Some("mutability"));
    bent_read_only.assert_error(400, Some("mutability"));
    strict_duplicate.assert_error(409, Some("uniqueness"));
    bent_duplicate.assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn bulk_status_object_writes_each_status_as_a_code_object() {
    let (strict, bent) = pair("bulk-status-object").await;
    let request = json!({
        "schemas": [BULK_REQUEST],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": user("bulky")},
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": user("bulky")}
        ]
    });
    let plain = strict.post("/Bulk", request.clone()).await.body;
    assert_eq!(plain["Operations"][0]["status"], "201");
    let objects = bent.post("/Bulk", request).await.body;
    assert_eq!(objects["Operations"][0]["status"], json!({"code": "201"}));
    assert_eq!(objects["Operations"][1]["status"], json!({"code": "409"}));
    // A failed POST has no location, as RFC 7644 3.7.3 exempts it.
    assert!(objects["Operations"][1].get("location").is_none());
}

#[tokio::test]
async fn undeclared_dropped_neither_declares_nor_keeps_some_user_attributes() {
    let (strict, bent) = pair("undeclared-dropped").await;
    let body = json!({
        "schemas": [USER],
        "userName": "dropped",
        "title": "Engineer",
        "nickName": "Dee",
        "displayName": "Kept",
        "emails": [{"value": "d@example.com", "type": "work"}]
    });
    let kept = strict.create("/Users", body.clone()).await;
    assert_eq!(kept["title"], "Engineer");
    let dropped = bent.create("/Users", body).await;
    assert!(
        dropped.get("title").is_none() && dropped.get("nickName").is_none(),
        "{dropped}"
    );
    assert_eq!(dropped["displayName"], "Kept");
    assert_eq!(dropped["emails"], json!([{"value": "d@example.com"}]));
    let schema = bent.get(&format!("/Schemas/{USER}")).await.body;
    let names: Vec<&str> = schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(
        names.contains(&"displayName") && !names.contains(&"title"),
        "{names:?}"
    );
    let emails = schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "emails")
        .unwrap();
    let subs: Vec<&str> = emails["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(
        subs.contains(&"value") && !subs.contains(&"type"),
        "{subs:?}"
    );
}

#[tokio::test]
async fn display_name_dropped_declares_display_name_but_never_keeps_it() {
    let (strict, bent) = pair("display-name-dropped").await;
    let body = json!({"schemas": [USER], "userName": "shown", "displayName": "Shown"});
    assert_eq!(
        strict.create("/Users", body.clone()).await["displayName"],
        "Shown"
    );
    let created = bent.create("/Users", body).await;
    assert!(created.get("displayName").is_none(), "{created}");
    let schema = bent.get(&format!("/Schemas/{USER}")).await.body;
    assert!(schema["attributes"].to_string().contains("\"displayName\""));
    // Groups keep theirs.
    let group = bent.create_group("G", &[]).await;
    assert_eq!(group["displayName"], "G");
}

#[tokio::test]
async fn concurrent_500_fails_overlapping_writes_only() {
    let bent = Scim::misbehaving("concurrent-500").await;
    bent.post("/Users", user("first")).await.assert_status(201);
    bent.post("/Users", user("second")).await.assert_status(201);
    let (a, b) = tokio::join!(
        bent.post("/Users", user("third")),
        bent.post("/Users", user("fourth"))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 500], "{} / {}", a.text, b.text);
    // Reads never collide.
    let (x, y) = tokio::join!(bent.get("/Users"), bent.get("/Users"));
    assert_eq!((x.status, y.status), (200, 200));
}
