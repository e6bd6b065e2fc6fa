//! Pure planning: which scenarios run, which are skipped and why. No I/O, so `list`,
//! `run` and the libtest harness share it without a network.

use std::sync::Arc;

mod needs;

pub use needs::{Need, checked_needs, needs};

use crate::result::{PlanRecord, SkipCause};
use crate::suite::model::{Scenario, Suite};
use crate::vocabulary::{Partition, Severity};

/// Why a planned scenario will not run, and in which category (see `SkipCause`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub reason: String,
    pub cause: SkipCause,
}

impl Skip {
    pub fn new(reason: impl Into<String>, cause: SkipCause) -> Skip {
        Skip {
            reason: reason.into(),
            cause,
        }
    }
}

/// One scenario as the executor receives it.
#[derive(Debug, Clone)]
pub struct PlannedScenario {
    pub scenario: Arc<Scenario>,
    /// Set when the scenario is not run; the reason ends up in every report.
    pub skip: Option<Skip>,
    /// Set when the profile declares a failure of this scenario a known deviation of the
    /// product: a failure becomes `Outcome::Deviation` with this reason.
    pub known_deviation: Option<String>,
    /// The severity the run judges it by: the scenario's own unless a profile changed it.
    pub severity: Severity,
}

impl PlannedScenario {
    /// The scenario as written: to be run, with its own severity.
    pub fn new(scenario: Arc<Scenario>) -> Self {
        PlannedScenario {
            severity: scenario.severity,
            scenario,
            skip: None,
            known_deviation: None,
        }
    }
}

/// The ordered list of scenarios a run will consider.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub scenarios: Vec<PlannedScenario>,
}

impl Plan {
    /// Scenarios that will actually send requests.
    pub fn runnable(&self) -> usize {
        self.scenarios.iter().filter(|p| p.skip.is_none()).count()
    }
}

/// The user's selection: `--tag`, `--skip-tag`, `--filter`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep scenarios having any of these tags (all when empty).
    pub tags: Vec<String>,
    /// Skip scenarios having any of these tags, reporting them as skipped.
    pub skip_tags: Vec<String>,
    /// Keep scenarios whose id contains any of these texts (all when empty).
    pub filters: Vec<String>,
}

impl Selection {
    fn keeps(&self, scenario: &Scenario) -> bool {
        let tag_ok = self.tags.is_empty()
            || scenario
                .tags
                .iter()
                .any(|t| self.tags.iter().any(|w| w.eq_ignore_ascii_case(t)));
        let id_ok = self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| scenario.id.contains(f.as_str()));
        tag_ok && id_ok
    }

    fn skip_reason(&self, scenario: &Scenario) -> Option<Skip> {
        let tag = scenario
            .tags
            .iter()
            .find(|t| self.skip_tags.iter().any(|s| s.eq_ignore_ascii_case(t)))?;
        Some(Skip::new(
            format!("tag '{tag}' excluded by --skip-tag"),
            SkipCause::Selection,
        ))
    }
}

/// Scenarios the selection keeps, in suite order; `--skip-tag` ones are kept and marked.
pub fn select(suite: &Suite, selection: &Selection) -> Plan {
    let scenarios = suite
        .scenarios
        .iter()
        .filter(|s| selection.keeps(s))
        .map(|s| PlannedScenario {
            skip: selection.skip_reason(s),
            ..PlannedScenario::new(Arc::clone(s))
        })
        .collect();
    Plan { scenarios }
}

/// The slice `partition` of `plan` (all of it without one), with the record of the
/// whole selection that reports keep so the slices can be merged again.
pub fn partition(mut plan: Plan, partition: Option<Partition>) -> (Plan, PlanRecord) {
    let record = PlanRecord::of(
        plan.scenarios.iter().map(|p| p.scenario.id.as_str()),
        partition,
    );
    if let Some(partition) = partition {
        plan.scenarios
            .retain(|p| partition.contains(&p.scenario.id));
    }
    (plan, record)
}
