//! `--report-html FILE`: one self-contained page (no scripts, no external assets) for
//! people who will not read JUnit XML: the run's facts, the totals, every scenario by
//! area, and for each one that did not pass its failures and its (redacted) exchanges.

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;
use super::exchange::render_exchanges;
use super::output::write_atomic;
use super::text::verdict_words;
use crate::result::{
    Outcome, RunSummary, ScenarioResult, Totals, Verdict, root_causes, skip_groups,
};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.25rem .6rem;text-align:left;\
border-bottom:1px solid #ddd;vertical-align:top}pre{background:#f6f6f6;padding:.6rem;\
overflow-x:auto;font-size:.85rem}.pass,.passed{color:#16702e}.fail,.error,.failed{color:#b3261e;\
font-weight:bold}.deviation{color:#8a5a00;font-weight:bold}.skip{color:#666}\
.warn{color:#8a6d00}.blocked,.incomplete,.interrupted{color:#0b5f7a;font-weight:bold}\
.verdict{font-size:1.2rem}details{margin:.4rem 0}summary{cursor:pointer}";

pub fn write_html(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, html_string(summary).as_bytes())
}

pub fn html_string(summary: &RunSummary) -> String {
    let info = &summary.info;
    let totals = Totals::of_run(summary);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<title>scimcheck: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&info.target_url)
    );
    let _ = writeln!(
        out,
        "<h1>SCIM conformance run {}</h1>",
        escape(&info.run_id)
    );
    out.push_str("<table>\n");
    fact(&mut out, "target", &info.target_url);
    if let Some((word, names)) = info.profiles_shown() {
        fact(&mut out, word, &names);
    }
    fact(&mut out, "started", &info.started_at);
    fact(
        &mut out,
        "time",
        &format!("{} ms", summary.duration.as_millis()),
    );
    fact(&mut out, "scimcheck", &info.tool_version);
    if summary.interrupted {
        let reason = summary
            .stop
            .as_ref()
            .map_or("Interrupted", |s| s.reason.as_str());
        fact(
            &mut out,
            "interrupted",
            &format!("yes ({reason}): scenarios not started are skipped"),
        );
    }
    out.push_str("</table>\n");
    let verdict = Verdict::of(summary);
    let _ = writeln!(
        out,
        "<p class=\"verdict {}\">Verdict: {}</p>",
        verdict.status.as_str(),
        escape(&verdict_words(&verdict))
    );
    out.push_str("<table>\n<tr>");
    for (label, count) in [
        ("passed", totals.passed),
        ("failed", totals.failed),
        ("warnings", totals.warnings),
        ("deviations", totals.deviations),
        ("skipped", totals.skipped),
        ("errors", totals.errors),
        ("blocked", totals.blocked),
        ("requests", totals.requests),
        ("leftovers", totals.leftovers),
    ] {
        let _ = write!(out, "<th>{label}</th><td>{count}</td>");
    }
    out.push_str("</tr>\n</table>\n");
    leftovers(&mut out, summary);
    let _ = writeln!(
        out,
        "<p>{} of {} scenarios judged.</p>",
        totals.judged(),
        totals.scenarios()
    );
    for notice in &summary.notices {
        let _ = writeln!(out, "<p class=\"warn\">note: {}</p>", escape(notice));
    }
    causes(&mut out, &summary.results);
    skipped(&mut out, &summary.results);
    for area in areas(&summary.results) {
        let _ = writeln!(out, "<h2>{}</h2>\n<table>", escape(area));
        out.push_str(
            "<tr><th>scenario</th><th>outcome</th><th>severity</th><th>ms</th>\
             <th>requirement</th><th>title</th></tr>\n",
        );
        for result in summary.results.iter().filter(|r| r.area == area) {
            row(&mut out, result);
        }
        out.push_str("</table>\n");
        for result in summary.results.iter().filter(|r| r.area == area) {
            details(&mut out, result);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Failures grouped by root cause, the widest first.
fn causes(out: &mut String, results: &[ScenarioResult]) {
    let causes = root_causes(results);
    if causes.is_empty() {
        return;
    }
    out.push_str(
        "<h2>Root causes</h2>\n<table>\n<tr><th>request</th><th>check</th>\
         <th>first seen</th><th>scenarios</th></tr>\n",
    );
    for cause in &causes {
        let scenarios: Vec<String> = cause
            .scenarios
            .iter()
            .map(|(id, label)| {
                format!(
                    "<a href=\"#{id}\">{id}</a> <span class=\"{label}\">{label}</span>",
                    id = escape(id)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&cause.request),
            escape(&cause.check),
            escape(&cause.first_request),
            scenarios.join("<br>")
        );
    }
    out.push_str("</table>\n");
}

/// Skipped scenarios grouped by reason.
fn skipped(out: &mut String, results: &[ScenarioResult]) {
    let groups = skip_groups(results);
    if groups.is_empty() {
        return;
    }
    out.push_str("<h2>Skipped</h2>\n<table>\n<tr><th>scenarios</th><th>reason</th></tr>\n");
    for group in &groups {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            group.ids.len(),
            escape(&group.reason)
        );
    }
    out.push_str("</table>\n");
}

/// Areas in the order they first appear.
fn areas(results: &[ScenarioResult]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for result in results {
        if !seen.contains(&result.area.as_str()) {
            seen.push(&result.area);
        }
    }
    seen
}

fn fact(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "<tr><th>{name}</th><td>{}</td></tr>", escape(value));
}

fn row(out: &mut String, result: &ScenarioResult) {
    let label = result.outcome.label();
    let id = escape(&result.id);
    let id_cell = if matches!(result.outcome, Outcome::Pass) {
        id
    } else {
        format!("<a href=\"#{id}\">{id}</a>")
    };
    let _ = writeln!(
        out,
        "<tr><td>{id_cell}</td><td class=\"{label}\">{label}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td></tr>",
        result.severity.as_str(),
        result.duration.as_millis(),
        escape(&result.requirement.join(", ")),
        escape(&result.title),
    );
}

/// Everything the run left on the target, by scenario.
fn leftovers(out: &mut String, summary: &RunSummary) {
    let all: Vec<_> = summary.all_leftovers().collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2 class=\"error\">Left on the target ({})</h2>\n<table>",
        all.len()
    );
    out.push_str("<tr><th>scenario</th><th>resource</th><th>why</th></tr>\n");
    for (owner, leftover) in all {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(owner),
            escape(&leftover.what),
            escape(&leftover.reason)
        );
    }
    out.push_str("</table>\n");
}

/// Failures, reasons and exchanges of a scenario that did not pass.
fn details(out: &mut String, result: &ScenarioResult) {
    let (failures, note) = match &result.outcome {
        Outcome::Pass => return,
        Outcome::Fail { failures } => (failures.as_slice(), None),
        Outcome::Warn { failures } => (
            failures.as_slice(),
            Some(format!(
                "warning: a {} check failed; it does not fail the run",
                result.severity.as_str()
            )),
        ),
        Outcome::Deviation { failures, reason } => (
            failures.as_slice(),
            Some(format!("known deviation: {reason}")),
        ),
        Outcome::Skip { reason, .. } => (&[][..], Some(format!("skipped: {reason}"))),
        Outcome::Error { message } => (&[][..], Some(format!("error: {message}"))),
        Outcome::Blocked {
            precondition,
            failures,
        } => (
            failures.as_slice(),
            Some(format!("blocked: {precondition}")),
        ),
    };
    let id = escape(&result.id);
    let label = result.outcome.label();
    let _ = writeln!(
        out,
        "<details id=\"{id}\" open>\n<summary><span class=\"{label}\">{label}</span> {id} \
         <small>{}</small></summary>",
        escape(&result.file)
    );
    if let Some(note) = note {
        let _ = writeln!(out, "<p>{}</p>", escape(&note));
    }
    for failure in failures {
        let _ = writeln!(out, "<pre>{}</pre>", escape(&failure.rendered));
    }
    for note in &result.notes {
        let _ = writeln!(out, "<p>note: {}</p>", escape(note));
    }
    for problem in &result.cleanup_errors {
        let _ = writeln!(out, "<p class=\"error\">cleanup: {}</p>", escape(problem));
    }
    for leftover in &result.leftovers {
        let _ = writeln!(
            out,
            "<p class=\"error\">left on the target: {}: {}</p>",
            escape(&leftover.what),
            escape(&leftover.reason)
        );
    }
    if !result.exchanges.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} exchange(s)</summary>\n<pre>{}</pre>\n</details>",
            result.exchanges.len(),
            escape(&render_exchanges(&result.exchanges))
        );
    }
    out.push_str("</details>\n");
}

fn escape(text: &str) -> String {
    let text = crate::printable::escape_controls(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_server_answers_is_shown_not_run() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
