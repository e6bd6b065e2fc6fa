//! Process exit codes: one meaning each, stable for CI pipelines.

/// Every required check passed (deviations and skips allowed).
pub const SUCCESS: i32 = 0;
/// At least one conformance failure (or an error that prevented judging a check).
pub const CONFORMANCE_FAILURE: i32 = 1;
/// Bad invocation or a bad scenario file.
pub const USAGE: i32 = 2;
/// The run could not start (target unreachable, authentication refused), or its
/// reports could not be written.
pub const CANNOT_START: i32 = 3;
/// The selection matched no scenario.
pub const NOTHING_SELECTED: i32 = 4;
/// The command `scimcheck judge` runs could not be started, exited with a failure, was
/// killed by a signal or ran past `--command-timeout`: the integration did not finish, so
/// its judgement is incomplete (the reports are still written).
pub const COMMAND_FAILED: i32 = 5;
/// Interrupted by Ctrl-C, after cleanup.
pub const INTERRUPTED: i32 = 130;
