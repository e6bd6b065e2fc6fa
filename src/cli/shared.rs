//! Flag groups that several subcommands share: where the target is, how to reach it,
//! and which scenarios to select.

use std::path::PathBuf;

use clap::Args;

/// The SCIM endpoint and how to authenticate. Secret values never appear in help output
/// or errors: prefer `--token-env` or `--token-file` over `--token`.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// Base URL of the SCIM service provider, e.g. https://acme.example/scim/v2
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Bearer token (visible to other local users in the process list: prefer --token-env)
    #[arg(long, value_name = "TOKEN", hide_default_value = true)]
    pub token: Option<String>,
    /// Name of an environment variable holding the bearer token
    #[arg(long, value_name = "VAR", conflicts_with_all = ["token", "token_file"])]
    pub token_env: Option<String>,
    /// File holding the bearer token (surrounding whitespace is ignored)
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    pub token_file: Option<PathBuf>,
    /// Extra request header 'Name: value' (repeatable; values are treated as secrets)
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Per-request timeout in seconds
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Most requests per second to send (e.g. 4 for a vendor that allows 4/s)
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Retries on 429, 503 and connection failures
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Accept invalid TLS certificates (self-signed test servers)
    #[arg(long)]
    pub insecure: bool,
    /// YAML file that describes the target: url, auth, profile, suites, vars
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub oauth: super::oauth::OAuthArgs,
}

/// Which scenarios to consider.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Scenario file or folder to run as well as the built-in suite, or a built-in suite
    /// by name (builtin:core) (repeatable)
    #[arg(long = "suite", value_name = "PATH|builtin:NAME")]
    pub suites: Vec<PathBuf>,
    /// Leave out the built-in suite: run only what --suite names
    #[arg(long)]
    pub no_builtin: bool,
    /// Only scenarios with this tag (repeatable: any of them)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Leave out scenarios with this tag (repeatable)
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
    /// Only scenarios whose id contains this text (repeatable: any of them)
    #[arg(long = "filter", value_name = "TEXT")]
    pub filters: Vec<String>,
    /// Scenario variable name=value (repeatable; the value is a string)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// IdP or vendor profile, built-in or a profile file: it sets severities, exclusions
    /// and known deviations (repeatable, or a comma-separated list such as
    /// entra-id,talentech: where two disagree on a scenario, the one named last wins;
    /// the lowest rate limit of them all applies)
    #[arg(long = "profile", value_name = "NAME|FILE")]
    pub profiles: Vec<String>,
}
