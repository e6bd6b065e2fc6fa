//! How a reference server is set up: address, token, base path, misbehaviours, and the
//! limits it advertises in /ServiceProviderConfig.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use super::emulate::Emulated;
use super::hook::RequestHook;
use super::misbehave::Misbehaviour;
use super::oauth::TokenEndpoint;

/// Largest request body accepted (also the advertised `bulk.maxPayloadSize`).
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;
/// Largest page a query returns (the advertised `filter.maxResults`).
pub const MAX_RESULTS: usize = 200;
/// Most operations one bulk request may carry (the advertised `bulk.maxOperations`).
pub const BULK_MAX_OPERATIONS: usize = 1000;
/// Requests per second allowed under the `rate-limit` misbehaviour.
pub const RATE_LIMIT_PER_SECOND: u32 = 4;

#[derive(Clone)]
pub struct ServerConfig {
    /// Address to bind; 127.0.0.1 by default.
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Bearer token every request must carry; `None` means no authentication.
    pub token: Option<String>,
    /// Path prefix of every SCIM endpoint, e.g. `/scim/v2`; `""` or `/` serves at the root.
    pub base_path: String,
    pub misbehaviours: BTreeSet<Misbehaviour>,
    /// Sees every request and its answer (the client judge); `None` serves plainly.
    pub hook: Option<Arc<dyn RequestHook>>,
    /// An OAuth2 token endpoint (`POST /oauth/token`); the SCIM endpoints then require a
    /// token it issued (or `token`). Outside the hook: the judge sees SCIM requests only.
    pub token_endpoint: Option<TokenEndpoint>,
    /// A vendor's product as its document describes it (`serve --profile`).
    pub emulated: Option<Emulated>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: None,
            base_path: "/scim/v2".to_string(),
            misbehaviours: BTreeSet::new(),
            hook: None,
            token_endpoint: None,
            emulated: None,
        }
    }
}

/// The token is a secret: Debug shows only whether one is set.
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_path", &self.base_path)
            .field("misbehaviours", &self.misbehaviours)
            .field("hook", &self.hook.as_ref().map(|_| "set"))
            .field("token_endpoint", &self.token_endpoint)
            .field("emulated", &self.emulated)
            .finish()
    }
}

/// `/scim/v2/` and `scim/v2` become `/scim/v2`; `/` and `""` become `""`.
pub fn normalize_base_path(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let config = ServerConfig {
            token: Some("s3cret-token".into()),
            ..ServerConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn base_paths_are_normalized() {
        assert_eq!(normalize_base_path("/scim/v2/"), "/scim/v2");
        assert_eq!(normalize_base_path("scim"), "/scim");
        assert_eq!(normalize_base_path("/"), "");
        assert_eq!(normalize_base_path(""), "");
    }
}
