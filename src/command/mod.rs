//! Subcommand implementations: each turns parsed flags into calls of the library and
//! returns an exit code. Output goes to the given writers so tests can read it.

mod diff;
mod discover;
mod judge;
mod lint;
mod list;
mod load;
mod run;
mod serve;
mod settings;
mod stop;

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
    tune_allocator();
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
        Command::Diff(args) => diff::diff(args),
    }
}

/// Response bodies of up to the body cap are allocated and freed all run long. After the
/// first such buffer is freed, glibc raises its mmap threshold and serves the next ones
/// from its heaps, which fragment and keep the memory of the largest bodies seen (a run
/// against a server sending 8 MiB answers peaked 50% higher). A fixed threshold keeps
/// large buffers mapped, so freeing one gives its memory back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    const LARGE_ALLOCATION: libc::c_int = 256 * 1024;
    // SAFETY: mallopt only sets an allocator parameter; it is called before the runtime
    // starts any thread, and a refusal (return 0) leaves the default behaviour.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_ALLOCATION);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Prints `error: message` to stderr and returns `code`.
/// The message may quote the server, so it is printed with its control characters escaped.
fn fail(code: i32, message: impl std::fmt::Display) -> i32 {
    let message = message.to_string();
    eprintln!("error: {}", crate::printable::escape_controls(&message));
    code
}
