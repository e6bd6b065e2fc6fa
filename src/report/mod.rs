//! Report writers (console, JUnit, JSON, HTML, Markdown, transcripts), each a consumer of `result`.
//!
//! Nothing here looks at the executor: the console follows the `RunEvent` stream, the
//! file writers take the finished `RunSummary`. Exchanges arrive already redacted and are
//! written as they are.

mod baseline;
pub mod citation;
pub mod console;
pub mod diff;
pub mod exchange;
pub mod explain;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod output;
pub mod progress;
mod read;
mod text;
pub mod transcript;

use std::io;
use std::path::PathBuf;

pub use baseline::{read_baseline, read_report};
pub use citation::{Citation, cite};
pub use console::{ConsoleOptions, ConsoleReporter, final_line};
pub use exchange::render_exchange;
pub use html::{html_string, write_html};
pub use json::{FORMAT as JSON_FORMAT, json_string, write_json};
pub use junit::{junit_string, write_junit};
pub use markdown::{markdown_string, write_markdown};
pub use output::{check_output_dir, check_output_path};
pub use read::read_summary;
pub use text::{counts_line, coverage_line, verdict_words};
pub use transcript::write_transcripts;

/// Why a report could not be written, or would not be writable.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the report path is empty")]
    EmptyPath,
    #[error("report path {} is a directory; name a file inside it", path.display())]
    IsDirectory { path: PathBuf },
    #[error("{} exists and is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error(
        "cannot write {}: {} is not a directory",
        path.display(),
        blocker.display()
    )]
    ParentNotDirectory { path: PathBuf, blocker: PathBuf },
    #[error("cannot write {}: directory {} is not writable: {source}", path.display(), dir.display())]
    NotWritable {
        path: PathBuf,
        dir: PathBuf,
        source: io::Error,
    },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot serialize the {format} report: {message}")]
    Serialize {
        format: &'static str,
        message: String,
    },
}
