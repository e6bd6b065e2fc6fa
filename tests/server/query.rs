//! Queries against the reference server over HTTP: filters (through the shared scim
//! grammar), paging with clamping, sorting, projection, and POST /.search.

use crate::support::server::*;

use serde_json::{Value, json};

/// Five users with varied attributes, created in this order.
async fn populated() -> Scim {
    let scim = Scim::start().await;
    let people = [
        json!({"schemas": [USER], "userName": "Carol", "title": "CTO", "active": true,
               "emails": [{"value": "carol@example.com", "type": "work", "primary": true}]}),
        json!({"schemas": [USER], "userName": "alice", "title": "Engineer", "active": true,
               "name": {"familyName": "Zed"},
               "emails": [{"value": "alice@home.org", "type": "home"},
                          {"value": "alice@example.com", "type": "work"}]}),
        json!({"schemas": [USER, ENTERPRISE], "userName": "Bob", "active": false,
               "name": {"familyName": "Young"}, ENTERPRISE: {"department": "Sales"}}),
        json!({"schemas": [USER], "userName": "dave", "title": "engineer", "externalId": "D-1"}),
        json!({"schemas": [USER], "userName": "Eve", "name": {"familyName": "Adams"}}),
    ];
    for person in people {
        scim.create("/Users", person).await;
    }
    scim
}

fn names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or("-").to_string())
        .collect()
}

async fn query(scim: &Scim, query: &str) -> Value {
    let answer = scim.get(&format!("/Users?{query}")).await;
    assert_eq!(answer.status, 200, "{query}: {}", answer.text);
    assert!(answer.content_type().starts_with(SCIM_JSON));
    assert_eq!(answer.body["schemas"], json!([LIST]));
    answer.body
}

fn encoded(filter: &str) -> String {
    let mut out = String::new();
    for b in filter.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn filtered(scim: &Scim, filter: &str) -> Vec<String> {
    let mut found = names(&query(scim, &format!("filter={}", encoded(filter))).await);
    found.sort();
    found
}

#[tokio::test]
async fn filters_follow_the_grammar_and_case_rules() {
    let scim = populated().await;
    let cases: &[(&str, &[&str])] = &[
        (r#"userName eq "ALICE""#, &["alice"]),
        (r#"USERNAME eq "carol""#, &["Carol"]),
        (r#"userName sw "c""#, &["Carol"]),
        (r#"title co "engineer""#, &["alice", "dave"]),
        (r#"externalId eq "d-1""#, &[]),
        (r#"externalId eq "D-1""#, &["dave"]),
        ("active eq false", &["Bob"]),
        ("title pr", &["Carol", "alice", "dave"]),
        ("not (title pr)", &["Bob", "Eve"]),
        (
            r#"emails[type eq "work" and value ew "example.com"]"#,
            &["Carol", "alice"],
        ),
        (r#"emails.type eq "home""#, &["alice"]),
        (
            r#"name.familyName gt "Y" or userName eq "eve""#,
            &["Bob", "Eve", "alice"],
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales""#,
            &["Bob"],
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob""#,
            &["Bob"],
        ),
        (
            r#"meta.resourceType eq "User" and userName eq "dave""#,
            &["dave"],
        ),
        (
            "meta.created gt \"2000-01-01T00:00:00Z\" and userName eq \"Eve\"",
            &["Eve"],
        ),
    ];
    for (filter, expected) in cases {
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(filtered(&scim, filter).await, expected, "{filter}");
    }
}

#[tokio::test]
async fn invalid_filters_answer_400_invalid_filter() {
    let scim = populated().await;
    for filter in [
        "userName eq",
        "userName equals \"a\"",
        "(userName eq \"a\"",
        "shoeSize gt 3",
        "emails[type eq \"work\"",
        "\"unterminated",
    ] {
        let answer = scim
            .get(&format!("/Users?filter={}", encoded(filter)))
            .await;
        answer.assert_error(400, Some("invalidFilter"));
    }
    let answer = scim
        .get(&format!("/Users?filter={}", encoded(&"(".repeat(5000))))
        .await;
    answer.assert_error(400, Some("invalidFilter"));
}

#[tokio::test]
async fn paging_is_one_based_and_consistent() {
    let scim = populated().await;
    let page = query(&scim, "startIndex=2&count=2").await;
    assert_eq!(page["totalResults"], 5);
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["startIndex"], 2);
    assert_eq!(names(&page), vec!["alice", "Bob"]);

    let last = query(&scim, "startIndex=5&count=10").await;
    assert_eq!(
        (last["itemsPerPage"].clone(), names(&last)),
        (json!(1), vec!["Eve".to_string()])
    );
    let beyond = query(&scim, "startIndex=9").await;
    assert_eq!(beyond["totalResults"], 5);
    assert_eq!(beyond["itemsPerPage"], 0);
    assert_eq!(beyond["Resources"], json!([]));
}

#[tokio::test]
async fn out_of_range_paging_values_are_clamped() {
    let scim = populated().await;
    let low = query(&scim, "startIndex=-4&count=1").await;
    assert_eq!(low["startIndex"], 1);
    assert_eq!(names(&low), vec!["Carol"]);
    let zero = query(&scim, "startIndex=0&count=-3").await;
    assert_eq!(zero["startIndex"], 1);
    assert_eq!(zero["itemsPerPage"], 0);
    assert_eq!(zero["totalResults"], 5);
    let huge = query(&scim, "count=99999999999999999999999").await;
    assert_eq!(huge["itemsPerPage"], 5);
    scim.get("/Users?count=lots")
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn pages_never_exceed_max_results() {
    let scim = Scim::start().await;
    let operations: Vec<Value> = (0..205)
        .map(|i| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("u{i}"),
                        "data": user(&format!("user{i:03}"))})
        })
        .collect();
    let bulk = scim
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": operations}),
        )
        .await;
    bulk.assert_status(200);
    let page = query(&scim, "count=1000").await;
    assert_eq!(page["totalResults"], 205);
    assert_eq!(page["itemsPerPage"], 200);
    let rest = query(&scim, "startIndex=201").await;
    assert_eq!(rest["itemsPerPage"], 5);
}

#[tokio::test]
async fn sorting_is_case_insensitive_with_missing_values_last_when_ascending() {
    let scim = populated().await;
    let ascending = query(&scim, "sortBy=userName").await;
    assert_eq!(
        names(&ascending),
        vec!["alice", "Bob", "Carol", "dave", "Eve"]
    );
    let descending = query(&scim, "sortBy=userName&sortOrder=DESCENDING").await;
    assert_eq!(
        names(&descending),
        vec!["Eve", "dave", "Carol", "Bob", "alice"]
    );
    let by_family = query(&scim, "sortBy=name.familyName").await;
    assert_eq!(
        names(&by_family),
        vec!["Eve", "Bob", "alice", "Carol", "dave"]
    );
    // Descending puts the resources without a value first (RFC 7644 3.4.2.3).
    let by_family_desc = query(&scim, "sortBy=name.familyName&sortOrder=descending").await;
    assert_eq!(
        names(&by_family_desc),
        vec!["Carol", "dave", "alice", "Bob", "Eve"]
    );
    let by_email = query(&scim, "sortBy=emails&filter=emails%20pr").await;
    assert_eq!(names(&by_email), vec!["alice", "Carol"]);
    scim.get("/Users?sortBy=userName&sortOrder=sideways")
        .await
        .assert_error(400, Some("invalidValue"));
    scim.get("/Users?sortBy=shoeSize")
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn attributes_and_excluded_attributes_shape_resources() {
    let scim = populated().await;
    let list = query(
        &scim,
        "filter=userName%20eq%20%22alice%22&attributes=userName,name.familyName,emails.value",
    )
    .await;
    let alice = &list["Resources"][0];
    let mut keys: Vec<&str> = alice
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, vec!["emails", "id", "name", "schemas", "userName"]);
    assert_eq!(alice["name"], json!({"familyName": "Zed"}));
    assert_eq!(
        alice["emails"],
        json!([{"value": "alice@home.org"}, {"value": "alice@example.com"}])
    );

    let excluded = query(&scim, "filter=userName%20eq%20%22Bob%22&excludedAttributes=name,meta,id,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").await;
    let bob = &excluded["Resources"][0];
    assert!(bob.get("name").is_none() && bob.get("meta").is_none());
    assert!(bob.get("id").is_some(), "id is returned always");
    assert!(bob.get(ENTERPRISE).is_none(), "{bob}");

    let id = id_of(alice);
    let single = scim
        .get(&format!(
            "/Users/{id}?attributes=urn:ietf:params:scim:schemas:core:2.0:User:title"
        ))
        .await;
    let single = single.assert_status(200);
    assert_eq!(single["title"], "Engineer");
    assert!(single.get("userName").is_none());
    assert_eq!(single["schemas"], json!([USER]));
}

#[tokio::test]
async fn search_with_post_takes_a_search_request() {
    let scim = populated().await;
    let group = scim.create_group("Engineering", &[]).await;
    let answer = scim
        .post(
            "/Users/.search",
            json!({"schemas": [SEARCH], "filter": "title co \"ENG\"", "sortBy": "userName",
                   "sortOrder": "descending", "attributes": ["userName"], "startIndex": 1, "count": 5}),
        )
        .await;
    let list = answer.assert_status(200);
    assert_eq!(names(list), vec!["dave", "alice"]);
    assert_eq!(list["totalResults"], 2);

    // The root search spans every resource type.
    let root = scim
        .post("/.search", json!({"schemas": [SEARCH], "filter": "meta.resourceType eq \"Group\" or userName eq \"Eve\""}))
        .await;
    let root = root.assert_status(200);
    assert_eq!(root["totalResults"], 2);
    let ids: Vec<&str> = root["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&group["id"].as_str().unwrap()));

    scim.post("/Users/.search", json!({"filter": "title pr"}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    scim.post(
        "/Users/.search",
        json!({"schemas": [SEARCH], "filter": "title zz 1"}),
    )
    .await
    .assert_error(400, Some("invalidFilter"));
    scim.post("/Users/.search", json!({"schemas": [SEARCH], "count": "5"}))
        .await
        .assert_error(400, Some("invalidValue"));
    scim.get("/Users/.search").await.assert_error(405, None);
}

#[tokio::test]
async fn groups_can_be_filtered_by_member() {
    let scim = populated().await;
    let alice = scim
        .get("/Users?filter=userName%20eq%20%22alice%22")
        .await
        .body["Resources"][0]
        .clone();
    let alice_id = id_of(&alice);
    scim.create_group("With Alice", &[&alice_id]).await;
    scim.create_group("Empty", &[]).await;
    let answer = scim
        .get(&format!(
            "/Groups?filter={}",
            encoded(&format!("members[value eq \"{alice_id}\"]"))
        ))
        .await;
    let list = answer.assert_status(200);
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["displayName"], "With Alice");
    let by_group = scim
        .get(&format!(
            "/Users?filter={}",
            encoded("groups.display eq \"with alice\"")
        ))
        .await;
    assert_eq!(names(&by_group.body), vec!["alice"]);
}
