//! Every requirement id a shipped scenario names is a section of docs/requirements.md or
//! a statement of the built-in requirement catalog, and every section listed there is
//! checked by some scenario.

use std::collections::BTreeSet;
use std::path::PathBuf;

use scimcheck::catalog::{Catalog, Level};
use scimcheck::suite::{self, LoadOptions};
use scimcheck::vocabulary::Severity;

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
    let statements = Catalog::builtin().expect("the built-in catalog loads");
    let missing: Vec<String> = scenario_ids()
        .difference(&catalog_ids())
        .filter(|id| statements.get(id).is_none())
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "neither in docs/requirements.md nor a catalog statement: {missing:?}"
    );
}

/// A built-in scenario that fails a server at must names a MUST of the catalog that it
/// checks: the severity follows the RFC, not our taste.
#[test]
fn every_built_in_must_scenario_names_a_must_statement_it_checks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let suite = suite::load_paths(&[root.join("suites/core")], &LoadOptions::default())
        .expect("the core suite loads");
    let statements = Catalog::builtin().expect("the built-in catalog loads");
    let without: Vec<&str> = suite
        .scenarios
        .iter()
        .filter(|s| s.severity == Severity::Must)
        .filter(|s| {
            !s.requirement
                .iter()
                .filter_map(|id| statements.get(id))
                .any(|r| r.level == Level::Must)
        })
        .map(|s| s.id.as_str())
        .collect();
    assert!(
        without.is_empty(),
        "must, but cite no MUST of the catalog: {without:?}"
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
