//! Scenario model, YAML loading with source locations, templates, built-in suites, lint.

pub mod model;
