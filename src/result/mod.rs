//! The outcome model of a run and the stream of events the executor emits.
//!
//! Reports are consumers of this module only: the console, JUnit and JSON writers never
//! look at the executor. Exchanges here are already redacted.

use std::time::Duration;

use serde::Serialize;

use crate::suite::model::Severity;

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
    /// A check failed; `failures` says which and why.
    Fail {
        failures: Vec<CheckFailure>,
    },
    /// A failure the selected profile declares as known behaviour of the product.
    Deviation {
        failures: Vec<CheckFailure>,
        reason: String,
    },
    Skip {
        reason: String,
    },
    /// The check could not be judged (transport failure, timeout, cancelled).
    Error {
        message: String,
    },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Deviation { .. } => "deviation",
            Outcome::Skip { .. } => "skip",
            Outcome::Error { .. } => "error",
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
}

/// Something the run created and could not show gone at its end.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

impl ScenarioResult {
    /// True when this result fails the run (`must` failures; `should` with `--strict`).
    pub fn fails_run(&self, strict: bool) -> bool {
        match self.outcome {
            Outcome::Fail { .. } => {
                self.severity == Severity::Must || (strict && self.severity == Severity::Should)
            }
            Outcome::Error { .. } => true,
            _ => false,
        }
    }
}

/// Facts about the run as a whole, for report headers and JUnit properties.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub target_url: String,
    pub profile: Option<String>,
    pub tool_version: String,
    /// The prefix of every generated value, so data of this run is recognisable.
    pub run_id: String,
    /// RFC 3339 start time.
    pub started_at: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub deviations: usize,
    pub skipped: usize,
    pub errors: usize,
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

    pub fn add(&mut self, result: &ScenarioResult) {
        match result.outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail { .. } => self.failed += 1,
            Outcome::Deviation { .. } => self.deviations += 1,
            Outcome::Skip { .. } => self.skipped += 1,
            Outcome::Error { .. } => self.errors += 1,
        }
        self.requests += result.exchanges.len();
        self.leftovers += result.leftovers.len();
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
    /// Why it stopped early, when it did: `Interrupted by SIGTERM`, `The deadline of
    /// 30 min passed`.
    pub stop_reason: Option<String>,
}

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
    ScenarioFinished(Box<ScenarioResult>),
    /// First Ctrl-C: no new scenarios start; running ones stop after their current
    /// request and clean up.
    Cancelling,
    /// Something a person watching should know now (a long wait the server asked for, a
    /// deadline reached).
    Notice(String),
    Finished(Box<RunSummary>),
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}
