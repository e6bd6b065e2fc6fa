//! `scimcheck diff`: flags of a comparison of two JSON reports.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// JSON report of the earlier run (--report-json)
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// JSON report of the later run
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
}
