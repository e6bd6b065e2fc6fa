//! The Markdown summary: a snapshot of a mixed run, and what it leaves out.

use crate::support::report as report_support;

use report_support::*;
use scimcheck::report::{markdown_string, write_markdown};

#[test]
fn markdown_of_a_mixed_run() {
    let markdown = markdown_string(&mixed_run());
    snapshot_settings().bind(|| insta::assert_snapshot!("markdown_mixed_run", markdown));
}

#[test]
fn passing_scenarios_are_counted_not_listed_and_exchanges_stay_out() {
    let summary = mixed_run();
    let markdown = markdown_string(&summary);
    for result in &summary.results {
        let listed = markdown.contains(&format!("- `{}`", result.id));
        assert_eq!(listed, result.outcome.label() != "pass", "{}", result.id);
    }
    // The exchanges' headers stay in the transcripts; the curl line names the token
    // only as a variable.
    assert!(
        !markdown.contains("accept: application/scim+json"),
        "{markdown}"
    );
    assert!(!markdown.contains("[REDACTED]"), "{markdown}");
    assert!(markdown.contains("Bearer $SCIM_TOKEN"), "{markdown}");
    assert!(
        markdown.contains("| 1 | 1 | 0 | 1 | 1 | 1 | 0 | 6 |"),
        "{markdown}"
    );
}

#[test]
fn write_markdown_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/summary.md");
    write_markdown(&mixed_run(), &path).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("# scimcheck: ")
    );
}

#[test]
fn control_characters_from_the_server_are_shown_escaped_in_markdown() {
    let summary = summary_of(vec![forged()], false);
    let text = markdown_string(&summary);
    for c in FORGING_CHARACTERS {
        assert!(!text.contains(*c), "{c:?} in the Markdown:\n{text:?}");
    }
    assert!(text.contains("\\u{202e}"), "{text}");
}
