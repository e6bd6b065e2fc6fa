//! Failures grouped by root cause: the failing check and the request that showed it.
//! One server defect (a dropped attribute, a create answered 200) then reads as one
//! cause with the scenarios it touched, not as dozens of unrelated titles.

use std::collections::HashMap;

use serde::Serialize;

use super::{CheckFailure, Outcome, ScenarioResult};

/// One cause and everything it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCause {
    /// The check that failed, as the first scenario saw it:
    /// `status: expected 201, got 200`.
    pub check: String,
    /// The request as scenarios write it: `POST /Users`.
    pub request: String,
    /// The first request that showed it, as sent: `POST http://host/scim/v2/Users`.
    pub first_request: String,
    /// The scenario where it was seen first (plan order).
    pub first_scenario: String,
    /// Every scenario it explains, with its outcome label (`fail`, `warn`, `blocked`).
    pub scenarios: Vec<(String, &'static str)>,
}

/// Root causes of the failed, warned and blocked scenarios, the widest first.
pub fn root_causes(results: &[ScenarioResult]) -> Vec<RootCause> {
    let mut causes: Vec<RootCause> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for result in results {
        if !matches!(
            result.outcome,
            Outcome::Fail { .. } | Outcome::Warn { .. } | Outcome::Blocked { .. }
        ) {
            continue;
        }
        let Some(failure) = primary(result.outcome.failures()) else {
            continue;
        };
        let slot = *index.entry(key(failure)).or_insert_with(|| {
            causes.push(RootCause {
                check: check_words(failure),
                request: failure.request.clone(),
                first_request: first_request(result, failure),
                first_scenario: result.id.clone(),
                scenarios: Vec::new(),
            });
            causes.len() - 1
        });
        causes[slot]
            .scenarios
            .push((result.id.clone(), result.outcome.label()));
    }
    // Stable: equally wide causes keep the order they were first seen in.
    causes.sort_by_key(|c| std::cmp::Reverse(c.scenarios.len()));
    causes
}

/// The failure that explains a scenario's others: a scenario stops at its first failing
/// step, and there a wrong status (or a body that is not JSON) makes every body check
/// fail with it.
fn primary(failures: &[CheckFailure]) -> Option<&CheckFailure> {
    failures
        .iter()
        .find(|f| f.subject == "status")
        .or_else(|| failures.iter().find(|f| f.subject == "body"))
        .or_else(|| failures.first())
}

/// What makes two failures the same cause. A wrong status: the same request shape, the
/// same expectation and the same answer. An attribute missing from an answer: that
/// attribute, whichever request showed it (a server that drops `displayName` drops it
/// from every answer). Any other check: the same request shape and the same check.
fn key(failure: &CheckFailure) -> String {
    let subject = failure.subject.to_ascii_lowercase();
    if failure.subject == "status" {
        let answered: String = failure.actual.chars().take(3).collect();
        return format!(
            "{}\u{1f}status\u{1f}{}\u{1f}{answered}",
            failure.request,
            mask_generated(&failure.expected)
        );
    }
    if subject.starts_with("body.") && failure.actual == "absent" {
        return format!("absent\u{1f}{subject}");
    }
    format!("{}\u{1f}{subject}", failure.request)
}

fn check_words(failure: &CheckFailure) -> String {
    let text = format!(
        "{}: expected {}, got {}",
        failure.subject, failure.expected, failure.actual
    );
    crate::printable::truncate(&text.split_whitespace().collect::<Vec<_>>().join(" "), 200)
}

/// The method and URL of the exchange the failing step made (its last attempt).
fn first_request(result: &ScenarioResult, failure: &CheckFailure) -> String {
    result
        .exchanges
        .iter()
        .rev()
        .find(|e| e.step == failure.step)
        .map(|e| format!("{} {}", e.method, e.url))
        .unwrap_or_else(|| failure.request.clone())
}

/// `scimcheck-<run>-<n>` values and UUIDs differ in every scenario; the cause does not.
fn mask_generated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("scimcheck-") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + "scimcheck-".len()..];
        let run_len = tail
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len());
        let after_run = &tail[run_len..];
        let digits = after_run
            .strip_prefix('-')
            .map(|d| d.find(|c: char| !c.is_ascii_digit()).unwrap_or(d.len()))
            .unwrap_or(0);
        if run_len > 0 && digits > 0 {
            out.push_str("{unique}");
            rest = &after_run[1 + digits..];
        } else {
            out.push_str("scimcheck-");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Severity;

    fn failure(request: &str, subject: &str, expected: &str) -> CheckFailure {
        CheckFailure {
            step: "create".into(),
            subject: subject.into(),
            expected: expected.into(),
            actual: "200".into(),
            location: String::new(),
            rendered: String::new(),
            request: request.into(),
            hint: None,
            curl: None,
        }
    }

    fn result(id: &str, outcome: Outcome) -> ScenarioResult {
        ScenarioResult::bare(id, Severity::Must, outcome)
    }

    #[test]
    fn one_defect_seen_by_many_scenarios_is_one_cause() {
        let created_200 = || vec![failure("POST /Users", "status", "201")];
        let results = vec![
            result(
                "users.create.basic",
                Outcome::Fail {
                    failures: created_200(),
                },
            ),
            result("users.read", Outcome::Pass),
            result(
                "users.patch.x",
                Outcome::Blocked {
                    precondition: "step `create`".into(),
                    failures: created_200(),
                },
            ),
            result(
                "groups.y",
                Outcome::Fail {
                    failures: vec![failure("GET /Groups", "body.totalResults", "1")],
                },
            ),
        ];
        let causes = root_causes(&results);
        assert_eq!(causes.len(), 2);
        assert_eq!(causes[0].request, "POST /Users");
        assert_eq!(causes[0].check, "status: expected 201, got 200");
        assert_eq!(causes[0].first_scenario, "users.create.basic");
        assert_eq!(
            causes[0].scenarios,
            [
                ("users.create.basic".to_owned(), "fail"),
                ("users.patch.x".to_owned(), "blocked")
            ]
        );
    }

    #[test]
    fn a_wrong_status_explains_the_body_checks_of_its_step() {
        let failures = vec![
            failure("GET /Schemas", "body.Resources", "present"),
            failure("GET /Schemas", "status", "200"),
        ];
        let causes = root_causes(&[result("d", Outcome::Fail { failures })]);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].check, "status: expected 200, got 200");
    }

    #[test]
    fn generated_values_do_not_split_a_cause() {
        assert_eq!(
            mask_generated("\"scimcheck-k3x9q2-17@example.com\" and scimcheck-ab-3"),
            "\"{unique}@example.com\" and {unique}"
        );
        assert_eq!(mask_generated("scimcheck-only"), "scimcheck-only");
    }
}
