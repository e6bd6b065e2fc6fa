//! Which attributes a target declares for each resource type, by endpoint: what the
//! engine may demand. RFC 7644 section 3.3 lets a server "alter and/or ignore" what a
//! client sends, so an attribute the target does not declare in /Schemas is never
//! demanded back; a scenario that needs one is skipped with that reason.
//!
//! Pure: the items of /ResourceTypes and /Schemas in, an index out. When the declarations
//! cannot tell (no /Schemas, a resource type not listed, a complex attribute without its
//! sub-attributes), the answer is "unknown", and the attribute is demanded as before.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::endpoint_path;
use crate::scim::{AttrPath, get_attr};

/// Attributes every resource has whatever its schema says (RFC 7643 section 3.1).
const COMMON: &[&str] = &["id", "externalId", "meta", "schemas"];

/// The declared attributes of one schema: name (lower case) to its sub-attributes, when
/// the declaration lists them.
type SchemaAttributes = BTreeMap<String, Option<BTreeSet<String>>>;

#[derive(Debug, Clone, Default)]
struct ResourceTypeAttributes {
    /// Its endpoint under the base URL, lower case (`/users`).
    endpoint: String,
    core_urn: String,
    /// By schema URN (lower case): the core schema and each extension /Schemas describes.
    schemas: BTreeMap<String, SchemaAttributes>,
    /// By schema URN (lower case): attributes declared `returned: request` or `never`.
    withheld: BTreeMap<String, BTreeSet<String>>,
}

/// The declared attributes of every resource type the target lists.
#[derive(Debug, Clone, Default)]
pub struct DeclaredAttributes {
    types: Vec<ResourceTypeAttributes>,
}

impl DeclaredAttributes {
    /// Indexes what /ResourceTypes and /Schemas declare; `base_url` resolves endpoints.
    pub fn from_discovery(resource_types: &[Value], schemas: &[Value], base_url: &str) -> Self {
        let mut types = Vec::new();
        for rt in resource_types {
            let Some(endpoint) = get_attr(rt, "endpoint")
                .and_then(Value::as_str)
                .and_then(|e| endpoint_path(base_url, e))
            else {
                continue;
            };
            let Some(core_urn) = get_attr(rt, "schema").and_then(Value::as_str) else {
                continue;
            };
            let mut described = BTreeMap::new();
            let mut withheld = BTreeMap::new();
            let extensions = get_attr(rt, "schemaExtensions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| get_attr(e, "schema").and_then(Value::as_str));
            for urn in std::iter::once(core_urn).chain(extensions) {
                if let Some(attributes) = find_schema(schemas, urn) {
                    described.insert(urn.to_ascii_lowercase(), attributes);
                }
                if let Some(names) = withheld_in(schemas, urn) {
                    withheld.insert(urn.to_ascii_lowercase(), names);
                }
            }
            types.push(ResourceTypeAttributes {
                endpoint: endpoint.to_ascii_lowercase(),
                core_urn: core_urn.to_ascii_lowercase(),
                schemas: described,
                withheld,
            });
        }
        DeclaredAttributes { types }
    }

    /// Whether the resources at `endpoint` (`/Users`) declare `attr`: `Some(false)` only
    /// when the target's own declarations leave it out; `None` when they cannot tell.
    pub fn declares(&self, endpoint: &str, attr: &AttrPath) -> Option<bool> {
        let endpoint = endpoint.to_ascii_lowercase();
        let rt = self.types.iter().find(|t| t.endpoint == endpoint)?;
        if attr.urn.is_none() && COMMON.iter().any(|c| c.eq_ignore_ascii_case(&attr.name)) {
            return Some(true);
        }
        let urn = attr
            .urn
            .as_deref()
            .map_or_else(|| rt.core_urn.clone(), str::to_ascii_lowercase);
        let Some(schema) = rt.schemas.get(&urn) else {
            // A URN the resource type does not list is not declared; one it lists but
            // /Schemas does not describe cannot be judged.
            let listed = urn == rt.core_urn;
            return (!listed && !rt.schemas.is_empty()).then_some(false);
        };
        if attr.name.is_empty() {
            return Some(true);
        }
        let Some(subs) = schema.get(&attr.name.to_ascii_lowercase()) else {
            return Some(false);
        };
        match (&attr.sub, subs) {
            (None, _) => Some(true),
            (Some(sub), Some(subs)) => Some(subs.contains(&sub.to_ascii_lowercase())),
            (Some(_), None) => None,
        }
    }
}

impl DeclaredAttributes {
    /// Whether the resources at `endpoint` declare `attr` (its top-level attribute)
    /// `returned: request` or `never`: RFC 7643 section 7 lets the server leave it out of
    /// an answer unless the request asks for it, so it is never demanded back.
    pub fn withholds(&self, endpoint: &str, attr: &AttrPath) -> bool {
        let endpoint = endpoint.to_ascii_lowercase();
        let Some(rt) = self.types.iter().find(|t| t.endpoint == endpoint) else {
            return false;
        };
        let urn = attr
            .urn
            .as_deref()
            .map_or_else(|| rt.core_urn.clone(), str::to_ascii_lowercase);
        rt.withheld
            .get(&urn)
            .is_some_and(|names| names.contains(&attr.name.to_ascii_lowercase()))
    }
}

/// The attributes of the schema `urn` in /Schemas declared `returned: request` or
/// `never`, lower case.
fn withheld_in(schemas: &[Value], urn: &str) -> Option<BTreeSet<String>> {
    let attributes = attribute_definitions(schemas, urn)?;
    Some(
        attributes
            .iter()
            .filter(|definition| {
                get_attr(definition, "returned")
                    .and_then(Value::as_str)
                    .is_some_and(|r| {
                        r.eq_ignore_ascii_case("request") || r.eq_ignore_ascii_case("never")
                    })
            })
            .filter_map(|definition| get_attr(definition, "name").and_then(Value::as_str))
            .map(str::to_ascii_lowercase)
            .collect(),
    )
}

/// The attribute definitions of the schema `urn` in /Schemas, if it lists them.
fn attribute_definitions<'a>(schemas: &'a [Value], urn: &str) -> Option<&'a Vec<Value>> {
    let schema = schemas.iter().find(|s| {
        get_attr(s, "id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(urn))
    })?;
    get_attr(schema, "attributes").and_then(Value::as_array)
}

/// The attributes of the schema `urn` in /Schemas, if it is there with a list of them.
fn find_schema(schemas: &[Value], urn: &str) -> Option<SchemaAttributes> {
    let attributes = attribute_definitions(schemas, urn)?;
    Some(
        attributes
            .iter()
            .filter_map(|definition| {
                let name = get_attr(definition, "name").and_then(Value::as_str)?;
                let subs = get_attr(definition, "subAttributes")
                    .and_then(Value::as_array)
                    .map(|subs| {
                        subs.iter()
                            .filter_map(|s| get_attr(s, "name").and_then(Value::as_str))
                            .map(str::to_ascii_lowercase)
                            .collect()
                    });
                Some((name.to_ascii_lowercase(), subs))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn declared() -> DeclaredAttributes {
        let resource_types = [json!({
            "name": "User", "endpoint": "/scim/v2/Users", "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE}]
        })];
        let schemas = [
            json!({"id": USER, "attributes": [
                {"name": "userName"},
                {"name": "emails", "subAttributes": [{"name": "value"}]},
                {"name": "name"}
            ]}),
            json!({"id": ENTERPRISE, "attributes": [{"name": "employeeNumber"}]}),
        ];
        DeclaredAttributes::from_discovery(&resource_types, &schemas, "http://h/scim/v2")
    }

    fn path(name: &str, sub: Option<&str>) -> AttrPath {
        AttrPath {
            urn: None,
            name: name.into(),
            sub: sub.map(str::to_owned),
        }
    }

    #[test]
    fn declared_attributes_are_known_and_others_are_not() {
        let d = declared();
        assert_eq!(d.declares("/Users", &path("USERNAME", None)), Some(true));
        assert_eq!(d.declares("/Users", &path("title", None)), Some(false));
        assert_eq!(
            d.declares("/Users", &path("emails", Some("value"))),
            Some(true)
        );
        assert_eq!(
            d.declares("/Users", &path("emails", Some("type"))),
            Some(false)
        );
        // Sub-attributes of a complex attribute declared without them: unknown.
        assert_eq!(d.declares("/Users", &path("name", Some("givenName"))), None);
        assert_eq!(
            d.declares("/Users", &path("meta", Some("version"))),
            Some(true)
        );
        let mut employee = path("employeeNumber", None);
        employee.urn = Some(ENTERPRISE.into());
        assert_eq!(d.declares("/Users", &employee), Some(true));
        employee.name = "costCenter".into();
        assert_eq!(d.declares("/Users", &employee), Some(false));
    }

    #[test]
    fn attributes_returned_only_on_request_are_withheld() {
        let resource_types = [json!({"name": "User", "endpoint": "/Users", "schema": USER})];
        let schemas = [json!({"id": USER, "attributes": [
            {"name": "userName", "returned": "always"},
            {"name": "title", "returned": "default"},
            {"name": "nickName", "returned": "Request"},
            {"name": "password", "returned": "never"},
        ]})];
        let d = DeclaredAttributes::from_discovery(&resource_types, &schemas, "http://h/scim/v2");
        assert!(d.withholds("/Users", &path("NICKNAME", None)));
        assert!(d.withholds("/Users", &path("password", None)));
        assert!(!d.withholds("/Users", &path("title", None)));
        assert!(!d.withholds("/Users", &path("userName", None)));
        assert!(!d.withholds("/Groups", &path("nickName", None)));
    }

    #[test]
    fn without_declarations_nothing_is_known() {
        let d = DeclaredAttributes::default();
        assert_eq!(d.declares("/Users", &path("title", None)), None);
        assert_eq!(declared().declares("/Groups", &path("title", None)), None);
    }
}
