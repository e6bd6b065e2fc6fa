//! Requirement coverage: how much of the catalog that binds the target a run judged,
//! counted in RFC sections, since scenarios cite a whole section (`RFC7644-3.12`) as
//! often as one statement of it (`RFC7644-3.12-error-status`).
//!
//! A section binds the target when it holds a server requirement whose capability the
//! target has (a server without bulk owes nothing to bulk's rules). It is judged when a
//! scenario citing it, or a statement in it, reached a verdict (passed, failed, warned
//! or deviated), not when that scenario was skipped, blocked or erred.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Outcome, ScenarioResult};
use crate::catalog::{Catalog, Party};

/// Of the catalog's RFC sections that bind the target, how many the run judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Coverage {
    pub judged: usize,
    pub total: usize,
}

impl Coverage {
    /// Whole percent, rounded down, so 99.6 % never reads as complete.
    pub fn percent(&self) -> usize {
        (self.judged * 100).checked_div(self.total).unwrap_or(0)
    }

    /// The coverage of `results` against the built-in catalog; `has` says whether the
    /// target has a capability (`patch`, `bulk`, ...). None when the catalog does not
    /// load, which its own tests rule out.
    pub fn measure(results: &[ScenarioResult], has: impl Fn(&str) -> bool) -> Option<Coverage> {
        let catalog = Catalog::builtin().ok()?;
        Some(Coverage::of(catalog, results, has))
    }

    fn of(catalog: &Catalog, results: &[ScenarioResult], has: impl Fn(&str) -> bool) -> Coverage {
        let bound: BTreeSet<String> = catalog
            .iter()
            .filter(|r| r.party == Party::Server)
            .filter(|r| r.when.as_deref().is_none_or(&has))
            .map(|r| section_id(r.document.as_str(), &r.section))
            .collect();
        let cited: BTreeSet<String> = results
            .iter()
            .filter(|r| reached_a_verdict(&r.outcome))
            .flat_map(|r| &r.requirement)
            .map(|id| match catalog.get(id) {
                Some(statement) => section_id(statement.document.as_str(), &statement.section),
                None => id.trim().to_owned(),
            })
            .collect();
        Coverage {
            judged: bound.intersection(&cited).count(),
            total: bound.len(),
        }
    }
}

/// `RFC7644-3.12`: how scenarios cite a whole section.
fn section_id(document: &str, section: &str) -> String {
    format!("{document}-{section}")
}

fn reached_a_verdict(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Pass | Outcome::Fail { .. } | Outcome::Warn { .. } | Outcome::Deviation { .. }
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::result::SkipCause;
    use crate::vocabulary::Severity;

    const CATALOG: &str = r#"
requirements:
- id: RFC7644-3.3-create-201
  section: "3.3"
  level: must
  party: server
  area: create
  text: A create answers 201.
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

    fn result(requirement: &str, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            id: requirement.to_lowercase(),
            title: String::new(),
            area: String::new(),
            severity: Severity::Must,
            requirement: vec![requirement.to_owned()],
            tags: Vec::new(),
            file: String::new(),
            outcome,
            duration: Duration::ZERO,
            exchanges: Vec::new(),
            cleanup_errors: Vec::new(),
            leftovers: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn only(capability: &'static str) -> impl Fn(&str) -> bool {
        move |c: &str| c == capability
    }

    #[test]
    fn sections_of_capabilities_the_target_lacks_do_not_count() {
        let coverage = Coverage::of(&catalog(), &[], only("patch"));
        assert_eq!(
            coverage,
            Coverage {
                judged: 0,
                total: 2
            }
        );
        let coverage = Coverage::of(&catalog(), &[], |_: &str| true);
        assert_eq!(coverage.total, 3);
    }

    #[test]
    fn a_section_is_judged_by_a_pass_or_a_failure_not_by_a_skip_or_an_error() {
        let results = [
            result("RFC7644-3.3-create-201", Outcome::Fail { failures: vec![] }),
            result(
                "RFC7644-3.5.2-patch-ops",
                Outcome::Skip {
                    reason: "not advertised".into(),
                    cause: SkipCause::Latitude,
                },
            ),
            result(
                "RFC7644-3.7-bulk-ops",
                Outcome::Error {
                    message: "timed out".into(),
                },
            ),
        ];
        let coverage = Coverage::of(&catalog(), &results, |_: &str| true);
        assert_eq!(
            coverage,
            Coverage {
                judged: 1,
                total: 3
            }
        );
        assert_eq!(coverage.percent(), 33);
    }

    #[test]
    fn a_section_is_judged_when_cited_whole_or_by_one_of_its_statements() {
        let whole = [result("RFC7644-3.5.2", Outcome::Pass)];
        let coverage = Coverage::of(&catalog(), &whole, |_: &str| true);
        assert_eq!(
            coverage,
            Coverage {
                judged: 1,
                total: 3
            }
        );
        // A client rule of section 3.3 counts for section 3.3 too: the section binds
        // the server through its other statement.
        let client_rule = [result("RFC7644-3.3-client-schemas", Outcome::Pass)];
        let coverage = Coverage::of(&catalog(), &client_rule, |_: &str| true);
        assert_eq!(
            coverage,
            Coverage {
                judged: 1,
                total: 3
            }
        );
    }

    #[test]
    fn sections_outside_the_catalog_add_nothing() {
        let results = [
            result("RFC7644-9.9", Outcome::Pass),
            result("RFC6750-3", Outcome::Pass),
            result("TALENTECH-patch-ops", Outcome::Pass),
        ];
        let coverage = Coverage::of(&catalog(), &results, |_: &str| true);
        assert_eq!(
            coverage,
            Coverage {
                judged: 0,
                total: 3
            }
        );
    }

    #[test]
    fn the_percentage_rounds_down_and_an_empty_catalog_is_zero() {
        assert_eq!(
            Coverage {
                judged: 199,
                total: 200
            }
            .percent(),
            99
        );
        assert_eq!(
            Coverage {
                judged: 0,
                total: 0
            }
            .percent(),
            0
        );
    }

    #[test]
    fn the_builtin_catalog_measures() {
        let coverage = Coverage::measure(&[], |_: &str| true).expect("the catalog loads");
        assert!(coverage.total > 20, "{coverage:?}");
    }
}
