//! The reference server never crashes and never answers anything but SCIM errors:
//! authentication, routing, media types, and hostile input over real HTTP.

use crate::support::server::*;

use reqwest::Method;
use scimcheck::server::ServerConfig;
use serde_json::json;

async fn with_token(token: &str) -> Scim {
    Scim::with_config(ServerConfig {
        token: Some(token.to_string()),
        ..ServerConfig::default()
    })
    .await
}

#[tokio::test]
async fn a_missing_or_wrong_token_answers_401_with_a_bearer_challenge() {
    let scim = with_token("correct-horse").await;
    for path in [
        "/Users",
        "/ServiceProviderConfig",
        "/Schemas",
        "/NoSuchThing",
    ] {
        let none = scim.send(scim.client.get(scim.url(path))).await;
        none.assert_error(401, None);
        assert_eq!(
            none.header("www-authenticate"),
            Some("Bearer realm=\"scimcheck\"")
        );
        let wrong = scim
            .send(
                scim.client
                    .get(scim.url(path))
                    .bearer_auth("battery-staple"),
            )
            .await;
        wrong.assert_error(401, None);
        assert!(!wrong.text.contains("battery-staple") && !wrong.text.contains("correct-horse"));
    }
    let basic = scim
        .send(
            scim.client
                .get(scim.url("/Users"))
                .basic_auth("correct-horse", Some("x")),
        )
        .await;
    basic.assert_error(401, None);
    // The right token works, and the configuration advertises the scheme.
    scim.get("/Users").await.assert_status(200);
    let spc = scim.get("/ServiceProviderConfig").await.body;
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
}

#[tokio::test]
async fn unknown_endpoints_and_ids_answer_404() {
    let scim = Scim::start().await;
    scim.get("/Printers").await.assert_error(404, None);
    scim.get("/users").await.assert_error(404, None);
    scim.get("/Users/no-such-id").await.assert_error(404, None);
    scim.get("/Users/a/b").await.assert_error(404, None);
    let outside = scim.send(scim.client.get(scim.url("/../../other"))).await;
    outside.assert_error(404, None);
    let root = scim
        .send(scim.client.get(scim.base.replace("/scim/v2", "/")))
        .await;
    root.assert_error(404, None);
}

#[tokio::test]
async fn wrong_methods_answer_405_with_allow() {
    let scim = Scim::start().await;
    let answer = scim.call(Method::DELETE, "/Users", None).await;
    answer.assert_error(405, None);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, POST"));
    let answer = scim.post("/Users/some-id", user("x")).await;
    answer.assert_error(405, None);
    assert_eq!(
        answer.header("allow"),
        Some("GET, HEAD, PUT, PATCH, DELETE")
    );
    let answer = scim
        .call(Method::PUT, "/ServiceProviderConfig", Some(json!({})))
        .await;
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    answer.assert_error(405, None);
}

#[tokio::test]
async fn trailing_slashes_and_head_requests_are_served() {
    let scim = Scim::start().await;
    scim.get("/Users/").await.assert_status(200);
    let head = scim.send(scim.request(Method::HEAD, "/Users")).await;
    assert_eq!(head.status, 200);
    assert!(head.text.is_empty());
}

#[tokio::test]
async fn media_types_are_checked_on_bodies_and_accept() {
    let scim = Scim::start().await;
    let text = scim
        .send(
            scim.request(Method::POST, "/Users")
                .header("content-type", "text/plain")
                .body(user("a").to_string()),
        )
        .await;
    text.assert_error(415, None);
    let missing = scim
        .send(
            scim.request(Method::POST, "/Users")
                .body(user("a").to_string()),
        )
        .await;
    missing.assert_error(415, None);
    let json_ok = scim
        .send(
            scim.request(Method::POST, "/Users")
                .header("content-type", "application/json; charset=UTF-8")
                .body(user("a").to_string()),
        )
        .await;
    json_ok.assert_status(201);
    assert!(json_ok.content_type().starts_with(SCIM_JSON));
    let xml = scim
        .send(
            scim.request(Method::GET, "/Users")
                .header("accept", "application/xml"),
        )
        .await;
    xml.assert_error(406, None);
    let any = scim
        .send(
            scim.request(Method::GET, "/Users")
                .header("accept", "text/html, */*;q=0.5"),
        )
        .await;
    any.assert_status(200);
}

#[tokio::test]
async fn malformed_json_bodies_are_invalid_syntax() {
    let scim = Scim::start().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"{\"schemas\": [".to_vec(),
        b"not json".to_vec(),
        b"".to_vec(),
        b"   ".to_vec(),
        b"{\"userName\": \"a\"} trailing".to_vec(),
        b"{\"userName\": \"\xff\xfe\"}".to_vec(),
        vec![0xC3, 0x28, b'{'],
        b"[".repeat(10_000),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes(),
        format!(
            "{{\"schemas\": [\"{USER}\"], \"userName\": \"deep\", \"name\": {}1{}}}",
            "{\"a\":".repeat(300),
            "}".repeat(300)
        )
        .into_bytes(),
    ];
    for body in bodies {
        for path in ["/Users", "/Bulk", "/.search"] {
            let answer = scim
                .send(
                    scim.request(Method::POST, path)
                        .header("content-type", SCIM_JSON)
                        .body(body.clone()),
                )
                .await;
            answer.assert_error(400, Some("invalidSyntax"));
        }
    }
    let list = scim.get("/Users").await;
    assert_eq!(list.body["totalResults"], 0);
}

#[tokio::test]
async fn wrongly_typed_json_never_crashes_the_server() {
    let scim = Scim::start().await;
    let id = id_of(&scim.create_user("victim").await);
    let bodies = [
        json!(null),
        json!(42),
        json!("string"),
        json!({"schemas": null}),
        json!({"schemas": [42]}),
        json!({"schemas": [USER], "userName": {"nested": true}}),
        json!({"schemas": [USER], "userName": "a", "name": []}),
        json!({"schemas": [USER], "userName": "a", "emails": [null]}),
        json!({"schemas": [USER], "userName": "a", "emails": [[1]]}),
        json!({"schemas": [USER], "userName": "a", "x509Certificates": [{"value": "not base64!"}]}),
        json!({"schemas": [USER, ENTERPRISE], "userName": "a", ENTERPRISE: "flat"}),
        json!({"schemas": [PATCH_OP], "Operations": "all"}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": 1}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": 5, "value": 1}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "value": [1, 2]}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "emails", "value": {"value": "x"}}]}),
        json!({"schemas": [BULK_REQUEST], "Operations": [1, "two", null]}),
        json!({"schemas": [SEARCH], "attributes": "userName"}),
    ];
    for body in bodies {
        for (method, path) in [
            (Method::POST, "/Users".to_string()),
            (Method::PUT, format!("/Users/{id}")),
            (Method::PATCH, format!("/Users/{id}")),
            (Method::POST, "/Bulk".to_string()),
            (Method::POST, "/Users/.search".to_string()),
        ] {
            let answer = scim.call(method.clone(), &path, Some(body.clone())).await;
            assert!(
                answer.status == 400 || (path == "/Bulk" && answer.status == 200),
                "{method} {path} {body} -> {} {}",
                answer.status,
                answer.text
            );
            assert!(
                answer.content_type().starts_with(SCIM_JSON),
                "{}",
                answer.text
            );
        }
    }
    let victim = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(victim.assert_status(200)["userName"], "victim");
}

#[tokio::test]
async fn oversized_bodies_answer_413_and_the_server_keeps_serving() {
    let scim = Scim::start().await;
    let huge = format!(
        "{{\"schemas\": [\"{USER}\"], \"userName\": \"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let answer = scim
        .send(
            scim.request(Method::POST, "/Users")
                .header("content-type", SCIM_JSON)
                .body(huge),
        )
        .await;
    answer.assert_error(413, None);
    let just_over = vec![b' '; 1024 * 1024 + 1];
    let answer = scim
        .send(
            scim.request(Method::POST, "/Bulk")
                .header("content-type", SCIM_JSON)
                .body(just_over),
        )
        .await;
    answer.assert_error(413, None);
    scim.create_user("still-here").await;
}

#[tokio::test]
async fn hostile_query_strings_are_handled() {
    let scim = Scim::start().await;
    scim.create_user("q").await;
    let answer = scim.get("/Users?filter=userName%20eq%20%22%FF%FE%22").await;
    assert_eq!(answer.assert_status(200)["totalResults"], 0);
    let answer = scim.get("/Users?filter=%").await;
    answer.assert_error(400, Some("invalidFilter"));
    let answer = scim.get("/Users?filter=a&filter=b").await;
    answer.assert_error(400, Some("invalidValue"));
    let answer = scim.get("/Users?attributes=na%20me").await;
    answer.assert_error(400, Some("invalidValue"));
    let long = format!(
        "/Users?filter={}",
        "userName%20eq%20%22a%22%20or%20".repeat(2000)
    );
    let answer = scim.get(&format!("{long}userName%20pr")).await;
    answer.assert_error(400, Some("invalidFilter"));
}
