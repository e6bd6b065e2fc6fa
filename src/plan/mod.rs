//! Pure planning: which scenarios run, which are skipped and why. No I/O, so `list`,
//! `lint`-adjacent tooling and the libtest harness share it without a network.

use std::sync::Arc;

use crate::suite::model::Scenario;

/// One scenario as the executor receives it.
#[derive(Debug, Clone)]
pub struct PlannedScenario {
    pub scenario: Arc<Scenario>,
    /// Set when the scenario is not run; the reason ends up in every report.
    pub skip: Option<String>,
    /// Set when the profile declares a failure of this scenario a known deviation of the
    /// product: a failure becomes `Outcome::Deviation` with this reason.
    pub known_deviation: Option<String>,
}

/// The ordered list of scenarios a run will consider.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub scenarios: Vec<PlannedScenario>,
}
