//! The JSON report: the whole run as a stable, versioned document.
//!
//! The document has its own types rather than serializing the result model directly, so
//! a change in `result` cannot silently change the format: it stops compiling here, and
//! the snapshot test shows the difference. A breaking change bumps [`FORMAT`].

use std::path::Path;

use serde::Serialize;

use super::ReportError;
use super::output::write_atomic;
use crate::result::{
    CheckFailure, Exchange, Outcome, RootCause, RunSummary, ScenarioResult, SkipCause, SkipGroup,
    Totals, Verdict, root_causes, skip_groups,
};

/// The `format` field of every document this version writes.
pub const FORMAT: &str = "scimcheck-report/2";

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    run: Run<'a>,
    verdict: Verdict,
    totals: DocumentTotals,
    skipped_by_reason: Vec<SkipGroup>,
    root_causes: Vec<Cause<'a>>,
    notices: &'a [String],
    scenarios: Vec<Scenario<'a>>,
}

#[derive(Serialize)]
struct Cause<'a> {
    request: &'a str,
    check: &'a str,
    first_scenario: &'a str,
    first_request: &'a str,
    scenarios: Vec<CauseScenario<'a>>,
}

#[derive(Serialize)]
struct CauseScenario<'a> {
    id: &'a str,
    outcome: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    id: &'a str,
    target_url: &'a str,
    profile: Option<&'a str>,
    tool_version: &'a str,
    started_at: &'a str,
    duration_ms: u64,
    interrupted: bool,
    strict: bool,
}

#[derive(Serialize)]
struct DocumentTotals {
    scenarios: usize,
    /// Scenarios that reached a verdict on their own feature.
    judged: usize,
    passed: usize,
    failed: usize,
    warnings: usize,
    deviations: usize,
    skipped: usize,
    errors: usize,
    blocked: usize,
    requests: usize,
}

#[derive(Serialize)]
struct Scenario<'a> {
    id: &'a str,
    title: &'a str,
    area: &'a str,
    severity: &'static str,
    requirement: &'a [String],
    tags: &'a [String],
    file: &'a str,
    duration_ms: u64,
    outcome: DocumentOutcome<'a>,
    notes: &'a [String],
    cleanup_errors: &'a [String],
    exchanges: Vec<DocumentExchange<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum DocumentOutcome<'a> {
    Pass,
    Fail {
        failures: Vec<Failure<'a>>,
    },
    Warn {
        failures: Vec<Failure<'a>>,
    },
    Deviation {
        reason: &'a str,
        failures: Vec<Failure<'a>>,
    },
    Skip {
        reason: &'a str,
        cause: SkipCause,
    },
    Error {
        message: &'a str,
    },
    Blocked {
        precondition: &'a str,
        failures: Vec<Failure<'a>>,
    },
}

#[derive(Serialize)]
struct Failure<'a> {
    step: &'a str,
    request: &'a str,
    subject: &'a str,
    expected: &'a str,
    actual: &'a str,
    location: &'a str,
    rendered: &'a str,
}

#[derive(Serialize)]
struct DocumentExchange<'a> {
    step: &'a str,
    attempt: u32,
    method: &'a str,
    url: &'a str,
    request_headers: Vec<Header<'a>>,
    request_body: Option<&'a str>,
    status: Option<u16>,
    response_headers: Vec<Header<'a>>,
    response_body: Option<&'a str>,
    duration_ms: u64,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct Header<'a> {
    name: &'a str,
    value: &'a str,
}

/// The JSON document of a run, pretty-printed.
pub fn json_string(summary: &RunSummary) -> Result<String, ReportError> {
    let causes = root_causes(&summary.results);
    let mut text = serde_json::to_string_pretty(&document(summary, &causes)).map_err(|e| {
        ReportError::Serialize {
            format: "JSON",
            message: e.to_string(),
        }
    })?;
    text.push('\n');
    Ok(text)
}

/// Writes the JSON document to `path` (parents created, replaced atomically).
pub fn write_json(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    let text = json_string(summary)?;
    write_atomic(path, text.as_bytes())
}

fn document<'a>(summary: &'a RunSummary, causes: &'a [RootCause]) -> Document<'a> {
    let totals = Totals::of(&summary.results);
    let info = &summary.info;
    Document {
        format: FORMAT,
        run: Run {
            id: &info.run_id,
            target_url: &info.target_url,
            profile: info.profile.as_deref(),
            tool_version: &info.tool_version,
            started_at: &info.started_at,
            duration_ms: millis(summary.duration),
            interrupted: summary.interrupted,
            strict: summary.strict,
        },
        verdict: Verdict::of(summary),
        totals: DocumentTotals {
            scenarios: summary.results.len(),
            judged: totals.judged(),
            passed: totals.passed,
            failed: totals.failed,
            warnings: totals.warnings,
            deviations: totals.deviations,
            skipped: totals.skipped,
            errors: totals.errors,
            blocked: totals.blocked,
            requests: totals.requests,
        },
        skipped_by_reason: skip_groups(&summary.results),
        root_causes: causes.iter().map(cause).collect(),
        notices: &summary.notices,
        scenarios: summary.results.iter().map(scenario).collect(),
    }
}

fn cause(cause: &RootCause) -> Cause<'_> {
    Cause {
        request: &cause.request,
        check: &cause.check,
        first_scenario: &cause.first_scenario,
        first_request: &cause.first_request,
        scenarios: cause
            .scenarios
            .iter()
            .map(|(id, outcome)| CauseScenario { id, outcome })
            .collect(),
    }
}

fn scenario(result: &ScenarioResult) -> Scenario<'_> {
    Scenario {
        id: &result.id,
        title: &result.title,
        area: &result.area,
        severity: result.severity.as_str(),
        requirement: &result.requirement,
        tags: &result.tags,
        file: &result.file,
        duration_ms: millis(result.duration),
        outcome: outcome(&result.outcome),
        notes: &result.notes,
        cleanup_errors: &result.cleanup_errors,
        exchanges: result.exchanges.iter().map(exchange).collect(),
    }
}

fn outcome(outcome: &Outcome) -> DocumentOutcome<'_> {
    match outcome {
        Outcome::Pass => DocumentOutcome::Pass,
        Outcome::Fail { failures } => DocumentOutcome::Fail {
            failures: failures.iter().map(failure).collect(),
        },
        Outcome::Deviation { failures, reason } => DocumentOutcome::Deviation {
            reason,
            failures: failures.iter().map(failure).collect(),
        },
        Outcome::Warn { failures } => DocumentOutcome::Warn {
            failures: failures.iter().map(failure).collect(),
        },
        Outcome::Skip { reason, cause } => DocumentOutcome::Skip {
            reason,
            cause: *cause,
        },
        Outcome::Error { message } => DocumentOutcome::Error { message },
        Outcome::Blocked {
            precondition,
            failures,
        } => DocumentOutcome::Blocked {
            precondition,
            failures: failures.iter().map(failure).collect(),
        },
    }
}

fn failure(f: &CheckFailure) -> Failure<'_> {
    Failure {
        step: &f.step,
        request: &f.request,
        subject: &f.subject,
        expected: &f.expected,
        actual: &f.actual,
        location: &f.location,
        rendered: &f.rendered,
    }
}

fn exchange(e: &Exchange) -> DocumentExchange<'_> {
    DocumentExchange {
        step: &e.step,
        attempt: e.attempt,
        method: &e.method,
        url: &e.url,
        request_headers: headers(&e.request_headers),
        request_body: e.request_body.as_deref(),
        status: e.status,
        response_headers: headers(&e.response_headers),
        response_body: e.response_body.as_deref(),
        duration_ms: e.duration_ms,
        error: e.error.as_deref(),
    }
}

/// Headers as a list of pairs: names may repeat and order matters.
fn headers(pairs: &[(String, String)]) -> Vec<Header<'_>> {
    pairs
        .iter()
        .map(|(name, value)| Header { name, value })
        .collect()
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
