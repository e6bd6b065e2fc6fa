//! Subcommand implementations: each turns parsed flags into calls of the library and
//! returns an exit code. Output goes to the given writers so tests can read it.

mod discover;
mod judge;
mod lint;
mod list;
mod load;
mod run;
mod serve;
mod settings;

use std::ffi::OsString;

use crate::cli::{self, Command, EnvSource};
use crate::exit;

/// Parses `args` (program name first), runs the subcommand and returns the exit code.
pub fn main<I, T>(args: I, env: &dyn EnvSource) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::parse_from(args, env) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
            let _ = err.print();
            return code;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return exit::CANNOT_START;
        }
    };
    runtime.block_on(dispatch(cli.command, env))
}

async fn dispatch(command: Command, env: &dyn EnvSource) -> i32 {
    match command {
        Command::Run(args) => run::run(*args, env).await,
        Command::List(args) => list::list(args, env),
        Command::Lint(args) => lint::lint(args),
        Command::Serve(args) => serve::serve(args, env).await,
        Command::Discover(args) => discover::discover(args, env).await,
        Command::Judge(args) => judge::judge(*args).await,
    }
}

/// Prints `error: message` to stderr and returns `code`.
fn fail(code: i32, message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    code
}
