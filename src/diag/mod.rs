//! Diagnostics that point at file:line:col with the source line, a caret and a hint.
//!
//! One way of explaining a problem, used by load errors, `scimcheck lint` and failed checks
//! at run time alike: a message, the place in the scenario file, an optional label under
//! the caret, a hint (usually "did you mean ...") and free notes (expected / actual).

mod render;
mod suggest;

use std::fmt;

use crate::vocabulary::Loc;

pub use suggest::did_you_mean;

/// How bad a finding is: an error stops a load, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Error,
    Warning,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Warning => "warning",
        }
    }
}

/// One finding about a place in a scenario file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub kind: Kind,
    pub message: String,
    /// Where it is; line 0 means "the file as a whole" (no snippet is shown).
    pub loc: Loc,
    /// Short text shown under the caret.
    pub label: Option<String>,
    /// Rendered as `= help: ...`.
    pub hint: Option<String>,
    /// Rendered as `= note: ...`, one per entry (e.g. `expected: 201`, `actual: 500`).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(loc: Loc, message: impl Into<String>) -> Self {
        Self::new(Kind::Error, loc, message)
    }

    pub fn warning(loc: Loc, message: impl Into<String>) -> Self {
        Self::new(Kind::Warning, loc, message)
    }

    fn new(kind: Kind, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            loc,
            label: None,
            hint: None,
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint to `did you mean 'X'?` when a close candidate exists.
    pub fn with_suggestion<'a>(
        mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        if let Some(best) = did_you_mean(word, candidates) {
            self.hint = Some(format!("did you mean '{best}'?"));
        }
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds the `expected: ...` and `actual: ...` notes of a failed check.
    pub fn with_expected_actual(
        self,
        expected: impl fmt::Display,
        actual: impl fmt::Display,
    ) -> Self {
        self.with_note(format!("expected: {expected}"))
            .with_note(format!("actual: {actual}"))
    }

    pub fn is_error(&self) -> bool {
        self.kind == Kind::Error
    }

    /// One line: `file:line:col: error: message` (`file: error: message` without a line).
    pub fn headline(&self) -> String {
        let place = if self.loc.line == 0 {
            self.loc.file.name.clone()
        } else {
            self.loc.to_string()
        };
        format!(
            "{place}: {}: {}",
            self.kind.as_str(),
            single_line(&self.message)
        )
    }

    /// The compiler-style block: title, ` --> file:line:col`, the source line with a caret
    /// under the span, then `= help:` and `= note:` lines. ANSI colours when `color`.
    pub fn render(&self, color: bool) -> String {
        render::render(self, color)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Keeps a headline on one line whatever the message holds.
fn single_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// The findings of a load that failed; holds at least one error.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Every diagnostic rendered, each followed by a blank line, then a count line.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(d.render(color).trim_end());
            out.push_str("\n\n");
        }
        let errors = self.error_count();
        let warnings = self.0.len() - errors;
        out.push_str(&summary_line(errors, warnings));
        out
    }
}

fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(value: Vec<Diagnostic>) -> Self {
        Diagnostics(value)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
