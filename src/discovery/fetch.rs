//! Reading a target's discovery endpoints over HTTP. A target that cannot be reached or
//! refuses our credentials stops the run before any scenario, and so does one that
//! answers every discovery request with something that is not JSON (a web page: the URL
//! is not a SCIM endpoint); a target without discovery endpoints is run with what it
//! evidently serves, and the gap is reported.

use serde_json::Value;

use crate::client::{AuthMode, Client, HttpRequest, HttpResponse, TransportErrorKind};
use crate::scim::get_attr;

use super::Capabilities;
use super::declared::{self, DeclaredSchemas};

/// How many findings about odd /Schemas declarations are shown before the rest is counted.
const SHOWN_DECLARATION_WARNINGS: usize = 5;

/// What a target says about itself.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub capabilities: Capabilities,
    pub service_provider_config: Option<Value>,
    pub resource_types: Vec<Value>,
    pub schemas: Vec<Value>,
    /// A JSON Schema per resource type, derived from `resource_types` and `schemas`.
    pub declared: DeclaredSchemas,
    /// Discovery gaps that did not stop the run (e.g. no /ServiceProviderConfig).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("the target is unreachable: {0}")]
    Unreachable(String),
    /// A connection was made but what came back was not a usable HTTP answer (TLS
    /// refused, a protocol error, a body over the limit).
    #[error("no usable answer from the target: {0}")]
    NoAnswer(String),
    #[error("authentication refused: GET {path} answered {status}; check the token")]
    AuthRefused { path: &'static str, status: u16 },
    #[error(
        "not a SCIM endpoint: /ServiceProviderConfig, /ResourceTypes and /Schemas all \
         answered {status} with {content_type}, not JSON; check the base URL"
    )]
    NotScim { status: u16, content_type: String },
}

/// The capabilities assumed when a target serves no discovery endpoint at all: the
/// minimum every SCIM provisioning target offers.
const ASSUMED_WITHOUT_DISCOVERY: &[&str] = &["users"];

/// Reads /ServiceProviderConfig, /ResourceTypes and /Schemas.
pub async fn discover(client: &Client) -> Result<Discovered, DiscoveryError> {
    let mut found = Discovered::default();
    let spc = fetch(client, "/ServiceProviderConfig").await?;
    match json_of(&spc) {
        Some(body) => {
            found.capabilities.add_service_provider_config(&body);
            found.service_provider_config = Some(body);
        }
        None => found
            .warnings
            .push(format!("/ServiceProviderConfig {}", describe(&spc))),
    }
    let resource_types = fetch(client, "/ResourceTypes").await?;
    match json_of(&resource_types).map(list_items) {
        Some(items) if !items.is_empty() => {
            found.capabilities.add_resource_types(&items);
            found.resource_types = items;
        }
        _ => {
            found
                .warnings
                .push(format!("/ResourceTypes {}", describe(&resource_types)));
            for name in ASSUMED_WITHOUT_DISCOVERY {
                found.capabilities.insert(name);
            }
        }
    }
    let schemas = fetch(client, "/Schemas").await?;
    if [&spc, &resource_types, &schemas]
        .iter()
        .all(|r| r.status / 100 == 2 && crate::check::parse_json(&r.body).is_err())
    {
        return Err(DiscoveryError::NotScim {
            status: spc.status,
            // The peer chose this text: keep a hostile one short.
            content_type: spc.header("content-type").map_or_else(
                || "no content type".to_owned(),
                |t| client.redactor().secrets_out(&t).chars().take(80).collect(),
            ),
        });
    }
    match json_of(&schemas).map(list_items) {
        Some(items) => found.schemas = items,
        None => found
            .warnings
            .push(format!("/Schemas {}", describe(&schemas))),
    }
    found.declared = declared::derive(&found.resource_types, &found.schemas);
    let odd = &found.declared.warnings;
    found
        .warnings
        .extend(odd.iter().take(SHOWN_DECLARATION_WARNINGS).cloned());
    if odd.len() > SHOWN_DECLARATION_WARNINGS {
        found.warnings.push(format!(
            "... and {} more findings in /ResourceTypes and /Schemas",
            odd.len() - SHOWN_DECLARATION_WARNINGS
        ));
    }
    Ok(found)
}

async fn fetch(client: &Client, path: &'static str) -> Result<HttpResponse, DiscoveryError> {
    let request = HttpRequest {
        step: "discovery".to_owned(),
        method: "GET".to_owned(),
        path: path.to_owned(),
        auth: AuthMode::Default,
        ..HttpRequest::default()
    };
    let sent = client.send(&request).await;
    let response = sent.outcome.map_err(|e| {
        let message = client.redactor().text(&e.message);
        match e.kind {
            TransportErrorKind::Connect | TransportErrorKind::Timeout => {
                DiscoveryError::Unreachable(message)
            }
            _ => DiscoveryError::NoAnswer(message),
        }
    })?;
    if matches!(response.status, 401 | 403) {
        return Err(DiscoveryError::AuthRefused {
            path,
            status: response.status,
        });
    }
    Ok(response)
}

fn json_of(response: &HttpResponse) -> Option<Value> {
    if response.status != 200 {
        return None;
    }
    crate::check::parse_json(&response.body)
        .ok()
        .filter(Value::is_object)
}

/// The resources of a ListResponse, or of a bare array (some servers answer that way).
fn list_items(body: Value) -> Vec<Value> {
    match body {
        Value::Array(items) => items,
        object => get_attr(&object, "Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

fn describe(response: &HttpResponse) -> String {
    if response.status == 200 {
        "did not answer a JSON object".to_owned()
    } else {
        format!("answered {}", response.status)
    }
}
