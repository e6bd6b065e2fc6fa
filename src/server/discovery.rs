//! Discovery endpoints (RFC 7644 4, RFC 7643 5-7): /ServiceProviderConfig,
//! /ResourceTypes and /Schemas, telling the truth about this server (and about the
//! misbehaviours that remove features).

use serde_json::{Value, json};

use super::config::{BULK_MAX_OPERATIONS, MAX_PAYLOAD_BYTES, MAX_RESULTS};
use super::error::ScimError;
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::query::LIST_RESPONSE_SCHEMA;
use super::schema_defs::{ResourceKind, SCHEMAS, SchemaDef, USER_SCHEMA};

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
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": documentation,
        "patch": { "supported": true },
        "bulk": {
            "supported": true,
            "maxOperations": BULK_MAX_OPERATIONS,
            "maxPayloadSize": MAX_PAYLOAD_BYTES,
        },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
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
        .map(|(urn, _)| json!({ "schema": urn, "required": false }))
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
    if ctx.misbehaves(Misbehaviour::EndpointAbsolute) {
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
    SCHEMAS
        .iter()
        .filter(|schema| urns.contains(&schema.id))
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
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", ctx.base_url, schema.id),
        },
    })
}

pub fn schemas(ctx: &Ctx<'_>) -> Value {
    list(
        served_schemas(ctx)
            .into_iter()
            .map(|schema| schema_json(ctx, schema))
            .collect(),
    )
}

pub fn schema(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    served_schemas(ctx)
        .into_iter()
        .find(|schema| schema.id == id)
        .map(|schema| schema_json(ctx, schema))
        .ok_or_else(|| ScimError::not_found(format!("no schema '{id}'")))
}
