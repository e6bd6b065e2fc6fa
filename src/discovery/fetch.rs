//! Reading a target's discovery endpoints over HTTP. A target that cannot be reached or
//! refuses our credentials stops the run before any scenario, and so does one that
//! answers every discovery request with something that is not JSON (a web page: the URL
//! is not a SCIM endpoint), or gives no usable answer at all (5xx, 429 or a redirect to
//! every discovery request and to the first resource request).
//!
//! A discovery gap never empties the run: a resource type that /ResourceTypes does not
//! list (or that cannot be read) is probed at its standard endpoint, and the probe's
//! answer decides. Features /ServiceProviderConfig does not describe because it cannot be
//! read are unknown, which the plan reports apart from what the target declares absent.

use reqwest::Url;
use serde_json::Value;

use crate::client::{AuthMode, Client, HttpRequest, HttpResponse, TransportErrorKind};
use crate::scim::get_attr;
use crate::vocabulary::Capability;

use super::declared::{self, DeclaredSchemas};
use super::nearby::Nearby;
use super::{Capabilities, DeclaredAttributes};

/// How many findings about odd /Schemas declarations are shown before the rest is counted.
const SHOWN_DECLARATION_WARNINGS: usize = 5;

/// The features /ServiceProviderConfig declares, as capability names.
const SPC_FEATURES: &[Capability] = &[
    Capability::Patch,
    Capability::Bulk,
    Capability::Filter,
    Capability::Sort,
    Capability::Etag,
    Capability::ChangePassword,
    Capability::Search,
];

/// The resource types the built-in scenarios use, at their standard endpoints.
const STANDARD_ENDPOINTS: &[(Capability, &str)] = &[
    (Capability::Users, "/Users"),
    (Capability::Groups, "/Groups"),
];

/// What a target says about itself.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub capabilities: Capabilities,
    pub service_provider_config: Option<Value>,
    pub resource_types: Vec<Value>,
    pub schemas: Vec<Value>,
    /// A JSON Schema per resource type, derived from `resource_types` and `schemas`.
    pub declared: DeclaredSchemas,
    /// The attributes each resource type declares, by endpoint.
    pub attributes: DeclaredAttributes,
    /// Discovery gaps that did not stop the run (e.g. no /ServiceProviderConfig), and
    /// the standard endpoints probed instead, one sentence each.
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
    /// Nothing at the URL answered like a SCIM service: every discovery document and
    /// standard endpoint answered an error. `tried` names the nearby bases asked too.
    #[error("no SCIM service at this URL ({}){}", .seen.join("; "), tried_words(.tried))]
    NoScim {
        seen: Vec<String>,
        tried: Vec<String>,
    },
    /// The URL answered no SCIM, but a nearby base does.
    #[error("{}; {answering} answers SCIM: rerun with --url {answering}", .here.seen_here())]
    WrongBase {
        here: Box<DiscoveryError>,
        answering: String,
    },
    /// The URL answered no SCIM, and a nearby base refused the credentials.
    #[error(
        "{}; {base} refuses the credentials (GET /ServiceProviderConfig answered {status}): \
         it may be the base URL, with a token for something else",
        .here.seen_here()
    )]
    RefusedNearby {
        here: Box<DiscoveryError>,
        base: String,
        status: u16,
    },
    #[error(
        "not a SCIM endpoint: /ServiceProviderConfig, /ResourceTypes and /Schemas all \
         answered {status} with {content_type}, not JSON; check the base URL"
    )]
    NotScim { status: u16, content_type: String },
    /// Every discovery request and the first resource request got a server error, a
    /// rate limit or a redirect: there is nothing to judge.
    #[error("no usable answer from the target: {}", .seen.join("; "))]
    Unusable { seen: Vec<String> },
}

impl DiscoveryError {
    /// The URL answered, but not as SCIM: a base URL off by a segment looks like this.
    fn may_be_wrong_base(&self) -> bool {
        matches!(
            self,
            DiscoveryError::NoScim { .. }
                | DiscoveryError::NotScim { .. }
                | DiscoveryError::AuthRefused { .. }
        )
    }
}

impl DiscoveryError {
    /// What the URL itself answered, without advice: the advice comes from nearby.
    fn seen_here(&self) -> String {
        match self {
            DiscoveryError::NoScim { seen, .. } => {
                format!("no SCIM service at this URL ({})", seen.join("; "))
            }
            DiscoveryError::NotScim {
                status,
                content_type,
            } => format!(
                "not a SCIM endpoint: its discovery documents answered {status} with \
                 {content_type}, not JSON"
            ),
            DiscoveryError::AuthRefused { path, status } => {
                format!("authentication refused: GET {path} answered {status}")
            }
            other => other.to_string(),
        }
    }
}

fn tried_words(tried: &[String]) -> String {
    if tried.is_empty() {
        String::new()
    } else {
        format!(
            "; no nearby base answers SCIM either (tried {}): check the base URL",
            tried.join(", ")
        )
    }
}

/// Reads /ServiceProviderConfig, /ResourceTypes and /Schemas, and probes the standard
/// endpoints that discovery leaves in doubt. When the URL answers no SCIM at all, the
/// usual bases near it are asked (`nearby`), and the error names one that answers.
pub async fn discover(client: &Client) -> Result<Discovered, DiscoveryError> {
    match discover_here(client).await {
        Err(here) if here.may_be_wrong_base() => {
            Err(match (super::nearby::look_around(client).await, here) {
                (Nearby::Answers(answering), here) => DiscoveryError::WrongBase {
                    here: Box::new(here),
                    answering,
                },
                // A nearby base that refuses the same credentials says nothing new.
                (Nearby::Refuses { .. }, here @ DiscoveryError::AuthRefused { .. }) => here,
                (Nearby::Refuses { base, status }, here) => DiscoveryError::RefusedNearby {
                    here: Box::new(here),
                    base,
                    status,
                },
                (Nearby::Nothing { tried }, DiscoveryError::NoScim { seen, .. }) => {
                    DiscoveryError::NoScim { seen, tried }
                }
                (Nearby::Nothing { .. }, here) => here,
            })
        }
        other => other,
    }
}

async fn discover_here(client: &Client) -> Result<Discovered, DiscoveryError> {
    let mut found = Discovered::default();
    let spc = fetch(client, "/ServiceProviderConfig").await?;
    match json_of(&spc) {
        Some(body) => {
            found.capabilities.add_service_provider_config(&body);
            found.service_provider_config = Some(body);
        }
        None => {
            let gap = format!("/ServiceProviderConfig {}", describe(&spc, client));
            for feature in SPC_FEATURES {
                found.capabilities.mark_unknown(*feature, &gap);
            }
            found.warnings.push(format!(
                "{gap}: the features it describes (PATCH, Bulk, filters, sorting, ETags) are unknown, and their scenarios are skipped"
            ));
        }
    }
    let resource_types = fetch(client, "/ResourceTypes").await?;
    let listed = json_of(&resource_types).map(list_items);
    match &listed {
        Some(items) if !items.is_empty() => {
            found
                .capabilities
                .add_resource_types(items, client.base_url());
            found.resource_types = items.clone();
        }
        _ => {
            let gap = format!("/ResourceTypes {}", describe(&resource_types, client));
            // Extensions are declared there, so whether the target has one is unknown.
            found
                .capabilities
                .mark_unknown(Capability::EnterpriseUser, &gap);
            found.warnings.push(gap);
        }
    }
    let schemas = fetch(client, "/Schemas").await?;
    let discovery = [&spc, &resource_types, &schemas];
    if discovery
        .iter()
        .all(|r| r.status / 100 == 2 && crate::client::parse_json(&r.body).is_err())
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
    let mut probes = Vec::new();
    for (capability, endpoint) in STANDARD_ENDPOINTS {
        if found.capabilities.has(*capability) {
            continue;
        }
        let probe = fetch(client, endpoint).await?;
        let why_probed = if found.resource_types.is_empty() {
            "/ResourceTypes cannot be read".to_owned()
        } else {
            format!("/ResourceTypes lists no resource type at {endpoint}")
        };
        if json_of(&probe).is_some() {
            found.capabilities.insert(*capability);
            found.warnings.push(format!(
                "{why_probed}, but GET {endpoint} answers 200 with JSON: its scenarios run"
            ));
        } else if unusable(&probe) {
            found.capabilities.mark_unknown(
                *capability,
                &format!(
                    "{why_probed}, and GET {endpoint} {}",
                    describe(&probe, client)
                ),
            );
        } else if found.resource_types.is_empty() {
            found.warnings.push(format!(
                "{why_probed}, and GET {endpoint} {}: its scenarios are skipped",
                describe(&probe, client)
            ));
        }
        probes.push((endpoint, probe));
    }
    let first_request_unusable = probes.first().is_none_or(|(_, r)| unusable(r));
    if discovery.iter().all(|r| unusable(r)) && first_request_unusable {
        return Err(DiscoveryError::Unusable {
            seen: what_was_seen(&discovery, &probes, client),
        });
    }
    let answered_json = discovery
        .iter()
        .copied()
        .chain(probes.iter().map(|(_, r)| r))
        .any(|r| json_of(r).is_some());
    if !answered_json {
        return Err(DiscoveryError::NoScim {
            seen: what_was_seen(&discovery, &probes, client),
            tried: Vec::new(),
        });
    }
    match json_of(&schemas).map(list_items) {
        Some(items) => found.schemas = items,
        None => found
            .warnings
            .push(format!("/Schemas {}", describe(&schemas, client))),
    }
    found.declared = declared::derive(&found.resource_types, &found.schemas);
    found.attributes = DeclaredAttributes::from_discovery(
        &found.resource_types,
        &found.schemas,
        client.base_url(),
    );
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

/// `GET /Path answered N`, for each discovery request and probe in the order sent.
fn what_was_seen(
    discovery: &[&HttpResponse; 3],
    probes: &[(&&str, HttpResponse)],
    client: &Client,
) -> Vec<String> {
    ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"]
        .iter()
        .zip(discovery)
        .map(|(path, r)| (*path, *r))
        .chain(probes.iter().map(|(path, r)| (**path, r)))
        .map(|(path, r)| format!("GET {path} {}", describe(r, client)))
        .collect()
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
    crate::client::parse_json(&response.body)
        .ok()
        .filter(Value::is_object)
}

/// An answer that says nothing about SCIM: a server error, a rate limit (after the
/// client's retries), or a redirect (never followed).
fn unusable(response: &HttpResponse) -> bool {
    response.status >= 500 || response.status == 429 || (300..400).contains(&response.status)
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

/// `answered 404`, `did not answer a JSON object`, or for a redirect where it points.
fn describe(response: &HttpResponse, client: &Client) -> String {
    if response.status == 200 {
        return "did not answer a JSON object".to_owned();
    }
    if (300..400).contains(&response.status) {
        let target = response
            .header("location")
            .map(|location| shown_location(&response.url, &location))
            .unwrap_or_else(|| "nowhere (no Location header)".to_owned());
        return client.redactor().text(&format!(
            "answered {} redirecting to {target} (redirects are not followed; check the base URL)",
            response.status
        ));
    }
    format!("answered {}", response.status)
}

/// Where a redirect points, without what may be secret in it (user info, the query and
/// the fragment), and kept short: the peer chose it.
fn shown_location(request_url: &str, location: &str) -> String {
    let resolved = Url::parse(request_url).and_then(|base| base.join(location.trim()));
    match resolved {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.as_str().chars().take(200).collect()
        }
        Err(_) => "an unreadable Location".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown_location;

    #[test]
    fn a_redirect_is_shown_without_credentials_query_or_fragment() {
        assert_eq!(
            shown_location(
                "https://h.example/scim/v2/Users",
                "https://user:pw@login.example/sso?token=abc#frag"
            ),
            "https://login.example/sso"
        );
        assert_eq!(
            shown_location("https://h.example/scim/v2/Users", "/login?next=/scim"),
            "https://h.example/login"
        );
    }
}
