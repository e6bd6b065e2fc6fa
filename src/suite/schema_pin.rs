//! The scenario JSON Schema (`suites/schemas/scenario.schema.json`, for editors) is
//! written by hand; these tests pin it to the loader's own vocabulary, so a key, matcher,
//! capability or enum value added to one and not the other fails here.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::suite::builtin;
use crate::suite::expect::{EXPECT_KEYS, EXPECT_KEYS_2};
use crate::suite::fixture::{FIXTURE_KEYS, FIXTURES_FILE_KEYS};
use crate::suite::matcher::{OPERATORS, OPERATORS_2, TYPES};
use crate::suite::request::{AUTH_MODES, METHODS, REQUEST_KEYS, REQUEST_KEYS_2};
use crate::suite::scenario::{SCENARIO_KEYS, SEVERITIES, STEP_KEYS, STEP_KEYS_2};
use crate::vocabulary::Capability;

fn schema() -> Value {
    serde_json::from_str(builtin::scenario_schema()).expect("the scenario schema is JSON")
}

fn def<'v>(schema: &'v Value, name: &str) -> &'v Value {
    &schema["$defs"][name]
}

fn keys(value: &Value, field: &str) -> BTreeSet<String> {
    value[field]
        .as_object()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .keys()
        .cloned()
        .collect()
}

fn set<'a>(words: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    words.into_iter().map(str::to_owned).collect()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_schema_names_the_keys_the_loader_reads_in_both_formats() {
    let s = schema();
    for (def_name, loader) in [
        ("scenario", set(SCENARIO_KEYS)),
        ("scenario2", set(SCENARIO_KEYS)),
        ("step", set(STEP_KEYS)),
        ("step2", set(STEP_KEYS_2)),
        ("request", set(REQUEST_KEYS)),
        ("request2", set(REQUEST_KEYS_2)),
        ("expect", set(EXPECT_KEYS)),
        ("fixture", set(FIXTURE_KEYS)),
        ("fixtures", set(FIXTURES_FILE_KEYS)),
    ] {
        assert_eq!(
            keys(def(&s, def_name), "properties"),
            loader,
            "$defs.{def_name}"
        );
    }
}

#[test]
fn the_schema_checks_format_two_expect_keys_as_the_loader_reads_them() {
    let s = schema();
    let expect = def(&s, "expect2");
    let fixed: BTreeSet<String> = EXPECT_KEYS_2
        .iter()
        .filter(|k| !k.contains(' '))
        .map(|k| (*k).to_owned())
        .collect();
    assert_eq!(keys(expect, "properties"), fixed);
    let patterns: Vec<String> = keys(expect, "patternProperties").into_iter().collect();
    let queried: Vec<&str> = EXPECT_KEYS_2
        .iter()
        .filter_map(|k| k.split_once(' ').map(|(word, _)| word))
        .collect();
    assert_eq!(patterns.len(), queried.len());
    for word in queried {
        assert!(
            patterns.iter().any(|p| p.starts_with(&format!("^{word}"))),
            "no pattern for `{word} ...` in {patterns:?}"
        );
    }
}

#[test]
fn the_schema_names_the_matchers_the_loader_reads_in_both_formats() {
    let s = schema();
    assert_eq!(keys(def(&s, "operators"), "properties"), set(OPERATORS));
    assert_eq!(keys(def(&s, "operators2"), "properties"), set(OPERATORS_2));
    let types = set(TYPES.map(|(name, _)| name));
    assert_eq!(
        strings(&def(&s, "operators")["properties"]["type"]["enum"]),
        types
    );
    assert_eq!(
        strings(&def(&s, "operators2")["properties"]["type"]["enum"]),
        types
    );
}

#[test]
fn the_schema_names_the_capabilities_severities_auth_modes_and_methods_of_the_loader() {
    let s = schema();
    for scenario in ["scenario", "scenario2"] {
        let props = &def(&s, scenario)["properties"];
        assert_eq!(
            strings(&props["requires"]["items"]["enum"]),
            set(Capability::names())
        );
        assert_eq!(strings(&props["severity"]["enum"]), set(SEVERITIES));
    }
    for request in ["request", "request2"] {
        let props = &def(&s, request)["properties"];
        assert_eq!(strings(&props["auth"]["enum"]), set(AUTH_MODES));
        let pattern = props["method"]["pattern"].as_str().unwrap_or_default();
        for method in METHODS {
            let spelled: String = method
                .chars()
                .map(|c| format!("[{}{}]", c, c.to_ascii_lowercase()))
                .collect();
            assert!(
                pattern.contains(&spelled),
                "{method} is missing from {pattern}"
            );
        }
        assert_eq!(pattern.matches("|").count() + 1, METHODS.len(), "{pattern}");
    }
}
