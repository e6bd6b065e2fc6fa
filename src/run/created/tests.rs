use serde_json::json;

use super::*;
use crate::client::Target;

const BASE: &str = "http://h/scim/v2";
const USERS: &str = "http://h/scim/v2/Users";

fn client() -> Client {
    Client::new(Target::new(BASE)).expect("client")
}

fn response(status: u16, location: Option<&str>, body: serde_json::Value) -> HttpResponse {
    HttpResponse {
        url: USERS.into(),
        status,
        headers: location
            .map(|l| vec![("location".to_owned(), l.to_owned())])
            .unwrap_or_default(),
        body: body.to_string().into_bytes(),
    }
}

fn created_by(response: &HttpResponse) -> Found {
    let body = ResponseBody::parse(response);
    let request = json!({"userName": "scimcheck-r1-1"});
    from_create(&client(), USERS, Some(&request), Ok((response, &body)))
}

#[test]
fn any_2xx_with_an_id_is_a_created_resource_named_by_that_id() {
    for status in [200, 201, 202] {
        let found = created_by(&response(status, None, json!({"id": "42"})));
        assert_eq!(found.created, vec![format!("{USERS}/42")], "{status}");
    }
    let found = created_by(&response(409, None, json!({"id": "42"})));
    assert_eq!(found, Found::default());
}

#[test]
fn a_hostile_id_stays_one_segment_under_the_collection() {
    for (id, url) in [
        ("../Groups/g-1", "/Users/..%2FGroups%2Fg-1"),
        ("a?b", "/Users/a%3Fb"),
        ("a#b", "/Users/a%23b"),
        ("%2e%2e", "/Users/%252e%252e"),
    ] {
        let found = created_by(&response(201, None, json!({ "id": id })));
        assert_eq!(found.created, vec![format!("{BASE}{url}")], "{id}");
    }
    for id in ["", ".", ".."] {
        let found = created_by(&response(201, None, json!({ "id": id })));
        assert!(found.created.is_empty(), "{id:?}");
        assert_eq!(found.unreachable.len(), 1, "{id:?}");
    }
}

#[test]
fn a_location_that_names_something_else_is_ignored_and_reported() {
    for location in [
        "/scim/v2/Users/../Groups/g-1",
        "/scim/v2/Groups/g-1",
        "http://elsewhere/scim/v2/Users/42",
        "/scim/v2/Users/42?x=1",
        "/scim/v2/Users/43",
    ] {
        let found = created_by(&response(201, Some(location), json!({"id": "42"})));
        assert_eq!(found.created, vec![format!("{USERS}/42")], "{location}");
        assert_eq!(found.problems.len(), 1, "{location}: {found:?}");
        assert!(found.problems[0].contains("ignored"), "{found:?}");
    }
    let agreeing = created_by(&response(
        201,
        Some("/scim/v2/Users/42"),
        json!({"id": "42"}),
    ));
    assert!(agreeing.problems.is_empty(), "{agreeing:?}");
}

#[test]
fn without_an_id_only_a_location_one_level_under_the_collection_is_taken() {
    let found = created_by(&response(201, Some("Users/7"), json!({})));
    assert_eq!(found.created, vec![format!("{USERS}/7")]);
    for location in [
        "/scim/v2/Users/../Groups/g-1",
        "/scim/v2/Users/7/x",
        "/scim/v2/Users/",
        "/scim/v2/Groups/7",
    ] {
        let found = created_by(&response(201, Some(location), json!({})));
        assert!(found.created.is_empty(), "{location}");
        assert_eq!(
            found.lost,
            vec![Lost {
                collection: USERS.into(),
                attribute: "userName",
                value: "scimcheck-r1-1".into()
            }],
            "{location}"
        );
    }
}

#[test]
fn a_lost_or_unreadable_answer_is_searched_for_by_name() {
    let request = json!({"displayName": "scimcheck-r1-2"});
    for kind in [
        TransportErrorKind::Timeout,
        TransportErrorKind::Other,
        TransportErrorKind::BodyTooLarge,
    ] {
        let error = TransportError {
            kind,
            message: "cut".into(),
        };
        let found = from_create(&client(), USERS, Some(&request), Err(&error));
        assert_eq!(found.lost.len(), 1, "{kind:?}");
        assert_eq!(found.lost[0].attribute, "displayName");
    }
    let refused = TransportError {
        kind: TransportErrorKind::Connect,
        message: "refused".into(),
    };
    let found = from_create(&client(), USERS, Some(&request), Err(&refused));
    assert_eq!(found, Found::default());
    let garbage = HttpResponse {
        url: USERS.into(),
        status: 201,
        headers: vec![],
        body: b"{\"id\": ".to_vec(),
    };
    assert_eq!(created_by(&garbage).lost.len(), 1);
}

fn bulk_request() -> serde_json::Value {
    json!({"Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "scimcheck-r1-3"}},
        {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"displayName": "scimcheck-r1-4"}},
        {"method": "PATCH", "path": "/Users/1", "data": {}},
        {"method": "POST", "path": "/Users", "bulkId": "c", "data": {"userName": "scimcheck-r1-5"}},
    ]})
}

fn bulk(body: &[u8]) -> Found {
    let response = HttpResponse {
        url: format!("{BASE}/Bulk"),
        status: 200,
        headers: vec![],
        body: body.to_vec(),
    };
    let parsed = ResponseBody::parse(&response);
    from_bulk(&client(), Some(&bulk_request()), Ok((&response, &parsed)))
}

#[test]
fn bulk_results_are_matched_to_their_operations_by_bulk_id() {
    let answer = json!({"Operations": [
        {"bulkId": "b", "method": "POST", "status": "201", "location": "/scim/v2/Groups/g9"},
        {"bulkId": "a", "method": "POST", "status": 201, "location": "http://h/scim/v2/Users/u1"},
        {"bulkId": "c", "method": "POST", "status": {"code": "409"}},
    ]});
    let found = bulk(answer.to_string().as_bytes());
    assert_eq!(
        found.created,
        vec![format!("{BASE}/Users/u1"), format!("{BASE}/Groups/g9")]
    );
    assert!(found.lost.is_empty(), "{found:?}");
}

#[test]
fn a_bulk_location_outside_its_collection_is_searched_for_instead() {
    let answer = json!({"Operations": [
        {"bulkId": "a", "status": "201", "location": "/scim/v2/Users/../Groups/g-1"},
        {"bulkId": "b", "status": "201", "response": {"id": "g2"}},
    ]});
    let found = bulk(answer.to_string().as_bytes());
    assert_eq!(found.created, vec![format!("{BASE}/Groups/g2")]);
    let lost: Vec<&str> = found.lost.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(lost, ["scimcheck-r1-3", "scimcheck-r1-5"]);
}

#[test]
fn an_unreadable_bulk_answer_searches_for_every_post() {
    let found = bulk(b"<html>oops</html>");
    let lost: Vec<&str> = found.lost.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(lost, ["scimcheck-r1-3", "scimcheck-r1-4", "scimcheck-r1-5"]);
    assert_eq!(found.lost[1].collection, format!("{BASE}/Groups"));
}
