//! Loading valid scenario files into the model: every key, matcher and template form.

use std::path::PathBuf;
use std::sync::Arc;

use scimcheck::suite::model::{
    Body, CaptureSource, ExchangeSide, Expr, JsonType, LengthBound, Matcher, NumberOp, Scenario,
    StepPart, Template, TemplatePart, TemplateValue, UniqueKind, WrittenPath,
};
use scimcheck::suite::{LoadOptions, lint, load_builtin, load_paths, load_source};
use scimcheck::vocabulary::{AuthMode, Capability, Severity};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from("tests/fixtures/suites").join(name)
}

fn load_fixture(name: &str) -> Vec<Arc<Scenario>> {
    let suite = load_paths(&[fixture(name)], &LoadOptions::default())
        .unwrap_or_else(|d| panic!("{name} should load:\n{d}"));
    suite.scenarios
}

/// A template as text with holes shown as `{{Debug}}`.
fn show(t: &Template) -> String {
    t.parts
        .iter()
        .map(|p| match p {
            TemplatePart::Text(s) => s.clone(),
            TemplatePart::Expr(e) => format!("{{{{{e:?}}}}}"),
        })
        .collect()
}

fn show_value(v: &TemplateValue) -> String {
    match v {
        TemplateValue::Null => "null".into(),
        TemplateValue::Bool(b) => b.to_string(),
        TemplateValue::Number(n) => n.to_string(),
        TemplateValue::String(t) => format!("{:?}", show(t)),
        TemplateValue::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(show_value).collect::<Vec<_>>().join(", ")
            )
        }
        TemplateValue::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", show_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TemplateValue::Repeat(repeat) => format!(
            "$repeat({} + {}, {})",
            show_value(&repeat.times),
            repeat.plus,
            show_value(&repeat.item)
        ),
    }
}

fn single_expr(v: &TemplateValue) -> &Expr {
    match v {
        TemplateValue::String(t) => match t.parts.as_slice() {
            [TemplatePart::Expr(e)] => e,
            other => panic!("expected one hole, got {other:?}"),
        },
        other => panic!("expected a string, got {other:?}"),
    }
}

fn body_field<'a>(body: &'a TemplateValue, key: &str) -> &'a TemplateValue {
    match body {
        TemplateValue::Object(entries) => {
            &entries
                .iter()
                .find(|(k, _)| k == key)
                .unwrap_or_else(|| panic!("no {key}"))
                .1
        }
        other => panic!("not an object: {other:?}"),
    }
}

#[test]
fn scenario_keys_load_with_their_values_and_defaults() {
    let scenarios = load_fixture("valid/all-forms.yaml");
    assert_eq!(scenarios.len(), 1);
    let s = &scenarios[0];
    assert_eq!(s.id, "forms.everything");
    assert_eq!(s.title, "Every matcher and template form");
    assert_eq!(s.requirement, ["RFC7644-3.3"]);
    assert_eq!(s.severity, Severity::Should);
    assert_eq!(s.tags, ["forms", "example"]);
    assert_eq!(
        s.requires,
        [
            Capability::Users,
            Capability::Patch,
            Capability::EnterpriseUser
        ]
    );
    assert!(s.exclusive);
    assert_eq!(s.area, "custom-area");
    assert_eq!((s.loc.line, s.loc.col), (3, 1));
    assert_eq!(
        s.loc.file.name,
        "tests/fixtures/suites/valid/all-forms.yaml"
    );

    let vars: Vec<String> = s
        .vars
        .iter()
        .map(|(k, v)| format!("{k}={}", show_value(v)))
        .collect();
    assert_eq!(
        vars,
        [
            "department=\"Tour Operations\"",
            "email=\"{{Unique { kind: Email, label: Some(\\\"second\\\") }}}\"",
            "limit=5"
        ]
    );
    let steps: Vec<(&str, bool)> = s
        .steps
        .iter()
        .map(|st| (st.name.as_str(), st.track_created))
        .collect();
    assert_eq!(
        steps,
        [
            ("create", false),
            ("replace", true),
            ("read anonymously", true),
            ("read with a bad token", true)
        ]
    );
}

#[test]
fn defaults_apply_and_documents_split_a_file() {
    let scenarios = load_fixture("valid/two-scenarios.yml");
    let ids: Vec<&str> = scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["users.minimal", "groups.minimal"]);
    let second = &scenarios[1];
    assert_eq!(second.severity, Severity::Must);
    assert_eq!(second.area, "groups");
    assert!(second.requirement.is_empty() && second.tags.is_empty() && second.requires.is_empty());
    assert!(!second.exclusive);
    assert_eq!((second.loc.line, second.loc.col), (9, 1));
    let step = &second.steps[0];
    assert_eq!(step.request.auth, AuthMode::Default);
    assert!(step.request.body.is_none());
    assert!(step.track_created);
    assert_eq!((step.loc.line, step.loc.col), (12, 5));
}

#[test]
fn request_keys_load_with_templates_parsed() {
    let s = &load_fixture("valid/all-forms.yaml")[0];
    let create = &s.steps[0].request;
    assert_eq!(create.method, "POST");
    assert_eq!(show(&create.path), "/Users");
    let query: Vec<String> = create
        .query
        .iter()
        .map(|(k, v)| format!("{k}={}", show(v)))
        .collect();
    assert_eq!(query, ["attributes=userName", "count=10", "flag=true"]);
    assert_eq!(create.headers.len(), 1);
    assert_eq!(create.headers[0].0, "X-Trace");
    assert_eq!(show(&create.headers[0].1), "run-{{RunId}}");
    assert_eq!(create.auth, AuthMode::Default);
    assert_eq!((create.loc.line, create.loc.col), (19, 7));

    let Some(Body::Json(body)) = &create.body else {
        panic!("a JSON body")
    };
    let expect_expr = |key: &str, expected: Expr| {
        assert_eq!(single_expr(body_field(body, key)), &expected, "{key}");
    };
    expect_expr(
        "userName",
        Expr::Unique {
            kind: UniqueKind::Email,
            label: None,
        },
    );
    expect_expr(
        "externalId",
        Expr::Unique {
            kind: UniqueKind::ExternalId,
            label: None,
        },
    );
    expect_expr(
        "displayName",
        Expr::Unique {
            kind: UniqueKind::Name,
            label: None,
        },
    );
    expect_expr(
        "nickName",
        Expr::Unique {
            kind: UniqueKind::Id,
            label: Some("nick".into()),
        },
    );
    expect_expr("title", Expr::Var("department".into()));
    expect_expr("locale", Expr::Var("department".into()));
    assert_eq!(
        show_value(body_field(body, "profileUrl")),
        "\"https://example.com/{{Uuid}}\""
    );
    assert_eq!(
        show_value(body_field(body, "meta")),
        "{note: \"created {{Now}}\"}"
    );
    assert_eq!(
        show_value(body_field(body, "literal")),
        "\"{{ not a hole }}\""
    );
    assert_eq!(show_value(body_field(body, "active")), "true");
    assert_eq!(show_value(body_field(body, "count")), "3");
    assert_eq!(show_value(body_field(body, "ratio")), "0.5");
    assert_eq!(show_value(body_field(body, "nothing")), "null");
    assert_eq!(
        show_value(body_field(body, "schemas")),
        "[\"urn:ietf:params:scim:schemas:core:2.0:User\"]"
    );
    let TemplateValue::String(user_name) = body_field(body, "userName") else {
        panic!("a string")
    };
    assert_eq!((user_name.loc.line, user_name.loc.col), (26, 19));

    let replace = &s.steps[1].request;
    assert_eq!(show(&replace.path), "/Users/{{Capture(\"user\")}}");
    let headers: Vec<String> = replace
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {}", show(v)))
        .collect();
    assert_eq!(
        headers,
        [
            "If-Match: {{Capture(\"etag\")}}",
            "Content-Type: application/scim+json"
        ]
    );
    let Some(Body::Raw(raw)) = &replace.body else {
        panic!("a raw body")
    };
    assert_eq!(
        show(raw),
        "{\"userName\": \"{{StepRef { step: \"create\", side: Response, part: Body(\"userName\") }}}\"}"
    );
    assert_eq!(s.steps[2].request.auth, AuthMode::None);
    assert_eq!(s.steps[3].request.auth, AuthMode::Invalid);
    assert_eq!(s.steps[3].request.method, "DELETE");
}

#[test]
fn expectations_load_every_matcher_form() {
    let s = &load_fixture("valid/all-forms.yaml")[0];
    let expect = &s.steps[0].expect;
    let status = expect.status.as_ref().expect("status");
    assert_eq!(status.any_of, [201, 200]);
    assert_eq!((status.loc.line, status.loc.col), (40, 15));
    assert_eq!(
        expect.schema.as_ref().map(|s| s.value.as_str()),
        Some("User")
    );

    let headers: Vec<(&str, &Matcher)> = expect
        .headers
        .iter()
        .map(|h| (h.name.as_str(), &h.matcher))
        .collect();
    assert!(matches!(headers[0], ("content-type", Matcher::ScimJson)));
    assert!(matches!(headers[1], ("location", Matcher::Present)));
    assert!(matches!(headers[2], ("x-absent", Matcher::Absent)));
    match headers[3] {
        ("etag", Matcher::Regex(pattern)) => {
            assert_eq!(show(&pattern.template), "^W/\".+\"$");
            assert!(pattern.compiled.is_some(), "compiled once, at load");
        }
        other => panic!("etag regex, got {other:?}"),
    }
    assert_eq!(
        (expect.headers[0].loc.line, expect.headers[0].loc.col),
        (42, 9)
    );

    let body = |path: &str| -> &Matcher {
        &expect
            .body
            .iter()
            .find(|c| c.path.text == path)
            .unwrap_or_else(|| panic!("no check on {path}"))
            .matcher
    };
    let equals = |path: &str| match body(path) {
        Matcher::Equals(v) => show_value(v),
        other => panic!("{path}: expected Equals, got {other:?}"),
    };
    assert_eq!(
        equals("userName"),
        "\"{{StepRef { step: \\\"create\\\", side: Request, part: Body(\\\"userName\\\") }}}\""
    );
    assert_eq!(equals("active"), "true");
    assert_eq!(equals("count"), "3");
    assert_eq!(equals("nothing"), "null");
    assert_eq!(
        equals("schemas"),
        "[\"urn:ietf:params:scim:schemas:core:2.0:User\"]"
    );
    assert_eq!(equals("meta"), "{resourceType: \"User\"}");

    match body("id") {
        Matcher::All(all) => {
            assert!(matches!(all[0], Matcher::Type(JsonType::String)));
            match &all[1] {
                Matcher::Not(inner) => {
                    assert!(matches!(&**inner, Matcher::Equals(v) if show_value(v) == "\"\""))
                }
                other => panic!("not, got {other:?}"),
            }
        }
        other => panic!("id: expected All, got {other:?}"),
    }
    assert!(matches!(body("displayName"), Matcher::EqualsIgnoreCase(t)
        if show(t) == "{{StepRef { step: \"create\", side: Request, part: Body(\"displayName\") }}}"));
    assert!(matches!(body("nickName"), Matcher::NotEquals(v) if show_value(v) == "\"bob\""));
    assert!(matches!(body("meta.created"), Matcher::Present));
    assert!(matches!(body("password"), Matcher::Absent));
    assert!(matches!(body("groups"), Matcher::Absent));
    let length = |path: &str| match body(path) {
        Matcher::Length(b) => *b,
        other => panic!("{path}: expected Length, got {other:?}"),
    };
    assert_eq!(
        length("emails"),
        LengthBound {
            min: Some(1),
            max: Some(3)
        }
    );
    assert_eq!(
        length("phoneNumbers"),
        LengthBound {
            min: Some(0),
            max: Some(0)
        }
    );
    assert_eq!(
        length("addresses"),
        LengthBound {
            min: None,
            max: Some(2)
        }
    );
    assert_eq!(
        length("x509Certificates"),
        LengthBound {
            min: Some(1),
            max: None
        }
    );
    assert!(
        matches!(body("emails[type eq \"work\"].value"), Matcher::Contains(v) if show_value(v) == "\"@\"")
    );
    assert!(
        matches!(body("roles"), Matcher::Every(m) if matches!(**m, Matcher::Type(JsonType::Object)))
    );
    match body("entitlements") {
        Matcher::OneOf(values) => {
            let shown: Vec<String> = values.iter().map(show_value).collect();
            assert_eq!(shown, ["[]", "null"]);
        }
        other => panic!("one_of, got {other:?}"),
    }
    match body("count2") {
        Matcher::All(all) => {
            let ops: Vec<(NumberOp, f64)> = all
                .iter()
                .map(|m| match m {
                    Matcher::Compare(op, n) => (*op, *n),
                    other => panic!("compare, got {other:?}"),
                })
                .collect();
            assert_eq!(
                ops,
                [
                    (NumberOp::Gt, 1.0),
                    (NumberOp::Ge, 1.5),
                    (NumberOp::Lt, 10.0),
                    (NumberOp::Le, 9.0)
                ]
            );
        }
        other => panic!("count2, got {other:?}"),
    }
    assert!(matches!(
        body("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"),
        Matcher::Present
    ));
    let first = &expect.body[0];
    assert_eq!((first.loc.line, first.loc.col), (48, 9));
}

#[test]
fn step_references_and_captures_load() {
    let s = &load_fixture("valid/all-forms.yaml")[0];
    let captures: Vec<(&str, &CaptureSource)> = s.steps[0]
        .capture
        .iter()
        .map(|c| (c.name.as_str(), &c.source))
        .collect();
    assert!(matches!(captures[0], ("user", CaptureSource::Body(p)) if p.text == "id"));
    assert!(matches!(captures[1], ("etag", CaptureSource::Header(h)) if h == "etag"));
    assert!(matches!(captures[2], ("code", CaptureSource::Status)));
    assert!(matches!(captures[3], ("created", CaptureSource::Body(p)) if p.is_whole()));

    let expect = &s.steps[1].expect;
    let refs: Vec<String> = expect
        .body
        .iter()
        .map(|c| {
            let value = match &c.matcher {
                Matcher::Equals(v) => v,
                Matcher::Not(inner) => match &**inner {
                    Matcher::Equals(v) => v,
                    other => panic!("not equals, got {other:?}"),
                },
                other => panic!("equals, got {other:?}"),
            };
            format!("{:?}", single_expr(value))
        })
        .collect();
    assert_eq!(
        refs,
        [
            format!(
                "{:?}",
                Expr::StepRef {
                    step: "create".into(),
                    side: ExchangeSide::Response,
                    part: StepPart::Header("etag".into())
                }
            ),
            format!(
                "{:?}",
                Expr::StepRef {
                    step: "create".into(),
                    side: ExchangeSide::Response,
                    part: StepPart::Status
                }
            ),
            format!(
                "{:?}",
                Expr::StepRef {
                    step: "create".into(),
                    side: ExchangeSide::Response,
                    part: StepPart::Body(WrittenPath::whole())
                }
            ),
            format!("{:?}", Expr::Capture("code".into())),
            format!("{:?}", Expr::Capture("created".into())),
        ]
    );
}

#[test]
fn a_valid_file_has_no_lint_findings() {
    let findings = lint(
        &[
            fixture("valid/all-forms.yaml"),
            fixture("valid/two-scenarios.yml"),
        ],
        &LoadOptions::default(),
    );
    let lines: Vec<String> = findings.iter().map(|d| d.headline()).collect();
    assert!(lines.is_empty(), "{lines:#?}");
}

#[test]
fn a_folder_loads_recursively_in_path_order() {
    let suite = load_paths(&[fixture("valid")], &LoadOptions::default()).expect("loads");
    let ids: Vec<&str> = suite.scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["forms.everything", "users.minimal", "groups.minimal"]);
}

#[test]
fn a_file_named_twice_loads_once() {
    let paths = [fixture("valid"), fixture("valid/two-scenarios.yml")];
    let suite = load_paths(&paths, &LoadOptions::default()).expect("no duplicate ids");
    assert_eq!(suite.scenarios.len(), 3);
}

#[test]
fn run_level_variables_are_usable_when_known() {
    let text = "id: a.b\ntitle: t\nsteps:\n  - name: s\n    request: { method: GET, path: \"/Users?x={{ vars.tenant }}\" }\n    expect: { status: 200 }\n";
    let options = LoadOptions {
        known_vars: vec!["tenant".into()],
        ..LoadOptions::default()
    };
    let scenarios = load_source("inline.yaml", text, &options).expect("tenant is known");
    assert_eq!(
        show(&scenarios[0].steps[0].request.path),
        "/Users?x={{Var(\"tenant\")}}"
    );
    assert!(load_source("inline.yaml", text, &LoadOptions::default()).is_err());
}

#[test]
fn the_built_in_suite_loads_with_builtin_names() {
    let suite = load_builtin(&LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(!suite.scenarios.is_empty());
    for s in &suite.scenarios {
        assert!(
            s.loc.file.name.starts_with("builtin:core/"),
            "{}",
            s.loc.file.name
        );
    }
    assert!(
        suite
            .scenarios
            .iter()
            .any(|s| s.loc.file.name == "builtin:core/discovery.yaml")
    );
}
