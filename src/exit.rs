//! Process exit codes: one meaning each, stable for CI pipelines.
//!
//! A CI gate needs to tell three things apart: the server is proven non-conformant (1),
//! the server passed everything that could be judged (0), and the tool could not judge
//! everything that was required (5: a transport error, a blocked precondition). The last
//! is never a pass, since an unjudged requirement proves nothing, but it is not a
//! conformance failure either: re-running (after fixing the network or the test data) is
//! the remedy, not a bug report to the vendor.

/// Every required check passed (warnings, deviations and skips allowed).
pub const SUCCESS: i32 = 0;
/// A required check failed, or less than half of what the target's declarations allow
/// could run for reasons other than errors (no silent pass).
pub const CONFORMANCE_FAILURE: i32 = 1;
/// Bad invocation or a bad scenario file.
pub const USAGE: i32 = 2;
/// The run could not start (target unreachable, authentication refused, no usable
/// answer to any discovery or first request), or its reports could not be written.
pub const CANNOT_START: i32 = 3;
/// The selection matched no scenario.
pub const NOTHING_SELECTED: i32 = 4;
/// Nothing required failed, but a required scenario could not be judged: an error (the
/// tool got no usable answer: a timeout, a reset) or blocked by a failed precondition;
/// or errors alone left less than half of the run judged. For `judge`: the
/// judged command could not start, failed or timed out.
pub const INCOMPLETE: i32 = 5;
/// The run's `--deadline` passed: it stopped, cleaned up and wrote its reports. The
/// same code as `timeout(1)` uses for a command that ran out of time.
pub const DEADLINE: i32 = 124;
/// Ended by SIGHUP (a closed terminal), after cleanup and reports: 128 + 1.
pub const HANGUP: i32 = 129;
/// Interrupted by Ctrl-C (SIGINT), after cleanup and reports: 128 + 2.
pub const INTERRUPTED: i32 = 130;
/// Ended by SIGTERM (what CI runners send on cancel), after cleanup and reports: 128 + 15.
pub const TERMINATED: i32 = 143;
