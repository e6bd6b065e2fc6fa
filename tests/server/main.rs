//! The reference server over HTTP: resources, queries, PATCH, bulk, errors, concurrency,
//! misbehaviour switches, and the SCIM grammar it shares with the checks.
//!
//! One test binary for the area (`cargo test --test server`); each module was once its
//! own binary.

#[path = "../support/mod.rs"]
mod support;

mod bulk;
mod concurrency;
mod errors;
mod misbehaviours;
mod patch;
mod query;
mod resources;
mod scim_grammar;
