//! `--report-markdown FILE`: a short summary for CI job pages and pull requests (e.g.
//! `$GITHUB_STEP_SUMMARY`): the totals, then what did not pass with its failures. Passing
//! scenarios are only counted; exchanges stay in JUnit, HTML and transcripts.

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;
use super::output::write_atomic;
use crate::printable::escape_controls;
use crate::result::{CheckFailure, Outcome, RunSummary, ScenarioResult, Totals};

pub fn write_markdown(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, markdown_string(summary).as_bytes())
}

pub fn markdown_string(summary: &RunSummary) -> String {
    let info = &summary.info;
    let totals = Totals::of(&summary.results);
    let mut out = String::new();
    let _ = writeln!(out, "# scimcheck: {}\n", inline(&info.target_url));
    let mut facts = vec![format!("run `{}`", info.run_id)];
    if let Some(profile) = &info.profile {
        facts.push(format!("profile `{profile}`"));
    }
    facts.push(format!("{} ms", summary.duration.as_millis()));
    facts.push(format!("scimcheck {}", info.tool_version));
    if summary.interrupted {
        let reason = summary.stop_reason.as_deref().unwrap_or("interrupted");
        facts.push(format!("**{}**", inline(reason)));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    out.push_str("| passed | failed | deviations | skipped | errors | requests | leftovers |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        totals.passed,
        totals.failed,
        totals.deviations,
        totals.skipped,
        totals.errors,
        totals.requests,
        totals.leftovers
    );
    if totals.leftovers > 0 {
        let _ = writeln!(out, "\n## Left on the target ({})\n", totals.leftovers);
        for result in &summary.results {
            for leftover in &result.leftovers {
                let _ = writeln!(
                    out,
                    "- `{}`: {}: {}",
                    result.id,
                    inline(&leftover.what),
                    inline(&leftover.reason)
                );
            }
        }
    }
    section(&mut out, "Failed", summary, |o| {
        matches!(o, Outcome::Fail { .. })
    });
    section(&mut out, "Errors", summary, |o| {
        matches!(o, Outcome::Error { .. })
    });
    section(&mut out, "Known deviations", summary, |o| {
        matches!(o, Outcome::Deviation { .. })
    });
    section(&mut out, "Skipped", summary, |o| {
        matches!(o, Outcome::Skip { .. })
    });
    out
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
            Outcome::Fail { failures } => fenced(out, failures),
            Outcome::Deviation { failures, reason } => {
                let _ = writeln!(out, "  - {}", inline(reason));
                fenced(out, failures);
            }
            Outcome::Skip { reason } => {
                let _ = writeln!(out, "  - {}", inline(reason));
            }
            Outcome::Error { message } => {
                let _ = writeln!(out, "  - {}", inline(message));
            }
            Outcome::Pass => {}
        }
        for problem in &result.cleanup_errors {
            let _ = writeln!(out, "  - cleanup: {}", inline(problem));
        }
    }
}

/// The rendered failures in one code block, fenced with more backticks than they hold.
fn fenced(out: &mut String, failures: &[CheckFailure]) {
    if failures.is_empty() {
        return;
    }
    let text: Vec<&str> = failures.iter().map(|f| f.rendered.as_str()).collect();
    let text = escape_controls(&text.join("\n\n")).into_owned();
    let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
    let _ = writeln!(out, "\n  {fence}text");
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "  {fence}\n");
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
