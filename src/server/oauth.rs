//! An OAuth2 token endpoint for the reference server (RFC 6749 §4.4, client
//! credentials): `POST /oauth/token` issues opaque bearer tokens with a lifetime to one
//! client, and the SCIM endpoints then take only a token it issued that has not expired
//! (or the server's fixed `--token`). A vendor emulation switches it on through
//! `ServerConfig::token_endpoint`; tests count and revoke what it issued.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use super::percent_decode;

/// Where the endpoint is served, beside (not under) the SCIM base path, as vendors do.
pub const TOKEN_PATH: &str = "/oauth/token";
/// How long a token lives unless the endpoint or the request says less.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest lifetime an endpoint may be given: Talkdesk's documented year and then some.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 366 * 24 * 3600);
/// Largest token request read; the form is a few fields.
pub const MAX_FORM_BYTES: usize = 64 * 1024;
/// Unexpired tokens kept; beyond this the one expiring soonest is forgotten, so a client
/// asking in a loop cannot grow the server without bound.
const MOST_LIVE_TOKENS: usize = 10_000;

const BASIC_CHALLENGE: &str = "Basic realm=\"scimcheck\"";

/// Told of each token issued or request refused (never a secret); `serve` prints them.
pub type TokenLog = Arc<dyn Fn(String) + Send + Sync>;

/// The token endpoint's settings and what it has issued (shared by its clones).
#[derive(Clone)]
pub struct TokenEndpoint {
    pub client_id: String,
    pub client_secret: String,
    /// Longest a token lives; a request's `expires_in` may ask for less.
    pub lifetime: Duration,
    /// Scopes the client may ask for; empty allows any.
    pub scopes: Vec<String>,
    pub log: Option<TokenLog>,
    ledger: Arc<Ledger>,
}

#[derive(Default)]
struct Ledger {
    /// Token to its expiry.
    live: Mutex<HashMap<String, Instant>>,
    issued: AtomicU64,
    refused: AtomicU64,
}

impl TokenEndpoint {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> TokenEndpoint {
        TokenEndpoint {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            lifetime: DEFAULT_TOKEN_LIFETIME,
            scopes: Vec::new(),
            log: None,
            ledger: Arc::default(),
        }
    }

    /// Tokens issued since the server started.
    pub fn tokens_issued(&self) -> u64 {
        self.ledger.issued.load(Ordering::SeqCst)
    }

    /// Token requests refused since the server started.
    pub fn requests_refused(&self) -> u64 {
        self.ledger.refused.load(Ordering::SeqCst)
    }

    /// Every token issued so far stops working (a revocation on the vendor's side).
    pub fn revoke_all(&self) {
        self.live().clear();
    }

    /// True for a token this endpoint issued that has not expired.
    pub(super) fn accepts(&self, token: &str) -> bool {
        self.live()
            .get(token)
            .is_some_and(|expiry| Instant::now() < *expiry)
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.ledger.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    pub(super) fn issue_for_tests(&self, lifetime: Duration) -> String {
        self.issue(lifetime)
    }

    fn say(&self, text: String) {
        if let Some(log) = &self.log {
            log(text);
        }
    }

    /// Issues a token for `lifetime` and remembers it.
    fn issue(&self, lifetime: Duration) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let now = Instant::now();
        let mut live = self.live();
        live.retain(|_, expiry| now < *expiry);
        if live.len() >= MOST_LIVE_TOKENS
            && let Some(soonest) = live
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(token, _)| token.clone())
        {
            live.remove(&soonest);
        }
        let expiry = now
            .checked_add(lifetime.min(MAX_TOKEN_LIFETIME))
            .unwrap_or(now);
        live.insert(token.clone(), expiry);
        self.ledger.issued.fetch_add(1, Ordering::SeqCst);
        token
    }
}

/// The secret is never shown.
impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("lifetime", &self.lifetime)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A refused token request (RFC 6749 §5.2).
#[derive(Debug, PartialEq)]
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl Refusal {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Refusal {
            status,
            error,
            description: description.into(),
        }
    }

    fn request(description: impl Into<String>) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn client(description: impl Into<String>) -> Self {
        Refusal::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }
}

/// A token granted: what the answer says.
#[derive(Debug, PartialEq)]
struct Grant {
    lifetime: Duration,
    scope: Option<String>,
}

/// The axum handler of `POST /oauth/token`.
pub(super) async fn token(
    State(endpoint): State<TokenEndpoint>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match decide(&endpoint, &headers, &body) {
        Ok(grant) => {
            let token = endpoint.issue(grant.lifetime);
            endpoint.say(format!(
                "oauth: issued a token to client {}, valid for {} s",
                endpoint.client_id,
                grant.lifetime.as_secs()
            ));
            let mut answer = json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": grant.lifetime.as_secs(),
            });
            if let Some(scope) = grant.scope {
                answer["scope"] = json!(scope);
            }
            json_answer(StatusCode::OK, answer, false)
        }
        Err(refusal) => {
            endpoint.ledger.refused.fetch_add(1, Ordering::SeqCst);
            endpoint.say(format!(
                "oauth: refused a token request: {} ({})",
                refusal.error, refusal.description
            ));
            let challenge = refusal.status == StatusCode::UNAUTHORIZED;
            json_answer(
                refusal.status,
                json!({ "error": refusal.error, "error_description": refusal.description }),
                challenge,
            )
        }
    }
}

/// Token answers are never cached (RFC 6749 §5.1).
fn json_answer(status: StatusCode, body: serde_json::Value, challenge: bool) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    if challenge {
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(BASIC_CHALLENGE));
    }
    response
}

/// Whether the request earns a token, and for how long.
fn decide(endpoint: &TokenEndpoint, headers: &HeaderMap, body: &[u8]) -> Result<Grant, Refusal> {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(Refusal::request(
            "the token request must be sent as application/x-www-form-urlencoded \
             (RFC 6749 §4.4.2)",
        ));
    }
    let form = read_form(body)?;
    let field = |name: &str| form.get(name).map(String::as_str);
    authenticate(
        endpoint,
        headers,
        field("client_id"),
        field("client_secret"),
    )?;
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "this endpoint grants client_credentials only",
            ));
        }
        None => return Err(Refusal::request("grant_type is missing")),
    }
    let scope = match field("scope") {
        Some(asked) => {
            let unknown = asked
                .split(' ')
                .filter(|s| !s.is_empty())
                .find(|s| !endpoint.scopes.is_empty() && !endpoint.scopes.iter().any(|k| k == s));
            if let Some(unknown) = unknown {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    format!(
                        "scope {unknown} is not granted here; known: {}",
                        endpoint.scopes.join(" ")
                    ),
                ));
            }
            Some(asked.to_owned())
        }
        None if endpoint.scopes.is_empty() => None,
        None => Some(endpoint.scopes.join(" ")),
    };
    let lifetime = match field("expires_in") {
        None => endpoint.lifetime,
        Some(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if seconds > 0 => Duration::from_secs(seconds).min(endpoint.lifetime),
            _ => {
                return Err(Refusal::request(
                    "expires_in must be a positive whole number of seconds",
                ));
            }
        },
    };
    Ok(Grant { lifetime, scope })
}

/// The form's fields; a field given twice is refused (RFC 6749 §3.2).
fn read_form(body: &[u8]) -> Result<HashMap<String, String>, Refusal> {
    let mut fields = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if fields
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(Refusal::request(format!("{name} is given more than once")));
        }
    }
    Ok(fields)
}

/// The client proves who it is with Basic credentials or with the form's `client_id`
/// and `client_secret` (RFC 6749 §2.3.1), never both at once.
fn authenticate(
    endpoint: &TokenEndpoint,
    headers: &HeaderMap,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<(), Refusal> {
    let basic = match headers.get(AUTHORIZATION) {
        Some(value) => Some(basic_credentials(value)?),
        None => None,
    };
    let valid = match (basic, form_secret) {
        (Some(_), Some(_)) => {
            return Err(Refusal::request(
                "the client authenticated twice, with Basic credentials and in the form; \
                 use one (RFC 6749 §2.3)",
            ));
        }
        (Some(pairs), None) => pairs
            .iter()
            .any(|(id, secret)| *id == endpoint.client_id && *secret == endpoint.client_secret),
        (None, Some(secret)) => {
            form_id == Some(endpoint.client_id.as_str()) && secret == endpoint.client_secret
        }
        (None, None) => {
            return Err(Refusal::client(
                "client authentication is missing: send Basic credentials or client_id and \
                 client_secret in the form",
            ));
        }
    };
    if valid {
        Ok(())
    } else {
        Err(Refusal::client("unknown client or wrong secret"))
    }
}

/// The id and secret of a Basic `Authorization` header: as RFC 6749 §2.3.1 has them
/// (each form-encoded), and as written when a client did not encode them (Talkdesk's
/// document says only `clientId:clientSecret`). Either reading may match.
fn basic_credentials(value: &HeaderValue) -> Result<Vec<(String, String)>, Refusal> {
    let malformed = || Refusal::client("the Authorization header is not Basic credentials");
    let text = value.to_str().map_err(|_| malformed())?.trim();
    let (scheme, encoded) = text.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let pair = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = pair.split_once(':').ok_or_else(malformed)?;
    let form_decoded = |part: &str| percent_decode(&part.replace('+', " "));
    Ok(vec![
        (form_decoded(id), form_decoded(secret)),
        (id.to_owned(), secret.to_owned()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> TokenEndpoint {
        TokenEndpoint {
            lifetime: Duration::from_secs(600),
            scopes: vec!["scim".into()],
            ..TokenEndpoint::new("td client", "s3:cr+t")
        }
    }

    fn form_headers(basic: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        if let Some(pair) = basic {
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            headers.insert(
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
            );
        }
        headers
    }

    const TALKDESK_FORM: &str =
        "grant_type=client_credentials&scope=scim&token_type=opaque&expires_in=31556952";

    #[test]
    fn basic_credentials_are_read_form_encoded_or_as_they_are() {
        for pair in ["td+client:s3%3Acr%2Bt", "td client:s3:cr+t"] {
            let grant = decide(
                &endpoint(),
                &form_headers(Some(pair)),
                TALKDESK_FORM.as_bytes(),
            );
            assert_eq!(
                grant,
                Ok(Grant {
                    lifetime: Duration::from_secs(600),
                    scope: Some("scim".into())
                }),
                "{pair}"
            );
        }
    }

    #[test]
    fn form_credentials_work_but_not_together_with_basic_ones() {
        let body = "grant_type=client_credentials&client_id=td+client&client_secret=s3%3Acr%2Bt";
        assert!(decide(&endpoint(), &form_headers(None), body.as_bytes()).is_ok());
        let twice = decide(
            &endpoint(),
            &form_headers(Some("td+client:s3%3Acr%2Bt")),
            body.as_bytes(),
        );
        assert_eq!(twice.unwrap_err().error, "invalid_request");
    }

    #[test]
    fn a_wrong_or_missing_client_is_401_invalid_client_without_the_secret() {
        for headers in [form_headers(Some("td+client:wrong")), form_headers(None)] {
            let refusal = decide(&endpoint(), &headers, TALKDESK_FORM.as_bytes()).unwrap_err();
            assert_eq!(refusal.status, StatusCode::UNAUTHORIZED);
            assert_eq!(refusal.error, "invalid_client");
            assert!(!refusal.description.contains("s3"), "{refusal:?}");
        }
    }

    #[test]
    fn the_grant_the_scope_the_lifetime_and_the_form_are_checked() {
        let basic = form_headers(Some("td+client:s3%3Acr%2Bt"));
        let cases = [
            ("grant_type=password", "unsupported_grant_type"),
            ("scope=scim", "invalid_request"),
            ("grant_type=client_credentials&scope=admin", "invalid_scope"),
            (
                "grant_type=client_credentials&expires_in=soon",
                "invalid_request",
            ),
            (
                "grant_type=client_credentials&expires_in=0",
                "invalid_request",
            ),
            (
                "grant_type=client_credentials&grant_type=client_credentials",
                "invalid_request",
            ),
        ];
        for (body, error) in cases {
            let refusal = decide(&endpoint(), &basic, body.as_bytes()).unwrap_err();
            assert_eq!(refusal.error, error, "{body}");
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST, "{body}");
        }
        let mut json = basic.clone();
        json.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let refusal = decide(&endpoint(), &json, TALKDESK_FORM.as_bytes()).unwrap_err();
        assert!(refusal.description.contains("x-www-form-urlencoded"));
    }

    #[test]
    fn a_shorter_lifetime_may_be_asked_for_but_never_a_longer_one() {
        let basic = form_headers(Some("td+client:s3%3Acr%2Bt"));
        let lifetime = |body: &str| {
            decide(&endpoint(), &basic, body.as_bytes())
                .unwrap()
                .lifetime
        };
        assert_eq!(
            lifetime("grant_type=client_credentials&expires_in=2"),
            Duration::from_secs(2)
        );
        assert_eq!(lifetime(TALKDESK_FORM), Duration::from_secs(600));
        assert_eq!(
            lifetime("grant_type=client_credentials"),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn issued_tokens_are_accepted_until_they_expire_or_are_revoked() {
        let endpoint = endpoint();
        let token = endpoint.issue(Duration::from_secs(60));
        let gone = endpoint.issue(Duration::ZERO);
        assert!(endpoint.accepts(&token));
        assert!(!endpoint.accepts(&gone), "an expired token is refused");
        assert!(!endpoint.accepts("never-issued"));
        assert_eq!(endpoint.tokens_issued(), 2);
        endpoint.revoke_all();
        assert!(!endpoint.accepts(&token));
    }

    #[test]
    fn debug_never_shows_the_client_secret() {
        let shown = format!("{:?}", endpoint());
        assert!(
            shown.contains("td client") && !shown.contains("s3:cr"),
            "{shown}"
        );
    }
}
