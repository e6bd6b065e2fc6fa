//! The cleanup ledger: what this scenario created, deleted again at its end.
//!
//! Only URLs that the run's own responses returned (a `201` with `Location` or `id`,
//! Bulk results) are ever recorded, and only when they lie under the target base URL.

use reqwest::Url;
use serde_json::Value;

use crate::check::ResponseBody;
use crate::client::{AuthMode, Client, HttpRequest, HttpResponse};
use crate::result::Exchange;

/// Name of the pseudo-step under which cleanup requests are reported.
pub const CLEANUP_STEP: &str = "cleanup";

#[derive(Debug, Default)]
pub struct CleanupLedger {
    /// Created resources, in creation order.
    urls: Vec<String>,
    /// Problems found while recording (a `Location` outside the target, ...).
    errors: Vec<String>,
}

impl CleanupLedger {
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Records what a response says was created.
    pub fn record_created(
        &mut self,
        client: &Client,
        response: &HttpResponse,
        body: &ResponseBody,
    ) {
        if response.status == 201 {
            match created_url(client, response, body) {
                Some(Created::At(url)) => self.add(url),
                Some(Created::ById { url, location_problem }) => {
                    self.add(url);
                    self.errors.push(format!(
                        "{location_problem}; the resource is deleted by its id instead"
                    ));
                }
                Some(Created::Unreachable(problem)) => self.errors.push(problem),
                None => self.errors.push(format!(
                    "{} answered 201 without a Location header or an id; the created resource cannot be cleaned up",
                    response.url
                )),
            }
        } else if response.status == 200 && is_bulk(&response.url) {
            for location in bulk_created(body) {
                match client.resolve_location(&response.url, &location) {
                    Ok(url) => self.add(url),
                    Err(problem) => self.errors.push(problem),
                }
            }
        }
    }

    /// The scenario deleted this resource itself.
    pub fn forget(&mut self, url: &str) {
        self.urls.retain(|u| u != url);
    }

    fn add(&mut self, url: String) {
        if !self.urls.contains(&url) {
            self.urls.push(url);
        }
    }

    /// Deletes every recorded resource, newest first; a 404 means already gone.
    pub async fn clean_up(&self, client: &Client) -> (Vec<Exchange>, Vec<String>) {
        let mut exchanges = Vec::new();
        let mut errors = self.errors.clone();
        for url in self.urls.iter().rev() {
            let sent = client
                .send(&HttpRequest {
                    step: CLEANUP_STEP.into(),
                    method: "DELETE".into(),
                    path: url.clone(),
                    auth: AuthMode::Default,
                    ..HttpRequest::default()
                })
                .await;
            let shown = sent
                .exchanges
                .last()
                .map(|e| e.url.clone())
                .unwrap_or_else(|| client.redactor().text(url));
            exchanges.extend(sent.exchanges);
            match sent.outcome {
                Ok(response) if (200..300).contains(&response.status) || response.status == 404 => {
                }
                Ok(response) => errors.push(format!(
                    "DELETE {shown} answered {}; the resource may remain",
                    response.status
                )),
                Err(e) => errors.push(format!(
                    "DELETE {shown} failed: {e}; the resource may remain"
                )),
            }
        }
        let errors = errors
            .into_iter()
            .map(|e| client.redactor().text(&e))
            .collect();
        (exchanges, errors)
    }
}

/// Where a created resource can be deleted.
enum Created {
    /// Its `Location`, or its id under the collection it was created in.
    At(String),
    /// The `Location` lies outside the target (a proxy that rewrites the scheme, ...), so
    /// it is never followed; the id under the collection names the resource instead.
    ById {
        url: String,
        location_problem: String,
    },
    Unreachable(String),
}

fn created_url(client: &Client, response: &HttpResponse, body: &ResponseBody) -> Option<Created> {
    let by_id = || {
        let id = match body.json().and_then(|b| crate::check::field_of(b, "id"))? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some(resource_url(client, &response.url, &id))
    };
    let Some(location) = response.header("location") else {
        return by_id().map(|found| found.map_or_else(Created::Unreachable, Created::At));
    };
    match client.resolve_location(&response.url, &location) {
        Ok(url) => Some(Created::At(url)),
        Err(location_problem) => Some(match by_id() {
            Some(Ok(url)) => Created::ById {
                url,
                location_problem,
            },
            _ => Created::Unreachable(location_problem),
        }),
    }
}

/// `<collection URL>/<id>`, with the id as a single encoded path segment.
fn resource_url(client: &Client, collection: &str, id: &str) -> Result<String, String> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(format!(
            "the server returned the id `{id}`, which cannot name a resource"
        ));
    }
    let mut url = Url::parse(collection).map_err(|e| format!("invalid URL `{collection}`: {e}"))?;
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| format!("`{collection}` cannot take a path"))?
        .pop_if_empty()
        .push(id);
    client.resolve_location(collection, url.as_str())
}

fn is_bulk(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| u.path().trim_end_matches('/').ends_with("/Bulk"))
}

/// Locations of the operations a Bulk response reports as created.
fn bulk_created(body: &ResponseBody) -> Vec<String> {
    let Some(operations) = body
        .json()
        .and_then(|b| crate::check::field_of(b, "Operations"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    operations
        .iter()
        .filter(|op| {
            crate::check::field_of(op, "status").is_some_and(|s| match s {
                Value::String(s) => s.trim() == "201",
                Value::Number(n) => n.as_u64() == Some(201),
                _ => false,
            })
        })
        .filter_map(|op| crate::check::field_of(op, "location").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}
