//! The one verdict of a run, which the exit code, the console and every report state:
//! derived from the results alone, so no writer can disagree with another.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{BaselineComparison, Outcome, RunSummary, ScenarioResult, SkipCause, Totals, named};
use crate::exit;

/// How a run ended, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictStatus {
    /// Every required check that could run, passed.
    Passed,
    /// A required check failed, or too little of the selection ran to judge the target.
    Failed,
    /// Nothing required failed, but a required scenario could not be judged (an error,
    /// or blocked by a failed precondition).
    Incomplete,
    /// Stopped early by a signal or the deadline: the results are partial.
    Interrupted,
}

impl VerdictStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictStatus::Passed => "passed",
            VerdictStatus::Failed => "failed",
            VerdictStatus::Incomplete => "incomplete",
            VerdictStatus::Interrupted => "interrupted",
        }
    }
}

/// The verdict, its exit code and the reasons in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub status: VerdictStatus,
    pub exit_code: i32,
    /// Why the verdict is what it is, one sentence each (empty for a clean pass).
    pub reasons: Vec<String>,
}

/// Scenarios skipped for the same reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkipGroup {
    pub reason: String,
    pub cause: SkipCause,
    pub ids: Vec<String>,
}

/// Skipped scenarios grouped by their reason, the largest group first.
pub fn skip_groups(results: &[ScenarioResult]) -> Vec<SkipGroup> {
    let mut groups: BTreeMap<(&str, SkipCause), Vec<String>> = BTreeMap::new();
    for result in results {
        if let Outcome::Skip { reason, cause } = &result.outcome {
            groups
                .entry((reason.as_str(), *cause))
                .or_default()
                .push(result.id.clone());
        }
    }
    let mut groups: Vec<SkipGroup> = groups
        .into_iter()
        .map(|((reason, cause), ids)| SkipGroup {
            reason: reason.to_owned(),
            cause,
            ids,
        })
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.ids.len()));
    groups
}

impl Verdict {
    pub fn of(summary: &RunSummary) -> Verdict {
        let results = &summary.results;
        let totals = Totals::of(results);
        if summary.interrupted {
            let (exit_code, why) = match &summary.stop {
                Some(stop) => (stop.exit_code, lowercase_first(&stop.reason)),
                None => (exit::INTERRUPTED, "the run was interrupted".to_owned()),
            };
            return Verdict {
                status: VerdictStatus::Interrupted,
                exit_code,
                reasons: vec![format!("{why}; its results are partial")],
            };
        }
        let mut reasons = Vec::new();
        match &summary.baseline {
            None if totals.failed > 0 => reasons.push(if totals.failed == 1 {
                "1 failure fails the run".to_owned()
            } else {
                format!("{} failures fail the run", totals.failed)
            }),
            None => {}
            Some(baseline) => reasons.extend(baseline_reasons(baseline)),
        }
        let fails = match &summary.baseline {
            None => totals.failed > 0,
            Some(baseline) => !baseline.changes.new_failures.is_empty(),
        };
        let shortfall = coverage_shortfall(results, &totals);
        // Errors are what the tool could not judge (a timeout, a reset): a shortfall
        // they alone explain leaves the run incomplete, never failed.
        let (shortfall, unjudgeable) = match shortfall {
            Some(s) if s.errors_explain_it => (None, Some(s.text)),
            Some(s) => (Some(s.text), None),
            None => (None, None),
        };
        if fails || shortfall.is_some() {
            reasons.extend(shortfall);
            return Verdict {
                status: VerdictStatus::Failed,
                exit_code: exit::CONFORMANCE_FAILURE,
                reasons,
            };
        }
        let unjudged = |wanted: fn(&Outcome) -> bool| {
            results
                .iter()
                .filter(|r| wanted(&r.outcome) && r.is_required(summary.strict))
                .count()
        };
        let errors = unjudged(|o| matches!(o, Outcome::Error { .. }));
        let blocked = unjudged(|o| matches!(o, Outcome::Blocked { .. }));
        if let Some(text) = unjudgeable {
            reasons.insert(0, text);
            return Verdict {
                status: VerdictStatus::Incomplete,
                exit_code: exit::INCOMPLETE,
                reasons,
            };
        }
        if errors + blocked > 0 {
            let mut parts = Vec::new();
            if errors > 0 {
                parts.push(plural(errors, "error", "errors"));
            }
            if blocked > 0 {
                parts.push(format!("{blocked} blocked"));
            }
            reasons.insert(
                0,
                format!(
                    "nothing required failed, but {} left required scenarios unjudged",
                    parts.join(" and ")
                ),
            );
            return Verdict {
                status: VerdictStatus::Incomplete,
                exit_code: exit::INCOMPLETE,
                reasons,
            };
        }
        if totals.warnings > 0 {
            reasons.push(if totals.warnings == 1 {
                "1 warning does not fail the run".to_owned()
            } else {
                format!("{} warnings do not fail the run", totals.warnings)
            });
        }
        Verdict {
            status: VerdictStatus::Passed,
            exit_code: exit::SUCCESS,
            reasons,
        }
    }
}

/// With a baseline, what fails the run is what it did not have: the new failures by id,
/// then how many known ones are let through.
fn baseline_reasons(baseline: &BaselineComparison) -> Vec<String> {
    let changes = &baseline.changes;
    let mut reasons = Vec::new();
    let new = changes.new_failures.len();
    if new > 0 {
        reasons.push(format!(
            "{} not in the baseline {} the run: {}",
            plural(new, "failure", "failures"),
            if new == 1 { "fails" } else { "fail" },
            named(changes.new_failures.iter().map(|f| f.id.as_str()))
        ));
    }
    let known = changes.known_failures.len();
    if known > 0 {
        reasons.push(format!(
            "{} already in the baseline {} {} not fail the run",
            plural(known, "failure", "failures"),
            baseline.file,
            if known == 1 { "does" } else { "do" }
        ));
    }
    reasons
}

/// No silent pass: when less than half of what the target's own declarations allow was
/// judged, say what stood in the way. Skips the user or the server chose do not count.
struct Shortfall {
    text: String,
    /// Half of the rest would have been judged: the errors alone make the shortfall.
    errors_explain_it: bool,
}

fn coverage_shortfall(results: &[ScenarioResult], totals: &Totals) -> Option<Shortfall> {
    let chosen = results
        .iter()
        .filter(|r| matches!(&r.outcome, Outcome::Skip { cause, .. } if cause.is_chosen()))
        .count();
    let runnable = results.len().saturating_sub(chosen);
    let judged = totals.judged();
    if runnable == 0 || judged * 2 >= runnable {
        return None;
    }
    let mut blockers = Vec::new();
    for group in skip_groups(results)
        .iter()
        .filter(|g| !g.cause.is_chosen())
        .take(3)
    {
        blockers.push(format!("{} skipped: {}", group.ids.len(), group.reason));
    }
    let mut preconditions: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        if let Outcome::Blocked { precondition, .. } = &result.outcome {
            *preconditions.entry(precondition).or_default() += 1;
        }
    }
    let mut preconditions: Vec<(&str, usize)> = preconditions.into_iter().collect();
    preconditions.sort_by_key(|p| std::cmp::Reverse(p.1));
    for (precondition, count) in preconditions.into_iter().take(3) {
        blockers.push(format!("{count} blocked: {precondition}"));
    }
    if totals.errors > 0 {
        blockers.push(format!(
            "{} could not be judged",
            plural(totals.errors, "error", "errors")
        ));
    }
    Some(Shortfall {
        text: format!(
            "only {judged} of {runnable} runnable scenarios were judged ({})",
            blockers.join("; ")
        ),
        errors_explain_it: judged * 2 >= runnable - totals.errors,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `Interrupted by SIGTERM` reads `interrupted by SIGTERM` inside a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::result::{CheckFailure, RunInfo};
    use crate::vocabulary::Severity;

    fn result(id: &str, severity: Severity, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            area: "a".into(),
            ..ScenarioResult::bare(id, severity, outcome)
        }
    }

    fn summary(results: Vec<ScenarioResult>) -> RunSummary {
        RunSummary {
            info: RunInfo {
                target_url: String::new(),
                profiles: Vec::new(),
                tool_version: String::new(),
                run_id: String::new(),
                started_at: String::new(),
                plan: None,
                embedded: None,
                capabilities: None,
            },
            results,
            totals: Totals::default(),
            duration: Duration::ZERO,
            interrupted: false,
            stop: None,
            leftovers: vec![],
            strict: false,
            notices: vec![],
            baseline: None,
            coverage: None,
            requests: None,
            run_exchanges: Default::default(),
        }
    }

    fn skip(cause: SkipCause) -> Outcome {
        Outcome::Skip {
            reason: format!("{cause:?}"),
            cause,
        }
    }

    fn failure() -> Vec<CheckFailure> {
        vec![CheckFailure {
            step: "s".into(),
            subject: "status".into(),
            expected: "201".into(),
            actual: "200".into(),
            location: String::new(),
            rendered: String::new(),
            request: "POST /Users".into(),
            hint: None,
            curl: None,
        }]
    }

    #[test]
    fn a_required_failure_fails_and_warnings_do_not() {
        let failed = summary(vec![
            result("a", Severity::Must, Outcome::Pass),
            result(
                "b",
                Severity::Must,
                Outcome::Fail {
                    failures: failure(),
                },
            ),
        ]);
        assert_eq!(Verdict::of(&failed).exit_code, exit::CONFORMANCE_FAILURE);
        let warned = summary(vec![
            result("a", Severity::Must, Outcome::Pass),
            result(
                "b",
                Severity::May,
                Outcome::Warn {
                    failures: failure(),
                },
            ),
        ]);
        let verdict = Verdict::of(&warned);
        assert_eq!(verdict.status, VerdictStatus::Passed);
        assert_eq!(verdict.reasons, ["1 warning does not fail the run"]);
    }

    #[test]
    fn required_errors_and_blocked_scenarios_leave_the_run_incomplete() {
        let blocked = Outcome::Blocked {
            precondition: "step `create`".into(),
            failures: failure(),
        };
        let mut results = vec![result("x", Severity::Must, blocked)];
        results.extend((0..3).map(|i| result(&format!("p{i}"), Severity::Must, Outcome::Pass)));
        let verdict = Verdict::of(&summary(results));
        assert_eq!(
            (verdict.status, verdict.exit_code),
            (VerdictStatus::Incomplete, exit::INCOMPLETE)
        );
        // An error where even a failure would only warn changes nothing.
        let mut results = vec![result(
            "x",
            Severity::May,
            Outcome::Error {
                message: "reset".into(),
            },
        )];
        results.extend((0..3).map(|i| result(&format!("p{i}"), Severity::Must, Outcome::Pass)));
        assert_eq!(Verdict::of(&summary(results)).exit_code, exit::SUCCESS);
    }

    #[test]
    fn declared_and_selected_skips_never_make_a_run_too_small() {
        let mut results: Vec<ScenarioResult> = (0..8)
            .map(|i| result(&format!("s{i}"), Severity::Must, skip(SkipCause::Declared)))
            .collect();
        results.push(result("t", Severity::Must, skip(SkipCause::Selection)));
        results.push(result("l", Severity::Must, skip(SkipCause::Latitude)));
        results.push(result("p", Severity::Must, Outcome::Pass));
        assert_eq!(Verdict::of(&summary(results)).exit_code, exit::SUCCESS);
    }

    #[test]
    fn a_run_that_judges_less_than_half_for_other_reasons_fails_and_says_why() {
        let mut results: Vec<ScenarioResult> = (0..6)
            .map(|i| result(&format!("s{i}"), Severity::Must, skip(SkipCause::Discovery)))
            .collect();
        results.extend((0..4).map(|i| result(&format!("p{i}"), Severity::Must, Outcome::Pass)));
        let verdict = Verdict::of(&summary(results));
        assert_eq!(verdict.exit_code, exit::CONFORMANCE_FAILURE);
        assert_eq!(
            verdict.reasons,
            ["only 4 of 10 runnable scenarios were judged (6 skipped: Discovery)"]
        );
    }

    #[test]
    fn timeouts_that_leave_most_scenarios_unjudged_make_a_run_incomplete_not_failed() {
        let timeout = || Outcome::Error {
            message: "step `get`: GET /Users/1: no complete response within 5s (timed out)".into(),
        };
        let mut results: Vec<ScenarioResult> = (0..7)
            .map(|i| result(&format!("t{i}"), Severity::Should, timeout()))
            .collect();
        results.extend((0..3).map(|i| result(&format!("p{i}"), Severity::Must, Outcome::Pass)));
        let verdict = Verdict::of(&summary(results));
        assert_eq!(
            (verdict.status, verdict.exit_code),
            (VerdictStatus::Incomplete, exit::INCOMPLETE)
        );
        assert_eq!(
            verdict.reasons,
            ["only 3 of 10 runnable scenarios were judged (7 errors could not be judged)"]
        );
        // Errors beside a shortfall of their own making still fail the run.
        let mut results: Vec<ScenarioResult> = (0..6)
            .map(|i| result(&format!("s{i}"), Severity::Must, skip(SkipCause::Discovery)))
            .collect();
        results.push(result("t", Severity::Must, timeout()));
        results.extend((0..3).map(|i| result(&format!("p{i}"), Severity::Must, Outcome::Pass)));
        assert_eq!(
            Verdict::of(&summary(results)).exit_code,
            exit::CONFORMANCE_FAILURE
        );
    }

    #[test]
    fn with_a_baseline_only_new_failures_fail_the_run() {
        use crate::result::{Baseline, BaselineComparison, RunRecord};
        let failing = |id: &str| {
            result(
                id,
                Severity::Must,
                Outcome::Fail {
                    failures: failure(),
                },
            )
        };
        let earlier = vec![failing("old"), result("new", Severity::Must, Outcome::Pass)];
        let baseline = Baseline {
            file: "before.json".into(),
            record: RunRecord::of(&earlier),
        };
        let mut same = summary(vec![
            failing("old"),
            result("new", Severity::Must, Outcome::Pass),
        ]);
        same.baseline = Some(BaselineComparison::of(&baseline, &same.results));
        let verdict = Verdict::of(&same);
        assert_eq!(verdict.status, VerdictStatus::Passed);
        assert_eq!(
            verdict.reasons,
            ["1 failure already in the baseline before.json does not fail the run"]
        );
        let mut worse = summary(vec![failing("old"), failing("new")]);
        worse.baseline = Some(BaselineComparison::of(&baseline, &worse.results));
        let verdict = Verdict::of(&worse);
        assert_eq!(verdict.exit_code, exit::CONFORMANCE_FAILURE);
        assert_eq!(
            verdict.reasons[0],
            "1 failure not in the baseline fails the run: new"
        );
    }

    #[test]
    fn skips_group_by_reason_largest_first() {
        let results = vec![
            result("a", Severity::Must, skip(SkipCause::Selection)),
            result("b", Severity::Must, skip(SkipCause::Declared)),
            result("c", Severity::Must, skip(SkipCause::Declared)),
        ];
        let groups = skip_groups(&results);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].ids, ["b", "c"]);
        assert_eq!(groups[1].cause, SkipCause::Selection);
    }
}
