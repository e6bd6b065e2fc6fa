//! Embedded reference SCIM server (axum, in memory) with misbehaviour switches.
//!
//! A strict RFC 7643/7644 service provider: Users (with the Enterprise extension) and
//! Groups, discovery, filters, sorting, paging, projection, PATCH, ETags, Bulk and
//! /.search. [`Misbehaviour`] switches make it deviate the way real services do.
//!
//! Two ways to run it:
//! - [`start`] binds, serves in a background task and returns a [`ServerHandle`] with the
//!   base URL; [`ServerHandle::shutdown`] stops it gracefully (dropping the handle stops
//!   it too, without waiting).
//! - [`ServerHandle::stop_on`] keeps a started server running until a future completes
//!   (`scimcheck serve` passes Ctrl-C); [`serve_until`] does both steps in one call.

mod auth;
mod bulk;
mod config;
mod connection;
mod deviate;
mod dialect;
mod discovery;
mod dispatch;
mod emulate;
mod error;
mod etag;
mod hook;
mod lax_writes;
mod media;
mod misbehave;
mod oauth;
mod patch;
mod projection;
mod provider;
mod query;
mod rate;
mod render;
mod reply;
mod request_log;
mod resources;
mod schema_defs;
mod store;
mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) use config::normalize_base_path;
pub use config::{
    BULK_MAX_OPERATIONS, MAX_PAYLOAD_BYTES, MAX_RESULTS, RATE_LIMIT_PER_SECOND, ServerConfig,
};
pub(crate) use dispatch::percent_decode;
pub use emulate::{Emulated, ProductSetup};
pub use hook::{
    Canned, Intervention, RequestHook, SeenRequest, SeenResponse, joined as join_hooks,
};
pub use misbehave::{Misbehaviour, parse_misbehaviours};
pub use oauth::{DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME, TOKEN_PATH, TokenEndpoint, TokenLog};
pub(crate) use rate::TokenBucket;
pub use request_log::RequestLog;

use connection::{Connection, Listener};
use provider::Provider;

/// A server running in the background.
#[derive(Debug)]
pub struct ServerHandle {
    base_url: String,
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServerHandle {
    /// The absolute URL of the SCIM base path, e.g. `http://127.0.0.1:41234/scim/v2`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serve until `signal` completes (e.g. Ctrl-C), then shut down gracefully. Returns
    /// early with the error if the server itself fails. This is what `scimcheck serve`
    /// wants: [`start`], print [`ServerHandle::base_url`], then `stop_on(ctrl_c)`.
    pub async fn stop_on(mut self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        tokio::select! {
            () = signal => {
                if let Some(stop) = self.stop.take() {
                    let _ = stop.send(());
                }
                flatten(task.await)
            }
            ended = &mut task => flatten(ended),
        }
    }

    /// Stop accepting connections, let in-flight requests finish, and wait for that.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Dropping the sender ends the shutdown signal's wait: the server stops.
        self.stop.take();
    }
}

fn flatten(joined: Result<std::io::Result<()>, tokio::task::JoinError>) -> std::io::Result<()> {
    joined.map_err(std::io::Error::other)?
}

/// Bind (127.0.0.1 and a free port by default) and serve in a background task.
pub async fn start(config: ServerConfig) -> std::io::Result<ServerHandle> {
    let (listener, app, base_url) = bind(&config).await?;
    let local_addr = axum::serve::Listener::local_addr(&listener)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<Connection>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await
    });
    Ok(ServerHandle {
        base_url,
        local_addr,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Bind and serve until `shutdown_signal` completes, then finish in-flight requests.
/// It does not report the bound address; with port 0, use [`start`] and
/// [`ServerHandle::stop_on`] instead.
pub async fn serve_until(
    config: ServerConfig,
    shutdown_signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (listener, app, _) = bind(&config).await?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<Connection>(),
    )
    .with_graceful_shutdown(shutdown_signal)
    .await
}

/// What a server with this configuration publishes for discovery.
#[derive(Debug, Clone)]
pub struct Published {
    pub service_provider_config: serde_json::Value,
    /// The items of /ResourceTypes.
    pub resource_types: Vec<serde_json::Value>,
    /// The items of /Schemas.
    pub schemas: Vec<serde_json::Value>,
}

/// The discovery documents a server with `config` answers with, read without a request,
/// so that a hook (the client judge) knows what clients can discover.
pub fn published(config: &ServerConfig) -> Published {
    let provider = Provider::new(config, "http://127.0.0.1".to_owned());
    let ctx = provider::Ctx {
        provider: &provider,
        base_url: format!("http://127.0.0.1{}", provider.base_path),
    };
    let items = |list: serde_json::Value| match list.get("Resources") {
        Some(serde_json::Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    Published {
        service_provider_config: discovery::service_provider_config(&ctx),
        resource_types: items(discovery::resource_types(&ctx)),
        schemas: items(discovery::schemas(&ctx)),
    }
}

/// Does an Accept header admit the JSON this server answers with (RFC 7644 3.8)?
pub(crate) fn accepts_json(headers: &axum::http::HeaderMap) -> bool {
    media::check_accept(headers).is_ok()
}

/// The base URL a configuration will serve at once bound to `addr`.
fn base_url_for(addr: SocketAddr, config: &ServerConfig) -> String {
    format!(
        "http://{addr}{}",
        config::normalize_base_path(&config.base_path)
    )
}

async fn bind(config: &ServerConfig) -> std::io::Result<(Listener, Router, String)> {
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    let listener = Listener::new(listener);
    let provider = Arc::new(Provider::new(config, format!("http://{addr}")));
    let mut app = Router::new()
        .fallback(dispatch::handle)
        .with_state(provider);
    if let Some(hook) = &config.hook {
        let watch = hook::Watch::new(Arc::clone(hook));
        app = app.layer(axum::middleware::from_fn_with_state(watch, hook::watch));
    }
    // Added after the hook's layer, so the hook never sees token requests.
    if let Some(endpoint) = &config.token_endpoint {
        let token = axum::routing::post(oauth::token)
            .with_state(endpoint.clone())
            .layer(axum::extract::DefaultBodyLimit::max(oauth::MAX_FORM_BYTES));
        app = app.route(oauth::TOKEN_PATH, token);
    }
    Ok((listener, app, base_url_for(addr, config)))
}
