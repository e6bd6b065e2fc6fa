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
/// The run's `--deadline` passed: it stopped, cleaned up and wrote its reports. The
/// same code as `timeout(1)` uses for a command that ran out of time.
pub const DEADLINE: i32 = 124;
/// Ended by SIGHUP (a closed terminal), after cleanup and reports: 128 + 1.
pub const HANGUP: i32 = 129;
/// Interrupted by Ctrl-C (SIGINT), after cleanup and reports: 128 + 2.
pub const INTERRUPTED: i32 = 130;
/// Ended by SIGTERM (what CI runners send on cancel), after cleanup and reports: 128 + 15.
pub const TERMINATED: i32 = 143;
