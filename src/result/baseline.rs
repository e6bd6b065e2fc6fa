//! Comparing a run with an earlier one: which failures are new, which were already
//! there, which were fixed, and which scenarios changed whether (or why) they were
//! skipped. Scenarios match by id; a failure is known only when the earlier run failed
//! the same scenario on the same checks (step and subject), so a scenario that now
//! fails on another check counts as a new failure.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Outcome, ScenarioResult};

/// How many scenario ids a sentence names before it counts the rest.
const NAMED_IN_A_SENTENCE: usize = 5;

/// What a run says about each scenario, as much as a comparison needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunRecord {
    pub scenarios: BTreeMap<String, ScenarioRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRecord {
    /// `pass`, `fail`, `warn`, `deviation`, `skip`, `error` or `blocked`.
    pub outcome: String,
    /// The failed checks as `step: subject`.
    pub checks: BTreeSet<String>,
    /// Why it was skipped, when it was.
    pub skip_reason: Option<String>,
}

impl ScenarioRecord {
    fn is_failure(&self) -> bool {
        self.outcome == "fail"
    }

    fn is_judged_without_failing(&self) -> bool {
        matches!(self.outcome.as_str(), "pass" | "warn" | "deviation")
    }

    /// `skip (reason)` or the outcome.
    fn described(&self) -> String {
        match &self.skip_reason {
            Some(reason) => format!("skip ({reason})"),
            None => self.outcome.clone(),
        }
    }
}

/// The check a failure is about, the same in a run and in a report read back.
pub fn check_name(step: &str, subject: &str) -> String {
    format!("{step}: {subject}")
}

impl RunRecord {
    pub fn of(results: &[ScenarioResult]) -> RunRecord {
        let scenarios = results
            .iter()
            .map(|result| {
                let record = ScenarioRecord {
                    outcome: result.outcome.label().to_owned(),
                    checks: result
                        .outcome
                        .failures()
                        .iter()
                        .map(|f| check_name(&f.step, &f.subject))
                        .collect(),
                    skip_reason: match &result.outcome {
                        Outcome::Skip { reason, .. } => Some(reason.clone()),
                        _ => None,
                    },
                };
                (result.id.clone(), record)
            })
            .collect();
        RunRecord { scenarios }
    }
}

/// A failure of the later run that the earlier one did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NewFailure {
    pub id: String,
    /// The earlier outcome, `fail` (on other checks), or `absent`.
    pub was: String,
    /// The checks that fail now and did not before.
    pub checks: Vec<String>,
}

/// A scenario that changed outcome: fixed, or skipped differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    pub id: String,
    pub was: String,
    pub now: String,
}

/// What changed from one run to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Changes {
    pub new_failures: Vec<NewFailure>,
    /// Failing in both runs, on checks that already failed.
    pub known_failures: Vec<String>,
    /// Failing before, judged without a failure now.
    pub fixed: Vec<Change>,
    /// Skipped in one run and not the other, or skipped for another reason.
    pub skips: Vec<Change>,
}

impl Changes {
    pub fn between(before: &RunRecord, after: &RunRecord) -> Changes {
        let mut changes = Changes::default();
        for (id, now) in &after.scenarios {
            let was = before.scenarios.get(id);
            if now.is_failure() {
                match was.filter(|was| was.is_failure()) {
                    Some(was) if now.checks.is_subset(&was.checks) => {
                        changes.known_failures.push(id.clone());
                    }
                    _ => changes.new_failures.push(NewFailure {
                        id: id.clone(),
                        was: was.map_or_else(|| "absent".to_owned(), |w| w.outcome.clone()),
                        checks: now
                            .checks
                            .iter()
                            .filter(|c| {
                                !was.is_some_and(|w| w.is_failure() && w.checks.contains(*c))
                            })
                            .cloned()
                            .collect(),
                    }),
                }
            }
            let Some(was) = was else { continue };
            if was.is_failure() && now.is_judged_without_failing() {
                changes.fixed.push(Change {
                    id: id.clone(),
                    was: was.described(),
                    now: now.described(),
                });
            }
            let skipped = (was.skip_reason.is_some(), now.skip_reason.is_some());
            if skipped != (false, false) && was.skip_reason != now.skip_reason {
                changes.skips.push(Change {
                    id: id.clone(),
                    was: was.described(),
                    now: now.described(),
                });
            }
        }
        changes
    }
}

/// An earlier run to compare with, and the file it came from.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub file: String,
    pub record: RunRecord,
}

/// A run compared with its baseline: what `--baseline` adds to the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BaselineComparison {
    pub file: String,
    #[serde(flatten)]
    pub changes: Changes,
}

impl BaselineComparison {
    pub fn of(baseline: &Baseline, results: &[ScenarioResult]) -> BaselineComparison {
        BaselineComparison {
            file: baseline.file.clone(),
            changes: Changes::between(&baseline.record, &RunRecord::of(results)),
        }
    }

    /// The sentence every report repeats about fixed scenarios, if any were.
    pub fn fixed_notice(&self) -> Option<String> {
        let fixed = &self.changes.fixed;
        (!fixed.is_empty()).then(|| {
            format!(
                "fixed since the baseline {}: {}",
                self.file,
                named(fixed.iter().map(|c| c.id.as_str()))
            )
        })
    }
}

/// Up to a few ids, then how many more.
pub fn named<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = ids.len();
    let shown: Vec<&str> = ids.take(NAMED_IN_A_SENTENCE).collect();
    let mut text = shown.join(", ");
    if total > shown.len() {
        text.push_str(&format!(" and {} more", total - shown.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(entries: &[(&str, &str, &[&str])]) -> RunRecord {
        RunRecord {
            scenarios: entries
                .iter()
                .map(|(id, outcome, checks)| {
                    (
                        (*id).to_owned(),
                        ScenarioRecord {
                            outcome: (*outcome).to_owned(),
                            checks: checks.iter().map(|c| (*c).to_owned()).collect(),
                            skip_reason: (*outcome == "skip").then(|| checks.join(" ")),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn a_failure_on_the_same_checks_is_known_and_on_another_check_is_new() {
        let before = record(&[
            ("a", "fail", &["create: status"]),
            ("b", "fail", &["get: body"]),
        ]);
        let after = record(&[
            ("a", "fail", &["create: status"]),
            ("b", "fail", &["get: body", "get: etag"]),
            ("c", "fail", &["list: status"]),
        ]);
        let changes = Changes::between(&before, &after);
        assert_eq!(changes.known_failures, ["a"]);
        assert_eq!(
            changes.new_failures,
            [
                NewFailure {
                    id: "b".into(),
                    was: "fail".into(),
                    checks: vec!["get: etag".into()],
                },
                NewFailure {
                    id: "c".into(),
                    was: "absent".into(),
                    checks: vec!["list: status".into()],
                },
            ]
        );
    }

    #[test]
    fn a_failure_judged_clean_is_fixed_and_one_now_skipped_only_changed_its_skip() {
        let before = record(&[("a", "fail", &["x: y"]), ("b", "fail", &["x: y"])]);
        let after = record(&[("a", "pass", &[]), ("b", "skip", &["no", "sort"])]);
        let changes = Changes::between(&before, &after);
        assert_eq!(
            changes.fixed,
            [Change {
                id: "a".into(),
                was: "fail".into(),
                now: "pass".into()
            }]
        );
        assert_eq!(
            changes.skips,
            [Change {
                id: "b".into(),
                was: "fail".into(),
                now: "skip (no sort)".into()
            }]
        );
        assert!(changes.new_failures.is_empty());
    }

    #[test]
    fn a_skip_for_the_same_reason_is_no_change() {
        let both = record(&[("a", "skip", &["sort", "unsupported"])]);
        assert_eq!(Changes::between(&both, &both), Changes::default());
    }

    #[test]
    fn long_lists_of_ids_are_cut() {
        let ids = ["a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(named(ids.iter().copied()), "a, b, c, d, e and 2 more");
    }
}
