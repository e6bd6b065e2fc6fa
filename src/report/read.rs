//! Reading a whole JSON report back into the run it describes (`scimcheck report`,
//! `scimcheck merge`), so the other writers can write their formats from it.
//!
//! The writer (`json`) borrows from a live summary, so it cannot be deserialized into;
//! these owned types mirror the document field for field, and the round trip test
//! below keeps the two in step.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::baseline::{not_a_report, read_document};
use crate::result::{
    BaselineComparison, CheckFailure, Coverage, EarlyStop, Exchange, Leftover, Outcome, PlanRecord,
    RequestCount, RunInfo, RunSummary, ScenarioResult, SkipCause, Totals,
};
use crate::vocabulary::Severity;

/// The run the JSON report at `path` describes, as complete as the writers need it.
pub fn read_summary(path: &Path) -> Result<RunSummary, String> {
    let document = read_document(path)?;
    let document: Document = serde_json::from_value(document)
        .map_err(|e| not_a_report(path, &format!("incomplete ({e})")))?;
    Ok(document.into_summary())
}

#[derive(Deserialize)]
struct Document {
    run: Run,
    #[serde(default)]
    notices: Vec<String>,
    baseline: Option<BaselineComparison>,
    #[serde(default)]
    leftovers: Vec<Leftover>,
    coverage: Option<Coverage>,
    #[serde(default)]
    requests: Option<RequestCount>,
    scenarios: Vec<Scenario>,
}

#[derive(Deserialize)]
struct Run {
    id: String,
    target_url: String,
    #[serde(default)]
    profiles: Vec<String>,
    tool_version: String,
    started_at: String,
    duration_ms: u64,
    interrupted: bool,
    stop_reason: Option<String>,
    stop_exit_code: Option<i32>,
    strict: bool,
    plan: Option<PlanRecord>,
    embedded: Option<String>,
    capabilities: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Scenario {
    id: String,
    title: String,
    area: String,
    severity: Severity,
    requirement: Vec<String>,
    tags: Vec<String>,
    file: String,
    duration_ms: u64,
    outcome: DocumentOutcome,
    notes: Vec<String>,
    cleanup_errors: Vec<String>,
    leftovers: Vec<Leftover>,
    exchanges: Vec<DocumentExchange>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum DocumentOutcome {
    Pass,
    Fail {
        failures: Vec<Failure>,
    },
    Warn {
        failures: Vec<Failure>,
    },
    Deviation {
        reason: String,
        failures: Vec<Failure>,
    },
    Skip {
        reason: String,
        cause: SkipCause,
    },
    Error {
        message: String,
    },
    Blocked {
        precondition: String,
        failures: Vec<Failure>,
    },
}

#[derive(Deserialize)]
struct Failure {
    step: String,
    request: String,
    subject: String,
    expected: String,
    actual: String,
    location: String,
    rendered: String,
    hint: Option<String>,
    curl: Option<String>,
}

#[derive(Deserialize)]
struct DocumentExchange {
    step: String,
    attempt: u32,
    method: String,
    url: String,
    request_headers: Vec<Header>,
    request_body: Option<String>,
    request_body_bytes: Option<usize>,
    status: Option<u16>,
    response_headers: Vec<Header>,
    response_body: Option<String>,
    response_body_bytes: Option<usize>,
    duration_ms: u64,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    name: String,
    value: String,
}

impl Document {
    fn into_summary(self) -> RunSummary {
        let run = self.run;
        let results: Vec<ScenarioResult> = self
            .scenarios
            .into_iter()
            .map(Scenario::into_result)
            .collect();
        let stop = run.stop_reason.map(|reason| EarlyStop {
            // A report written before the code was recorded: Ctrl-C's.
            exit_code: run.stop_exit_code.unwrap_or(crate::exit::INTERRUPTED),
            reason,
        });
        RunSummary {
            info: RunInfo {
                target_url: run.target_url,
                profiles: run.profiles,
                tool_version: run.tool_version,
                run_id: run.id,
                started_at: run.started_at,
                plan: run.plan,
                embedded: run.embedded,
                capabilities: run.capabilities,
            },
            totals: Totals::of(&results),
            results,
            duration: Duration::from_millis(run.duration_ms),
            interrupted: run.interrupted,
            stop,
            leftovers: self.leftovers,
            strict: run.strict,
            notices: self.notices,
            baseline: self.baseline,
            coverage: self.coverage,
            requests: self.requests,
            run_exchanges: Default::default(),
        }
    }
}

impl Scenario {
    fn into_result(self) -> ScenarioResult {
        ScenarioResult {
            id: self.id,
            title: self.title,
            area: self.area,
            severity: self.severity,
            requirement: self.requirement,
            tags: self.tags,
            file: self.file,
            outcome: self.outcome.into_outcome(),
            duration: Duration::from_millis(self.duration_ms),
            exchanges: self
                .exchanges
                .into_iter()
                .map(DocumentExchange::into_exchange)
                .collect(),
            cleanup_errors: self.cleanup_errors,
            leftovers: self.leftovers,
            notes: self.notes,
        }
    }
}

impl DocumentOutcome {
    fn into_outcome(self) -> Outcome {
        let checks = |failures: Vec<Failure>| failures.into_iter().map(Failure::into_check);
        match self {
            DocumentOutcome::Pass => Outcome::Pass,
            DocumentOutcome::Fail { failures } => Outcome::Fail {
                failures: checks(failures).collect(),
            },
            DocumentOutcome::Warn { failures } => Outcome::Warn {
                failures: checks(failures).collect(),
            },
            DocumentOutcome::Deviation { reason, failures } => Outcome::Deviation {
                failures: checks(failures).collect(),
                reason,
            },
            DocumentOutcome::Skip { reason, cause } => Outcome::Skip { reason, cause },
            DocumentOutcome::Error { message } => Outcome::Error { message },
            DocumentOutcome::Blocked {
                precondition,
                failures,
            } => Outcome::Blocked {
                precondition,
                failures: checks(failures).collect(),
            },
        }
    }
}

impl Failure {
    fn into_check(self) -> CheckFailure {
        CheckFailure {
            step: self.step,
            subject: self.subject,
            expected: self.expected,
            actual: self.actual,
            location: self.location,
            rendered: self.rendered,
            request: self.request,
            hint: self.hint,
            curl: self.curl,
        }
    }
}

impl DocumentExchange {
    fn into_exchange(self) -> Exchange {
        let pairs = |headers: Vec<Header>| {
            headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect::<Vec<_>>()
        };
        Exchange {
            step: self.step,
            method: self.method,
            url: self.url,
            request_headers: pairs(self.request_headers),
            request_body: self.request_body,
            request_body_size: self.request_body_bytes,
            status: self.status,
            response_headers: pairs(self.response_headers),
            response_body: self.response_body,
            response_body_size: self.response_body_bytes,
            duration_ms: self.duration_ms,
            error: self.error,
            attempt: self.attempt,
        }
    }
}
