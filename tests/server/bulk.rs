//! Bulk requests against the reference server over HTTP: bulkId references in paths and
//! data, per-operation results, failOnErrors and the advertised limits.

use crate::support::server::*;

use serde_json::{Value, json};

fn bulk(operations: Value) -> Value {
    json!({"schemas": [BULK_REQUEST], "Operations": operations})
}

#[tokio::test]
async fn bulk_ids_link_operations_even_when_referenced_before_defined() {
    let scim = Scim::start().await;
    let answer = scim
        .post(
            "/Bulk",
            bulk(json!([
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"schemas": [GROUP], "displayName": "Pilots",
                          "members": [{"value": "bulkId:u1", "type": "User"}, {"value": "bulkId:u2"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "u1", "data": user("amelia")},
                {"method": "POST", "path": "/Users", "bulkId": "u2", "data": user("bessie")},
                {"method": "PATCH", "path": "/Users/bulkId:u1",
                 "data": {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Captain"}]}},
            ])),
        )
        .await;
    let response = answer.assert_status(200);
    assert!(answer.content_type().starts_with(SCIM_JSON));
    assert_eq!(response["schemas"], json!([BULK_RESPONSE]));
    let results = response["Operations"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["201", "201", "201", "200"]);
    assert_eq!(results[0]["bulkId"], "g");
    assert_eq!(results[0]["method"], "POST");
    let group_location = results[0]["location"].as_str().unwrap();
    assert!(results[0]["version"].as_str().unwrap().starts_with("W/"));

    let group_path = group_location.strip_prefix(&scim.base).unwrap();
    let group = scim.get(group_path).await.body;
    let user_ids: Vec<String> = results[1..3]
        .iter()
        .map(|r| {
            r["location"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut expected = user_ids.clone();
    expected.sort();
    assert_eq!(values_of(&group, "members"), expected);
    let amelia = scim.get(&format!("/Users/{}", user_ids[0])).await.body;
    assert_eq!(amelia["title"], "Captain");
    assert_eq!(amelia["groups"][0]["display"], "Pilots");
}

#[tokio::test]
async fn each_operation_reports_its_own_outcome() {
    let scim = Scim::start().await;
    let existing = id_of(&scim.create_user("exists").await);
    let answer = scim
        .post(
            "/Bulk",
            bulk(json!([
                {"method": "POST", "path": "/Users", "bulkId": "dup", "data": user("EXISTS")},
                {"method": "DELETE", "path": format!("/Users/{existing}")},
                {"method": "PUT", "path": "/Users/missing", "data": user("x")},
                {"method": "POST", "path": "/Users", "data": user("no-bulk-id")},
                {"method": "GET", "path": "/Users"},
                {"method": "POST", "path": "/Groups", "bulkId": "dangling",
                 "data": {"schemas": [GROUP], "displayName": "D", "members": [{"value": "bulkId:nowhere"}]}},
                {"method": "DELETE", "path": "/Printers/1"},
            ])),
        )
        .await;
    let results = answer.assert_status(200)["Operations"]
        .as_array()
        .unwrap()
        .clone();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        vec!["409", "204", "404", "400", "400", "409", "404"]
    );
    assert_eq!(results[0]["response"]["scimType"], "uniqueness");
    assert_eq!(results[0]["response"]["schemas"], json!([ERROR]));
    assert_eq!(results[5]["response"]["scimType"], "invalidValue");
    scim.get(&format!("/Users/{existing}"))
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn fail_on_errors_stops_processing() {
    let scim = Scim::start().await;
    let answer = scim
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "failOnErrors": 1, "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "a", "data": user("first")},
                {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": [USER]}},
                {"method": "POST", "path": "/Users", "bulkId": "c", "data": user("never")},
            ]}),
        )
        .await;
    let results = answer.assert_status(200)["Operations"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["status"], "400");
    let list = scim.get("/Users").await.body;
    assert_eq!(list["totalResults"], 1);
}

#[tokio::test]
async fn malformed_and_oversized_bulk_requests_are_refused() {
    let scim = Scim::start().await;
    scim.post("/Bulk", json!({"Operations": []}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    scim.post("/Bulk", json!({"schemas": [BULK_REQUEST]}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    scim.post(
        "/Bulk",
        json!({"schemas": [BULK_REQUEST], "failOnErrors": 0, "Operations": []}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"method": "DELETE", "path": format!("/Users/{i}")}))
        .collect();
    scim.post("/Bulk", bulk(Value::Array(too_many)))
        .await
        .assert_error(413, None);
    scim.get("/Bulk").await.assert_error(405, None);
}
