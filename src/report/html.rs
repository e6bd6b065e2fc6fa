//! `--report-html FILE`: one self-contained page (no scripts, no external assets) to
//! hand over as a certificate of the run. A verdict banner comes first (target, profile,
//! date, version, pass rate, coverage when measured); then what failed, grouped by root
//! cause, each with the rule it breaks, the request, the answer and a `curl` command;
//! then deviations, what could not be judged, skips, and every scenario by area with
//! its exchanges (JSON pretty-printed, folded away). It reads at phone width, and
//! prints as a short document with a sign-off block.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::ReportError;
use super::citation::Citation;
use super::exchange::BODY_LIMIT;
use super::explain::{Explanation, StepFailures, reproduce_label, request_line};
use super::output::write_atomic;
use super::text::{coverage_line, human_duration, one_line, requests_sent, verdict_words};
use crate::result::{
    CheckFailure, Exchange, Outcome, RootCause, RunSummary, ScenarioResult, Totals, Verdict,
    root_causes, skip_groups,
};

/// The page's whole style. Screen: one column that wraps at any width (long words and
/// `<pre>` blocks wrap inside their box, so the page never scrolls sideways). Print:
/// the banner, the failures without bodies and commands, a compact list of scenarios,
/// and the sign-off lines.
const STYLE: &str = "\
*{box-sizing:border-box}\
html{-webkit-text-size-adjust:100%}\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1d1f;background:#fff;\
margin:0 auto;padding:1rem;max-width:64rem;overflow-wrap:anywhere}\
h1,h2,h3{line-height:1.2}\
h2{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.25rem;border-bottom:1px solid #d8d8d8}\
h3{font-size:1rem;margin:0 0 .4rem}\
a{color:#0b57d0}\
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}\
pre{background:#f5f5f7;border:1px solid #e4e4e7;border-radius:6px;padding:.5rem .6rem;margin:.3rem 0;\
white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}\
pre.json{white-space:pre;overflow-wrap:normal;overflow-x:auto}\
ul{padding-left:1.2rem}\
.banner{border:2px solid;border-radius:10px;padding:1rem 1.1rem;margin:0 0 1rem}\
.banner.passed{border-color:#1a7f37;background:#f0faf2}\
.banner.failed{border-color:#c62828;background:#fdf1f1}\
.banner.incomplete,.banner.interrupted{border-color:#9a6700;background:#fff8e6}\
.banner .kicker{margin:0;font-size:.8rem;letter-spacing:.06em;text-transform:uppercase;color:#555}\
.banner h1{margin:.15rem 0 .3rem;font-size:2rem}\
.banner.passed h1{color:#1a7f37}.banner.failed h1{color:#c62828}\
.banner.incomplete h1,.banner.interrupted h1{color:#9a6700}\
.banner .why{margin:0 0 .8rem}\
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.4rem 1rem;margin:0}\
.facts div{min-width:0}.facts .wide{grid-column:1/-1}.facts dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:#555}\
.facts dd{margin:0;font-weight:600}\
.counts{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:.9rem 0 0}\
.counts li{border:1px solid #d0d0d5;border-radius:999px;padding:.1rem .65rem;background:#fff}\
.badge{display:inline-block;border-radius:4px;padding:0 .35rem;font-size:.75rem;font-weight:700;\
text-transform:uppercase;letter-spacing:.03em;color:#fff;background:#6e6e73;vertical-align:.08em}\
.badge.pass{background:#1a7f37}.badge.fail,.badge.error{background:#c62828}\
.badge.warn{background:#b88600}.badge.deviation{background:#8250df}\
.badge.blocked{background:#0b6a88}.badge.skip{background:#8e8e93}\
.cause{border:1px solid #e0e0e5;border-left:4px solid #c62828;border-radius:6px;padding:.7rem .8rem;\
margin:0 0 .9rem}\
.cause.warn{border-left-color:#b88600}.cause.blocked{border-left-color:#0b6a88}\
.meta{color:#555;font-size:.88rem;margin:.2rem 0 .5rem}\
.explain dl{margin:.3rem 0}.explain dt{font-weight:600;font-size:.85rem;margin-top:.45rem}\
.explain dd{margin:0 0 0 .2rem}.explain ul{margin:.2rem 0}\
.where{color:#666;font-size:.8rem}\
.notice{border-left:4px solid #b88600;background:#fff8e6;padding:.4rem .7rem;margin:.4rem 0}\
.leftovers{border-left:4px solid #c62828;background:#fdf1f1;padding:.4rem .7rem}\
.scenarios{list-style:none;padding:0;margin:.3rem 0}\
.scenarios>li{border-bottom:1px solid #eee;padding:.3rem 0}\
.scenarios .title{color:#444}.scenarios .reqs{font-size:.8rem;color:#555}\
summary{cursor:pointer}\
details.scenario>div{padding:.3rem 0 .3rem .9rem;border-left:2px solid #e4e4e7;margin:.3rem 0}\
details.exchange{margin:.3rem 0}details.exchange>summary code{font-size:.8rem}\
.signoff{margin-top:2.5rem;break-inside:avoid}\
.signoff .lines{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:1.6rem 2rem;\
margin-top:1.8rem}\
.signoff .line{border-bottom:1px solid #333;height:2.2rem}\
.signoff .label{font-size:.8rem;color:#555;margin-top:.2rem}\
footer{margin-top:2rem;color:#777;font-size:.8rem}\
@media (max-width:30rem){body{padding:.6rem}.banner h1{font-size:1.6rem}}\
@media print{\
@page{margin:14mm 13mm}\
body{font-size:9.5pt;max-width:none;padding:0}\
a{color:inherit;text-decoration:none}\
.banner{background:none!important;break-inside:avoid}\
h2{break-after:avoid;margin-top:1.2rem}\
.cause{break-inside:avoid;padding:.4rem .6rem;margin-bottom:.5rem}\
pre{font-size:7.5pt}\
.screen-only,.response-body,.curl,details.exchange,details.scenario>div{display:none!important}\
#scenarios{columns:3;column-gap:1.2rem;font-size:6.5pt;line-height:1.3}\
#scenarios>h2{column-span:all;font-size:11pt}\
#scenarios h3{font-size:7.5pt;margin:.35rem 0 .1rem;break-after:avoid}\
.scenarios{margin:0}.scenarios>li{break-inside:avoid;padding:0;border:0}\
.scenarios small,.scenarios .title,.scenarios .reqs{display:none}\
#scenarios .badge{font-size:5pt;padding:0 .2rem}\
details.scenario>summary{list-style:none}\
details.scenario>summary::-webkit-details-marker{display:none}\
footer{margin-top:1rem}}";

/// The page forbids itself scripts and every external load: even if a server's words
/// slipped through escaping, they could not run or call out.
const CONTENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

pub fn write_html(summary: &RunSummary, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, html_string(summary).as_bytes())
}

pub fn html_string(summary: &RunSummary) -> String {
    let verdict = Verdict::of(summary);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_POLICY}\">"
    );
    let _ = writeln!(
        out,
        "<title>scimcheck {}: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        verdict.status.as_str(),
        escape(&summary.info.target_url)
    );
    banner(&mut out, summary, &verdict);
    out.push_str("<main>\n");
    for notice in &summary.notices {
        let _ = writeln!(out, "<p class=\"notice\">note: {}</p>", escape(notice));
    }
    leftovers(&mut out, summary);
    causes(&mut out, &summary.results);
    deviations(&mut out, &summary.results);
    unjudged(&mut out, &summary.results);
    skipped(&mut out, &summary.results);
    scenarios(&mut out, &summary.results);
    signoff(&mut out);
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer>Written by scimcheck {} for run {}, started {}.</footer>",
        escape(&summary.info.tool_version),
        escape(&summary.info.run_id),
        escape(&summary.info.started_at)
    );
    out.push_str("</body>\n</html>\n");
    out
}

/// The verdict and the facts a reader checks first.
fn banner(out: &mut String, summary: &RunSummary, verdict: &Verdict) {
    let info = &summary.info;
    let totals = Totals::of_run(summary);
    let status = verdict.status.as_str();
    let _ = writeln!(
        out,
        "<header class=\"banner {status}\" id=\"verdict\">\n\
         <p class=\"kicker\">SCIM conformance report</p>\n\
         <h1>{}</h1>\n<p class=\"why\">{}</p>\n<dl class=\"facts\">",
        capitalised(status),
        escape(&verdict_words(verdict))
    );
    wide_fact(out, "target", &escape(&info.target_url));
    if let Some((word, names)) = info.profiles_shown() {
        fact(out, word, &escape(&names));
    }
    fact(out, "date", &escape(&readable_time(&info.started_at)));
    fact(out, "scimcheck", &escape(&info.tool_version));
    fact(out, "pass rate", &pass_rate(&totals));
    if let Some(coverage) = &summary.coverage {
        let _ = writeln!(
            out,
            "<div class=\"coverage\"><dt>requirement coverage</dt><dd>{}</dd></div>",
            escape(&coverage_line(&coverage.overall))
        );
    }
    wide_fact(
        out,
        "run",
        &format!(
            "{} · {} · {} requests",
            escape(&info.run_id),
            human_duration(summary.duration),
            requests_sent(summary.requests, totals.requests)
        ),
    );
    if summary.interrupted {
        let reason = summary
            .stop
            .as_ref()
            .map_or("Interrupted", |s| s.reason.as_str());
        wide_fact(
            out,
            "interrupted",
            &escape(&format!("{reason}: scenarios not started are skipped")),
        );
    }
    out.push_str("</dl>\n<ul class=\"counts\">\n");
    for (count, label, class) in [
        (totals.passed, "passed", "pass"),
        (totals.failed, "failed", "fail"),
        (totals.warnings, "warned", "warn"),
        (totals.deviations, "deviated", "deviation"),
        (totals.skipped, "skipped", "skip"),
        (totals.errors, "errored", "error"),
        (totals.blocked, "blocked", "blocked"),
    ] {
        let _ = writeln!(
            out,
            "<li class=\"{class}\" data-count=\"{label}\"><b>{count}</b> {label}</li>"
        );
    }
    if totals.leftovers > 0 {
        let _ = writeln!(
            out,
            "<li class=\"error\" data-count=\"leftovers\"><b>{}</b> left on the target</li>",
            totals.leftovers
        );
    }
    out.push_str("</ul>\n</header>\n");
}

/// `75 % (3 of 4 judged scenarios passed)`.
fn pass_rate(totals: &Totals) -> String {
    match totals.judged() {
        0 => "no scenario judged".to_owned(),
        judged => format!(
            "{} % ({} of {judged} judged scenarios passed)",
            totals.passed * 100 / judged,
            totals.passed
        ),
    }
}

fn fact(out: &mut String, name: &str, html: &str) {
    let _ = writeln!(out, "<div><dt>{name}</dt><dd>{html}</dd></div>");
}

/// A fact as wide as the banner (a URL, the run's details).
fn wide_fact(out: &mut String, name: &str, html: &str) {
    let _ = writeln!(
        out,
        "<div class=\"wide\"><dt>{name}</dt><dd>{html}</dd></div>"
    );
}

/// `2026-11-23 09:15:00 UTC` from RFC 3339 `2026-11-23T09:15:00.123Z`; any other text
/// as it is.
fn readable_time(rfc3339: &str) -> String {
    let (Some(date), Some(time)) = (rfc3339.get(..10), rfc3339.get(11..19)) else {
        return rfc3339.to_owned();
    };
    if rfc3339.as_bytes().get(10) != Some(&b'T') {
        return rfc3339.to_owned();
    }
    let zone = rfc3339[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let zone = if zone == "Z" { "UTC" } else { zone };
    format!("{date} {time} {zone}").trim_end().to_owned()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Everything the run left on the target, by scenario.
fn leftovers(out: &mut String, summary: &RunSummary) {
    let all: Vec<_> = summary.all_leftovers().collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"leftovers\" id=\"leftovers\">\n<h2>Left on the target ({})</h2>\n<ul>",
        all.len()
    );
    for (owner, leftover) in all {
        let _ = writeln!(
            out,
            "<li>{} <span class=\"meta\">({}): {}</span></li>",
            escape(&leftover.what),
            escape(owner),
            escape(&leftover.reason)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// What fails the run first, then what blocked scenarios, then warnings; the widest
/// cause first within each.
fn causes(out: &mut String, results: &[ScenarioResult]) {
    let mut causes = root_causes(results);
    if causes.is_empty() {
        return;
    }
    causes.sort_by_key(|c| rank(worst(c)));
    let _ = writeln!(
        out,
        "<section id=\"failures\">\n<h2>Failures by root cause ({})</h2>",
        causes.len()
    );
    for cause in &causes {
        cause_article(out, cause, results);
    }
    out.push_str("</section>\n");
}

/// The most serious outcome among a cause's scenarios.
fn worst(cause: &RootCause) -> &'static str {
    cause
        .scenarios
        .iter()
        .map(|(_, label)| *label)
        .min_by_key(|label| rank(label))
        .unwrap_or("warn")
}

fn rank(label: &str) -> u8 {
    match label {
        "fail" => 0,
        "blocked" => 1,
        _ => 2,
    }
}

/// A cause lists this many scenarios at once; more fold away.
const SHOWN_SCENARIOS: usize = 4;

fn cause_article(out: &mut String, cause: &RootCause, results: &[ScenarioResult]) {
    let label = worst(cause);
    let _ = writeln!(
        out,
        "<article class=\"cause {label}\">\n<h3><span class=\"badge {label}\">{label}</span> {}</h3>",
        escape(&cause.check)
    );
    let scenarios: Vec<String> = cause
        .scenarios
        .iter()
        .map(|(id, label)| {
            format!(
                "<a href=\"#{id}\">{id}</a> <span class=\"badge {label}\">{label}</span>",
                id = escape(id)
            )
        })
        .collect();
    let noun = if scenarios.len() == 1 {
        "scenario"
    } else {
        "scenarios"
    };
    if scenarios.len() <= SHOWN_SCENARIOS {
        let _ = writeln!(
            out,
            "<p class=\"meta\"><code>{}</code> · {} {noun}: {}</p>",
            escape(&cause.request),
            scenarios.len(),
            scenarios.join(", ")
        );
    } else {
        let _ = writeln!(
            out,
            "<details class=\"meta\"><summary><code>{}</code> · {} {noun}</summary>{}</details>",
            escape(&cause.request),
            scenarios.len(),
            scenarios.join(", ")
        );
    }
    let first = results.iter().find(|r| r.id == cause.first_scenario);
    if let Some(first) = first {
        explanation(out, first, first.outcome.failures(), false);
    }
    out.push_str("</article>\n");
}

/// Known deviations: failures the profile declares, which do not fail the run.
fn deviations(out: &mut String, results: &[ScenarioResult]) {
    let listed: Vec<(&ScenarioResult, &str, &[CheckFailure])> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Deviation { failures, reason } => Some((r, reason.as_str(), &failures[..])),
            _ => None,
        })
        .collect();
    if listed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"deviations\">\n<h2>Known deviations ({})</h2>\n<ul>",
        listed.len()
    );
    for (result, reason, failures) in listed {
        let checks: Vec<String> = failures.iter().map(|f| escape(&one_line(f))).collect();
        let _ = writeln!(
            out,
            "<li><a href=\"#{id}\">{id}</a>: {}<br><span class=\"meta\">{}</span></li>",
            escape(reason),
            checks.join("<br>"),
            id = escape(&result.id)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// Scenarios the tool could not judge (no usable answer).
fn unjudged(out: &mut String, results: &[ScenarioResult]) {
    let errors: Vec<(&ScenarioResult, &str)> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Error { message } => Some((r, message.as_str())),
            _ => None,
        })
        .collect();
    if errors.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"errors\">\n<h2>Not judged: errors ({})</h2>\n<ul>",
        errors.len()
    );
    for (result, message) in errors {
        let _ = writeln!(
            out,
            "<li><a href=\"#{id}\">{id}</a> ({}): {}</li>",
            result.severity.as_str(),
            escape(message),
            id = escape(&result.id)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// Skipped scenarios grouped by reason.
fn skipped(out: &mut String, results: &[ScenarioResult]) {
    let groups = skip_groups(results);
    if groups.is_empty() {
        return;
    }
    let total: usize = groups.iter().map(|g| g.ids.len()).sum();
    let _ = writeln!(
        out,
        "<section id=\"skipped\">\n<h2>Skipped ({total})</h2>\n<ul>"
    );
    for group in &groups {
        let _ = writeln!(
            out,
            "<li><b>{}</b> × {}</li>",
            group.ids.len(),
            escape(&group.reason)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// Every scenario by area; one that did not pass folds out to its explanation, code
/// frames and exchanges.
fn scenarios(out: &mut String, results: &[ScenarioResult]) {
    let _ = writeln!(
        out,
        "<section id=\"scenarios\">\n<h2>All scenarios ({})</h2>",
        results.len()
    );
    for area in areas(results) {
        let _ = writeln!(out, "<h3>{}</h3>\n<ul class=\"scenarios\">", escape(area));
        for result in results.iter().filter(|r| r.area == area) {
            out.push_str("<li>");
            if matches!(result.outcome, Outcome::Pass) {
                scenario_line(out, result);
            } else {
                let _ = write!(
                    out,
                    "<details class=\"scenario\" id=\"{}\"><summary>",
                    escape(&result.id)
                );
                scenario_line(out, result);
                out.push_str("</summary>\n<div>\n");
                scenario_details(out, result);
                out.push_str("</div>\n</details>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn scenario_line(out: &mut String, result: &ScenarioResult) {
    let label = result.outcome.label();
    let reqs: Vec<String> = result
        .requirement
        .iter()
        .map(|id| citation_link(&super::citation::cite(id)))
        .collect();
    let _ = write!(
        out,
        "<span class=\"badge {label}\">{label}</span> <b>{}</b> <small>{}, {} ms</small> \
         <span class=\"title\">{}</span> <span class=\"reqs\">{}</span>",
        escape(&result.id),
        result.severity.as_str(),
        result.duration.as_millis(),
        escape(&result.title),
        reqs.join(", ")
    );
}

fn scenario_details(out: &mut String, result: &ScenarioResult) {
    let note = match &result.outcome {
        Outcome::Pass => None,
        Outcome::Fail { .. } => None,
        Outcome::Warn { .. } => Some(format!(
            "warning: a {} check failed; it does not fail the run",
            result.severity.as_str()
        )),
        Outcome::Deviation { reason, .. } => Some(format!("known deviation: {reason}")),
        Outcome::Skip { reason, .. } => Some(format!("skipped: {reason}")),
        Outcome::Error { message } => Some(format!("error: {message}")),
        Outcome::Blocked { precondition, .. } => Some(format!("blocked: {precondition}")),
    };
    let _ = writeln!(out, "<p class=\"where\">{}</p>", escape(&result.file));
    if let Some(note) = note {
        let _ = writeln!(out, "<p>{}</p>", escape(&note));
    }
    let failures = result.outcome.failures();
    if !failures.is_empty() {
        explanation(out, result, failures, true);
    }
    for note in &result.notes {
        let _ = writeln!(out, "<p>note: {}</p>", escape(note));
    }
    for problem in &result.cleanup_errors {
        let _ = writeln!(out, "<p class=\"notice\">cleanup: {}</p>", escape(problem));
    }
    for leftover in &result.leftovers {
        let _ = writeln!(
            out,
            "<p class=\"notice\">left on the target: {}: {}</p>",
            escape(&leftover.what),
            escape(&leftover.reason)
        );
    }
    if !result.exchanges.is_empty() {
        let _ = writeln!(
            out,
            "<p><b>{} exchange{}</b></p>",
            result.exchanges.len(),
            if result.exchanges.len() == 1 { "" } else { "s" }
        );
        for exchange in &result.exchanges {
            exchange_details(out, exchange);
        }
    }
}

/// What failed, the rules (linked), the request, the answer's relevant part and the
/// `curl` command; with `frames`, the code frames of the scenario YAML after them.
fn explanation(out: &mut String, result: &ScenarioResult, failures: &[CheckFailure], frames: bool) {
    let explanation = Explanation::of(result, failures);
    out.push_str("<div class=\"explain\">\n<dl>\n<dt>what failed</dt>\n<dd><ul>\n");
    for check in explanation.steps.iter().flat_map(|s| &s.checks) {
        let _ = write!(out, "<li>{}", escape(&one_line(check)));
        if let Some(hint) = &check.hint {
            let _ = write!(out, "<br><small>hint: {}</small>", escape(hint));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></dd>\n");
    if !explanation.citations.is_empty() {
        out.push_str("<dt>rule</dt>\n<dd><ul>\n");
        for citation in &explanation.citations {
            let _ = write!(out, "<li>{}", citation_link(citation));
            if let Some(text) = &citation.text {
                let _ = write!(out, ": {}", escape(text));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul></dd>\n");
    }
    for step in &explanation.steps {
        step_exchange(out, step);
    }
    out.push_str("</dl>\n");
    let locations = explanation.locations();
    if frames {
        let rendered: Vec<String> = explanation
            .steps
            .iter()
            .flat_map(|s| &s.checks)
            .map(|c| c.rendered.trim_end().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        if !rendered.is_empty() {
            let _ = writeln!(
                out,
                "<details class=\"frames\"><summary>scenario source ({})</summary>\n<pre>{}</pre>\n</details>",
                escape(&locations.join(", ")),
                escape(&rendered.join("\n\n"))
            );
        }
    } else if !locations.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"where\">scenario: {}</p>",
            escape(&locations.join(", "))
        );
    }
    out.push_str("</div>\n");
}

/// The request line, the answer (status, the headers that matter, the body around the
/// failing path) and the command that sends the request again.
fn step_exchange(out: &mut String, step: &StepFailures<'_>) {
    if let Some(exchange) = step.exchange {
        let response = step.response();
        let _ = writeln!(
            out,
            "<dt>request</dt>\n<dd><code>{}</code></dd>\n<dt>response</dt>\n<dd><code>{}</code>",
            escape(&request_line(exchange)),
            escape(&response.status_line)
        );
        if !response.headers.is_empty() {
            let headers: Vec<String> = response
                .headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect();
            let _ = write!(out, "<pre>{}</pre>", escape(&headers.join("\n")));
        }
        if let Some(body) = &response.body {
            let left_out = body
                .left_out
                .as_ref()
                .map(|l| format!("\n({l})"))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<pre class=\"response-body json\">{}{}</pre>",
                escape(&body.text),
                escape(&left_out)
            );
        }
        out.push_str("</dd>\n");
    }
    if let Some(curl) = step.curl {
        let _ = writeln!(
            out,
            "<dt class=\"curl\">{}</dt>\n<dd class=\"curl\"><pre>{}</pre></dd>",
            escape(&reproduce_label(curl)),
            escape(curl)
        );
    }
}

/// `RFC 7644 §3.3` linked to the section, or the plain source when there is no link.
fn citation_link(citation: &Citation) -> String {
    match &citation.url {
        Some(url) => format!(
            "<a href=\"{}\" title=\"{}\">{}</a>",
            escape(url),
            escape(&citation.id),
            escape(&citation.source)
        ),
        None => escape(&citation.source),
    }
}

/// One exchange, folded: the request line and status; inside, headers and bodies (JSON
/// pretty-printed, each body folded again).
fn exchange_details(out: &mut String, exchange: &Exchange) {
    let answer = match exchange.status {
        Some(status) => status.to_string(),
        None => "no response".to_owned(),
    };
    let attempt = if exchange.attempt > 1 {
        format!(" (attempt {})", exchange.attempt)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<details class=\"exchange\"><summary><code>{}</code> → <b>{}</b> <small>{}, {} ms{}</small></summary>",
        escape(&request_line(exchange)),
        escape(&answer),
        escape(&exchange.step),
        exchange.duration_ms,
        escape(&attempt)
    );
    headers_block(out, "request headers", &exchange.request_headers);
    body_block(
        out,
        "request body",
        exchange.request_body.as_deref(),
        exchange.request_body_size,
    );
    if exchange.status.is_some() {
        headers_block(out, "response headers", &exchange.response_headers);
        body_block(
            out,
            "response body",
            exchange.response_body.as_deref(),
            exchange.response_body_size,
        );
    }
    if let Some(error) = &exchange.error {
        let _ = writeln!(out, "<p>error: {}</p>", escape(error));
    }
    out.push_str("</details>\n");
}

fn headers_block(out: &mut String, name: &str, headers: &[(String, String)]) {
    if headers.is_empty() {
        return;
    }
    let lines: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let _ = writeln!(
        out,
        "<p class=\"where\">{name}</p><pre>{}</pre>",
        escape(&lines.join("\n"))
    );
}

fn body_block(out: &mut String, name: &str, body: Option<&str>, size: Option<usize>) {
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return;
    };
    let full = size.unwrap_or(body.len());
    let (text, note) = pretty(body, size);
    let _ = writeln!(
        out,
        "<details class=\"body\"><summary>{name} ({})</summary><pre class=\"json\">{}{}</pre></details>",
        bytes(full),
        escape(&text),
        escape(&note)
    );
}

/// A body as a person reads it: JSON pretty-printed, cut after `BODY_LIMIT` bytes with
/// a note (a body recorded only in part is shown as it is).
fn pretty(body: &str, size: Option<usize>) -> (String, String) {
    let text = match (size, serde_json::from_str::<Value>(body)) {
        (None, Ok(json)) => serde_json::to_string_pretty(&json).unwrap_or_else(|_| body.into()),
        _ => body.to_owned(),
    };
    let full = size.unwrap_or(body.len());
    if text.len() <= BODY_LIMIT && size.is_none() {
        return (text, String::new());
    }
    let mut cut = BODY_LIMIT.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    (
        text[..cut].to_owned(),
        format!(
            "\n… (cut: the body has {full} bytes; the transcript and the JSON report keep more)"
        ),
    )
}

fn bytes(n: usize) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

/// The lines a reviewer signs.
fn signoff(out: &mut String) {
    out.push_str(
        "<section class=\"signoff\" id=\"signoff\">\n<h2>Sign-off</h2>\n\
         <p>Reviewed against the verdict and failures above.</p>\n<div class=\"lines\">\n",
    );
    for label in ["Checked by", "Date", "Signature"] {
        let _ = writeln!(
            out,
            "<div><div class=\"line\"></div><div class=\"label\">{label}</div></div>"
        );
    }
    out.push_str("</div>\n</section>\n");
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
    use super::*;

    #[test]
    fn markup_in_server_answers_is_shown_not_run() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn json_bodies_are_pretty_printed_and_long_ones_cut() {
        let (text, note) = pretty(r#"{"a":[1]}"#, None);
        assert_eq!(text, "{\n  \"a\": [\n    1\n  ]\n}");
        assert!(note.is_empty());
        let long = format!(r#"{{"a":"{}"}}"#, "é".repeat(BODY_LIMIT));
        let (text, note) = pretty(&long, None);
        assert!(text.len() <= BODY_LIMIT);
        assert!(
            note.contains(&format!("the body has {} bytes", long.len())),
            "{note}"
        );
    }

    #[test]
    fn start_times_read_as_date_time_and_zone() {
        assert_eq!(
            readable_time("2026-11-23T09:15:00.123456Z"),
            "2026-11-23 09:15:00 UTC"
        );
        assert_eq!(
            readable_time("2026-11-23T09:15:00+02:00"),
            "2026-11-23 09:15:00 +02:00"
        );
        assert_eq!(readable_time("yesterday"), "yesterday");
    }

    #[test]
    fn the_pass_rate_counts_judged_scenarios_only() {
        let totals = Totals {
            passed: 3,
            failed: 1,
            skipped: 10,
            ..Totals::default()
        };
        assert_eq!(pass_rate(&totals), "75 % (3 of 4 judged scenarios passed)");
        assert_eq!(pass_rate(&Totals::default()), "no scenario judged");
    }
}
