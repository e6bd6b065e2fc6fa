//! `scimcheck migrate`: rewrite scenario files from format 1 to format 2.

use std::path::PathBuf;

use clap::Args;

use super::CommandResult;

#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// Scenario files or folders (folders: every scenario file under them). Each file is
    /// rewritten in place unless --stdout is given
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the migrated files to standard output instead of rewriting them
    #[arg(long)]
    pub stdout: bool,
}

pub fn migrate(args: MigrateArgs) -> CommandResult {
    Ok(crate::suite::migrate::run(&args.paths, args.stdout))
}
