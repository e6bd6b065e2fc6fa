//! scimcheck: a SCIM 2.0 conformance test suite and compliance checker.
//!
//! The library holds everything; `main.rs` only parses the command line, calls in here
//! and maps errors to exit codes. See DESIGN.md for the data flow between the modules.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod client;
pub mod command;
pub mod config;
pub mod diag;
pub mod discovery;
pub mod exit;
pub mod judge;
pub mod plan;
pub mod printable;
pub mod profile;
pub mod report;
pub mod result;
pub mod run;
pub mod scim;
pub mod server;
pub mod suite;
