//! Capabilities of a target, read from /ServiceProviderConfig and /ResourceTypes, and
//! JSON Schemas derived from its /Schemas. Parsing is pure (JSON in, capabilities and
//! schemas out; `declared` derives the schemas); fetching lives in `fetch`.

mod declared;
mod fetch;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::scim::get_attr;

/// Every capability name a scenario may require (`requires:`).
pub const CAPABILITY_NAMES: &[&str] = &[
    "users",
    "groups",
    "patch",
    "bulk",
    "filter",
    "sort",
    "etag",
    "change-password",
    "enterprise-user",
    "auth",
    "search",
];

pub use declared::{DECLARED_PREFIX, DeclaredSchemas, declared_resource_type, derive};
pub use fetch::{Discovered, DiscoveryError, discover};

const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What the target advertises, as capability names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    names: BTreeSet<String>,
}

impl Capabilities {
    /// Everything: used when the plan is made without a target (`list`).
    pub fn all() -> Self {
        Self::from_names(CAPABILITY_NAMES.iter().copied())
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            names: names.into_iter().map(str::to_owned).collect(),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    pub fn insert(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
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
            ("patch", "patch"),
            ("bulk", "bulk"),
            ("filter", "filter"),
            ("sort", "sort"),
            ("etag", "etag"),
            ("changePassword", "change-password"),
        ] {
            if supported(feature) {
                self.insert(capability);
            }
        }
        // RFC 7644 section 3.4.3: POST /.search goes with filtering.
        if supported("filter") {
            self.insert("search");
        }
    }

    /// Reads a ResourceType list (RFC 7643 section 6): endpoints and extensions.
    pub fn add_resource_types(&mut self, resource_types: &[Value]) {
        for rt in resource_types {
            let endpoint = get_attr(rt, "endpoint")
                .and_then(Value::as_str)
                .unwrap_or("");
            match endpoint.trim_end_matches('/').to_ascii_lowercase().as_str() {
                "/users" => self.insert("users"),
                "/groups" => self.insert("groups"),
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
                    self.insert("enterprise-user");
                }
            }
        }
    }
}
