//! The command line: one file per subcommand, holding its flags and what it does, over
//! the library (`RunBuilder` for runs). Private: the binary calls `main`.
//!
//! `settings` resolves the flags several subcommands share (command line, then
//! `SCIMCHECK_*` variables layered in by `env`, then the config file); `context` is the
//! world a command runs in (environment, terminal, CI, NO_COLOR); `error` the one error
//! type, which knows its exit code.

mod context;
mod diff;
mod discover;
mod env;
mod error;
mod judge;
mod lint;
mod list;
mod load;
mod merge;
mod migrate;
mod oauth;
mod report;
mod reports;
mod run;
mod serve;
mod settings;
mod stop;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use context::Context;
use error::{CliError, CommandResult};

use crate::exit;

/// Parses `args` (program name first), runs the subcommand and returns the exit code.
pub fn main<I, T>(args: I, ctx: &Context) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match parse_from(args, ctx) {
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
    let runtime = match runtime_for(&cli.command) {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return exit::CANNOT_START;
        }
    };
    match runtime.block_on(dispatch(cli.command, ctx)) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

/// The servers (`serve`, `judge`) answer many connections at once, on every core. The
/// other commands are clients: their own work per request is small next to the wait for
/// the answer, and on one thread no request pays for waking another thread (jobs-1 runs
/// against the CI peer used about 8% less CPU; their wall time moved within the noise).
fn runtime_for(command: &Command) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match command {
        Command::Serve(_) | Command::Judge(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder.enable_all().build()
}

async fn dispatch(command: Command, ctx: &Context) -> CommandResult {
    match command {
        Command::Run(args) => run::run(*args, ctx).await,
        Command::List(args) => list::list(args, ctx),
        Command::Lint(args) => lint::lint(args),
        Command::Migrate(args) => migrate::migrate(args),
        Command::Serve(args) => serve::serve(args, ctx).await,
        Command::Discover(args) => discover::discover(args, ctx).await,
        Command::Judge(args) => judge::judge(*args).await,
        Command::Diff(args) => diff::diff(args),
        Command::Merge(args) => merge::merge(args),
        Command::Report(args) => report::report(args, ctx),
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

/// SCIM 2.0 conformance test suite and compliance checker.
#[derive(Debug, Parser)]
#[command(name = "scimcheck", version, about, long_about = None, max_term_width = 100)]
#[command(
    after_help = "Every flag can also be set with an environment variable named \
SCIMCHECK_<FLAG> (for example SCIMCHECK_URL, SCIMCHECK_JOBS); a flag on the command line \
wins. Repeatable flags take a comma-separated list from the environment.\n\n\
Exit status: 0 all required checks passed, 1 conformance failure (or less than half of \
what the target allows could run, errors aside), 2 bad invocation or scenario file, 3 the \
run could not start (or its reports could not be written), 4 no scenario selected, 5 \
incomplete (nothing required failed, but a required scenario errored, e.g. timed out, or \
was blocked, or errors left most of the run unjudged; for judge: the judged \
command could not start, failed or timed out), 124 the --deadline passed, 129/130/143 \
ended by SIGHUP/SIGINT/SIGTERM (each after cleanup and reports)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run conformance scenarios against a SCIM endpoint (the embedded server by default)
    Run(Box<run::RunArgs>),
    /// List the scenarios a run would consider, with requirement ids
    List(list::ListArgs),
    /// Check scenario files for errors without running them
    Lint(lint::LintArgs),
    /// Rewrite scenario files from format 1 to format 2, in place (or to standard output
    /// with --stdout); files already in format 2 are left as they are
    Migrate(migrate::MigrateArgs),
    /// Run the embedded reference SCIM server on its own
    Serve(serve::ServeArgs),
    /// Show what a SCIM endpoint says it supports
    Discover(discover::DiscoverArgs),
    /// Run a SCIM client against a judging server and report what it sent that the RFCs
    /// or the vendor's document do not allow
    Judge(Box<judge::JudgeArgs>),
    /// Compare two JSON reports: new failures, fixes and changed skips (exit 0 when
    /// nothing new failed, 1 when something did, 2 when a file is not a JSON report)
    Diff(diff::DiffArgs),
    /// Merge the JSON reports of a run's slices (run --partition k/n) into one JSON
    /// report (exit 0 when written, 2 when the reports are not every slice of one run)
    Merge(merge::MergeArgs),
    /// Write the console summary and the JUnit, HTML, Markdown or transcript reports
    /// from a JSON report (exit code: the report's verdict)
    Report(report::ReportCommandArgs),
}

/// The clap command with the environment variable of every flag named in its help.
fn command() -> clap::Command {
    let described = Cli::command()
        .mut_subcommand("run", |run| run.mut_arg("profiles", profile_help))
        .mut_subcommand("list", |list| list.mut_arg("profiles", profile_help))
        .mut_subcommand("serve", |serve| serve.mut_arg("profile", profile_help))
        .mut_subcommand("judge", |judge| judge.mut_arg("profile", profile_help));
    env::document_env_vars(described)
        .mut_subcommand("serve", |serve| serve.after_help(misbehaviour_help()))
        .mut_subcommand("judge", |judge| {
            judge.mut_arg("transcript", |arg| arg.help(judge::JUDGE_TRANSCRIPT_HELP))
        })
}

/// The built-in profiles are named from the binary's own list, so the help cannot drift.
fn profile_help(arg: clap::Arg) -> clap::Arg {
    let mut help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    help.push_str(&format!(
        " (built-in: {})",
        crate::profile::builtin_names().join(", ")
    ));
    arg.help(help)
}

fn misbehaviour_help() -> String {
    let all = crate::server::Misbehaviour::all();
    let mut text = String::from(
        "Misbehaviours (--misbehave a,b,...), each a deviation seen in real servers:\n",
    );
    for m in all {
        text.push_str(&format!("  {}\n      {}\n", m.name(), m.description()));
    }
    text
}

/// Parses arguments, taking any flag not given on the command line from the environment.
fn parse_from<I, T>(args: I, ctx: &Context) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cmd = command();
    let first = cmd.clone().try_get_matches_from(&args)?;
    let from_env = env::args_from_env(&cmd, &first, ctx)?;
    let matches = if from_env.is_empty() {
        first
    } else {
        let names: Vec<String> = from_env.iter().map(|a| a.var.clone()).collect();
        // Flags from the environment go before a trailing `-- command`, never into it.
        let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
        let mut all = args[..end].to_vec();
        all.extend(from_env.into_iter().flat_map(|a| a.args));
        all.extend_from_slice(&args[end..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Context {
        Context::of(pairs, false)
    }

    fn run_args(argv: &[&str], vars: &[(&str, &str)]) -> run::RunArgs {
        let mut full = vec!["scimcheck", "run"];
        full.extend_from_slice(argv);
        match parse_from(full, &env(vars)).unwrap().command {
            Command::Run(args) => *args,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn a_flag_missing_on_the_command_line_is_read_from_its_environment_variable() {
        let args = run_args(
            &[],
            &[
                ("SCIMCHECK_URL", "https://acme.example/scim/v2"),
                ("SCIMCHECK_JOBS", "8"),
            ],
        );
        assert_eq!(
            args.target.url.as_deref(),
            Some("https://acme.example/scim/v2")
        );
        assert_eq!(args.jobs, Some(8));
    }

    #[test]
    fn the_command_line_wins_over_the_environment() {
        let args = run_args(
            &["--url", "http://cli.example"],
            &[("SCIMCHECK_URL", "http://env.example")],
        );
        assert_eq!(args.target.url.as_deref(), Some("http://cli.example"));
    }

    #[test]
    fn boolean_flags_read_truthy_and_falsy_values() {
        assert!(run_args(&[], &[("SCIMCHECK_STRICT", "true")]).strict);
        assert!(run_args(&[], &[("SCIMCHECK_KEEP", "1")]).keep);
        assert!(!run_args(&[], &[("SCIMCHECK_STRICT", "0")]).strict);
        let err =
            parse_from(["scimcheck", "run"], &env(&[("SCIMCHECK_STRICT", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("SCIMCHECK_STRICT"), "{err}");
    }

    #[test]
    fn repeatable_flags_split_lists_from_the_environment() {
        let args = run_args(
            &[],
            &[
                ("SCIMCHECK_TAG", "users, groups"),
                ("SCIMCHECK_HEADER", "X-A: 1,2\nX-B: 3"),
            ],
        );
        assert_eq!(args.selection.tags, vec!["users", "groups"]);
        assert_eq!(args.target.headers, vec!["X-A: 1,2", "X-B: 3"]);
    }

    #[test]
    fn a_bad_value_from_the_environment_names_the_variable() {
        let err =
            parse_from(["scimcheck", "run"], &env(&[("SCIMCHECK_JOBS", "many")])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("SCIMCHECK_JOBS") && text.contains("many"),
            "{text}"
        );
    }

    #[test]
    fn help_names_the_environment_variable_of_every_flag() {
        let mut cmd = command();
        let help = cmd
            .find_subcommand_mut("run")
            .unwrap()
            .render_long_help()
            .to_string();
        for var in [
            "SCIMCHECK_URL",
            "SCIMCHECK_TOKEN_ENV",
            "SCIMCHECK_REPORT_JUNIT",
            "SCIMCHECK_JOBS",
        ] {
            assert!(help.contains(var), "{var} missing from help:\n{help}");
        }
    }

    #[test]
    fn flags_from_the_environment_stay_out_of_the_judged_command() {
        let cli = parse_from(
            [
                "scimcheck",
                "judge",
                "--",
                "python3",
                "sync.py",
                "--dry-run",
            ],
            &env(&[("SCIMCHECK_PROFILE", "talentech")]),
        )
        .unwrap();
        let Command::Judge(args) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(args.profile.as_deref(), Some("talentech"));
        assert_eq!(args.command, vec!["python3", "sync.py", "--dry-run"]);
    }

    #[test]
    fn profiles_are_repeatable_and_a_list_comes_from_the_environment() {
        let args = run_args(&["--profile", "entra-id", "--profile", "talentech"], &[]);
        assert_eq!(args.selection.profiles, vec!["entra-id", "talentech"]);
        let args = run_args(&[], &[("SCIMCHECK_PROFILE", "entra-id, talentech")]);
        assert_eq!(args.selection.profiles, vec!["entra-id", "talentech"]);
        // The command line wins over the environment as a whole.
        let args = run_args(
            &["--profile", "okta"],
            &[("SCIMCHECK_PROFILE", "entra-id,talentech")],
        );
        assert_eq!(args.selection.profiles, vec!["okta"]);
    }

    #[test]
    fn the_token_is_read_from_scimcheck_token() {
        let args = run_args(&[], &[("SCIMCHECK_TOKEN", "s3cret")]);
        assert_eq!(args.target.token.as_deref(), Some("s3cret"));
    }
}
