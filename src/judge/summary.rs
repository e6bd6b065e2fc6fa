//! A judgement in the report model of `run`: one result per rule (pass, fail with one
//! check failure per finding, or skip when no request exercised it), so the JUnit, JSON,
//! HTML and Markdown writers report a judged client as they report a run. The console
//! gets its own text, built around the findings.

use std::time::Duration;

use super::{Finding, Judgement, RuleOutcome};
use crate::catalog::Level;
use crate::report::final_line;
use crate::result::{
    CheckFailure, Outcome, RunInfo, RunSummary, ScenarioResult, SkipCause, Totals,
    failure_fails_run,
};
use crate::vocabulary::Severity;

/// How many findings of one rule the console shows; reports have them all.
const SHOWN_PER_RULE: usize = 3;

/// Why a rule is reported as skipped.
pub const NOT_EXERCISED: &str = "no request gave this rule anything to check";

pub fn severity(level: Level) -> Severity {
    match level {
        Level::Must => Severity::Must,
        Level::Should => Severity::Should,
        Level::May => Severity::May,
    }
}

/// One result per rule, in the judgement's order; `strict` makes broken `should` rules
/// fail rather than warn, as in `run`.
pub fn rule_results(judgement: &Judgement, strict: bool) -> Vec<ScenarioResult> {
    judgement
        .rules
        .iter()
        .map(|rule| rule_result(rule, strict))
        .collect()
}

fn rule_result(outcome: &RuleOutcome, strict: bool) -> ScenarioResult {
    let rule = &outcome.rule;
    let failures = || outcome.findings.iter().map(check_failure).collect();
    let result_outcome = if outcome.findings.is_empty() {
        if outcome.exercised {
            Outcome::Pass
        } else {
            // The client chose not to do what the rule is about.
            Outcome::Skip {
                reason: NOT_EXERCISED.to_owned(),
                cause: SkipCause::Selection,
            }
        }
    } else if failure_fails_run(severity(rule.level), strict) {
        Outcome::Fail {
            failures: failures(),
        }
    } else {
        Outcome::Warn {
            failures: failures(),
        }
    };
    ScenarioResult {
        id: rule.id.clone(),
        title: rule.text.clone(),
        area: rule.area.clone(),
        severity: severity(rule.level),
        requirement: vec![rule.id.clone()],
        tags: vec!["client".to_owned()],
        file: rule.source.clone(),
        outcome: result_outcome,
        duration: Duration::ZERO,
        exchanges: outcome
            .findings
            .iter()
            .filter_map(|f| f.exchange.clone())
            .collect(),
        cleanup_errors: Vec::new(),
        leftovers: Vec::new(),
        notes: Vec::new(),
    }
}

fn check_failure(finding: &Finding) -> CheckFailure {
    CheckFailure {
        step: finding.request.to_string(),
        subject: finding.part.clone(),
        expected: finding.expected.clone(),
        actual: finding.found.clone(),
        location: finding.reference.clone(),
        rendered: finding.render(),
        request: finding.request.to_string(),
        hint: None,
        curl: None,
    }
}

/// The whole session as a run summary; `extra` are results beyond the rules (the
/// command's own failure, final-state expectations).
pub fn run_summary(
    info: RunInfo,
    judgement: &Judgement,
    extra: Vec<ScenarioResult>,
    duration: Duration,
    strict: bool,
) -> RunSummary {
    let mut results = rule_results(judgement, strict);
    results.extend(extra);
    let mut totals = Totals::of(&results);
    totals.requests = usize::try_from(judgement.requests).unwrap_or(usize::MAX);
    RunSummary {
        info,
        results,
        totals,
        duration,
        interrupted: false,
        stop: None,
        leftovers: Vec::new(),
        strict,
        notices: Vec::new(),
        baseline: None,
        coverage: None,
        requests: None,
        run_exchanges: Default::default(),
    }
}

/// The console report: the faults injected, every broken rule with its findings, then
/// the counts ([`summary_text`]).
pub fn console_text(judgement: &Judgement, summary: &RunSummary) -> String {
    format!(
        "{}{}",
        findings_text(judgement),
        summary_text(judgement, summary)
    )
}

/// The faults injected and every broken rule with (some of) its findings.
pub fn findings_text(judgement: &Judgement) -> String {
    let mut out = String::new();
    if !judgement.injected.is_empty() {
        let faults: Vec<String> = judgement
            .injected
            .iter()
            .map(|(seq, fault)| format!("#{seq} {fault}"))
            .collect();
        out.push_str(&format!("Faults injected: {}\n", faults.join(", ")));
    }
    for outcome in judgement.rules.iter().filter(|r| !r.findings.is_empty()) {
        let rule = &outcome.rule;
        let count = outcome.findings.len();
        let mut requests: Vec<u64> = outcome.findings.iter().map(|f| f.request.seq).collect();
        requests.dedup();
        let how_many = if requests.len() == count {
            plural(count, "request")
        } else {
            format!(
                "{} in {}",
                plural(count, "finding"),
                plural(requests.len(), "request")
            )
        };
        out.push_str(&format!(
            "\nBROKEN {} ({}): {how_many}\n  {}\n  {}\n",
            rule.id,
            rule.level.as_str(),
            rule.reference,
            rule.text
        ));
        for finding in outcome.findings.iter().take(SHOWN_PER_RULE) {
            out.push_str(&format!(
                "  {}\n    {}: {}\n    expected: {}\n",
                finding.request, finding.part, finding.found, finding.expected
            ));
        }
        if count > SHOWN_PER_RULE {
            out.push_str(&format!(
                "  ... and {} more (all of them in the reports)\n",
                count - SHOWN_PER_RULE
            ));
        }
    }
    out
}

/// The counts, ending with the `N passed, N failed, N skipped` line.
pub fn summary_text(judgement: &Judgement, summary: &RunSummary) -> String {
    let broken: Vec<&RuleOutcome> = judgement
        .rules
        .iter()
        .filter(|r| !r.findings.is_empty())
        .collect();
    let judged = judgement.rules.len();
    let kept = judgement
        .rules
        .iter()
        .filter(|r| r.exercised && r.findings.is_empty())
        .count();
    let unexercised = judgement.rules.iter().filter(|r| !r.exercised).count();
    let by_level = |level: Level| broken.iter().filter(|r| r.rule.level == level).count();
    format!(
        "\nSummary\n  requests    {}\n  rules       {judged}: {kept} kept, {} broken ({} must, {} should, {} may), {unexercised} not exercised\n{}\n",
        judgement.requests,
        broken.len(),
        by_level(Level::Must),
        by_level(Level::Should),
        by_level(Level::May),
        final_line(&summary.totals)
    )
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
