//! `scimcheck serve`: the reference server in the foreground until Ctrl-C, optionally
//! judging the clients that talk to it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use super::judge::FaultArgs;
use super::oauth::TokenEndpointArgs;
use super::{CliError, CommandResult, Context};
use crate::exit;
use crate::judge::{self, Judge, JudgeOptions, summary};
use crate::result::RunInfo;
use crate::run::new_run_id;
use crate::server::{self, ProductSetup, ServerConfig, TokenEndpoint};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Bearer token that clients must send (no authentication when absent)
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_env")]
    pub token: Option<String>,
    /// Name of an environment variable holding the bearer token clients must send
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Path under which the SCIM endpoints are served
    #[arg(long, default_value = "/scim/v2")]
    pub base_path: String,
    /// Deviations from RFC 7643/7644 to switch on, comma-separated (see below)
    #[arg(long, value_name = "LIST")]
    pub misbehave: Option<String>,
    /// Judge every request against the client requirements of RFC 7643/7644 (and the
    /// profile's client rules): each finding is printed as it happens, a summary on Ctrl-C
    #[arg(long)]
    pub judge: bool,
    /// Behave as the vendor product the profile describes (its PATCH dialect, required
    /// fields, documented deviations, rate limit, base path, token endpoint); with --judge,
    /// also judge clients against its client rules
    #[arg(long = "profile", value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Write every request received to FILE, one JSON line each (time in ms, method,
    /// path, query, Content-Type, body; never the Authorization header); with --judge,
    /// judged requests are logged too, an injected fault's among them
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<std::path::PathBuf>,
    /// With --profile: the licences the emulated product has; a user created while that
    /// many users are active is kept inactive (Talkdesk's "Deactivated" when licences run
    /// out). Only for a product whose profile counts licences
    #[arg(long, value_name = "N")]
    pub licences: Option<usize>,
    #[command(flatten)]
    pub faults: FaultArgs,
    #[command(flatten)]
    pub token_endpoint: TokenEndpointArgs,
}

pub async fn serve(args: ServeArgs, ctx: &Context) -> CommandResult {
    let token = match (&args.token, &args.token_env) {
        (Some(token), _) => Some(token.clone()),
        (None, Some(var)) => match ctx.var(var).filter(|t| !t.trim().is_empty()) {
            Some(token) => Some(token.trim().to_owned()),
            None => {
                return Err(CliError::usage(format!(
                    "--token-env names {var}, but {var} is not set or empty"
                )));
            }
        },
        (None, None) => None,
    };
    let misbehaviours = match args.misbehave.as_deref().map(server::parse_misbehaviours) {
        Some(set) => set.map_err(CliError::usage)?,
        None => Default::default(),
    };
    let mut config = ServerConfig {
        host: args.host,
        port: args.port,
        token: token.clone(),
        base_path: args.base_path.clone(),
        misbehaviours,
        ..ServerConfig::default()
    };
    let product = match args.profile.as_deref() {
        Some(spec) => Some(emulate(spec, &args, &mut config).map_err(CliError::usage)?),
        None if args.licences.is_some() => {
            return Err(CliError::usage(
                "--licences counts the licences of an emulated product: it needs --profile",
            ));
        }
        None => None,
    };
    if !config.base_path.starts_with('/') {
        return Err(CliError::usage(format!(
            "--base-path must start with '/', got '{}'",
            config.base_path
        )));
    }
    let mut token_args = args.token_endpoint.clone();
    if token_args.issuer_client_id.is_none() {
        token_args.issuer_client_id = product.as_ref().and_then(|p| p.oauth_client_id.clone());
    }
    let token_endpoint = token_endpoint(&token_args, ctx).map_err(CliError::usage)?;
    config.token_endpoint = token_endpoint.clone();
    config.hook = request_log(&args).map_err(CliError::usage)?;
    let misbehaviours = config.misbehaviours.clone();
    let judging = judge_options(&args).map_err(CliError::usage)?;
    let started = Instant::now();
    let (handle, judge) = match judging {
        Some(options) => {
            let (handle, judge) = judge::start(config, options)
                .await
                .map_err(CliError::cannot_start)?;
            (handle, Some(judge))
        }
        None => {
            let handle = server::start(config).await.map_err(|e| {
                CliError::cannot_start(format!("cannot listen on {}:{}: {e}", args.host, args.port))
            })?;
            (handle, None)
        }
    };
    println!(
        "scimcheck reference server listening on {}",
        handle.base_url()
    );
    let authentication = match (&token_endpoint, &token) {
        (Some(endpoint), _) => format!(
            "OAuth2 client credentials: POST http://{}{} issues tokens to client {} for up to \
             {} s{}",
            handle.local_addr(),
            server::TOKEN_PATH,
            endpoint.client_id,
            endpoint.lifetime.as_secs(),
            if token.is_some() {
                "; the fixed bearer token works too"
            } else {
                ""
            }
        ),
        (None, Some(_)) => "bearer token required".to_owned(),
        (None, None) => "none (any request is accepted)".to_owned(),
    };
    println!("authentication: {authentication}");
    if let Some(product) = &product {
        println!(
            "emulating: {} (as its documents describe it){}",
            product.emulated.name,
            product
                .emulated
                .licences
                .map(|n| format!("; {n} licences"))
                .unwrap_or_default()
        );
    }
    if !misbehaviours.is_empty() {
        let names: Vec<&str> = misbehaviours.iter().map(|m| m.name()).collect();
        println!("misbehaving: {}", names.join(", "));
    }
    if let Some(judge) = &judge {
        println!(
            "judging clients against {} rules{}; findings follow as they happen",
            judge.rules().iter().count(),
            args.profile
                .as_deref()
                .map(|p| format!(" (profile {p})"))
                .unwrap_or_default()
        );
    }
    println!("press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    let code = match &judge {
        Some(judge) => judged_summary(judge, handle.base_url(), args.profile.clone(), started),
        None => exit::SUCCESS,
    };
    handle.shutdown().await;
    Ok(code)
}

/// The token endpoint `--oauth-client-id` asks for, printing what it issues and refuses;
/// `None` without that flag.
fn token_endpoint(
    args: &TokenEndpointArgs,
    ctx: &Context,
) -> Result<Option<TokenEndpoint>, String> {
    let Some(client_id) = args.issuer_client_id.as_deref().map(str::trim) else {
        if args.issuer_secret_env.is_some() {
            return Err(
                "--oauth-client-secret-env needs --oauth-client-id ID (or a --profile whose \
                 product has a token endpoint)"
                    .to_owned(),
            );
        }
        return Ok(None);
    };
    if client_id.is_empty() {
        return Err("--oauth-client-id is empty".to_owned());
    }
    let var = args.issuer_secret_env.as_deref().ok_or(format!(
        "a token endpoint for client {client_id} (--oauth-client-id or the profile's \
             product) needs --oauth-client-secret-env VAR"
    ))?;
    let secret = ctx
        .var(var)
        .map(|secret| secret.trim().to_owned())
        .filter(|secret| !secret.is_empty())
        .ok_or_else(|| {
            format!("--oauth-client-secret-env names {var}, but {var} is not set or empty")
        })?;
    let most = server::MAX_TOKEN_LIFETIME.as_secs();
    let lifetime = match args.token_lifetime {
        None => server::DEFAULT_TOKEN_LIFETIME,
        Some(seconds) if (1..=most).contains(&seconds) => Duration::from_secs(seconds),
        Some(seconds) => {
            return Err(format!(
                "--token-lifetime must be between 1 and {most} seconds, not {seconds}"
            ));
        }
    };
    let mut endpoint = TokenEndpoint::new(client_id, secret);
    endpoint.lifetime = lifetime;
    endpoint.log = Some(Arc::new(|line| println!("{line}")));
    Ok(Some(endpoint))
}

/// The server set up as the profile's product, with `--licences` as its licence count.
fn emulate(
    spec: &str,
    args: &ServeArgs,
    config: &mut ServerConfig,
) -> Result<ProductSetup, String> {
    let profile = crate::profile::load(spec)?;
    let mut product = crate::profile::apply_to(&profile, config)?;
    if let (Some(count), Some(emulated)) = (args.licences, config.emulated.as_mut()) {
        if emulated.licences.is_none() {
            return Err(format!(
                "--licences: the product of profile {} has no licences to count (its \
                 profile's emulate: has no licences)",
                profile.name
            ));
        }
        emulated.licences = Some(count);
        product.emulated.licences = Some(count);
    }
    Ok(product)
}

/// `--request-log FILE` as a hook that writes every request to the file.
fn request_log(args: &ServeArgs) -> Result<Option<Arc<dyn server::RequestHook>>, String> {
    let Some(path) = &args.request_log else {
        return Ok(None);
    };
    let log = server::RequestLog::create(path)
        .map_err(|e| format!("--request-log: cannot create {}: {e}", path.display()))?;
    Ok(Some(Arc::new(log)))
}

/// `--judge` with its profile and faults; `None` without `--judge`.
fn judge_options(args: &ServeArgs) -> Result<Option<JudgeOptions>, String> {
    let faults = super::judge::schedule(&args.faults)?;
    if !args.judge {
        return match faults {
            judge::Schedule::None => Ok(None),
            _ => Err("--inject injects faults into judged requests: it needs --judge".to_owned()),
        };
    }
    let profile = super::judge::load_profile(args.profile.as_deref())?;
    Ok(Some(JudgeOptions {
        profile,
        faults: Some(faults),
        sink: Some(Box::new(|finding| println!("{}", finding.render()))),
    }))
}

/// After Ctrl-C: the rules as they stand, and 1 when a must-level rule was broken.
fn judged_summary(judge: &Judge, url: &str, profile: Option<String>, started: Instant) -> i32 {
    let judgement = judge.close();
    let info = RunInfo {
        target_url: url.to_owned(),
        profiles: profile.into_iter().collect(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        run_id: new_run_id(),
        started_at: String::new(),
        plan: None,
        embedded: None,
        capabilities: None,
    };
    let summary = summary::run_summary(info, &judgement, Vec::new(), started.elapsed(), false);
    print!("{}", summary::console_text(&judgement, &summary));
    if judgement.must_broken() {
        exit::CONFORMANCE_FAILURE
    } else {
        exit::SUCCESS
    }
}
