//! Cleanup of a whole run in a few requests, where the target advertises Bulk (RFC 7644
//! 3.7): one Bulk request of DELETEs per `maxOperations` resources, then, where it
//! filters, one query per collection for what should now be gone. What these settle is
//! marked in the ledgers; `cleanup::clean_up` then deletes and reads back, one by one,
//! only what they did not (a DELETE the Bulk answer does not confirm, a resource the
//! query still lists, a target that cannot be queried). Only the ledgers' own URLs,
//! which name what the run created, are ever sent.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::ledger::{CLEANUP_STEP, CleanupLedger, Entry};
use crate::client::{AuthMode, Client, HttpRequest, HttpResponse, resource_key};
use crate::result::Exchange;
use crate::scim::get_attr;

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// Ids per verifying query: keeps the URL well under common limits.
const IDS_PER_QUERY: usize = 40;

/// What the target advertises that cleanup can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkCleanup {
    /// `bulk.maxOperations` of its ServiceProviderConfig.
    pub max_operations: usize,
    /// It supports `filter`: deletions are confirmed by a query instead of a GET each.
    pub can_filter: bool,
}

/// One resource a ledger holds: which ledger, which entry.
#[derive(Debug, Clone, Copy)]
struct Slot {
    ledger: usize,
    entry: usize,
}

/// Deletes in Bulk what the ledgers hold and confirms it gone; returns the exchanges.
pub async fn settle(
    ledgers: &mut [&mut CleanupLedger],
    client: &Client,
    abandon: &CancellationToken,
    bulk: BulkCleanup,
) -> Vec<Exchange> {
    let mut exchanges = Vec::new();
    let to_delete: Vec<Slot> = slots(ledgers, |e| !e.deleted && !e.gone);
    for chunk in to_delete.chunks(bulk.max_operations.max(1)) {
        if abandon.is_cancelled() {
            return exchanges;
        }
        let urls: Vec<&str> = chunk
            .iter()
            .map(|s| ledgers[s.ledger].entries[s.entry].url.as_str())
            .collect();
        let confirmed = delete_in_bulk(client, &urls, abandon, &mut exchanges).await;
        for (slot, confirmed) in chunk.iter().zip(confirmed) {
            if confirmed {
                ledgers[slot.ledger].entries[slot.entry].deleted_in_bulk = true;
            }
        }
    }
    if bulk.can_filter {
        let to_confirm = slots(ledgers, |e| (e.deleted || e.deleted_in_bulk) && !e.gone);
        let mut by_collection: BTreeMap<String, Vec<(Slot, String)>> = BTreeMap::new();
        for slot in to_confirm {
            let url = &ledgers[slot.ledger].entries[slot.entry].url;
            if let Some((collection, id)) = split_id(url) {
                by_collection
                    .entry(collection)
                    .or_default()
                    .push((slot, id));
            }
        }
        for (collection, members) in by_collection {
            for chunk in members.chunks(IDS_PER_QUERY) {
                if abandon.is_cancelled() {
                    return exchanges;
                }
                let ids: Vec<&str> = chunk.iter().map(|(_, id)| id.as_str()).collect();
                let Some(listed) =
                    still_listed(client, &collection, &ids, abandon, &mut exchanges).await
                else {
                    continue;
                };
                for (slot, id) in chunk {
                    if !listed.iter().any(|l| l == id) {
                        let ledger = &mut ledgers[slot.ledger];
                        ledger.entries[slot.entry].gone = true;
                        ledger.held().release(&ledger.entries[slot.entry].url);
                    }
                }
            }
        }
    }
    exchanges
}

fn slots(ledgers: &[&mut CleanupLedger], wanted: impl Fn(&Entry) -> bool) -> Vec<Slot> {
    ledgers
        .iter()
        .enumerate()
        .flat_map(|(ledger, l)| {
            l.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| wanted(e))
                .map(move |(entry, _)| Slot { ledger, entry })
        })
        .collect()
}

/// One Bulk request deleting `urls`; for each, whether the answer confirms it deleted
/// (2xx) or already gone (404, 410).
async fn delete_in_bulk(
    client: &Client,
    urls: &[&str],
    abandon: &CancellationToken,
    exchanges: &mut Vec<Exchange>,
) -> Vec<bool> {
    let base = client.base_url().trim_end_matches('/');
    let operations: Vec<Value> = urls
        .iter()
        .map(|url| json!({"method": "DELETE", "path": url.strip_prefix(base).unwrap_or(url)}))
        .collect();
    let body = json!({"schemas": [BULK_REQUEST], "Operations": operations});
    let request = HttpRequest {
        step: CLEANUP_STEP.into(),
        method: "POST".into(),
        path: "/Bulk".into(),
        body: Some(crate::client::json_bytes(&body)),
        auth: AuthMode::Default,
        ..HttpRequest::default()
    };
    let Some(answer) = send(client, request, abandon, exchanges).await else {
        return vec![false; urls.len()];
    };
    let results = crate::client::parse_json(&answer.body).ok();
    let results = results
        .as_ref()
        .filter(|_| (200..300).contains(&answer.status))
        .and_then(|b| get_attr(b, "Operations"))
        .and_then(Value::as_array);
    let Some(results) = results else {
        return vec![false; urls.len()];
    };
    // Each result's location resolved once: matching is by key, not by parsing every
    // pair (a run's cleanup matches hundreds of URLs against hundreds of results).
    let mut by_location: HashMap<String, &Value> = HashMap::new();
    for result in results {
        let key = get_attr(result, "location")
            .and_then(Value::as_str)
            .and_then(|l| client.resolve_location(&answer.url, l).ok())
            .and_then(|l| resource_key(&l));
        if let Some(key) = key {
            by_location.entry(key).or_insert(result);
        }
    }
    urls.iter()
        .enumerate()
        .map(|(index, url)| {
            // Matched by the location the result names, else by its place.
            let result = resource_key(url)
                .and_then(|key| by_location.get(&key).copied())
                .or_else(|| {
                    results.get(index).filter(|r| {
                        get_attr(r, "location").is_none()
                            && get_attr(r, "method")
                                .and_then(Value::as_str)
                                .is_none_or(|m| m.eq_ignore_ascii_case("DELETE"))
                    })
                });
            result
                .and_then(super::created::bulk_status)
                .is_some_and(|s| (200..300).contains(&s) || matches!(s, 404 | 410))
        })
        .collect()
}

/// The ids among `ids` that a query of `collection` still lists; None when the answer
/// cannot tell (an error, not JSON, or more results than it shows).
async fn still_listed(
    client: &Client,
    collection: &str,
    ids: &[&str],
    abandon: &CancellationToken,
    exchanges: &mut Vec<Exchange>,
) -> Option<Vec<String>> {
    let filter = ids
        .iter()
        .map(|id| {
            format!(
                "id eq \"{}\"",
                id.replace('\\', "\\\\").replace('"', "\\\"")
            )
        })
        .collect::<Vec<_>>()
        .join(" or ");
    let request = HttpRequest {
        step: CLEANUP_STEP.into(),
        method: "GET".into(),
        path: collection.to_owned(),
        query: vec![
            ("filter".to_owned(), filter),
            ("attributes".to_owned(), "id".to_owned()),
        ],
        auth: AuthMode::Default,
        ..HttpRequest::default()
    };
    let answer = send(client, request, abandon, exchanges).await?;
    if answer.status != 200 {
        return None;
    }
    let body = crate::client::parse_json(&answer.body).ok()?;
    let resources = get_attr(&body, "Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = get_attr(&body, "totalResults").and_then(Value::as_u64)?;
    // A page that does not show every result cannot show a resource is gone.
    if usize::try_from(total).ok()? > resources.len() {
        return None;
    }
    Some(
        resources
            .iter()
            .filter_map(|r| match get_attr(r, "id")? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
    )
}

/// `(<collection URL>, <decoded id>)` of `<collection>/<encoded id>`.
fn split_id(url: &str) -> Option<(String, String)> {
    let (collection, encoded) = url.rsplit_once('/')?;
    (!encoded.is_empty()).then(|| {
        (
            collection.to_owned(),
            crate::server::percent_decode(encoded),
        )
    })
}

async fn send(
    client: &Client,
    request: HttpRequest,
    abandon: &CancellationToken,
    exchanges: &mut Vec<Exchange>,
) -> Option<HttpResponse> {
    let sent = client.send_until(&request, abandon).await;
    exchanges.extend(sent.exchanges);
    sent.outcome.ok()
}
