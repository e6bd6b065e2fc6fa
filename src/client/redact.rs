//! The one place where raw HTTP traffic becomes a reportable `Exchange`: secrets out.

use std::time::Duration;

use crate::result::Exchange;

pub const REDACTED: &str = "[REDACTED]";

/// Header names whose values are always hidden, whatever they hold.
const ALWAYS_SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// A request/response pair as it went over the wire, before redaction.
#[derive(Debug, Clone, Default)]
pub struct RawExchange {
    pub step: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub request_body: Option<Vec<u8>>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, Vec<u8>)>,
    pub response_body: Option<Vec<u8>>,
    pub duration: Duration,
    pub error: Option<String>,
    pub attempt: u32,
}

/// Knows every secret of a target and removes them from anything meant to be shown.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Secret values and their encoded spellings, longest first so that a secret that
    /// contains another is replaced whole.
    secrets: Vec<String>,
    /// Lower-case header names whose values are hidden.
    secret_headers: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .field("secret_headers", &self.secret_headers)
            .finish()
    }
}

impl Redactor {
    pub fn new(
        secrets: impl IntoIterator<Item = String>,
        secret_headers: impl IntoIterator<Item = String>,
    ) -> Redactor {
        let mut all = Vec::new();
        for secret in secrets {
            if secret.is_empty() {
                continue;
            }
            // The same secret as it would appear in a URL or inside a JSON string.
            all.push(percent_encode(&secret));
            all.push(json_escape(&secret));
            all.push(secret);
        }
        all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        all.dedup();
        let mut secret_headers: Vec<String> = ALWAYS_SECRET_HEADERS
            .iter()
            .map(|h| (*h).to_owned())
            .chain(secret_headers.into_iter().map(|h| h.to_ascii_lowercase()))
            .collect();
        secret_headers.sort();
        secret_headers.dedup();
        Redactor {
            secrets: all,
            secret_headers,
        }
    }

    /// Text made fit to show: every secret replaced by `[REDACTED]`, and control
    /// characters escaped (`printable`), since what a server sends reaches terminals.
    pub fn text(&self, text: &str) -> String {
        crate::printable::escape_controls(&self.secrets_out(text)).into_owned()
    }

    /// Text with every occurrence of a secret replaced by `[REDACTED]`, nothing else
    /// changed (for documents such as JSON that escape in their own way).
    pub fn secrets_out(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    fn bytes(&self, bytes: &[u8]) -> String {
        self.text(&String::from_utf8_lossy(bytes))
    }

    fn headers(&self, headers: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if self.secret_headers.contains(&name) {
                    REDACTED.to_owned()
                } else {
                    self.bytes(value)
                };
                (name, value)
            })
            .collect()
    }

    /// The only way an `Exchange` is made from raw traffic.
    pub fn exchange(&self, raw: &RawExchange) -> Exchange {
        Exchange {
            step: raw.step.clone(),
            method: raw.method.clone(),
            url: self.text(&raw.url),
            request_headers: self.headers(&raw.request_headers),
            request_body: raw.request_body.as_deref().map(|b| self.bytes(b)),
            status: raw.status,
            response_headers: self.headers(&raw.response_headers),
            response_body: raw.response_body.as_deref().map(|b| self.bytes(b)),
            duration_ms: u64::try_from(raw.duration.as_millis()).unwrap_or(u64::MAX),
            error: raw.error.as_deref().map(|e| self.text(e)),
            attempt: raw.attempt,
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawExchange {
        RawExchange {
            step: "create".into(),
            method: "POST".into(),
            url: "https://scim.example/v2/Users?token=s3cr%2Ft".into(),
            request_headers: vec![
                ("Authorization".into(), b"Bearer s3cr/t".to_vec()),
                ("X-Api-Key".into(), b"k3y".to_vec()),
                ("Content-Type".into(), b"application/scim+json".to_vec()),
            ],
            request_body: Some(br#"{"password":"s3cr/t","note":"plain"}"#.to_vec()),
            status: Some(201),
            response_headers: vec![("Set-Cookie".into(), b"session=abc".to_vec())],
            response_body: Some(br#"{"echo":"s3cr\/t k3y"}"#.to_vec()),
            duration: Duration::from_millis(12),
            error: None,
            attempt: 1,
        }
    }

    #[test]
    fn exchange_hides_auth_header_secret_headers_and_secret_values() {
        let redactor = Redactor::new(
            ["s3cr/t".to_owned(), "k3y".to_owned()],
            ["x-api-key".to_owned()],
        );
        let exchange = redactor.exchange(&raw());
        let all = serde_json::to_string(&exchange).unwrap();
        for secret in ["s3cr/t", "s3cr%2Ft", "s3cr\\/t", "k3y", "session=abc"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert_eq!(
            exchange.request_headers[0],
            ("authorization".into(), REDACTED.into())
        );
        assert_eq!(
            exchange.request_headers[1],
            ("x-api-key".into(), REDACTED.into())
        );
        assert_eq!(
            exchange.request_headers[2],
            ("content-type".into(), "application/scim+json".into())
        );
        assert_eq!(
            exchange.url,
            "https://scim.example/v2/Users?token=[REDACTED]"
        );
        assert_eq!(
            exchange.request_body.as_deref(),
            Some(r#"{"password":"[REDACTED]","note":"plain"}"#)
        );
        assert_eq!(exchange.duration_ms, 12);
        assert_eq!(exchange.step, "create");
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let redactor = Redactor::new(["abc".to_owned(), "xxabcxx".to_owned()], []);
        assert_eq!(
            redactor.text("1 xxabcxx 2 abc"),
            "1 [REDACTED] 2 [REDACTED]"
        );
    }

    #[test]
    fn empty_secrets_are_ignored() {
        let redactor = Redactor::new([String::new()], []);
        assert_eq!(redactor.text("nothing to hide"), "nothing to hide");
    }

    #[test]
    fn debug_of_redactor_shows_no_secret() {
        let redactor = Redactor::new(["hunter2".to_owned()], []);
        assert!(!format!("{redactor:?}").contains("hunter2"));
    }
}
