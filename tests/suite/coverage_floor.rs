//! The coverage figure never drops: the built-in suite checks at least `FLOOR` of the
//! catalog's server MUSTs with a scenario of severity must, counted as `list --coverage`
//! counts them. Raise the floor when scenarios add to it.

use scimcheck::catalog::Catalog;
use scimcheck::result::{CitingScenario, Coverage};
use scimcheck::suite::{self, LoadOptions};

/// Server MUSTs of the catalog checked at must by the built-in suite, as measured.
const FLOOR: usize = 263;

#[test]
fn the_built_in_suite_checks_at_least_the_floor_of_musts_at_must() {
    let suite = suite::load_builtin(&LoadOptions::default()).expect("the built-in suite loads");
    let catalog = Catalog::builtin().expect("the built-in catalog loads");
    let citing = suite.scenarios.iter().map(|s| CitingScenario {
        requirement: &s.requirement,
        severity: s.severity,
    });
    let coverage = Coverage::of(catalog, citing, |_| true);
    let at_must = coverage.overall.musts_at_must;
    assert!(
        at_must >= FLOOR,
        "only {at_must} server MUSTs are checked at must, below the floor of {FLOOR}; \
         `scimcheck list --coverage` lists those without a must scenario"
    );
}
