//! Assertions on one exchange: status, headers, body matchers, JSON Schema.
//!
//! Checks never panic on what a server sends: an HTML page where JSON was expected is a
//! failure that says what came.

mod failure;
pub mod latitude;
mod matcher;
mod schema;
mod value;

use std::sync::Arc;

use serde_json::Value;

use crate::client::{HttpResponse, parse_json};
use crate::printable::truncate;
use crate::result::CheckFailure;
use crate::scim::{self, Selected, get_attr};
use crate::suite::model::{Expectation, Template, TemplateValue};

pub use failure::Failed;
pub use matcher::{Eval, Verdict, is_scim_json};
pub use schema::{SchemaError, SchemaSet, Violation};
pub use value::{json_eq, show, subset_match};

/// Renders the templates inside matchers (captures, variables, step references).
pub trait Resolve {
    fn value(&self, value: &TemplateValue) -> Result<Value, String>;
    fn text(&self, template: &Template) -> Result<String, String>;
}

/// How many bytes of a non-JSON body a failure quotes.
const QUOTED_BYTES: usize = 120;

/// A response body as the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// Shared: the body is kept for later steps' references without a deep copy.
    Json(Arc<Value>),
    /// Empty, or not JSON: the words say what came instead.
    NotJson(String),
}

impl ResponseBody {
    pub fn parse(response: &HttpResponse) -> ResponseBody {
        let content_type = response
            .header("content-type")
            .unwrap_or_else(|| "no content-type".into());
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return ResponseBody::NotJson(format!("an empty body ({content_type})"));
        }
        match parse_json(&response.body) {
            Ok(value) => ResponseBody::Json(Arc::new(value)),
            Err(e) => {
                let head = &response.body[..response.body.len().min(QUOTED_BYTES)];
                let more = if response.body.len() > QUOTED_BYTES {
                    "…"
                } else {
                    ""
                };
                ResponseBody::NotJson(format!(
                    "{content_type} body of {} bytes that is not JSON ({e}), starting with \"{}{more}\"",
                    response.body.len(),
                    String::from_utf8_lossy(head).escape_debug()
                ))
            }
        }
    }

    pub fn json(&self) -> Option<&Value> {
        match self {
            ResponseBody::Json(v) => Some(v),
            ResponseBody::NotJson(_) => None,
        }
    }

    /// The body in the one form the checks compare (see `latitude::normalize`).
    pub fn normalized(self) -> ResponseBody {
        match self {
            ResponseBody::Json(value) => {
                ResponseBody::Json(Arc::new(latitude::normalize(Arc::unwrap_or_clone(value))))
            }
            other => other,
        }
    }
}

/// Every check of `expect` on `response`; empty when all hold.
pub fn check_response(
    step: &str,
    expect: &Expectation,
    response: &HttpResponse,
    body: &ResponseBody,
    schemas: &SchemaSet,
    resolve: &dyn Resolve,
) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    if let Some(status) = &expect.status
        && !status.any_of.contains(&response.status)
    {
        let expected = match status.any_of.as_slice() {
            [one] => one.to_string(),
            many => format!(
                "one of {}",
                many.iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        failures.push(
            Failed::new("status", expected, status_words(response.status, body))
                .at(step, &status.loc),
        );
    }
    let header_eval = Eval {
        resolve,
        text_values: true,
    };
    for check in &expect.headers {
        let value = response.header(&check.name).map(Value::String);
        let selected = match &value {
            Some(v) => Selected::one(v),
            None => Selected::none(),
        };
        if let Some((expected, actual)) = failed(header_eval.matcher(&check.matcher, &selected)) {
            failures.push(
                Failed::new(format!("header {}", check.name), expected, actual)
                    .at(step, &check.loc),
            );
        }
    }
    if expect.schema.is_none() && expect.body.is_empty() {
        return failures;
    }
    let json = match body {
        ResponseBody::Json(json) => json,
        ResponseBody::NotJson(what) => {
            let loc = expect
                .schema
                .as_ref()
                .map(|s| &s.loc)
                .or_else(|| expect.body.first().map(|b| &b.loc));
            if let Some(loc) = loc {
                failures.push(
                    Failed::new("body", "a JSON body", what.clone())
                        .with_hint("the body checks of this step were not evaluated")
                        .at(step, loc),
                );
            }
            return failures;
        }
    };
    if let Some(name) = &expect.schema {
        match schemas.validate(&name.value, json) {
            Ok(violations) if violations.is_empty() => {}
            Ok(violations) => failures.push(
                Failed::new(
                    format!("schema {}", name.value),
                    format!("a body valid against schema {}", name.value),
                    schema::describe(&violations),
                )
                .at(step, &name.loc),
            ),
            Err(e @ SchemaError::Undeclared { .. }) => failures.push(
                Failed::new(
                    format!("schema {}", name.value),
                    format!("a body valid against schema {}", name.value),
                    e.to_string(),
                )
                .with_hint(
                    "declared:<ResourceType> checks a response against the attribute types \
                     the target itself declares in /ResourceTypes and /Schemas",
                )
                .at(step, &name.loc),
            ),
            Err(e) => failures.push(
                Failed::new(
                    format!("schema {}", name.value),
                    "a compiled schema",
                    e.to_string(),
                )
                .at(step, &name.loc),
            ),
        }
    }
    let body_eval = Eval {
        resolve,
        text_values: false,
    };
    for check in &expect.body {
        let subject = format!("body.{}", check.path);
        let selected = scim::select(json, &check.path.parsed);
        if let Some((expected, actual)) = failed(body_eval.matcher(&check.matcher, &selected)) {
            failures.push(Failed::new(subject, expected, actual).at(step, &check.loc));
        }
    }
    failures
}

fn failed(verdict: Verdict) -> Option<(String, String)> {
    match verdict {
        Verdict::Pass => None,
        Verdict::Fail { expected, actual } | Verdict::Invalid { expected, actual } => {
            Some((expected, actual))
        }
    }
}

/// `409 (scimType uniqueness: userName taken)`: the status with the SCIM error detail.
fn status_words(status: u16, body: &ResponseBody) -> String {
    let Some(json) = body.json() else {
        return status.to_string();
    };
    let text = |name| get_attr(json, name).and_then(Value::as_str);
    match (text("scimType"), text("detail")) {
        (Some(t), Some(d)) => format!("{status} (scimType {t}: {})", truncate(d, 200)),
        (None, Some(d)) => format!("{status} ({})", truncate(d, 200)),
        (Some(t), None) => format!("{status} (scimType {t})"),
        (None, None) => status.to_string(),
    }
}

#[cfg(test)]
mod tests;
