//! Bearer token authentication (RFC 7644 2): a fixed token, or the tokens the OAuth2
//! token endpoint issued (`oauth`).
//!
//! When a token is configured, every endpoint requires it, discovery included. RFC 7644 4
//! does not demand that /ServiceProviderConfig, /ResourceTypes and /Schemas be open, and
//! a uniform rule means a client's first request (usually discovery) already tells it
//! whether its credentials work, which is what the runner's "authentication refused"
//! exit status relies on.

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};

use super::error::ScimError;
use super::oauth::TokenEndpoint;

pub const CHALLENGE: &str = "Bearer realm=\"scimcheck\"";

/// `expected` is the fixed token; the unexpired tokens `issuer` issued pass too. With an
/// issuer a token is required even when no fixed one is set.
pub fn check(
    expected: Option<&str>,
    issuer: Option<&TokenEndpoint>,
    headers: &HeaderMap,
) -> Result<(), ScimError> {
    if expected.is_none() && issuer.is_none() {
        return Ok(());
    }
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
    let fixed = expected.is_some_and(|e| constant_time_eq(token.as_bytes(), e.as_bytes()));
    if fixed || issuer.is_some_and(|issuer| issuer.accepts(token)) {
        Ok(())
    } else if issuer.is_some() {
        Err(unauthorized(
            "the bearer token is not valid, has expired or was revoked: get a new one",
        ))
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
        assert!(check(Some("t0k"), None, &headers("bearer t0k")).is_ok());
        assert!(check(Some("t0k"), None, &headers("Bearer t0")).is_err());
        assert!(check(Some("t0k"), None, &headers("Bearer t0kk")).is_err());
        assert!(check(Some("t0k"), None, &headers("Basic t0k")).is_err());
        assert!(check(Some("t0k"), None, &HeaderMap::new()).is_err());
        assert!(check(None, None, &HeaderMap::new()).is_ok());
    }

    #[test]
    fn with_a_token_endpoint_only_its_live_tokens_or_the_fixed_one_pass() {
        let issuer = TokenEndpoint::new("client", "secret");
        let issued = issuer.issue_for_tests(std::time::Duration::from_secs(60));
        let with = |fixed, value: &str| check(fixed, Some(&issuer), &headers(value));
        assert!(with(None, &format!("Bearer {issued}")).is_ok());
        assert!(with(Some("t0k"), "Bearer t0k").is_ok());
        assert!(with(None, "Bearer t0k").is_err());
        assert!(check(None, Some(&issuer), &HeaderMap::new()).is_err());
        issuer.revoke_all();
        let refused = with(None, &format!("Bearer {issued}")).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.detail.contains("expired"), "{}", refused.detail);
    }

    #[test]
    fn failure_carries_the_challenge_and_never_the_token() {
        let error = check(Some("s3cret"), None, &headers("Bearer wrong")).unwrap_err();
        assert_eq!(error.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error.headers[0].1, CHALLENGE);
        assert!(!error.detail.contains("s3cret") && !error.detail.contains("wrong"));
    }
}
