use serde_json::json;

use super::*;
use crate::profile::{Profiles, parse};

fn adapter(profile_yaml: &str, vars: &[(&str, &str)]) -> Result<Adapter, String> {
    let profile = parse("p.yaml", profile_yaml).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let vars = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    Adapter::new(&Profiles::new(vec![profile]), &vars)
}

struct Sent {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Value,
    outcome: Result<(), String>,
}

fn send(adapter: &Adapter, method: &str, path: &str, body: Value, setup: bool) -> Sent {
    let mut query = vec![(
        "filter".to_owned(),
        "userName eq \"ada@example.com\"".to_owned(),
    )];
    let mut headers = Vec::new();
    let mut body = body;
    let outcome = adapter.apply(Outgoing {
        method,
        path,
        query: &mut query,
        headers: &mut headers,
        body: Some(&mut body),
        setup,
    });
    Sent {
        query,
        headers,
        body,
        outcome,
    }
}

const TALENTECH_LIKE: &str = "name: t\ntitle: T\ndialect:\n  patch_ops: { replace: Replace, add: Add }\n  path_ops: { roles: Add }\n  patch_schemas: omit\n  content_type: application/json\n  unquoted_filters: [userName]\n";

#[test]
fn a_patch_is_spelled_in_the_dialect_with_roles_only_by_add_and_no_schemas() {
    let adapter = adapter(TALENTECH_LIKE, &[]).unwrap();
    let sent = send(
        &adapter,
        "PATCH",
        "/Users/1",
        json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [
            {"op": "replace", "path": "active", "value": false},
            {"op": "replace", "path": "roles", "value": [{"value": "x"}]},
            {"op": "add", "path": "emails", "value": []}]}),
        false,
    );
    assert_eq!(sent.outcome, Ok(()));
    assert_eq!(
        sent.body,
        json!({"Operations": [
            {"op": "Replace", "path": "active", "value": false},
            {"op": "Add", "path": "roles", "value": [{"value": "x"}]},
            {"op": "Add", "path": "emails", "value": []}]})
    );
    assert_eq!(
        sent.headers,
        vec![("Content-Type".to_owned(), "application/json".to_owned())]
    );
    assert_eq!(sent.query[0].1, "userName eq ada@example.com");
}

#[test]
fn without_a_dialect_nothing_changes() {
    let adapter = adapter("name: t\ntitle: T\n", &[]).unwrap();
    let body = json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let sent = send(&adapter, "PATCH", "/Users/1", body.clone(), false);
    assert_eq!(sent.body, body);
    assert!(sent.headers.is_empty());
    assert_eq!(sent.query[0].1, "userName eq \"ada@example.com\"");
}

#[test]
fn a_filter_value_with_a_space_keeps_its_quotes_and_the_server_puts_bare_ones_back() {
    let listed = vec!["username".to_owned()];
    assert_eq!(
        unquote_filter("userName eq \"a b\"", &listed),
        "userName eq \"a b\""
    );
    assert_eq!(
        unquote_filter("externalId eq \"x\"", &listed),
        "externalId eq \"x\""
    );
    assert_eq!(
        requote_filter("userName eq ada@x.io"),
        "userName eq \"ada@x.io\""
    );
    assert_eq!(requote_filter("active eq true"), "active eq true");
    assert_eq!(requote_filter("userName sw \"a\""), "userName sw \"a\"");
}

const TEMPLATE: &str = "name: s\ntitle: S\nvars: { role: user }\ncreate_template:\n  User:\n    role: \"{{ vars.role }}\"\n    Core team: \"{{ vars.core_team }}\"\n    urn:example:ext:\n      unit: \"{{ vars.unit }}\"\n";

#[test]
fn the_create_template_fills_what_a_created_user_lacks_from_vars() {
    let adapter = adapter(TEMPLATE, &[("core_team", "Sales"), ("unit", "HQ")]).unwrap();
    let sent = send(
        &adapter,
        "POST",
        "/Users",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "role": "advisor"}),
        false,
    );
    assert_eq!(sent.body["role"], "advisor", "what the scenario sends wins");
    assert_eq!(sent.body["Core team"], "Sales");
    assert_eq!(sent.body["urn:example:ext"], json!({"unit": "HQ"}));
    assert_eq!(sent.body["schemas"][1], "urn:example:ext");
    let group = send(
        &adapter,
        "POST",
        "/Groups",
        json!({"displayName": "g"}),
        false,
    );
    assert_eq!(group.body, json!({"displayName": "g"}));
}

#[test]
fn a_template_variable_nobody_gives_is_named_in_the_error() {
    let message = adapter(TEMPLATE, &[("unit", "HQ")]).unwrap_err();
    assert!(message.contains("--var core_team=VALUE"), "{message}");
}

const FIELDS: &str =
    "name: k\ntitle: K\nfields:\n  User: [userName, name.givenName, name.familyName, active]\n";

#[test]
fn the_allow_list_strips_bodies_and_skips_a_patch_of_an_unsupported_attribute() {
    let adapter = adapter(FIELDS, &[]).unwrap();
    let body =
        json!({"userName": "a", "name": {"givenName": "A", "formatted": "A B"}, "title": "x"});
    let sent = send(&adapter, "POST", "/Users", body, false);
    assert_eq!(sent.outcome, Ok(()));
    assert_eq!(
        sent.body,
        json!({"userName": "a", "name": {"givenName": "A"}})
    );
    let patch = send(
        &adapter,
        "PATCH",
        "/Users/1",
        json!({"Operations": [{"op": "replace", "path": "nickName", "value": "n"}]}),
        false,
    );
    assert!(patch.outcome.unwrap_err().contains("nickName"));
    let fine = send(
        &adapter,
        "PATCH",
        "/Users/1",
        json!({"Operations": [{"op": "replace", "path": "name.givenName", "value": "n"}]}),
        false,
    );
    assert_eq!(fine.outcome, Ok(()));
}

#[test]
fn a_later_profile_overrides_cleanup_and_adds_to_the_dialect() {
    let first = parse(
        "a.yaml",
        "name: a\ntitle: A\ncleanup: none\ndialect: { patch_ops: { add: Add } }\n",
    )
    .unwrap();
    let second = parse("b.yaml", "name: b\ntitle: B\ncleanup: deactivate\n").unwrap();
    let adapter = Adapter::new(&Profiles::new(vec![first, second]), &BTreeMap::new()).unwrap();
    assert_eq!(adapter.cleanup, Cleanup::Deactivate);
    assert_eq!(adapter.dialect.patch_ops["add"], "Add");
}

#[test]
fn resource_types_are_read_from_relative_and_absolute_paths() {
    assert_eq!(resource_type("/Users"), Some("User"));
    assert_eq!(resource_type("http://h/scim/Users/abc"), Some("User"));
    assert_eq!(resource_type("/Groups/abc?x=1"), Some("Group"));
    assert_eq!(resource_type("/Users/abc/extra"), None);
    assert_eq!(resource_type("/Bulk"), None);
}

#[test]
fn a_scenario_that_checks_an_attribute_left_out_is_skipped_before_it_starts() {
    let text = "id: s.title\ntitle: t\nrequirement: [RFC7644-3.3]\nseverity: must\ntags: [users]\nrequires: [users]\nsteps:\n  - name: create\n    request:\n      method: POST\n      path: /Users\n      body: { userName: a, title: Boss }\n    expect:\n      status: 201\n      body: { title: Boss }\n---\nid: s.name\ntitle: t\nrequirement: [RFC7644-3.3]\nseverity: must\ntags: [users]\nrequires: [users]\nsteps:\n  - name: create\n    request:\n      method: POST\n      path: /Users\n      body: { userName: a }\n    expect:\n      status: 201\n      body: { userName: a }\n";
    let scenarios = crate::suite::load_source("s.yaml", text, &Default::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let suite = crate::suite::model::Suite { scenarios };
    let mut plan = crate::plan::select(&suite, &Default::default());
    adapter(FIELDS, &[]).unwrap().gate(&mut plan);
    let reason = plan.scenarios[0]
        .skip
        .as_ref()
        .map(|s| s.reason.clone())
        .unwrap_or_default();
    assert!(reason.contains("title at /Users"), "{reason}");
    assert!(plan.scenarios[1].skip.is_none());
}
