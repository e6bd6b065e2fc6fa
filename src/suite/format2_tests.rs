//! Format 2 as a specification: each spelling and the model it reads into, the errors
//! that name file, line and field, and fixtures used with `uses:`.

use crate::suite::model::{CaptureSource, Expr, Matcher, StepPart, TemplatePart, TemplateValue};
use crate::suite::{LoadOptions, load_source};

fn load(text: &str) -> Vec<std::sync::Arc<crate::suite::model::Scenario>> {
    load_source("f2.yaml", text, &LoadOptions::default()).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.0.iter()
                .map(|d| d.render(false))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn errors(text: &str) -> Vec<String> {
    match load_source("f2.yaml", text, &LoadOptions::default()) {
        Ok(_) => Vec::new(),
        Err(e) => {
            e.0.iter()
                .map(|d| format!("{}: {}", d.loc, d.message))
                .collect()
        }
    }
}

const CREATE_AND_READ: &str = r#"
format: 2
id: a.b
title: t
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email }}" }
    expect:
      status: 201
      header Location: present
      header etag: { not: present }
      schema: User
      body userName: { equals-ignore-case: "{{ create: request body userName }}" }
      body meta.location: "{{ create: header location }}"
      'body emails[type eq "work"]': { one-of: [a, b] }
      body title: { not: present }
      body nickName: { present: true, not: x }
    capture: { user: body id, tag: header ETag, code: status, created: body }
  - name: read
    request: { method: GET, path: "/Users/{{ user }}", raw-body: "{{ tag }}{{ code }}{{ created }}" }
    expect: { status: 200 }
"#;

#[test]
fn expect_keys_captures_and_step_references_share_the_query_words() {
    let scenarios = load(CREATE_AND_READ);
    let step = &scenarios[0].steps[0];
    let expect = &step.expect;
    assert_eq!(
        expect.status.as_ref().map(|s| s.any_of.clone()),
        Some(vec![201])
    );
    assert_eq!(expect.headers[0].name, "location");
    assert!(matches!(expect.headers[0].matcher, Matcher::Present));
    assert!(matches!(expect.headers[1].matcher, Matcher::Absent));
    let paths: Vec<&str> = expect.body.iter().map(|b| b.path.text.as_str()).collect();
    assert_eq!(
        paths,
        [
            "userName",
            "meta.location",
            r#"emails[type eq "work"]"#,
            "title",
            "nickName"
        ]
    );
    let Matcher::EqualsIgnoreCase(t) = &expect.body[0].matcher else {
        panic!("{:?}", expect.body[0].matcher)
    };
    assert!(matches!(
        &t.parts[0],
        TemplatePart::Expr(Expr::StepRef { part: StepPart::Body(p), .. }) if p.text == "userName"
    ));
    assert!(matches!(expect.body[2].matcher, Matcher::OneOf(_)));
    assert!(matches!(expect.body[3].matcher, Matcher::Absent));
    assert!(
        matches!(&expect.body[4].matcher, Matcher::All(all) if matches!(all[..], [Matcher::Present, Matcher::Not(_)]))
    );
    let sources: Vec<String> = step
        .capture
        .iter()
        .map(|c| format!("{:?}", c.source))
        .collect();
    assert_eq!(
        sources,
        [
            format!(
                "{:?}",
                CaptureSource::Body(crate::suite::model::WrittenPath::parse("id").unwrap())
            ),
            format!("{:?}", CaptureSource::Header("etag".into())),
            format!("{:?}", CaptureSource::Status),
            format!(
                "{:?}",
                CaptureSource::Body(crate::suite::model::WrittenPath::whole())
            ),
        ]
    );
}

#[test]
fn a_file_without_the_marker_is_format_one_and_still_loads() {
    let scenarios = load(
        "id: a.b\ntitle: t\nsteps:\n  - name: x\n    request: { method: GET, path: /Users, raw_body: x }\n    expect: { status: 200, headers: { etag: absent }, body: { id: { not_equals: y } } }\n    capture: { user: body.id }\n  - name: read\n    request: { method: GET, path: '/Users/{{ user }}' }\n    expect: { status: 200, body: { id: '{{ steps.x.response.body.id }}' } }\n",
    );
    assert!(matches!(
        scenarios[0].steps[0].expect.body[0].matcher,
        Matcher::NotEquals(_)
    ));
}

#[test]
fn format_one_spellings_in_a_format_two_file_are_errors_that_name_line_and_field() {
    let text = "format: 2\nid: a.b\ntitle: t\nsteps:\n  - name: x\n    request: { method: GET, path: /Users, raw_body: x }\n    expect:\n      status: 200\n      headers: { etag: present }\n      body id: absent\n      body title: { not_equals: y, equals_ignore_case: z }\n      body nick: { present: false }\n    capture: { user: body.id }\n";
    let found = errors(text);
    let expected = [
        "f2.yaml:6:43: unknown key 'raw_body' in request",
        "f2.yaml:9:7: unknown key 'headers' in expect",
        "f2.yaml:10:16: 'absent' is written `not: present`",
        "f2.yaml:11:21: unknown matcher 'not_equals'",
        "f2.yaml:11:36: unknown matcher 'equals_ignore_case'",
        "f2.yaml:12:29: expected true for present, found a boolean",
        "f2.yaml:13:22: invalid capture source 'body.id'",
    ];
    assert_eq!(found, expected);
}

#[test]
fn an_unknown_format_is_an_error() {
    assert_eq!(
        errors(
            "format: 3\nid: a.b\ntitle: t\nsteps: [{ name: x, request: { method: GET, path: / } }]\n"
        ),
        ["f2.yaml:1:9: unknown scenario format"]
    );
}

const USES: &str = r#"
format: 2
id: a.b
title: t
steps:
  - { uses: create-user, with: { displayName: Before }, expect: { body displayName: Before }, capture: { user: body id } }
  - uses: create-user
    name: second
    setup: false
    cleanup: false
    with: { userName: "{{ unique.email.second }}" }
  - name: read
    request: { method: GET, path: "/Users/{{ user }}" }
    expect: { status: 200, body userName: "{{ create: request body userName }}" }
"#;

#[test]
fn a_step_that_uses_a_fixture_sends_its_request_with_the_overrides() {
    let scenarios = load(USES);
    let [first, second, _] = &scenarios[0].steps[..] else {
        panic!("three steps")
    };
    assert_eq!(first.name, "create");
    assert!(first.setup && first.track_created);
    assert_eq!(first.request.method, "POST");
    assert_eq!(first.request.path.shape(), "/Users");
    let Some(crate::suite::model::Body::Json(TemplateValue::Object(body))) = &first.request.body
    else {
        panic!("a JSON body")
    };
    let keys: Vec<&str> = body.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["schemas", "userName", "displayName"]);
    assert_eq!(
        first.expect.status.as_ref().map(|s| s.any_of.clone()),
        Some(vec![201])
    );
    assert_eq!(first.expect.body[0].path.text, "displayName");
    assert!(first.request.loc.file.name.contains("fixtures.yaml"));
    assert_eq!(second.name, "second");
    assert!(!second.setup && !second.track_created);
    let Some(crate::suite::model::Body::Json(TemplateValue::Object(body))) = &second.request.body
    else {
        panic!("a JSON body")
    };
    let TemplateValue::String(user_name) = &body[1].1 else {
        panic!("a template")
    };
    assert_eq!(user_name.shape(), "{{ unique.email.second }}");
}

#[test]
fn a_misused_fixture_is_an_error_at_the_step() {
    let found = errors(
        "format: 2\nid: a.b\ntitle: t\nsteps:\n  - { uses: create-usr }\n  - { uses: create-user, request: { method: GET, path: / } }\n  - { name: x, with: { a: 1 }, request: { method: GET, path: / } }\n",
    );
    assert_eq!(
        found,
        [
            "f2.yaml:5:13: unknown fixture 'create-usr'",
            "f2.yaml:6:35: a step that uses a fixture sends the fixture's request",
            "f2.yaml:7:22: 'with' sets attributes of a fixture's body: add `uses:`",
        ]
    );
}

#[test]
fn fixtures_files_beside_the_scenarios_add_fixtures_and_a_broken_one_is_reported_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = "format: 2\nfixtures:\n  read-me:\n    name: read\n    request: { method: GET, path: /Me }\n    expect: { status: 200 }\n  broken:\n    request: { method: GET, path: \"/{{ nobody }}\" }\n";
    std::fs::write(dir.path().join("fixtures.yaml"), fixtures).expect("write");
    let scenario = "format: 2\nid: a.b\ntitle: t\nsteps:\n  - { uses: create-user, capture: { user: body id } }\n  - uses: read-me\n  - { uses: read-me, name: again, expect: { body id: \"{{ user }}\" } }\n";
    std::fs::write(dir.path().join("a.yaml"), scenario).expect("write");
    let suite = crate::suite::load_paths(&[dir.path().to_path_buf()], &LoadOptions::default())
        .expect("loads");
    let names: Vec<&str> = suite.scenarios[0]
        .steps
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["create", "read", "again"]);
    assert_eq!(suite.scenarios[0].steps[2].request.path.shape(), "/Me");

    let twice = "format: 2\nid: c.d\ntitle: t\nsteps:\n  - { uses: broken, name: one }\n  - { uses: broken, name: two }\n";
    std::fs::write(dir.path().join("b.yaml"), twice).expect("write");
    let findings = crate::suite::lint(&[dir.path().to_path_buf()], &LoadOptions::default());
    let errors: Vec<String> = findings
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}:{}: {}", d.loc.line, d.loc.col, d.message))
        .collect();
    assert_eq!(errors, ["8:37: undefined variable 'nobody'"]);
    let error = findings.iter().find(|d| d.is_error()).expect("an error");
    assert!(error.loc.file.name.ends_with("fixtures.yaml"));
}

#[test]
fn a_use_of_a_shared_fixture_names_it_and_cannot_change_it() {
    let scenarios = load(
        "format: 2\nid: a.b\ntitle: t\nsteps:\n  - { uses: shared-user, capture: { user: body id } }\n  - { name: read, request: { method: GET, path: \"/Users/{{ pool: request body userName }}\" }, expect: { status: 200 } }\n",
    );
    let pool = &scenarios[0].steps[0];
    assert_eq!(pool.name, "pool");
    assert_eq!(pool.shared.as_deref(), Some("shared-user"));
    assert_eq!(scenarios[0].steps[1].shared, None);

    let found = errors(
        "format: 2\nid: a.b\ntitle: t\nsteps:\n  - { uses: shared-user, with: { title: X } }\n  - { uses: shared-user-other, cleanup: false }\n  - { name: read, request: { method: GET, path: / }, expect: { status: 200 } }\n",
    );
    assert_eq!(
        found,
        [
            "f2.yaml:5:32: 'with' cannot change a shared fixture",
            "f2.yaml:6:41: 'cleanup' cannot change a shared fixture",
        ]
    );
}

#[test]
fn a_shared_fixture_refers_to_no_step_and_is_always_cleaned_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = "format: 2\nfixtures:\n  mine:\n    shared: true\n    cleanup: false\n    request: { method: GET, path: \"/Users/{{ user }}\" }\n    expect: { status: 200 }\n";
    std::fs::write(dir.path().join("fixtures.yaml"), fixtures).expect("write");
    let scenario = "format: 2\nid: a.b\ntitle: t\nsteps:\n  - { uses: create-user, capture: { user: body id } }\n  - uses: mine\n  - { name: read, request: { method: GET, path: / }, expect: { status: 200 } }\n";
    std::fs::write(dir.path().join("a.yaml"), scenario).expect("write");
    let findings = crate::suite::lint(&[dir.path().to_path_buf()], &LoadOptions::default());
    let errors: Vec<String> = findings
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}:{}: {}", d.loc.line, d.loc.col, d.message))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("5:14: a shared fixture is always deleted"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("'user' is used before it is captured"),
        "{errors:?}"
    );
}

fn patch_then(read: &str) -> String {
    format!(
        r#"
format: 2
id: a.b
title: t
steps:
  - name: create
    request: {{ method: POST, path: /Users, body: {{ userName: x }} }}
    expect: {{ status: 201 }}
    capture: {{ user: body id }}
  - name: patch
    request: {{ method: PATCH, path: "/Users/{{{{ user }}}}", body: {{ Operations: [] }} }}
    expect: {{ status: [200, 204] }}
{read}"#
    )
}

#[test]
fn a_read_may_say_it_rereads_an_earlier_put_or_patch() {
    let text = patch_then(
        "  - name: read\n    rereads: patch\n    request: { method: GET, path: \"/Users/{{ user }}\" }\n    expect: { status: 200 }\n",
    );
    let scenarios = load(&text);
    let rereads = scenarios[0].steps[2]
        .rereads
        .as_ref()
        .map(|r| r.value.as_str());
    assert_eq!(rereads, Some("patch"));
}

#[test]
fn rereads_names_an_earlier_write_and_sits_on_a_plain_get_without_header_checks() {
    let read = |rereads: &str, request: &str, expect: &str| {
        errors(&patch_then(&format!(
            "  - name: read\n    rereads: {rereads}\n    request: {request}\n    expect: {expect}\n"
        )))
    };
    let get = "{ method: GET, path: \"/Users/{{ user }}\" }";
    let cases = [
        (
            read("nothing", get, "{ status: 200 }"),
            "names no step: 'nothing'",
        ),
        (read("create", get, "{ status: 200 }"), "a POST"),
        (
            read("read", get, "{ status: 200 }"),
            "which does not come before it",
        ),
        (
            read(
                "patch",
                "{ method: DELETE, path: \"/Users/{{ user }}\" }",
                "{ status: 204 }",
            ),
            "on a DELETE",
        ),
        (
            read(
                "patch",
                "{ method: GET, path: \"/Users/{{ user }}\", query: { attributes: userName } }",
                "{ status: 200 }",
            ),
            "its own query, headers or body",
        ),
        (
            read("patch", get, "{ status: 200, header ETag: present }"),
            "checks headers",
        ),
    ];
    for (errors, expected) in cases {
        assert!(
            errors.iter().any(|e| e.starts_with("f2.yaml:14")
                && e.contains("'rereads'")
                && e.contains(expected)),
            "{expected}: {errors:?}"
        );
    }
}
