//! `scimcheck serve`: the reference server in the foreground until Ctrl-C.

use crate::cli::EnvSource;
use crate::cli::serve::ServeArgs;
use crate::exit;
use crate::server::{self, ServerConfig};

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
    let misbehaviours = match args.misbehave.as_deref().map(server::parse_misbehaviours) {
        Some(Ok(set)) => set,
        Some(Err(message)) => return fail(exit::USAGE, message),
        None => Default::default(),
    };
    if !args.base_path.starts_with('/') {
        return fail(
            exit::USAGE,
            format!("--base-path must start with '/', got '{}'", args.base_path),
        );
    }
    let config = ServerConfig {
        host: args.host,
        port: args.port,
        token: token.clone(),
        base_path: args.base_path.clone(),
        misbehaviours: misbehaviours.clone(),
        ..ServerConfig::default()
    };
    let handle = match server::start(config).await {
        Ok(handle) => handle,
        Err(e) => {
            return fail(
                exit::CANNOT_START,
                format!("cannot listen on {}:{}: {e}", args.host, args.port),
            );
        }
    };
    println!(
        "scimcheck reference server listening on {}",
        handle.base_url()
    );
    println!(
        "authentication: {}",
        if token.is_some() {
            "bearer token required"
        } else {
            "none (any request is accepted)"
        }
    );
    if !misbehaviours.is_empty() {
        let names: Vec<&str> = misbehaviours.iter().map(|m| m.name()).collect();
        println!("misbehaving: {}", names.join(", "));
    }
    println!("press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    exit::SUCCESS
}
