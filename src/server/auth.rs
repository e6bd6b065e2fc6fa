//! Bearer token authentication (RFC 7644 2).
//!
//! When a token is configured, every endpoint requires it, discovery included. RFC 7644 4
//! does not demand that /ServiceProviderConfig, /ResourceTypes and /Schemas be open, and
//! a uniform rule means a client's first request (usually discovery) already tells it
//! whether its credentials work, which is what the runner's "authentication refused"
//! exit status relies on.

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};

use super::error::ScimError;

pub const CHALLENGE: &str = "Bearer realm=\"scimcheck\"";

pub fn check(expected: Option<&str>, headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let unauthorized = |detail: &str| {
        ScimError::new(StatusCode::UNAUTHORIZED, detail)
            .with_header(WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE))
    };
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(unauthorized(
            "authentication required: send Authorization: Bearer <token>",
        ));
    };
    let value = value.to_str().unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(unauthorized(
                "the Authorization header must use the Bearer scheme",
            ));
        }
    };
    if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(unauthorized("the bearer token is not valid"))
    }
}

/// Comparison whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (i, byte) in a.iter().enumerate() {
        difference |= usize::from(byte ^ b.get(i).copied().unwrap_or(0));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_token_exact() {
        assert!(check(Some("t0k"), &headers("bearer t0k")).is_ok());
        assert!(check(Some("t0k"), &headers("Bearer t0")).is_err());
        assert!(check(Some("t0k"), &headers("Bearer t0kk")).is_err());
        assert!(check(Some("t0k"), &headers("Basic t0k")).is_err());
        assert!(check(Some("t0k"), &HeaderMap::new()).is_err());
        assert!(check(None, &HeaderMap::new()).is_ok());
    }

    #[test]
    fn failure_carries_the_challenge_and_never_the_token() {
        let error = check(Some("s3cret"), &headers("Bearer wrong")).unwrap_err();
        assert_eq!(error.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error.headers[0].1, CHALLENGE);
        assert!(!error.detail.contains("s3cret") && !error.detail.contains("wrong"));
    }
}
