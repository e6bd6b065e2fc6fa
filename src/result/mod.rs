//! The outcome model of a run and the stream of events the executor emits.
//!
//! Reports are consumers of this module only: the console, JUnit and JSON writers never
//! look at the executor. Exchanges here are already redacted.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::vocabulary::{Partition, Severity};

mod baseline;
mod causes;
mod coverage;
mod merge;
mod verdict;

pub use baseline::{
    Baseline, BaselineComparison, Change, Changes, NewFailure, RunRecord, ScenarioRecord,
    check_name, named,
};
pub use causes::{RootCause, root_causes};
pub use coverage::{AreaTally, CitingScenario, Coverage, Tally, Unchecked};
pub use merge::{Slice, merge};
pub use verdict::{SkipGroup, Verdict, VerdictStatus, skip_groups};

/// One HTTP request/response pair as sent and received, with secrets already redacted.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub step: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// At most `client::RECORDED_BODY_BYTES` of the body as sent.
    pub request_body: Option<String>,
    /// The full size in bytes when `request_body` holds only its start.
    pub request_body_size: Option<usize>,
    /// None when no response came (transport error); see `error`.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// At most `client::RECORDED_BODY_BYTES` of the body as received.
    pub response_body: Option<String>,
    /// The full size in bytes when `response_body` holds only its start.
    pub response_body_size: Option<usize>,
    pub duration_ms: u64,
    /// Transport-level failure text (timeout, reset, refused).
    pub error: Option<String>,
    /// 1 for the first attempt; retries of the same step count up.
    pub attempt: u32,
}

/// What a scenario's run amounted to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    /// A check failed and the failure fails the run (`must`; `should` with `--strict`).
    Fail {
        failures: Vec<CheckFailure>,
    },
    /// A `should` or `may` check failed; reported, but the run does not fail for it.
    Warn {
        failures: Vec<CheckFailure>,
    },
    /// A failure the selected profile declares as known behaviour of the product.
    Deviation {
        failures: Vec<CheckFailure>,
        reason: String,
    },
    Skip {
        reason: String,
        cause: SkipCause,
    },
    /// The check could not be judged (transport failure, timeout, cancelled).
    Error {
        message: String,
    },
    /// A setup step or precondition failed, so the feature in the title was never
    /// reached; `precondition` names what was missing.
    Blocked {
        precondition: String,
        failures: Vec<CheckFailure>,
    },
}

/// Why a scenario did not run, in the categories the no-silent-pass rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipCause {
    /// The user left it out (`--skip-tag`, a profile's exclusion).
    Selection,
    /// The target's own discovery says it lacks the feature.
    Declared,
    /// The target used latitude the RFCs give it (an optional endpoint it does not
    /// serve, a filter it does not support, an attribute it does not declare, ...).
    Latitude,
    /// Discovery could not tell whether the feature exists (an unreadable endpoint).
    Discovery,
    /// The run was interrupted before the scenario started.
    Interrupted,
}

impl SkipCause {
    /// True when the skip is the user's or the server's own choice, so it does not count
    /// against the share of the selection that must run.
    pub fn is_chosen(self) -> bool {
        matches!(
            self,
            SkipCause::Selection | SkipCause::Declared | SkipCause::Latitude
        )
    }
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Warn { .. } => "warn",
            Outcome::Deviation { .. } => "deviation",
            Outcome::Skip { .. } => "skip",
            Outcome::Error { .. } => "error",
            Outcome::Blocked { .. } => "blocked",
        }
    }

    /// The failed checks this outcome carries (none for pass, skip and error).
    pub fn failures(&self) -> &[CheckFailure] {
        match self {
            Outcome::Fail { failures }
            | Outcome::Warn { failures }
            | Outcome::Deviation { failures, .. }
            | Outcome::Blocked { failures, .. } => failures,
            Outcome::Pass | Outcome::Skip { .. } | Outcome::Error { .. } => &[],
        }
    }
}

/// A single failed check, rendered the same way everywhere (console, JUnit, JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckFailure {
    /// Step name the check belongs to.
    pub step: String,
    /// What was checked, e.g. `status`, `body.userName`, `header content-type`, `schema User`.
    pub subject: String,
    pub expected: String,
    pub actual: String,
    /// `file:line:col` of the check in the scenario source.
    pub location: String,
    /// The full rendered diagnostic (source line, caret, expected/actual, hint).
    pub rendered: String,
    /// The request of the step as the scenario writes it, `GET /Users/{{ user }}`:
    /// the same in every scenario that makes it, so failures group by root cause.
    pub request: String,
    /// What the check's author adds for the reader (`the body checks of this step were
    /// not evaluated`); also part of `rendered`.
    pub hint: Option<String>,
    /// A `curl` command that sends the failing step's request again, secrets as shell
    /// variables (`$SCIM_TOKEN`), already redacted; None when no request was sent.
    pub curl: Option<String>,
}

/// Why a run stopped before its end, and the exit code that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyStop {
    /// `Interrupted by SIGTERM`, `Stopped: the deadline of 30 min passed`.
    pub reason: String,
    /// 130, 143 or 129 for a signal, 124 for the deadline.
    pub exit_code: i32,
}

/// Something the run created and could not show gone at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leftover {
    /// The resource's URL, or a description when it cannot be named by one.
    pub what: String,
    /// Why it may still be there.
    pub reason: String,
}

/// The result of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub id: String,
    pub title: String,
    pub area: String,
    pub severity: Severity,
    pub requirement: Vec<String>,
    pub tags: Vec<String>,
    /// Display name of the scenario file.
    pub file: String,
    pub outcome: Outcome,
    #[serde(serialize_with = "as_millis")]
    pub duration: Duration,
    pub exchanges: Vec<Exchange>,
    /// Cleanup problems: resources the run created and could not delete.
    pub cleanup_errors: Vec<String>,
    /// What this scenario created and left on the target (cleanup failed, a soft delete,
    /// a create whose answer was lost and could not be found, `--keep`).
    pub leftovers: Vec<Leftover>,
    /// Latitude the target used that the verdict allowed (an optional scimType left out,
    /// ...), and how the verdict came about when it is not plain (re-run alone).
    pub notes: Vec<String>,
}

impl ScenarioResult {
    /// True when a failure of this scenario fails the run; an error or a blocked
    /// scenario of this kind leaves the run unjudged.
    pub fn is_required(&self, strict: bool) -> bool {
        failure_fails_run(self.severity, strict)
    }

    /// A result with nothing but an id, a severity and an outcome (what is not a planned
    /// scenario: the judged command's own run, and tests).
    pub fn bare(id: &str, severity: Severity, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            id: id.to_owned(),
            title: String::new(),
            area: String::new(),
            severity,
            requirement: Vec::new(),
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
}

/// `must` failures fail the run; `should` ones only with `--strict`; `may` ones never.
pub fn failure_fails_run(severity: Severity, strict: bool) -> bool {
    severity == Severity::Must || (strict && severity == Severity::Should)
}

/// Facts about the run as a whole, for report headers and JUnit properties.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub target_url: String,
    /// The profiles the run applied, in the order they applied.
    pub profiles: Vec<String>,
    pub tool_version: String,
    /// The prefix of every generated value, so data of this run is recognisable.
    pub run_id: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// What the run was asked to run, and the slice of it this run ran; None when no
    /// plan was recorded (a judged client).
    pub plan: Option<PlanRecord>,
    /// The embedded reference server when the run started one, described with its
    /// misbehaviours: its URL changes from run to run, what it is does not.
    pub embedded: Option<String>,
    /// The capabilities discovery found the target has, which the coverage figure is
    /// measured against; None when discovery was not read.
    pub capabilities: Option<Vec<String>>,
}

/// The scenarios a run's selection chose, before `--partition` took its slice: how
/// many, and a fingerprint of their ids, so the slices of one selection are known to
/// belong together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    pub scenarios: usize,
    /// `fnv1a64:` and the hex hash of the sorted ids, each followed by a newline.
    pub fingerprint: String,
    /// The slice this run ran, when it ran one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
}

impl PlanRecord {
    /// The record of a selection of `ids` (in any order), of which the run ran `partition`.
    pub fn of<'a>(ids: impl IntoIterator<Item = &'a str>, partition: Option<Partition>) -> Self {
        let mut ids: Vec<&str> = ids.into_iter().collect();
        ids.sort_unstable();
        let mut joined = Vec::new();
        for id in &ids {
            joined.extend_from_slice(id.as_bytes());
            joined.push(b'\n');
        }
        PlanRecord {
            scenarios: ids.len(),
            fingerprint: format!("fnv1a64:{:016x}", crate::vocabulary::stable_hash(&joined)),
            partition,
        }
    }
}

impl RunInfo {
    /// The profiles as reports name them (`okta`, `entra-id, talentech`), with the word
    /// for one or several; `None` without a profile.
    pub fn profiles_shown(&self) -> Option<(&'static str, String)> {
        let word = match self.profiles.len() {
            0 => return None,
            1 => "profile",
            _ => "profiles",
        };
        Some((word, self.profiles.join(", ")))
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    /// `should` and `may` failures that do not fail the run.
    pub warnings: usize,
    pub deviations: usize,
    pub skipped: usize,
    pub errors: usize,
    pub blocked: usize,
    pub requests: usize,
    /// Resources the run created and left on the target (see `ScenarioResult::leftovers`).
    pub leftovers: usize,
}

impl Totals {
    /// Counted from the results themselves, so every report agrees whatever a summary's
    /// own totals say.
    pub fn of(results: &[ScenarioResult]) -> Totals {
        let mut totals = Totals::default();
        for result in results {
            totals.add(result);
        }
        totals
    }

    /// The results' totals, plus what the run itself left on the target.
    pub fn of_run(summary: &RunSummary) -> Totals {
        let mut totals = Totals::of(&summary.results);
        totals.leftovers += summary.leftovers.len();
        totals
    }

    pub fn add(&mut self, result: &ScenarioResult) {
        match result.outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail { .. } => self.failed += 1,
            Outcome::Warn { .. } => self.warnings += 1,
            Outcome::Deviation { .. } => self.deviations += 1,
            Outcome::Skip { .. } => self.skipped += 1,
            Outcome::Error { .. } => self.errors += 1,
            Outcome::Blocked { .. } => self.blocked += 1,
        }
        self.requests += result.exchanges.len();
        self.leftovers += result.leftovers.len();
    }

    /// Scenarios that ran to a verdict on their own feature: everything but skips,
    /// errors and blocked ones.
    pub fn judged(&self) -> usize {
        self.passed + self.failed + self.warnings + self.deviations
    }

    pub fn scenarios(&self) -> usize {
        self.judged() + self.skipped + self.errors + self.blocked
    }
}

/// Everything a report needs after the run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub info: RunInfo,
    pub results: Vec<ScenarioResult>,
    pub totals: Totals,
    #[serde(serialize_with = "as_millis")]
    pub duration: Duration,
    /// True when the run was interrupted (Ctrl-C) and cleaned up early.
    pub interrupted: bool,
    /// Why it stopped early, when it did.
    pub stop: Option<EarlyStop>,
    /// What the run itself (not a scenario: its decoys) created and left on the target.
    pub leftovers: Vec<Leftover>,
    /// `--strict`: `should` failures fail the run. Reports state the verdict under it.
    pub strict: bool,
    /// Facts about the run as a whole that every report repeats: discovery gaps and the
    /// endpoints probed instead, scenarios re-run alone after 5xx answers under load.
    pub notices: Vec<String>,
    /// With `--baseline`: this run compared with the earlier one. Only failures that are
    /// not in the baseline fail the run.
    pub baseline: Option<BaselineComparison>,
    /// How much of the requirement catalog that binds the target the run judged; None
    /// where nothing measured it (a judged client, a summary built by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Every request the run sent, by what it was for; None where nothing counted them
    /// (a judged client, a summary built by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestCount>,
    /// The requests the run sent of its own, outside every scenario. The reports count
    /// them (`requests`) but do not list them.
    #[serde(skip)]
    pub run_exchanges: RunExchanges,
}

/// The run's own requests, each list in the order sent.
#[derive(Debug, Clone, Default)]
pub struct RunExchanges {
    /// Before the first scenario: the decoys' creates.
    pub before_scenarios: Vec<Exchange>,
    /// After the last: the Bulk cleanup and its check, the removal of shared fixtures
    /// and decoys.
    pub after_scenarios: Vec<Exchange>,
}

/// The requests of a run, by what they were for: what a rate-limited target charges.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RequestCount {
    /// Everything sent, retries included.
    pub total: u64,
    /// Reading /ServiceProviderConfig, /ResourceTypes and /Schemas before the scenarios.
    pub discovery: u64,
    /// The scenarios' own steps, setup creates included.
    pub scenarios: u64,
    /// Deleting and reading back what the scenarios created.
    pub cleanup: u64,
    /// Creating and removing what the run shares: decoys and shared fixtures.
    pub shared: u64,
}

impl std::ops::AddAssign for RequestCount {
    fn add_assign(&mut self, other: RequestCount) {
        self.total += other.total;
        self.discovery += other.discovery;
        self.scenarios += other.scenarios;
        self.cleanup += other.cleanup;
        self.shared += other.shared;
    }
}

impl RunSummary {
    /// Everything left on the target, each with who created it: a scenario's id, or
    /// `run` for what the run itself created.
    pub fn all_leftovers(&self) -> impl Iterator<Item = (&str, &Leftover)> {
        self.results
            .iter()
            .flat_map(|r| r.leftovers.iter().map(move |l| (r.id.as_str(), l)))
            .chain(self.leftovers.iter().map(|l| (RUN_OWNER, l)))
    }
}

/// Who created a leftover that no scenario created.
pub const RUN_OWNER: &str = "run";

/// Events in the order the executor emits them; live reports (the console) consume them.
#[derive(Debug, Clone)]
pub enum RunEvent {
    Started {
        info: RunInfo,
        planned: usize,
    },
    ScenarioStarted {
        id: String,
    },
    /// Shared with the run, which keeps the result: no copy of its exchanges per event.
    ScenarioFinished(Arc<ScenarioResult>),
    /// First Ctrl-C: no new scenarios start; running ones stop after their current
    /// request and clean up.
    Cancelling,
    /// Something a person watching should know now: a long wait the server asked for, a
    /// deadline reached, scenarios run again one at a time after 5xx answers under load.
    Notice(String),
    Finished(Box<RunSummary>),
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}
