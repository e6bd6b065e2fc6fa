//! The one place where what went over the wire becomes something to show: secrets out,
//! in every spelling a server might echo them in, before anything is cut short; control
//! characters escaped; bodies kept only up to `RECORDED_BODY_BYTES`.

mod json;
mod scan;
mod spellings;

use std::borrow::Cow;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::Value;

use crate::printable::escape_controls;
use crate::result::Exchange;

pub use spellings::Secret;
pub use spellings::WINDOW as SECRET_FRAGMENT_BYTES;

pub const REDACTED: &str = "[REDACTED]";

/// Bytes of a body kept in the record of an exchange (and so in every report); the
/// size of the whole body is noted beside it. Reports show at most 8 KiB of a body, the
/// JSON report all of what is kept.
pub const RECORDED_BODY_BYTES: usize = 64 * 1024;

/// Bytes kept of a raw body for its record: the recorded part plus enough beyond it that
/// a secret straddling the cut is still recognised (redaction before truncation).
pub const RAW_BODY_KEPT: usize = RECORDED_BODY_BYTES + scan::REACH;

/// Header names whose values are always hidden, whatever they hold.
const ALWAYS_SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// A request/response pair as it went over the wire, before redaction. Bodies hold at
/// most `RAW_BODY_KEPT` bytes; `*_body_len` says how long they were.
#[derive(Debug, Clone, Default)]
pub struct RawExchange {
    pub step: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub request_body: Option<Vec<u8>>,
    pub request_body_len: usize,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, Vec<u8>)>,
    pub response_body: Option<Vec<u8>>,
    pub response_body_len: usize,
    pub duration: Duration,
    pub error: Option<String>,
    pub attempt: u32,
}

impl RawExchange {
    /// The start of `body` to keep, and its full length.
    pub fn keep(body: &[u8]) -> (Vec<u8>, usize) {
        (body[..body.len().min(RAW_BODY_KEPT)].to_vec(), body.len())
    }
}

/// Knows every secret of a target and removes them from anything meant to be shown.
/// Clones share what they know: a secret learnt later (a fresh OAuth2 token) is known to
/// every clone.
#[derive(Clone, Default)]
pub struct Redactor {
    windows: Arc<RwLock<Arc<spellings::Windows>>>,
    /// Lower-case header names whose values are hidden.
    secret_headers: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secret_headers", &self.secret_headers)
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// `secrets`: the token, credentials and secret header values, as sent.
    pub fn new(
        secrets: impl IntoIterator<Item = impl Into<Secret>>,
        secret_headers: impl IntoIterator<Item = String>,
    ) -> Redactor {
        let secrets: Vec<Secret> = secrets.into_iter().map(Into::into).collect();
        let mut secret_headers: Vec<String> = ALWAYS_SECRET_HEADERS
            .iter()
            .map(|h| (*h).to_owned())
            .chain(secret_headers.into_iter().map(|h| h.to_ascii_lowercase()))
            .collect();
        secret_headers.sort();
        secret_headers.dedup();
        Redactor {
            windows: Arc::new(RwLock::new(Arc::new(spellings::Windows::of(&secrets)))),
            secret_headers,
        }
    }

    /// Adds a secret that came to be known while the client runs (an access token), for
    /// this redactor and every clone of it.
    pub fn learn(&self, secret: &str) {
        let mut windows = self.windows.write().unwrap_or_else(|e| e.into_inner());
        let mut more = spellings::Windows::clone(&windows);
        more.add_secret(secret);
        *windows = Arc::new(more);
    }

    /// The spellings known now.
    fn windows(&self) -> Arc<spellings::Windows> {
        Arc::clone(&self.windows.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Text made fit to show: every secret replaced by `[REDACTED]`, and control
    /// characters escaped (`printable`), since what a server sends reaches terminals.
    pub fn text(&self, text: &str) -> String {
        printable(self.replace(text, text.len()))
    }

    /// Text with every secret (and fragment of one) replaced by `[REDACTED]`, nothing
    /// else changed (for documents such as JSON that escape in their own way).
    pub fn secrets_out(&self, text: &str) -> String {
        self.replace(text, text.len()).into_owned()
    }

    /// True when `bytes` hold a secret, in any spelling.
    pub fn holds_secret(&self, bytes: &[u8]) -> bool {
        scan::holds(&self.windows(), bytes)
    }

    /// A JSON value with the secrets out of every string and name in it.
    pub fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.secrets_out(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (self.secrets_out(k), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The first `max` bytes (or fewer, on a character boundary) of `text` with its
    /// secrets out, found in the whole of `text`: a secret straddling the cut is
    /// replaced whole, never shown in part.
    fn replace<'t>(&self, text: &'t str, max: usize) -> Cow<'t, str> {
        let cut = floor_char_boundary(text, max);
        let found = scan::find(&self.windows(), text.as_bytes());
        if found.first().is_none_or(|(start, _)| *start >= cut) {
            return Cow::Borrowed(&text[..cut]);
        }
        let mut out = String::with_capacity(cut.min(text.len()));
        let mut shown = 0;
        for (start, end) in found {
            let start = floor_char_boundary(text, start).max(shown);
            if start >= cut {
                break;
            }
            out.push_str(&text[shown..start]);
            out.push_str(REDACTED);
            shown = ceil_char_boundary(text, end).min(text.len());
        }
        if shown < cut {
            out.push_str(&text[shown..cut]);
        }
        Cow::Owned(out)
    }

    /// A kept body (`RawExchange::keep`) as recorded: redacted, cut at
    /// `RECORDED_BODY_BYTES`, controls escaped; with the full size when it was cut.
    fn record(&self, kept: &[u8], full_len: usize) -> (String, Option<usize>) {
        let text = String::from_utf8_lossy(kept);
        let shown = self.replace(&text, RECORDED_BODY_BYTES);
        // The scan read the text and its escapes undone once; a parse finds more only
        // where an escape decodes to the start of another (`\\`, `\u`), so only then is
        // the body parsed again (a full parse per exchange otherwise).
        let shown = if nests_escapes(&shown) {
            match self.json_secrets_out(&shown) {
                Some(parsed_out) => Cow::Owned(parsed_out),
                None => shown,
            }
        } else {
            shown
        };
        let cut = full_len > RECORDED_BODY_BYTES || text.len() > RECORDED_BODY_BYTES;
        (printable(shown), cut.then_some(full_len))
    }

    fn headers(&self, headers: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if self.secret_headers.contains(&name) {
                    REDACTED.to_owned()
                } else {
                    self.text(&String::from_utf8_lossy(value))
                };
                let redacted = match self.replace(&name, name.len()) {
                    Cow::Owned(redacted) => Some(redacted),
                    Cow::Borrowed(_) => None,
                };
                (printable(Cow::Owned(redacted.unwrap_or(name))), value)
            })
            .collect()
    }

    /// The only way an `Exchange` is made from raw traffic.
    pub fn exchange(&self, raw: &RawExchange) -> Exchange {
        let request = raw
            .request_body
            .as_deref()
            .map(|b| self.record(b, raw.request_body_len));
        let response = raw
            .response_body
            .as_deref()
            .map(|b| self.record(b, raw.response_body_len));
        Exchange {
            step: raw.step.clone(),
            method: raw.method.clone(),
            url: self.text(&raw.url),
            request_headers: self.headers(&raw.request_headers),
            request_body_size: request.as_ref().and_then(|(_, size)| *size),
            request_body: request.map(|(body, _)| body),
            status: raw.status,
            response_headers: self.headers(&raw.response_headers),
            response_body_size: response.as_ref().and_then(|(_, size)| *size),
            response_body: response.map(|(body, _)| body),
            duration_ms: u64::try_from(raw.duration.as_millis()).unwrap_or(u64::MAX),
            error: raw.error.as_deref().map(|e| self.text(e)),
            attempt: raw.attempt,
        }
    }
}

/// `text` with its control characters escaped, copied only if it is still borrowed.
fn printable(text: Cow<'_, str>) -> String {
    match escape_controls(&text) {
        Cow::Owned(escaped) => escaped,
        Cow::Borrowed(_) => text.into_owned(),
    }
}

/// True when a JSON escape in `text` decodes to a character that could start another
/// escape: a backslash (`\\`) or any character at all (`\u`). `\"`, `\/`, `\n` and the
/// like decode to characters that begin no escape the scan knows.
fn nests_escapes(text: &str) -> bool {
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'\\' && matches!(bytes.next(), Some(b'\\' | b'u')) {
            return true;
        }
    }
    false
}

/// True when the record of an answer shows it holds no secret: its body was recorded
/// whole and nothing in the body or the response headers was redacted. Redaction scans
/// exactly that, so a second scan of the answer could find nothing.
pub fn recorded_without_secrets(exchange: &Exchange) -> bool {
    exchange.response_body_size.is_none()
        && !exchange
            .response_body
            .as_deref()
            .is_some_and(|body| body.contains(REDACTED))
        && !exchange
            .response_headers
            .iter()
            .any(|(name, value)| name.contains(REDACTED) || value.contains(REDACTED))
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests;
