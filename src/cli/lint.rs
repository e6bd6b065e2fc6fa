//! `scimcheck lint`: check scenario files and point at each error.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Scenario files or folders
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Variables that runs will pass with --var (so references to them are not errors)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}
