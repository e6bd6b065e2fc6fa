//! `scimcheck serve`: the reference server in the foreground until Ctrl-C.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::EnvSource;
use crate::cli::oauth::TokenEndpointArgs;
use crate::cli::serve::ServeArgs;
use crate::exit;
use crate::judge::{self, Judge, JudgeOptions, summary};
use crate::result::RunInfo;
use crate::server::{self, ProductSetup, ServerConfig, TokenEndpoint};

use super::fail;

pub async fn serve(args: ServeArgs, env: &dyn EnvSource) -> i32 {
    let token = match (&args.token, &args.token_env) {
        (Some(token), _) => Some(token.clone()),
        (None, Some(var)) => match env.get(var).filter(|t| !t.trim().is_empty()) {
            Some(token) => Some(token.trim().to_owned()),
            None => {
                return fail(
                    exit::USAGE,
                    format!("--token-env names {var}, but {var} is not set or empty"),
                );
            }
        },
        (None, None) => None,
    };
    let mut misbehaviours = match args.misbehave.as_deref().map(server::parse_misbehaviours) {
        Some(Ok(set)) => set,
        Some(Err(message)) => return fail(exit::USAGE, message),
        None => Default::default(),
    };
    let product = match args.profile.as_deref().map(product_setup).transpose() {
        Ok(product) => product,
        Err(message) => return fail(exit::USAGE, message),
    };
    let mut args = args;
    if let Some(product) = &product {
        misbehaviours.extend(product.misbehaviours.iter().copied());
        if let Some(base_path) = &product.base_path {
            args.base_path = base_path.clone();
        }
        if args.token_endpoint.issuer_client_id.is_none() {
            args.token_endpoint.issuer_client_id = product.oauth_client_id.clone();
        }
    }
    if !args.base_path.starts_with('/') {
        return fail(
            exit::USAGE,
            format!("--base-path must start with '/', got '{}'", args.base_path),
        );
    }
    let token_endpoint = match token_endpoint(&args.token_endpoint, env) {
        Ok(endpoint) => endpoint,
        Err(message) => return fail(exit::USAGE, message),
    };
    let config = ServerConfig {
        host: args.host,
        port: args.port,
        token: token.clone(),
        base_path: args.base_path.clone(),
        misbehaviours: misbehaviours.clone(),
        token_endpoint: token_endpoint.clone(),
        emulated: product.as_ref().map(|p| p.emulated.clone()),
        hook: match request_log(&args) {
            Ok(hook) => hook,
            Err(message) => return fail(exit::USAGE, message),
        },
    };
    let judging = match judge_options(&args) {
        Ok(judging) => judging,
        Err(message) => return fail(exit::USAGE, message),
    };
    let started = Instant::now();
    let (handle, judge) = match judging {
        Some(options) => match judge::start(config, options).await {
            Ok((handle, judge)) => (handle, Some(judge)),
            Err(message) => return fail(exit::CANNOT_START, message),
        },
        None => match server::start(config).await {
            Ok(handle) => (handle, None),
            Err(e) => {
                return fail(
                    exit::CANNOT_START,
                    format!("cannot listen on {}:{}: {e}", args.host, args.port),
                );
            }
        },
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
            "emulating: {} (as its documents describe it)",
            product.emulated.name
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
    code
}

/// The token endpoint `--oauth-client-id` asks for, printing what it issues and refuses;
/// `None` without that flag.
fn token_endpoint(
    args: &TokenEndpointArgs,
    env: &dyn EnvSource,
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
    let secret = env
        .get(var)
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

/// The profile's product: its emulation setup.
fn product_setup(spec: &str) -> Result<ProductSetup, String> {
    server::product_setup(&crate::profile::load(spec)?)
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
        run_id: crate::run::new_run_id(),
        started_at: String::new(),
    };
    let summary = summary::run_summary(info, &judgement, Vec::new(), started.elapsed(), false);
    print!("{}", summary::console_text(&judgement, &summary));
    if judgement.must_broken() {
        exit::CONFORMANCE_FAILURE
    } else {
        exit::SUCCESS
    }
}
