//! Fuzz-style property test of everything a response goes through: arbitrary statuses,
//! header names and values, and bodies (random bytes, and random JSON that looks like
//! SCIM) are recorded, redacted, parsed, checked against every kind of expectation,
//! captured from, kept for later steps and read for created resources, without a panic.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::created::{self, Answer};
use super::held::Held;
use super::ledger::CleanupLedger;
use super::scenario::{captured, echoing_secrets};
use super::template::{RenderContext, StepRecord};
use crate::check::{ResponseBody, SchemaSet, check_response};
use crate::client::{Auth, Client, HttpRequest, HttpResponse, RawExchange, Target};
use crate::plan::{Plan, PlannedScenario};
use crate::suite::model::Scenario;
use crate::suite::{LoadOptions, load_source};

const TOKEN: &str = "fuzz-SECRET-token/+=";

/// One step with every kind of expectation and capture, so each check meets the body.
const EXPECTING_EVERYTHING: &str = r#"
id: fuzz.everything
title: Every check and capture against one response
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}" }
    expect:
      status: [200, 201]
      headers: { content-type: scim-json, location: { regex: "/Users/." }, etag: present }
      schema: User
      body:
        id: { type: string, not: "" }
        userName: "{{ steps.create.request.body.userName }}"
        emails: { length: { min: 1, max: 3 } }
        'emails[type eq "work"].value': { contains: "@" }
        'emails[primary eq true]': { every: { present: true } }
        meta.resourceType: { one_of: [User, user] }
        meta.version: { regex: "^W/" }
        totalResults: { ge: 0, lt: 100000 }
        Resources: { every: { type: object } }
        active: { equals_ignore_case: "TRUE" }
        name.givenName: absent
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value': { not: { type: "null" } }
    capture:
      user: body.id
      where: headers.Location
      code: status
      all: body
"#;

/// The scenario, its compiled schemas and a client, built once for all cases.
struct Fixture {
    scenario: Arc<Scenario>,
    schemas: SchemaSet,
    client: Client,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let scenarios = load_source("fuzz.yaml", EXPECTING_EVERYTHING, &LoadOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let scenario = scenarios[0].clone();
        let plan = Plan {
            scenarios: vec![PlannedScenario::new(scenario.clone())],
        };
        let mut target = Target::new("http://h/scim/v2");
        target.auth = Auth::Bearer(secrecy::SecretString::from(TOKEN));
        Fixture {
            scenario,
            schemas: SchemaSet::for_plan(&plan).expect("schemas"),
            client: Client::new(target).expect("client"),
        }
    })
}

/// JSON shaped like SCIM answers: objects with SCIM names, arrays, and odd scalars.
fn scim_json() -> impl Strategy<Value = Value> {
    let name = prop_oneof![
        Just("id".to_owned()),
        Just("userName".to_owned()),
        Just("emails".to_owned()),
        Just("type".to_owned()),
        Just("value".to_owned()),
        Just("primary".to_owned()),
        Just("meta".to_owned()),
        Just("Resources".to_owned()),
        Just("Operations".to_owned()),
        Just("location".to_owned()),
        Just("status".to_owned()),
        Just("schemas".to_owned()),
        "[A-Za-z:.]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        Just(Value::String(TOKEN.to_owned())),
        Just(Value::String("../Groups/g1#x?y".to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((name.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        scim_json().prop_map(|v| v.to_string().into_bytes()),
        scim_json().prop_map(|v| {
            let mut text = v.to_string().into_bytes();
            text.truncate(text.len() / 2);
            text
        }),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("content-type".to_owned()),
        Just("location".to_owned()),
        Just("etag".to_owned()),
        Just("retry-after".to_owned()),
        "[a-z-]{1,12}",
    ];
    let value = prop_oneof![
        Just("application/scim+json".to_owned()),
        Just("/scim/v2/Users/../Groups/g1".to_owned()),
        Just("http://h/scim/v2/Users/1".to_owned()),
        ".{0,60}",
        any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    proptest::collection::vec((name, value), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_status_headers_and_body_are_handled_without_a_panic(
        status in prop_oneof![100u16..600, any::<u16>()],
        headers in headers(),
        body in body(),
        lost in any::<bool>(),
    ) {
        let Fixture { scenario, schemas, client } = fixture();
        let step = &scenario.steps[0];
        let response = HttpResponse {
            url: "http://h/scim/v2/Users".into(),
            status,
            headers: headers.clone(),
            body: body.clone(),
        };

        // Recorded and redacted as the client records every attempt.
        let (kept, len) = RawExchange::keep(&body);
        let raw = RawExchange {
            step: "create".into(),
            method: "POST".into(),
            url: response.url.clone(),
            status: Some(status),
            response_headers: headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
                .collect(),
            response_body: Some(kept),
            response_body_len: len,
            ..RawExchange::default()
        };
        let exchange = client.redactor().exchange(&raw);
        prop_assert!(!serde_json::to_string(&exchange).unwrap_or_default().contains(TOKEN));

        let parsed = ResponseBody::parse(&response);
        let echoed = echoing_secrets(client.redactor(), &response, &parsed);
        let (shown, shown_body) = match &echoed {
            Some((r, b)) => (r, b),
            None => (&response, &parsed),
        };

        let counter = AtomicU64::new(0);
        let mut ctx = RenderContext::new("fz1", &counter, &BTreeMap::new());
        let request_body = std::sync::Arc::new(json!({"userName": "scimcheck-fz1-1@example.com"}));
        ctx.record_step(
            "create",
            StepRecord::new(vec![], Some(&request_body), 0, shown, shown_body),
        );
        let failures = check_response("create", &step.expect, shown, shown_body, schemas, &ctx);
        for failure in &failures {
            let shown = client.redactor().text(&failure.rendered);
            prop_assert!(!shown.contains(TOKEN));
        }
        for capture in &step.capture {
            let _ = captured(capture, shown, shown_body);
        }

        // Read for what it created, as a create and as a Bulk answer, or as lost.
        let mut ledger = CleanupLedger::new("scimcheck-fz1-".into(), Held::default());
        let request = HttpRequest {
            method: "POST".into(),
            path: "/Users".into(),
            ..HttpRequest::default()
        };
        let error = crate::client::TransportError {
            kind: crate::client::TransportErrorKind::Timeout,
            message: "timed out".into(),
        };
        let answer: Answer<'_> = if lost { Err(&error) } else { Ok((&response, &parsed)) };
        ledger.record(client, &request, Some(&request_body), answer);
        let bulk = json!({"Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": *request_body},
        ]});
        let _ = created::from_bulk(client, Some(&bulk), Ok((&response, &parsed)));
        for entry in ledger.entries() {
            prop_assert!(entry.url.starts_with("http://h/scim/v2/Users/"), "{}", entry.url);
            prop_assert!(!entry.url["http://h/scim/v2/Users/".len()..].contains('/'));
        }
    }
}
