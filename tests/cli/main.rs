//! The `scimcheck` binary as a user runs it: exit codes, input errors, output, secrets,
//! signals, serve, discover, judge, suites, and the documentation's examples.
//!
//! One test binary for the area (`cargo test --test cli`); each module was once its
//! own binary.

#[path = "../support/mod.rs"]
mod support;

mod baseline;
mod cleanup;
mod coverage;
mod discover;
mod discovery_gaps;
mod distribution;
mod docs_examples;
mod exit_codes;
mod https;
mod idp_replay;
mod input;
mod interrupt;
mod judge;
mod oauth;
mod output;
mod partition;
mod profiles_compose;
mod requests;
mod scenario_files;
mod secrets;
mod serve;
mod suites;
mod vendors;
