//! Scenario files and profiles: loading, diagnostics, lint, the scenario JSON Schema,
//! built-in schemas and the requirement catalog.
//!
//! One test binary for the area (`cargo test --test suite`); each module was once its
//! own binary.

#[path = "../support/mod.rs"]
mod support;

mod coverage_floor;
mod diagnostics;
mod errors;
mod lint_findings;
mod lint_scenario_schema;
mod load;
mod profiles;
mod requirement_catalog;
mod schemas;
