//! The one error type of the SCIM grammar: what was expected, what came, and where.

use std::fmt;

/// A syntax error in a filter, attribute path, PATCH path or body path.
///
/// `offset` is a byte offset into the parsed input, so a caller that knows where the
/// input sits in a larger file can point a caret at the exact character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrammarError {
    /// What the parser expected (or what is wrong), e.g. `expected a value after 'eq'`.
    pub message: String,
    /// Byte offset into the input where the problem starts.
    pub offset: usize,
    /// What came instead, e.g. `end of input` or `'equals'`; `None` when the message
    /// already says everything.
    pub found: Option<String>,
    /// A suggestion, e.g. `did you mean 'eq'?`.
    pub hint: Option<String>,
}

impl GrammarError {
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> Self {
        GrammarError {
            message: message.into(),
            offset,
            found: None,
            hint: None,
        }
    }

    pub(crate) fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message, self.offset)?;
        if let Some(found) = &self.found {
            write!(f, ", found {found}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GrammarError {}

/// Quote a piece of input for an error message, shortened so a huge token stays readable.
pub(crate) fn quoted(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("'{}...'", &text[..cut]),
        None => format!("'{text}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_what_was_expected_where_and_what_came() {
        let error = GrammarError::new("expected a value after 'eq'", 11).found("end of input");
        assert_eq!(
            error.to_string(),
            "expected a value after 'eq' at offset 11, found end of input"
        );
    }

    #[test]
    fn display_appends_the_hint() {
        let error = GrammarError::new("unknown operator", 9)
            .found("'equals'")
            .hint("did you mean 'eq'?");
        assert_eq!(
            error.to_string(),
            "unknown operator at offset 9, found 'equals' (did you mean 'eq'?)"
        );
    }

    #[test]
    fn quoted_shortens_long_input() {
        let long = "x".repeat(100);
        assert_eq!(quoted(&long), format!("'{}...'", "x".repeat(40)));
        assert_eq!(quoted("é"), "'é'");
    }
}
