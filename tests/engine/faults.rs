//! Faults a real SCIM server does not produce on demand, from mocks and raw sockets:
//! 503s, hangs, resets, huge or garbage answers, foreign Locations, failing DELETEs.

use crate::support::engine;

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::{options, plan, run, run_discovered, target};
use scimcheck::client::{AuthMode, Client, HttpRequest, TransportErrorKind};
use scimcheck::exit;
use scimcheck::result::{Outcome, SkipCause, Verdict, VerdictStatus};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const READ_ONE: &str = r#"
id: faults.read
title: Reading one user
steps:
  - name: read
    request: { method: GET, path: /Users/1 }
    expect:
      status: 200
      body: { id: "1" }
"#;

fn scim_user() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/scim+json")
        .set_body_string(r#"{"id":"1","userName":"u"}"#)
}

fn get(path_: &str) -> HttpRequest {
    HttpRequest {
        step: "read".into(),
        method: "GET".into(),
        path: path_.into(),
        auth: AuthMode::Default,
        ..HttpRequest::default()
    }
}

fn client_with(base_url: &str, edit: impl FnOnce(&mut scimcheck::client::Target)) -> Arc<Client> {
    let mut target = target(base_url, None);
    edit(&mut target);
    Arc::new(Client::new(target).expect("client builds"))
}

#[tokio::test]
async fn a_503_is_retried_up_to_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |t| t.max_retries = 2);
    let sent = client.send(&get("/Users/1")).await;
    let attempts: Vec<u32> = sent.exchanges.iter().map(|e| e.attempt).collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert_eq!(sent.outcome.expect("a response").status, 503);
}

#[tokio::test]
async fn a_hanging_server_times_out_as_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim_user().set_delay(Duration::from_secs(20)))
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |t| t.timeout = Duration::from_millis(300));
    let started = Instant::now();
    let (summary, _) = run(&plan(READ_ONE), client, options(1)).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let result = &summary.results[0];
    let Outcome::Error { message } = &result.outcome else {
        panic!("expected an error, got {:?}", result.outcome);
    };
    assert!(
        message.contains("step `read`") && message.contains("timed out"),
        "{message}"
    );
    assert_eq!(result.exchanges.len(), 1, "a timeout is not retried");
    assert!(
        result.exchanges[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("timed out")
    );
    assert_eq!(result.exchanges[0].status, None);
}

/// Accepts connections, reads the request, then resets the connection.
async fn resetting_listener() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            // A zero linger makes the close an RST; it does not block with zero.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    });
    url
}

#[tokio::test]
async fn a_connection_reset_is_an_error() {
    let url = resetting_listener().await;
    let client = client_with(&url, |_| {});
    let (summary, _) = run(&plan(READ_ONE), client, options(1)).await;
    let result = &summary.results[0];
    let Outcome::Error { message } = &result.outcome else {
        panic!("expected an error, got {:?}", result.outcome);
    };
    assert!(
        message.starts_with("step `read`: GET http://127.0.0.1:"),
        "{message}"
    );
    assert!(
        result
            .exchanges
            .iter()
            .all(|e| e.status.is_none() && e.error.is_some())
    );
}

/// Drops the first connection as soon as a request arrives on it (no byte of an answer),
/// then answers every later one with a SCIM user.
async fn first_connection_dropped_listener() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            if std::mem::take(&mut first) {
                drop(stream);
                continue;
            }
            let body = r#"{"id":"1","userName":"u"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn an_idempotent_request_whose_connection_closed_is_sent_once_more() {
    for method in ["GET", "PUT", "DELETE"] {
        let url = first_connection_dropped_listener().await;
        // No retries for 429/503: the one retry after a closed connection is separate.
        let client = client_with(&url, |t| t.max_retries = 0);
        let sent = client
            .send(&HttpRequest {
                method: method.into(),
                ..get("/Users/1")
            })
            .await;
        let attempts: Vec<(u32, Option<u16>)> = sent
            .exchanges
            .iter()
            .map(|e| (e.attempt, e.status))
            .collect();
        assert_eq!(attempts, [(1, None), (2, Some(200))], "{method}");
        let first_error = sent.exchanges[0].error.as_deref().unwrap_or_default();
        assert!(
            first_error.contains("the connection closed before any response"),
            "{first_error}"
        );
        assert_eq!(sent.outcome.expect("the retry answered").status, 200);
    }
}

#[tokio::test]
async fn a_post_or_patch_whose_connection_closed_is_never_sent_again() {
    for method in ["POST", "PATCH"] {
        let url = first_connection_dropped_listener().await;
        let client = client_with(&url, |t| t.max_retries = 3);
        let sent = client
            .send(&HttpRequest {
                method: method.into(),
                body: Some(b"{}".to_vec()),
                ..get("/Users/1")
            })
            .await;
        assert_eq!(sent.exchanges.len(), 1, "{method} may have been applied");
        assert_eq!(sent.outcome.unwrap_err().kind, TransportErrorKind::Closed);
    }
}

#[tokio::test]
async fn a_connection_that_closes_every_time_is_retried_only_once() {
    let url = resetting_listener().await;
    let client = client_with(&url, |t| t.max_retries = 0);
    let sent = client.send(&get("/Users/1")).await;
    assert_eq!(sent.exchanges.len(), 2);
    assert_eq!(sent.outcome.unwrap_err().kind, TransportErrorKind::Closed);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_an_error() {
    // Bind then drop: nothing listens on this port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_with(&format!("http://127.0.0.1:{port}"), |t| t.max_retries = 1);
    let sent = client
        .send(&HttpRequest {
            method: "POST".into(),
            body: Some(b"{}".to_vec()),
            ..get("/Users")
        })
        .await;
    assert_eq!(
        sent.exchanges.len(),
        2,
        "nothing reached the server, so even POST is retried"
    );
    assert_eq!(sent.outcome.unwrap_err().kind, TransportErrorKind::Connect);
}

#[tokio::test]
async fn a_10_mb_body_is_capped_into_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/scim+json")
                .set_body_bytes(vec![b' '; 10 * 1024 * 1024]),
        )
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |_| {});
    let (summary, _) = run(&plan(READ_ONE), client, options(1)).await;
    let result = &summary.results[0];
    let Outcome::Error { message } = &result.outcome else {
        panic!("expected an error, got {:?}", result.outcome);
    };
    assert!(
        message.contains("response too large: the body exceeds 4 MiB"),
        "{message}"
    );
    assert_eq!(result.exchanges[0].status, Some(200));
    assert_eq!(result.exchanges[0].response_body, None);
}

/// Answers every request with a body streamed without a length, `size` bytes long.
async fn streaming_listener(size: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\nconnection: close\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < size {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_streamed_body_over_the_cap_is_cut_off() {
    let url = streaming_listener(10 * 1024 * 1024).await;
    let client = client_with(&url, |t| t.max_body_bytes = 1024 * 1024);
    let sent = client.send(&get("/Users/1")).await;
    let error = sent.outcome.unwrap_err();
    assert_eq!(error.kind, TransportErrorKind::BodyTooLarge);
    assert_eq!(error.message, "response too large: the body exceeds 1 MiB");
}

#[tokio::test]
async fn garbage_instead_of_http_is_an_error_and_garbage_bodies_fail() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(&[0x00, 0xff, 0x13, 0x37, b'\n', b'\n'])
                .await;
        }
    });
    let (summary, _) = run(&plan(READ_ONE), client_with(&url, |_| {}), options(1)).await;
    assert_eq!(summary.results[0].outcome.label(), "error");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/scim+json")
                .set_body_bytes(vec![0xff, 0xfe, 0x00, 0x7b, 0x22]),
        )
        .mount(&server)
        .await;
    let (summary, _) = run(
        &plan(READ_ONE),
        client_with(&server.uri(), |_| {}),
        options(1),
    )
    .await;
    let Outcome::Fail { failures } = &summary.results[0].outcome else {
        panic!("expected a failure, got {:?}", summary.results[0].outcome);
    };
    assert!(
        failures[0].actual.contains("not JSON"),
        "{}",
        failures[0].actual
    );
}

const CREATE_ONE: &str = r#"
id: faults.create
title: Creating one user
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { userName: "{{ unique.email }}" }
    expect: { status: 201 }
"#;

#[tokio::test]
async fn a_location_outside_the_target_is_never_followed_and_the_id_is_deleted_instead() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("location", "http://127.0.0.2:1/scim/Users/1")
                .set_body_raw(r#"{"id":"1"}"#, "application/scim+json"),
        )
        .mount(&server)
        .await;
    let client = client_with(&format!("{}/scim", server.uri()), |_| {});
    let (summary, _) = run(&plan(CREATE_ONE), client, options(1)).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass);
    assert_eq!(
        result.cleanup_errors.len(),
        1,
        "{:?}",
        result.cleanup_errors
    );
    assert!(
        result.cleanup_errors[0].contains("outside the target")
            && result.cleanup_errors[0].contains("deleted by its id instead"),
        "{:?}",
        result.cleanup_errors
    );
    let requests: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    // Deleted by its id, then read back to make sure it is gone.
    assert_eq!(
        requests,
        [
            "POST /scim/Users",
            "DELETE /scim/Users/1",
            "GET /scim/Users/1"
        ]
    );
    assert!(result.leftovers.is_empty(), "{:?}", result.leftovers);
}

#[tokio::test]
async fn without_a_location_the_returned_id_names_the_resource_to_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_raw(r#"{"id":"x/../y"}"#, "application/scim+json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client_with(&format!("{}/scim/v2/", server.uri()), |_| {});
    let (summary, _) = run(&plan(CREATE_ONE), client, options(1)).await;
    let result = &summary.results[0];
    assert!(
        result.cleanup_errors.is_empty(),
        "{:?}",
        result.cleanup_errors
    );
    let received = server.received_requests().await.unwrap();
    let delete = received
        .iter()
        .find(|r| r.method.as_str() == "DELETE")
        .expect("a DELETE");
    // The id is one path segment: it cannot climb out of the collection.
    assert_eq!(delete.url.path(), "/scim/v2/Users/x%2F..%2Fy");
}

#[tokio::test]
async fn a_failed_cleanup_is_reported_without_hiding_the_outcome() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_raw(r#"{"id":"9"}"#, "application/scim+json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"id":"9"}"#, "application/scim+json"),
        )
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |_| {});
    let (summary, _) = run(&plan(CREATE_ONE), client, options(1)).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass);
    assert_eq!(result.leftovers.len(), 1, "{:?}", result.leftovers);
    let leftover = &result.leftovers[0];
    assert!(leftover.what.ends_with("/Users/9"), "{leftover:?}");
    assert!(
        leftover.reason.contains("DELETE answered 500")
            && leftover.reason.contains("GET answered 200"),
        "{leftover:?}"
    );
}

#[tokio::test]
async fn cancelling_ends_a_long_retry_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "25"))
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |_| {});
    let options = options(1);
    let cancel = options.stop.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let (summary, _) = run(&plan(READ_ONE), client, options).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited out Retry-After"
    );
    assert!(summary.interrupted);
    let result = &summary.results[0];
    assert_eq!(result.exchanges.len(), 1);
    assert_eq!(
        result.outcome,
        Outcome::Error {
            message: "run interrupted while step `read` waited to retry".into()
        }
    );
}

const READ_DECLARED: &str = r#"
id: faults.declared
title: Reading one user, checked against what the target declares
steps:
  - name: read
    request: { method: GET, path: /Users/1 }
    expect:
      status: 200
      schema: declared:User
"#;

/// A mock target: a User resource type, `schemas` as its /Schemas (404 when None), and
/// `user` as GET /Users/1.
async fn declaring_target(
    schemas: Option<serde_json::Value>,
    user: serde_json::Value,
) -> MockServer {
    let server = MockServer::start().await;
    let json = |body: serde_json::Value| {
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/scim+json")
            .set_body_string(body.to_string())
    };
    let list = |items: Vec<serde_json::Value>| {
        serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": items.len(),
            "Resources": items,
        })
    };
    Mock::given(path("/ServiceProviderConfig"))
        .respond_with(json(serde_json::json!({ "patch": { "supported": true } })))
        .mount(&server)
        .await;
    Mock::given(path("/ResourceTypes"))
        .respond_with(json(list(vec![serde_json::json!({
            "id": "User", "name": "User", "endpoint": "/Users",
            "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
        })])))
        .mount(&server)
        .await;
    let schemas_reply = match schemas {
        Some(schemas) => json(list(vec![schemas])),
        None => ResponseTemplate::new(404),
    };
    Mock::given(path("/Schemas"))
        .respond_with(schemas_reply)
        .mount(&server)
        .await;
    Mock::given(path("/Users/1"))
        .respond_with(json(user))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_server_contradicting_its_own_schemas_fails_the_declared_check() {
    let declared = serde_json::json!({
        "id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "attributes": [
            { "name": "userName", "type": "string", "multiValued": false },
            { "name": "active", "type": "boolean", "multiValued": false },
            { "name": "emails", "type": "complex", "multiValued": true,
              "subAttributes": [{ "name": "value", "type": "string", "multiValued": false }] },
            { "name": "password", "type": "string", "multiValued": false, "returned": "never" },
        ],
    });
    // Seen in the wild: "True" for a boolean, one object for a list, the password echoed.
    let user = serde_json::json!({
        "id": "1", "userName": "u", "Active": "True",
        "emails": { "value": "u@example.com" }, "password": "hunter2",
    });
    let server = declaring_target(Some(declared), user).await;
    let client = client_with(&server.uri(), |_| {});
    let (summary, warnings) = run_discovered(&plan(READ_DECLARED), client, options(1)).await;
    assert_eq!(warnings, Vec::<String>::new());
    let Outcome::Fail { failures } = &summary.results[0].outcome else {
        panic!("expected a failure, got {:?}", summary.results[0].outcome);
    };
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].subject, "schema declared:User");
    for expected in ["at /Active:", "at /emails:", "at /password: must be absent"] {
        assert!(
            failures[0].actual.contains(expected),
            "{expected}: {}",
            failures[0].actual
        );
    }
    assert!(
        !failures[0].actual.contains("hunter2"),
        "{}",
        failures[0].actual
    );
}

#[tokio::test]
async fn a_declared_check_against_a_target_without_schemas_is_skipped_saying_so() {
    let user = serde_json::json!({ "id": "1", "userName": "u", "active": "True" });
    let server = declaring_target(None, user).await;
    let client = client_with(&server.uri(), |_| {});
    let (summary, warnings) = run_discovered(&plan(READ_DECLARED), client, options(1)).await;
    assert!(
        warnings.iter().any(|w| w == "/Schemas answered 404"),
        "{warnings:?}"
    );
    // A gap of discovery, which the discovery scenarios report: not the scenario's fault.
    assert_eq!(
        summary.results[0].outcome,
        Outcome::Skip {
            reason: "declared:User cannot be derived: /Schemas lists no schema at all".into(),
            cause: SkipCause::Discovery,
        }
    );
}

/// Answers 429 with `Retry-After: 1` to the first request, then `then` to the rest.
async fn limited_once(method_: &str, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(method_))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(method_))
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_both_attempts_are_reported() {
    let server = limited_once("GET", scim_user()).await;
    let started = Instant::now();
    let (summary, _) = run(
        &plan(READ_ONE),
        client_with(&server.uri(), |_| {}),
        options(1),
    )
    .await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass, "{:?}", result.outcome);
    let attempts: Vec<(u32, Option<u16>)> = result
        .exchanges
        .iter()
        .map(|e| (e.attempt, e.status))
        .collect();
    assert_eq!(attempts, [(1, Some(429)), (2, Some(200))]);
    let retry_after = result.exchanges[0]
        .response_headers
        .iter()
        .find(|(k, _)| k == "retry-after")
        .map(|(_, v)| v.clone());
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(summary.totals.requests, 2);
}

#[tokio::test]
async fn a_post_answered_429_is_sent_again_and_reaches_the_server_exactly_twice() {
    let created = ResponseTemplate::new(201)
        .insert_header("content-type", "application/scim+json")
        .set_body_string(r#"{"id":"1","userName":"once"}"#);
    let server = limited_once("POST", created).await;
    let client = client_with(&server.uri(), |_| {});
    let sent = client
        .send(&HttpRequest {
            step: "create".into(),
            method: "POST".into(),
            path: "/Users".into(),
            body: Some(br#"{"userName":"once"}"#.to_vec()),
            ..HttpRequest::default()
        })
        .await;
    let statuses: Vec<u16> = sent.exchanges.iter().filter_map(|e| e.status).collect();
    // A 429 is a refusal before processing (RFC 6585), so the resend is the only create.
    assert_eq!(statuses, [429, 201]);
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 2);
}

/// 429 answers among every attempt of `requests` GETs, sent by four tasks at once.
async fn rate_limited_answers(client: Arc<Client>, requests: usize) -> usize {
    let mut tasks = Vec::new();
    for task in 0..4 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut limited = 0;
            for _ in (task..requests).step_by(4) {
                let sent = client.send(&get("/Users?count=1")).await;
                assert_eq!(
                    sent.outcome.as_ref().map(|r| r.status).ok(),
                    Some(200),
                    "every request gets through in the end"
                );
                limited += sent
                    .exchanges
                    .iter()
                    .filter(|e| e.status == Some(429))
                    .count();
            }
            limited
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("the sending task ends");
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_repeated_429s_the_client_paces_itself_and_is_refused_less_often() {
    const REQUESTS: usize = 32;
    let fixed = engine::reference_server(Some("tok"), &["rate-limit"]).await;
    let plain = client_with(fixed.base_url(), |t| {
        t.auth = scimcheck::client::Auth::Bearer("tok".to_owned().into());
        t.max_retries = 20;
        t.adapt_to_rate_limits = false;
    });
    let refused_plain = rate_limited_answers(plain.clone(), REQUESTS).await;
    assert_eq!(plain.rate_advice(), None, "no pacing, no advice");
    fixed.shutdown().await;

    let fresh = engine::reference_server(Some("tok"), &["rate-limit"]).await;
    let adaptive = client_with(fresh.base_url(), |t| {
        t.auth = scimcheck::client::Auth::Bearer("tok".to_owned().into());
        t.max_retries = 20;
    });
    let refused_adaptive = rate_limited_answers(adaptive.clone(), REQUESTS).await;
    let advice = adaptive.rate_advice().expect("pacing started");
    assert_eq!(advice.rate_limited as usize, refused_adaptive);
    assert!(
        refused_adaptive * 2 <= refused_plain,
        "paced: {refused_adaptive} refusals, unpaced: {refused_plain}"
    );
    // The server allows 4 requests per second: the rate that worked is at most that.
    assert!((1..=4).contains(&advice.suggested), "{advice:?}");
}

/// A server too slow for the run's timeout: every request times out, so nothing is
/// judged. The tool could not judge, which is incomplete (exit 5), never a conformance
/// failure (exit 1), however little of the run reached a verdict.
#[tokio::test]
async fn a_run_whose_requests_time_out_is_incomplete_never_failed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim_user().set_delay(Duration::from_secs(20)))
        .mount(&server)
        .await;
    let client = client_with(&server.uri(), |t| t.timeout = Duration::from_millis(200));
    let scenarios: String = (1..=3)
        .map(|i| READ_ONE.replace("id: faults.read", &format!("---\nid: faults.read-{i}")))
        .collect();
    let (summary, _) = run(&plan(&scenarios), client, options(3)).await;
    assert_eq!(summary.results.len(), 3);
    for result in &summary.results {
        assert!(
            matches!(&result.outcome, Outcome::Error { message } if message.contains("timed out")),
            "{}: {:?}",
            result.id,
            result.outcome
        );
    }
    let verdict = Verdict::of(&summary);
    assert_eq!(
        (verdict.status, verdict.exit_code),
        (VerdictStatus::Incomplete, exit::INCOMPLETE),
        "{:?}",
        verdict.reasons
    );
}
