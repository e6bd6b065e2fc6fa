//! The live console report: one line per finished scenario, then a summary block that
//! ends with the verdict and the plain counts line CI tooling reads.

use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};
use indicatif::ProgressDrawTarget;

use super::exchange::render_exchanges;
use super::explain::Explanation;
use super::progress::Progress;
use super::text::{
    counts_line, coverage_line, human_duration, indent, requests_line, verdict_words,
};
use crate::printable::escape_controls;
use crate::result::{
    Outcome, RootCause, RunEvent, RunInfo, RunSummary, ScenarioResult, Totals, Verdict,
    VerdictStatus, root_causes, skip_groups,
};
use crate::vocabulary::Severity;

/// How the console looks, decided once before the run (by the command line, from the
/// terminal, CI and NO_COLOR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsoleOptions {
    /// ANSI colours in the output.
    pub color: bool,
    /// A live progress bar under the lines.
    pub progress: bool,
    /// Show the transcript of failing and erroring scenarios.
    pub verbose: bool,
}

/// The last console line, which CI tooling reads: every outcome counted apart, in the
/// same words as every other report (see `counts_line`).
pub fn final_line(totals: &Totals) -> String {
    counts_line(totals)
}

const INDENT: &str = "          ";
const STATUS_WIDTH: usize = 9;

const PASS: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Green)))
    .bold();
const FAIL: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Red)))
    .bold();
const DEVIATION: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Magenta)))
    .bold();
const SKIP: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Yellow)))
    .bold();
const WARN: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
const BLOCKED: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Cyan)))
    .bold();
const HEADING: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Follows the run's events and writes the console report to `out`.
///
/// Write errors (a closed pipe) never stop the run; the first one is kept for the caller.
pub struct ConsoleReporter<W: Write> {
    out: W,
    options: ConsoleOptions,
    progress: Progress,
    planned: Option<usize>,
    io_error: Option<io::Error>,
}

impl ConsoleReporter<anstream::AutoStream<io::Stdout>> {
    /// The console on standard output; anstream adapts the colours to the platform's
    /// terminal (or strips them), and the progress bar is drawn on the same stream.
    pub fn stdout(options: ConsoleOptions) -> Self {
        let choice = if options.color {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Never
        };
        let progress = if options.progress {
            Progress::new(ProgressDrawTarget::stdout())
        } else {
            Progress::hidden()
        };
        Self::with_progress(
            anstream::AutoStream::new(io::stdout(), choice),
            options,
            progress,
        )
    }
}

impl<W: Write> ConsoleReporter<W> {
    /// A console writing to `out`; the progress bar, when enabled, goes to stderr.
    pub fn new(out: W, options: ConsoleOptions) -> Self {
        let progress = if options.progress {
            Progress::new(ProgressDrawTarget::stderr())
        } else {
            Progress::hidden()
        };
        Self::with_progress(out, options, progress)
    }

    /// A console with its own progress bar target (tests draw it on a fake terminal).
    pub fn with_progress(out: W, options: ConsoleOptions, progress: Progress) -> Self {
        let progress = if options.progress {
            progress
        } else {
            Progress::hidden()
        };
        ConsoleReporter {
            out,
            options,
            progress,
            planned: None,
            io_error: None,
        }
    }

    pub fn on_event(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Started { info, planned } => {
                self.planned = Some(*planned);
                let text = self.header(info, *planned);
                self.write(&text);
                self.progress.start(*planned);
            }
            RunEvent::ScenarioStarted { id } => self.progress.scenario_started(id),
            RunEvent::ScenarioFinished(result) => {
                let text = scenario_text(result, &self.options);
                self.write(&text);
                self.progress.scenario_finished(&result.id);
            }
            RunEvent::Cancelling => {
                let text = format!(
                    "{}\n",
                    self.paint(
                        WARN,
                        "Cancelling: no new scenarios start; running ones stop after their current request and clean up."
                    )
                );
                self.write(&text);
                self.progress.cancelling();
            }
            RunEvent::Notice(text) => {
                let text = format!("note: {}", escape_controls(text));
                let line = format!("{}\n", self.paint(WARN, &text));
                self.write(&line);
            }
            RunEvent::Finished(summary) => {
                self.progress.finish();
                let text = summary_text(summary, self.planned, &self.options);
                self.write(&text);
            }
        }
    }

    /// The first write error, if the console could not be written.
    pub fn io_error(&self) -> Option<&io::Error> {
        self.io_error.as_ref()
    }

    pub fn into_inner(mut self) -> W {
        self.progress.finish();
        self.out
    }

    fn header(&self, info: &RunInfo, planned: usize) -> String {
        let noun = if planned == 1 {
            "scenario"
        } else {
            "scenarios"
        };
        let profile = info
            .profiles_shown()
            .map(|(word, names)| format!(" ({word} {names})"))
            .unwrap_or_default();
        format!(
            "{} {planned} {noun} against {}{profile}\n",
            self.paint(HEADING, "Running"),
            info.target_url
        )
    }

    fn paint(&self, style: Style, text: &str) -> String {
        paint(&self.options, style, text)
    }

    fn write(&mut self, text: &str) {
        if self.io_error.is_some() {
            return;
        }
        let out = &mut self.out;
        let result = self.progress.suspend(|| {
            out.write_all(text.as_bytes())?;
            out.flush()
        });
        if let Err(e) = result {
            self.io_error = Some(e);
        }
    }
}

fn paint(options: &ConsoleOptions, style: Style, text: &str) -> String {
    if options.color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// Text from elsewhere (rendered diagnostics) may carry its own colours; without colour
/// it must not carry escape sequences either.
fn plain_if_needed(options: &ConsoleOptions, text: &str) -> String {
    if options.color {
        text.to_string()
    } else {
        anstream::adapter::strip_str(text).to_string()
    }
}

fn status_word(outcome: &Outcome) -> (&'static str, Style) {
    match outcome {
        Outcome::Pass => ("PASS", PASS),
        Outcome::Fail { .. } => ("FAIL", FAIL),
        Outcome::Deviation { .. } => ("DEVIATION", DEVIATION),
        Outcome::Skip { .. } => ("SKIP", SKIP),
        Outcome::Error { .. } => ("ERROR", FAIL),
        // A warning never reads like a failure: yellow, not red.
        Outcome::Warn { .. } => ("WARN", WARN),
        Outcome::Blocked { .. } => ("BLOCKED", BLOCKED),
    }
}

/// The line of one finished scenario and the details under it.
pub(crate) fn scenario_text(result: &ScenarioResult, options: &ConsoleOptions) -> String {
    let (word, style) = status_word(&result.outcome);
    let status = paint(options, style, &format!("{word:>STATUS_WIDTH$}"));
    let time = paint(
        options,
        DIM,
        &format!("[{:>6} ms]", result.duration.as_millis()),
    );
    let mut out = format!("{status} {time} {}", result.id);
    let mut details = String::new();
    // What to fix comes first; the scenario's code frames only with --verbose.
    let explained = |result, failures| Explanation::of(result, failures).text(options.verbose);

    match &result.outcome {
        Outcome::Pass => {}
        Outcome::Fail { failures } => {
            if result.severity != Severity::Must {
                out.push_str(&format!(" ({})", result.severity.as_str()));
            }
            details.push_str(&explained(result, failures));
        }
        Outcome::Deviation { failures, reason } => {
            details.push_str(&format!("known deviation: {reason}\n"));
            details.push_str(&explained(result, failures));
        }
        Outcome::Warn { failures } => {
            out.push_str(&format!(" ({})", result.severity.as_str()));
            details.push_str(&explained(result, failures));
        }
        Outcome::Skip { reason, .. } => out.push_str(&format!(": {}", escape_controls(reason))),
        Outcome::Error { message } => details.push_str(message),
        Outcome::Blocked {
            precondition,
            failures,
        } => {
            details.push_str(&format!("blocked: {precondition}\n"));
            details.push_str(&explained(result, failures));
        }
    }
    // A passing scenario's notes say how it was judged (a re-read answered by the write,
    // a verdict from running alone, which the run's notices also name): the reports keep
    // them, the console shows them with --verbose.
    let quiet_notes = matches!(result.outcome, Outcome::Pass) && !options.verbose;
    for note in result.notes.iter().filter(|_| !quiet_notes) {
        details.push_str(&format!("\nnote: {note}"));
    }
    out.push('\n');

    let details = plain_if_needed(options, &details);
    out.push_str(&indent(
        escape_controls(details.trim_end()).as_ref(),
        INDENT,
    ));
    for problem in &result.cleanup_errors {
        let line = paint(
            options,
            WARN,
            &format!("cleanup: {}", escape_controls(problem)),
        );
        out.push_str(&format!("{INDENT}{line}\n"));
    }
    for leftover in &result.leftovers {
        let line = paint(
            options,
            WARN,
            &format!(
                "left on the target: {}: {}",
                escape_controls(&leftover.what),
                escape_controls(&leftover.reason)
            ),
        );
        out.push_str(&format!("{INDENT}{line}\n"));
    }
    let failing = matches!(
        result.outcome,
        Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Blocked { .. }
    );
    if options.verbose && failing && !result.exchanges.is_empty() {
        out.push_str(&format!(
            "{INDENT}{}\n",
            paint(options, HEADING, "transcript:")
        ));
        let transcript = render_exchanges(&result.exchanges);
        out.push_str(&indent(&escape_controls(&transcript), INDENT));
    }
    out
}

/// Root causes the summary lists before it says "and N more".
const SHOWN_CAUSES: usize = 10;

/// The block after the run: what ran, against what, how it went, what was skipped and
/// why, the root causes of what failed, then the verdict and the final line.
pub(crate) fn summary_text(
    summary: &RunSummary,
    planned: Option<usize>,
    options: &ConsoleOptions,
) -> String {
    let totals = Totals::of_run(summary);
    let info = &summary.info;
    let mut out = format!("\n{}\n", paint(options, HEADING, "Summary"));
    let mut row = |label: &str, value: String| out.push_str(&format!("  {label:<11} {value}\n"));

    row("target", info.target_url.clone());
    if let Some((word, names)) = info.profiles_shown() {
        row(word, names);
    }
    row("run id", info.run_id.clone());
    row("time", human_duration(summary.duration));
    row("requests", requests_line(summary.requests, totals.requests));
    row(
        "judged",
        format!("{} of {} scenarios", totals.judged(), totals.scenarios()),
    );
    row("passed", totals.passed.to_string());
    row("failed", totals.failed.to_string());
    row("warnings", totals.warnings.to_string());
    row("deviations", totals.deviations.to_string());
    row("skipped", totals.skipped.to_string());
    row("errors", totals.errors.to_string());
    row("blocked", totals.blocked.to_string());
    if let Some(coverage) = &summary.coverage {
        row("coverage", coverage_line(&coverage.overall));
    }
    if totals.leftovers > 0 {
        row("leftovers", totals.leftovers.to_string());
    }
    let not_run = planned
        .filter(|_| summary.interrupted)
        .map(|p| p.saturating_sub(summary.results.len()));
    if let Some(n) = not_run.filter(|n| *n > 0) {
        row("not run", n.to_string());
    }

    let groups = skip_groups(&summary.results);
    if !groups.is_empty() {
        out.push_str(&format!("{}\n", paint(options, HEADING, "Skipped")));
        for group in &groups {
            out.push_str(&format!(
                "  {:>4} {}\n",
                group.ids.len(),
                escape_controls(&group.reason)
            ));
        }
    }
    for notice in &summary.notices {
        let line = paint(options, WARN, &format!("note: {}", escape_controls(notice)));
        out.push_str(&format!("{line}\n"));
    }

    let failing: Vec<&ScenarioResult> = summary
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Blocked { .. }
            )
        })
        .collect();
    if !failing.is_empty() {
        out.push_str(&format!("{}\n", paint(options, HEADING, "Failed")));
        for result in failing {
            let (word, style) = status_word(&result.outcome);
            let status = paint(options, style, &format!("{word:>STATUS_WIDTH$}"));
            out.push_str(&format!("{status} {}\n", result.id));
        }
    }
    let causes = root_causes(&summary.results);
    if !causes.is_empty() {
        out.push_str(&format!("{}\n", paint(options, HEADING, "Root causes")));
        for cause in causes.iter().take(SHOWN_CAUSES) {
            out.push_str(&format!("  {}\n", escape_controls(&cause_line(cause))));
        }
        if causes.len() > SHOWN_CAUSES {
            out.push_str(&format!(
                "  ... and {} more (see the reports)\n",
                causes.len() - SHOWN_CAUSES
            ));
        }
    }

    if totals.leftovers > 0 {
        let heading = format!("Left on the target ({})", totals.leftovers);
        out.push_str(&format!("{}\n", paint(options, WARN, &heading)));
        for (owner, leftover) in summary.all_leftovers() {
            out.push_str(&format!(
                "  {} ({owner}): {}\n",
                escape_controls(&leftover.what),
                escape_controls(&leftover.reason)
            ));
        }
    }

    if summary.interrupted {
        let detail = match not_run {
            Some(n) if n > 0 => format!(
                "; {n} of {} planned scenarios did not run",
                planned.unwrap_or_default()
            ),
            _ => String::new(),
        };
        let reason = summary
            .stop
            .as_ref()
            .map_or("Interrupted", |s| s.reason.as_str());
        let line = format!("{reason}{detail}.");
        out.push_str(&format!("{}\n", paint(options, WARN, &line)));
    }
    let verdict = Verdict::of(summary);
    let style = match verdict.status {
        VerdictStatus::Passed => PASS,
        VerdictStatus::Failed => FAIL,
        VerdictStatus::Incomplete | VerdictStatus::Interrupted => WARN,
    };
    out.push_str(&format!(
        "{} {}\n",
        paint(options, HEADING, "Verdict:"),
        paint(options, style, &verdict_words(&verdict))
    ));
    out.push_str(&final_line(&totals));
    out.push('\n');
    out
}

/// `POST /Users: status: expected 201, got 200 (1 fail, 40 blocked; first in
/// users.create.basic)`.
fn cause_line(cause: &RootCause) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, label) in &cause.scenarios {
        match counts.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let counts: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    format!(
        "{}: {} ({}; first in {}: {})",
        cause.request,
        cause.check,
        counts.join(", "),
        cause.first_scenario,
        cause.first_request
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_line_counts_every_outcome_apart() {
        let totals = Totals {
            passed: 3,
            failed: 1,
            warnings: 6,
            deviations: 2,
            skipped: 4,
            errors: 5,
            blocked: 7,
            requests: 99,
            leftovers: 1,
        };
        assert_eq!(
            final_line(&totals),
            "3 passed, 1 failed, 6 warned, 2 deviated, 4 skipped, 5 errored, 7 blocked"
        );
    }

    #[test]
    fn a_passing_scenario_shows_its_notes_only_with_verbose() {
        let result = |outcome| ScenarioResult {
            notes: vec!["judged on the write's answer".into()],
            ..ScenarioResult::bare("users.patch.replace", Severity::Must, outcome)
        };
        let options = |verbose| ConsoleOptions {
            color: false,
            progress: false,
            verbose,
        };
        let passed = result(Outcome::Pass);
        assert!(!scenario_text(&passed, &options(false)).contains("note:"));
        assert!(scenario_text(&passed, &options(true)).contains("note: judged"));
        let errored = result(Outcome::Error {
            message: "timed out".into(),
        });
        assert!(scenario_text(&errored, &options(false)).contains("note: judged"));
    }
}
