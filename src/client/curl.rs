//! A request as a `curl` command that a person can paste into a shell to send it again,
//! the way this client sends it. Secrets are shell variables (`$SCIM_TOKEN`,
//! `$SCIM_USER:$SCIM_PASSWORD`, `$SCIM_HEADER_<NAME>`), never their values, and the
//! redactor goes over the whole command as over every other output.

use super::{Client, HttpRequest, INVALID_BEARER_TOKEN};
use crate::vocabulary::AuthMode;

/// Bodies up to this size go on the command line; a larger one would bury the command
/// (the body is then read from a file the comment names).
pub const INLINE_BODY_BYTES: usize = 16 * 1024;

/// The variable a person sets to the bearer token.
pub const TOKEN_VAR: &str = "SCIM_TOKEN";
/// The variables a person sets to the basic-auth credentials.
pub const USER_VAR: &str = "SCIM_USER";
pub const PASSWORD_VAR: &str = "SCIM_PASSWORD";
/// The prefix of the variable for a secret header: `SCIM_HEADER_X_API_KEY`.
pub const HEADER_VAR_PREFIX: &str = "SCIM_HEADER_";

/// The file a body too large for the command line is read from.
const BODY_FILE: &str = "request-body.json";

impl Client {
    /// The `curl` command that sends `request` as this client would (same URL, method,
    /// headers and body), or None when the request has no URL under the target.
    pub fn curl(&self, request: &HttpRequest) -> Option<String> {
        // Each part is redacted before it is quoted or percent-encoded: a secret inside
        // an encoding would otherwise come out in a second one the redactor cannot see.
        let request = &self.secrets_out_of(request);
        let url = self.url_of(request).ok()?;
        let mut lines = vec![format!(
            "curl -i -sS -X {} {}",
            word(&request.method),
            single_quoted(&url)
        )];
        if self.accept_invalid_certs {
            lines.push("--insecure".into());
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        match request.auth {
            AuthMode::Default => match self.auth_header.as_deref() {
                Some(value) if value.starts_with("Basic ") => {
                    lines.push(format!("-u \"${USER_VAR}:${PASSWORD_VAR}\""));
                }
                Some(_) => headers.push((
                    "Authorization".into(),
                    double_quoted_with_var("Authorization: Bearer ", TOKEN_VAR),
                )),
                None => {}
            },
            AuthMode::Invalid => headers.push((
                "Authorization".into(),
                single_quoted(&format!("Authorization: Bearer {INVALID_BEARER_TOKEN}")),
            )),
            AuthMode::None => {}
        }
        for (name, _) in &self.extra_headers {
            let var = format!("{HEADER_VAR_PREFIX}{}", variable_part(name));
            set(
                &mut headers,
                name,
                double_quoted_with_var(&format!("{name}: "), &var),
            );
        }
        // The step's own headers win over the target's, as when sending.
        for (name, value) in &request.headers {
            set(
                &mut headers,
                name,
                single_quoted(&format!("{name}: {value}")),
            );
        }
        if request.body.is_some() && !headers.iter().any(|(n, _)| is(n, "content-type")) {
            headers.push((
                "Content-Type".into(),
                single_quoted("Content-Type: application/scim+json"),
            ));
        }
        lines.extend(
            headers
                .into_iter()
                .map(|(_, header)| format!("-H {header}")),
        );
        let mut comment = String::new();
        if let Some(body) = &request.body {
            if body.len() <= INLINE_BODY_BYTES {
                lines.push(format!(
                    "--data-raw {}",
                    single_quoted(&String::from_utf8_lossy(body))
                ));
            } else {
                comment = format!(
                    "# the request body ({} bytes) is too long to show here: save it as {BODY_FILE}\n",
                    body.len()
                );
                lines.push(format!("--data-binary @{BODY_FILE}"));
            }
        }
        // One option a line, so a long command still reads.
        let command = format!("{comment}{}", lines.join(" \\\n  "));
        Some(self.redactor.secrets_out(&command))
    }
}

impl Client {
    fn secrets_out_of(&self, request: &HttpRequest) -> HttpRequest {
        let out = |text: &str| self.redactor.secrets_out(text);
        HttpRequest {
            path: out(&request.path),
            query: request
                .query
                .iter()
                .map(|(n, v)| (out(n), out(v)))
                .collect(),
            headers: request
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), out(v)))
                .collect(),
            body: request
                .body
                .as_ref()
                .map(|body| out(&String::from_utf8_lossy(body)).into_bytes()),
            ..request.clone()
        }
    }
}

fn is(name: &str, wanted: &str) -> bool {
    name.eq_ignore_ascii_case(wanted)
}

/// Replaces a header of the same name (names are case-insensitive), or adds it.
fn set(headers: &mut Vec<(String, String)>, name: &str, shell_word: String) {
    match headers.iter_mut().find(|(n, _)| is(n, name)) {
        Some(slot) => *slot = (name.to_owned(), shell_word),
        None => headers.push((name.to_owned(), shell_word)),
    }
}

/// A word the shell takes as it is: bare when it holds only harmless characters.
fn word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        text.to_owned()
    } else {
        single_quoted(text)
    }
}

/// `'text'`, a single quote inside written as `'\''`: the shell takes it literally.
pub fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `"literal$VAR"`: the literal part with `\`, `"`, `$` and `` ` `` escaped, so only the
/// variable is expanded.
fn double_quoted_with_var(literal: &str, var: &str) -> String {
    let mut out = String::from("\"");
    for c in literal.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('$');
    out.push_str(var);
    out.push('"');
    out
}

/// `x-api-key` → `X_API_KEY`: what a shell variable name may hold.
fn variable_part(header: &str) -> String {
    header
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::client::{Auth, Target};

    const TOKEN: &str = "tok-SECRET-123456";

    fn client(auth: Auth, headers: &[(&str, &str)]) -> Client {
        let mut target = Target::new("http://127.0.0.1:9/scim/v2");
        target.auth = auth;
        target.headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), SecretString::from(*v)))
            .collect();
        Client::new(target).expect("builds")
    }

    fn post(body: &str) -> HttpRequest {
        HttpRequest {
            step: "create".into(),
            method: "POST".into(),
            path: "/Users".into(),
            body: Some(body.as_bytes().to_vec()),
            ..HttpRequest::default()
        }
    }

    #[test]
    fn a_bearer_request_names_the_token_variable_and_quotes_the_body() {
        let client = client(Auth::Bearer(SecretString::from(TOKEN)), &[]);
        let command = client
            .curl(&post(r#"{"userName":"o'hara"}"#))
            .expect("a URL");
        assert_eq!(
            command,
            "curl -i -sS -X POST 'http://127.0.0.1:9/scim/v2/Users' \\\n  \
             -H \"Authorization: Bearer $SCIM_TOKEN\" \\\n  \
             -H 'Content-Type: application/scim+json' \\\n  \
             --data-raw '{\"userName\":\"o'\\''hara\"}'"
        );
    }

    #[test]
    fn basic_auth_and_secret_headers_are_variables_never_values() {
        let client = client(
            Auth::Basic {
                username: "ada".into(),
                password: SecretString::from("pw-SECRET-9876"),
            },
            &[("X-Api-Key", "hdr-SECRET-abcdef")],
        );
        let get = HttpRequest {
            method: "GET".into(),
            path: "/Users".into(),
            query: vec![("filter".into(), "userName eq \"a\"".into())],
            ..HttpRequest::default()
        };
        let command = client.curl(&get).expect("a URL");
        assert!(
            command.contains(r#"-u "$SCIM_USER:$SCIM_PASSWORD""#),
            "{command}"
        );
        assert!(
            command.contains(r#"-H "x-api-key: $SCIM_HEADER_X_API_KEY""#),
            "{command}"
        );
        assert!(command.contains("filter=userName+eq+%22a%22"), "{command}");
        assert!(!command.contains("SECRET"), "{command}");
        assert!(!command.contains("ada"), "{command}");
    }

    #[test]
    fn the_invalid_token_is_sent_as_is_and_no_auth_sends_none() {
        let client = client(Auth::Bearer(SecretString::from(TOKEN)), &[]);
        let mut request = post("{}");
        request.auth = AuthMode::Invalid;
        let command = client.curl(&request).expect("a URL");
        assert!(command.contains(INVALID_BEARER_TOKEN), "{command}");
        assert!(!command.contains("SCIM_TOKEN"), "{command}");
        request.auth = AuthMode::None;
        let command = client.curl(&request).expect("a URL");
        assert!(!command.contains("Authorization"), "{command}");
    }

    #[test]
    fn a_step_header_replaces_the_default_content_type() {
        let client = client(Auth::None, &[]);
        let mut request = post("{}");
        request.headers = vec![("content-type".into(), "application/json".into())];
        let command = client.curl(&request).expect("a URL");
        assert!(
            command.contains("-H 'content-type: application/json'"),
            "{command}"
        );
        assert!(!command.contains("scim+json"), "{command}");
    }

    #[test]
    fn a_secret_the_body_echoes_is_redacted() {
        let client = client(Auth::Bearer(SecretString::from(TOKEN)), &[]);
        let command = client
            .curl(&post(&format!(r#"{{"note":"{TOKEN}"}}"#)))
            .expect("a URL");
        assert!(!command.contains("SECRET"), "{command}");
        assert!(command.contains("[REDACTED]"), "{command}");
    }

    #[test]
    fn a_large_body_is_read_from_a_file() {
        let client = client(Auth::None, &[]);
        let body = format!(r#"{{"a":"{}"}}"#, "x".repeat(INLINE_BODY_BYTES));
        let command = client.curl(&post(&body)).expect("a URL");
        assert!(command.starts_with("# the request body ("), "{command}");
        assert!(
            command.ends_with("--data-binary @request-body.json"),
            "{command}"
        );
        assert!(command.len() < 1000);
    }

    #[test]
    fn a_request_outside_the_target_has_no_command() {
        let client = client(Auth::None, &[]);
        let mut request = post("{}");
        request.path = "http://elsewhere.example/Users".into();
        assert_eq!(client.curl(&request), None);
    }

    #[test]
    fn variable_names_hold_only_letters_digits_and_underscores() {
        assert_eq!(variable_part("x-api.key"), "X_API_KEY");
        assert_eq!(double_quoted_with_var("a$b\"c: ", "V"), r#""a\$b\"c: $V""#);
    }
}
