//! Command-line definitions (clap), one file per subcommand, and the layering of
//! `SCIMCHECK_*` environment variables under the flags.

mod env;
pub mod discover;
pub mod lint;
pub mod list;
pub mod run;
pub mod serve;
pub mod shared;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use env::{EnvSource, ProcessEnv, env_var_name};

/// SCIM 2.0 conformance test suite and compliance checker.
#[derive(Debug, Parser)]
#[command(name = "scimcheck", version, about, long_about = None, max_term_width = 100)]
#[command(after_help = "Every flag can also be set with an environment variable named \
SCIMCHECK_<FLAG> (for example SCIMCHECK_URL, SCIMCHECK_JOBS); a flag on the command line \
wins. Repeatable flags take a comma-separated list from the environment.\n\n\
Exit status: 0 all required checks passed, 1 conformance failure, 2 bad invocation or \
scenario file, 3 the run could not start, 4 no scenario selected, 130 interrupted.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run conformance scenarios against a SCIM endpoint (the embedded server by default)
    Run(run::RunArgs),
    /// List the scenarios a run would consider, with requirement ids
    List(list::ListArgs),
    /// Check scenario files for errors without running them
    Lint(lint::LintArgs),
    /// Run the embedded reference SCIM server on its own
    Serve(serve::ServeArgs),
    /// Show what a SCIM endpoint says it supports
    Discover(discover::DiscoverArgs),
}

/// The clap command with the environment variable of every flag named in its help.
pub fn command() -> clap::Command {
    env::document_env_vars(Cli::command())
}

/// Parses arguments, taking any flag not given on the command line from `env`.
pub fn parse_from<I, T>(args: I, env: &dyn EnvSource) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cmd = command();
    let first = cmd.clone().try_get_matches_from(&args)?;
    let from_env = env::args_from_env(&cmd, &first, env)?;
    let matches = if from_env.is_empty() {
        first
    } else {
        let names: Vec<String> = from_env.iter().map(|a| a.var.clone()).collect();
        let mut all = args.clone();
        all.extend(from_env.into_iter().flat_map(|a| a.args));
        cmd.try_get_matches_from(all).map_err(|e| {
            let mut cmd = command();
            cmd.error(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "{}(flags taken from the environment: {})",
                    e.render(),
                    names.join(", ")
                ),
            )
        })?
    };
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command()))
}
