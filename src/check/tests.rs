//! Each matcher kind, passing and failing, on plain JSON values.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::client::MAX_JSON_VALUES;
use crate::suite::model::{
    BodyCheck, Expr, HeaderCheck, JsonType, LengthBound, Matcher, NumberOp, Pattern,
    StatusExpectation, TemplatePart, WrittenPath,
};
use crate::vocabulary::{Loc, Located, SourceFile};

/// Renders templates that hold only literal text.
struct Literal;

impl Resolve for Literal {
    fn value(&self, value: &TemplateValue) -> Result<Value, String> {
        Ok(match value {
            TemplateValue::Null => Value::Null,
            TemplateValue::Bool(b) => Value::Bool(*b),
            TemplateValue::Number(n) => Value::Number(n.clone()),
            TemplateValue::String(t) => Value::String(self.text(t)?),
            TemplateValue::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<_, _>>()?,
            ),
            TemplateValue::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            TemplateValue::Repeat(_) => return Err("no $repeat in matchers".to_owned()),
        })
    }

    fn text(&self, template: &Template) -> Result<String, String> {
        template
            .parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(t) => Ok(t.clone()),
                TemplatePart::Expr(e) => Err(format!("cannot render {e:?}")),
            })
            .collect()
    }
}

fn loc() -> Loc {
    Loc {
        file: Arc::new(SourceFile {
            name: "users.yaml".into(),
            text:
                "id: x\nsteps:\n  - name: create\n    expect:\n      body:\n        userName: ada\n"
                    .into(),
        }),
        line: 6,
        col: 9,
    }
}

fn text(s: &str) -> Template {
    Template {
        parts: vec![TemplatePart::Text(s.into())],
        loc: loc(),
    }
}

fn tv(value: Value) -> TemplateValue {
    match value {
        Value::Null => TemplateValue::Null,
        Value::Bool(b) => TemplateValue::Bool(b),
        Value::Number(n) => TemplateValue::Number(n),
        Value::String(s) => TemplateValue::String(text(&s)),
        Value::Array(items) => TemplateValue::Array(items.into_iter().map(tv).collect()),
        Value::Object(map) => {
            TemplateValue::Object(map.into_iter().map(|(k, v)| (k, tv(v))).collect())
        }
    }
}

fn regex(pattern: &str) -> Matcher {
    Matcher::Regex(Pattern {
        template: text(pattern),
        compiled: regex::Regex::new(pattern).ok(),
    })
}

fn written(path: &str) -> WrittenPath {
    if path.is_empty() {
        WrittenPath::whole()
    } else {
        WrittenPath::parse(path).expect("path")
    }
}

/// The verdict of `matcher` on `path` in `body`.
fn on(body: &Value, path: &str, matcher: Matcher) -> Verdict {
    let selected = scim::select(body, &written(path).parsed);
    Eval {
        resolve: &Literal,
        text_values: false,
    }
    .matcher(&matcher, &selected)
}

fn passes(body: &Value, path: &str, matcher: Matcher) {
    let verdict = on(body, path, matcher);
    assert_eq!(verdict, Verdict::Pass, "{path} in {body}");
}

/// Asserts a failure and returns its `actual` text.
fn fails(body: &Value, path: &str, matcher: Matcher) -> String {
    match on(body, path, matcher) {
        Verdict::Pass => panic!("expected a failure for {path} in {body}"),
        Verdict::Fail { actual, .. } | Verdict::Invalid { actual, .. } => actual,
    }
}

fn user() -> Value {
    json!({
        "id": "2819c223",
        "userName": "Bjensen@Example.com",
        "active": true,
        "nickName": null,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"type": "work", "value": "bjensen@example.com", "primary": true},
            {"type": "home", "value": "babs@jensen.org"}
        ],
        "meta": {"resourceType": "User", "version": "W/\"3694e05e\""},
        "totalResults": 2,
        "score": 1.0
    })
}

#[test]
fn equals_compares_deeply_and_numbers_by_value() {
    let u = user();
    passes(
        &u,
        "userName",
        Matcher::Equals(tv(json!("Bjensen@Example.com"))),
    );
    passes(
        &u,
        "name",
        Matcher::Equals(tv(json!({"familyname": "Jensen", "givenName": "Barbara"}))),
    );
    passes(&u, "score", Matcher::Equals(tv(json!(1))));
    passes(&u, "nickName", Matcher::Equals(tv(json!(null))));
    passes(&u, "title", Matcher::Equals(tv(json!(null))));
    assert_eq!(
        fails(&u, "userName", Matcher::Equals(tv(json!("bjensen")))),
        "\"Bjensen@Example.com\""
    );
    assert_eq!(
        fails(&u, "title", Matcher::Equals(tv(json!("x")))),
        "absent"
    );
    assert_eq!(
        fails(&u, "totalResults", Matcher::Equals(tv(json!("2")))),
        "2"
    );
}

#[test]
fn not_equals_needs_a_different_value() {
    let u = user();
    passes(&u, "userName", Matcher::NotEquals(tv(json!("someone"))));
    fails(&u, "totalResults", Matcher::NotEquals(tv(json!(2.0))));
    assert_eq!(
        fails(&u, "title", Matcher::NotEquals(tv(json!("x")))),
        "absent"
    );
}

#[test]
fn attribute_names_in_paths_are_case_insensitive() {
    let u = user();
    passes(&u, "USERNAME", Matcher::Present);
    passes(&u, "Name.GivenName", Matcher::Equals(tv(json!("Barbara"))));
    passes(&u, "meta.resourceType", Matcher::Equals(tv(json!("User"))));
}

#[test]
fn present_and_absent_treat_null_as_unassigned() {
    let u = user();
    passes(&u, "id", Matcher::Present);
    passes(&u, "title", Matcher::Absent);
    passes(&u, "nickName", Matcher::Absent);
    assert_eq!(fails(&u, "nickName", Matcher::Present), "null");
    assert_eq!(fails(&u, "title", Matcher::Present), "absent");
    assert_eq!(fails(&u, "id", Matcher::Absent), "\"2819c223\"");
}

#[test]
fn equals_ignore_case_lowercases_unicode() {
    let body = json!({"a": "bjensen@EXAMPLE.com", "b": "ÉCOLE", "n": 3});
    passes(
        &body,
        "a",
        Matcher::EqualsIgnoreCase(text("BJensen@example.COM")),
    );
    passes(&body, "b", Matcher::EqualsIgnoreCase(text("école")));
    fails(
        &body,
        "a",
        Matcher::EqualsIgnoreCase(text("other@example.com")),
    );
    assert!(fails(&body, "n", Matcher::EqualsIgnoreCase(text("3"))).contains("not a string"));
}

#[test]
fn type_tells_integers_from_numbers() {
    let body =
        json!({"s": "x", "i": 3, "f": 2.5, "w": 4.0, "b": false, "a": [], "o": {}, "z": null});
    for (path, ty) in [
        ("s", JsonType::String),
        ("i", JsonType::Integer),
        ("i", JsonType::Number),
        ("f", JsonType::Number),
        ("w", JsonType::Number),
        ("b", JsonType::Boolean),
        ("a", JsonType::Array),
        ("o", JsonType::Object),
        ("z", JsonType::Null),
    ] {
        passes(&body, path, Matcher::Type(ty));
    }
    fails(&body, "f", Matcher::Type(JsonType::Integer));
    fails(&body, "w", Matcher::Type(JsonType::Integer));
    fails(&body, "s", Matcher::Type(JsonType::Number));
    fails(&body, "a", Matcher::Type(JsonType::Object));
}

#[test]
fn regex_searches_and_a_bad_pattern_is_reported_not_panicked() {
    let u = user();
    passes(&u, "meta.version", regex(r#"^W/".+"$"#));
    passes(&u, "userName", regex("Example"));
    fails(&u, "id", regex("^[0-9]+$"));
    let actual = fails(&u, "id", regex("(unclosed"));
    assert!(actual.contains("invalid pattern /(unclosed/"), "{actual}");
    assert!(fails(&u, "active", regex("true")).contains("not a string"));
}

#[test]
fn contains_finds_substrings_elements_and_object_subsets() {
    let u = user();
    passes(&u, "userName", Matcher::Contains(tv(json!("@Example"))));
    fails(&u, "userName", Matcher::Contains(tv(json!("@example"))));
    passes(&u, "emails", Matcher::Contains(tv(json!({"type": "home"}))));
    passes(
        &u,
        "emails",
        Matcher::Contains(tv(json!({"TYPE": "work", "primary": true}))),
    );
    fails(
        &u,
        "emails",
        Matcher::Contains(tv(json!({"type": "other"}))),
    );
    passes(
        &json!({"schemas": ["a", "b"]}),
        "schemas",
        Matcher::Contains(tv(json!("b"))),
    );
    fails(
        &json!({"schemas": ["a", "b"]}),
        "schemas",
        Matcher::Contains(tv(json!("c"))),
    );
    passes(
        &u,
        "name",
        Matcher::Contains(tv(json!({"givenName": "Barbara"}))),
    );
}

#[test]
fn length_counts_array_items_and_string_characters() {
    let u = user();
    let exactly = |n| {
        Matcher::Length(LengthBound {
            min: Some(n),
            max: Some(n),
        })
    };
    passes(&u, "emails", exactly(2));
    passes(&u, "id", exactly(8));
    passes(
        &u,
        "emails",
        Matcher::Length(LengthBound {
            min: Some(1),
            max: None,
        }),
    );
    assert_eq!(fails(&u, "emails", exactly(3)), "2 items");
    assert_eq!(fails(&u, "missing", exactly(0)), "absent");
    assert!(fails(&u, "active", exactly(1)).contains("not a string or array"));
}

#[test]
fn compare_orders_numbers() {
    let u = user();
    passes(&u, "totalResults", Matcher::Compare(NumberOp::Ge, 2.0));
    passes(&u, "totalResults", Matcher::Compare(NumberOp::Lt, 2.5));
    fails(&u, "totalResults", Matcher::Compare(NumberOp::Gt, 2.0));
    fails(&u, "totalResults", Matcher::Compare(NumberOp::Le, 1.0));
    assert!(fails(&u, "id", Matcher::Compare(NumberOp::Gt, 0.0)).contains("not a number"));
}

#[test]
fn one_of_accepts_any_listed_value() {
    let u = user();
    passes(
        &u,
        "meta.resourceType",
        Matcher::OneOf(vec![tv(json!("Group")), tv(json!("User"))]),
    );
    fails(
        &u,
        "meta.resourceType",
        Matcher::OneOf(vec![tv(json!("Group"))]),
    );
}

#[test]
fn every_holds_for_each_array_item() {
    let u = user();
    passes(
        &u,
        "emails",
        Matcher::Every(Box::new(Matcher::Type(JsonType::Object))),
    );
    let actual = fails(
        &u,
        "emails",
        Matcher::Every(Box::new(Matcher::Contains(tv(json!({"type": "work"}))))),
    );
    assert!(actual.starts_with("item 1:"), "{actual}");
    assert!(fails(&u, "id", Matcher::Every(Box::new(Matcher::Present))).contains("not a array"));
}

#[test]
fn a_template_that_cannot_render_is_no_pass_even_where_no_value_needs_it() {
    let broken = || {
        TemplateValue::String(Template {
            parts: vec![TemplatePart::Expr(Expr::Uuid)],
            loc: loc(),
        })
    };
    let empty = json!({"emails": []});
    for (what, matcher) in [
        ("every", Matcher::Every(Box::new(Matcher::Equals(broken())))),
        ("not", Matcher::Not(Box::new(Matcher::Equals(broken())))),
    ] {
        let verdict = on(&empty, "emails", matcher);
        assert!(
            matches!(&verdict, Verdict::Invalid { actual, .. } if actual.contains("cannot render")),
            "{what}: {verdict:?}"
        );
    }
}

#[test]
fn not_inverts_and_all_needs_every_part() {
    let u = user();
    passes(
        &u,
        "id",
        Matcher::Not(Box::new(Matcher::Equals(tv(json!("x"))))),
    );
    fails(&u, "id", Matcher::Not(Box::new(Matcher::Present)));
    passes(
        &u,
        "id",
        Matcher::All(vec![Matcher::Present, Matcher::Type(JsonType::String)]),
    );
    fails(
        &u,
        "id",
        Matcher::All(vec![Matcher::Present, Matcher::Type(JsonType::Number)]),
    );
    // A matcher that cannot be judged stays a failure under `not`.
    fails(&u, "id", Matcher::Not(Box::new(regex("("))));
}

#[test]
fn several_values_for_a_single_value_matcher_is_a_clear_failure() {
    let body = json!({"emails": [{"value": "a@x"}, {"value": "b@x"}]});
    let actual = fails(&body, "emails.value", Matcher::Equals(tv(json!("a@x"))));
    assert!(actual.starts_with("path matched 2 values"), "{actual}");
    passes(
        &body,
        "emails.value",
        Matcher::Length(LengthBound {
            min: Some(2),
            max: Some(2),
        }),
    );
    passes(&body, "emails.value", Matcher::Contains(tv(json!("b@x"))));
    passes(&body, "emails[1].value", Matcher::Equals(tv(json!("b@x"))));
}

#[test]
fn scim_json_accepts_parameters_and_any_case() {
    assert!(is_scim_json("application/scim+json"));
    assert!(is_scim_json("Application/SCIM+JSON; charset=utf-8"));
    assert!(!is_scim_json("application/json"));
    assert!(!is_scim_json("application/scim+jsonx"));
}

fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
    HttpResponse {
        url: "http://h/Users".into(),
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.as_bytes().to_vec(),
    }
}

fn expect_user_name(value: &str) -> Expectation {
    Expectation {
        status: Some(StatusExpectation {
            any_of: vec![201],
            loc: loc(),
        }),
        headers: vec![HeaderCheck {
            name: "content-type".into(),
            matcher: Matcher::ScimJson,
            loc: loc(),
        }],
        schema: None,
        body: vec![BodyCheck {
            path: written("userName"),
            matcher: Matcher::Equals(tv(json!(value))),
            loc: loc(),
        }],
    }
}

fn run_checks(expect: &Expectation, response: &HttpResponse) -> Vec<CheckFailure> {
    let body = ResponseBody::parse(response);
    check_response(
        "create",
        expect,
        response,
        &body,
        &SchemaSet::empty(),
        &Literal,
    )
}

#[test]
fn a_matching_response_has_no_failures() {
    let r = response(201, "application/scim+json", r#"{"userName":"ada"}"#);
    assert!(run_checks(&expect_user_name("ada"), &r).is_empty());
}

#[test]
fn failures_name_step_subject_expected_actual_and_place() {
    let r = response(
        409,
        "application/json",
        r#"{"userName":"bob","scimType":"uniqueness","detail":"taken"}"#,
    );
    let failures = run_checks(&expect_user_name("ada"), &r);
    let subjects: Vec<&str> = failures.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, ["status", "header content-type", "body.userName"]);
    assert_eq!(failures[0].actual, "409 (scimType uniqueness: taken)");
    assert_eq!(failures[1].expected, "application/scim+json");
    assert_eq!(failures[1].actual, "\"application/json\"");
    let body = &failures[2];
    assert_eq!(
        (body.expected.as_str(), body.actual.as_str()),
        ("\"ada\"", "\"bob\"")
    );
    assert_eq!(body.location, "users.yaml:6:9");
    for needle in [
        "create",
        "body.userName",
        "users.yaml:6:9",
        "userName: ada",
        "expected: \"ada\"",
        "actual: \"bob\"",
    ] {
        assert!(
            body.rendered.contains(needle),
            "{needle} missing in:\n{}",
            body.rendered
        );
    }
}

#[test]
fn an_html_page_where_json_was_expected_says_what_came() {
    let r = response(201, "text/html", "<html><body>Internal error</body></html>");
    let failures = run_checks(&expect_user_name("ada"), &r);
    let body = failures
        .iter()
        .find(|f| f.subject == "body")
        .expect("body failure");
    assert_eq!(body.expected, "a JSON body");
    assert!(body.actual.contains("text/html"), "{}", body.actual);
    assert!(
        body.actual.contains("<html><body>Internal"),
        "{}",
        body.actual
    );
    let garbage = HttpResponse {
        body: vec![0xff, 0xfe, 0x00, 0x41],
        ..response(201, "application/scim+json", "")
    };
    let failures = run_checks(&expect_user_name("ada"), &garbage);
    assert!(
        failures
            .iter()
            .any(|f| f.subject == "body" && f.actual.contains("not JSON"))
    );
    let empty = response(201, "application/scim+json", "");
    let failures = run_checks(&expect_user_name("ada"), &empty);
    assert!(
        failures
            .iter()
            .any(|f| f.actual.starts_with("an empty body"))
    );
}

#[test]
fn long_actual_values_are_truncated() {
    let long = "x".repeat(1000);
    let r = response(
        201,
        "application/scim+json",
        &json!({ "userName": long }).to_string(),
    );
    let failures = run_checks(&expect_user_name("ada"), &r);
    assert!(
        failures[0].actual.chars().count() < 400,
        "{}",
        failures[0].actual
    );
    assert!(failures[0].actual.contains("more characters"));
}

const USER_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["userName", "meta"],
  "properties": {
    "userName": {"type": "string"},
    "meta": {"$ref": "Meta.json"}
  }
}"#;

const META_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["resourceType"]
}"#;

#[test]
fn schema_checks_report_instance_path_and_message() {
    let schemas = SchemaSet::compile([("User", USER_SCHEMA), ("Meta", META_SCHEMA)], ["User"])
        .expect("compiles");
    assert!(schemas.contains("User") && !schemas.contains("Meta"));
    let expect = Expectation {
        schema: Some(Located {
            value: "User".into(),
            loc: loc(),
        }),
        ..Expectation::default()
    };
    let good = response(
        200,
        "application/scim+json",
        r#"{"userName":"a","meta":{"resourceType":"User"}}"#,
    );
    assert!(run_checks_with(&expect, &good, &schemas).is_empty());
    let bad = response(200, "application/scim+json", r#"{"userName":5,"meta":{}}"#);
    let failures = run_checks_with(&expect, &bad, &schemas);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].subject, "schema User");
    assert!(
        failures[0].actual.contains("at /userName:"),
        "{}",
        failures[0].actual
    );
    assert!(
        failures[0].actual.contains("resourceType"),
        "{}",
        failures[0].actual
    );
}

#[test]
fn schema_errors_are_typed() {
    assert!(
        matches!(SchemaSet::compile([], ["User"]), Err(SchemaError::Unknown(n)) if n == "User")
    );
    assert!(matches!(
        SchemaSet::compile([("User", "{not json")], ["User"]),
        Err(SchemaError::NotJson { .. })
    ));
    assert!(matches!(
        SchemaSet::compile([("User", r#"{"type": 12}"#)], ["User"]),
        Err(SchemaError::Compile { .. })
    ));
}

fn declared_expectation(name: &str) -> Expectation {
    Expectation {
        schema: Some(Located {
            value: name.into(),
            loc: loc(),
        }),
        ..Expectation::default()
    }
}

/// What a target might declare: a User whose `active` is a boolean.
fn declared_user() -> crate::discovery::DeclaredSchemas {
    let rt = json!({ "name": "User", "schema": "urn:ietf:params:scim:schemas:core:2.0:User" });
    let schema = json!({
        "id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "attributes": [{ "name": "active", "type": "boolean", "multiValued": false }],
    });
    crate::discovery::derive(&[rt], &[schema])
}

#[test]
fn declared_schemas_are_compiled_after_discovery_and_checked_like_any_other() {
    let mut schemas =
        SchemaSet::compile([("Meta", META_SCHEMA)], ["declared:User"]).expect("compiles");
    assert!(!schemas.contains("declared:User"));
    schemas.add_declared(&declared_user());
    assert!(schemas.contains("declared:User"));
    let expect = declared_expectation("declared:User");
    let good = response(200, "application/scim+json", r#"{"Active":true}"#);
    assert!(run_checks_with(&expect, &good, &schemas).is_empty());
    let bad = response(200, "application/scim+json", r#"{"Active":"True"}"#);
    let failures = run_checks_with(&expect, &bad, &schemas);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].subject, "schema declared:User");
    assert!(
        failures[0].actual.contains("at /Active:"),
        "{}",
        failures[0].actual
    );
}

#[test]
fn an_attribute_that_must_be_absent_is_reported_without_its_value() {
    let rt = json!({ "name": "User", "schema": "urn:ietf:params:scim:schemas:core:2.0:User" });
    let schema = json!({
        "id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "attributes": [{ "name": "password", "type": "string", "multiValued": false,
                         "returned": "never" }],
    });
    let mut schemas = SchemaSet::compile([], ["declared:User"]).expect("compiles");
    schemas.add_declared(&crate::discovery::derive(&[rt], &[schema]));
    let leaked = json!({ "password": "hunter2-secret" });
    let violations = schemas.validate("declared:User", &leaked).expect("known");
    assert_eq!(
        violations,
        [Violation {
            instance_path: "/password".into(),
            message: "must be absent, but the response carries it".into(),
        }]
    );
}

#[test]
fn a_resource_type_the_target_does_not_describe_fails_saying_so() {
    let mut schemas = SchemaSet::compile([], ["declared:Group"]).expect("compiles");
    let expect = declared_expectation("declared:Group");
    let any = response(200, "application/scim+json", r#"{"displayName":"x"}"#);
    let before = run_checks_with(&expect, &any, &schemas);
    assert_eq!(before.len(), 1);
    assert!(
        before[0].actual.contains("not read before the check"),
        "{}",
        before[0].actual
    );
    schemas.add_declared(&declared_user());
    let failures = run_checks_with(&expect, &any, &schemas);
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].actual,
        "the target's /Schemas does not describe resource type Group: \
         /ResourceTypes has no resource type named Group (it lists User)"
    );
    assert!(
        failures[0].rendered.contains("declared:<ResourceType>"),
        "{}",
        failures[0].rendered
    );
    schemas.add_declared(&crate::discovery::DeclaredSchemas::default());
    let failures = run_checks_with(&expect, &any, &schemas);
    assert!(
        failures[0]
            .actual
            .ends_with("/ResourceTypes lists no resource type"),
        "{}",
        failures[0].actual
    );
}

fn run_checks_with(
    expect: &Expectation,
    response: &HttpResponse,
    schemas: &SchemaSet,
) -> Vec<CheckFailure> {
    let body = ResponseBody::parse(response);
    check_response("read", expect, response, &body, schemas, &Literal)
}

#[test]
fn filters_select_sets_of_values() {
    let u = user();
    passes(
        &u,
        r#"emails[type eq "work"].value"#,
        Matcher::Equals(tv(json!("bjensen@example.com"))),
    );
    passes(&u, r#"emails[type eq "nothing"]"#, Matcher::Absent);
    passes(
        &u,
        r#"emails[value ew ".org" or primary eq true]"#,
        Matcher::Length(LengthBound {
            min: Some(2),
            max: Some(2),
        }),
    );
    passes(
        &u,
        r#"emails[value co "@"].value"#,
        Matcher::Every(Box::new(regex("@"))),
    );
    fails(
        &u,
        r#"emails[value co "@"].value"#,
        Matcher::Every(Box::new(regex("example"))),
    );
    passes(
        &u,
        r#"emails[value co "@"].type"#,
        Matcher::Contains(tv(json!("home"))),
    );
    let actual = fails(
        &u,
        r#"emails[value co "@"].type"#,
        Matcher::Equals(tv(json!("work"))),
    );
    assert!(actual.starts_with("path matched 2 values"), "{actual}");
}

#[test]
fn an_invalid_path_never_reaches_a_check_the_model_holds_only_parsed_ones() {
    let e = WrittenPath::parse("emails[type eq").unwrap_err();
    assert!(e.message.contains("end of input") || e.offset > 0, "{e:?}");
}

#[test]
fn every_builtin_schema_compiles() {
    let names = crate::suite::builtin::schema_names();
    assert!(names.contains(&"User"), "{names:?}");
    let available = names.iter().map(|n| {
        (
            *n,
            crate::suite::builtin::schema(n).expect("listed schema exists"),
        )
    });
    let set = SchemaSet::compile(available, names.iter().copied()).expect("all compile");
    let violations = set
        .validate(
            "User",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": 5}),
        )
        .expect("User is known");
    assert!(!violations.is_empty());
}

#[test]
fn a_body_with_too_many_json_values_is_not_parsed() {
    let mut body = b"[".to_vec();
    for _ in 0..MAX_JSON_VALUES {
        body.extend_from_slice(b"{},");
    }
    body.extend_from_slice(b"{}]");
    let parsed = ResponseBody::parse(&HttpResponse {
        url: "http://h/Users".into(),
        status: 200,
        headers: vec![],
        body,
    });
    let ResponseBody::NotJson(what) = parsed else {
        panic!("parsed {parsed:?}");
    };
    assert!(what.contains("too many to read"), "{what}");
    // Commas, colons and brackets inside strings are not values.
    let text = format!("{{\"a\":\"{}\"}}", ",:[{".repeat(MAX_JSON_VALUES));
    assert!(parse_json(text.as_bytes()).is_ok());
}
