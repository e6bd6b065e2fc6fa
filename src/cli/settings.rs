//! Flag groups several subcommands share (where the target is and how to reach it,
//! which scenarios to select) and their resolution: command line, then `SCIMCHECK_*`
//! environment (already layered by `env`), then the config file, then defaults.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use super::Context;
use crate::client::{Auth, DEFAULT_MAX_BODY_BYTES, Target, shown_url};
use crate::config::{AuthConfig, ConfigFile, HeaderValue, SecretRef};

mod oauth;

use crate::plan::Selection;
use crate::suite::{self, SuiteSource};

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
    /// Most requests per second to send (e.g. 4 for a vendor that allows 4/s); without
    /// it, repeated 429 answers make the run pace itself and suggest a rate at the end
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

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_RETRIES: u32 = 2;
/// Longest per-request timeout: an hour is already far beyond any SCIM answer.
pub const MAX_TIMEOUT_SECS: f64 = 3600.0;
/// Most requests per second; beyond this a limit limits nothing.
pub const MAX_RATE_LIMIT: u32 = 10_000;
/// Most retries of one request.
pub const MAX_RETRIES: u32 = 10;
/// Largest token file read: tokens are a few hundred bytes, JWTs a few KB; anything
/// longer is the wrong file (and `/dev/zero` must not be read until memory runs out).
pub const MAX_TOKEN_FILE_BYTES: u64 = 16 * 1024;

/// Reads the config file named by `--config`, if any.
pub fn load_config(args: &TargetArgs) -> Result<Option<ConfigFile>, String> {
    match &args.config {
        Some(path) => ConfigFile::load(path).map(Some).map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

/// The target as flags, environment and config file describe it. `url` is None when
/// neither names one (the embedded server is then the target).
pub fn resolve_target(
    args: &TargetArgs,
    config: Option<&ConfigFile>,
    ctx: &Context,
) -> Result<Target, String> {
    let empty = ConfigFile::default();
    let config = config.unwrap_or(&empty);
    let url = match args.url.clone().or_else(|| config.url.clone()) {
        Some(url) => checked_url(&url)?,
        None => String::new(),
    };
    let auth = resolve_auth(args, config, ctx)?;
    let mut headers = Vec::new();
    for (name, value) in &config.headers {
        let value = match value {
            HeaderValue::Literal(text) => text.clone(),
            HeaderValue::Secret(secret) => read_secret(name, secret, ctx)?,
        };
        headers.push((name.clone(), SecretString::from(value)));
    }
    for raw in &args.headers {
        let (name, value) = raw.split_once(':').ok_or_else(|| {
            "--header takes 'Name: value' (a colon between name and value)".to_owned()
        })?;
        let name = name.trim();
        // Not repeated: when the colon is misplaced, the "name" holds part of the value.
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(
                "--header takes 'Name: value', and the text before the first colon \
                        is not a valid header name (not shown: header values are secret)"
                    .to_owned(),
            );
        }
        headers.push((name.to_owned(), SecretString::from(value.trim().to_owned())));
    }
    let timeout = match args.timeout.or(config.timeout) {
        Some(secs) => seconds("--timeout", secs, MAX_TIMEOUT_SECS)?,
        None => DEFAULT_TIMEOUT,
    };
    let rate_limit = match args.rate_limit.or(config.rate_limit) {
        Some(n) if (1..=MAX_RATE_LIMIT).contains(&n) => NonZeroU32::new(n),
        Some(n) => {
            return Err(format!(
                "--rate-limit must be between 1 and {MAX_RATE_LIMIT} requests per second, not {n}"
            ));
        }
        None => None,
    };
    let max_retries = args.retries.or(config.retries).unwrap_or(DEFAULT_RETRIES);
    if max_retries > MAX_RETRIES {
        return Err(format!(
            "--retries must be between 0 and {MAX_RETRIES}, not {max_retries}"
        ));
    }
    Ok(Target {
        base_url: url,
        auth,
        headers,
        timeout,
        rate_limit,
        adapt_to_rate_limits: true,
        max_retries,
        accept_invalid_certs: args.insecure || config.insecure.unwrap_or(false),
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    })
}

/// Default limit of a whole run.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30 * 60);
/// Longest a run may be allowed: a week.
pub const MAX_DEADLINE_SECS: f64 = 7.0 * 24.0 * 3600.0;

/// `--deadline`: `90s`, `30m`, `2h`, `1.5h` or plain seconds, from the flag (or
/// `SCIMCHECK_DEADLINE`) or the config file.
pub fn resolve_deadline(
    flag: Option<&str>,
    config: Option<&ConfigFile>,
) -> Result<Duration, String> {
    let text = match (flag, config.and_then(|c| c.deadline.as_ref())) {
        (Some(text), _) => text.to_owned(),
        (None, Some(configured)) => configured.text(),
        (None, None) => return Ok(DEFAULT_DEADLINE),
    };
    let text = text.trim();
    let bad =
        || format!("--deadline takes a duration such as 90s, 30m or 2h (or seconds), not `{text}`");
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().map_err(|_| bad())?;
    let factor = match unit.trim() {
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    seconds("--deadline", number * factor, MAX_DEADLINE_SECS)
}

/// A number of seconds within `(0, max]` as a duration; `flag` names it in the error.
pub fn seconds(flag: &str, secs: f64, max: f64) -> Result<Duration, String> {
    if secs.is_finite() && secs > 0.0 && secs <= max {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{flag} must be a number of seconds above 0 and at most {max}, not {secs}"
        ))
    }
}

/// The target URL as given, refused when it is empty or carries secrets. The URL is never
/// repeated with its credentials or query: `shown_url` strips them.
fn checked_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err(
            "the target URL is empty (--url '' or an empty SCIMCHECK_URL, perhaps an \
                    unset variable in CI); name the SCIM endpoint, or leave both out to test \
                    the embedded server"
                .to_owned(),
        );
    }
    if let Ok(parsed) = reqwest::Url::parse(url) {
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!(
                "the URL {} carries credentials (user:password@), which are never sent in a \
                 URL: give a token with --token-env (or --token-file), or basic auth in \
                 --config",
                shown_url(url)
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(format!(
                "the URL {} has a query or fragment (not shown: it may hold a secret); a base \
                 URL is scheme://host[:port]/path",
                shown_url(url)
            ));
        }
    }
    Ok(url.to_owned())
}

fn resolve_auth(args: &TargetArgs, config: &ConfigFile, ctx: &Context) -> Result<Auth, String> {
    let auth = resolve_auth_source(args, config, ctx)?;
    if let Auth::Bearer(token) = &auth {
        check_token(token.expose_secret())?;
    }
    Ok(auth)
}

/// A bearer token must fit in a header; the message never shows it.
fn check_token(token: &str) -> Result<(), String> {
    if token.is_empty() {
        return Err("the bearer token is empty".to_owned());
    }
    if let Some(c) = token.chars().find(|c| !(' '..='~').contains(c)) {
        let what = if c.is_control() {
            "a control character (a line break inside the token, or a binary file?)"
        } else {
            "a character outside printable ASCII"
        };
        return Err(format!(
            "the bearer token holds {what}, which an HTTP header cannot carry (the token is not shown)"
        ));
    }
    Ok(())
}

fn resolve_auth_source(
    args: &TargetArgs,
    config: &ConfigFile,
    ctx: &Context,
) -> Result<Auth, String> {
    let token_flag = args.token.is_some() || args.token_env.is_some() || args.token_file.is_some();
    if token_flag && args.oauth.any() {
        return Err(
            "a bearer token (--token, --token-env, --token-file) and the --oauth-* flags both \
             say how to authenticate: give one of them"
                .to_owned(),
        );
    }
    if let Some(token) = &args.token {
        return Ok(Auth::Bearer(SecretString::from(token.clone())));
    }
    if let Some(var) = &args.token_env {
        let token = ctx
            .var(var)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| format!("--token-env names {var}, but {var} is not set or empty"))?;
        return Ok(Auth::Bearer(SecretString::from(token.trim().to_owned())));
    }
    if let Some(path) = &args.token_file {
        let token = read_file_secret("--token-file", path)?;
        return Ok(Auth::Bearer(SecretString::from(token)));
    }
    // OAuth2 flags replace the file's auth, or complete its `oauth2`.
    let file_oauth = match &config.auth {
        Some(AuthConfig::Oauth2(oauth)) => Some(oauth),
        _ => None,
    };
    if args.oauth.any() || file_oauth.is_some() {
        return oauth::resolve(&args.oauth, file_oauth, ctx).map(Auth::OAuth2);
    }
    match &config.auth {
        Some(AuthConfig::Bearer { token }) => Ok(Auth::Bearer(SecretString::from(read_secret(
            "auth.bearer.token",
            token,
            ctx,
        )?))),
        Some(AuthConfig::Basic { username, password }) => Ok(Auth::Basic {
            username: username.clone(),
            password: SecretString::from(read_secret("auth.basic.password", password, ctx)?),
        }),
        Some(AuthConfig::Oauth2(_)) | None => Ok(Auth::None),
    }
}

fn read_secret(field: &str, secret: &SecretRef, ctx: &Context) -> Result<String, String> {
    if let Some(var) = &secret.env {
        return ctx
            .var(var)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| {
                format!("{field} names environment variable {var}, which is not set or empty")
            });
    }
    match &secret.file {
        Some(path) => read_file_secret(field, path),
        None => Err(format!("{field} has no source")),
    }
}

fn read_file_secret(field: &str, path: &PathBuf) -> Result<String, String> {
    use std::io::Read as _;
    let cannot_read = |e: std::io::Error| format!("{field}: cannot read {}: {e}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_TOKEN_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(format!(
            "{field}: {} is longer than {} KiB, too long for a secret; is it the right file?",
            path.display(),
            MAX_TOKEN_FILE_BYTES / 1024
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{field}: {} is not UTF-8 text (not shown); is it the right file?",
            path.display()
        )
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field}: {} is empty", path.display()));
    }
    Ok(text.to_owned())
}

/// The profiles to apply, in order, and where they were named (so an error points there).
pub struct ProfileSpecs {
    /// Each may be a comma-separated list.
    pub specs: Vec<String>,
    /// `--profile`, `SCIMCHECK_PROFILE` or `FILE:LINE: profile`.
    pub origin: String,
}

/// `--profile` values (or `SCIMCHECK_PROFILE`), else the config file's `profile:`.
pub fn resolve_profiles(
    args: &SelectionArgs,
    config: Option<&ConfigFile>,
    ctx: &Context,
) -> ProfileSpecs {
    if args.profiles.is_empty() {
        let Some(config) = config.filter(|c| !c.profile.names.is_empty()) else {
            return ProfileSpecs {
                specs: Vec::new(),
                origin: String::new(),
            };
        };
        return ProfileSpecs {
            specs: config.profile.names.clone(),
            origin: format!("{}: profile", config.profile.at),
        };
    }
    // `cli` passes the variable on, split at commas, only when the command line has none.
    let from_env = ctx.var("SCIMCHECK_PROFILE").is_some_and(|value| {
        let listed = value.split(',').map(str::trim).filter(|v| !v.is_empty());
        listed.eq(args.profiles.iter().map(String::as_str))
    });
    ProfileSpecs {
        specs: args.profiles.clone(),
        origin: if from_env {
            "SCIMCHECK_PROFILE"
        } else {
            "--profile"
        }
        .to_owned(),
    }
}

/// The scenario selection, with the config file's tags when no flag names any.
pub fn resolve_selection(args: &SelectionArgs, config: Option<&ConfigFile>) -> Selection {
    let from_config = |flag: &Vec<String>, cfg: fn(&ConfigFile) -> &Vec<String>| {
        if flag.is_empty() {
            config.map(|c| cfg(c).clone()).unwrap_or_default()
        } else {
            flag.clone()
        }
    };
    Selection {
        tags: from_config(&args.tags, |c| &c.tags),
        skip_tags: from_config(&args.skip_tags, |c| &c.skip_tags),
        filters: args.filters.clone(),
    }
}

/// Which suites to load: `--suite` values, else the config file's `suites:`; the
/// built-in suite as well unless `--no-builtin` (or `no_builtin: true`) says otherwise.
pub fn resolve_suites(
    args: &SelectionArgs,
    config: Option<&ConfigFile>,
) -> Result<Vec<SuiteSource>, String> {
    let specs = if args.suites.is_empty() {
        config.map(|c| c.suites.clone()).unwrap_or_default()
    } else {
        args.suites.clone()
    };
    let no_builtin = args.no_builtin || config.and_then(|c| c.no_builtin).unwrap_or(false);
    suite::resolve_sources(&specs, no_builtin)
}

/// Run variables: the config file's, overridden by `--var name=value`.
pub fn resolve_vars(
    args: &SelectionArgs,
    config: Option<&ConfigFile>,
) -> Result<BTreeMap<String, serde_json::Value>, String> {
    let mut vars = config.map(|c| c.vars.clone()).unwrap_or_default();
    for raw in &args.vars {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| format!("--var takes name=value, got '{raw}'"))?;
        let name = name.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(format!(
                "--var name '{name}' must be letters, digits, '_' or '-'"
            ));
        }
        vars.insert(name.to_owned(), serde_json::Value::String(value.to_owned()));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_read_with_or_without_a_unit() {
        let read = |text: &str| resolve_deadline(Some(text), None);
        assert_eq!(read("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(read("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(read("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(read(" 45 "), Ok(Duration::from_secs(45)));
        assert_eq!(resolve_deadline(None, None), Ok(DEFAULT_DEADLINE));
        for bad in ["", "soon", "10d", "-5m", "0", "1e20", "nan", "30 minutes"] {
            let err = read(bad).unwrap_err();
            assert!(err.starts_with("--deadline"), "{bad}: {err}");
        }
    }
}
