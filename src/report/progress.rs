//! The live progress bar under the console lines (indicatif), shown only on a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const TEMPLATE: &str =
    "{spinner:.cyan} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {wide_msg}";

/// A progress bar that appears when the run starts and goes away before the summary.
/// Without a target it does nothing, so the console code does not branch on it.
#[derive(Debug)]
pub struct Progress {
    target: Option<ProgressDrawTarget>,
    bar: Option<ProgressBar>,
    /// Scenarios started and not yet finished, in start order.
    running: Vec<String>,
}

impl Progress {
    /// No bar at all: plain output.
    pub fn hidden() -> Self {
        Progress {
            target: None,
            bar: None,
            running: Vec::new(),
        }
    }

    /// A bar drawn on `target` once the run starts.
    pub fn new(target: ProgressDrawTarget) -> Self {
        Progress {
            target: Some(target),
            bar: None,
            running: Vec::new(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.bar.is_some()
    }

    pub fn start(&mut self, planned: usize) {
        let Some(target) = self.target.take() else {
            return;
        };
        let bar = ProgressBar::with_draw_target(Some(planned as u64), target);
        // The template is a constant; should indicatif reject it, the default style is
        // still a bar.
        if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bar = Some(bar);
    }

    pub fn scenario_started(&mut self, id: &str) {
        self.running.push(id.to_string());
        self.show_running();
    }

    pub fn scenario_finished(&mut self, id: &str) {
        if let Some(i) = self.running.iter().position(|r| r == id) {
            self.running.remove(i);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.show_running();
    }

    pub fn cancelling(&mut self) {
        if let Some(bar) = &self.bar {
            bar.set_message("cancelling: waiting for running scenarios to clean up");
        }
    }

    /// Runs `f` with the bar cleared, so lines written by `f` land above it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar; the summary is printed after this.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn show_running(&self) {
        let Some(bar) = &self.bar else {
            return;
        };
        bar.set_message(running_message(&self.running));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // A reporter dropped mid-run (an early return in the caller) must not leave a
        // ticking bar on the terminal.
        self.finish();
    }
}

/// `users.create.basic` or `users.create.basic +2 more`.
fn running_message(running: &[String]) -> String {
    match running {
        [] => String::new(),
        [only] => only.clone(),
        [first, rest @ ..] => format!("{first} +{} more", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_oldest_running_scenario_and_counts_the_rest() {
        assert_eq!(running_message(&[]), "");
        assert_eq!(running_message(&["a".into()]), "a");
        assert_eq!(
            running_message(&["a".into(), "b".into(), "c".into()]),
            "a +2 more"
        );
    }

    #[test]
    fn a_hidden_progress_never_creates_a_bar() {
        let mut progress = Progress::hidden();
        progress.start(3);
        progress.scenario_started("a");
        progress.scenario_finished("a");
        assert!(!progress.is_active());
        assert_eq!(progress.suspend(|| 7), 7);
    }

    #[test]
    fn a_bar_counts_finished_scenarios_and_forgets_them() {
        let mut progress = Progress::new(ProgressDrawTarget::hidden());
        progress.start(3);
        progress.scenario_started("a");
        progress.scenario_started("b");
        progress.scenario_finished("a");
        assert!(progress.is_active());
        assert_eq!(progress.running, vec!["b".to_string()]);
        assert_eq!(progress.bar.as_ref().map(|b| b.position()), Some(1));
        progress.finish();
        assert!(!progress.is_active());
    }
}
