//! Each kind of mistake in a scenario file gives an error at its file:line:col with a
//! precise message (and a suggestion where one helps).

use std::path::PathBuf;

use scimcheck::diag::Diagnostics;
use scimcheck::suite::{LoadOptions, lint, load_paths, load_source};

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from("tests/fixtures/suites").join(name)
}

/// Loads `text` as `x.yaml` and returns the error diagnostics.
fn errors_of(text: &str) -> Diagnostics {
    match load_source("x.yaml", text, &LoadOptions::default()) {
        Ok(s) => panic!("expected errors, loaded {} scenarios", s.len()),
        Err(d) => d,
    }
}

/// The headlines (`x.yaml:L:C: error: ...`) of the errors.
fn headlines(text: &str) -> Vec<String> {
    errors_of(text).iter().map(|d| d.headline()).collect()
}

/// The headline and hint of the only error.
fn only_error(text: &str) -> (String, Option<String>) {
    let d = errors_of(text);
    assert_eq!(d.len(), 1, "expected one error, got:\n{d}");
    let e = &d.0[0];
    (e.headline(), e.hint.clone())
}

/// A one-step scenario whose step is `step` (indented as a list item body).
fn with_step(step: &str) -> String {
    format!("id: users.x\ntitle: t\nsteps:\n  - name: one\n{step}")
}

#[test]
fn an_unknown_key_suggests_the_closest_valid_one() {
    let text =
        with_step("    request: { method: GET, path: /Users }\n    expect:\n      stauts: 200\n");
    assert_eq!(
        only_error(&text),
        (
            "x.yaml:7:7: error: unknown key 'stauts' in expect".to_owned(),
            Some("did you mean 'status'?".to_owned())
        )
    );
    snapshot("unknown_key", &errors_of(&text).render(false));
}

#[test]
fn an_unknown_key_far_from_any_lists_the_valid_keys() {
    let (headline, hint) = only_error(
        "id: users.x\ntitle: t\ntimeout: 5\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n",
    );
    assert_eq!(
        headline,
        "x.yaml:3:1: error: unknown key 'timeout' in scenario"
    );
    assert_eq!(
        hint.as_deref(),
        Some(
            "valid keys are: format, id, title, requirement, severity, tags, requires, exclusive, area, vars, steps"
        )
    );
}

#[test]
fn a_value_of_the_wrong_type_says_what_was_expected() {
    let text = with_step(
        "    cleanup: \"no\"\n    request: { method: GET, path: /Users }\n    expect: { status: \"200\" }\n",
    );
    assert_eq!(
        headlines(&text),
        [
            "x.yaml:5:14: error: expected true or false for 'cleanup', found a string",
            "x.yaml:7:23: error: expected an HTTP status code (or a list of them) for 'status', found a string",
        ]
    );
    assert_eq!(
        headlines("id: users.x\ntitle: [a]\nsteps: {}\n"),
        [
            "x.yaml:2:8: error: expected a string for 'title', found a list",
            "x.yaml:3:8: error: expected a list of steps for 'steps', found a mapping",
        ]
    );
}

#[test]
fn a_missing_id_is_reported_at_the_scenario() {
    let (headline, _) = only_error(
        "title: t\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n",
    );
    assert_eq!(
        headline,
        "x.yaml:1:1: error: missing required key 'id' in scenario"
    );
    let d = errors_of("title: t\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n");
    snapshot("missing_id", &d.render(false));
}

#[test]
fn missing_request_keys_are_each_reported() {
    let text = with_step("    request: { query: { a: 1 } }\n");
    assert_eq!(
        headlines(&text),
        [
            "x.yaml:5:14: error: missing required key 'method' in request",
            "x.yaml:5:14: error: missing required key 'path' in request",
        ]
    );
}

#[test]
fn an_invalid_id_says_what_an_id_looks_like() {
    let (headline, hint) = only_error(
        "id: Users.Create\ntitle: t\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n",
    );
    assert_eq!(
        headline,
        "x.yaml:1:5: error: invalid scenario id 'Users.Create'"
    );
    assert!(hint.is_some_and(|h| h.contains("users.create.basic")));
}

#[test]
fn a_duplicate_id_across_files_names_both_places() {
    let err = load_paths(&[fixture("dup")], &LoadOptions::default()).expect_err("duplicate");
    assert_eq!(err.len(), 1);
    let d = &err.0[0];
    assert_eq!(
        d.headline(),
        "tests/fixtures/suites/dup/b.yaml:2:5: error: duplicate scenario id 'users.duplicate'"
    );
    assert_eq!(
        d.notes,
        ["first defined at tests/fixtures/suites/dup/a.yaml:1:5"]
    );
    snapshot("duplicate_id", &err.render(false));
}

#[test]
fn a_duplicate_step_name_names_the_first_one() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n";
    let d = errors_of(text);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d.0[0].headline(),
        "x.yaml:7:11: error: duplicate step name 'one'"
    );
    assert_eq!(d.0[0].notes, ["first used at line 4"]);
}

#[test]
fn an_undefined_variable_points_at_its_hole() {
    let text = with_step(
        "    request: { method: GET, path: \"/Users/{{ usr }}\" }\n    expect: { status: 200 }\n",
    );
    let (headline, hint) = only_error(&text);
    assert_eq!(headline, "x.yaml:5:43: error: undefined variable 'usr'");
    assert_eq!(hint, None);
    snapshot("undefined_variable", &errors_of(&text).render(false));
}

#[test]
fn an_undefined_variable_suggests_a_visible_capture() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: create\n    request: { method: POST, path: /Users }\n    expect: { status: 201 }\n    capture: { user: body.id }\n  - name: read\n    request: { method: GET, path: \"/Users/{{ usr }}\" }\n    expect: { status: 200 }\n";
    let (headline, hint) = only_error(text);
    assert_eq!(headline, "x.yaml:9:43: error: undefined variable 'usr'");
    assert_eq!(hint.as_deref(), Some("did you mean 'user'?"));
}

#[test]
fn an_undeclared_run_variable_says_how_to_declare_it() {
    let text = with_step(
        "    request: { method: GET, path: \"/Users?x={{ vars.tenant }}\" }\n    expect: { status: 200 }\n",
    );
    let (headline, hint) = only_error(&text);
    assert_eq!(
        headline,
        "x.yaml:5:45: error: undefined variable 'vars.tenant'"
    );
    assert_eq!(
        hint.as_deref(),
        Some("declare it under the scenario's `vars:` or give it with `--var tenant=VALUE`")
    );
}

#[test]
fn a_capture_used_before_its_step_names_the_capturing_step() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: read\n    request: { method: GET, path: \"/Users/{{ user }}\" }\n    expect: { status: 200 }\n  - name: create\n    request: { method: POST, path: /Users }\n    expect: { status: 201 }\n    capture: { user: body.id }\n";
    let (headline, _) = only_error(text);
    assert_eq!(
        headline,
        "x.yaml:5:43: error: 'user' is used before it is captured: step 'create' (line 7) captures it, a later step"
    );
    snapshot("capture_before_defined", &errors_of(text).render(false));
}

#[test]
fn a_capture_is_not_visible_in_its_own_step() {
    let text = with_step(
        "    request: { method: POST, path: /Users }\n    expect: { status: 201, body: { id: \"{{ user }}\" } }\n    capture: { user: body.id }\n",
    );
    let (headline, _) = only_error(&text);
    assert_eq!(
        headline,
        "x.yaml:6:41: error: 'user' is used before it is captured: step 'one' (line 4) captures it, this step; a capture is available from the next step on"
    );
}

#[test]
fn a_reference_to_a_later_or_unknown_step_is_an_error() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: first\n    request: { method: GET, path: \"/Users/{{ steps.second.response.body.id }}\" }\n    expect: { status: 200 }\n  - name: second\n    request: { method: GET, path: \"/Users/{{ steps.frist.response.body.id }}\" }\n    expect: { status: 200 }\n";
    let d = errors_of(text);
    let lines: Vec<String> = d.iter().map(|e| e.headline()).collect();
    assert_eq!(
        lines,
        [
            "x.yaml:5:43: error: step 'second' (line 7) runs after this one; only earlier steps can be referred to",
            "x.yaml:8:43: error: unknown step 'frist'",
        ]
    );
    assert_eq!(d.0[1].hint.as_deref(), Some("did you mean 'steps.first'?"));
}

#[test]
fn a_request_cannot_refer_to_its_own_step() {
    let (headline, _) = only_error(&with_step(
        "    request: { method: GET, path: \"/x/{{ steps.one.response.status }}\" }\n    expect: { status: 200 }\n",
    ));
    assert!(
        headline.starts_with("x.yaml:5:39: error: step 'one' cannot refer to its own response"),
        "{headline}"
    );
}

#[test]
fn an_unknown_schema_name_suggests_a_built_in_one() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect: { status: 200, schema: ListResponce }\n",
    );
    assert_eq!(
        only_error(&text),
        (
            "x.yaml:6:36: error: unknown schema 'ListResponce'".to_owned(),
            Some("did you mean 'ListResponse'?".to_owned())
        )
    );
}

#[test]
fn a_declared_schema_name_is_accepted_for_any_resource_type() {
    for name in ["declared:User", "declared:Group", "declared:Device"] {
        let text = with_step(&format!(
            "    request: {{ method: GET, path: /Users }}\n    expect: {{ status: 200, schema: \"{name}\" }}\n"
        ));
        let scenarios = load_source("x.yaml", &text, &LoadOptions::default())
            .unwrap_or_else(|d| panic!("{name}: {}", d.render(false)));
        let expect = &scenarios[0].steps[0].expect;
        assert_eq!(expect.schema.as_ref().map(|s| s.value.as_str()), Some(name));
    }
}

#[test]
fn a_declared_schema_name_needs_a_resource_type() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect: { status: 200, schema: \"declared:\" }\n",
    );
    let (headline, hint) = only_error(&text);
    assert_eq!(
        headline,
        "x.yaml:6:36: error: 'declared:' names no resource type"
    );
    assert!(hint.unwrap_or_default().contains("declared:User"));
}

#[test]
fn an_unknown_capability_suggests_the_closest() {
    let text = "id: users.x\ntitle: t\nrequires: [users, enterprise_user]\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n";
    assert_eq!(
        only_error(text),
        (
            "x.yaml:3:19: error: unknown capability 'enterprise_user'".to_owned(),
            Some("did you mean 'enterprise-user'?".to_owned())
        )
    );
    snapshot("unknown_capability", &errors_of(text).render(false));
}

#[test]
fn a_regex_that_does_not_compile_is_a_load_error() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      body: { userName: { regex: \"^(a\" } }\n",
    );
    let (headline, _) = only_error(&text);
    assert_eq!(
        headline,
        "x.yaml:8:34: error: invalid regex: unclosed group"
    );
    snapshot("bad_regex", &errors_of(&text).render(false));
}

#[test]
fn a_regex_with_holes_is_checked_at_run_time_only() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      body: { userName: { regex: \"^{{ unique.email }}(\" } }\n",
    );
    assert!(load_source("x.yaml", &text, &LoadOptions::default()).is_ok());
}

#[test]
fn an_unknown_matcher_suggests_an_operator_or_equals() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      body:\n        name: { givenName: Ada }\n        id: { presnt: true }\n",
    );
    let d = errors_of(&text);
    let found: Vec<(String, Option<String>)> =
        d.iter().map(|e| (e.headline(), e.hint.clone())).collect();
    assert_eq!(
        found,
        [
            (
                "x.yaml:9:17: error: unknown matcher 'givenName'".to_owned(),
                Some("to compare with a mapping, write it under `equals:`".to_owned())
            ),
            (
                "x.yaml:10:15: error: unknown matcher 'presnt'".to_owned(),
                Some("did you mean 'present'?".to_owned())
            ),
        ]
    );
}

#[test]
fn a_yaml_syntax_error_has_a_position() {
    let err = load_paths(&[fixture("errors/syntax.yaml")], &LoadOptions::default())
        .expect_err("syntax error");
    assert_eq!(err.len(), 1);
    let d = &err.0[0];
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
    assert_eq!(d.loc.file.name, "tests/fixtures/suites/errors/syntax.yaml");
    assert!(d.loc.line >= 5, "{}", d.headline());
    snapshot("yaml_syntax", &err.render(false));
}

#[test]
fn a_duplicate_yaml_key_is_an_error() {
    let (headline, _) = only_error("id: users.x\ntitle: t\nid: users.y\nsteps: []\n");
    assert_eq!(
        headline,
        "x.yaml:3:1: error: invalid YAML: duplicate mapping key `id` is not allowed here"
    );
}

#[test]
fn an_unclosed_hole_is_reported_at_its_braces() {
    let text = with_step(
        "    request: { method: GET, path: \"/Users/{{ user\" }\n    expect: { status: 200 }\n",
    );
    assert_eq!(
        only_error(&text),
        (
            "x.yaml:5:43: error: unclosed '{{': expected '}}'".to_owned(),
            Some("write a literal '{{' as {{ \"{{\" }}".to_owned())
        )
    );
    snapshot("unclosed_hole", &errors_of(&text).render(false));
}

#[test]
fn a_malformed_expression_says_which_forms_exist() {
    let (headline, hint) = only_error(&with_step(
        "    request: { method: GET, path: \"/Users/{{ unique.mail }}\" }\n    expect: { status: 200 }\n",
    ));
    assert_eq!(
        headline,
        "x.yaml:5:43: error: unknown unique value 'unique.mail'"
    );
    assert_eq!(hint.as_deref(), Some("did you mean 'unique.email'?"));
}

#[test]
fn all_mistakes_of_a_file_are_reported_together() {
    let err = load_paths(&[fixture("errors/many.yaml")], &LoadOptions::default())
        .expect_err("many errors");
    let lines: Vec<String> = err
        .iter()
        .map(|d| d.headline().replace("tests/fixtures/suites/errors/", ""))
        .collect();
    assert_eq!(
        lines,
        [
            "many.yaml:4:19: error: unknown capability 'grups'",
            "many.yaml:9:15: error: unknown HTTP method 'PSOT'",
            "many.yaml:11:26: error: unknown unique value 'unique.mail'",
            "many.yaml:13:7: error: unknown key 'stauts' in expect",
            "many.yaml:14:15: error: unknown schema 'Usr'",
            "many.yaml:16:22: error: invalid regex: unclosed group",
            "many.yaml:17:17: error: unknown matcher 'equal'",
            "many.yaml:20:43: error: undefined variable 'usr'",
        ]
    );
    snapshot("many_errors", &err.render(false));
}

#[test]
fn body_and_raw_body_are_exclusive() {
    let (headline, _) = only_error(&with_step(
        "    request: { method: POST, path: /Users, body: {}, raw_body: \"{}\" }\n    expect: { status: 400 }\n",
    ));
    assert_eq!(
        headline,
        "x.yaml:5:64: error: 'body' and 'raw_body' cannot both be given"
    );
}

#[test]
fn a_status_code_out_of_range_is_refused() {
    let (headline, _) = only_error(&with_step(
        "    request: { method: GET, path: /Users }\n    expect: { status: [200, 2000] }\n",
    ));
    assert_eq!(headline, "x.yaml:6:29: error: status code out of range");
}

#[test]
fn a_path_must_be_relative_to_the_base_url() {
    let (headline, _) = only_error(&with_step(
        "    request: { method: GET, path: Users }\n    expect: { status: 200 }\n",
    ));
    assert_eq!(headline, "x.yaml:5:35: error: 'path' must start with '/'");
}

#[test]
fn a_capture_cannot_shadow_a_variable_or_use_a_reserved_name() {
    let text = "id: users.x\ntitle: t\nvars: { user: bob }\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n    capture: { user: body.id, uuid: body.x, etag: headers.etag, x: body }\n";
    assert_eq!(
        headlines(text),
        [
            "x.yaml:8:16: error: capture 'user' has the name of a scenario variable",
            "x.yaml:8:31: error: 'uuid' is reserved and cannot name a capture",
        ]
    );
}

#[test]
fn an_invalid_capture_source_says_what_is_allowed() {
    let (headline, hint) = only_error(&with_step(
        "    request: { method: GET, path: / }\n    expect: { status: 200 }\n    capture: { user: id }\n",
    ));
    assert_eq!(headline, "x.yaml:7:22: error: invalid capture source 'id'");
    assert_eq!(
        hint.as_deref(),
        Some("a capture takes `body.PATH`, `headers.NAME` or `status`")
    );
}

#[test]
fn a_variable_default_can_only_use_generated_values() {
    let (headline, _) = only_error(
        "id: users.x\ntitle: t\nvars: { a: \"{{ b }}\", b: x }\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n",
    );
    assert_eq!(
        headline,
        "x.yaml:3:13: error: a variable default can only use generated values"
    );
}

#[test]
fn an_empty_scenario_document_is_not_a_scenario() {
    assert_eq!(
        headlines("- just\n- a list\n"),
        ["x.yaml:1:1: error: expected a mapping for scenario, found a list"]
    );
}

#[test]
fn a_missing_path_is_a_clear_error() {
    let err =
        load_paths(&[fixture("no/such/file.yaml")], &LoadOptions::default()).expect_err("missing");
    assert_eq!(
        err.0[0].headline(),
        "tests/fixtures/suites/no/such/file.yaml: error: cannot read: no such file or directory"
    );
    assert_eq!(
        err.render(false),
        "error: cannot read: no such file or directory\n--> tests/fixtures/suites/no/such/file.yaml\n\n1 error"
    );
}

#[test]
fn a_folder_without_scenario_files_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").expect("write");
    let err = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default())
        .expect_err("nothing to load");
    assert!(
        err.0[0]
            .message
            .contains("no scenario files (*.yaml, *.yml)"),
        "{err}"
    );
}

#[test]
fn an_alias_bomb_is_refused_without_hanging() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..16 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = std::time::Instant::now();
    let err = errors_of(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(err.0[0].message.starts_with("invalid YAML: "), "{err}");
}

#[test]
fn deep_nesting_and_huge_files_are_refused() {
    let deep = format!("id: {}x{}\n", "[".repeat(1000), "]".repeat(1000));
    assert!(errors_of(&deep).0[0].message.starts_with("invalid YAML: "));
    let huge = format!("# {}\n", "x".repeat(scimcheck::suite::MAX_FILE_BYTES));
    assert!(
        errors_of(&huge).0[0]
            .message
            .contains("larger than the limit")
    );
}

#[test]
fn lint_adds_warnings_to_the_errors() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: create\n    request: { method: POST, path: /Users }\n    capture: { user: body.id }\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("w.yaml");
    std::fs::write(&path, text).expect("write");
    let findings = lint(std::slice::from_ref(&path), &LoadOptions::default());
    let prefix = format!("{}:", path.display());
    let lines: Vec<String> = findings
        .iter()
        .map(|d| d.headline().replacen(&prefix, "w.yaml:", 1))
        .collect();
    assert_eq!(
        lines,
        [
            "w.yaml:4:5: warning: step 'create' does not check the response status",
            "w.yaml:6:16: warning: capture 'user' is never used by a later step",
        ]
    );
    assert!(load_paths(&[path], &LoadOptions::default()).is_ok());
}

#[test]
fn a_bad_body_path_points_at_the_character() {
    let text = with_step(
        "    request: { method: GET, path: /Users }\n    expect:\n      status: 200\n      body:\n        emails[type equals \"work\"].value: present\n        name..givenName: present\n",
    );
    let d = errors_of(&text);
    let found: Vec<(String, Option<String>, Option<String>)> = d
        .iter()
        .map(|e| (e.headline(), e.label.clone(), e.hint.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "x.yaml:9:21: error: invalid body path: unknown operator 'equals'".to_owned(),
                None,
                Some("did you mean 'eq'?".to_owned())
            ),
            (
                "x.yaml:10:14: error: invalid body path: expected a member name before '.'"
                    .to_owned(),
                None,
                None
            ),
        ]
    );
    snapshot("bad_body_path", &d.render(false));
}

#[test]
fn a_bad_body_path_in_a_capture_or_step_reference_is_an_error() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: one\n    request: { method: GET, path: / }\n    expect: { status: 200 }\n    capture: { user: \"body.Resources[0.id\" }\n  - name: two\n    request: { method: GET, path: \"/x/{{ steps.one.response.body.a[ }}\" }\n    expect: { status: 200 }\n";
    let lines = headlines(text);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0] == "x.yaml:7:39: error: invalid body path: expected ']' after the index",
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("x.yaml:9:39: error: invalid body path 'a[': "),
        "{}",
        lines[1]
    );
}

#[test]
fn setup_steps_come_first_and_leave_something_to_check() {
    let late = "id: users.x\ntitle: t\nsteps:\n  - name: one\n    request: { method: GET, path: /Users }\n    expect: { status: 200 }\n  - name: two\n    setup: true\n    request: { method: GET, path: /Users }\n    expect: { status: 200 }\n";
    assert_eq!(
        only_error(late),
        (
            "x.yaml:7:5: error: setup step 'two' follows a step that is not setup".to_owned(),
            Some("setup steps prepare the scenario: put them first".to_owned())
        )
    );
    let all = with_step(
        "    setup: true\n    request: { method: GET, path: /Users }\n    expect: { status: 200 }\n",
    );
    let (headline, _) = only_error(&all);
    assert!(
        headline.ends_with("every step is setup: nothing is left for the scenario to check"),
        "{headline}"
    );
}
