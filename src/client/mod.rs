//! SCIM HTTP client: auth, rate limit, retries, timeouts, transcript, redaction of secrets.
//!
//! Every attempt of a request becomes its own `result::Exchange`, redacted by the one
//! `Redactor`; reqwest's own retries and redirects are off so nothing happens unseen.
//! With OAuth2 client credentials, a request answered 401 is sent once more with a
//! fresh token (`oauth`).

mod adaptive;
mod attempt;
mod curl;
mod explain;
mod in_flight;
mod json;
mod notice;
mod oauth;
mod pause;
mod redact;
mod retry;
mod target;
mod url;

use std::fmt;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::result::Exchange;
pub use crate::vocabulary::AuthMode;

pub use adaptive::RateAdvice;
pub use json::{MAX_JSON_VALUES, json_bytes, parse_json};
pub use oauth::{ClientAuthentication, ClientCredentials, TokenError};
pub use redact::{
    RECORDED_BODY_BYTES, REDACTED, RawExchange, Redactor, SECRET_FRAGMENT_BYTES, Secret,
    recorded_without_secrets,
};
pub use retry::MAX_RETRY_AFTER;
pub use target::{Auth, DEFAULT_MAX_BODY_BYTES, Target};
pub use url::{encode_segment, resource_key, same_resource, shown_url};

/// The bearer token sent for `AuthMode::Invalid`: well-formed, never valid.
pub const INVALID_BEARER_TOKEN: &str = "scimcheck-invalid-token-0000000000000000";

/// The client could not be built from the target description.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// `url` is already stripped of credentials and query (`shown_url`).
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error("invalid header `{name}`: {reason}")]
    InvalidHeader { name: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// One request as the executor describes it.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// The step name, carried into each exchange.
    pub step: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Relative to the base URL (leading slash optional, `?query` allowed) or an
    /// absolute URL under the base URL.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// Sent with `content-type: application/scim+json` unless a header says otherwise.
    pub body: Option<Vec<u8>>,
    pub auth: AuthMode,
}

/// A response as received (not redacted: checks need the real values).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The URL the request went to.
    pub url: String,
    pub status: u16,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// All values of a header (case-insensitive name), joined as RFC 9110 allows.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The request could not even be formed (bad method, URL outside the target).
    InvalidRequest,
    Connect,
    /// The connection closed before any byte of the response: the request may or may
    /// not have been processed.
    Closed,
    Timeout,
    BodyTooLarge,
    /// Reset, protocol error, unreadable body.
    Other,
    /// No credentials to send (the OAuth2 token endpoint issued no token): nothing was
    /// sent.
    NoCredentials,
}

/// No usable response came; the message is already redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What sending one request produced: every attempt, and the last attempt's result.
#[derive(Debug)]
pub struct Sent {
    pub exchanges: Vec<Exchange>,
    pub outcome: Result<HttpResponse, TransportError>,
    /// A cancellation ended the retries early: `outcome` is not the server's last word.
    pub interrupted: bool,
}

/// A configured connection to one SCIM target.
pub struct Client {
    http: reqwest::Client,
    /// Keeps no idle connections: for the one retry after a connection closed, which
    /// must not land on another stale one. Built on first need (building loads the TLS
    /// roots, which takes a while).
    fresh: std::sync::OnceLock<reqwest::Client>,
    accept_invalid_certs: bool,
    base: url::BaseUrl,
    auth_header: Option<String>,
    /// With OAuth2 client credentials: where `AuthMode::Default` requests get their token.
    oauth: Option<std::sync::Arc<oauth::TokenSource>>,
    extra_headers: Vec<(String, String)>,
    timeout: Duration,
    limiter: Option<std::sync::Arc<DefaultDirectRateLimiter>>,
    pause: std::sync::Arc<pause::SharedPause>,
    /// Pacing of our own after repeated 429s; `None` with a fixed rate limit.
    adaptive: Option<std::sync::Arc<adaptive::AdaptiveRate>>,
    max_retries: u32,
    max_body_bytes: usize,
    redactor: Redactor,
    /// No retry waits past this instant (the run's deadline, or its cleanup's).
    deadline: std::sync::Mutex<Option<tokio::time::Instant>>,
    notices: notice::Notices,
    /// Every attempt sent, by this client and the clients `at` made from it.
    sent: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The server answered a 5xx: it may close kept-alive connections after an error, and
    /// a request that is not repeated must not meet such a connection.
    server_erred: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Fewer requests at once to a server that closes its connections.
    in_flight: std::sync::Arc<in_flight::InFlight>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.extra_headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Client")
            .field("base_url", &self.base.as_str())
            .field("auth", &self.auth_header.as_ref().map(|_| REDACTED))
            .field(
                "oauth",
                &self.oauth.as_ref().map(|source| source.credentials()),
            )
            .field("headers", &header_names)
            .field("timeout", &self.timeout)
            .field("rate_limited", &self.limiter.is_some())
            .field("max_retries", &self.max_retries)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SCIM client for {}", self.base.as_str())
    }
}

impl Client {
    pub fn new(target: Target) -> Result<Client, ClientError> {
        // reqwest is built without a default crypto provider; ring is ours.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = url::BaseUrl::parse(&target.base_url).map_err(|reason| {
            ClientError::InvalidBaseUrl {
                url: url::shown_url(&target.base_url),
                reason,
            }
        })?;
        let mut extra_headers = Vec::new();
        for (name, value) in &target.headers {
            let value = value.expose_secret();
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                ClientError::InvalidHeader {
                    name: name.clone(),
                    reason: e.to_string(),
                }
            })?;
            reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                ClientError::InvalidHeader {
                    name: name.clone(),
                    reason: "the value holds characters a header cannot carry".into(),
                }
            })?;
            extra_headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        let http = http_builder(target.accept_invalid_certs, target.timeout)
            .build()
            .map_err(|e| ClientError::Build(attempt::error_text(&e)))?;
        let mut secrets = target.auth.secrets();
        secrets.extend(extra_headers.iter().map(|(_, v)| Secret::from(v.clone())));
        let redactor = Redactor::new(secrets, extra_headers.iter().map(|(k, _)| k.clone()));
        let limiter = target.rate_limit.map(|per_second| {
            std::sync::Arc::new(RateLimiter::direct(
                Quota::per_second(per_second).allow_burst(std::num::NonZeroU32::MIN),
            ))
        });
        Ok(Client {
            http,
            fresh: std::sync::OnceLock::new(),
            accept_invalid_certs: target.accept_invalid_certs,
            base,
            auth_header: target.auth.header_value(),
            oauth: match &target.auth {
                Auth::OAuth2(credentials) => Some(std::sync::Arc::new(oauth::TokenSource::new(
                    credentials.clone(),
                ))),
                _ => None,
            },
            extra_headers,
            timeout: target.timeout,
            limiter,
            pause: std::sync::Arc::default(),
            adaptive: (target.rate_limit.is_none() && target.adapt_to_rate_limits)
                .then(std::sync::Arc::default),
            max_retries: target.max_retries,
            max_body_bytes: target.max_body_bytes,
            redactor,
            deadline: std::sync::Mutex::new(None),
            notices: notice::Notices::default(),
            sent: std::sync::Arc::default(),
            server_erred: std::sync::Arc::default(),
            in_flight: std::sync::Arc::default(),
        })
    }

    /// The same target reached at another base URL on the same origin, with the same
    /// credentials, limits and pauses: for looking at nearby bases when the given one
    /// answers no SCIM. Nothing is sent outside the origin the user named.
    pub fn at(&self, base_url: &str) -> Result<Client, ClientError> {
        let base = url::BaseUrl::parse(base_url).map_err(|reason| ClientError::InvalidBaseUrl {
            url: url::shown_url(base_url),
            reason,
        })?;
        if !self.base.same_origin(&base) {
            return Err(ClientError::InvalidBaseUrl {
                url: url::shown_url(base_url),
                reason: format!("not on the origin of `{}`", self.base.as_str()),
            });
        }
        Ok(Client {
            http: self.http.clone(),
            fresh: std::sync::OnceLock::new(),
            accept_invalid_certs: self.accept_invalid_certs,
            base,
            auth_header: self.auth_header.clone(),
            oauth: self.oauth.clone(),
            extra_headers: self.extra_headers.clone(),
            timeout: self.timeout,
            limiter: self.limiter.clone(),
            pause: self.pause.clone(),
            adaptive: self.adaptive.clone(),
            max_retries: self.max_retries,
            max_body_bytes: self.max_body_bytes,
            redactor: self.redactor.clone(),
            deadline: std::sync::Mutex::new(
                *self.deadline.lock().unwrap_or_else(|e| e.into_inner()),
            ),
            notices: notice::Notices::default(),
            sent: self.sent.clone(),
            server_erred: self.server_erred.clone(),
            in_flight: self.in_flight.clone(),
        })
    }

    /// How many requests (each attempt, retries included) this client has sent.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Gets what the requests will need before the first one is sent: with OAuth2 client
    /// credentials, the first token. The error is redacted and says what to check.
    pub async fn authorize(&self) -> Result<(), TokenError> {
        match &self.oauth {
            Some(source) => source
                .token(&self.http, &self.redactor, self.timeout)
                .await
                .map(|_| ()),
            None => Ok(()),
        }
    }

    /// The `Authorization` header for a request with `mode`, and the serial of the OAuth2
    /// token in it.
    async fn authorization(
        &self,
        mode: AuthMode,
    ) -> Result<(Option<String>, Option<u64>), TransportError> {
        match (mode, &self.oauth) {
            (AuthMode::Default, Some(source)) => source
                .token(&self.http, &self.redactor, self.timeout)
                .await
                .map(|token| (Some(token.header), Some(token.serial)))
                .map_err(|e| TransportError {
                    kind: TransportErrorKind::NoCredentials,
                    message: format!("no access token, so nothing was sent: {e}"),
                }),
            (AuthMode::Default, None) => Ok((self.auth_header.clone(), None)),
            (AuthMode::None, _) => Ok((None, None)),
            (AuthMode::Invalid, _) => Ok((Some(format!("Bearer {INVALID_BEARER_TOKEN}")), None)),
        }
    }

    /// Retry waits end by `deadline`: a wait is shortened to it, and no retry starts
    /// after it.
    pub fn set_deadline(&self, deadline: tokio::time::Instant) {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = Some(deadline);
    }

    fn time_left(&self) -> Option<Duration> {
        let deadline = *self.deadline.lock().unwrap_or_else(|e| e.into_inner());
        deadline.map(|d| d.saturating_duration_since(tokio::time::Instant::now()))
    }

    /// Where announcements go (a long wait the server asked for); standard error until
    /// a run sets its console.
    pub fn set_notices(&self, sink: impl Fn(String) + Send + Sync + 'static) {
        self.notices.set(sink);
    }

    /// The client that opens a new connection for every request; should it not build,
    /// the pooled one serves (its dead connection is gone by then anyway).
    fn fresh_connections(&self) -> &reqwest::Client {
        self.fresh.get_or_init(|| {
            http_builder(self.accept_invalid_certs, self.timeout)
                .pool_max_idle_per_host(0)
                .build()
                .unwrap_or_else(|_| self.http.clone())
        })
    }

    /// After the server rate-limited us into pacing: how often, and the `--rate-limit`
    /// that worked.
    pub fn rate_advice(&self) -> Option<RateAdvice> {
        self.adaptive.as_ref().and_then(|a| a.advice())
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// True when requests carry the target's credentials (so `auth` scenarios can run).
    pub fn has_credentials(&self) -> bool {
        self.auth_header.is_some()
    }

    /// The redactor that knows this target's secrets: for anything else shown to users
    /// (check failures quoting a body, error messages).
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The URL a request goes to (what `send` would use), or why it cannot be sent.
    pub fn url_of(&self, request: &HttpRequest) -> Result<String, String> {
        self.base
            .join(&request.path, &request.query)
            .map(String::from)
    }

    /// True when `url` lies under the base URL.
    pub fn is_under_base(&self, url: &str) -> bool {
        reqwest::Url::parse(url).is_ok_and(|url| self.base.contains(&url))
    }

    /// A `Location` header value resolved against the request URL, only when it points
    /// under the base URL.
    pub fn resolve_location(&self, request_url: &str, location: &str) -> Result<String, String> {
        self.base
            .resolve_location(request_url, location)
            .map(String::from)
    }

    /// Sends the request, retrying 429 (503 for idempotent methods) and connection
    /// failures; an idempotent request whose connection closed before any response byte
    /// is sent once more, on a new connection; one answered 401 despite an OAuth2 token
    /// is sent once more with a fresh token.
    pub async fn send(&self, request: &HttpRequest) -> Sent {
        self.send_until(request, &CancellationToken::new()).await
    }

    /// Like `send`, but a cancellation ends the wait before a retry: the last attempt
    /// is the result. An attempt in flight is never cut short.
    pub async fn send_until(&self, request: &HttpRequest, cancel: &CancellationToken) -> Sent {
        let url = match self.base.join(&request.path, &request.query) {
            Ok(url) => url,
            Err(message) => {
                return Sent {
                    exchanges: Vec::new(),
                    outcome: Err(TransportError {
                        kind: TransportErrorKind::InvalidRequest,
                        message: self.redactor.text(&message),
                    }),
                    interrupted: false,
                };
            }
        };
        let mut schedule = retry::schedule(self.max_retries);
        let mut exchanges = Vec::new();
        let mut number = 0;
        let mut reconnected = false;
        let mut token_refused = false;
        loop {
            number += 1;
            self.pause.wait().await;
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let turn = match &self.adaptive {
                Some(adaptive) => Some(adaptive.turn().await),
                None => None,
            };
            let (authorization, token_serial) = match self.authorization(request.auth).await {
                Ok(found) => found,
                Err(error) => {
                    return Sent {
                        exchanges,
                        outcome: Err(TransportError {
                            kind: error.kind,
                            message: self.redactor.text(&error.message),
                        }),
                        interrupted: false,
                    };
                }
            };
            let unrepeatable = !retry::is_idempotent(&request.method)
                && self.server_erred.load(std::sync::atomic::Ordering::Relaxed);
            let http = if reconnected || unrepeatable {
                self.fresh_connections()
            } else {
                &self.http
            };
            let on_the_wire = self.in_flight.enter().await;
            let (raw, outcome) =
                attempt::run(self, http, &url, request, authorization.as_deref(), number).await;
            drop(on_the_wire);
            exchanges.push(self.redactor.exchange(&raw));
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if matches!(&outcome, Ok(response) if response.status >= 500) {
                self.server_erred
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            if let (Some(adaptive), Some(started), Ok(response)) = (&self.adaptive, turn, &outcome)
            {
                adaptive.answered(started, response.status == 429);
            }
            if let Err(e) = &outcome
                && retry::is_closed_before_answer(&request.method, e.kind)
                && !reconnected
            {
                reconnected = true;
                continue;
            }
            // A 401 refuses a request unprocessed (RFC 9110 §15.5.2), so even a POST is
            // safe to send again once the token is replaced.
            if let (Ok(response), Some(serial), Some(source)) =
                (&outcome, token_serial, &self.oauth)
                && response.status == 401
                && !token_refused
            {
                token_refused = true;
                source.refused(serial).await;
                continue;
            }
            let reason = match &outcome {
                Ok(response) if retry::is_retryable_status(&request.method, response.status) => {
                    Some(retry::RetryReason::Status {
                        retry_after: response.header("retry-after").and_then(|v| {
                            retry::parse_retry_after(&v, std::time::SystemTime::now())
                        }),
                    })
                }
                Err(e) if e.kind == TransportErrorKind::Connect => {
                    Some(retry::RetryReason::Connect)
                }
                _ => None,
            };
            let rate_limited = matches!(&outcome, Ok(response) if response.status == 429);
            let planned = reason.and_then(|r| schedule.next().map(|d| (retry::delay(&r, d), r)));
            let Some((mut wait, reason)) = planned else {
                return Sent {
                    exchanges,
                    outcome,
                    interrupted: false,
                };
            };
            if let Some(left) = self.time_left() {
                if left.is_zero() {
                    return Sent {
                        exchanges,
                        outcome,
                        interrupted: false,
                    };
                }
                wait = wait.min(left);
            }
            if let retry::RetryReason::Status {
                retry_after: Some(asked),
            } = reason
                && (asked > wait || asked >= notice::WORTH_SAYING)
            {
                let status = outcome.as_ref().map_or(0, |r| r.status);
                self.notices.say(format!(
                    "server asked to wait {} s; waiting {} ({status} answer to {} {})",
                    asked.as_secs(),
                    notice::seconds(wait),
                    request.method,
                    exchanges.last().map_or("", |e| e.url.as_str())
                ));
            }
            if rate_limited {
                self.pause.extend(wait);
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => {
                    return Sent {
                        exchanges,
                        outcome,
                        interrupted: true,
                    };
                }
            }
        }
    }
}

/// How long an idle kept-alive connection stays in the pool (reqwest's own default, made
/// explicit): longer than any pause a run makes between two requests.
const POOL_IDLE: Duration = Duration::from_secs(90);

/// Every HTTP client of a target is built alike: no redirects or retries of its own;
/// HTTP/1.1 connections kept alive and reused from one pool (a request never pays a new
/// connection, or TLS handshake, when an idle one is there), TCP_NODELAY so a request
/// written in pieces (headers, then body) is not held back by Nagle's algorithm.
/// Connecting shares the request's timeout: a shorter connect timeout, a timer due before
/// the one the runtime sleeps towards, wakes its driver twice per new connection (two
/// eventfd writes), and a server that closes every connection makes one per request.
fn http_builder(accept_invalid_certs: bool, timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_backend_rustls()
        .danger_accept_invalid_certs(accept_invalid_certs)
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .http1_only()
        .tcp_nodelay(true)
        .pool_idle_timeout(POOL_IDLE)
        .timeout(timeout)
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    #[test]
    fn debug_and_display_of_a_client_never_show_secrets() {
        let mut target = Target::new("http://127.0.0.1:9/scim");
        target.auth = Auth::Basic {
            username: "admin".into(),
            password: SecretString::from("pw-SECRET-1"),
        };
        target.headers = vec![("X-Api-Key".into(), SecretString::from("hdr-SECRET-2"))];
        let client = Client::new(target).expect("builds");
        let shown = format!("{client:?} {client} {client:#?}");
        for secret in ["pw-SECRET-1", "hdr-SECRET-2", "YWRtaW46cHctU0VDUkVULTE="] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(shown.contains("x-api-key") && shown.contains("http://127.0.0.1:9/scim"));
        let redacted = client
            .redactor()
            .text("Basic YWRtaW46cHctU0VDUkVULTE= pw-SECRET-1 hdr-SECRET-2");
        // The first character holds bits of the user name alone, which is no secret.
        assert_eq!(redacted, "Basic Y[REDACTED] [REDACTED] [REDACTED]");
        let mut target = Target::new("http://127.0.0.1:9/scim");
        target.auth = Auth::OAuth2(ClientCredentials {
            token_url: "http://127.0.0.1:9/oauth/token".into(),
            client_id: "td-client".into(),
            client_secret: SecretString::from("cs-SECRET-3"),
            scope: None,
            params: Vec::new(),
            client_auth: ClientAuthentication::Basic,
        });
        let client = Client::new(target).expect("builds");
        let shown = format!("{client:?} {client:#?}");
        assert!(shown.contains("oauth2 client td-client"), "{shown}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    #[test]
    fn bad_targets_are_typed_errors() {
        assert!(matches!(
            Client::new(Target::new("not a url")),
            Err(ClientError::InvalidBaseUrl { .. })
        ));
        let mut target = Target::new("http://h/");
        target.headers = vec![("X-Key".into(), SecretString::from("line\nbreak"))];
        let err = Client::new(target).unwrap_err();
        assert!(matches!(err, ClientError::InvalidHeader { .. }));
        assert!(!err.to_string().contains("break"), "{err}");
    }
}
