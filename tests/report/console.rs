//! The console report, fed with the events of a hand-built run.

use crate::support::report as report_support;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressDrawTarget, TermLike};
use report_support::*;
use scimcheck::report::progress::Progress;
use scimcheck::report::{ConsoleOptions, ConsoleReporter};
use scimcheck::result::RunEvent;

const PLAIN: ConsoleOptions = ConsoleOptions {
    color: false,
    progress: false,
    verbose: false,
};

fn console_output(events: &[RunEvent], options: ConsoleOptions) -> String {
    let mut console = ConsoleReporter::new(Vec::new(), options);
    for event in events {
        console.on_event(event);
    }
    assert!(console.io_error().is_none());
    String::from_utf8(console.into_inner()).expect("console output is UTF-8")
}

fn finished_lines(options: ConsoleOptions) -> String {
    let events: Vec<RunEvent> = mixed_results()
        .into_iter()
        .map(|r| RunEvent::ScenarioFinished(std::sync::Arc::new(r)))
        .collect();
    console_output(&events, options)
}

#[test]
fn each_outcome_has_its_line_format() {
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("lines", finished_lines(PLAIN));
    });
}

#[test]
fn verbose_adds_the_transcript_of_failing_and_erroring_scenarios_only() {
    let text = finished_lines(ConsoleOptions {
        verbose: true,
        ..PLAIN
    });
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("lines_verbose", text);
    });
    assert_eq!(
        text.matches("transcript:").count(),
        2,
        "fail and error only"
    );
    // The redacted token passes through as it came.
    assert!(text.contains("authorization: Bearer [REDACTED]"));
}

#[test]
fn a_mixed_run_ends_with_a_summary_and_the_plain_final_line() {
    let summary = mixed_run();
    let text = console_output(&events(&summary, 5), PLAIN);
    let settings = {
        let mut s = snapshot_settings();
        // Times vary from run to run; the line format test pins their shape.
        s.add_filter(r"\[ *\d+ ms\]", "[   [ms] ms]");
        s.add_filter(r"(time +)\d+(\.\d+)? m?s", "$1[time]");
        s
    };
    settings.bind(|| {
        insta::assert_snapshot!("mixed_run", text);
    });
    assert_eq!(
        text.lines().last(),
        Some("1 passed, 1 failed, 0 warned, 1 deviated, 1 skipped, 1 errored, 0 blocked")
    );
}

#[test]
fn a_run_with_only_an_error_counts_it_apart_from_failures() {
    let summary = summary_of(vec![must_error()], false);
    let text = console_output(&events(&summary, 1), PLAIN);
    assert!(
        text.ends_with(
            "\n0 passed, 0 failed, 0 warned, 0 deviated, 0 skipped, 1 errored, 0 blocked\n"
        ),
        "{text}"
    );
    assert!(text.contains("  errors      1\n"), "{text}");
    // An error is not a pass: the verdict says the run is incomplete, and why.
    assert!(text.contains("Verdict: incomplete (exit 5)"), "{text}");
}

#[test]
fn an_interrupted_run_says_so_and_counts_what_did_not_run() {
    let summary = summary_of(vec![passed(), skipped()], true);
    let text = console_output(&events(&summary, 7), PLAIN);
    assert!(
        text.contains("Cancelling: no new scenarios start"),
        "{text}"
    );
    assert!(text.contains("  not run     5\n"), "{text}");
    let mut last_two = text.lines().rev().take(2);
    assert_eq!(
        last_two.next(),
        Some("1 passed, 0 failed, 0 warned, 0 deviated, 1 skipped, 0 errored, 0 blocked")
    );
    assert_eq!(
        last_two.next(),
        Some("Verdict: interrupted (exit 130): the run was interrupted; its results are partial")
    );
    assert!(
        text.contains("Interrupted; 5 of 7 planned scenarios did not run."),
        "{text}"
    );
}

#[test]
fn without_colour_no_escape_sequence_is_written_even_from_rendered_failures() {
    let mut result = failed();
    if let scimcheck::result::Outcome::Fail { failures } = &mut result.outcome {
        failures[0].rendered = "\x1b[1;31merror\x1b[0m: coloured by the renderer".into();
    }
    let summary = summary_of(vec![result], false);
    // The code frames are shown with --verbose.
    let verbose = ConsoleOptions {
        verbose: true,
        ..PLAIN
    };
    let text = console_output(&events(&summary, 1), verbose);
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("error: coloured by the renderer"));
}

#[test]
fn with_colour_the_status_words_are_styled() {
    let text = finished_lines(ConsoleOptions {
        color: true,
        ..PLAIN
    });
    assert!(text.contains("\x1b[1m\x1b[32m     PASS\x1b[0m"), "{text:?}");
    assert!(text.contains("\x1b[31m     FAIL"), "{text:?}");
    // Stripping the colours gives exactly the plain output.
    assert_eq!(
        anstream::adapter::strip_str(&text).to_string(),
        finished_lines(PLAIN)
    );
}

/// A terminal that records what indicatif draws on it.
#[derive(Debug, Clone, Default)]
struct RecordingTerm(Arc<Mutex<String>>);

impl RecordingTerm {
    fn push(&self, s: &str) {
        if let Ok(mut text) = self.0.lock() {
            text.push_str(s);
        }
    }
    fn text(&self) -> String {
        self.0.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

impl TermLike for RecordingTerm {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.push(s);
        self.push("\n");
        Ok(())
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.push(s);
        Ok(())
    }
    fn clear_line(&self) -> io::Result<()> {
        self.push("<clear>");
        Ok(())
    }
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_progress_bar_is_drawn_on_the_terminal_and_the_lines_stay_clean() {
    let term = RecordingTerm::default();
    let progress = Progress::new(ProgressDrawTarget::term_like(Box::new(term.clone())));
    let options = ConsoleOptions {
        progress: true,
        ..PLAIN
    };
    let mut console = ConsoleReporter::with_progress(Vec::new(), options, progress);
    let summary = mixed_run();
    for event in events(&summary, 5) {
        console.on_event(&event);
        // Give the steady tick a chance to draw between events.
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let lines = String::from_utf8(console.into_inner()).expect("UTF-8");

    let drawn = term.text();
    assert!(drawn.contains("/5"), "bar never drawn: {drawn:?}");
    assert!(drawn.ends_with("<clear>"), "bar not cleared: {drawn:?}");
    assert!(!lines.contains("/5"), "bar leaked into the lines: {lines}");
    assert_eq!(lines, console_output(&events(&summary, 5), PLAIN));
}

#[test]
fn progress_is_off_unless_the_options_ask_for_it() {
    let term = RecordingTerm::default();
    let progress = Progress::new(ProgressDrawTarget::term_like(Box::new(term.clone())));
    let mut console = ConsoleReporter::with_progress(Vec::new(), PLAIN, progress);
    for event in events(&mixed_run(), 5) {
        console.on_event(&event);
    }
    assert_eq!(term.text(), "");
}

/// A console that went away (a closed pipe).
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_console_does_not_stop_the_run_and_reports_the_error() {
    let mut console = ConsoleReporter::new(ClosedPipe, PLAIN);
    for event in events(&mixed_run(), 5) {
        console.on_event(&event);
    }
    assert_eq!(
        console.io_error().map(io::Error::kind),
        Some(io::ErrorKind::BrokenPipe)
    );
}

#[test]
fn a_should_failure_that_fails_the_run_under_strict_is_marked_with_its_severity() {
    let text = console_output(
        &[RunEvent::ScenarioFinished(std::sync::Arc::new(
            should_failure(true),
        ))],
        PLAIN,
    );
    assert!(
        text.starts_with("     FAIL [     5 ms] errors.invalid-filter.detail (should)\n"),
        "{text}"
    );
}

#[test]
fn control_characters_from_the_server_are_shown_escaped_not_obeyed() {
    for options in [
        PLAIN,
        ConsoleOptions {
            color: true,
            verbose: true,
            ..PLAIN
        },
    ] {
        let events = [RunEvent::ScenarioFinished(std::sync::Arc::new(forged()))];
        let out = console_output(&events, options);
        for c in FORGING_CHARACTERS
            .iter()
            .filter(|c| **c != '\u{1b}' || !options.color)
        {
            assert!(!out.contains(*c), "{c:?} reached the console:\n{out:?}");
        }
        assert!(out.contains("500\\r     PASS"), "{out}");
        assert!(out.contains("\\u{202e}ssap"), "{out}");
        // With colour, the only escape sequences are the console's own styles.
        let forged_escape = out.contains("\u{1b}[2K");
        assert!(!forged_escape, "{out:?}");
    }
}

#[test]
fn a_warning_reads_as_a_warning_and_is_never_red() {
    let text = console_output(
        &[RunEvent::ScenarioFinished(std::sync::Arc::new(
            should_failure(false),
        ))],
        PLAIN,
    );
    assert!(
        text.starts_with("     WARN [     5 ms] errors.invalid-filter.detail (should)\n"),
        "{text}"
    );
    let coloured = console_output(
        &[RunEvent::ScenarioFinished(std::sync::Arc::new(
            may_failure(),
        ))],
        ConsoleOptions {
            color: true,
            ..PLAIN
        },
    );
    assert!(!coloured.contains("\x1b[31"), "no red in {coloured:?}");
    assert!(!coloured.contains("\x1b[1;31"), "no red in {coloured:?}");
}
