//! `rereads:`: a GET after a PUT or PATCH is judged on the write's answer when that
//! answer is the resource and passes; otherwise the GET is sent and judged as ever.

use crate::support::engine::{client, options, plan, reference_server, run};
use scimcheck::result::{Outcome, ScenarioResult};

const TOKEN: &str = "tok-rereads-5e1d";

/// Creates two users, renames the first with PATCH, reads `{{ READ }}` with the given
/// checks, and reads the first again through the value the read captured.
fn scenario(read_path: &str, read_checks: &str) -> String {
    format!(
        r#"
format: 2
id: rereads.patch
title: A read after a PATCH
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: {{ schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{{{ unique.email }}}}" }}
    expect: {{ status: 201 }}
    capture: {{ user: body id }}
  - name: other
    request:
      method: POST
      path: /Users
      body: {{ schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "other-{{{{ unique.email }}}}" }}
    expect: {{ status: 201 }}
    capture: {{ second: body id }}
  - name: patch
    request:
      method: PATCH
      path: "/Users/{{{{ user }}}}"
      body:
        schemas: [urn:ietf:params:scim:api:messages:2.0:PatchOp]
        Operations: [{{ op: replace, path: displayName, value: After }}]
    expect: {{ status: [200, 204] }}
  - name: read
    rereads: patch
    request: {{ method: GET, path: "{read_path}" }}
    expect: {read_checks}
    capture: {{ shown: body id }}
  - name: again
    request: {{ method: GET, path: "/Users/{{{{ shown }}}}" }}
    expect: {{ status: 200 }}
"#
    )
}

async fn run_one(yaml: &str, misbehaviours: &[&str]) -> ScenarioResult {
    let server = reference_server(Some(TOKEN), misbehaviours).await;
    let (summary, _) = run(
        &plan(yaml),
        client(server.base_url(), Some(TOKEN)),
        options(1),
    )
    .await;
    server.shutdown().await;
    summary
        .results
        .into_iter()
        .next()
        .expect("one scenario ran")
}

fn sent_by(result: &ScenarioResult, step: &str) -> Vec<String> {
    result
        .exchanges
        .iter()
        .filter(|e| e.step == step)
        .map(|e| e.method.clone())
        .collect()
}

fn judged_on_the_write(result: &ScenarioResult) -> bool {
    result
        .notes
        .iter()
        .any(|n| n.contains("step `read` was judged on the answer to step `patch`"))
}

#[tokio::test]
async fn a_write_answer_that_passes_the_read_saves_the_get_and_feeds_its_captures() {
    let result = run_one(
        &scenario(
            "/Users/{{ user }}",
            "{ status: 200, body displayName: After }",
        ),
        &[],
    )
    .await;
    assert_eq!(result.outcome, Outcome::Pass, "{result:?}");
    assert!(
        sent_by(&result, "read").is_empty(),
        "{:?}",
        result.exchanges
    );
    assert!(judged_on_the_write(&result), "{:?}", result.notes);
    // The capture came from the PATCH answer: the next step reads the same user.
    assert_eq!(sent_by(&result, "again"), ["GET"]);
    assert!(
        result
            .exchanges
            .iter()
            .any(|e| e.step == "again" && e.status == Some(200))
    );
}

#[tokio::test]
async fn a_write_answer_that_fails_a_check_sends_the_get_which_is_judged_as_ever() {
    let result = run_one(
        &scenario(
            "/Users/{{ user }}",
            "{ status: 200, body displayName: Before }",
        ),
        &[],
    )
    .await;
    let Outcome::Fail { failures } = &result.outcome else {
        panic!("the GET's answer fails the check: {result:?}");
    };
    assert!(failures.iter().all(|f| f.step == "read"), "{failures:?}");
    assert_eq!(sent_by(&result, "read"), ["GET"]);
    assert!(!judged_on_the_write(&result), "{:?}", result.notes);
}

#[tokio::test]
async fn a_write_answered_204_sends_the_get() {
    let result = run_one(
        &scenario(
            "/Users/{{ user }}",
            "{ status: 200, body displayName: After }",
        ),
        &["patch-204"],
    )
    .await;
    assert_eq!(result.outcome, Outcome::Pass, "{result:?}");
    assert_eq!(sent_by(&result, "read"), ["GET"]);
    assert!(!judged_on_the_write(&result), "{:?}", result.notes);
}

#[tokio::test]
async fn a_read_of_another_resource_sends_the_get_even_when_the_write_answer_would_pass() {
    let result = run_one(&scenario("/Users/{{ second }}", "{ status: 200 }"), &[]).await;
    assert_eq!(result.outcome, Outcome::Pass, "{result:?}");
    assert_eq!(sent_by(&result, "read"), ["GET"]);
    assert!(!judged_on_the_write(&result), "{:?}", result.notes);
}
