//! The reports of a run: console, JUnit, JSON, HTML, Markdown, transcripts and verdicts,
//! and that no secret reaches them.
//!
//! One test binary for the area (`cargo test --test report`); each module was once its
//! own binary.

#[path = "../support/mod.rs"]
mod support;

mod console;
mod coverage;
mod files;
mod html;
mod junit;
mod markdown;
mod redaction_props;
mod verdicts;
