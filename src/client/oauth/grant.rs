//! One token request and what its answer means: an access token with its lifetime
//! (RFC 6749 §5.1), or an error that says what went wrong without repeating a secret.

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use secrecy::SecretString;
use serde_json::Value;

use super::{ClientAuthentication, ClientCredentials, form};
use crate::client::{Redactor, attempt, shown_url};

/// Largest token answer read: a token is a few hundred bytes, a JWT a few KB.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Characters of a server's own words (an `error_description`, a non-JSON body) shown.
const SHOWN_CHARS: usize = 200;

/// What the token endpoint granted.
pub struct Granted {
    pub access_token: SecretString,
    /// `expires_in`, when the answer gives one (RFC 6749 makes it optional).
    pub lifetime: Option<Duration>,
}

/// Why no token came. Every text from the server is already redacted and printable.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenError {
    Unreachable {
        url: String,
        reason: String,
    },
    /// An error answer (RFC 6749 §5.2), with its `error` code and description if given.
    Refused {
        url: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    NotJson {
        url: String,
        status: u16,
        content_type: String,
        start: String,
    },
    /// A success answer without an access token this client can send.
    NoToken {
        url: String,
        why: &'static str,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Unreachable { url, reason } => {
                write!(f, "cannot reach the OAuth2 token endpoint {url}: {reason}")
            }
            TokenError::Refused {
                url,
                status,
                error,
                description,
            } => {
                write!(f, "the OAuth2 token endpoint {url} answered {status}")?;
                if let Some(error) = error {
                    write!(f, " {error}")?;
                }
                if let Some(description) = description {
                    write!(f, " ({description})")?;
                }
                f.write_str(hint(*status, error.as_deref()))
            }
            TokenError::NotJson {
                url,
                status,
                content_type,
                start,
            } => write!(
                f,
                "the OAuth2 token endpoint {url} answered {status} with {content_type}, not a \
                 JSON token response (RFC 6749 §5.1){}{start}",
                if start.is_empty() { "" } else { ": " }
            ),
            TokenError::NoToken { url, why } => write!(
                f,
                "the OAuth2 token endpoint {url} answered without a usable access token: {why} \
                 (RFC 6749 §5.1)"
            ),
        }
    }
}

/// What to check, for the errors a user can fix.
fn hint(status: u16, error: Option<&str>) -> &'static str {
    match error {
        Some("invalid_client") => {
            "; check the client id and secret, and whether the endpoint takes them as Basic \
             credentials or in the form (--oauth-client-auth basic|form)"
        }
        Some("invalid_scope") => "; check the scope asked for (--oauth-scope)",
        Some("unauthorized_client" | "unsupported_grant_type") => {
            "; this client may not use the client-credentials grant"
        }
        _ if status == 401 => "; check the client id and secret",
        _ => "",
    }
}

/// Asks the token endpoint for a token; learns it into `redactor` before anything else
/// can show it.
pub async fn request(
    http: &reqwest::Client,
    credentials: &ClientCredentials,
    redactor: &Redactor,
    timeout: Duration,
) -> Result<Granted, TokenError> {
    let url = shown_url(&credentials.token_url);
    let unreachable = |reason: String| TokenError::Unreachable {
        url: url.clone(),
        reason: redactor.text(&reason),
    };
    let mut builder = http
        .post(&credentials.token_url)
        .timeout(timeout)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, concat!("scimcheck/", env!("CARGO_PKG_VERSION")))
        .body(form::body(&form::fields(credentials)));
    if credentials.client_auth == ClientAuthentication::Basic {
        builder = builder.header(AUTHORIZATION, form::basic_header(credentials));
    }
    // The URL is left out of reqwest's words: its query may hold a secret.
    let mut response = builder
        .send()
        .await
        .map_err(|e| unreachable(attempt::describe(&e.without_url(), timeout)))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_owned();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(attempt::describe(&e.without_url(), timeout)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(unreachable(format!(
                "the answer is larger than {} KiB, too large for a token",
                MAX_ANSWER_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    read_answer(&url, status, &content_type, &body, redactor)
}

/// The meaning of a token endpoint's answer.
pub fn read_answer(
    url: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
    redactor: &Redactor,
) -> Result<Granted, TokenError> {
    let json: Option<Value> = serde_json::from_slice(body).ok().filter(Value::is_object);
    // Learnt first: whatever happens next, the token is never shown.
    let token = json
        .as_ref()
        .and_then(|j| j.get("access_token"))
        .and_then(Value::as_str);
    if let Some(token) = token {
        redactor.learn(token);
    }
    let shown = |text: &str| -> String { redactor.text(text).chars().take(SHOWN_CHARS).collect() };
    let Some(json) = json else {
        return Err(TokenError::NotJson {
            url: url.to_owned(),
            status,
            content_type: shown(content_type),
            start: shown(String::from_utf8_lossy(body).trim()),
        });
    };
    if !(200..300).contains(&status) {
        let text = |name: &str| json.get(name).and_then(Value::as_str).map(shown);
        return Err(TokenError::Refused {
            url: url.to_owned(),
            status,
            error: text("error"),
            description: text("error_description"),
        });
    }
    let no_token = |why| TokenError::NoToken {
        url: url.to_owned(),
        why,
    };
    let token = match json.get("access_token") {
        None => return Err(no_token("the answer has no access_token")),
        Some(Value::String(token)) => token,
        Some(_) => return Err(no_token("access_token is not a string")),
    };
    if token.is_empty() {
        return Err(no_token("access_token is empty"));
    }
    if token.chars().any(|c| !(' '..='~').contains(&c)) {
        return Err(no_token(
            "access_token holds characters an HTTP header cannot carry (not shown)",
        ));
    }
    Ok(Granted {
        access_token: SecretString::from(token.clone()),
        lifetime: json.get("expires_in").and_then(lifetime),
    })
}

/// `expires_in` as seconds; servers write it as a number or as a string of digits.
fn lifetime(value: &Value) -> Option<Duration> {
    let seconds = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds.max(0.0)).ok()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    const URL: &str = "https://acme.example/oauth/token";

    fn read(status: u16, body: &str) -> (Result<Granted, TokenError>, Redactor) {
        let redactor = Redactor::new(["client-SECRET-77".to_owned()], []);
        let answer = read_answer(URL, status, "application/json", body.as_bytes(), &redactor);
        (answer, redactor)
    }

    #[test]
    fn a_token_answer_gives_the_token_and_its_lifetime_and_the_token_is_learnt() {
        let (answer, redactor) = read(
            200,
            r#"{"access_token":"tok-ISSUED-123456","token_type":"Bearer","expires_in":3600}"#,
        );
        let granted = answer.unwrap();
        assert_eq!(granted.access_token.expose_secret(), "tok-ISSUED-123456");
        assert_eq!(granted.lifetime, Some(Duration::from_secs(3600)));
        assert_eq!(redactor.text("x tok-ISSUED-123456 y"), "x [REDACTED] y");
    }

    #[test]
    fn expires_in_reads_numbers_and_digit_strings_and_ignores_the_rest() {
        assert_eq!(
            lifetime(&"31556952".into()),
            Some(Duration::from_secs(31_556_952))
        );
        assert_eq!(lifetime(&2.5.into()), Some(Duration::from_millis(2500)));
        assert_eq!(lifetime(&(-5).into()), Some(Duration::ZERO));
        assert_eq!(lifetime(&"soon".into()), None);
        assert_eq!(lifetime(&Value::Null), None);
        assert_eq!(lifetime(&1e300.into()), None);
    }

    #[test]
    fn an_oauth_error_answer_names_the_error_and_hints_at_the_fix() {
        let (answer, _) = read(
            401,
            r#"{"error":"invalid_client","error_description":"bad client-SECRET-77"}"#,
        );
        let text = answer.err().unwrap().to_string();
        assert!(text.contains("answered 401 invalid_client"), "{text}");
        assert!(text.contains("--oauth-client-auth"), "{text}");
        assert!(!text.contains("SECRET"), "the secret was echoed: {text}");
    }

    #[test]
    fn a_non_json_answer_is_shown_short_redacted_and_printable() {
        let redactor = Redactor::new(["client-SECRET-77".to_owned()], []);
        let body = format!(
            "<html>\u{1b}[2J client-SECRET-77 {}</html>",
            "x".repeat(500)
        );
        let err = read_answer(URL, 502, "text/html", body.as_bytes(), &redactor)
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(text.contains("answered 502 with text/html"), "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains("SECRET"),
            "{text}"
        );
        assert!(text.len() < 400, "{text}");
    }

    #[test]
    fn a_success_without_a_usable_token_says_why_without_showing_it() {
        for (body, why) in [
            (r#"{"token_type":"Bearer"}"#, "no access_token"),
            (r#"{"access_token":42}"#, "not a string"),
            (r#"{"access_token":""}"#, "empty"),
            (r#"{"access_token":"tok-LINE\nBREAK-99"}"#, "cannot carry"),
        ] {
            let (answer, _) = read(200, body);
            let text = answer.err().unwrap().to_string();
            assert!(text.contains(why), "{body}: {text}");
            assert!(!text.contains("BREAK"), "{text}");
        }
    }
}
