//! How a diagnostic reads: the compiler-style block, the one-line headline, and the
//! expected/actual notes the executor adds to a failed check.

use std::sync::Arc;

use scimcheck::diag::{Diagnostic, Diagnostics, Kind, did_you_mean};
use scimcheck::vocabulary::{Loc, SourceFile};

fn loc(text: &str, line: u32, col: u32) -> Loc {
    Loc {
        file: Arc::new(SourceFile {
            name: "suites/x.yaml".into(),
            text: text.into(),
        }),
        line,
        col,
    }
}

const SCENARIO: &str = "id: users.x\ntitle: t\nsteps:\n  - name: create\n    request: { method: POST, path: /Users }\n    expect:\n      status: 201\n";

#[test]
fn a_failed_check_shows_its_line_with_expected_and_actual() {
    let d = Diagnostic::error(loc(SCENARIO, 7, 15), "status check failed")
        .with_label("expected 201")
        .with_expected_actual(201, 500);
    assert_eq!(
        d.render(false),
        "error: status check failed\n --> suites/x.yaml:7:15\n  |\n7 |       status: 201\n  |               ^^^ expected 201\n  |\n  = note: expected: 201\n  = note: actual: 500"
    );
    assert_eq!(
        d.headline(),
        "suites/x.yaml:7:15: error: status check failed"
    );
}

#[test]
fn a_warning_renders_as_a_warning() {
    let d = Diagnostic::warning(
        loc(SCENARIO, 4, 5),
        "step 'create' does not check the response status",
    )
    .with_hint("add `expect: { status: ... }`");
    let text = d.render(false);
    assert!(text.starts_with("warning: step 'create'"), "{text}");
    assert!(
        text.ends_with("= help: add `expect: { status: ... }`"),
        "{text}"
    );
    assert_eq!(d.kind, Kind::Warning);
    assert!(d.headline().contains(": warning: "));
}

#[test]
fn colour_is_only_used_when_asked_for() {
    let d = Diagnostic::error(loc(SCENARIO, 7, 15), "status check failed");
    assert!(d.render(true).contains('\u{1b}'));
    assert!(!d.render(false).contains('\u{1b}'));
}

#[test]
fn a_position_outside_the_text_still_names_the_place() {
    let d = Diagnostic::error(loc(SCENARIO, 99, 3), "somewhere else");
    assert_eq!(
        d.render(false),
        "error: somewhere else\n--> suites/x.yaml:99:3"
    );
    assert_eq!(d.headline(), "suites/x.yaml:99:3: error: somewhere else");
}

#[test]
fn a_message_with_line_breaks_keeps_the_headline_on_one_line() {
    let d = Diagnostic::error(loc(SCENARIO, 1, 1), "first\nsecond");
    assert_eq!(d.headline(), "suites/x.yaml:1:1: error: first second");
}

#[test]
fn diagnostics_display_every_entry_and_a_count() {
    let all = Diagnostics(vec![
        Diagnostic::error(loc(SCENARIO, 1, 5), "one"),
        Diagnostic::warning(loc(SCENARIO, 2, 8), "two"),
        Diagnostic::error(loc(SCENARIO, 3, 1), "three"),
    ]);
    let text = all.to_string();
    assert!(text.ends_with("\n\n2 errors, 1 warning"), "{text}");
    assert_eq!(all.error_count(), 2);
    let as_error: Box<dyn std::error::Error> = Box::new(all);
    assert!(as_error.to_string().contains("error: three"));
}

#[test]
fn did_you_mean_ignores_case_and_refuses_far_words() {
    assert_eq!(did_you_mean("STATUS", ["status", "schema"]), Some("status"));
    assert_eq!(did_you_mean("bulkk", ["users", "bulk"]), Some("bulk"));
    assert_eq!(did_you_mean("completely", ["users", "bulk"]), None);
}
