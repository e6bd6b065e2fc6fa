//! Every requirement id a shipped scenario names is in docs/requirements.md, and every id
//! listed there is checked by some scenario.

use std::collections::BTreeSet;
use std::path::PathBuf;

use scimcheck::suite::{self, LoadOptions};

fn catalog_ids() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/requirements.md"))
            .expect("docs/requirements.md is readable");
    text.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect()
}

fn scenario_ids() -> BTreeSet<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let suites = [root.join("suites/core"), root.join("suites/examples")];
    let suite = suite::load_paths(&suites, &LoadOptions::default()).expect("shipped suites load");
    suite
        .scenarios
        .iter()
        .flat_map(|s| s.requirement.iter().cloned())
        .collect()
}

#[test]
fn every_requirement_a_scenario_names_is_in_the_catalog() {
    let missing: Vec<String> = scenario_ids().difference(&catalog_ids()).cloned().collect();
    assert!(
        missing.is_empty(),
        "not in docs/requirements.md: {missing:?}"
    );
}

#[test]
fn every_catalog_entry_is_checked_by_a_scenario() {
    let unused: Vec<String> = catalog_ids().difference(&scenario_ids()).cloned().collect();
    assert!(
        unused.is_empty(),
        "listed in docs/requirements.md but checked by no scenario: {unused:?}"
    );
}
