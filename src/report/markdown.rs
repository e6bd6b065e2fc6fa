//! `--report-markdown FILE`: a short summary for CI job pages and pull requests (e.g.
//! `$GITHUB_STEP_SUMMARY`): the totals, then what did not pass with its failures. Passing
//! scenarios are only counted; exchanges stay in JUnit, HTML and transcripts.

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;
use super::explain::{Explanation, ResponseExcerpt, reproduce_label, request_line};
use super::output::write_atomic;
use super::text::{coverage_line, one_line, requests_sent, verdict_words};
use crate::printable::escape_controls;
use crate::result::{
    CheckFailure, Outcome, RunSummary, ScenarioResult, Totals, Verdict, root_causes, skip_groups,
};

pub fn write_markdown(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, markdown_string(summary).as_bytes())
}

pub fn markdown_string(summary: &RunSummary) -> String {
    let info = &summary.info;
    let totals = Totals::of_run(summary);
    let mut out = String::new();
    let _ = writeln!(out, "# scimcheck: {}\n", inline(&info.target_url));
    let mut facts = vec![format!("run `{}`", info.run_id)];
    if let Some((word, names)) = info.profiles_shown() {
        facts.push(format!("{word} `{names}`"));
    }
    facts.push(format!("{} ms", summary.duration.as_millis()));
    facts.push(format!("scimcheck {}", info.tool_version));
    if let Some(coverage) = &summary.coverage {
        facts.push(format!(
            "requirement coverage: {}",
            coverage_line(&coverage.overall)
        ));
    }
    if summary.interrupted {
        let reason = summary
            .stop
            .as_ref()
            .map_or("interrupted", |s| s.reason.as_str());
        facts.push(format!("**{}**", inline(reason)));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    let verdict = Verdict::of(summary);
    let _ = writeln!(out, "**Verdict: {}**\n", inline(&verdict_words(&verdict)));
    out.push_str(
        "| passed | failed | warnings | deviations | skipped | errors | blocked | requests | leftovers |\n",
    );
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        totals.passed,
        totals.failed,
        totals.warnings,
        totals.deviations,
        totals.skipped,
        totals.errors,
        totals.blocked,
        requests_sent(summary.requests, totals.requests),
        totals.leftovers
    );
    let _ = writeln!(
        out,
        "\n{} of {} scenarios judged.",
        totals.judged(),
        totals.scenarios()
    );
    for notice in &summary.notices {
        let _ = writeln!(out, "\n> note: {}", inline(notice));
    }
    if totals.leftovers > 0 {
        let _ = writeln!(out, "\n## Left on the target ({})\n", totals.leftovers);
        for (owner, leftover) in summary.all_leftovers() {
            let _ = writeln!(
                out,
                "- `{owner}`: {}: {}",
                inline(&leftover.what),
                inline(&leftover.reason)
            );
        }
    }
    causes(&mut out, summary);
    section(&mut out, "Failed", summary, |o| {
        matches!(o, Outcome::Fail { .. })
    });
    section(&mut out, "Errors", summary, |o| {
        matches!(o, Outcome::Error { .. })
    });
    section(&mut out, "Blocked", summary, |o| {
        matches!(o, Outcome::Blocked { .. })
    });
    section(&mut out, "Warnings", summary, |o| {
        matches!(o, Outcome::Warn { .. })
    });
    section(&mut out, "Known deviations", summary, |o| {
        matches!(o, Outcome::Deviation { .. })
    });
    skipped(&mut out, summary);
    out
}

/// Failures grouped by root cause: the check, the request, and what it explains.
fn causes(out: &mut String, summary: &RunSummary) {
    let causes = root_causes(&summary.results);
    if causes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Root causes ({})\n", causes.len());
    for cause in &causes {
        let ids: Vec<String> = cause
            .scenarios
            .iter()
            .map(|(id, label)| format!("`{id}` ({label})"))
            .collect();
        let _ = writeln!(
            out,
            "- {}: {}\n  - first seen: {}\n  - {}",
            inline(&cause.request),
            inline(&cause.check),
            inline(&cause.first_request),
            ids.join(", ")
        );
    }
}

/// Skipped scenarios grouped by reason, so a page says why without listing each.
fn skipped(out: &mut String, summary: &RunSummary) {
    let groups = skip_groups(&summary.results);
    if groups.is_empty() {
        return;
    }
    let total: usize = groups.iter().map(|g| g.ids.len()).sum();
    let _ = writeln!(out, "\n## Skipped ({total})\n");
    for group in &groups {
        let ids: Vec<String> = group.ids.iter().map(|id| format!("`{id}`")).collect();
        let _ = writeln!(
            out,
            "- {} × {}\n  - {}",
            group.ids.len(),
            inline(&group.reason),
            ids.join(", ")
        );
    }
}

fn section(out: &mut String, heading: &str, summary: &RunSummary, wanted: fn(&Outcome) -> bool) {
    let results: Vec<&ScenarioResult> = summary
        .results
        .iter()
        .filter(|r| wanted(&r.outcome))
        .collect();
    if results.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {heading} ({})\n", results.len());
    for result in results {
        let _ = writeln!(
            out,
            "- `{}` ({}) {}",
            result.id,
            result.severity.as_str(),
            inline(&result.title)
        );
        match &result.outcome {
            Outcome::Fail { failures } | Outcome::Warn { failures } => {
                explained(out, result, failures, true)
            }
            Outcome::Blocked {
                precondition,
                failures,
            } => {
                let _ = writeln!(out, "  - blocked: {}", inline(precondition));
                // Many scenarios share a setup step: the request and the command say
                // enough, the answer and the code frames are in the other reports.
                explained(out, result, failures, false);
            }
            Outcome::Deviation { failures, reason } => {
                let _ = writeln!(out, "  - {}", inline(reason));
                explained(out, result, failures, true);
            }
            Outcome::Skip { reason, .. } => {
                let _ = writeln!(out, "  - {}", inline(reason));
            }
            Outcome::Error { message } => {
                let _ = writeln!(out, "  - {}", inline(message));
            }
            Outcome::Pass => {}
        }
        for note in &result.notes {
            let _ = writeln!(out, "  - note: {}", inline(note));
        }
        for problem in &result.cleanup_errors {
            let _ = writeln!(out, "  - cleanup: {}", inline(problem));
        }
    }
}

/// What failed, the rules with links to their sections, the request, the answer, and
/// the command to send it again; the scenario's code frames folded away last. Without
/// `full`, the answer and the code frames are left out.
fn explained(out: &mut String, result: &ScenarioResult, failures: &[CheckFailure], full: bool) {
    if failures.is_empty() {
        return;
    }
    let explanation = Explanation::of(result, failures);
    for check in explanation.steps.iter().flat_map(|s| &s.checks) {
        let _ = writeln!(out, "  - {}", inline(&one_line(check)));
        if let Some(hint) = &check.hint {
            let _ = writeln!(out, "    - hint: {}", inline(hint));
        }
    }
    for citation in &explanation.citations {
        let source = match &citation.url {
            Some(url) => format!("[{}]({url})", inline(&citation.source)),
            None => inline(&citation.source),
        };
        match &citation.text {
            Some(text) => {
                let _ = writeln!(out, "  - rule: {source}: {}", inline(text));
            }
            None => {
                let _ = writeln!(out, "  - rule: {source}");
            }
        }
    }
    for step in &explanation.steps {
        if let Some(exchange) = step.exchange {
            let response = step.response();
            let _ = writeln!(out, "  - request: {}", inline(&request_line(exchange)));
            let _ = writeln!(out, "  - response: {}", inline(&response.status_line));
            if full {
                answer(out, &response);
            }
        }
        if let Some(curl) = step.curl {
            let _ = writeln!(out, "  - {}:", reproduce_label(curl));
            fenced(out, "    ", "sh", curl);
        }
    }
    let frames: Vec<&str> = explanation
        .steps
        .iter()
        .flat_map(|s| &s.checks)
        .map(|c| c.rendered.trim_end())
        .filter(|r| !r.is_empty())
        .collect();
    let locations = explanation.locations().join(", ");
    if frames.is_empty() || !full {
        if !locations.is_empty() {
            let _ = writeln!(out, "  - scenario: {}", inline(&locations));
        }
        return;
    }
    let _ = writeln!(
        out,
        "  <details><summary>scenario source: {}</summary>",
        inline(&locations)
    );
    fenced(out, "  ", "text", &frames.join("\n\n"));
    out.push_str("  </details>\n\n");
}

/// The headers and body excerpt of an answer, in a code block.
fn answer(out: &mut String, response: &ResponseExcerpt) {
    let mut shown: Vec<String> = response
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    if let Some(body) = &response.body {
        shown.push(body.text.clone());
        if let Some(left_out) = &body.left_out {
            shown.push(format!("({left_out})"));
        }
    }
    if !shown.is_empty() {
        fenced(out, "    ", "text", &shown.join("\n"));
    }
}

/// `text` in a code block of the list item above (`indent`: that item's content
/// column), fenced with more backticks than it holds.
fn fenced(out: &mut String, indent: &str, language: &str, text: &str) {
    let text = escape_controls(text).into_owned();
    let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
    let _ = writeln!(out, "\n{indent}{fence}{language}");
    for line in text.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
    let _ = writeln!(out, "{indent}{fence}\n");
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// One line of text that cannot open markup: HTML and Markdown specials are escaped.
fn inline(text: &str) -> String {
    let text = escape_controls(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_open_markup() {
        assert_eq!(
            inline("a <b> | `c` *d*\nnext"),
            r"a &lt;b&gt; \| \`c\` \*d\* next"
        );
    }

    #[test]
    fn a_fence_outlasts_the_backticks_inside() {
        assert_eq!(longest_backtick_run("x ```` y ` z"), 4);
        assert_eq!(longest_backtick_run("none"), 0);
    }
}
