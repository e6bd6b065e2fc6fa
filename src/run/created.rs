//! What a create's answer says was created. A created resource is only ever named as
//! `<collection>/<encoded id>` under the target, where the collection is the URL the
//! create was sent to: a `Location` that normalises to anything else is ignored (and
//! reported), so a server cannot steer cleanup onto a resource the run did not create.
//! A create whose answer was lost is remembered by its unique name, to search for.

use std::collections::HashMap;

use reqwest::Url;
use serde_json::Value;

use crate::check::ResponseBody;
use crate::client::{Client, HttpResponse, TransportError, TransportErrorKind, encode_segment};
use crate::result::Leftover;
use crate::scim::get_attr;

/// A create's answer: the response and its parsed body, or the transport failure.
pub type Answer<'a> = Result<(&'a HttpResponse, &'a ResponseBody), &'a TransportError>;

/// A create whose answer was lost: the server may have created it, under this name.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost {
    /// Absolute URL of the collection it was posted to.
    pub collection: String,
    /// `userName` or `displayName`.
    pub attribute: &'static str,
    pub value: String,
}

/// What one answer adds to the ledger.
#[derive(Debug, Default, PartialEq)]
pub struct Found {
    /// URLs of created resources.
    pub created: Vec<String>,
    pub lost: Vec<Lost>,
    /// Resources that may exist but cannot be named safely (an id such as `..`).
    pub unreachable: Vec<Leftover>,
    /// Oddities worth reporting (a Location that was ignored, ...).
    pub problems: Vec<String>,
}

/// A POST to the collection at `collection` (absolute URL, no query).
pub fn from_create(
    client: &Client,
    collection: &str,
    request_body: Option<&Value>,
    answer: Answer<'_>,
) -> Found {
    let mut found = Found::default();
    let (response, body) = match answer {
        Err(error) => {
            if answer_lost(error) {
                found.lose(collection, request_body);
            }
            return found;
        }
        Ok(answer) => answer,
    };
    if !(200..300).contains(&response.status) {
        return found;
    }
    let location = response.header("location");
    match id_of(body.json()) {
        Some(id) => match resource_url(client, collection, &id) {
            Ok(url) => {
                if let Some(location) = location.filter(|l| !names(client, &response.url, l, &url))
                {
                    let place = if client.resolve_location(&response.url, &location).is_err() {
                        "lies outside the target".to_owned()
                    } else {
                        format!("does not name the created resource {url}")
                    };
                    found.problems.push(format!(
                        "the Location `{location}` {place}; it is ignored, and the resource \
                         is deleted by its id instead"
                    ));
                }
                found.created.push(url);
            }
            Err(reason) => found.unreachable.push(Leftover {
                what: format!("a resource created in {collection} with the id `{id}`"),
                reason,
            }),
        },
        None => match location.map(|l| one_below(client, &response.url, &l, collection)) {
            Some(Ok(url)) => found.created.push(url),
            Some(Err(problem)) => {
                found.problems.push(format!(
                    "{problem}; the created resource is searched for by its name instead"
                ));
                found.lose(collection, request_body);
            }
            None => {
                found.problems.push(format!(
                    "{collection} answered {} without an id or a Location; the created \
                     resource is searched for by its name instead",
                    response.status
                ));
                found.lose(collection, request_body);
            }
        },
    }
    found
}

/// A POST to `/Bulk`: each POST operation of the request, matched to its result.
pub fn from_bulk(client: &Client, request_body: Option<&Value>, answer: Answer<'_>) -> Found {
    let mut found = Found::default();
    let mut collections = HashMap::new();
    let posts: Vec<BulkPost> = request_body
        .and_then(|b| get_attr(b, "Operations"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, op)| BulkPost::of(client, index, op, &mut collections))
        .collect();
    let (response, body) = match answer {
        Err(error) => {
            if answer_lost(error) {
                for post in &posts {
                    found.lose(&post.collection, post.data);
                }
            }
            return found;
        }
        Ok(answer) => answer,
    };
    if !(200..300).contains(&response.status) {
        return found;
    }
    let Some(results) = body
        .json()
        .and_then(|b| get_attr(b, "Operations"))
        .and_then(Value::as_array)
    else {
        if !posts.is_empty() {
            found.problems.push(format!(
                "the Bulk answer ({}) lists no Operations; what it created is searched for \
                 by name",
                response.status
            ));
        }
        for post in &posts {
            found.lose(&post.collection, post.data);
        }
        return found;
    };
    for post in &posts {
        let result = match &post.bulk_id {
            Some(id) => results
                .iter()
                .find(|r| get_attr(r, "bulkId").and_then(Value::as_str) == Some(id)),
            None => results.get(post.index),
        };
        let Some(result) = result else {
            found.lose(&post.collection, post.data);
            continue;
        };
        if bulk_status(result).is_some_and(|s| !(200..300).contains(&s)) {
            continue;
        }
        let by_id = id_of(get_attr(result, "response")).map(|id| {
            resource_url(client, &post.collection, &id).map_err(|reason| Leftover {
                what: format!(
                    "a resource created in {} with the id `{id}`",
                    post.collection
                ),
                reason,
            })
        });
        let by_location = get_attr(result, "location")
            .and_then(Value::as_str)
            .map(|l| one_below(client, &response.url, l, &post.collection));
        match (by_id, by_location) {
            (Some(Ok(url)), _) | (None, Some(Ok(url))) => found.created.push(url),
            (Some(Err(problem)), _) => found.unreachable.push(problem),
            (None, Some(Err(problem))) => {
                found.problems.push(format!(
                    "Bulk operation: {problem}; searched for by name instead"
                ));
                found.lose(&post.collection, post.data);
            }
            (None, None) => found.lose(&post.collection, post.data),
        }
    }
    found
}

impl Found {
    fn lose(&mut self, collection: &str, data: Option<&Value>) {
        let named = ["userName", "displayName"]
            .into_iter()
            .find_map(|attribute| {
                data.and_then(|d| get_attr(d, attribute))
                    .and_then(Value::as_str)
                    .map(|value| (attribute, value.to_owned()))
            });
        match named {
            Some((attribute, value)) => self.lost.push(Lost {
                collection: collection.to_owned(),
                attribute,
                value,
            }),
            None => self.unreachable.push(Leftover {
                what: format!("a resource possibly created in {collection}"),
                reason: "its create got no usable answer, and it has no userName or \
                         displayName to search for"
                    .to_owned(),
            }),
        }
    }
}

/// A POST operation of a Bulk request.
struct BulkPost<'a> {
    index: usize,
    bulk_id: Option<String>,
    collection: String,
    data: Option<&'a Value>,
}

impl<'a> BulkPost<'a> {
    /// `collections`: the collection of each path seen so far (a Bulk request of a
    /// thousand creates names one or two paths).
    fn of(
        client: &Client,
        index: usize,
        op: &'a Value,
        collections: &mut HashMap<&'a str, Option<String>>,
    ) -> Option<BulkPost<'a>> {
        let method = get_attr(op, "method").and_then(Value::as_str)?;
        if !method.eq_ignore_ascii_case("POST") {
            return None;
        }
        let path = get_attr(op, "path").and_then(Value::as_str)?;
        let collection = collections
            .entry(path)
            .or_insert_with(|| {
                let request = crate::client::HttpRequest {
                    path: path.to_owned(),
                    ..Default::default()
                };
                client.url_of(&request).ok().map(|url| collection_of(&url))
            })
            .clone()?;
        Some(BulkPost {
            index,
            bulk_id: get_attr(op, "bulkId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            collection,
            data: get_attr(op, "data"),
        })
    }
}

/// Timeouts, connections cut mid-answer and bodies over the cap: the request reached the
/// server, which may have acted on it. A refused connection reached nothing.
fn answer_lost(error: &TransportError) -> bool {
    matches!(
        error.kind,
        TransportErrorKind::Timeout | TransportErrorKind::Other | TransportErrorKind::BodyTooLarge
    )
}

/// The URL without query or fragment.
pub fn collection_of(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

fn id_of(body: Option<&Value>) -> Option<String> {
    match body.and_then(|b| get_attr(b, "id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Bulk result's status: `"201"`, `201`, or `{"code": "201"}` as early drafts wrote it.
pub(super) fn bulk_status(result: &Value) -> Option<u16> {
    let status = get_attr(result, "status")?;
    let status = match status {
        Value::Object(_) => get_attr(status, "code")?,
        other => other,
    };
    match status {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().get(..3)?.parse().ok(),
        _ => None,
    }
}

/// `<collection>/<id>`, the id encoded as one path segment.
/// The error is why the resource cannot be named (and so is never touched).
pub fn resource_url(client: &Client, collection: &str, id: &str) -> Result<String, String> {
    if matches!(id, "" | "." | "..") {
        return Err("that id cannot name a resource in a URL, so it is never touched".into());
    }
    let url = format!(
        "{}/{}",
        collection.trim_end_matches('/'),
        encode_segment(id)
    );
    if client.is_under_base(&url) {
        Ok(url)
    } else {
        Err(format!(
            "{url} lies outside the target, so it is never touched"
        ))
    }
}

/// Whether `location` (relative to `request_url`) names exactly `url`.
fn names(client: &Client, request_url: &str, location: &str, url: &str) -> bool {
    client
        .resolve_location(request_url, location)
        .ok()
        .and_then(|resolved| Url::parse(&resolved).ok())
        .is_some_and(|resolved| {
            resolved.query().is_none()
                && resolved.fragment().is_none()
                && crate::client::same_resource(resolved.as_str(), url)
        })
}

/// `location` as `<collection>/<one segment>`, or why it is not that.
fn one_below(
    client: &Client,
    request_url: &str,
    location: &str,
    collection: &str,
) -> Result<String, String> {
    let refused =
        || format!("the Location `{location}` is not one resource under {collection}; ignored");
    let resolved = client
        .resolve_location(request_url, location)
        .map_err(|_| refused())?;
    let resolved = Url::parse(&resolved).map_err(|_| refused())?;
    if resolved.query().is_some() || resolved.fragment().is_some() {
        return Err(refused());
    }
    let has_last_segment = resolved
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .is_some_and(|last| !last.is_empty());
    let mut parent = resolved.clone();
    if let Ok(mut segments) = parent.path_segments_mut() {
        segments.pop();
    }
    if has_last_segment && crate::client::same_resource(parent.as_str(), collection) {
        Ok(resolved.to_string())
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests;
