//! The reference server with its OAuth2 token endpoint, watched: which bearer tokens the
//! SCIM endpoints received, how many answers were 401, and a revocation of every issued
//! token when the Nth SCIM request arrives (a vendor revoking mid-run). A request to a
//! path ending in `/EchoToken` is answered with the token it carried, in several
//! spellings, as a careless server's error page might. Include after `support/cli.rs`
//! as `mod cli`.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use scimcheck::server::{
    Canned, Intervention, RequestHook, SeenRequest, SeenResponse, ServerConfig, TokenEndpoint,
};
use serde_json::json;

use super::cli::{RefServer, scimcheck};

pub const CLIENT_ID: &str = "td-client";
/// A colon, a space, `+`, `&` and a non-ASCII letter: all change when form-encoded.
pub const CLIENT_SECRET: &str = "cs-SECRET:é 42+&x";
/// The variable the runs read the client secret from.
pub const SECRET_VAR: &str = "TD_CLIENT_SECRET";

/// Sees the SCIM requests (the token endpoint is outside the hook).
#[derive(Default)]
pub struct Watcher {
    tokens: Mutex<BTreeSet<String>>,
    requests: AtomicU64,
    unauthorized: AtomicU64,
    revoke_at: Option<u64>,
    endpoint: Mutex<Option<TokenEndpoint>>,
}

impl Watcher {
    /// Every bearer token a SCIM request carried.
    pub fn tokens(&self) -> BTreeSet<String> {
        self.tokens.lock().unwrap().clone()
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// SCIM answers with status 401.
    pub fn unauthorized(&self) -> u64 {
        self.unauthorized.load(Ordering::SeqCst)
    }
}

impl RequestHook for Watcher {
    fn arrived(&self, request: &SeenRequest) -> Intervention {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(token) = token_of(request) {
            self.tokens.lock().unwrap().insert(token);
        }
        if self.revoke_at == Some(request.seq)
            && let Some(endpoint) = self.endpoint.lock().unwrap().as_ref()
        {
            endpoint.revoke_all();
        }
        match token_of(request) {
            Some(token) if request.uri.path().ends_with("/EchoToken") => {
                let basic = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("Bearer {token}"),
                );
                let percent: String = token.bytes().map(|b| format!("%{b:02x}")).collect();
                Intervention::Answer(Canned {
                    status: StatusCode::NOT_FOUND,
                    headers: Vec::new(),
                    body: json!({ "detail": format!("bad token {token} ({basic}, {percent})") }),
                })
            }
            _ => Intervention::Serve,
        }
    }

    fn answered(&self, _: &SeenRequest, answer: &SeenResponse, _: Option<&SeenResponse>) {
        if answer.status == 401 {
            self.unauthorized.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn token_of(request: &SeenRequest) -> Option<String> {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// A scenario that asks the watched server to echo its token, and fails, so every
/// report shows the answer.
pub const ECHO_TOKEN: &str = r#"id: custom.echo-token
title: A server that answers with the token it was sent
steps:
  - name: echo
    request: { method: GET, path: /EchoToken }
    expect: { status: 599 }
"#;

/// A reference server that takes only the tokens its endpoint issued.
pub struct OAuthServer {
    pub server: RefServer,
    pub endpoint: TokenEndpoint,
    pub watcher: Arc<Watcher>,
    pub token_url: String,
}

impl OAuthServer {
    /// Tokens live `lifetime`; every issued token is revoked when SCIM request number
    /// `revoke_at` arrives.
    pub fn start(lifetime: Duration, revoke_at: Option<u64>) -> OAuthServer {
        let mut endpoint = TokenEndpoint::new(CLIENT_ID, CLIENT_SECRET);
        endpoint.lifetime = lifetime;
        endpoint.scopes = vec!["scim".to_owned()];
        let watcher = Arc::new(Watcher {
            revoke_at,
            endpoint: Mutex::new(Some(endpoint.clone())),
            ..Watcher::default()
        });
        let server = RefServer::with_config(ServerConfig {
            token_endpoint: Some(endpoint.clone()),
            hook: Some(watcher.clone()),
            ..ServerConfig::default()
        });
        let token_url = format!("{}/oauth/token", server.origin());
        OAuthServer {
            server,
            endpoint,
            watcher,
            token_url,
        }
    }

    /// `scimcheck run` against this server with the Talkdesk document's token request
    /// (Basic client authentication, scope, token_type, expires_in), the secret in the
    /// child's environment only.
    pub fn run_command(&self) -> Command {
        let mut command = scimcheck();
        command
            .args(["run", "--no-progress", "--url", &self.server.base])
            .args(talkdesk_flags(&self.token_url))
            .env(SECRET_VAR, CLIENT_SECRET);
        command
    }
}

/// The OAuth2 flags the Talkdesk document asks for, with the secret read from
/// `SECRET_VAR`.
pub fn talkdesk_flags(token_url: &str) -> Vec<String> {
    [
        "--oauth-token-url",
        token_url,
        "--oauth-client-id",
        CLIENT_ID,
        "--oauth-client-secret-env",
        SECRET_VAR,
        "--oauth-scope",
        "scim",
        "--oauth-param",
        "token_type=opaque",
        "--oauth-param",
        "expires_in=31556952",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Spellings of the client secret that go over the wire to the token endpoint: none
/// may appear in any output.
pub fn secret_spellings() -> Vec<String> {
    let encoded: String = form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect();
    let pair = format!("{CLIENT_ID}:{encoded}");
    vec![
        CLIENT_SECRET.to_owned(),
        encoded,
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pair),
    ]
}

/// A token endpoint that issues `token` (living `lifetime_secs`) to the first request
/// and answers every later one with 503: a vendor's token service going down mid-run.
pub struct FailingTokenEndpoint {
    pub url: String,
    stop: Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
    requests: Arc<AtomicU64>,
}

impl FailingTokenEndpoint {
    pub fn start(token: &str, lifetime_secs: u64) -> FailingTokenEndpoint {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let granted = serde_json::json!({
            "access_token": token, "token_type": "Bearer", "expires_in": lifetime_secs
        })
        .to_string();
        let (stopping, counted) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let reply = if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{granted}",
                        granted.len()
                    )
                } else {
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\
                     Content-Length: 8\r\nConnection: close\r\n\r\ndown now"
                        .to_owned()
                };
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        FailingTokenEndpoint {
            url: format!("http://{addr}/oauth/token"),
            stop,
            addr,
            requests,
        }
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FailingTokenEndpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}
