//! The end of a scenario: search for creates whose answer was lost, delete what it
//! created (newest first), read each back, delete once more what is still there (a soft
//! delete, or a resource revived), and list what remains as leftovers. A resource the
//! scenario already deleted is only read back, not deleted again.

use tokio_util::sync::CancellationToken;

use super::created::{Lost, resource_url};
use super::ledger::{CLEANUP_STEP, CleanupLedger, Entry, describe_lost};
use crate::client::{AuthMode, Client, HttpRequest, HttpResponse, TransportError};
use crate::profile::{Adapter, Cleanup, Outgoing, unquote_filter};
use crate::result::{Exchange, Leftover};
use crate::scim::get_attr;

/// What cleanup did and what it left.
#[derive(Debug, Default)]
pub struct Cleaned {
    pub exchanges: Vec<Exchange>,
    /// Reported problems that left nothing behind (an ignored Location, ...).
    pub problems: Vec<String>,
    pub leftovers: Vec<Leftover>,
}

/// Why a resource stays when the profile's cleanup is `none`.
const NOT_REMOVED: &str =
    "not removed: the profile's cleanup is `none` (the product offers no way to remove it)";

/// Why cleanup stopped before the end.
const ABANDONED: &str = "not cleaned up: the run stopped before its cleanup was done";

/// Everything `--keep` leaves, as leftovers.
pub fn kept(ledger: &CleanupLedger) -> Cleaned {
    let reason = || "kept (--keep)".to_owned();
    Cleaned {
        exchanges: Vec::new(),
        problems: ledger.problems.clone(),
        leftovers: ledger
            .entries
            .iter()
            .filter(|e| !e.gone)
            .map(|e| Leftover {
                what: e.url.clone(),
                reason: reason(),
            })
            .chain(ledger.lost.iter().map(|l| Leftover {
                what: describe_lost(l),
                reason: reason(),
            }))
            .chain(ledger.unreachable.iter().cloned())
            .collect(),
    }
}

/// Cleans up after a scenario; `abandon` ends it early (what is left is listed).
pub async fn clean_up(
    ledger: CleanupLedger,
    client: &Client,
    adapter: &Adapter,
    abandon: &CancellationToken,
) -> Cleaned {
    let held = ledger.held().clone();
    let mut work = Work {
        client,
        adapter,
        abandon,
        cleaned: Cleaned {
            problems: ledger.problems.clone(),
            leftovers: ledger.unreachable.clone(),
            ..Cleaned::default()
        },
    };
    let mut entries = ledger.entries.clone();
    for lost in &ledger.lost {
        let described = describe_lost(lost);
        if abandon.is_cancelled() {
            work.leave(&described, ABANDONED.to_owned());
            continue;
        }
        match work.search(lost).await {
            Ok(urls) => {
                held.release(&described);
                for url in urls {
                    held.hold(&url);
                    if !entries.iter().any(|e| e.url == url) {
                        entries.push(Entry {
                            url,
                            deleted: false,
                            gone: false,
                            deleted_in_bulk: false,
                        });
                    }
                }
            }
            Err(reason) => work.leave(&described, reason),
        }
    }
    for entry in entries.iter().rev().filter(|e| !e.gone) {
        if abandon.is_cancelled() {
            work.leave(&entry.url, ABANDONED.to_owned());
            continue;
        }
        let removed = match adapter.cleanup {
            Cleanup::None => Err(NOT_REMOVED.to_owned()),
            Cleanup::Deactivate if is_user(&entry.url) => work.deactivate(entry, false).await,
            Cleanup::DeleteDeactivates if is_user(&entry.url) => work.deactivate(entry, true).await,
            _ => work.remove(entry).await,
        };
        match removed {
            Ok(()) => held.release(&entry.url),
            Err(reason) => work.leave(&entry.url, reason),
        }
    }
    let redactor = client.redactor();
    let mut cleaned = work.cleaned;
    for text in &mut cleaned.problems {
        *text = redactor.text(text);
    }
    for leftover in &mut cleaned.leftovers {
        leftover.what = redactor.text(&leftover.what);
        leftover.reason = redactor.text(&leftover.reason);
    }
    cleaned
}

/// What a read-back showed.
enum ReadBack {
    Gone,
    Present(u16),
    Unknown(String),
}

struct Work<'a> {
    client: &'a Client,
    adapter: &'a Adapter,
    abandon: &'a CancellationToken,
    cleaned: Cleaned,
}

impl Work<'_> {
    fn leave(&mut self, what: &str, reason: String) {
        self.cleaned.leftovers.push(Leftover {
            what: what.to_owned(),
            reason,
        });
    }

    /// Deletes the resource unless the scenario did, then reads it back; one more DELETE
    /// for a resource still there. The error is why it may remain.
    async fn remove(&mut self, entry: &Entry) -> Result<(), String> {
        let mut deleted_again = false;
        let mut delete_problem = None;
        if !entry.deleted && !entry.deleted_in_bulk {
            delete_problem = self.delete(&entry.url).await;
        }
        loop {
            match self.read_back(&entry.url).await {
                ReadBack::Gone => return Ok(()),
                ReadBack::Present(_) if !deleted_again && !self.abandon.is_cancelled() => {
                    deleted_again = true;
                    delete_problem = self.delete(&entry.url).await;
                }
                ReadBack::Present(status) => {
                    let deletes = match (entry.deleted, deleted_again) {
                        (true, false) | (false, false) => "its DELETE",
                        (true, true) => "the scenario's DELETE and one more",
                        (false, true) => "two DELETEs",
                    };
                    let why = delete_problem
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default();
                    return Err(format!(
                        "still there after {deletes}{why}: GET answered {status} (a soft \
                         delete, or a DELETE that does nothing?)"
                    ));
                }
                ReadBack::Unknown(problem) => {
                    let why = delete_problem.map(|p| format!("{p}; ")).unwrap_or_default();
                    return Err(format!("{why}cannot tell whether it is gone: {problem}"));
                }
            }
        }
    }

    /// Where DELETE only deactivates or is not offered: DELETE (`by_delete`) or PATCH
    /// `active` to false, unless the scenario already deleted it; then read it back
    /// inactive.
    async fn deactivate(&mut self, entry: &Entry, by_delete: bool) -> Result<(), String> {
        // Even after the scenario's own DELETE: a later step may have made it active again.
        if by_delete {
            if let Some(problem) = self.delete(&entry.url).await {
                return Err(problem);
            }
        } else if !entry.deleted {
            let mut body = serde_json::json!({
                "schemas": [PATCH_OP_SCHEMA],
                "Operations": [{"op": "replace", "path": "active", "value": false}],
            });
            let mut request = HttpRequest {
                step: CLEANUP_STEP.into(),
                method: "PATCH".into(),
                path: entry.url.clone(),
                auth: AuthMode::Default,
                ..HttpRequest::default()
            };
            self.adapter.apply(Outgoing {
                method: "PATCH",
                path: &entry.url,
                query: &mut request.query,
                headers: &mut request.headers,
                body: Some(&mut body),
                setup: true,
            })?;
            request.body = Some(crate::client::json_bytes(&body));
            match self.send_request(request).await {
                Ok(response) if is_success(response.status) || is_gone(response.status) => {}
                Ok(response) => {
                    return Err(format!(
                        "deactivation by PATCH answered {}",
                        response.status
                    ));
                }
                Err(e) => return Err(format!("deactivation by PATCH failed: {e}")),
            }
        }
        match self.send("GET", &entry.url, Vec::new()).await {
            Ok(response) if is_gone(response.status) => Ok(()),
            Ok(response) if is_success(response.status) => {
                let body = crate::client::parse_json(&response.body).ok();
                let active = body.as_ref().and_then(|b| get_attr(b, "active"));
                if active == Some(&serde_json::Value::Bool(false)) {
                    Ok(())
                } else {
                    Err("still active after its deactivation: GET shows no active=false".to_owned())
                }
            }
            Ok(response) => Err(format!(
                "cannot tell whether it is inactive: GET answered {}",
                response.status
            )),
            Err(e) => Err(format!(
                "cannot tell whether it is inactive: GET failed: {e}"
            )),
        }
    }

    /// The problem with the DELETE, if any (404 and 410 mean already gone).
    async fn delete(&mut self, url: &str) -> Option<String> {
        match self.send("DELETE", url, Vec::new()).await {
            Ok(response) if is_success(response.status) || is_gone(response.status) => None,
            Ok(response) => Some(format!("DELETE answered {}", response.status)),
            Err(e) => Some(format!("DELETE failed: {e}")),
        }
    }

    async fn read_back(&mut self, url: &str) -> ReadBack {
        match self.send("GET", url, Vec::new()).await {
            Ok(response) if is_gone(response.status) => ReadBack::Gone,
            Ok(response) if is_success(response.status) => ReadBack::Present(response.status),
            Ok(response) => ReadBack::Unknown(format!("GET answered {}", response.status)),
            Err(e) => ReadBack::Unknown(format!("GET failed: {e}")),
        }
    }

    /// The resources a filter on the lost create's unique name finds, or why none can be
    /// trusted to be it.
    async fn search(&mut self, lost: &Lost) -> Result<Vec<String>, String> {
        let filter = format!(
            "{} eq \"{}\"",
            lost.attribute,
            lost.value.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let response = self
            .send("GET", &lost.collection, vec![("filter".to_owned(), filter)])
            .await
            .map_err(|e| {
                format!("its create got no usable answer, and the search for it failed: {e}")
            })?;
        let unsearchable =
            |why: String| format!("its create got no usable answer, and the search for it {why}");
        if response.status != 200 {
            return Err(unsearchable(format!("answered {}", response.status)));
        }
        let body = crate::client::parse_json(&response.body)
            .map_err(|_| unsearchable("did not answer JSON".to_owned()))?;
        let resources = get_attr(&body, "Resources")
            .and_then(serde_json::Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut urls = Vec::new();
        for resource in &resources {
            // Only the resource that carries the run's own unique name is taken, whatever
            // else a server that ignores filters returns.
            let named = get_attr(resource, lost.attribute)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(&lost.value));
            let id = get_attr(resource, "id").and_then(serde_json::Value::as_str);
            if let (true, Some(id)) = (named, id) {
                urls.push(
                    resource_url(self.client, &lost.collection, id)
                        .map_err(|reason| unsearchable(format!("found it, but {reason}")))?,
                );
            }
        }
        Ok(urls)
    }

    async fn send(
        &mut self,
        method: &str,
        url: &str,
        mut query: Vec<(String, String)>,
    ) -> Result<HttpResponse, TransportError> {
        for (name, value) in &mut query {
            if name == "filter" {
                *value = unquote_filter(value, &self.adapter.dialect.unquoted_filters);
            }
        }
        self.send_request(HttpRequest {
            step: CLEANUP_STEP.into(),
            method: method.into(),
            path: url.to_owned(),
            query,
            auth: AuthMode::Default,
            ..HttpRequest::default()
        })
        .await
    }

    async fn send_request(&mut self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let sent = self.client.send_until(&request, self.abandon).await;
        self.cleaned.exchanges.extend(sent.exchanges);
        sent.outcome
    }
}

const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A resource under /Users: the only kind a product deactivates.
fn is_user(url: &str) -> bool {
    url.split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .rsplit('/')
        .nth(1)
        .is_some_and(|collection| collection.eq_ignore_ascii_case("Users"))
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn is_gone(status: u16) -> bool {
    matches!(status, 404 | 410)
}
