//! Option resolution for commands that talk to a target: command line, then
//! `SCIMCHECK_*` environment (already layered by `cli`), then the config file, then defaults.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::cli::EnvSource;
use crate::cli::shared::{SelectionArgs, TargetArgs};
use crate::client::{Auth, DEFAULT_MAX_BODY_BYTES, Target};
use crate::config::{AuthConfig, ConfigFile, HeaderValue, SecretRef};
use crate::plan::Selection;
use crate::suite::{self, SuiteSource};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_RETRIES: u32 = 2;

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
    env: &dyn EnvSource,
) -> Result<Target, String> {
    let empty = ConfigFile::default();
    let config = config.unwrap_or(&empty);
    let url = args
        .url
        .clone()
        .or_else(|| config.url.clone())
        .unwrap_or_default();
    let auth = resolve_auth(args, config, env)?;
    let mut headers = Vec::new();
    for (name, value) in &config.headers {
        let value = match value {
            HeaderValue::Literal(text) => text.clone(),
            HeaderValue::Secret(secret) => read_secret(name, secret, env)?,
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
        Some(secs) if secs.is_finite() && secs > 0.0 => Duration::from_secs_f64(secs),
        Some(secs) => {
            return Err(format!(
                "--timeout must be a positive number of seconds, not {secs}"
            ));
        }
        None => DEFAULT_TIMEOUT,
    };
    let rate_limit = match args.rate_limit.or(config.rate_limit) {
        Some(n) => {
            Some(NonZeroU32::new(n).ok_or("--rate-limit must be at least 1 request per second")?)
        }
        None => None,
    };
    Ok(Target {
        base_url: url,
        auth,
        headers,
        timeout,
        rate_limit,
        max_retries: args.retries.or(config.retries).unwrap_or(DEFAULT_RETRIES),
        accept_invalid_certs: args.insecure || config.insecure.unwrap_or(false),
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    })
}

fn resolve_auth(
    args: &TargetArgs,
    config: &ConfigFile,
    env: &dyn EnvSource,
) -> Result<Auth, String> {
    if let Some(token) = &args.token {
        return Ok(Auth::Bearer(SecretString::from(token.clone())));
    }
    if let Some(var) = &args.token_env {
        let token = env
            .get(var)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| format!("--token-env names {var}, but {var} is not set or empty"))?;
        return Ok(Auth::Bearer(SecretString::from(token.trim().to_owned())));
    }
    if let Some(path) = &args.token_file {
        let token = read_file_secret("--token-file", path)?;
        return Ok(Auth::Bearer(SecretString::from(token)));
    }
    match &config.auth {
        Some(AuthConfig::Bearer { token }) => Ok(Auth::Bearer(SecretString::from(read_secret(
            "auth.bearer.token",
            token,
            env,
        )?))),
        Some(AuthConfig::Basic { username, password }) => Ok(Auth::Basic {
            username: username.clone(),
            password: SecretString::from(read_secret("auth.basic.password", password, env)?),
        }),
        None => Ok(Auth::None),
    }
}

fn read_secret(field: &str, secret: &SecretRef, env: &dyn EnvSource) -> Result<String, String> {
    if let Some(var) = &secret.env {
        return env
            .get(var)
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
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{field}: cannot read {}: {e}", path.display()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field}: {} is empty", path.display()));
    }
    Ok(text.to_owned())
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
