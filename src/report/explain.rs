//! A failure as the person who must fix the server needs it: what failed, the rule and
//! its RFC section, the request and the part of the answer that matters, and a `curl`
//! command that sends the request again. Where the check sits in our scenario YAML
//! comes last, for scenario authors.
//!
//! Every writer renders the same [`Explanation`]: the console, JUnit and Markdown as
//! the text of [`Explanation::text`], HTML from its parts.

use std::fmt::Write as _;

use serde_json::Value;

use super::citation::{Citation, cite};
use super::text::{collapse_whitespace, indent, truncate_chars};
use crate::result::{CheckFailure, Exchange, ScenarioResult};

/// Lines of a response body shown in an excerpt; the whole body is in the transcript.
pub const EXCERPT_LINES: usize = 12;
/// The members of a SCIM error body (RFC 7644 section 3.12).
const ERROR_MEMBERS: [&str; 4] = ["schemas", "status", "scimType", "detail"];
/// Characters of one excerpt line; a long string value is cut, not wrapped.
const EXCERPT_LINE_CHARS: usize = 160;
/// Characters of an expected or actual value before it is cut.
const VALUE_CHARS: usize = 2000;
/// A headline longer than this puts expected and actual on lines of their own.
const HEADLINE_CHARS: usize = 160;

/// The failures of one scenario, step by step, with the rules they break.
#[derive(Debug)]
pub struct Explanation<'a> {
    /// The scenario's requirements.
    pub citations: Vec<Citation>,
    pub steps: Vec<StepFailures<'a>>,
}

/// The failed checks of one step and what the step sent and got.
#[derive(Debug)]
pub struct StepFailures<'a> {
    pub step: &'a str,
    pub checks: Vec<&'a CheckFailure>,
    /// The step's last attempt (the one its checks judged), when it sent a request.
    pub exchange: Option<&'a Exchange>,
    /// The command that sends the request again.
    pub curl: Option<&'a str>,
}

/// The part of an answer a failure is about.
#[derive(Debug, PartialEq, Eq)]
pub struct ResponseExcerpt {
    /// `HTTP 200`, or `no response after 30000 ms: timed out`.
    pub status_line: String,
    /// `content-type`, and every header a failed check names (`(absent)` when missing).
    pub headers: Vec<(String, String)>,
    pub body: Option<BodyExcerpt>,
}

/// The lines of a body around the failing path, pretty-printed when it is JSON.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyExcerpt {
    pub text: String,
    /// What was left out (`3 more attributes`, `12 more lines`), to say so.
    pub left_out: Option<String>,
}

impl<'a> Explanation<'a> {
    pub fn of(result: &'a ScenarioResult, failures: &'a [CheckFailure]) -> Explanation<'a> {
        let mut steps: Vec<StepFailures<'a>> = Vec::new();
        for failure in failures {
            match steps.iter_mut().find(|s| s.step == failure.step) {
                Some(step) => {
                    step.checks.push(failure);
                    if step.curl.is_none() {
                        step.curl = failure.curl.as_deref();
                    }
                }
                None => steps.push(StepFailures {
                    step: &failure.step,
                    checks: vec![failure],
                    exchange: result
                        .exchanges
                        .iter()
                        .rev()
                        .find(|e| e.step == failure.step),
                    curl: failure.curl.as_deref(),
                }),
            }
        }
        Explanation {
            citations: result.requirement.iter().map(|id| cite(id)).collect(),
            steps,
        }
    }

    /// Plain text, sections in the order a reader fixing the server needs them; the
    /// code frames of the scenario YAML follow when `frames` is set, else one line says
    /// where the checks are.
    pub fn text(&self, frames: bool) -> String {
        let mut out = String::new();
        for step in &self.steps {
            for check in &step.checks {
                out.push_str(&headline(check));
                out.push('\n');
                if let Some(hint) = &check.hint {
                    let _ = writeln!(out, "hint: {}", collapse_whitespace(hint));
                }
            }
        }
        for citation in &self.citations {
            let _ = write!(out, "rule: {}", citation.words());
            if let Some(url) = &citation.url {
                let _ = write!(out, " <{url}>");
            }
            out.push('\n');
        }
        for step in &self.steps {
            if let Some(exchange) = step.exchange {
                let _ = writeln!(out, "request: {}", request_line(exchange));
                let response = step.response();
                let _ = writeln!(out, "response: {}", response.status_line);
                let mut shown = String::new();
                for (name, value) in &response.headers {
                    let _ = writeln!(shown, "{name}: {value}");
                }
                if let Some(body) = &response.body {
                    shown.push_str(&body.text);
                    shown.push('\n');
                    if let Some(left_out) = &body.left_out {
                        let _ = writeln!(shown, "({left_out})");
                    }
                }
                out.push_str(&indent(&shown, "  "));
            }
            if let Some(curl) = step.curl {
                let _ = writeln!(out, "{}:", reproduce_label(curl));
                out.push_str(&indent(curl, "  "));
            }
        }
        let mut unframed: Vec<&str> = Vec::new();
        for check in self.steps.iter().flat_map(|s| &s.checks) {
            let rendered = check.rendered.trim_end();
            if frames && !rendered.is_empty() {
                out.push('\n');
                out.push_str(rendered);
                out.push('\n');
            } else if !check.location.is_empty() && !unframed.contains(&check.location.as_str()) {
                unframed.push(&check.location);
            }
        }
        if !unframed.is_empty() {
            let _ = writeln!(out, "scenario: {}", unframed.join(", "));
        }
        out
    }

    /// Where the failed checks are in the scenario files, each once.
    pub fn locations(&self) -> Vec<&'a str> {
        let mut seen: Vec<&str> = Vec::new();
        for check in self.steps.iter().flat_map(|s| &s.checks) {
            if !check.location.is_empty() && !seen.contains(&check.location.as_str()) {
                seen.push(&check.location);
            }
        }
        seen
    }
}

impl StepFailures<'_> {
    /// The answer the checks judged, cut to what they are about.
    pub fn response(&self) -> ResponseExcerpt {
        let Some(exchange) = self.exchange else {
            return ResponseExcerpt {
                status_line: "no request was sent".into(),
                headers: Vec::new(),
                body: None,
            };
        };
        let status_line = match exchange.status {
            Some(status) => format!("HTTP {status}"),
            None => format!(
                "no response after {} ms: {}",
                exchange.duration_ms,
                collapse_whitespace(exchange.error.as_deref().unwrap_or("no answer"))
            ),
        };
        let mut wanted: Vec<String> = vec!["content-type".into()];
        for check in &self.checks {
            if let Some(name) = check.subject.strip_prefix("header ") {
                let name = name.trim().to_ascii_lowercase();
                if !wanted.contains(&name) {
                    wanted.push(name);
                }
            }
        }
        let headers = if exchange.status.is_some() {
            wanted
                .iter()
                .filter_map(|name| {
                    let found: Vec<&str> = exchange
                        .response_headers
                        .iter()
                        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.as_str())
                        .collect();
                    match found.as_slice() {
                        // content-type is only context: no line when it is missing
                        // and no check names it.
                        [] if name == "content-type" && wanted.len() == 1 => None,
                        [] => Some((name.clone(), "(absent)".to_owned())),
                        values => Some((name.clone(), values.join(", "))),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut paths: Vec<&str> = self
            .checks
            .iter()
            .filter_map(|c| c.subject.strip_prefix("body."))
            .collect();
        if paths.is_empty() && self.checks.iter().any(|c| c.subject == "status") {
            // For a wrong status, what the server said about it (when it said anything).
            paths.extend(ERROR_MEMBERS);
        }
        let body = exchange
            .response_body
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .map(|b| body_excerpt(b, exchange.response_body_size, &paths));
        ResponseExcerpt {
            status_line,
            headers,
            body,
        }
    }
}

/// `reproduce (with SCIM_TOKEN set)`: the label of a `curl` command, naming the shell
/// variables it needs.
pub fn reproduce_label(curl: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in curl.match_indices("$SCIM_") {
        let name = &curl[at + 1..];
        let end = name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(name.len());
        if !names.contains(&&name[..end]) {
            names.push(&name[..end]);
        }
    }
    if names.is_empty() {
        "reproduce".to_owned()
    } else {
        format!("reproduce (with {} set)", names.join(", "))
    }
}

/// `PATCH http://host/scim/v2/Groups/g-1`.
pub fn request_line(exchange: &Exchange) -> String {
    format!("{} {}", exchange.method, exchange.url)
}

/// `add member: body.members: expected present, got absent`, or with long values the
/// expected and actual values on lines of their own.
fn headline(check: &CheckFailure) -> String {
    let expected = truncate_chars(check.expected.trim(), VALUE_CHARS);
    let actual = truncate_chars(check.actual.trim(), VALUE_CHARS);
    let line = format!(
        "{}: {}: expected {expected}, got {actual}",
        check.step, check.subject
    );
    if !line.contains('\n') && line.chars().count() <= HEADLINE_CHARS {
        return line;
    }
    format!(
        "{}: {}\n  expected: {}\n  got: {}",
        check.step,
        check.subject,
        hanging(&expected),
        hanging(&actual)
    )
}

/// A value that may span lines, its later lines indented under the first.
fn hanging(text: &str) -> String {
    if text.contains('\n') {
        format!("\n{}", indent(text, "    ").trim_end())
    } else {
        text.to_owned()
    }
}

/// The lines of `body` that matter for checks of `paths` (SCIM paths without `body.`):
/// a short JSON body whole, pretty-printed; of a longer JSON object, the top-level
/// attributes the paths name; else the start of the body. `full_size` is the body's size when the record holds only its start.
pub fn body_excerpt(body: &str, full_size: Option<usize>, paths: &[&str]) -> BodyExcerpt {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        let (text, more) = first_lines(body);
        let cut = match (more, full_size) {
            (_, Some(size)) => Some(format!("the body has {size} bytes")),
            (0, None) => None,
            (n, None) => Some(format!("{n} more lines")),
        };
        return BodyExcerpt {
            text,
            left_out: cut,
        };
    };
    let whole = serde_json::to_string_pretty(&json).unwrap_or_else(|_| body.to_owned());
    if whole.lines().count() <= EXCERPT_LINES {
        return BodyExcerpt {
            text: whole,
            left_out: None,
        };
    }
    let (shown, others) = match &json {
        Value::Object(fields) => {
            let named: serde_json::Map<String, Value> = fields
                .iter()
                .filter(|(key, _)| paths.iter().any(|p| names(p, key)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if named.is_empty() {
                (json.clone(), 0)
            } else {
                let others = fields.len() - named.len();
                (Value::Object(named), others)
            }
        }
        _ => (json.clone(), 0),
    };
    let pretty = serde_json::to_string_pretty(&shown).unwrap_or_else(|_| body.to_owned());
    let (text, more) = first_lines(&pretty);
    let mut left_out = Vec::new();
    if others > 0 {
        left_out.push(format!(
            "{others} other attribute{} not shown",
            if others == 1 { "" } else { "s" }
        ));
    }
    if more > 0 {
        left_out.push(format!("{more} more lines"));
    }
    BodyExcerpt {
        text,
        left_out: (!left_out.is_empty()).then(|| left_out.join("; ")),
    }
}

/// True when the SCIM path starts with the attribute `key` (names are
/// case-insensitive; `key` may be a schema URN the path goes on from with `:`).
fn names(path: &str, key: &str) -> bool {
    let path = path.trim();
    path.len() >= key.len()
        && path.is_char_boundary(key.len())
        && path[..key.len()].eq_ignore_ascii_case(key)
        && matches!(
            path[key.len()..].chars().next(),
            None | Some('.' | '[' | ':' | ' ')
        )
}

/// At most `EXCERPT_LINES` lines of at most `EXCERPT_LINE_CHARS` characters, and how
/// many lines were left out.
fn first_lines(text: &str) -> (String, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let shown: Vec<String> = lines
        .iter()
        .take(EXCERPT_LINES)
        .map(|line| truncate_chars(line, EXCERPT_LINE_CHARS))
        .collect();
    (shown.join("\n"), lines.len().saturating_sub(EXCERPT_LINES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_keeps_the_attribute_the_check_names() {
        let body = format!(
            r#"{{"id":"1","userName":"ada","emails":[{{"value":"a@x"}}],"meta":{{}},"groups":[{}]}}"#,
            ["1"; EXCERPT_LINES].join(",")
        );
        let excerpt = body_excerpt(&body, None, &["Emails[type eq \"work\"].value"]);
        assert_eq!(
            excerpt.text,
            "{\n  \"emails\": [\n    {\n      \"value\": \"a@x\"\n    }\n  ]\n}"
        );
        assert_eq!(
            excerpt.left_out.as_deref(),
            Some("4 other attributes not shown")
        );
    }

    #[test]
    fn an_absent_attribute_shows_the_body_that_lacks_it() {
        let excerpt = body_excerpt(r#"{"id":"1"}"#, None, &["displayName"]);
        assert_eq!(excerpt.text, "{\n  \"id\": \"1\"\n}");
        assert_eq!(excerpt.left_out, None);
    }

    #[test]
    fn an_extension_urn_is_an_attribute_of_the_path() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let long = "x".repeat(EXCERPT_LINES);
        let body = format!(
            r#"{{"id":"1","{urn}":{{"employeeNumber":"7"}},"roles":{:?}}}"#,
            long.split("").filter(|s| !s.is_empty()).collect::<Vec<_>>()
        );
        let excerpt = body_excerpt(&body, None, &[&format!("{urn}:employeeNumber")]);
        assert!(excerpt.text.contains("employeeNumber"), "{}", excerpt.text);
        assert!(!excerpt.text.contains("\"id\""), "{}", excerpt.text);
    }

    #[test]
    fn a_long_body_is_cut_to_its_first_lines_and_says_so() {
        let body = serde_json::to_string(&(0..100).collect::<Vec<_>>()).unwrap();
        let excerpt = body_excerpt(&body, None, &[]);
        assert_eq!(excerpt.text.lines().count(), EXCERPT_LINES);
        assert_eq!(
            excerpt.left_out.as_deref(),
            Some(format!("{} more lines", 102 - EXCERPT_LINES).as_str())
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_shown_as_it_is() {
        let excerpt = body_excerpt("<html>oops</html>", Some(9000), &["id"]);
        assert_eq!(excerpt.text, "<html>oops</html>");
        assert_eq!(excerpt.left_out.as_deref(), Some("the body has 9000 bytes"));
    }

    #[test]
    fn the_reproduce_label_names_the_variables_to_set() {
        assert_eq!(reproduce_label("curl x"), "reproduce");
        assert_eq!(
            reproduce_label(r#"curl -u "$SCIM_USER:$SCIM_PASSWORD" -H "k: $SCIM_HEADER_K""#),
            "reproduce (with SCIM_USER, SCIM_PASSWORD, SCIM_HEADER_K set)"
        );
    }

    #[test]
    fn paths_name_attributes_only_at_a_boundary() {
        assert!(names("meta.version", "meta"));
        assert!(names("Members[value eq \"1\"]", "members"));
        assert!(!names("metadata", "meta"));
        assert!(!names("me", "meta"));
    }
}
