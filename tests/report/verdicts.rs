//! One verdict everywhere: for a run with a must failure, a should failure, a may failure,
//! a deviation, a skip, an error and a blocked scenario, the exit code, the console's last
//! lines, JUnit, JSON, HTML and Markdown say the same thing. Each format is read back
//! the way its consumer reads it, and the readings are compared and pinned in a snapshot.

use crate::support::report as report_support;

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use report_support::*;
use scimcheck::report::{
    ConsoleOptions, ConsoleReporter, html_string, json_string, junit_string, markdown_string,
};
use scimcheck::result::{RunSummary, Totals, Verdict};

/// The seven counts in a fixed order: passed, failed, warned, deviated, skipped, errored,
/// blocked.
type Counts = [u64; 7];

fn counts_of(totals: &Totals) -> Counts {
    [
        totals.passed,
        totals.failed,
        totals.warnings,
        totals.deviations,
        totals.skipped,
        totals.errors,
        totals.blocked,
    ]
    .map(|n| n as u64)
}

fn summary(strict: bool, with_must_failure: bool) -> RunSummary {
    let mut results = verdict_results(strict);
    if !with_must_failure {
        results.retain(|r| r.id != failed().id);
    }
    let mut summary = summary_of(results, false);
    summary.strict = strict;
    summary
}

fn console(summary: &RunSummary) -> (String, Counts) {
    let mut console = ConsoleReporter::new(
        Vec::new(),
        ConsoleOptions {
            color: false,
            progress: false,
            verbose: false,
        },
    );
    for event in events(summary, summary.results.len()) {
        console.on_event(&event);
    }
    let text = String::from_utf8(console.into_inner()).expect("UTF-8");
    let mut lines = text.lines().rev();
    let last = lines.next().unwrap_or_default().to_owned();
    let verdict = lines.next().unwrap_or_default().to_owned();
    let words = [
        "passed", "failed", "warned", "deviated", "skipped", "errored", "blocked",
    ];
    let numbers: Vec<u64> = last
        .split(", ")
        .zip(words)
        .map(|(part, word)| {
            part.strip_suffix(&format!(" {word}"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("`{part}` is not `N {word}` in {last:?}"))
        })
        .collect();
    (verdict, numbers.try_into().expect("seven counts"))
}

fn json(summary: &RunSummary) -> (String, i32, Counts) {
    let doc: serde_json::Value =
        serde_json::from_str(&json_string(summary).expect("serializes")).expect("parses");
    let totals = &doc["totals"];
    let counts = [
        "passed",
        "failed",
        "warnings",
        "deviations",
        "skipped",
        "errors",
        "blocked",
    ]
    .map(|k| totals[k].as_u64().unwrap_or(u64::MAX));
    (
        doc["verdict"]["status"].as_str().unwrap_or("?").to_owned(),
        doc["verdict"]["exit_code"].as_i64().unwrap_or(-1) as i32,
        counts,
    )
}

/// What a CI test tab shows: testcases by their child element, and the run's verdict
/// and exit code from the testsuite properties.
struct JunitReading {
    by_status: BTreeMap<&'static str, Vec<String>>,
    verdict: String,
    exit_code: String,
}

fn junit(summary: &RunSummary) -> JunitReading {
    let xml = junit_string(summary).expect("serializes");
    let mut reader = Reader::from_str(&xml);
    let mut by_status: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut current: Option<(String, &'static str)> = None;
    let mut properties = BTreeMap::new();
    let attr = |e: &quick_xml::events::BytesStart, name: &[u8]| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => current = Some((attr(&e, b"name"), "success")),
                b"failure" | b"error" | b"skipped" => {
                    if let Some((_, status)) = current.as_mut() {
                        *status = match e.name().as_ref() {
                            b"failure" => "failure",
                            b"error" => "error",
                            _ => "skipped",
                        };
                    }
                }
                b"property" if current.is_none() => {
                    properties.insert(attr(&e, b"name"), attr(&e, b"value"));
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                if let Some((name, status)) = current.take() {
                    by_status.entry(status).or_default().push(name);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    JunitReading {
        by_status,
        verdict: properties.remove("verdict").unwrap_or_default(),
        exit_code: properties.remove("exit-code").unwrap_or_default(),
    }
}

fn html(summary: &RunSummary) -> (String, Vec<u64>) {
    let page = html_string(summary);
    let verdict = between(&page, "<p class=\"why\">", "</p>");
    let numbers = [
        "passed", "failed", "warned", "deviated", "skipped", "errored", "blocked",
    ]
    .iter()
    .map(|label| {
        let count = between(&page, &format!("data-count=\"{label}\"><b>"), "</b>");
        count.parse().unwrap_or_else(|_| panic!("{label}: {count}"))
    })
    .collect();
    (verdict, numbers)
}

fn markdown(summary: &RunSummary) -> (String, Vec<u64>) {
    let text = markdown_string(summary);
    let verdict = between(&text, "**Verdict: ", "**");
    let header = "| passed | failed | warnings | deviations | skipped | errors | blocked | requests | leftovers |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    let row = between(&text, header, "\n");
    let numbers = row
        .split('|')
        .filter_map(|cell| cell.trim().parse().ok())
        .collect();
    (verdict, numbers)
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in\n{text}"))
        + start.len();
    let to = text[from..].find(end).map_or(text.len(), |i| from + i);
    text[from..to].to_owned()
}

/// Reads every format, asserts that they agree, and returns the readings for a snapshot.
fn agreement(summary: &RunSummary) -> String {
    let verdict = Verdict::of(summary);
    let totals = Totals::of(&summary.results);
    let counts = counts_of(&totals);
    let words = scimcheck::report::verdict_words(&verdict);

    let (console_verdict, console_counts) = console(summary);
    assert_eq!(console_verdict, format!("Verdict: {words}"));
    assert_eq!(console_counts, counts, "console counts");

    let (json_status, json_exit, json_counts) = json(summary);
    assert_eq!(json_status, verdict.status.as_str());
    assert_eq!(json_exit, verdict.exit_code);
    assert_eq!(json_counts, counts, "JSON counts");

    let junit = junit(summary);
    assert_eq!(junit.verdict, verdict.status.as_str());
    assert_eq!(junit.exit_code, verdict.exit_code.to_string());
    let red = |status| junit.by_status.get(status).map_or(0, Vec::len) as u64;
    // Red in JUnit exactly for what keeps the run from passing: failures (never a
    // warning), and required errors and blocked scenarios.
    assert_eq!(red("failure"), totals.failed as u64, "JUnit failures");
    assert_eq!(red("error"), (totals.errors + totals.blocked) as u64);
    assert_eq!(red("failure") + red("error") > 0, verdict.exit_code != 0);

    let (html_verdict, html_counts) = html(summary);
    assert_eq!(html_verdict, words);
    assert_eq!(html_counts[..7], counts, "HTML counts");

    let (markdown_verdict, markdown_counts) = markdown(summary);
    assert_eq!(markdown_verdict, words);
    assert_eq!(markdown_counts[..7], counts, "Markdown counts");

    let mut out = format!(
        "exit code {}\nconsole   {console_verdict}\n",
        verdict.exit_code
    );
    out.push_str(&format!("counts    {counts:?}\n"));
    for (status, names) in &junit.by_status {
        out.push_str(&format!("junit     {status:<8} {}\n", names.join(", ")));
    }
    out
}

#[test]
fn a_must_failure_fails_the_run_and_every_format_says_so() {
    let text = agreement(&summary(false, true));
    snapshot_settings().bind(|| insta::assert_snapshot!("verdict_must_failure", text));
}

#[test]
fn strict_turns_the_should_failure_into_a_failure_everywhere() {
    let text = agreement(&summary(true, true));
    snapshot_settings().bind(|| insta::assert_snapshot!("verdict_strict", text));
}

#[test]
fn without_a_failure_an_error_and_a_blocked_scenario_leave_the_run_incomplete() {
    let text = agreement(&summary(false, false));
    snapshot_settings().bind(|| insta::assert_snapshot!("verdict_incomplete", text));
}
