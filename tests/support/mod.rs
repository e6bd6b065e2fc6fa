//! What the integration tests share, one module per kind of help: driving the binary
//! (`cli`), the engine through the front door (`engine`), hostile and judged servers,
//! leak detection, report fixtures, the reference server over HTTP, TLS and XSD checks.

// Each binary uses part of this.
#![allow(dead_code)]

pub mod cli;
pub mod engine;
pub mod hostile;
pub mod judge;
pub mod leak;
pub mod oauth;
pub mod report;
pub mod server;
pub mod tls;
pub mod xsd;
