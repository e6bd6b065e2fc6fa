//! The executor against a live SCIM server: outcomes, failure messages, captures,
//! cleanup, cancellation, redaction and concurrency.

#[path = "support/engine.rs"]
mod engine;
#[path = "support/standin.rs"]
mod standin;

use engine::{client, count_users, options, plan, run};
use scimcheck::result::Outcome;
use scimcheck::run::{CLEANUP_STEP, run_prefix};
use standin::StandIn;

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
    let server = StandIn::start(Some(TOKEN)).await;
    let client = client(&server.base_url(), Some(TOKEN));
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
    assert_eq!(steps, ["create", "read", CLEANUP_STEP]);
    assert_eq!(summary.totals.failed, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_failed_scenario_still_deletes_what_it_created() {
    let server = StandIn::start(Some(TOKEN)).await;
    let client = client(&server.base_url(), Some(TOKEN));
    let options = options(1);
    let prefix = run_prefix(&options.run_id);
    assert_eq!(count_users(&client, &prefix).await, 0);
    let (summary, _) = run(&plan(CREATE_THEN_WRONG_READ), client.clone(), options).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome.label(), "fail");
    let cleanup = result.exchanges.last().expect("a cleanup exchange");
    assert_eq!(
        (cleanup.step.as_str(), cleanup.method.as_str()),
        (CLEANUP_STEP, "DELETE")
    );
    assert_eq!(cleanup.status, Some(204));
    assert!(
        result.cleanup_errors.is_empty(),
        "{:?}",
        result.cleanup_errors
    );
    assert_eq!(count_users(&client, &prefix).await, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn keep_leaves_created_resources_in_place() {
    let server = StandIn::start(None).await;
    let client = client(&server.base_url(), None);
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
    server.shutdown().await;
}

#[tokio::test]
async fn a_resource_the_scenario_deleted_itself_is_not_deleted_again() {
    let server = StandIn::start(None).await;
    let client = client(&server.base_url(), None);
    let yaml = r#"
id: users.delete.self
title: The scenario deletes its own user
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { userName: "{{ unique.email }}" }
    expect: { status: 201 }
    capture: { user: body.id }
  - name: delete
    request: { method: DELETE, path: "/Users/{{ user }}" }
    expect: { status: 204 }
"#;
    let (summary, _) = run(&plan(yaml), client, options(1)).await;
    let result = &summary.results[0];
    assert_eq!(result.outcome, Outcome::Pass);
    assert!(result.exchanges.iter().all(|e| e.step != CLEANUP_STEP));
    assert!(result.cleanup_errors.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn captures_variables_and_step_references_flow_between_steps() {
    let server = StandIn::start(None).await;
    let client = client(&server.base_url(), None);
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
        userName: "{{ unique.email }}"
        title: "{{ department }}"
        nickName: "{{ vars.secret }}"
        externalId: "{{ unique.externalId }}"
        x-number: 7
    expect:
      status: 201
      headers: { content-type: scim-json, location: present }
      body:
        userName: "{{ steps.create.request.body.userName }}"
        title: Sales
        x-number: "{{ steps.create.request.body.x-number }}"
    capture: { user: body.id, where: headers.location, code: status }
  - name: read
    request: { method: GET, path: "/Users/{{ user }}" }
    expect:
      status: 200
      body:
        id: "{{ user }}"
        userName: { equals_ignore_case: "{{ steps.create.response.body.userName }}", regex: "^scimcheck-{{ run.id }}-[0-9]+@example.com$" }
        externalId: { regex: "^scimcheck-{{ run.id }}-[0-9]+$" }
        meta.location: "{{ where }}"
  - name: second user
    request:
      method: POST
      path: /Users
      body: { userName: "{{ second }}", x-code: "{{ code }}" }
    expect:
      status: 201
      body: { x-code: 201 }
"#;
    let mut options = options(1);
    options.vars.insert("department".into(), "Sales".into());
    options.vars.insert("secret".into(), "not-a-secret".into());
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
    assert_eq!(body["x-number"], 7, "a single hole keeps the JSON type");
    // Two users created, both cleaned up.
    let deletes = result
        .exchanges
        .iter()
        .filter(|e| e.step == CLEANUP_STEP)
        .count();
    assert_eq!(deletes, 2);
    server.shutdown().await;
}
