//! The HTML report: a snapshot of a mixed run, markup from servers shown as text, tags
//! balanced, and only scenarios that did not pass carry their exchanges.

use crate::support::report as report_support;

use report_support::*;
use scimcheck::report::{html_string, write_html};

const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link"];

/// Start and end tags pair up (an HTML5 page is not XML, so a small stack does it).
fn assert_balanced(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("every tag closes");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "at <{tag}>");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn html_of_a_mixed_run() {
    let mut settings = snapshot_settings();
    settings.add_filter(r"<td>\d+</td><td>RFC", "<td>[ms]</td><td>RFC");
    let html = html_string(&mixed_run());
    settings.bind(|| insta::assert_snapshot!("html_mixed_run", html));
}

#[test]
fn the_page_is_balanced_and_server_markup_is_escaped() {
    let html = html_string(&mixed_run());
    assert_balanced(&html);
    assert!(html.contains("a &lt; b &amp; c &gt; d"), "{html}");
    assert!(!html.contains("a < b"), "raw markup from a response leaked");
}

#[test]
fn the_balance_check_notices_a_missing_end_tag() {
    let broken = std::panic::catch_unwind(|| assert_balanced("<table><tr><td>x</tr></table>"));
    assert!(broken.is_err());
}

#[test]
fn totals_and_details_follow_the_outcomes() {
    let summary = mixed_run();
    let html = html_string(&summary);
    for (label, count) in [
        ("passed", 1),
        ("failed", 1),
        ("deviations", 1),
        ("skipped", 1),
    ] {
        assert!(
            html.contains(&format!("<th>{label}</th><td>{count}</td>")),
            "{label}: {html}"
        );
    }
    for result in &summary.results {
        let anchor = format!("<details id=\"{}\"", result.id);
        let passed = result.outcome.label() == "pass";
        assert_eq!(html.contains(&anchor), !passed, "{}", result.id);
    }
    assert!(html.contains("Bearer [REDACTED]"));
}

#[test]
fn write_html_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reports/run.html");
    write_html(&mixed_run(), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
}

#[test]
fn control_characters_from_the_server_are_shown_escaped_in_html() {
    let text = html_string(&summary_of(vec![forged()], false));
    for c in FORGING_CHARACTERS {
        assert!(!text.contains(*c), "{c:?} in the HTML:\n{text:?}");
    }
}
