//! What the client talks to: base URL, credentials and transport limits.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::Secret;
use super::oauth::ClientCredentials;

/// Default cap on a response body; larger answers are an error ("response too large"),
/// never buffered whole. Far above any SCIM resource or page of a list, far below what
/// would strain memory with several scenarios at once.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The SCIM service provider under test and how to reach it.
#[derive(Clone)]
pub struct Target {
    /// Base URL of the SCIM endpoint, e.g. `https://acme.example/scim/v2`.
    pub base_url: String,
    pub auth: Auth,
    /// Extra headers sent on every request (`--header 'K: V'`); values are treated as secret.
    pub headers: Vec<(String, SecretString)>,
    /// Per-request time limit (connect, send, and reading the whole body).
    pub timeout: Duration,
    /// Requests per second, spaced evenly (e.g. a vendor's documented 4/s).
    pub rate_limit: Option<NonZeroU32>,
    /// Without `rate_limit`: after repeated 429 answers, find a rate the server accepts
    /// (`adaptive`).
    pub adapt_to_rate_limits: bool,
    /// Retries after the first attempt, for 429/503 and connection failures.
    pub max_retries: u32,
    pub accept_invalid_certs: bool,
    /// Larger response bodies become an error exchange.
    pub max_body_bytes: usize,
}

impl Target {
    /// A target with no credentials and the default limits.
    pub fn new(base_url: impl Into<String>) -> Target {
        Target {
            base_url: base_url.into(),
            auth: Auth::None,
            headers: Vec::new(),
            timeout: Duration::from_secs(30),
            rate_limit: None,
            adapt_to_rate_limits: true,
            max_retries: 2,
            accept_invalid_certs: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("headers", &header_names)
            .field("timeout", &self.timeout)
            .field("rate_limit", &self.rate_limit)
            .field("adapt_to_rate_limits", &self.adapt_to_rate_limits)
            .field("max_retries", &self.max_retries)
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.base_url, self.auth)
    }
}

/// Credentials the target expects.
#[derive(Clone)]
pub enum Auth {
    None,
    Bearer(SecretString),
    Basic {
        username: String,
        password: SecretString,
    },
    /// A bearer token from an OAuth2 token endpoint, fetched while the client runs.
    OAuth2(ClientCredentials),
}

impl Auth {
    /// The `Authorization` header value, if any is known before the first request.
    pub(crate) fn header_value(&self) -> Option<String> {
        match self {
            Auth::None | Auth::OAuth2(_) => None,
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose_secret())),
            Auth::Basic { username, password } => Some(format!(
                "Basic {}",
                base64(format!("{username}:{}", password.expose_secret()).as_bytes())
            )),
        }
    }

    /// Every value that must never appear in a transcript or report. The user name is
    /// not one: only what reaches into the password is hidden in the Basic pair.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        match self {
            Auth::None => Vec::new(),
            Auth::Bearer(token) => vec![Secret::from(token.expose_secret().to_owned())],
            Auth::Basic { username, password } => {
                let public = format!("{username}:");
                vec![
                    Secret::from(password.expose_secret().to_owned()),
                    Secret::after(public.clone(), password.expose_secret()),
                    base64_after(&public, password.expose_secret()),
                ]
            }
            // The tokens it issues are learnt by the redactor as they come.
            Auth::OAuth2(credentials) => credentials.secrets(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("no auth"),
            Auth::Bearer(_) => f.write_str("bearer [REDACTED]"),
            Auth::Basic { username, .. } => write!(f, "basic {username}:[REDACTED]"),
            Auth::OAuth2(credentials) => fmt::Display::fmt(credentials, f),
        }
    }
}

/// The base64 of `public` then `secret`, as a secret after the characters made of the
/// public part's bits alone: its padding and the character shared by both parts go too.
pub(super) fn base64_after(public: &str, secret: &str) -> Secret {
    let encoded = base64(format!("{public}{secret}").as_bytes());
    let public_chars = (8 * public.len()) / 6;
    Secret::after(&encoded[..public_chars], &encoded[public_chars..])
}

/// Standard base64 with padding (RFC 4648), for the Basic credentials.
pub(super) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn basic_auth_header_encodes_user_and_password() {
        let auth = Auth::Basic {
            username: "Aladdin".into(),
            password: SecretString::from("open sesame"),
        };
        assert_eq!(
            auth.header_value().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
    }

    #[test]
    fn debug_and_display_of_target_never_show_secrets() {
        let mut target = Target::new("https://scim.example/v2");
        target.auth = Auth::Bearer(SecretString::from("tok-SECRET-123"));
        target.headers = vec![("x-api-key".into(), SecretString::from("hdr-SECRET-456"))];
        let basic = Auth::Basic {
            username: "admin".into(),
            password: SecretString::from("pw-SECRET-789"),
        };
        let shown = format!("{target:?} {target} {target:#?} {basic:?} {basic}");
        for secret in ["tok-SECRET-123", "hdr-SECRET-456", "pw-SECRET-789"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("x-api-key"));
        assert!(shown.contains("https://scim.example/v2"));
    }
}
