//! Small text shapes shared by the writers: one-line failure summaries, indentation,
//! durations.

use std::time::Duration;

use crate::result::{CheckFailure, RequestCount, Tally, Totals, Verdict};

/// Longest one-line summary, in characters; the full text is always available elsewhere.
const ONE_LINE_MAX: usize = 200;

/// `step: subject: expected X, got Y` on one line, for JUnit `message` attributes and
/// transcript headers.
pub(crate) fn one_line(failure: &CheckFailure) -> String {
    let text = format!(
        "{}: {}: expected {}, got {}",
        failure.step, failure.subject, failure.expected, failure.actual
    );
    truncate_chars(&collapse_whitespace(&text), ONE_LINE_MAX)
}

/// The first failure's one-line summary, with how many more there are.
pub(crate) fn failures_summary(failures: &[CheckFailure]) -> String {
    match failures {
        [] => "no failure recorded".to_string(),
        [only] => one_line(only),
        [first, rest @ ..] => format!("{} (and {} more)", one_line(first), rest.len()),
    }
}

/// The statement-level coverage in one line, the same words in every report:
/// `62 % of 271 server statements checked; MUSTs checked at must: 143 of 200 (71 %)`.
pub fn coverage_line(tally: &Tally) -> String {
    format!(
        "{} % of {} server statements checked ({}); MUSTs checked at must: {} of {} ({} %)",
        tally.percent(),
        tally.statements,
        tally.checked,
        tally.musts_at_must,
        tally.musts,
        tally.must_percent()
    )
}

/// Every request the run sent, with what they were for where the run counted them:
/// `463 (3 discovery, 451 scenario steps, 7 cleanup, 2 shared)`. Where nothing counted
/// them (a judged client, a summary built by hand), the `recorded` exchanges.
pub fn requests_line(counted: Option<RequestCount>, recorded: usize) -> String {
    let Some(count) = counted else {
        return recorded.to_string();
    };
    let parts: Vec<String> = [
        (count.discovery, "discovery"),
        (count.scenarios, "scenario steps"),
        (count.cleanup, "cleanup"),
        (count.shared, "shared"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        return count.total.to_string();
    }
    format!("{} ({})", count.total, parts.join(", "))
}

/// The requests a rate-limited target charges: everything sent where the run counted
/// it, else the `recorded` exchanges.
pub fn requests_sent(counted: Option<RequestCount>, recorded: usize) -> u64 {
    counted.map_or(recorded as u64, |c| c.total)
}

/// The counts of every outcome in one line, the same words in every report:
/// `3 passed, 1 failed, 2 warned, 1 deviated, 4 skipped, 0 errored, 1 blocked`.
/// Each outcome is counted apart: a deviation is not a pass, an error is not a failure.
pub fn counts_line(totals: &Totals) -> String {
    format!(
        "{} passed, {} failed, {} warned, {} deviated, {} skipped, {} errored, {} blocked",
        totals.passed,
        totals.failed,
        totals.warnings,
        totals.deviations,
        totals.skipped,
        totals.errors,
        totals.blocked
    )
}

/// `failed (exit 1): 1 failure fails the run`.
pub fn verdict_words(verdict: &Verdict) -> String {
    let mut text = format!("{} (exit {})", verdict.status.as_str(), verdict.exit_code);
    if !verdict.reasons.is_empty() {
        text.push_str(": ");
        text.push_str(&verdict.reasons.join("; "));
    }
    text
}

pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, ending in `…` when something was cut.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let kept: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{kept}…")
        }
    }
}

/// Prefixes every non-empty line with `prefix`.
pub(crate) fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len() + prefix.len() * 4);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(prefix);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `850 ms` below a second, `12.345 s` above.
pub(crate) fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(expected: &str, actual: &str) -> CheckFailure {
        CheckFailure {
            step: "create".into(),
            subject: "status".into(),
            expected: expected.into(),
            actual: actual.into(),
            location: "core/users.yaml:12:7".into(),
            rendered: String::new(),
            request: "POST /Users".into(),
            hint: None,
            curl: None,
        }
    }

    #[test]
    fn requests_say_what_they_were_for_where_the_run_counted_them() {
        let counted = RequestCount {
            total: 10,
            discovery: 3,
            scenarios: 4,
            cleanup: 2,
            shared: 1,
        };
        assert_eq!(
            requests_line(Some(counted), 4),
            "10 (3 discovery, 4 scenario steps, 2 cleanup, 1 shared)"
        );
        assert_eq!(requests_sent(Some(counted), 4), 10);
        let scenarios_only = RequestCount {
            total: 4,
            scenarios: 4,
            ..RequestCount::default()
        };
        assert_eq!(
            requests_line(Some(scenarios_only), 4),
            "4 (4 scenario steps)"
        );
        assert_eq!(requests_line(Some(RequestCount::default()), 0), "0");
        assert_eq!(requests_line(None, 6), "6");
        assert_eq!(requests_sent(None, 6), 6);
    }

    #[test]
    fn one_line_summary_joins_step_subject_expected_and_actual() {
        assert_eq!(
            one_line(&failure("201", "500")),
            "create: status: expected 201, got 500"
        );
    }

    #[test]
    fn one_line_summary_has_no_line_breaks_and_is_bounded() {
        let long = "x\n".repeat(500);
        let line = one_line(&failure("201", &long));
        assert!(!line.contains('\n'));
        assert_eq!(line.chars().count(), ONE_LINE_MAX);
        assert!(line.ends_with('…'));
    }

    #[test]
    fn summary_of_several_failures_counts_the_rest() {
        let all = [failure("1", "2"), failure("3", "4"), failure("5", "6")];
        assert_eq!(
            failures_summary(&all),
            "create: status: expected 1, got 2 (and 2 more)"
        );
    }

    #[test]
    fn truncation_respects_multibyte_characters() {
        assert_eq!(truncate_chars("ééééé", 3), "éé…");
        assert_eq!(truncate_chars("ééé", 3), "ééé");
    }

    #[test]
    fn durations_read_in_ms_below_a_second_and_seconds_above() {
        assert_eq!(human_duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(human_duration(Duration::from_millis(12_345)), "12.345 s");
    }

    #[test]
    fn indent_leaves_blank_lines_blank() {
        assert_eq!(indent("a\n\nb", "  "), "  a\n\n  b\n");
    }
}
