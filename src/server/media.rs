//! Media types (RFC 7644 3.1, 8.1): bodies may be `application/scim+json` or
//! `application/json` (parameters such as charset allowed); answers are
//! `application/scim+json`; an Accept header that rules out both answers 406.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};

use super::error::ScimError;

pub const SCIM_JSON: &str = "application/scim+json";
pub const JSON: &str = "application/json";

/// The request body's Content-Type must be one of the two JSON types (415 otherwise).
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ScimError> {
    let unsupported = |found: &str| {
        ScimError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be {SCIM_JSON} or {JSON}, found {found}"),
        )
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(unsupported("none"));
    };
    let text = value.to_str().unwrap_or_default();
    let essence = text.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(SCIM_JSON) || essence.eq_ignore_ascii_case(JSON) {
        Ok(())
    } else {
        Err(unsupported(&format!("'{text}'")))
    }
}

/// An Accept header must allow one of the two JSON types (406 otherwise).
pub fn check_accept(headers: &HeaderMap) -> Result<(), ScimError> {
    check_accept_among(headers, &["*/*", "application/*", SCIM_JSON, JSON])
}

/// What `accept-scim-json-refused` demands: an Accept header, if any, that allows plain
/// application/json.
pub fn check_accept_plain_json(headers: &HeaderMap) -> Result<(), ScimError> {
    check_accept_among(headers, &["*/*", "application/*", JSON])
}

fn check_accept_among(headers: &HeaderMap, served: &[&str]) -> Result<(), ScimError> {
    let mut ranges = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|range| !range.is_empty())
        .peekable();
    if ranges.peek().is_none() {
        return Ok(());
    }
    let mut seen = Vec::new();
    for range in ranges {
        seen.push(range.to_string());
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|param| {
            let param = param.trim();
            let weight = param
                .strip_prefix("q=")
                .or_else(|| param.strip_prefix("Q="))
                .and_then(|q| q.trim().parse::<f32>().ok());
            weight == Some(0.0)
        });
        if refused {
            continue;
        }
        if served.contains(&media.as_str()) {
            return Ok(());
        }
    }
    Err(ScimError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "this server answers {SCIM_JSON} (or {JSON}); Accept allows only {}",
            seen.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: axum::http::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn content_types_with_parameters_are_accepted() {
        assert!(check_content_type(&with(CONTENT_TYPE, "application/scim+json")).is_ok());
        assert!(check_content_type(&with(CONTENT_TYPE, "Application/JSON; charset=utf-8")).is_ok());
        let error = check_content_type(&with(CONTENT_TYPE, "text/plain")).unwrap_err();
        assert_eq!(error.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }

    #[test]
    fn accept_must_allow_json() {
        assert!(check_accept(&HeaderMap::new()).is_ok());
        assert!(check_accept(&with(ACCEPT, "text/html, */*;q=0.1")).is_ok());
        assert!(check_accept(&with(ACCEPT, "application/scim+json")).is_ok());
        assert!(check_accept(&with(ACCEPT, "text/html")).is_err());
        assert!(check_accept(&with(ACCEPT, "application/json;q=0, text/html")).is_err());
        assert!(check_accept(&with(ACCEPT, "application/json;q=0.000")).is_err());
        assert!(check_accept(&with(ACCEPT, "application/json;q=0.001")).is_ok());
    }
}
