//! Turning a failed check into a `CheckFailure`, rendered once like a compiler error.

use crate::result::CheckFailure;
use crate::suite::model::Loc;

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
        }
    }
}

/// TEMPORARY plain rendering until `diag::Diagnostic` lands; same shape as it.
fn render(step: &str, failed: &Failed, loc: &Loc) -> String {
    let mut out = format!(
        "error: check failed in step `{step}`: {}\n  --> {loc}\n",
        failed.subject
    );
    let line_no = loc.line.to_string();
    let gutter = " ".repeat(line_no.len());
    if let Some(line) = loc
        .line
        .checked_sub(1)
        .and_then(|i| loc.file.text.lines().nth(i as usize))
    {
        let caret_at = line
            .chars()
            .take(loc.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect::<String>();
        out.push_str(&format!(
            "{gutter} |\n{line_no} | {line}\n{gutter} | {caret_at}^\n"
        ));
    }
    out.push_str(&format!("{gutter} = note: expected: {}\n", failed.expected));
    out.push_str(&format!("{gutter} = note: actual: {}\n", failed.actual));
    if let Some(hint) = &failed.hint {
        out.push_str(&format!("{gutter} = help: {hint}\n"));
    }
    out
}
