//! scimcheck: a SCIM 2.0 conformance test suite and compliance checker.
//!
//! The entry point is [`RunBuilder`]: give it a plan (scenarios selected from a suite)
//! and a target, and it makes the client, reads what the target declares, skips what
//! the target lacks, compiles the schemas and runs the rest, streaming [`result`]
//! events. The `scimcheck` binary is a thin command line over the same builder.
//!
//! ```no_run
//! use scimcheck::client::Target;
//! use scimcheck::{RunBuilder, plan, suite};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let suite = suite::load_builtin(&suite::LoadOptions::default())?;
//! let plan = plan::select(&suite, &plan::Selection::default());
//! let summary = RunBuilder::new(plan)
//!     .target(Target::new("https://acme.example/scim/v2"))
//!     .jobs(4)
//!     .build()?
//!     .execute()
//!     .await?;
//! for result in &summary.results {
//!     println!("{:<10} {}", result.outcome.label(), result.id);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! docs/architecture.md describes the data flow between the modules.

// The server under test is untrusted: non-test code reports what went wrong, it never
// panics on it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The public surface: the front door, the scenario model and the result model.
pub mod client;
pub mod diag;
pub mod exit;
pub mod plan;
pub mod profile;
pub mod report;
pub mod result;
pub mod run;
pub mod suite;
pub mod vocabulary;

// Public only so that the tests and benches reach them.
#[doc(hidden)]
pub mod catalog;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod discovery;
#[doc(hidden)]
pub mod judge;
#[doc(hidden)]
pub mod printable;
#[doc(hidden)]
pub mod scim;
#[doc(hidden)]
pub mod server;

mod cli;

pub use run::{Discovery, Run, RunBuilder, RunError, Stop};

/// The `scimcheck` command line, for the binary: parses `args` (program name first)
/// with the process's environment, runs the subcommand and returns its exit code.
#[doc(hidden)]
pub fn cli_main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli::main(args, &cli::Context::process())
}
