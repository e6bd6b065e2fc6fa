//! Requirement coverage, counted in statements of the catalog: of the server statements
//! that bind a target, how many some scenario checks, and how many of its MUSTs a
//! scenario of severity must checks. `list --coverage` counts what the selected scenarios
//! cite; a run counts what the scenarios that reached a verdict cite.
//!
//! A statement binds the target when its capability (`when`) is one the target has: a
//! server without bulk owes nothing to bulk's rules. Citing a whole section
//! (`RFC7644-3.12`) checks none of its statements: it says where to read, not what was
//! observed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Outcome, ScenarioResult};
use crate::catalog::{Area, Catalog, Level, Party, Requirement};
use crate::vocabulary::Severity;

/// One scenario as coverage sees it: the ids it cites and the severity it runs at.
#[derive(Debug, Clone, Copy)]
pub struct CitingScenario<'a> {
    pub requirement: &'a [String],
    pub severity: Severity,
}

/// Counts for one area, or for the whole catalog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Server statements that bind the target.
    pub statements: usize,
    /// Of them, those a scenario checks.
    pub checked: usize,
    /// Server MUSTs that bind the target.
    pub musts: usize,
    /// Of them, those a scenario of severity must checks.
    pub musts_at_must: usize,
}

impl Tally {
    /// Whole percent of statements checked, rounded down so 99.6 % never reads as complete.
    pub fn percent(&self) -> usize {
        whole_percent(self.checked, self.statements)
    }

    /// Whole percent of MUSTs checked at must, rounded down.
    pub fn must_percent(&self) -> usize {
        whole_percent(self.musts_at_must, self.musts)
    }

    fn add(&mut self, statement: &Requirement, checked: bool, at_must: bool) {
        self.statements += 1;
        self.checked += usize::from(checked);
        if statement.level == Level::Must {
            self.musts += 1;
            self.musts_at_must += usize::from(at_must);
        }
    }
}

fn whole_percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

/// The counts of one area of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaTally {
    pub area: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// A server MUST that no scenario of severity must checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unchecked {
    pub id: String,
    pub text: String,
}

/// Statement-level coverage of the catalog's server statements that bind the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    #[serde(flatten)]
    pub overall: Tally,
    /// In the catalog's area order; areas with no binding statement are left out.
    pub areas: Vec<AreaTally>,
    /// The binding MUSTs no must scenario checks, in catalog order.
    pub musts_not_at_must: Vec<Unchecked>,
}

impl Coverage {
    /// The coverage of the `citations` against `catalog`; `binds` says whether a server
    /// statement binds the target.
    pub fn of<'a>(
        catalog: &Catalog,
        citations: impl IntoIterator<Item = CitingScenario<'a>>,
        binds: impl Fn(&Requirement) -> bool,
    ) -> Coverage {
        let mut checked = BTreeSet::new();
        let mut at_must = BTreeSet::new();
        for citation in citations {
            for id in citation.requirement {
                checked.insert(id.as_str());
                if citation.severity == Severity::Must {
                    at_must.insert(id.as_str());
                }
            }
        }
        let mut overall = Tally::default();
        let mut areas: BTreeMap<Area, Tally> = BTreeMap::new();
        let mut musts_not_at_must = Vec::new();
        for statement in catalog
            .iter()
            .filter(|r| r.party == Party::Server)
            .filter(|r| binds(r))
        {
            let id = statement.id.as_str();
            let (is_checked, is_at_must) = (checked.contains(id), at_must.contains(id));
            overall.add(statement, is_checked, is_at_must);
            areas
                .entry(statement.area)
                .or_default()
                .add(statement, is_checked, is_at_must);
            if statement.level == Level::Must && !is_at_must {
                musts_not_at_must.push(Unchecked {
                    id: statement.id.clone(),
                    text: statement.text.clone(),
                });
            }
        }
        Coverage {
            overall,
            areas: areas
                .into_iter()
                .map(|(area, tally)| AreaTally {
                    area: area.as_str().to_owned(),
                    tally,
                })
                .collect(),
            musts_not_at_must,
        }
    }

    /// What a run judged, against the built-in catalog: the statements cited by scenarios
    /// that reached a verdict (passed, failed, warned or deviated; not skipped, blocked or
    /// erred), at the severity they ran at. `has` says whether the target has a capability
    /// (`patch`, `bulk`, ...). None when the catalog does not load, which its own tests
    /// rule out.
    pub fn of_run(results: &[ScenarioResult], has: impl Fn(&str) -> bool) -> Option<Coverage> {
        let catalog = Catalog::builtin().ok()?;
        Some(Coverage::of_results(catalog, results, has))
    }

    fn of_results(
        catalog: &Catalog,
        results: &[ScenarioResult],
        has: impl Fn(&str) -> bool,
    ) -> Coverage {
        let judged = results
            .iter()
            .filter(|r| reached_a_verdict(&r.outcome))
            .map(|r| CitingScenario {
                requirement: &r.requirement,
                severity: r.severity,
            });
        Coverage::of(catalog, judged, |r| r.when.as_deref().is_none_or(&has))
    }
}

fn reached_a_verdict(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Pass | Outcome::Fail { .. } | Outcome::Warn { .. } | Outcome::Deviation { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::SkipCause;

    const CATALOG: &str = r#"
requirements:
- id: RFC7644-3.3-create-201
  section: "3.3"
  level: must
  party: server
  area: create
  text: A create answers 201.
- id: RFC7644-3.3-create-location
  section: "3.3"
  level: should
  party: server
  area: create
  text: A create answers with a Location header.
- id: RFC7644-3.5.2-patch-ops
  section: "3.5.2"
  level: must
  party: server
  area: patch
  when: patch
  text: A patch applies its operations.
- id: RFC7644-3.7-bulk-ops
  section: "3.7"
  level: must
  party: server
  area: bulk
  when: bulk
  text: A bulk request applies its operations.
- id: RFC7644-3.3-client-schemas
  section: "3.3"
  level: must
  party: client
  area: create
  text: A client names the schemas of what it creates.
"#;

    fn catalog() -> Catalog {
        Catalog::parse("test.catalog.yaml", CATALOG).expect("the test catalog parses")
    }

    fn result(requirement: &str, severity: Severity, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            requirement: vec![requirement.to_owned()],
            ..ScenarioResult::bare(&requirement.to_lowercase(), severity, outcome)
        }
    }

    fn everything(_: &Requirement) -> bool {
        true
    }

    fn cites(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    fn unchecked_ids(coverage: &Coverage) -> Vec<&str> {
        coverage
            .musts_not_at_must
            .iter()
            .map(|u| u.id.as_str())
            .collect()
    }

    #[test]
    fn only_server_statements_that_bind_the_target_count() {
        let coverage = Coverage::of(&catalog(), [], |r| r.when.is_none());
        assert_eq!(
            coverage.overall,
            Tally {
                statements: 2,
                checked: 0,
                musts: 1,
                musts_at_must: 0
            }
        );
        assert_eq!(unchecked_ids(&coverage), ["RFC7644-3.3-create-201"]);
        assert_eq!(
            Coverage::of(&catalog(), [], everything).overall.statements,
            4
        );
    }

    #[test]
    fn a_must_counts_at_must_only_when_a_must_scenario_cites_it() {
        let should = cites(&["RFC7644-3.3-create-201", "RFC7644-3.3-create-location"]);
        let must = cites(&["RFC7644-3.5.2-patch-ops"]);
        let citations = [
            CitingScenario {
                requirement: &should,
                severity: Severity::Should,
            },
            CitingScenario {
                requirement: &must,
                severity: Severity::Must,
            },
        ];
        let coverage = Coverage::of(&catalog(), citations, everything);
        assert_eq!(
            coverage.overall,
            Tally {
                statements: 4,
                checked: 3,
                musts: 3,
                musts_at_must: 1
            }
        );
        assert_eq!(
            unchecked_ids(&coverage),
            ["RFC7644-3.3-create-201", "RFC7644-3.7-bulk-ops"]
        );
        let create = &coverage.areas[0];
        assert_eq!(create.area, "create");
        assert_eq!((create.tally.checked, create.tally.musts_at_must), (2, 0));
    }

    #[test]
    fn citing_a_whole_section_or_an_unknown_id_checks_no_statement() {
        let ids = cites(&["RFC7644-3.3", "RFC7644-9.9-made-up", "TALENTECH-patch-ops"]);
        let citation = CitingScenario {
            requirement: &ids,
            severity: Severity::Must,
        };
        let coverage = Coverage::of(&catalog(), [citation], everything);
        assert_eq!(coverage.overall.checked, 0);
    }

    #[test]
    fn a_run_counts_scenarios_that_reached_a_verdict_not_skips_or_errors() {
        let results = [
            result(
                "RFC7644-3.3-create-201",
                Severity::Must,
                Outcome::Fail { failures: vec![] },
            ),
            result(
                "RFC7644-3.5.2-patch-ops",
                Severity::Must,
                Outcome::Skip {
                    reason: "not advertised".into(),
                    cause: SkipCause::Latitude,
                },
            ),
            result(
                "RFC7644-3.7-bulk-ops",
                Severity::Must,
                Outcome::Error {
                    message: "timed out".into(),
                },
            ),
        ];
        let coverage = Coverage::of_results(&catalog(), &results, |_: &str| true);
        assert_eq!(coverage.overall.checked, 1);
        assert_eq!(coverage.overall.musts_at_must, 1);
    }

    #[test]
    fn a_run_is_not_held_to_capabilities_the_target_lacks() {
        let without_bulk = Coverage::of_results(&catalog(), &[], |c: &str| c != "bulk");
        assert_eq!(without_bulk.overall.statements, 3);
        let builtin = Coverage::of_run(&[], |_: &str| true).expect("the catalog loads");
        assert!(builtin.overall.statements > 300, "{:?}", builtin.overall);
    }

    #[test]
    fn percentages_round_down_and_nothing_is_zero() {
        let tally = Tally {
            statements: 200,
            checked: 199,
            musts: 3,
            musts_at_must: 2,
        };
        assert_eq!((tally.percent(), tally.must_percent()), (99, 66));
        assert_eq!(Tally::default().percent(), 0);
    }
}
