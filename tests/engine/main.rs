//! The executor through the library front door (`RunBuilder`): runs, faults, hostile
//! servers, memory bounds, and the client judge's faults.
//!
//! One test binary for the area (`cargo test --test engine`); each module was once its
//! own binary.

#[path = "../support/mod.rs"]
mod support;

mod connections;
mod faults;
mod hostile;
mod hostile_memory;
mod judge_faults;
mod rereads;
mod run;
