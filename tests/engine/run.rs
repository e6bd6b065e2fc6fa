//! The executor against a live SCIM server: outcomes, failure messages, captures,
//! cleanup, cancellation, redaction and concurrency.

use crate::support::engine;

use engine::{client, count_users, options, plan, reference_server, run};
use engine::{max_overlap, spans};
use scimcheck::plan::Skip;
use scimcheck::result::{Outcome, RunEvent, SkipCause};
use scimcheck::run::{CLEANUP_STEP, run_prefix};
use scimcheck::server::ServerHandle;

const TOKEN: &str = "tok-3f9a1c77e2b04d5a";

const CREATE_THEN_WRONG_READ: &str = r#"
id: users.read.wrong
title: Reading a user back shows a different userName (the check is wrong on purpose)
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body:
        schemas: [urn:ietf:params:scim:schemas:core:2.0:User]
        userName: "{{ unique.email }}"
    expect:
      status: 201
    capture: { user: body.id }
  - name: read
    request: { method: GET, path: "/Users/{{ user }}" }
    expect:
      status: 200
      body:
        userName: someone-else@example.com
  - name: never sent
    request: { method: GET, path: "/Users/{{ user }}" }
    expect: { status: 200 }
"#;

#[tokio::test]
async fn a_failing_check_fails_the_scenario_with_a_readable_message() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let client = client(server.base_url(), Some(TOKEN));
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client, options(1)).await;
    let result = &summary.results[0];
    let Outcome::Fail { failures } = &result.outcome else {
        panic!("expected a failure, got {:?}", result.outcome);
    };
    assert_eq!(failures.len(), 1);
    let failure = &failures[0];
    assert_eq!(failure.step, "read");
    assert_eq!(failure.subject, "body.userName");
    assert_eq!(failure.expected, "\"someone-else@example.com\"");
    assert!(
        failure.actual.starts_with("\"scimcheck-"),
        "{}",
        failure.actual
    );
    assert_eq!(failure.location, "engine-test.yaml:20:9");
    for needle in [
        "step `read`",
        "body.userName",
        "engine-test.yaml:20:9",
        "userName: someone-else@example.com",
        "expected: \"someone-else@example.com\"",
        "actual: \"scimcheck-",
    ] {
        assert!(
            failure.rendered.contains(needle),
            "{needle} not in\n{}",
            failure.rendered
        );
    }
    // The step after the failing one was never sent.
    let steps: Vec<&str> = result.exchanges.iter().map(|e| e.step.as_str()).collect();
    assert_eq!(steps, ["create", "read", CLEANUP_STEP, CLEANUP_STEP]);
    assert_eq!(summary.totals.failed, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_failed_scenario_still_deletes_what_it_created() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let client = client(server.base_url(), Some(TOKEN));
    let options = options(1);
    let prefix = run_prefix(&options.run_id);
    assert_eq!(count_users(&client, &prefix).await, 0);
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client.clone(), options).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome.label(), "fail");
    // Deleted, then read back to see it gone.
    assert_eq!(
        cleanup_requests(result),
        [("DELETE", Some(204)), ("GET", Some(404))]
    );
    assert!(
        result.cleanup_errors.is_empty() && result.leftovers.is_empty(),
        "{:?} {:?}",
        result.cleanup_errors,
        result.leftovers
    );
    assert_eq!(count_users(&client, &prefix).await, 0);
    server.shutdown().await;
}

/// Method and status of each cleanup request of a result, in order.
fn cleanup_requests(result: &scimcheck::result::ScenarioResult) -> Vec<(&str, Option<u16>)> {
    result
        .exchanges
        .iter()
        .filter(|e| e.step == CLEANUP_STEP)
        .map(|e| (e.method.as_str(), e.status))
        .collect()
}

#[tokio::test]
async fn keep_leaves_created_resources_in_place() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let mut options = options(1);
    options.keep = true;
    let prefix = run_prefix(&options.run_id);
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client.clone(), options).await;
    assert!(
        summary.results[0]
            .exchanges
            .iter()
            .all(|e| e.step != CLEANUP_STEP)
    );
    assert_eq!(count_users(&client, &prefix).await, 1);
    let leftovers = &summary.results[0].leftovers;
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert_eq!(leftovers[0].reason, "kept (--keep)");
    server.shutdown().await;
}

#[tokio::test]
async fn a_resource_the_scenario_deleted_itself_is_not_deleted_again() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let yaml = r#"
id: users.delete.self
title: The scenario deletes its own user
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}" }
    expect: { status: 201 }
    capture: { user: body.id }
  - name: delete
    request: { method: DELETE, path: "/Users/{{ user }}" }
    expect: { status: 204 }
"#;
    let (summary, _) = run(&plan(yaml), client.clone(), options(1)).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass);
    // Not deleted again, only read back.
    assert_eq!(cleanup_requests(result), [("GET", Some(404))]);
    assert!(result.cleanup_errors.is_empty() && result.leftovers.is_empty());

    // A scenario that reads its deleted user back as 404 leaves cleanup nothing to do.
    let read_back = format!(
        "{yaml}  - name: gone\n    request: {{ method: GET, path: \"/Users/{{{{ user }}}}\" }}\n    expect: {{ status: 404 }}\n"
    );
    let (summary, _) = run(&plan(&read_back), client, options(1)).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass, "{:?}", result.outcome);
    assert!(cleanup_requests(result).is_empty());
    assert!(result.leftovers.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn a_soft_deleted_user_is_deleted_once_more_then_listed_as_a_leftover() {
    let server = reference_server(None, &["soft-delete"]).await;
    let client = client(server.base_url(), None);
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client, options(1)).await;
    let result = &summary.results[0];
    assert_eq!(
        cleanup_requests(result),
        [
            ("DELETE", Some(204)),
            ("GET", Some(200)),
            ("DELETE", Some(204)),
            ("GET", Some(200))
        ]
    );
    assert_eq!(result.leftovers.len(), 1, "{:?}", result.leftovers);
    assert!(
        result.leftovers[0]
            .reason
            .contains("still there after two DELETEs"),
        "{:?}",
        result.leftovers
    );
    server.shutdown().await;
}

#[tokio::test]
async fn captures_variables_and_step_references_flow_between_steps() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let yaml = r#"
id: users.flow
title: Values travel from step to step
vars:
  department: Research
  second: "{{ unique.email.second }}"
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body:
        schemas: [urn:ietf:params:scim:schemas:core:2.0:User]
        userName: "{{ unique.email }}"
        title: "{{ department }}"
        nickName: "{{ vars.secret }}"
        externalId: "{{ unique.externalId }}"
        active: "{{ vars.flag }}"
    expect:
      status: 201
      headers: { content-type: scim-json, location: present }
      body:
        userName: "{{ steps.create.request.body.userName }}"
        title: Sales
        active: "{{ steps.create.request.body.active }}"
    capture: { user: body.id, where: headers.location, code: status }
  - name: read
    request:
      method: GET
      path: "/Users/{{ user }}"
      headers: { x-created-status: "{{ code }}" }
    expect:
      status: 200
      body:
        id: "{{ user }}"
        active: false
        userName: { equals_ignore_case: "{{ steps.create.response.body.userName }}", regex: "^scimcheck-{{ run.id }}-[0-9]+@example.com$" }
        externalId: { regex: "^scimcheck-{{ run.id }}-[0-9]+$" }
        meta.location: "{{ where }}"
  - name: second user
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ second }}" }
    expect:
      status: 201
"#;
    let mut options = options(1);
    options.vars.insert("department".into(), "Sales".into());
    options.vars.insert("secret".into(), "not-a-secret".into());
    options.vars.insert("flag".into(), false.into());
    let (summary, _) = run(&plan(yaml), client, options).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass, "{:#?}", result.outcome);
    let create = &result.exchanges[0];
    let body: serde_json::Value =
        serde_json::from_str(create.request_body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["title"], "Sales",
        "run vars override scenario defaults"
    );
    assert_eq!(body["active"], false, "a single hole keeps the JSON type");
    let read = &result.exchanges[1];
    assert!(
        read.request_headers
            .contains(&("x-created-status".into(), "201".into()))
    );
    // Two users created, both deleted and read back gone.
    assert_eq!(
        cleanup_requests(result),
        [
            ("DELETE", Some(204)),
            ("GET", Some(404)),
            ("DELETE", Some(204)),
            ("GET", Some(404))
        ]
    );
    server.shutdown().await;
}

/// A scenario that creates a user and reads it back `reads` times.
fn busy_scenario(id: &str, reads: usize, exclusive: bool) -> String {
    let mut yaml = format!(
        r#"id: {id}
title: Creates a user and reads it back many times
exclusive: {exclusive}
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: {{ schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{{{ unique.email }}}}" }}
    expect: {{ status: 201 }}
    capture: {{ user: body.id }}
"#
    );
    for i in 0..reads {
        yaml.push_str(&format!(
            "  - name: read-{i}\n    request: {{ method: GET, path: \"/Users/{{{{ user }}}}\" }}\n    expect: {{ status: 200 }}\n"
        ));
    }
    yaml
}

fn busy_plan(count: usize, reads: usize, exclusive_at: Option<usize>) -> scimcheck::plan::Plan {
    let docs: Vec<String> = (0..count)
        .map(|i| busy_scenario(&format!("busy.s{i}"), reads, exclusive_at == Some(i)))
        .collect();
    plan(&docs.join("---\n"))
}

#[tokio::test]
async fn cancelling_mid_run_skips_unstarted_scenarios_and_cleans_up() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let client = client(server.base_url(), Some(TOKEN));
    let options = options(2);
    let prefix = run_prefix(&options.run_id);
    let cancel = options.stop.cancel.clone();
    let plan = busy_plan(8, 40, None);
    // Cancel as soon as the target holds one of the run's users.
    let watcher = {
        let client = client.clone();
        let prefix = prefix.clone();
        tokio::spawn(async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while count_users(&client, &prefix).await == 0 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no user was ever created"
                );
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            cancel.cancel();
        })
    };
    let (summary, events) = run(&plan, client.clone(), options).await;
    watcher.await.unwrap();
    assert!(summary.interrupted);
    assert_eq!(
        count_users(&client, &prefix).await,
        0,
        "the run left users behind"
    );
    let skipped: Vec<&str> = summary
        .results
        .iter()
        .filter(|r| matches!(&r.outcome, Outcome::Skip { reason, cause: SkipCause::Interrupted } if reason == "run interrupted"))
        .map(|r| r.id.as_str())
        .collect();
    assert!(!skipped.is_empty(), "{:?}", summary.totals);
    for result in &summary.results {
        if skipped.contains(&result.id.as_str()) {
            assert!(result.exchanges.is_empty(), "{} sent requests", result.id);
        }
        if let Outcome::Error { message } = &result.outcome {
            assert!(
                message.starts_with("run interrupted before step"),
                "{message}"
            );
        }
    }
    let cancelling = events
        .iter()
        .position(|e| matches!(e, RunEvent::Cancelling))
        .expect("a Cancelling event");
    let last_start = events
        .iter()
        .rposition(|e| matches!(e, RunEvent::ScenarioStarted { .. }))
        .expect("something started");
    assert!(
        last_start < cancelling,
        "a scenario started after cancellation"
    );
    assert!(matches!(events.last(), Some(RunEvent::Finished(_))));
    let ids: Vec<&str> = summary.results.iter().map(|r| r.id.as_str()).collect();
    let planned: Vec<&str> = plan
        .scenarios
        .iter()
        .map(|p| p.scenario.id.as_str())
        .collect();
    assert_eq!(ids, planned, "summary results are in plan order");
    server.shutdown().await;
}

#[tokio::test]
async fn secrets_never_appear_in_exchanges_failures_or_events() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let client = client(server.base_url(), Some(TOKEN));
    let yaml = r#"
id: users.echo.secret
title: The server echoes a secret value back
steps:
  - name: create
    request:
      method: POST
      path: /Users
      query: { note: "{{ vars.secret }}" }
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}", nickName: "{{ vars.secret }}" }
    expect:
      status: 201
      body:
        nickName: something-else
"#;
    let mut options = options(1);
    options.vars.insert("secret".into(), TOKEN.into());
    let (summary, events) = run(&plan(yaml), client, options).await;
    let result = &summary.results[0];
    assert_eq!(
        result.outcome.label(),
        "fail",
        "the server accepted the token: {:?}",
        result.outcome
    );
    let create = &result.exchanges[0];
    assert_eq!(create.status, Some(201), "the token was sent and accepted");
    assert!(
        create
            .request_headers
            .contains(&("authorization".into(), "[REDACTED]".into()))
    );
    let everything = format!("{}\n{events:?}", serde_json::to_string(&summary).unwrap());
    assert!(
        !everything.contains(TOKEN),
        "the token leaked:\n{everything}"
    );
    let echoed = create.response_body.as_deref().unwrap_or_default();
    assert!(echoed.contains(r#""nickName":"[REDACTED]""#), "{echoed}");
    assert!(create.url.ends_with("?note=[REDACTED]"), "{}", create.url);
    server.shutdown().await;
}

#[tokio::test]
async fn jobs_run_scenarios_in_parallel() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let (summary, events) = run(&busy_plan(8, 5, None), client, options(4)).await;
    assert_eq!(summary.totals.passed, 8, "{:?}", summary.totals);
    let overlap = max_overlap(&events);
    assert!((2..=4).contains(&overlap), "max overlap {overlap}");
    let (serial, serial_events) =
        run(&busy_plan(3, 2, None), client_for(&server), options(1)).await;
    assert_eq!(serial.totals.passed, 3);
    assert_eq!(max_overlap(&serial_events), 1);
    server.shutdown().await;
}

fn client_for(server: &ServerHandle) -> std::sync::Arc<scimcheck::client::Client> {
    client(server.base_url(), None)
}

#[tokio::test]
async fn an_exclusive_scenario_never_overlaps_another() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let (summary, events) = run(&busy_plan(9, 4, Some(4)), client, options(4)).await;
    assert_eq!(summary.totals.passed, 9, "{:?}", summary.totals);
    let spans = spans(&events);
    assert_eq!(spans.len(), 9);
    let (_, start, finish) = spans
        .iter()
        .find(|(id, ..)| id == "busy.s4")
        .unwrap()
        .clone();
    for (id, s, f) in &spans {
        if id != "busy.s4" {
            assert!(
                *f < start || *s > finish,
                "{id} overlaps the exclusive scenario"
            );
        }
    }
    assert!(
        max_overlap(&events) >= 2,
        "the others still ran in parallel"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn known_deviations_skips_and_event_order() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let mut plan = plan(&format!(
        "{}---\n{}---\n{}",
        CREATE_THEN_WRONG_READ.replace("users.read.wrong", "a.deviates"),
        busy_scenario("b.skipped", 1, false),
        busy_scenario("c.passes", 1, false)
    ));
    plan.scenarios[0].known_deviation = Some("the product renames users".into());
    plan.scenarios[1].skip = Some(Skip::new(
        "capability `bulk` not advertised",
        SkipCause::Declared,
    ));
    let (summary, events) = run(&plan, client, options(2)).await;
    let outcomes: Vec<&str> = summary.results.iter().map(|r| r.outcome.label()).collect();
    assert_eq!(outcomes, ["deviation", "skip", "pass"]);
    let Outcome::Deviation { failures, reason } = &summary.results[0].outcome else {
        unreachable!()
    };
    assert_eq!(reason, "the product renames users");
    assert_eq!(failures[0].subject, "body.userName");
    assert_eq!(
        summary.results[1].outcome,
        Outcome::Skip {
            reason: "capability `bulk` not advertised".into(),
            cause: SkipCause::Declared,
        }
    );
    assert!(summary.results[1].exchanges.is_empty());
    assert!(!summary.interrupted);
    assert!(matches!(
        events.first(),
        Some(RunEvent::Started { planned: 3, .. })
    ));
    assert!(matches!(events.last(), Some(RunEvent::Finished(_))));
    assert!(!events.iter().any(|e| matches!(e, RunEvent::Cancelling)));
    let finished = events
        .iter()
        .filter(|e| matches!(e, RunEvent::ScenarioFinished(_)))
        .count();
    assert_eq!(finished, 3);
    assert_eq!(
        (
            summary.totals.deviations,
            summary.totals.skipped,
            summary.totals.passed
        ),
        (1, 1, 1)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_template_that_cannot_render_fails_its_step_before_sending() {
    let server = reference_server(None, &[]).await;
    let client = client(server.base_url(), None);
    let yaml = r#"
id: users.render.missing
title: A step refers to a value the server did not return
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}" }
    expect: { status: 201 }
  - name: read
    request: { method: GET, path: "/Users/{{ steps.create.response.body.nickName }}" }
    expect: { status: 200 }
"#;
    let (summary, _) = run(&plan(yaml), client, options(1)).await;
    let result = &summary.results[0];
    let Outcome::Fail { failures } = &result.outcome else {
        panic!("expected a failure, got {:?}", result.outcome);
    };
    assert_eq!(
        (failures[0].step.as_str(), failures[0].subject.as_str()),
        ("read", "request")
    );
    assert_eq!(
        failures[0].actual,
        "path: steps.create.response.body.nickName has no value"
    );
    let steps: Vec<&str> = result.exchanges.iter().map(|e| e.step.as_str()).collect();
    assert_eq!(steps, ["create", CLEANUP_STEP, CLEANUP_STEP]);
    server.shutdown().await;
}

const READ_CONFIG: &str = r#"
id: discovery.read
title: Reading the service provider configuration
steps:
  - name: read
    request: { method: GET, path: /ServiceProviderConfig }
    expect:
      status: 200
      headers: { content-type: scim-json }
      body: { patch.supported: { type: boolean } }
"#;

#[tokio::test]
async fn the_client_rate_limit_spaces_requests_and_keeps_a_limited_server_happy() {
    let server = reference_server(None, &["rate-limit"]).await;
    let mut target = engine::target(server.base_url(), None);
    target.rate_limit = std::num::NonZeroU32::new(4);
    target.max_retries = 0;
    let client = std::sync::Arc::new(scimcheck::client::Client::new(target).unwrap());
    let started = std::time::Instant::now();
    let reads: Vec<String> = (0..3)
        .map(|i| READ_CONFIG.replace("discovery.read", &format!("discovery.read{i}")))
        .collect();
    let (summary, _) = run(&plan(&reads.join("---\n")), client.clone(), options(3)).await;
    for _ in 0..4 {
        let sent = client
            .send(&scimcheck::client::HttpRequest {
                step: "more".into(),
                method: "GET".into(),
                path: "/ServiceProviderConfig".into(),
                ..Default::default()
            })
            .await;
        assert_eq!(
            sent.outcome.map(|r| r.status),
            Ok(200),
            "the server limited us"
        );
    }
    assert_eq!(summary.totals.passed, 3, "{:?}", summary.totals);
    // Seven requests at 4/s need at least six intervals of 250 ms.
    assert!(started.elapsed() >= std::time::Duration::from_millis(1400));
    server.shutdown().await;
}

#[tokio::test]
async fn an_html_error_page_fails_the_json_checks_with_what_came() {
    let server = reference_server(None, &["html-errors"]).await;
    let yaml = r#"
id: users.read.missing
title: Reading a user that does not exist answers a SCIM error
steps:
  - name: read
    request: { method: GET, path: /Users/does-not-exist }
    expect:
      status: 404
      schema: Error
      body: { status: "404" }
"#;
    let (summary, _) = run(&plan(yaml), client(server.base_url(), None), options(1)).await;
    let Outcome::Fail { failures } = &summary.results[0].outcome else {
        panic!("expected a failure, got {:?}", summary.results[0].outcome);
    };
    assert_eq!(failures.len(), 1, "{failures:#?}");
    let failure = &failures[0];
    assert_eq!(
        (failure.subject.as_str(), failure.expected.as_str()),
        ("body", "a JSON body")
    );
    assert!(failure.actual.contains("text/html"), "{}", failure.actual);
    assert!(failure.actual.contains("not JSON"), "{}", failure.actual);
    assert!(
        failure.rendered.contains("expected: a JSON body"),
        "{}",
        failure.rendered
    );
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_location_header_the_returned_id_is_cleaned_up() {
    let server = reference_server(None, &["no-location"]).await;
    let client = client(server.base_url(), None);
    let options = options(1);
    let prefix = run_prefix(&options.run_id);
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client.clone(), options).await;
    let result = &summary.results[0];
    assert!(
        result.exchanges[0]
            .response_headers
            .iter()
            .all(|(k, _)| k != "location")
    );
    assert_eq!(
        cleanup_requests(result),
        [("DELETE", Some(204)), ("GET", Some(404))]
    );
    assert!(
        result.cleanup_errors.is_empty(),
        "{:?}",
        result.cleanup_errors
    );
    assert_eq!(count_users(&client, &prefix).await, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_failed_setup_step_blocks_the_scenario_and_names_the_precondition() {
    let server = reference_server(None, &["create-200"]).await;
    let client = client(server.base_url(), None);
    let yaml = r#"
id: users.patch.blocked
title: A PATCH scenario whose user cannot be created as expected
steps:
  - name: create
    setup: true
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}" }
    expect: { status: 201 }
    capture: { user: body.id }
  - name: patch
    request: { method: GET, path: "/Users/{{ user }}" }
    expect: { status: 200 }
"#;
    let (summary, _) = run(&plan(yaml), client, options(1)).await;
    let result = &summary.results[0];
    let Outcome::Blocked {
        precondition,
        failures,
    } = &result.outcome
    else {
        panic!("expected blocked, got {:?}", result.outcome);
    };
    assert_eq!(
        precondition,
        "setup step `create` (POST /Users) did not succeed"
    );
    assert_eq!(failures[0].subject, "status");
    assert_eq!(failures[0].request, "POST /Users");
    assert_eq!(summary.totals.blocked, 1);
    assert_eq!(summary.totals.failed, 0);
    let steps: Vec<&str> = result
        .exchanges
        .iter()
        .map(|e| e.step.as_str())
        .filter(|step| *step != CLEANUP_STEP)
        .collect();
    assert_eq!(steps, ["create"], "the feature was never reached");
    server.shutdown().await;
}
