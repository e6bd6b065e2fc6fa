//! What the judged server declares about itself (/ServiceProviderConfig, /ResourceTypes,
//! /Schemas), read from the same JSON it publishes, so the judge holds clients to exactly
//! what a client could discover. Pure: JSON in, a lookup model out; declarations it
//! cannot read are left out rather than guessed.

use serde_json::Value;

use crate::scim::{AttrKind, get_attr};

/// An attribute's mutability (RFC 7643 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// One declared attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDecl {
    pub name: String,
    /// `None` when the declaration names no type this judge knows.
    pub kind: Option<AttrKind>,
    pub multi_valued: bool,
    pub required: bool,
    pub mutability: Mutability,
    pub sub_attributes: Vec<AttrDecl>,
}

impl AttrDecl {
    pub fn sub(&self, name: &str) -> Option<&AttrDecl> {
        find(&self.sub_attributes, name)
    }
}

/// A schema: its URN and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDecl {
    pub urn: String,
    pub attributes: Vec<AttrDecl>,
}

impl SchemaDecl {
    pub fn attribute(&self, name: &str) -> Option<&AttrDecl> {
        find(&self.attributes, name)
    }
}

/// A resource type with its core schema and extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceTypeDecl {
    pub name: String,
    /// `/Users`.
    pub endpoint: String,
    pub core: SchemaDecl,
    /// Extensions with whether the type requires them.
    pub extensions: Vec<(SchemaDecl, bool)>,
}

impl ResourceTypeDecl {
    /// Every schema URN a resource of this type may list.
    pub fn urns(&self) -> Vec<&str> {
        std::iter::once(self.core.urn.as_str())
            .chain(self.extensions.iter().map(|(s, _)| s.urn.as_str()))
            .collect()
    }

    pub fn extension(&self, urn: &str) -> Option<&SchemaDecl> {
        self.extensions
            .iter()
            .map(|(s, _)| s)
            .find(|s| s.urn.eq_ignore_ascii_case(urn))
    }

    /// The schema a URN names, core included.
    pub fn schema(&self, urn: &str) -> Option<&SchemaDecl> {
        if self.core.urn.eq_ignore_ascii_case(urn) {
            Some(&self.core)
        } else {
            self.extension(urn)
        }
    }
}

/// Everything the judge knows about the server's declarations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    pub resource_types: Vec<ResourceTypeDecl>,
    /// /ServiceProviderConfig says ETags are supported.
    pub etag: bool,
}

impl Declared {
    /// Reads the items of /ResourceTypes and /Schemas and the ServiceProviderConfig.
    pub fn from_json(spc: &Value, resource_types: &[Value], schemas: &[Value]) -> Declared {
        let schema = |urn: &str| -> Option<SchemaDecl> {
            let found = schemas.iter().find(|s| {
                get_attr(s, "id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id.eq_ignore_ascii_case(urn))
            })?;
            let attributes = get_attr(found, "attributes")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(attribute).collect())
                .unwrap_or_default();
            Some(SchemaDecl {
                urn: urn.to_owned(),
                attributes,
            })
        };
        let resource_types = resource_types
            .iter()
            .filter_map(|rt| {
                let name = get_attr(rt, "name").and_then(Value::as_str)?;
                let endpoint = get_attr(rt, "endpoint").and_then(Value::as_str)?;
                let core = schema(get_attr(rt, "schema").and_then(Value::as_str)?)?;
                let extensions = get_attr(rt, "schemaExtensions")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|ext| {
                                let urn = get_attr(ext, "schema").and_then(Value::as_str)?;
                                let required = get_attr(ext, "required")
                                    .and_then(Value::as_bool)
                                    .unwrap_or(false);
                                Some((schema(urn)?, required))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(ResourceTypeDecl {
                    name: name.to_owned(),
                    endpoint: format!("/{}", endpoint.trim_matches('/')),
                    core,
                    extensions,
                })
            })
            .collect();
        let etag = get_attr(spc, "etag")
            .and_then(|e| get_attr(e, "supported"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Declared {
            resource_types,
            etag,
        }
    }

    /// The resource type served at an endpoint segment (`Users`), matched exactly: SCIM
    /// endpoints are paths, and paths are case-sensitive.
    pub fn by_endpoint(&self, segment: &str) -> Option<&ResourceTypeDecl> {
        self.resource_types
            .iter()
            .find(|rt| rt.endpoint.trim_start_matches('/') == segment)
    }

    pub fn by_name(&self, name: &str) -> Option<&ResourceTypeDecl> {
        self.resource_types
            .iter()
            .find(|rt| rt.name.eq_ignore_ascii_case(name))
    }

    /// Every schema URN of every resource type, for path parsing.
    pub fn all_urns(&self) -> Vec<&str> {
        let mut urns: Vec<&str> = self
            .resource_types
            .iter()
            .flat_map(ResourceTypeDecl::urns)
            .collect();
        urns.sort_unstable();
        urns.dedup();
        urns
    }
}

fn attribute(value: &Value) -> Option<AttrDecl> {
    let name = get_attr(value, "name").and_then(Value::as_str)?;
    let kind = get_attr(value, "type")
        .and_then(Value::as_str)
        .and_then(AttrKind::from_schema_type);
    let flag = |key: &str| {
        get_attr(value, key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let mutability = match get_attr(value, "mutability").and_then(Value::as_str) {
        Some(m) if m.eq_ignore_ascii_case("readOnly") => Mutability::ReadOnly,
        Some(m) if m.eq_ignore_ascii_case("immutable") => Mutability::Immutable,
        Some(m) if m.eq_ignore_ascii_case("writeOnly") => Mutability::WriteOnly,
        _ => Mutability::ReadWrite,
    };
    let sub_attributes = get_attr(value, "subAttributes")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(attribute).collect())
        .unwrap_or_default();
    Some(AttrDecl {
        name: name.to_owned(),
        kind,
        multi_valued: flag("multiValued"),
        required: flag("required"),
        mutability,
        sub_attributes,
    })
}

fn find<'a>(list: &'a [AttrDecl], name: &str) -> Option<&'a AttrDecl> {
    list.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn resource_types_are_read_with_their_schemas_and_extensions() {
        let spc = json!({"etag": {"supported": true}});
        let types = [json!({
            "name": "User", "endpoint": "/Users",
            "schema": "urn:core:User",
            "schemaExtensions": [{"schema": "urn:ext:Hire", "required": true}]
        })];
        let schemas = [
            json!({"id": "urn:core:User", "attributes": [
                {"name": "userName", "type": "string", "required": true},
                {"name": "id", "type": "string", "mutability": "readOnly"},
                {"name": "emails", "type": "complex", "multiValued": true,
                 "subAttributes": [{"name": "value", "type": "string"}]}
            ]}),
            json!({"id": "urn:ext:Hire", "attributes": [{"name": "roles", "type": "string", "multiValued": true}]}),
        ];
        let declared = Declared::from_json(&spc, &types, &schemas);
        assert!(declared.etag);
        let user = declared.by_endpoint("Users").expect("declared");
        assert!(declared.by_endpoint("users").is_none());
        assert_eq!(user.urns(), vec!["urn:core:User", "urn:ext:Hire"]);
        assert!(user.core.attribute("USERNAME").is_some_and(|a| a.required));
        assert_eq!(
            user.core.attribute("id").map(|a| a.mutability),
            Some(Mutability::ReadOnly)
        );
        let emails = user.core.attribute("emails").expect("declared");
        assert!(emails.multi_valued && emails.sub("value").is_some());
        assert!(user.extensions[0].1);
    }
}
