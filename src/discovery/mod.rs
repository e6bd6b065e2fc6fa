//! Capabilities of a target, read from /ServiceProviderConfig and /ResourceTypes, and
//! JSON Schemas derived from its /Schemas. Parsing is pure (JSON in, capabilities and
//! schemas out; `declared` derives the schemas); fetching lives in `fetch`.

mod attributes;
mod declared;
mod fetch;
mod nearby;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Url;
use serde_json::Value;

use crate::scim::get_attr;
use crate::vocabulary::Capability;

pub use attributes::DeclaredAttributes;
pub use declared::{DeclaredSchemas, derive};
pub use fetch::{Discovered, DiscoveryError, discover};

const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What the target advertises.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    has: BTreeSet<Capability>,
    /// Capabilities discovery could not read at all, with why: not in `has`, but not
    /// because the target declared them absent.
    unknown: BTreeMap<Capability, String>,
    /// `bulk.maxOperations`, when Bulk is supported and says how many a request may carry.
    bulk_max_operations: Option<usize>,
}

impl<const N: usize> From<[Capability; N]> for Capabilities {
    fn from(capabilities: [Capability; N]) -> Self {
        Capabilities {
            has: capabilities.into_iter().collect(),
            unknown: BTreeMap::new(),
            bulk_max_operations: None,
        }
    }
}

impl Capabilities {
    /// Everything: used when the plan is made without a target (`list`).
    pub fn all() -> Self {
        Self::from(Capability::ALL)
    }

    pub fn has(&self, capability: Capability) -> bool {
        self.has.contains(&capability)
    }

    pub fn insert(&mut self, capability: Capability) {
        self.unknown.remove(&capability);
        self.has.insert(capability);
    }

    /// Notes that discovery could not tell whether the target has `capability`.
    pub fn mark_unknown(&mut self, capability: Capability, reason: &str) {
        if !self.has(capability) {
            self.unknown.insert(capability, reason.to_owned());
        }
    }

    /// Why discovery could not tell whether the target has `capability`, if it could not.
    pub fn unknown_because(&self, capability: Capability) -> Option<&str> {
        self.unknown.get(&capability).map(String::as_str)
    }

    /// The names of what the target has, in alphabetical order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&str> = self.has.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// How many operations one Bulk request may carry, when the target supports Bulk and
    /// says so.
    pub fn bulk_max_operations(&self) -> Option<usize> {
        self.bulk_max_operations
            .filter(|_| self.has(Capability::Bulk))
    }

    /// Reads the features of a ServiceProviderConfig (RFC 7643 section 5).
    pub fn add_service_provider_config(&mut self, spc: &Value) {
        let supported = |feature: &str| {
            get_attr(spc, feature)
                .and_then(|f| get_attr(f, "supported"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        for (feature, capability) in [
            ("patch", Capability::Patch),
            ("bulk", Capability::Bulk),
            ("filter", Capability::Filter),
            ("sort", Capability::Sort),
            ("etag", Capability::Etag),
            ("changePassword", Capability::ChangePassword),
        ] {
            if supported(feature) {
                self.insert(capability);
            }
        }
        if supported("bulk") {
            self.bulk_max_operations = get_attr(spc, "bulk")
                .and_then(|b| get_attr(b, "maxOperations"))
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0);
        }
        // RFC 7644 section 3.4.3: POST /.search goes with filtering.
        if supported("filter") {
            self.insert(Capability::Search);
        }
    }

    /// Reads a ResourceType list (RFC 7643 section 6): endpoints and extensions.
    /// `base_url` is the target's base URL, against which each `endpoint` is resolved
    /// (see `endpoint_path`).
    pub fn add_resource_types(&mut self, resource_types: &[Value], base_url: &str) {
        for rt in resource_types {
            let endpoint = get_attr(rt, "endpoint")
                .and_then(Value::as_str)
                .and_then(|endpoint| endpoint_path(base_url, endpoint));
            match endpoint.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("/users") => self.insert(Capability::Users),
                Some("/groups") => self.insert(Capability::Groups),
                _ => {}
            }
            let extensions = get_attr(rt, "schemaExtensions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for ext in extensions {
                let schema = get_attr(ext, "schema")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if schema.eq_ignore_ascii_case(ENTERPRISE_USER) {
                    self.insert(Capability::EnterpriseUser);
                }
            }
        }
    }
}

/// A resource type's `endpoint` as a path under the base URL (`/Users`), in whichever
/// form the target wrote it: RFC 7643 section 6 only says "relative to the Base URL", and
/// servers write `/Users`, `Users`, `/scim/v2/Users` (the base path repeated) or the
/// absolute `https://host/scim/v2/Users`. It is resolved like a URL reference whose base
/// is the base URL taken as a directory. None when it points outside the base URL.
pub fn endpoint_path(base_url: &str, endpoint: &str) -> Option<String> {
    let base = Url::parse(base_url).ok()?;
    let base_path = base.path().trim_end_matches('/');
    let endpoint = endpoint.trim();
    if endpoint.is_empty() {
        return None;
    }
    let resolved = if Url::parse(endpoint).is_ok_and(|u| u.has_host()) {
        Url::parse(endpoint).ok()?
    } else if endpoint.starts_with("//") {
        base.join(endpoint).ok()?
    } else if !base_path.is_empty() && under(endpoint, base_path) {
        let mut url = base.clone();
        url.set_path(endpoint);
        url
    } else {
        let mut url = base.clone();
        url.set_path(&format!("{base_path}/{}", endpoint.trim_start_matches('/')));
        url
    };
    let same_origin = resolved.scheme().eq_ignore_ascii_case(base.scheme())
        && resolved.host_str().map(str::to_ascii_lowercase)
            == base.host_str().map(str::to_ascii_lowercase)
        && resolved.port_or_known_default() == base.port_or_known_default();
    let path = resolved.path().trim_end_matches('/');
    if !same_origin || !under(path, base_path) {
        return None;
    }
    let relative = &path[base_path.len()..];
    (!relative.is_empty()).then(|| relative.to_owned())
}

/// `path` is `base` or lies below it (`base` without a trailing slash).
fn under(path: &str, base: &str) -> bool {
    base.is_empty()
        || path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_form_resolves_to_the_same_path() {
        let base = "https://h.example/scim/v2";
        for endpoint in [
            "/Users",
            "Users",
            "/Users/",
            "/scim/v2/Users",
            "https://h.example/scim/v2/Users",
            "HTTPS://H.EXAMPLE:443/scim/v2/Users",
            "//h.example/scim/v2/Users",
        ] {
            assert_eq!(
                endpoint_path(base, endpoint).as_deref(),
                Some("/Users"),
                "{endpoint}"
            );
        }
        assert_eq!(
            endpoint_path("https://h.example/scim/v2/", "/Groups").as_deref(),
            Some("/Groups")
        );
        assert_eq!(
            endpoint_path("http://h:8080", "/Users").as_deref(),
            Some("/Users")
        );
    }

    #[test]
    fn endpoints_elsewhere_are_not_under_the_base() {
        let base = "https://h.example/scim/v2";
        for endpoint in [
            "https://other.example/scim/v2/Users",
            "http://h.example/scim/v2/Users",
            "https://h.example/other/Users",
            "https://h.example/scim/v2",
            "",
        ] {
            assert_eq!(endpoint_path(base, endpoint), None, "{endpoint}");
        }
        // A path that only starts like the base path is relative to it.
        assert_eq!(
            endpoint_path(base, "/scim/v2x/Users").as_deref(),
            Some("/scim/v2x/Users")
        );
    }

    #[test]
    fn resource_types_at_any_endpoint_form_give_users_and_groups() {
        let mut capabilities = Capabilities::default();
        capabilities.add_resource_types(
            &[
                serde_json::json!({"name": "User", "endpoint": "http://h/scim/v2/Users"}),
                serde_json::json!({"name": "Group", "endpoint": "/scim/v2/Groups"}),
            ],
            "http://h/scim/v2",
        );
        assert!(capabilities.has(Capability::Users) && capabilities.has(Capability::Groups));
    }
}
