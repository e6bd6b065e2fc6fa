//! Every report of a run states the statement-level coverage in the same words once the
//! run measured it, and says nothing of it otherwise.

use crate::support::report as report_support;

use report_support::*;
use scimcheck::report::{
    ConsoleOptions, ConsoleReporter, html_string, json_string, junit_string, markdown_string,
};
use scimcheck::result::RunSummary;

const LINE: &str =
    "60 % of 197 server statements checked (120); MUSTs checked at must: 90 of 150 (60 %)";

fn console(summary: &RunSummary) -> String {
    let options = ConsoleOptions {
        color: false,
        progress: false,
        verbose: false,
    };
    let mut console = ConsoleReporter::new(Vec::new(), options);
    for event in events(summary, summary.results.len()) {
        console.on_event(&event);
    }
    String::from_utf8(console.into_inner()).expect("console output is UTF-8")
}

fn every_report(summary: &RunSummary) -> Vec<(&'static str, String)> {
    vec![
        ("console", console(summary)),
        ("json", json_string(summary).expect("serializes")),
        ("junit", junit_string(summary).expect("serializes")),
        ("html", html_string(summary)),
        ("markdown", markdown_string(summary)),
    ]
}

#[test]
fn every_report_states_the_measured_coverage_in_the_same_words() {
    for (report, text) in every_report(&measured(mixed_run())) {
        if report == "json" {
            continue;
        }
        assert!(text.contains(LINE), "{report}: {text}");
    }
    for (report, text) in every_report(&mixed_run()) {
        assert!(!text.contains("server statements"), "{report}: {text}");
    }
}

#[test]
fn the_json_report_carries_the_counts_per_area_and_the_musts_left_unchecked() {
    let text = json_string(&measured(mixed_run())).expect("serializes");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let coverage = &doc["coverage"];
    assert_eq!(coverage["statements"], 197);
    assert_eq!(coverage["checked"], 120);
    assert_eq!(coverage["musts"], 150);
    assert_eq!(coverage["musts_at_must"], 90);
    assert_eq!(coverage["areas"][0]["area"], "create");
    assert_eq!(coverage["areas"][0]["checked"], 120);
    assert_eq!(
        coverage["musts_not_at_must"][0]["id"],
        "RFC7644-3.3-create-201"
    );
    let unmeasured = json_string(&mixed_run()).expect("serializes");
    let doc: serde_json::Value = serde_json::from_str(&unmeasured).expect("valid JSON");
    assert!(doc.get("coverage").is_none(), "{doc}");
}

#[test]
fn junit_properties_carry_the_counts() {
    let xml = junit_string(&measured(mixed_run())).expect("serializes");
    assert!(
        xml.contains(r#"<property name="coverage-statements" value="120 of 197"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<property name="coverage-musts-at-must" value="90 of 150"/>"#),
        "{xml}"
    );
}
