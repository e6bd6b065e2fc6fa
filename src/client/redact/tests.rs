use super::*;

fn raw() -> RawExchange {
    let request_body = br#"{"password":"s3cr/t","note":"plain"}"#.to_vec();
    let response_body = br#"{"echo":"s3cr\/t k3y"}"#.to_vec();
    RawExchange {
        step: "create".into(),
        method: "POST".into(),
        url: "https://scim.example/v2/Users?token=s3cr%2Ft".into(),
        request_headers: vec![
            ("Authorization".into(), b"Bearer s3cr/t".to_vec()),
            ("X-Api-Key".into(), b"k3y".to_vec()),
            ("Content-Type".into(), b"application/scim+json".to_vec()),
        ],
        request_body_len: request_body.len(),
        request_body: Some(request_body),
        status: Some(201),
        response_headers: vec![("Set-Cookie".into(), b"session=abc".to_vec())],
        response_body_len: response_body.len(),
        response_body: Some(response_body),
        duration: Duration::from_millis(12),
        error: None,
        attempt: 1,
    }
}

#[test]
fn exchange_hides_auth_header_secret_headers_and_secret_values() {
    let redactor = Redactor::new(
        ["s3cr/t".to_owned(), "k3y".to_owned()],
        ["x-api-key".to_owned()],
    );
    let exchange = redactor.exchange(&raw());
    let all = serde_json::to_string(&exchange).unwrap();
    for secret in ["s3cr/t", "s3cr%2Ft", "s3cr\\/t", "k3y", "session=abc"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert_eq!(
        exchange.request_headers[0],
        ("authorization".into(), REDACTED.into())
    );
    assert_eq!(
        exchange.request_headers[1],
        ("x-api-key".into(), REDACTED.into())
    );
    assert_eq!(
        exchange.request_headers[2],
        ("content-type".into(), "application/scim+json".into())
    );
    assert_eq!(
        exchange.url,
        "https://scim.example/v2/Users?token=[REDACTED]"
    );
    assert_eq!(
        exchange.request_body.as_deref(),
        Some(r#"{"password":"[REDACTED]","note":"plain"}"#)
    );
    assert_eq!(exchange.response_body_size, None);
    assert_eq!(exchange.duration_ms, 12);
    assert_eq!(exchange.step, "create");
}

#[test]
fn a_secret_containing_another_is_replaced_whole() {
    let redactor = Redactor::new(["abc".to_owned(), "xxabcxx".to_owned()], []);
    assert_eq!(
        redactor.text("1 xxabcxx 2 abc"),
        "1 [REDACTED] 2 [REDACTED]"
    );
}

#[test]
fn empty_secrets_are_ignored() {
    let redactor = Redactor::new([String::new()], []);
    assert_eq!(redactor.text("nothing to hide"), "nothing to hide");
}

#[test]
fn debug_of_redactor_shows_no_secret() {
    let redactor = Redactor::new(["hunter2".to_owned()], []);
    assert!(!format!("{redactor:?}").contains("hunter2"));
}

#[test]
fn every_encoding_a_server_might_echo_is_redacted() {
    let secret = "tok/SECRET+1234=";
    let redactor = Redactor::new([secret.to_owned()], []);
    let url_safe = "eyJ0IjoidG9rL1NFQ1JFVCsxMjM0PSJ9".replace('/', "_");
    let echoes = [
        "tok/SECRET+1234=",
        r"tok\/SECRET+1234=",
        r"tok\/SECRET\u002B1234\u003d",
        "tok%2FSECRET%2B1234%3D",
        "tok%2fSECRET%2b1234%3d",
        // base64 and base64url of the secret, and of text around it.
        "dG9rL1NFQ1JFVCsxMjM0PQ==",
        "dG9rL1NFQ1JFVCsxMjM0PQ",
        "QmVhcmVyIHRvay9TRUNSRVQrMTIzND0=",
        "eyJ0IjoidG9rL1NFQ1JFVCsxMjM0PSJ9",
        &url_safe,
    ];
    for echo in echoes {
        let shown = redactor.text(&format!("detail: {echo}."));
        assert!(shown.contains(REDACTED), "{echo} not found: {shown}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("U0VDUkVU"),
            "{shown}"
        );
    }
}

#[test]
fn a_fragment_of_eight_characters_or_more_is_redacted() {
    let redactor = Redactor::new(["abcdefghijklmnop".to_owned()], []);
    assert_eq!(redactor.text("x ghijklmn y"), "x [REDACTED] y");
    assert_eq!(redactor.text("x ghijklm y"), "x ghijklm y");
}

#[test]
fn a_secret_straddling_the_record_limit_is_redacted_before_the_cut() {
    let secret = "tok-SECRET-1234567";
    let redactor = Redactor::new([secret.to_owned()], []);
    for shift in 0..secret.len() + 2 {
        let mut body = "a".repeat(RECORDED_BODY_BYTES - shift);
        body.push_str(secret);
        body.push_str(&"z".repeat(500));
        let (kept, len) = RawExchange::keep(body.as_bytes());
        let (recorded, size) = redactor.record(&kept, len);
        assert!(
            !recorded.contains("tok-"),
            "shift {shift}: {}",
            &recorded[recorded.len() - 30..]
        );
        assert!(!recorded.contains("1234567"), "shift {shift}");
        assert_eq!(size, Some(body.len()));
        assert!(recorded.len() <= RECORDED_BODY_BYTES + REDACTED.len());
    }
}

#[test]
fn a_recorded_body_is_cut_with_its_size_noted_and_controls_escaped() {
    let redactor = Redactor::new(["k3y".to_owned()], []);
    let body = format!("\u{1b}[2J{}", "é".repeat(RECORDED_BODY_BYTES));
    let (kept, len) = RawExchange::keep(body.as_bytes());
    assert!(kept.len() <= RAW_BODY_KEPT);
    let (recorded, size) = redactor.record(&kept, len);
    assert_eq!(size, Some(body.len()));
    assert!(recorded.starts_with("\\u{1b}[2Jé"));
    assert!(recorded.len() <= RECORDED_BODY_BYTES + 8);
    let (small, size) = redactor.record(b"{}", 2);
    assert_eq!((small.as_str(), size), ("{}", None));
}

#[test]
fn json_values_lose_secrets_in_strings_and_names() {
    let redactor = Redactor::new(["tok-SECRET-1".to_owned()], []);
    let value = serde_json::json!({"a": ["x tok-SECRET-1"], "tok-SECRET-1": 1, "n": 2});
    assert_eq!(
        redactor.value(&value),
        serde_json::json!({"a": ["x [REDACTED]"], "[REDACTED]": 1, "n": 2})
    );
    assert!(redactor.holds_secret(b"x tok%2DSECRET-1"));
    assert!(!redactor.holds_secret(b"nothing"));
}

#[test]
fn a_secret_learnt_later_is_known_to_every_clone() {
    let redactor = Redactor::new(["tok-SECRET-1".to_owned()], []);
    let clone = redactor.clone();
    assert_eq!(clone.text("fresh-TOKEN-2"), "fresh-TOKEN-2");
    redactor.learn("fresh-TOKEN-2");
    assert_eq!(clone.text("a fresh-TOKEN-2 b"), "a [REDACTED] b");
    assert_eq!(clone.text("tok-SECRET-1"), "[REDACTED]");
    assert!(clone.holds_secret(b"ZnJlc2gtVE9LRU4tMg"));
}

#[test]
fn a_json_body_hiding_a_secret_behind_mixed_escapes_is_recorded_without_it() {
    let redactor = Redactor::new(["0a%21%7E0AaA".to_owned()], []);
    let body = br#"{"detail":"Basic 0a%2\u0031%7E0Aa\u0041","ok":"plain"}"#.to_vec();
    let raw = RawExchange {
        response_body_len: body.len(),
        response_body: Some(body),
        ..raw()
    };
    let recorded = redactor.exchange(&raw).response_body.unwrap_or_default();
    let decoded: serde_json::Value = serde_json::from_str(&recorded).expect("still JSON");
    assert_eq!(decoded["detail"], "Basic [REDACTED]", "{recorded}");
    assert_eq!(decoded["ok"], "plain");
}

#[test]
fn only_escapes_that_decode_into_another_escape_make_the_body_parse_again() {
    assert!(!nests_escapes(r#"{"detail":"say \"hi\" at a\/b\n\t"}"#));
    assert!(nests_escapes(r#"{"detail":"\u0074"}"#));
    assert!(nests_escapes(r#"{"detail":"C:\\u0074"}"#));
    assert!(!nests_escapes(r#"{"detail":"plain"}"#));
}

#[test]
fn a_secret_behind_quote_escapes_only_is_found_without_a_parse() {
    let redactor = Redactor::new(["se\"cret-token".to_owned()], Vec::<String>::new());
    let body = br#"{"detail":"got se\"cret-token"}"#.to_vec();
    let (shown, _) = redactor.record(&body, body.len());
    assert!(!shown.contains("cret-tok"), "{shown}");
}

#[test]
fn only_a_whole_unredacted_record_vouches_for_its_answer() {
    let redactor = Redactor::new(["s3cr/t".to_owned()], Vec::<String>::new());
    let echoing = raw();
    assert!(!recorded_without_secrets(&redactor.exchange(&echoing)));
    let clean = RawExchange {
        response_body: Some(br#"{"ok":"plain"}"#.to_vec()),
        response_body_len: 14,
        response_headers: vec![("content-type".into(), b"application/scim+json".to_vec())],
        ..raw()
    };
    assert!(recorded_without_secrets(&redactor.exchange(&clean)));
    let secret_header = RawExchange {
        response_headers: vec![("x-echo".into(), b"s3cr/t".to_vec())],
        ..clean.clone()
    };
    assert!(!recorded_without_secrets(
        &redactor.exchange(&secret_header)
    ));
    let long = vec![b'a'; RECORDED_BODY_BYTES + 1];
    let cut = RawExchange {
        response_body_len: long.len(),
        response_body: Some(long),
        ..clean
    };
    assert!(!recorded_without_secrets(&redactor.exchange(&cut)));
}
