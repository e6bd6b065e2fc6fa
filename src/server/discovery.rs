//! Discovery endpoints (RFC 7644 4, RFC 7643 5-7): /ServiceProviderConfig,
//! /ResourceTypes and /Schemas, telling the truth about this server (and about the
//! misbehaviours that remove features).

use serde_json::{Value, json};

use super::config::{BULK_MAX_OPERATIONS, MAX_PAYLOAD_BYTES, MAX_RESULTS};
use super::error::ScimError;
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::query::LIST_RESPONSE_SCHEMA;
use super::schema_defs::{
    ENTERPRISE_SCHEMA, GROUP_SCHEMA, ResourceKind, SCHEMAS, SchemaDef, USER_SCHEMA,
};

pub const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// RFC 7644 4: query parameters on these endpoints are ignored, and a filter is answered
/// with 403 so no client believes it was applied.
pub fn refuse_filter(params: &[(String, String)]) -> Result<(), ScimError> {
    if params
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("filter"))
    {
        return Err(ScimError::new(
            axum::http::StatusCode::FORBIDDEN,
            "discovery endpoints do not support filtering",
        ));
    }
    Ok(())
}

pub fn service_provider_config(ctx: &Ctx<'_>) -> Value {
    // Only a configured token or token endpoint is an authentication scheme; without
    // either, none is needed.
    let mut schemes = Vec::new();
    if ctx.provider.token.is_some() {
        schemes.push(json!({
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A static bearer token in the Authorization header",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": true,
        }));
    }
    if ctx.provider.token_endpoint.is_some() {
        schemes.push(json!({
            "type": "oauth2",
            "name": "OAuth2 client credentials",
            "description": "Bearer tokens issued by POST /oauth/token (client-credentials grant)",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6749",
            "primary": ctx.provider.token.is_none(),
        }));
    }
    let documentation = if ctx.misbehaves(Misbehaviour::NullValues) {
        Value::Null
    } else {
        json!("https://www.rfc-editor.org/rfc/rfc7644")
    };
    let limit = |value: usize| {
        if ctx.misbehaves(Misbehaviour::IntegersAsDecimals) {
            json!(value as f64)
        } else {
            json!(value)
        }
    };
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": documentation,
        "patch": { "supported": true },
        "bulk": {
            "supported": true,
            "maxOperations": limit(BULK_MAX_OPERATIONS),
            "maxPayloadSize": limit(MAX_PAYLOAD_BYTES),
        },
        "filter": { "supported": true, "maxResults": limit(MAX_RESULTS) },
        "changePassword": { "supported": true },
        "sort": { "supported": true },
        "etag": { "supported": true },
        "authenticationSchemes": schemes,
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", ctx.base_url),
        },
    })
}

fn resource_type_json(ctx: &Ctx<'_>, kind: ResourceKind) -> Value {
    let extensions: Vec<Value> = kind
        .extensions()
        .iter()
        .map(|(urn, _)| {
            if ctx.misbehaves(Misbehaviour::ExtensionRequiredMissing) {
                json!({ "schema": urn })
            } else if ctx.misbehaves(Misbehaviour::ExtensionRequiredUnenforced) {
                json!({ "schema": urn, "required": true })
            } else {
                json!({ "schema": urn, "required": false })
            }
        })
        .collect();
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": kind.name(),
        "name": kind.name(),
        "endpoint": endpoint(ctx, kind),
        "description": kind.description(),
        "schema": kind.schema(),
        "schemaExtensions": extensions,
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/{}", ctx.base_url, kind.name()),
        },
    })
}

/// `/Users`, or the other forms servers write (see the endpoint misbehaviours).
fn endpoint(ctx: &Ctx<'_>, kind: ResourceKind) -> String {
    if ctx.misbehaves(Misbehaviour::EndpointInternalHost) {
        format!("{}/{}", internal_base(ctx), kind.endpoint())
    } else if ctx.misbehaves(Misbehaviour::EndpointAbsolute) {
        format!("{}/{}", ctx.base_url, kind.endpoint())
    } else if ctx.misbehaves(Misbehaviour::EndpointBasePath) {
        format!("{}/{}", ctx.provider.base_path, kind.endpoint())
    } else {
        format!("/{}", kind.endpoint())
    }
}

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

pub fn resource_types(ctx: &Ctx<'_>) -> Value {
    list(
        ctx.provider
            .kinds()
            .into_iter()
            .map(|kind| resource_type_json(ctx, kind))
            .collect(),
    )
}

pub fn resource_type(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    ctx.provider
        .kinds()
        .into_iter()
        .find(|kind| kind.name() == id)
        .map(|kind| resource_type_json(ctx, kind))
        .ok_or_else(|| ScimError::not_found(format!("no resource type '{id}'")))
}

/// The User attributes the `undeclared-dropped` misbehaviour neither declares nor keeps.
pub const DROPPED_ATTRIBUTES: &[&str] = &["title", "nickName", "phoneNumbers"];
/// The sub-attributes it drops, as (attribute, sub-attribute).
pub const DROPPED_SUB_ATTRIBUTES: &[(&str, &str)] = &[("emails", "type")];

fn dropped_attribute(name: &str) -> bool {
    DROPPED_ATTRIBUTES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(name))
}

fn undeclare_dropped_subs(name: &str, published: &mut Value) {
    for (attribute, sub) in DROPPED_SUB_ATTRIBUTES {
        if attribute.eq_ignore_ascii_case(name)
            && let Some(Value::Array(subs)) = published.get_mut("subAttributes")
        {
            subs.retain(|s| {
                !s["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(sub))
            });
        }
    }
}

/// The schemas of the resource types served.
fn served_schemas(ctx: &Ctx<'_>) -> Vec<&'static SchemaDef> {
    let urns: Vec<&str> = ctx
        .provider
        .kinds()
        .into_iter()
        .flat_map(ResourceKind::schema_urns)
        .collect();
    let incomplete = ctx.misbehaves(Misbehaviour::SchemasIncomplete);
    SCHEMAS
        .iter()
        .filter(|schema| urns.contains(&schema.id))
        .filter(|schema| !(incomplete && [GROUP_SCHEMA, ENTERPRISE_SCHEMA].contains(&schema.id)))
        .collect()
}

fn schema_json(ctx: &Ctx<'_>, schema: &SchemaDef) -> Value {
    let dropping = ctx.misbehaves(Misbehaviour::UndeclaredDropped);
    let attributes: Vec<Value> = schema
        .attributes
        .iter()
        .filter(|def| !(dropping && schema.id == USER_SCHEMA && dropped_attribute(def.name)))
        .map(|def| {
            let mut published = def.published();
            if dropping && schema.id == USER_SCHEMA {
                undeclare_dropped_subs(def.name, &mut published);
            }
            published
        })
        .collect();
    let mut out = json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", ctx.base_url, schema.id),
        },
    });
    if let Some(Value::Array(attributes)) = out.get_mut("attributes") {
        let unserved: Vec<&str> = [ResourceKind::User, ResourceKind::Group]
            .into_iter()
            .filter(|kind| !ctx.provider.serves(*kind))
            .map(ResourceKind::name)
            .collect();
        for attribute in attributes.iter_mut() {
            drop_reference_types(attribute, &unserved);
        }
    }
    misdescribe(ctx, schema.id, &mut out);
    out
}

/// RFC 7643 7: referenceTypes name resource types the server has, so a Users-only server
/// does not offer Group as one.
fn drop_reference_types(attribute: &mut Value, unserved: &[&str]) {
    if let Some(Value::Array(types)) = attribute.get_mut("referenceTypes") {
        types.retain(|name| !name.as_str().is_some_and(|name| unserved.contains(&name)));
    }
    if let Some(Value::Array(subs)) = attribute.get_mut("subAttributes") {
        for sub in subs.iter_mut() {
            drop_reference_types(sub, unserved);
        }
    }
}

/// The ways the schema misbehaviours publish a schema wrongly.
fn misdescribe(ctx: &Ctx<'_>, id: &str, schema: &mut Value) {
    if ctx.misbehaves(Misbehaviour::SchemaWithoutSchemaUrn)
        && let Some(members) = schema.as_object_mut()
    {
        members.remove("schemas");
    }
    if ctx.misbehaves(Misbehaviour::SchemaKeywordsNonstandard)
        && let Some(Value::Array(attributes)) = schema.get_mut("attributes")
    {
        attributes.iter_mut().for_each(own_words);
    }
    if ctx.misbehaves(Misbehaviour::TitleReturnedRequest)
        && id == USER_SCHEMA
        && let Some(Value::Array(attributes)) = schema.get_mut("attributes")
    {
        for attribute in attributes.iter_mut().filter(|a| a["name"] == "title") {
            attribute["returned"] = json!("request");
        }
    }
    if ctx.misbehaves(Misbehaviour::ReferenceTypesUndefined)
        && let Some(Value::Array(attributes)) = schema.get_mut("attributes")
    {
        attributes.iter_mut().for_each(undefined_reference_types);
    }
    if ctx.misbehaves(Misbehaviour::SchemaStructureLoose)
        && id == USER_SCHEMA
        && let Some(Value::Array(attributes)) = schema.get_mut("attributes")
    {
        for attribute in attributes.iter_mut() {
            match attribute["name"].as_str() {
                Some("active") => {
                    attribute["subAttributes"] = json!([loose_attribute("value", "boolean")]);
                }
                Some("addresses") => {
                    if let Some(Value::Array(subs)) = attribute.get_mut("subAttributes") {
                        let mut geo = loose_attribute("geo", "complex");
                        geo["subAttributes"] = json!([
                            loose_attribute("latitude", "decimal"),
                            loose_attribute("longitude", "decimal"),
                        ]);
                        subs.push(geo);
                    }
                }
                _ => {}
            }
        }
        attributes.push(loose_attribute("badge.number", "string"));
    }
}

/// referenceTypes naming things that are not resource types (`reference-types-undefined`).
fn undefined_reference_types(attribute: &mut Value) {
    if let Some(Value::Array(types)) = attribute.get_mut("referenceTypes") {
        for name in types.iter_mut() {
            if name.as_str() == Some("User") {
                *name = json!("Manager");
            }
        }
    }
    if let Some(Value::Array(subs)) = attribute.get_mut("subAttributes") {
        subs.iter_mut().for_each(undefined_reference_types);
    }
}

/// Types and characteristics in words RFC 7643 7 does not have, as some servers write them.
fn own_words(attribute: &mut Value) {
    let replace = |attribute: &mut Value, key: &str, from: &str, to: &str| {
        if attribute[key].as_str() == Some(from) {
            attribute[key] = json!(to);
        }
    };
    replace(attribute, "type", "integer", "int");
    replace(attribute, "mutability", "readWrite", "read-write");
    replace(attribute, "returned", "default", "normal");
    replace(attribute, "uniqueness", "server", "unique");
    if let Some(Value::Array(subs)) = attribute.get_mut("subAttributes") {
        subs.iter_mut().for_each(own_words);
    }
}

fn loose_attribute(name: &str, scim_type: &str) -> Value {
    json!({
        "name": name, "type": scim_type, "multiValued": false, "required": false,
        "caseExact": false, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none", "description": "published by schema-structure-loose",
    })
}

/// The protocol message schema `schemas-list-messages` adds to /Schemas.
fn list_response_schema(ctx: &Ctx<'_>) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": LIST_RESPONSE_SCHEMA,
        "name": "ListResponse",
        "description": "A list of resources",
        "attributes": [{
            "name": "totalResults", "type": "integer", "multiValued": false,
            "required": true, "caseExact": false, "mutability": "readOnly",
            "returned": "always", "uniqueness": "none",
            "description": "How many resources match",
        }],
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{LIST_RESPONSE_SCHEMA}", ctx.base_url),
        },
    })
}

/// What `discovery-paged` answers: the page startIndex and count select, as if the
/// discovery lists were ordinary queries.
pub fn paged(ctx: &Ctx<'_>, params: &[(String, String)], mut list: Value) -> Value {
    if !ctx.misbehaves(Misbehaviour::DiscoveryPaged) {
        return list;
    }
    let number = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.parse::<usize>().ok())
    };
    let start = number("startIndex").unwrap_or(1).max(1);
    let count = number("count").unwrap_or(usize::MAX);
    if let Some(Value::Array(resources)) = list.get_mut("Resources") {
        let page: Vec<Value> = resources.drain(..).skip(start - 1).take(count).collect();
        list["itemsPerPage"] = json!(page.len());
        list["startIndex"] = json!(start);
        list["Resources"] = Value::Array(page);
    }
    list
}

pub fn schemas(ctx: &Ctx<'_>) -> Value {
    let mut schemas: Vec<Value> = served_schemas(ctx)
        .into_iter()
        .map(|schema| schema_json(ctx, schema))
        .collect();
    if ctx.misbehaves(Misbehaviour::SchemasListMessages) {
        schemas.push(list_response_schema(ctx));
    }
    list(schemas)
}

pub fn schema(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    served_schemas(ctx)
        .into_iter()
        .find(|schema| schema.id == id)
        .map(|schema| schema_json(ctx, schema))
        .ok_or_else(|| ScimError::not_found(format!("no schema '{id}'")))
}

/// The base URL as the service sees itself behind a proxy: another host, the same path.
pub fn internal_base(ctx: &Ctx<'_>) -> String {
    format!("http://scim.internal:8080{}", ctx.provider.base_path)
}
