//! The JSON report: the whole run as a stable, versioned document.
//!
//! The document has its own types rather than serializing the result model directly, so
//! a change in `result` cannot silently change the format: it stops compiling here, and
//! the snapshot test shows the difference. A breaking change bumps [`FORMAT`].

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::ReportError;
use super::output::write_atomic_with;
use crate::result::{
    BaselineComparison, CheckFailure, Coverage, Exchange, Leftover, Outcome, PlanRecord,
    RequestCount, RootCause, RunSummary, ScenarioResult, SkipCause, SkipGroup, Totals, Verdict,
    root_causes, skip_groups,
};

/// The `format` field of every document this version writes.
pub const FORMAT: &str = "scimcheck-report/3";

/// Earlier formats still read as baselines and by `diff`: 3 only added fields.
pub const READABLE_FORMATS: [&str; 2] = [FORMAT, "scimcheck-report/2"];

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    run: Run<'a>,
    verdict: Verdict,
    totals: DocumentTotals,
    skipped_by_reason: Vec<SkipGroup>,
    root_causes: Vec<Cause<'a>>,
    notices: &'a [String],
    /// With `--baseline`: new failures, known ones, fixed ones and changed skips.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineComparison>,
    /// What the run itself (its decoys), not a scenario, left on the target.
    leftovers: &'a [Leftover],
    /// The catalog's server statements that bind the target, and how many of them (and
    /// of its MUSTs, at must) the scenarios that reached a verdict checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Coverage>,
    /// Every request the run sent, by what it was for.
    #[serde(skip_serializing_if = "Option::is_none")]
    requests: Option<RequestCount>,
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
    /// The profiles joined with ", " (kept for readers of one profile), and as a list.
    profile: Option<String>,
    profiles: &'a [String],
    tool_version: &'a str,
    started_at: &'a str,
    duration_ms: u64,
    interrupted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_reason: Option<&'a str>,
    /// The exit code the early stop meant (124 for the deadline, 130 for Ctrl-C, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_exit_code: Option<i32>,
    strict: bool,
    /// The selection (how many scenarios, a fingerprint of their ids) and the slice of
    /// it this run ran (`--partition`).
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'a PlanRecord>,
    /// The embedded reference server and its misbehaviours, when the run used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    embedded: Option<&'a str>,
    /// What discovery found the target has: the coverage figure is measured against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    capabilities: Option<&'a [String]>,
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
    leftovers: usize,
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
    /// What the scenario created and left on the target.
    leftovers: &'a [Leftover],
    /// Requests the scenario sent, its cleanup's included (one per exchange).
    requests: usize,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    /// A `curl` command that sends the failing request again (secrets as `$SCIM_*`
    /// shell variables).
    #[serde(skip_serializing_if = "Option::is_none")]
    curl: Option<&'a str>,
}

#[derive(Serialize)]
struct DocumentExchange<'a> {
    step: &'a str,
    attempt: u32,
    method: &'a str,
    url: &'a str,
    request_headers: Vec<Header<'a>>,
    request_body: Option<&'a str>,
    /// Present when `request_body` is only the start of a body of this many bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_body_bytes: Option<usize>,
    status: Option<u16>,
    response_headers: Vec<Header<'a>>,
    response_body: Option<&'a str>,
    /// Present when `response_body` is only the start of a body of this many bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    response_body_bytes: Option<usize>,
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
    let mut bytes = Vec::new();
    write_document(summary, &mut bytes).map_err(serialize_error)?;
    String::from_utf8(bytes).map_err(|e| ReportError::Serialize {
        format: "JSON",
        message: e.to_string(),
    })
}

/// Writes the JSON document to `path` (parents created, replaced atomically), streamed:
/// a large run's report is never held in memory whole.
pub fn write_json(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    write_atomic_with(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        write_document(summary, &mut out)?;
        out.flush()
    })
}

fn write_document(summary: &RunSummary, out: &mut dyn Write) -> std::io::Result<()> {
    // Bidi characters and C1 controls are valid raw in JSON, but not on a terminal.
    let mut safe = JsonSafe::new(out);
    let causes = root_causes(&summary.results);
    serde_json::to_writer_pretty(&mut safe, &document(summary, &causes))
        .map_err(std::io::Error::other)?;
    safe.write_all(b"\n")?;
    safe.finish()
}

fn serialize_error(e: std::io::Error) -> ReportError {
    ReportError::Serialize {
        format: "JSON",
        message: e.to_string(),
    }
}

/// Passes serialized JSON through, writing the characters `printable::is_unsafe` names
/// as `\uXXXX` escapes; a character split across writes waits for its last byte.
struct JsonSafe<'a> {
    inner: &'a mut dyn Write,
    pending: Vec<u8>,
}

impl<'a> JsonSafe<'a> {
    fn new(inner: &'a mut dyn Write) -> JsonSafe<'a> {
        JsonSafe {
            inner,
            pending: Vec::new(),
        }
    }

    fn finish(mut self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.inner.write_all(&pending)
    }
}

impl Write for JsonSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Everything up to the start of a possibly incomplete last character.
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let text = String::from_utf8_lossy(&self.pending[..complete]);
        self.inner
            .write_all(crate::printable::json_safe(&text).as_bytes())?;
        self.pending.drain(..complete);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn document<'a>(summary: &'a RunSummary, causes: &'a [RootCause]) -> Document<'a> {
    let totals = Totals::of_run(summary);
    let info = &summary.info;
    Document {
        format: FORMAT,
        run: Run {
            id: &info.run_id,
            target_url: &info.target_url,
            profile: info.profiles_shown().map(|(_, names)| names),
            profiles: &info.profiles,
            tool_version: &info.tool_version,
            started_at: &info.started_at,
            duration_ms: millis(summary.duration),
            interrupted: summary.interrupted,
            stop_reason: summary.stop.as_ref().map(|s| s.reason.as_str()),
            stop_exit_code: summary.stop.as_ref().map(|s| s.exit_code),
            strict: summary.strict,
            plan: info.plan.as_ref(),
            embedded: info.embedded.as_deref(),
            capabilities: info.capabilities.as_deref(),
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
            leftovers: totals.leftovers,
        },
        skipped_by_reason: skip_groups(&summary.results),
        root_causes: causes.iter().map(cause).collect(),
        notices: &summary.notices,
        baseline: summary.baseline.as_ref(),
        leftovers: &summary.leftovers,
        coverage: summary.coverage.as_ref(),
        requests: summary.requests,
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
        leftovers: &result.leftovers,
        requests: result.exchanges.len(),
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
        hint: f.hint.as_deref(),
        curl: f.curl.as_deref(),
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
        request_body_bytes: e.request_body_size,
        status: e.status,
        response_headers: headers(&e.response_headers),
        response_body: e.response_body.as_deref(),
        response_body_bytes: e.response_body_size,
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
