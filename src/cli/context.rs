//! The world a command runs in: environment variables, whether standard output is a
//! terminal, CI and NO_COLOR. Read through one value, so option resolution and the
//! console's look are tested without touching the process.

#[cfg(test)]
use std::collections::HashMap;
use std::io::IsTerminal;

use crate::report::ConsoleOptions;

pub struct Context {
    env: Env,
    stdout_is_terminal: bool,
}

enum Env {
    Process,
    #[cfg(test)]
    Map(HashMap<String, String>),
}

impl Context {
    /// The process's own environment and standard output.
    pub fn process() -> Context {
        Context {
            env: Env::Process,
            stdout_is_terminal: std::io::stdout().is_terminal(),
        }
    }

    /// A context of these variables, for tests.
    #[cfg(test)]
    pub fn of(vars: &[(&str, &str)], stdout_is_terminal: bool) -> Context {
        Context {
            env: Env::Map(
                vars.iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            stdout_is_terminal,
        }
    }

    /// An environment variable, if set (and valid Unicode).
    pub fn var(&self, name: &str) -> Option<String> {
        match &self.env {
            Env::Process => std::env::var(name).ok(),
            #[cfg(test)]
            Env::Map(map) => map.get(name).cloned(),
        }
    }

    /// Running under CI: `CI` set to anything but empty, `false` or `0`.
    fn ci(&self) -> bool {
        self.var("CI").is_some_and(|v| {
            let v = v.trim();
            !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0"
        })
    }

    /// `NO_COLOR` set to a non-empty value (no-color.org).
    fn no_color(&self) -> bool {
        self.var("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// Colour only on a capable terminal (not `TERM=dumb`) without `NO_COLOR`; the
    /// progress bar only on a capable terminal, outside CI, without `--no-progress`.
    pub fn console_options(&self, no_progress: bool, verbose: bool) -> ConsoleOptions {
        let dumb_terminal = self.var("TERM").is_some_and(|v| v == "dumb");
        let capable_terminal = self.stdout_is_terminal && !dumb_terminal;
        ConsoleOptions {
            color: capable_terminal && !self.no_color(),
            progress: capable_terminal && !self.ci() && !no_progress,
            verbose,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(vars: &[(&str, &str)]) -> ConsoleOptions {
        Context::of(vars, true).console_options(false, false)
    }

    #[test]
    fn a_terminal_gets_colour_and_a_progress_bar() {
        let options = terminal(&[]);
        assert!(options.color && options.progress && !options.verbose);
    }

    #[test]
    fn a_pipe_gets_neither_colour_nor_progress() {
        let options = Context::of(&[], false).console_options(false, true);
        assert_eq!(
            options,
            ConsoleOptions {
                color: false,
                progress: false,
                verbose: true
            }
        );
    }

    #[test]
    fn ci_keeps_colour_on_a_terminal_but_drops_the_progress_bar() {
        let options = terminal(&[("CI", "true")]);
        assert!(options.color && !options.progress);
    }

    #[test]
    fn ci_counts_when_set_to_anything_but_empty_false_or_zero() {
        for (value, expected) in [
            ("true", true),
            ("1", true),
            ("woodpecker", true),
            ("", false),
            ("false", false),
            ("FALSE", false),
            ("0", false),
        ] {
            assert_eq!(
                Context::of(&[("CI", value)], true).ci(),
                expected,
                "CI={value:?}"
            );
        }
        assert!(!Context::of(&[], true).ci());
    }

    #[test]
    fn no_color_drops_colour_but_keeps_the_progress_bar() {
        let options = terminal(&[("NO_COLOR", "1")]);
        assert!(!options.color && options.progress);
        assert!(
            terminal(&[("NO_COLOR", "")]).color,
            "only a non-empty NO_COLOR counts"
        );
    }

    #[test]
    fn no_progress_flag_drops_only_the_progress_bar() {
        let options = Context::of(&[], true).console_options(true, false);
        assert!(options.color && !options.progress);
    }

    #[test]
    fn a_dumb_terminal_gets_plain_lines() {
        let options = terminal(&[("TERM", "dumb")]);
        assert!(!options.color && !options.progress);
    }
}
