//! The latitude the RFCs give a server, applied to every scenario by the engine rather
//! than written into each one. Given a step's failed checks, the request and the answer,
//! it tells which failures are allowed behaviour:
//!
//! - an optional endpoint (`/.search`, `/Bulk`, `/Me`, a query at the root `/`) answering
//!   404, 405 or 501 is not served: the scenario is skipped, but the answer must still be
//!   a SCIM error;
//! - a filter answered with 400 `invalidFilter` is one the server does not support
//!   (RFC 7644 section 3.4.2.2): skipped; a filter ignored or answered wrongly still fails;
//! - a query refused with 400 `tooMany` would have returned more than the server gives
//!   (RFC 7644 section 3.4.2.1): skipped; a refusal with any other keyword still fails;
//! - a request that leaves out `schemas`, which only the client MUST send, may be
//!   accepted: the server is lenient, not wrong;
//! - `scimType` is OPTIONAL (RFC 7644 section 3.12) except where the RFC's text names the
//!   keyword for the error: elsewhere a missing or other keyword is excused.
//!
//! Null and unassigned are the same (RFC 7643 section 2.5) and the RFC's own examples are
//! valid answers: `normalize` rewrites a response into that one form before any check.

use serde_json::Value;

use super::ResponseBody;
use crate::result::CheckFailure;
use crate::scim::get_attr;

const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The sections of RFC 7644 whose text names a `scimType` keyword for an error; a
/// scenario that cites one of them may demand the keyword (Table 9 alone does not).
const NAMED_SCIM_TYPES: &[(&str, &[&str])] = &[
    ("uniqueness", &["RFC7644-3.3"]),
    ("tooMany", &["RFC7644-3.4.2"]),
    ("invalidFilter", &["RFC7644-3.4.2.2"]),
    ("noTarget", &["RFC7644-3.5.2.2", "RFC7644-3.5.2.3"]),
    ("mutability", &["RFC7644-3.5.1", "RFC7644-3.5.2.2"]),
];

/// Endpoints a server need not serve, with the section that makes them optional.
fn optional_endpoint(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        [".search"] | [_, ".search"] => Some("RFC 7644 section 3.4.3"),
        [bulk] if bulk.eq_ignore_ascii_case("Bulk") => Some("RFC 7644 section 3.7"),
        [me, ..] if me.eq_ignore_ascii_case("Me") => Some("RFC 7644 section 3.11"),
        // A query at the root is one of the places queries MAY be made.
        [] => Some("RFC 7644 section 3.4.2.1"),
        _ => None,
    }
}

/// A step as the latitude rules see it.
#[derive(Debug)]
pub struct Attempt<'a> {
    pub method: &'a str,
    /// The path as sent, relative to the base URL (`/Users/.search`).
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub request_body: Option<&'a Value>,
    /// The statuses the step accepts (empty: any).
    pub expected_status: &'a [u16],
    pub status: u16,
    pub body: &'a ResponseBody,
    /// The scenario's requirement ids (`RFC7644-3.3`).
    pub requirements: &'a [String],
}

/// What the failures of a step amount to once the RFCs' latitude is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Judged {
    /// These failures stand (possibly none: everything was excused), with a note for
    /// each excused one.
    Stands {
        failures: Vec<CheckFailure>,
        excused: Vec<String>,
    },
    /// The target made an allowed choice that leaves the scenario's feature unjudgeable.
    Skip(String),
}

/// Applies every latitude rule to the failures of one step.
pub fn judge(attempt: &Attempt<'_>, failures: Vec<CheckFailure>) -> Judged {
    let status_failed = failures.iter().any(|f| f.subject == "status");
    if status_failed {
        if let Some(judged) = optional_endpoint_absent(attempt) {
            return judged;
        }
        if let Some(reason) = unsupported_filter(attempt) {
            return Judged::Skip(reason);
        }
        if let Some(reason) = too_many_results(attempt) {
            return Judged::Skip(reason);
        }
        if let Some(reason) = lenient_about_schemas(attempt) {
            return Judged::Skip(reason);
        }
    }
    let mut excused = Vec::new();
    let failures = failures
        .into_iter()
        .filter(|failure| match optional_scim_type(attempt, failure) {
            Some(note) => {
                excused.push(note);
                false
            }
            None => true,
        })
        .collect();
    Judged::Stands { failures, excused }
}

fn optional_endpoint_absent(attempt: &Attempt<'_>) -> Option<Judged> {
    let section = optional_endpoint(attempt.path)?;
    if !matches!(attempt.status, 404 | 405 | 501)
        || attempt.expected_status.contains(&attempt.status)
    {
        return None;
    }
    let request = format!("{} {}", attempt.method, attempt.path);
    Some(match error_body_problem(attempt) {
        None => Judged::Skip(format!(
            "{request} answered {}: the target does not serve this optional endpoint ({section})",
            attempt.status
        )),
        // Not serving it is allowed; answering without a SCIM error is not.
        Some(problem) => Judged::Stands {
            failures: vec![CheckFailure {
                step: String::new(),
                subject: "body".to_owned(),
                expected: format!(
                    "a SCIM error body with status \"{}\" (RFC 7644 section 3.12), even from an \
                     optional endpoint that is not served",
                    attempt.status
                ),
                actual: problem,
                location: String::new(),
                rendered: String::new(),
                request: String::new(),
                hint: None,
                curl: None,
            }],
            excused: Vec::new(),
        },
    })
}

/// Why the answer is not a SCIM error for its status, if it is not.
fn error_body_problem(attempt: &Attempt<'_>) -> Option<String> {
    let json = match attempt.body {
        ResponseBody::Json(json) => json,
        ResponseBody::NotJson(what) => return Some(what.clone()),
    };
    let has_schema = get_attr(json, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(ERROR_SCHEMA)));
    let status = attempt.status.to_string();
    let status_ok = get_attr(json, "status").and_then(Value::as_str) == Some(status.as_str());
    match (has_schema, status_ok) {
        (true, true) => None,
        (false, _) => Some(format!("a JSON body without the {ERROR_SCHEMA} schema")),
        (true, false) => Some(format!(
            "an error body whose status is {}",
            get_attr(json, "status").map_or_else(|| "absent".to_owned(), Value::to_string)
        )),
    }
}

fn unsupported_filter(attempt: &Attempt<'_>) -> Option<String> {
    if attempt.status != 400 || attempt.expected_status.contains(&400) {
        return None;
    }
    let filter = attempt
        .query
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("filter"))
        .map(|(_, value)| value.clone())
        .or_else(|| {
            attempt
                .request_body
                .and_then(|b| get_attr(b, "filter"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })?;
    let scim_type = attempt
        .body
        .json()
        .and_then(|b| get_attr(b, "scimType"))
        .and_then(Value::as_str)?;
    scim_type.eq_ignore_ascii_case("invalidFilter").then(|| {
        format!(
            "the target does not support the filter `{}`: it answered 400 invalidFilter, which \
             RFC 7644 section 3.4.2.2 allows for a filter it does not support",
            crate::printable::truncate(&filter, 120)
        )
    })
}

/// A query (a GET of a collection or the root, or a POST to /.search) refused as one that
/// would return too many results.
fn too_many_results(attempt: &Attempt<'_>) -> Option<String> {
    if attempt.status != 400 || attempt.expected_status.contains(&400) {
        return None;
    }
    let path = attempt.path.split('?').next().unwrap_or_default();
    let segments = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
    let is_query = match attempt.method.to_ascii_uppercase().as_str() {
        "GET" => segments.count() <= 1,
        "POST" => path.trim_end_matches('/').ends_with("/.search"),
        _ => false,
    };
    let scim_type = attempt
        .body
        .json()
        .and_then(|b| get_attr(b, "scimType"))
        .and_then(Value::as_str)?;
    (is_query && scim_type.eq_ignore_ascii_case("tooMany")).then(|| {
        format!(
            "{} {} answered 400 tooMany: the target refuses a query that would return too many \
             results, which RFC 7644 section 3.4.2.1 allows",
            attempt.method, attempt.path
        )
    })
}

fn lenient_about_schemas(attempt: &Attempt<'_>) -> Option<String> {
    let expects_refusal = !attempt.expected_status.is_empty()
        && attempt
            .expected_status
            .iter()
            .all(|s| (400..500).contains(s));
    let body = attempt.request_body?.as_object()?;
    let omitted = !body.keys().any(|k| k.eq_ignore_ascii_case("schemas"));
    (expects_refusal && omitted && (200..300).contains(&attempt.status)).then(|| {
        format!(
            "the target accepted a {} without `schemas` ({}): the RFCs put that MUST on the \
             client, so accepting it is lenient, not wrong",
            attempt.method, attempt.status
        )
    })
}

/// A note when `failure` is a `scimType` check the RFC's text does not back for the
/// scenario's cited sections.
fn optional_scim_type(attempt: &Attempt<'_>, failure: &CheckFailure) -> Option<String> {
    let last = failure.subject.rsplit('.').next()?;
    if !last.eq_ignore_ascii_case("scimType") {
        return None;
    }
    let wanted = failure.expected.trim_matches('"');
    let named = NAMED_SCIM_TYPES
        .iter()
        .find(|(keyword, _)| keyword.eq_ignore_ascii_case(wanted))
        .is_some_and(|(_, sections)| {
            sections.iter().any(|s| {
                attempt
                    .requirements
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(s))
            })
        });
    (!named).then(|| {
        format!(
            "scimType {wanted} was not demanded: the RFC names no keyword for this error, and \
             scimType is OPTIONAL (RFC 7644 section 3.12); the target sent {}",
            failure.actual
        )
    })
}

/// A response body in the one form the checks compare: null members removed (RFC 7643
/// section 2.5: null is unassigned), and in a BulkResponse each operation's `status`
/// written as the code, as in RFC 7644 section 3.7's examples (`"201"` and
/// `{"code": "201"}` are both shown there). The text of section 3.7.3 puts an error's
/// description in the status and its examples put it in the response's `detail`: a
/// status description becomes the `detail` when the response has none.
pub fn normalize(mut body: Value) -> Value {
    drop_nulls(&mut body);
    if let Some(Value::Array(operations)) = body
        .as_object_mut()
        .and_then(|o| {
            o.iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        })
        .map(|(_, v)| v)
    {
        for operation in operations.iter_mut().filter_map(Value::as_object_mut) {
            let Some((_, status)) = operation
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case("status"))
            else {
                continue;
            };
            let description = get_attr(status, "description").cloned();
            if let Some(code) = get_attr(status, "code").cloned() {
                *status = code;
            }
            if let Some(description) = description {
                describe_error(operation, description);
            }
        }
    }
    body
}

/// A bulk result's status description as its response's `detail`, unless it has one.
fn describe_error(operation: &mut serde_json::Map<String, Value>, description: Value) {
    let response = operation
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case("response"))
        .map(|(_, v)| v);
    if let Some(Value::Object(response)) = response
        && !response.keys().any(|k| k.eq_ignore_ascii_case("detail"))
    {
        response.insert("detail".into(), description);
    }
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn failure(subject: &str, expected: &str, actual: &str) -> CheckFailure {
        CheckFailure {
            step: "s".into(),
            subject: subject.into(),
            expected: expected.into(),
            actual: actual.into(),
            location: String::new(),
            rendered: String::new(),
            request: String::new(),
            hint: None,
            curl: None,
        }
    }

    fn attempt<'a>(
        method: &'a str,
        path: &'a str,
        expected: &'a [u16],
        status: u16,
        body: &'a ResponseBody,
    ) -> Attempt<'a> {
        Attempt {
            method,
            path,
            query: &[],
            request_body: None,
            expected_status: expected,
            status,
            body,
            requirements: &[],
        }
    }

    fn error(status: &str, scim_type: Option<&str>) -> ResponseBody {
        let mut body = json!({"schemas": [ERROR_SCHEMA], "status": status});
        if let Some(t) = scim_type {
            body["scimType"] = json!(t);
        }
        ResponseBody::Json(body.into())
    }

    #[test]
    fn an_optional_endpoint_that_is_not_served_is_a_skip_if_it_answers_a_scim_error() {
        let body = error("404", None);
        let judged = judge(
            &attempt("POST", "/Users/.search", &[200], 404, &body),
            vec![failure("status", "200", "404")],
        );
        assert!(
            matches!(&judged, Judged::Skip(r) if r.contains("section 3.4.3")),
            "{judged:?}"
        );
        let html = ResponseBody::NotJson("text/html body".into());
        let Judged::Stands { failures, .. } = judge(
            &attempt("POST", "/Bulk", &[200], 501, &html),
            vec![failure("status", "200", "501")],
        ) else {
            panic!("the error body is still judged");
        };
        assert_eq!(failures[0].actual, "text/html body");
        // A required endpoint is not excused.
        let judged = judge(
            &attempt("GET", "/Users", &[200], 404, &body),
            vec![failure("status", "200", "404")],
        );
        assert!(matches!(judged, Judged::Stands { ref failures, .. } if failures.len() == 1));
    }

    #[test]
    fn an_unsupported_filter_answered_invalid_filter_is_a_skip() {
        let body = error("400", Some("invalidFilter"));
        let query = [("filter".to_owned(), "title co \"x\"".to_owned())];
        let mut step = attempt("GET", "/Users", &[200], 400, &body);
        step.query = &query;
        let judged = judge(&step, vec![failure("status", "200", "400")]);
        assert!(matches!(judged, Judged::Skip(r) if r.contains("title co")));
        // Without invalidFilter, or without a filter, the failure stands.
        let other = error("400", Some("invalidValue"));
        let mut step = attempt("GET", "/Users", &[200], 400, &other);
        step.query = &query;
        assert!(matches!(
            judge(&step, vec![failure("status", "200", "400")]),
            Judged::Stands { .. }
        ));
    }

    #[test]
    fn a_query_refused_as_too_many_is_a_skip() {
        let body = error("400", Some("tooMany"));
        let judged = judge(
            &attempt("GET", "/Users", &[200], 400, &body),
            vec![failure("status", "200", "400")],
        );
        assert!(matches!(judged, Judged::Skip(r) if r.contains("3.4.2.1")));
        // Another keyword, or a request that is no query, stands.
        let other = error("400", Some("invalidValue"));
        assert!(matches!(
            judge(
                &attempt("GET", "/Users", &[200], 400, &other),
                vec![failure("status", "200", "400")]
            ),
            Judged::Stands { .. }
        ));
        assert!(matches!(
            judge(
                &attempt("PUT", "/Users/1", &[200], 400, &body),
                vec![failure("status", "200", "400")]
            ),
            Judged::Stands { .. }
        ));
    }

    #[test]
    fn accepting_a_request_without_schemas_is_lenient() {
        let ok = ResponseBody::Json(json!({"id": "1"}).into());
        let sent = json!({"Operations": []});
        let mut step = attempt("PATCH", "/Users/1", &[400], 200, &ok);
        step.request_body = Some(&sent);
        assert!(matches!(
            judge(&step, vec![failure("status", "400", "200")]),
            Judged::Skip(_)
        ));
        let with_schemas = json!({"schemas": ["x"], "Operations": []});
        step.request_body = Some(&with_schemas);
        assert!(matches!(
            judge(&step, vec![failure("status", "400", "200")]),
            Judged::Stands { .. }
        ));
    }

    #[test]
    fn scim_type_is_demanded_only_where_the_rfc_names_it() {
        let body = error("400", None);
        let cited = ["RFC7644-3.5.2.2".to_owned()];
        let mut step = attempt("PATCH", "/Users/1", &[400], 400, &body);
        step.requirements = &cited;
        let no_target = failure("body.scimType", "\"noTarget\"", "absent");
        assert!(matches!(
            judge(&step, vec![no_target.clone()]),
            Judged::Stands { ref failures, .. } if failures.len() == 1
        ));
        let syntax = failure("body.scimType", "\"invalidSyntax\"", "absent");
        let Judged::Stands { failures, excused } = judge(&step, vec![syntax]) else {
            panic!()
        };
        assert!(failures.is_empty());
        assert!(excused[0].contains("OPTIONAL"), "{excused:?}");
    }

    #[test]
    fn normalizing_drops_nulls_and_writes_bulk_statuses_as_codes() {
        let body = json!({
            "documentationUri": null,
            "name": {"givenName": "A", "middleName": null},
            "Operations": [{"status": {"code": "201"}}, {"status": "200"}, {"status": 409}]
        });
        assert_eq!(
            normalize(body),
            json!({
                "name": {"givenName": "A"},
                "Operations": [{"status": "201"}, {"status": "200"}, {"status": 409}]
            })
        );
    }

    #[test]
    fn a_bulk_status_description_stands_for_a_missing_detail() {
        let body = json!({"Operations": [
            {"status": {"code": "409", "description": "taken"}, "response": {"status": "409"}},
            {"status": {"code": "400", "description": "bad"}, "response": {"detail": "own"}},
        ]});
        assert_eq!(
            normalize(body),
            json!({"Operations": [
                {"status": "409", "response": {"status": "409", "detail": "taken"}},
                {"status": "400", "response": {"detail": "own"}},
            ]})
        );
    }
}
