//! Every flag reads `SCIMCHECK_<FLAG>` when it is not on the command line. The
//! environment comes from the run context, so resolution is tested without touching the
//! process.

use std::ffi::OsString;

use clap::ArgAction;
use clap::parser::ValueSource;

use super::Context;

/// `--token-env` -> `SCIMCHECK_TOKEN_ENV`.
fn env_var_name(long: &str) -> String {
    format!("SCIMCHECK_{}", long.replace('-', "_").to_ascii_uppercase())
}

/// Flags that are repeatable but whose values may contain commas: one value per line.
const LINE_SEPARATED: &[&str] = &["header", "var", "oauth-param"];

pub(super) struct EnvArgs {
    pub var: String,
    pub args: Vec<OsString>,
}

pub(super) fn document_env_vars(cmd: clap::Command) -> clap::Command {
    cmd.mut_subcommands(|sub| {
        sub.mut_args(|arg| match arg.get_long() {
            Some(long) if !matches!(long, "help" | "version") => {
                let var = env_var_name(long);
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                arg.help(format!("{help} [env: {var}]"))
            }
            _ => arg,
        })
    })
}

pub(super) fn args_from_env(
    cmd: &clap::Command,
    matches: &clap::ArgMatches,
    ctx: &Context,
) -> Result<Vec<EnvArgs>, clap::Error> {
    let Some((name, sub_matches)) = matches.subcommand() else {
        return Ok(Vec::new());
    };
    let Some(sub) = cmd.find_subcommand(name) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for arg in sub.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if matches!(long, "help" | "version") {
            continue;
        }
        let on_command_line =
            sub_matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine);
        if on_command_line {
            continue;
        }
        let var = env_var_name(long);
        let Some(value) = ctx.var(&var) else { continue };
        let args = match arg.get_action() {
            ArgAction::SetTrue => match truthy(&value) {
                Some(true) => vec![OsString::from(format!("--{long}"))],
                Some(false) => Vec::new(),
                None => {
                    return Err(clap::Error::raw(
                        clap::error::ErrorKind::InvalidValue,
                        format!("{var} must be true or false (1/0, yes/no)\n"),
                    ));
                }
            },
            ArgAction::Append => {
                let values: Vec<&str> = if LINE_SEPARATED.contains(&long) {
                    value.lines().collect()
                } else {
                    value.split(',').collect()
                };
                values
                    .into_iter()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| OsString::from(format!("--{long}={v}")))
                    .collect()
            }
            // An empty URL is refused later rather than read as "no URL": an unset
            // variable in CI must not quietly test the embedded server instead.
            _ if value.is_empty() && long != "url" => Vec::new(),
            _ => vec![OsString::from(format!("--{long}={value}"))],
        };
        if !args.is_empty() {
            out.push(EnvArgs { var, args });
        }
    }
    Ok(out)
}

fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "" | "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}
