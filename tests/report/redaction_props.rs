//! Property tests of redaction: random secrets, echoed by a server in every encoding it
//! might use (as they are, JSON-escaped in any mix, percent-encoded in either case,
//! form-encoded, base64 and base64url at any alignment, HTML character references),
//! whole or as a fragment of 8 characters, anywhere in an exchange or a failure,
//! straddling every cut. No report (console, transcript, JUnit, JSON, HTML, Markdown)
//! and no `curl` line of a failure may hold any 8-character fragment of the secret in any
//! of those encodings. That holds too for a secret learnt while running (an OAuth2 access
//! token) and for an OAuth2 client secret in every spelling sent to the token endpoint.
//!
//! The encoders and the leak detector here are written independently of the redactor.

use crate::support::leak;
use crate::support::report as report_support;

use std::time::Duration;

use proptest::prelude::*;
use scimcheck::client::{Auth, Client, HttpRequest, RECORDED_BODY_BYTES, RawExchange, Target};
use scimcheck::printable::truncate;
use scimcheck::report::{
    ConsoleOptions, ConsoleReporter, html_string, json_string, junit_string, markdown_string,
    render_exchange,
};
use scimcheck::result::{CheckFailure, Outcome, RunEvent, ScenarioResult};
use scimcheck::vocabulary::Severity;

use leak::{Encoding, FRAGMENT, base64, encode, forbidden};

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        Just(Encoding::Verbatim),
        Just(Encoding::Json),
        Just(Encoding::JsonSlash),
        (any::<u64>(), any::<bool>())
            .prop_map(|(mask, upper)| Encoding::JsonUnicode { mask, upper }),
        (any::<u64>(), any::<bool>()).prop_map(|(upper_mask, all_bytes)| Encoding::Percent {
            upper_mask,
            all_bytes
        }),
        Just(Encoding::Form),
        (proptest::collection::vec(any::<u8>(), 0..3), any::<bool>())
            .prop_map(|(lead, url)| Encoding::Base64 { lead, url }),
        any::<u64>().prop_map(|hex_mask| Encoding::Html { hex_mask }),
    ]
}

/// Secrets as tokens and passwords look, with an occasional special or non-ASCII
/// character.
fn secret() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::char::ranges(vec!['a'..='z', 'A'..='Z', '0'..='9'].into()),
            3 => proptest::sample::select(vec!['-', '.', '_', '~', '+', '/', '=']),
            2 => proptest::sample::select(vec![
                ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', ',', ':', ';', '<',
                '>', '?', '@', '[', '\\', ']', '^', '`', '{', '|', '}'
            ]),
            1 => proptest::sample::select(vec!['é', 'ü', 'ß', '漢', '字', '🙂']),
        ],
        FRAGMENT..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Text around an echo: no escape introducers, so the echo is read as the server wrote it.
fn context() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9 ,.:{}\"\\[\\]]{0,400}").expect("a valid regex")
}

/// The secret, or a fragment of it of at least 8 characters.
fn echoed_part(secret: &str, start: usize, len: usize) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let len = len.clamp(FRAGMENT, chars.len());
    let start = start % (chars.len() - len + 1);
    chars[start..start + len].iter().collect()
}

/// A client of a target whose bearer token is `token`.
fn client_with_token(token: &str) -> Client {
    let mut target = Target::new("https://scim.example/v2");
    target.auth = Auth::Bearer(secrecy::SecretString::from(token.to_owned()));
    Client::new(target).expect("client")
}

/// The `curl` line of a request that carries `echo` in its query, a header and its body
/// (a later step can send what an earlier answer echoed).
fn curl_echoing(client: &Client, echo: &str) -> String {
    client
        .curl(&HttpRequest {
            step: "create".into(),
            method: "POST".into(),
            path: "/Users".into(),
            query: vec![("q".into(), echo.to_owned())],
            headers: vec![("x-echo".into(), echo.to_owned())],
            body: Some(format!("{{\"userName\":\"{echo}\"}}").into_bytes()),
            ..HttpRequest::default()
        })
        .expect("a URL under the target")
}

/// A failing scenario whose exchange and failure carry `echo` everywhere a server's
/// words can go (its `curl` line included); the body is `body`.
fn result_with(client: &Client, echo: &str, body: &str) -> ScenarioResult {
    let redactor = client.redactor();
    let raw_body = body.as_bytes();
    let (kept, len) = RawExchange::keep(raw_body);
    let raw = RawExchange {
        step: "create".into(),
        method: "POST".into(),
        url: format!("https://scim.example/v2/Users/{echo}?q={echo}"),
        request_headers: vec![("x-echo".into(), echo.as_bytes().to_vec())],
        request_body: Some(format!("{{\"userName\":\"{echo}\"}}").into_bytes()),
        request_body_len: echo.len() + 15,
        status: Some(400),
        response_headers: vec![
            ("x-echo".into(), echo.as_bytes().to_vec()),
            ("location".into(), format!("/Users/{echo}").into_bytes()),
        ],
        response_body: Some(kept),
        response_body_len: len,
        duration: Duration::from_millis(3),
        error: Some(format!("connection reset after {echo}")),
        attempt: 1,
    };
    let exchange = redactor.exchange(&raw);
    // As a check shows a value: redacted first, then cut at 200 and 300 characters,
    // then the failure as a whole goes through the redactor.
    let shown = redactor.secrets_out(body);
    let failure = CheckFailure {
        step: "create".into(),
        subject: "status".into(),
        expected: "201".into(),
        actual: redactor.text(&format!("400 ({})", truncate(&shown, 200))),
        location: "suite.yaml:1:1".into(),
        rendered: redactor.text(&format!("expected 201, got {}", truncate(&shown, 300))),
        request: "POST /Users".into(),
        hint: Some(redactor.text(&format!("the server said {echo}"))),
        curl: Some(curl_echoing(client, echo)),
    };
    ScenarioResult {
        id: "users.create.echo".into(),
        title: "echo".into(),
        area: "users".into(),
        severity: Severity::Must,
        requirement: vec![],
        tags: vec![],
        file: "suite.yaml".into(),
        outcome: Outcome::Fail {
            failures: vec![failure],
        },
        duration: Duration::from_millis(3),
        exchanges: vec![exchange],
        cleanup_errors: vec![redactor.text(&format!("DELETE /Users/{echo} answered 500"))],
        leftovers: vec![scimcheck::result::Leftover {
            what: redactor.text(&format!("https://scim.example/v2/Users/{echo}")),
            reason: redactor.text(&format!("GET answered 500 ({echo})")),
        }],
        notes: vec![redactor.text(&format!("re-run alone after {echo}"))],
    }
}

/// Every output a run writes about `result`, by name.
fn outputs(result: ScenarioResult) -> Vec<(&'static str, String)> {
    let summary = report_support::summary_of(vec![result.clone()], false);
    let mut console = ConsoleReporter::new(
        Vec::new(),
        ConsoleOptions {
            color: false,
            progress: false,
            verbose: true,
        },
    );
    console.on_event(&RunEvent::ScenarioFinished(std::sync::Arc::new(
        result.clone(),
    )));
    console.on_event(&RunEvent::Finished(Box::new(summary.clone())));
    let console = String::from_utf8_lossy(&console.into_inner()).into_owned();
    let json = json_string(&summary).expect("JSON");
    let mut json_strings = String::new();
    collect_strings(
        &serde_json::from_str(&json).expect("valid JSON"),
        &mut json_strings,
    );
    vec![
        ("console", console),
        ("transcript", render_exchange(&result.exchanges[0])),
        ("junit", junit_string(&summary).expect("JUnit")),
        ("json", json),
        ("json strings", json_strings),
        ("html", html_string(&summary)),
        ("markdown", markdown_string(&summary)),
        ("curl", failure_curl(&result)),
    ]
}

fn failure_curl(result: &ScenarioResult) -> String {
    result.outcome.failures()[0]
        .curl
        .clone()
        .expect("a curl line")
}

fn collect_strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                out.push_str(k);
                out.push('\n');
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

fn assert_no_leak(secret: &str, outputs: &[(&'static str, String)]) -> Result<(), TestCaseError> {
    for needle in forbidden(secret) {
        for (name, text) in outputs {
            prop_assert!(
                !text.contains(&needle),
                "{needle:?} (from secret {secret:?}) is in the {name} output:\n{text}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn no_output_holds_an_echoed_secret_in_any_encoding(
        secret in secret(),
        encoding in encoding(),
        start in any::<usize>(),
        len in FRAGMENT..64usize,
        before in context(),
        after in context(),
    ) {
        let client = client_with_token(&secret);
        let echo = encode(&echoed_part(&secret, start, len), &encoding);
        let body = format!("{{\"detail\":\"{before}{echo}{after}\"}}");
        let outputs = outputs(result_with(&client, &echo, &body));
        assert_no_leak(&secret, &outputs)?;
    }


    #[test]
    fn basic_credentials_are_redacted_as_the_pair_its_base64_and_the_password(
        user in "[a-z]{1,12}",
        password in secret(),
        encoding in encoding(),
    ) {
        let mut target = scimcheck::client::Target::new("https://scim.example/v2");
        target.auth = scimcheck::client::Auth::Basic {
            username: user.clone(),
            password: secrecy::SecretString::from(password.clone()),
        };
        let client = scimcheck::client::Client::new(target).expect("client");
        let pair = format!("{user}:{password}");
        for echoed in [&password, &pair, &base64(pair.as_bytes(), false)] {
            let echo = encode(echoed, &encoding);
            let body = format!("{{\"detail\":\"Basic {echo}\"}}");
            let outputs = outputs(result_with(&client, &echo, &body));
            assert_no_leak(&password, &outputs)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_secret_learnt_while_running_is_redacted_by_every_clone_in_any_encoding(
        secret in secret(),
        encoding in encoding(),
        start in any::<usize>(),
        len in FRAGMENT..64usize,
        before in context(),
        after in context(),
    ) {
        // An OAuth2 access token: unknown when the client is built, learnt when issued.
        let client = client_with_token("other-known-secret");
        client.redactor().learn(&secret);
        let echo = encode(&echoed_part(&secret, start, len), &encoding);
        let body = format!("{{\"detail\":\"{before}{echo}{after}\"}}");
        let outputs = outputs(result_with(&client, &echo, &body));
        assert_no_leak(&secret, &outputs)?;
    }

    #[test]
    fn oauth2_client_secrets_are_redacted_as_sent_form_encoded_and_in_the_basic_pair(
        client_id in "[a-z]{1,6}",
        client_secret in secret(),
        encoding in encoding(),
    ) {
        let mut target = scimcheck::client::Target::new("https://scim.example/v2");
        target.auth = scimcheck::client::Auth::OAuth2(scimcheck::client::ClientCredentials {
            token_url: "https://scim.example/oauth/token".to_owned(),
            client_id: client_id.clone(),
            client_secret: secrecy::SecretString::from(client_secret.clone()),
            scope: None,
            params: Vec::new(),
            client_auth: scimcheck::client::ClientAuthentication::Basic,
        });
        let client = scimcheck::client::Client::new(target).expect("client");
        // RFC 6749 §2.3.1: the secret is form-encoded before it joins the Basic pair.
        let form_encoded: String = form_urlencoded::byte_serialize(client_secret.as_bytes()).collect();
        let pair = format!("{client_id}:{form_encoded}");
        for echoed in [&client_secret, &form_encoded, &pair, &base64(pair.as_bytes(), false)] {
            let echo = encode(echoed, &encoding);
            let body = format!("{{\"detail\":\"Basic {echo}\"}}");
            let outputs = outputs(result_with(&client, &echo, &body));
            assert_no_leak(&client_secret, &outputs)?;
            assert_no_leak(&form_encoded, &outputs)?;
        }
    }
}

proptest! {
    // Each case carries a body of 64 KiB through every report: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_secret_straddling_the_recorded_body_limit_is_redacted_whole(
        secret in secret(),
        encoding in encoding(),
        shift in 0..200usize,
    ) {
        let client = client_with_token(&secret);
        let echo = encode(&secret, &encoding);
        let mut body = "a".repeat(RECORDED_BODY_BYTES.saturating_sub(shift));
        body.push_str(&echo);
        body.push_str(&"z".repeat(300));
        let outputs = outputs(result_with(&client, &echo, &body));
        assert_no_leak(&secret, &outputs)?;
    }

}
