//! The judged server with faults injected, and what findings show: a client that retries
//! a create after a timeout without looking the user up first is reported for the
//! duplicate; a careful one is not. Findings never carry the token or a password.

use crate::support::judge as judged;

use std::collections::BTreeMap;
use std::time::Duration;

use judged::{Judged, TOKEN, faults_at};
use scimcheck::judge::ids;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The answer to the first create is held 2 s; the clients below give up after 300 ms.
fn lost_first_create() -> scimcheck::judge::Schedule {
    faults_at(
        &BTreeMap::from([(1, "timeout".to_owned())]),
        Duration::from_secs(2),
    )
}

fn impatient() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("a client")
}

async fn create(client: &reqwest::Client, server: &Judged, user: &Value) -> Result<u16, String> {
    client
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(user.to_string())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_retries_a_create_after_a_timeout_without_looking_is_reported_for_the_duplicate()
 {
    let server = Judged::start(None, lost_first_create()).await;
    let client = impatient();
    let ada = json!({"schemas": [USER], "userName": "ada@example.com"});
    let first = create(&client, &server, &ada).await;
    assert!(
        first.is_err(),
        "the first answer is held past the client's timeout"
    );
    let retry = create(&client, &server, &ada).await;
    assert_eq!(
        retry,
        Ok(409),
        "the user exists: the server refuses the copy"
    );

    let judgement = server.judge.close();
    let findings: Vec<_> = judgement.findings().collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = findings[0];
    assert_eq!(finding.rule, ids::NO_DUPLICATE_CREATE);
    assert_eq!(finding.request.seq, 2, "the retry is the offending request");
    assert_eq!(finding.request.method, "POST");
    assert_eq!(finding.part, "body.userName");
    assert!(
        finding.found.contains("request #1 created it")
            && finding.found.contains("answer was lost")
            && finding.found.contains("without looking it up first"),
        "{}",
        finding.found
    );
    assert_eq!(finding.level, scimcheck::catalog::Level::Must);
    assert!(judgement.must_broken());
    assert_eq!(
        judgement.injected,
        vec![(1, scimcheck::judge::Fault::Timeout)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_looks_the_user_up_after_a_timeout_creates_no_duplicate() {
    let server = Judged::start(None, lost_first_create()).await;
    let client = impatient();
    let ada = json!({"schemas": [USER], "userName": "ada@example.com"});
    assert!(create(&client, &server, &ada).await.is_err());
    // Only the create is impatient: the look-up waits as long as a loaded machine needs.
    let found: Value = reqwest::Client::new()
        .get(format!("{}/Users", server.base))
        .query(&[("filter", "userName eq \"ada@example.com\"")])
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(found["totalResults"], 1, "the lost create was carried out");

    let judgement = server.judge.close();
    assert_eq!(judgement.findings().count(), 0, "{:#?}", judgement.rules);
    let duplicates = judgement
        .rules
        .iter()
        .find(|r| r.rule.id == ids::NO_DUPLICATE_CREATE)
        .expect("the rule is judged");
    assert!(duplicates.exercised && duplicates.findings.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_never_show_the_token_or_a_password() {
    let server = Judged::start(None, scimcheck::judge::Schedule::None).await;
    let client = reqwest::Client::new();
    let secret_password = "pa55-w0rd-never-shown";
    // No schemas (a finding), a password, and the token in the query string.
    let body = json!({"userName": "ada@example.com", "password": secret_password});
    client
        .post(format!("{}/Users?access_token={TOKEN}", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .expect("an answer");
    let judgement = server.judge.close();
    let findings: Vec<_> = judgement.findings().cloned().collect();
    assert!(findings.len() >= 2, "{findings:#?}");
    for finding in &findings {
        let exchange = finding.exchange.as_ref().expect("an exchange");
        let all = format!(
            "{}{}{}",
            finding.render(),
            serde_json::to_string(finding).expect("JSON"),
            serde_json::to_string(exchange).expect("JSON")
        );
        for secret in [TOKEN, secret_password] {
            assert!(!all.contains(secret), "{secret} leaked:\n{all}");
        }
        let authorization = exchange
            .request_headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .map(|(_, value)| value.as_str());
        assert_eq!(authorization, Some(scimcheck::client::REDACTED));
    }
}
