//! OAuth2 client credentials (RFC 6749 §4.4): the bearer token a target's requests carry
//! comes from its token endpoint. It is fetched once before the first request, kept,
//! and fetched again shortly before it expires or when a request is answered 401.
//!
//! A small client on reqwest, not the `oauth2` crate: the grant is one form POST and
//! one JSON answer. The crate would bring a second reqwest (its own client is for 0.12;
//! 0.13 only through an alpha adapter) along with chrono, sha2 and older rand, and the
//! vendor's extra form fields, the redaction and the error messages would still be ours.

mod form;
mod grant;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

pub use grant::TokenError;

use super::{Redactor, Secret};

/// The longest a token is refreshed ahead of its expiry; shorter lifetimes are refreshed
/// a tenth of their lifetime ahead, so a two-second token is still used for most of it.
pub const MOST_REFRESH_AHEAD: Duration = Duration::from_secs(30);

/// How the client proves who it is to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthentication {
    /// `Authorization: Basic` with the form-encoded id and secret: what every server
    /// must support.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the request body.
    Form,
}

/// Where and how to get a token.
#[derive(Clone)]
pub struct ClientCredentials {
    pub token_url: String,
    /// Not a secret (it goes in the Basic pair or the form), like a Basic user name.
    pub client_id: String,
    pub client_secret: SecretString,
    pub scope: Option<String>,
    /// Extra form fields the vendor documents, e.g. `token_type=opaque`.
    pub params: Vec<(String, String)>,
    pub client_auth: ClientAuthentication,
}

impl ClientCredentials {
    /// Every spelling of the secret that goes over the wire: as it is, form-encoded, and
    /// in the Basic pair (base64 spellings follow from it). The client id before it is
    /// public: a fragment of the id alone is shown, one reaching into the secret is not.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        let secret = self.client_secret.expose_secret();
        let public = format!("{}:", form::encode(&self.client_id));
        vec![
            Secret::from(secret.to_owned()),
            Secret::from(form::encode(secret)),
            Secret::after(public.clone(), form::encode(secret)),
            super::target::base64_after(&public, &form::encode(secret)),
        ]
    }
}

impl fmt::Display for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "oauth2 client {} at {} (secret [REDACTED])",
            self.client_id,
            super::shown_url(&self.token_url)
        )
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A token in use: the header to send, and which fetch it came from.
#[derive(Clone)]
pub(super) struct Token {
    pub header: String,
    pub serial: u64,
    /// When to fetch the next one; `None` when the endpoint gave no lifetime.
    refresh_at: Option<Instant>,
}

/// The current token of one target, shared by every request to it.
pub(super) struct TokenSource {
    credentials: ClientCredentials,
    /// Held while a token is fetched, so concurrent requests wait for that one fetch.
    current: tokio::sync::Mutex<Option<Token>>,
    fetches: AtomicU64,
}

impl TokenSource {
    pub fn new(credentials: ClientCredentials) -> TokenSource {
        TokenSource {
            credentials,
            current: tokio::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    pub fn credentials(&self) -> &ClientCredentials {
        &self.credentials
    }

    /// The token to send now: the kept one while it is fresh, else a new one.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        redactor: &Redactor,
        timeout: Duration,
    ) -> Result<Token, TokenError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref()
            && token.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(token.clone());
        }
        let granted = grant::request(http, &self.credentials, redactor, timeout).await?;
        let received = Instant::now();
        let token = Token {
            header: format!("Bearer {}", granted.access_token.expose_secret()),
            serial: self.fetches.fetch_add(1, Ordering::Relaxed) + 1,
            refresh_at: granted
                .lifetime
                .and_then(|lifetime| received.checked_add(lifetime - refresh_ahead(lifetime))),
        };
        *current = Some(token.clone());
        Ok(token)
    }

    /// The server answered 401 to a request that carried token `serial`: the next request
    /// fetches a new one, unless another request already has.
    pub async fn refused(&self, serial: u64) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|token| token.serial == serial) {
            *current = None;
        }
    }
}

/// How long before its expiry a token of `lifetime` is replaced: the clocks of client and
/// server differ by the answer's travel time, and a request takes a while to arrive.
pub fn refresh_ahead(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MOST_REFRESH_AHEAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_refreshed_a_tenth_ahead_and_long_ones_thirty_seconds_ahead() {
        assert_eq!(
            refresh_ahead(Duration::from_secs(2)),
            Duration::from_millis(200)
        );
        assert_eq!(refresh_ahead(Duration::from_secs(3600)), MOST_REFRESH_AHEAD);
        assert_eq!(
            refresh_ahead(Duration::from_secs(31_556_952)),
            MOST_REFRESH_AHEAD
        );
        assert_eq!(refresh_ahead(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn credentials_show_the_client_and_endpoint_but_never_the_secret() {
        let credentials = ClientCredentials {
            token_url: "https://acme.example/oauth/token?tenant=x".into(),
            client_id: "td-client".into(),
            client_secret: SecretString::from("cs-SECRET-42"),
            scope: None,
            params: Vec::new(),
            client_auth: ClientAuthentication::Basic,
        };
        let shown = format!("{credentials} {credentials:?}");
        assert!(shown.contains("td-client") && shown.contains("acme.example/oauth/token"));
        assert!(
            !shown.contains("SECRET") && !shown.contains("tenant"),
            "{shown}"
        );
        let secrets = credentials.secrets();
        assert!(secrets.contains(&Secret::from("cs-SECRET-42".to_owned())));
        assert!(secrets.contains(&Secret::after("td-client:", "cs-SECRET-42")));
    }

    #[test]
    fn the_client_id_stays_readable_while_the_secret_goes_in_every_spelling() {
        let credentials = ClientCredentials {
            token_url: "https://acme.example/oauth/token".into(),
            client_id: "talkdesk-scim".into(),
            client_secret: SecretString::from("td-emulated-SECRET-42"),
            scope: None,
            params: Vec::new(),
            client_auth: ClientAuthentication::Basic,
        };
        let redactor = Redactor::new(credentials.secrets(), []);
        // The id, and a scenario named after the product, are no secret.
        let shown = redactor.text("client talkdesk-scim ran talkdesk.created-active");
        assert_eq!(shown, "client talkdesk-scim ran talkdesk.created-active");
        let basic = form::basic_header(&credentials);
        let pair = form::basic_pair(&credentials);
        for echoed in [
            "td-emulated-SECRET-42".to_owned(),
            pair.clone(),
            basic.clone(),
        ] {
            let shown = redactor.text(&format!("echo {echoed} end"));
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(!shown.contains("emulated"), "{shown}");
            assert!(shown.contains(super::super::REDACTED), "{shown}");
        }
        // In the Basic pair, what reaches into the secret goes (a few bytes of the id
        // with it); the start of the id stays, as in its base64.
        let shown = redactor.text(&pair);
        assert!(shown.starts_with("talkdes[REDACTED]"), "{shown}");
        let encoded = basic.trim_start_matches("Basic ");
        let shown = redactor.text(encoded);
        assert!(shown.starts_with(&encoded[..8]), "{shown}");
        assert!(!shown.contains(&encoded[20..28]), "{shown}");
    }
}
