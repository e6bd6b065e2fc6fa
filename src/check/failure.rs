//! Turning a failed check into a `CheckFailure`, rendered once like a compiler error.

use crate::diag::Diagnostic;
use crate::result::CheckFailure;
use crate::vocabulary::Loc;

/// A failed check before rendering.
#[derive(Debug, Clone)]
pub struct Failed {
    pub subject: String,
    pub expected: String,
    pub actual: String,
    pub hint: Option<String>,
}

impl Failed {
    pub fn new(
        subject: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failed {
        Failed {
            subject: subject.into(),
            expected: expected.into(),
            actual: actual.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Failed {
        self.hint = Some(hint.into());
        self
    }

    /// The failure of `step` at `loc`, with its rendered explanation.
    pub fn at(self, step: &str, loc: &Loc) -> CheckFailure {
        let rendered = render(step, &self, loc);
        CheckFailure {
            step: step.to_owned(),
            subject: self.subject,
            expected: self.expected,
            actual: self.actual,
            location: loc.to_string(),
            rendered,
            request: String::new(),
            hint: self.hint,
            curl: None,
        }
    }
}

/// The compiler-style explanation shared by the console, JUnit and JSON reports.
fn render(step: &str, failed: &Failed, loc: &Loc) -> String {
    let mut diagnostic = Diagnostic::error(
        loc.clone(),
        format!("check failed in step `{step}`: {}", failed.subject),
    )
    .with_label(format!("expected {}", first_line(&failed.expected)))
    .with_expected_actual(&failed.expected, &failed.actual);
    if let Some(hint) = &failed.hint {
        diagnostic = diagnostic.with_hint(hint.clone());
    }
    diagnostic.render(false)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
