//! The JUnit XML report (through quick-junit): one testsuite per area, one testcase per
//! scenario. A testcase is red (`<failure>` or `<error>`) exactly when it keeps the run
//! from passing, so a CI test tab agrees with the exit code: warnings and known
//! deviations are passing testcases (with a property saying so), and an error or a
//! blocked scenario whose failure would not fail the run is a skipped one.
//!
//! The shape follows what Jenkins (junit and xunit plugins) and GitLab read; the XSD in
//! `tests/fixtures/junit/junit.xsd` pins it. Two things go beyond the xunit plugin's
//! schema, both read by the Jenkins junit plugin and ignored by GitLab: `<properties>` in a
//! testcase, and the `skipped` count that quick-junit always writes on `<testsuites>`.

use std::path::Path;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::ReportError;
use super::exchange::render_exchanges;
use super::explain::Explanation;
use super::output::write_atomic;
use super::text::{
    collapse_whitespace, counts_line, coverage_line, failures_summary, truncate_chars,
};
use crate::result::{Outcome, RunSummary, ScenarioResult, Totals, Verdict};

/// The `type` of a `<failure>`: a conformance check did not hold.
const FAILURE_TYPE: &str = "conformance";
/// The `type` of an `<error>`: the check could not be judged.
const ERROR_TYPE: &str = "error";
/// The `type` of an `<error>` for a scenario whose precondition failed.
const BLOCKED_TYPE: &str = "blocked";
/// Testsuite name for a result without an area (the loader always sets one).
const NO_AREA: &str = "scimcheck";

/// The JUnit XML document of a run.
pub fn junit_string(summary: &RunSummary) -> Result<String, ReportError> {
    junit_report(summary)
        .to_string()
        .map_err(|e| ReportError::Serialize {
            format: "JUnit",
            message: e.to_string(),
        })
}

/// Writes the JUnit XML document to `path` (parents created, replaced atomically).
pub fn write_junit(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    let xml = junit_string(summary)?;
    write_atomic(path, xml.as_bytes())
}

fn junit_report(summary: &RunSummary) -> Report {
    let mut suites: Vec<TestSuite> = Vec::new();
    for result in &summary.results {
        let area = if result.area.is_empty() {
            NO_AREA
        } else {
            result.area.as_str()
        };
        let index = match suites.iter().position(|s| s.name.as_str() == area) {
            Some(index) => index,
            None => {
                suites.push(test_suite(area, summary));
                suites.len() - 1
            }
        };
        let suite = &mut suites[index];
        suite.time = Some(suite.time.unwrap_or_default() + result.duration);
        suite.add_test_case(test_case(result, summary.strict));
    }

    // What the run itself left (its decoys) belongs to no testcase: the first suite says it.
    if let Some(first) = suites.first_mut().filter(|_| !summary.leftovers.is_empty()) {
        let listed: Vec<String> = summary
            .leftovers
            .iter()
            .map(|l| format!("left on the target by the run: {}: {}", l.what, l.reason))
            .collect();
        first.set_system_out(listed.join("\n"));
    }
    let mut report = Report::new("scimcheck");
    report.set_time(summary.duration);
    report.add_test_suites(suites);
    report
}

/// A testsuite for one area, carrying the facts of the run as properties.
fn test_suite(area: &str, summary: &RunSummary) -> TestSuite {
    let info = &summary.info;
    let mut suite = TestSuite::new(area);
    // The start time as the run recorded it (RFC 3339), not re-formatted.
    suite
        .extra
        .insert("timestamp".into(), info.started_at.as_str().into());
    suite.add_property(Property::new("target-url", &info.target_url));
    if let Some((_, names)) = info.profiles_shown() {
        suite.add_property(Property::new("profile", &names));
    }
    suite.add_property(Property::new("tool-version", &info.tool_version));
    suite.add_property(Property::new("run-id", &info.run_id));
    if summary.interrupted {
        suite.add_property(Property::new("interrupted", "true"));
        if let Some(stop) = &summary.stop {
            suite.add_property(Property::new("stop-reason", &stop.reason));
        }
    }
    let leftovers = summary.all_leftovers().count();
    if leftovers > 0 {
        suite.add_property(Property::new("leftovers", leftovers.to_string()));
    }
    if let Some(coverage) = &summary.coverage {
        let tally = &coverage.overall;
        suite.add_property(Property::new("coverage", coverage_line(tally)));
        suite.add_property(Property::new(
            "coverage-statements",
            format!("{} of {}", tally.checked, tally.statements),
        ));
        suite.add_property(Property::new(
            "coverage-musts-at-must",
            format!("{} of {}", tally.musts_at_must, tally.musts),
        ));
    }
    let verdict = Verdict::of(summary);
    suite.add_property(Property::new("verdict", verdict.status.as_str()));
    suite.add_property(Property::new("exit-code", verdict.exit_code.to_string()));
    suite.add_property(Property::new(
        "counts",
        counts_line(&Totals::of_run(summary)),
    ));
    suite
}

/// What failed and how to reproduce it, then the code frames of the scenario YAML.
fn explained(result: &ScenarioResult, failures: &[crate::result::CheckFailure]) -> String {
    Explanation::of(result, failures).text(true)
}

fn test_case(result: &ScenarioResult, strict: bool) -> TestCase {
    let required = result.is_required(strict);
    let status = match &result.outcome {
        Outcome::Pass | Outcome::Deviation { .. } | Outcome::Warn { .. } => {
            TestCaseStatus::success()
        }
        Outcome::Fail { failures } => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(failures_summary(failures))
                .set_type(FAILURE_TYPE)
                .set_description(explained(result, failures));
            status
        }
        Outcome::Error { message } if required => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(truncate_chars(&collapse_whitespace(message), 200))
                .set_type(ERROR_TYPE)
                .set_description(message.as_str());
            status
        }
        Outcome::Blocked {
            precondition,
            failures,
        } if required => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(truncate_chars(
                    &collapse_whitespace(&format!("blocked: {precondition}")),
                    200,
                ))
                .set_type(BLOCKED_TYPE)
                .set_description(explained(result, failures));
            status
        }
        Outcome::Error { message } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(truncate_chars(
                &collapse_whitespace(&format!("error: {message}")),
                200,
            ));
            status
        }
        Outcome::Blocked { precondition, .. } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(truncate_chars(
                &collapse_whitespace(&format!("blocked: {precondition}")),
                200,
            ));
            status
        }
        Outcome::Skip { reason, .. } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.as_str());
            status
        }
    };

    let mut case = TestCase::new(result.id.as_str(), status);
    case.set_classname(result.area.as_str());
    case.set_time(result.duration);
    case.add_properties([
        Property::new("title", &result.title),
        Property::new("severity", result.severity.as_str()),
        Property::new("requirement", result.requirement.join(", ")),
        Property::new("tags", result.tags.join(", ")),
        Property::new("file", &result.file),
    ]);

    for note in &result.notes {
        case.add_property(Property::new("note", note));
    }
    match &result.outcome {
        Outcome::Deviation { failures, reason } => {
            case.add_property(Property::new("deviation", reason));
            case.set_system_out(format!(
                "known deviation: {reason}\n\n{}",
                explained(result, failures)
            ));
        }
        Outcome::Warn { failures } => {
            case.add_property(Property::new("warning", failures_summary(failures)));
            case.set_system_out(format!(
                "warning ({} check failed; it does not fail the run)\n\n{}",
                result.severity.as_str(),
                explained(result, failures)
            ));
        }
        Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Blocked { .. }
            if !result.exchanges.is_empty() =>
        {
            case.set_system_out(render_exchanges(&result.exchanges));
        }
        _ => {}
    }
    if !result.cleanup_errors.is_empty() || !result.leftovers.is_empty() {
        let lines: Vec<String> = result
            .cleanup_errors
            .iter()
            .map(|e| format!("cleanup: {e}"))
            .chain(
                result
                    .leftovers
                    .iter()
                    .map(|l| format!("left on the target: {}: {}", l.what, l.reason)),
            )
            .collect();
        case.set_system_err(lines.join("\n") + "\n");
    }
    if !result.leftovers.is_empty() {
        case.add_property(Property::new(
            "leftovers",
            result.leftovers.len().to_string(),
        ));
    }
    case
}
