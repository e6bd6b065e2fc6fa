//! The one error type of the command line: what went wrong and the exit code it means.

use std::fmt;

use crate::exit;

/// A command that could not do its job. Printed once, as `error: <message>`, by `main`;
/// an error whose details were already printed (scenario file diagnostics, report
/// files that could not be written) carries no message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: i32,
    pub message: Option<String>,
}

impl CliError {
    pub fn new(code: i32, message: impl fmt::Display) -> CliError {
        CliError {
            code,
            message: Some(message.to_string()),
        }
    }

    /// A bad invocation or scenario file (exit 2).
    pub fn usage(message: impl fmt::Display) -> CliError {
        CliError::new(exit::USAGE, message)
    }

    /// The run could not start (exit 3).
    pub fn cannot_start(message: impl fmt::Display) -> CliError {
        CliError::new(exit::CANNOT_START, message)
    }

    /// The details are already on standard error.
    pub fn reported(code: i32) -> CliError {
        CliError {
            code,
            message: None,
        }
    }

    /// Prints the message (the server may have chosen part of it, so its control
    /// characters are escaped) and returns the exit code.
    pub fn report(self) -> i32 {
        if let Some(message) = &self.message {
            eprintln!("error: {}", crate::printable::escape_controls(message));
        }
        self.code
    }
}

/// What a command returns: its exit code when it ran to the end (a verdict may still be
/// a failure), or the error that stopped it.
pub type CommandResult = Result<i32, CliError>;
