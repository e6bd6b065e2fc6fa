//! What the server has told the client so far, and what the client did with it: the ids
//! and versions it was given, the resources it created (and whether it learned of them),
//! the pause a 429 asked for, the declared rate, and list pages not yet followed. Rules
//! that depend on the order of requests live here.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::http::Method;
use axum::http::header::{ETAG, LOCATION, RETRY_AFTER};
use serde_json::Value;

use super::finding::Verdict;
use super::request::{Endpoint, Incoming};
use super::rulebook::ids;
use crate::scim::get_attr;
use crate::server::{SeenResponse, TokenBucket};

/// A request earlier than the Retry-After by less than this is not held against the
/// client: clocks and networks jitter.
const RETRY_AFTER_TOLERANCE: Duration = Duration::from_millis(100);
/// A request that the declared rate would have admitted this much later still counts as
/// within the rate (jitter again); the vendor's limiter refuses it all the same.
const RATE_TOLERANCE: Duration = Duration::from_millis(50);

/// A resource the client created in this session, still there.
#[derive(Debug, Clone)]
struct Created {
    resource_type: String,
    /// The create request.
    seq: u64,
    /// Its answer was withheld (an injected timeout): the client never saw the id.
    answer_lost: bool,
    /// userName / displayName / externalId as the server stored them.
    identity: Vec<(&'static str, String)>,
}

/// The attributes that identify a resource to the client that created it, by resource
/// type (any other type: externalId only). userName and displayName compare without case
/// (they are not caseExact); externalId exactly. A User's displayName is no identity: two
/// people may share a name.
const IDENTITY: &[(&str, &str, bool)] = &[
    ("User", "userName", false),
    ("Group", "displayName", false),
    ("", "externalId", true),
];

/// A 429 that asked the client to wait.
#[derive(Debug, Clone, Copy)]
struct Pause {
    until: Instant,
    sent: Instant,
    seq: u64,
    seconds: u64,
}

/// A list answer with more results beyond it.
#[derive(Debug, Clone)]
pub struct OpenPage {
    key: String,
    start: u64,
    /// The startIndex of the page after it.
    pub next: u64,
    pub total: u64,
    pub seq: u64,
}

/// The declared rate, enforced as the vendor would and judged with some tolerance.
#[derive(Debug)]
struct Rate {
    bucket: TokenBucket,
    per_second: NonZeroU32,
    /// A finding was made for the current burst; the next one waits until the client
    /// is back within the rate.
    reported: bool,
}

#[derive(Debug, Default)]
pub struct History {
    issued: HashSet<String>,
    /// The last version of each resource the client was shown.
    shown_version: HashMap<String, String>,
    /// The version each resource has now, as far as the server's answers tell.
    current_version: HashMap<String, String>,
    created: HashMap<String, Created>,
    /// The last request that could have found resources of a type, by type name.
    lookups: HashMap<String, u64>,
    pause: Option<Pause>,
    pages: Vec<OpenPage>,
    rate: Option<Rate>,
}

impl History {
    pub fn new(rate: Option<NonZeroU32>) -> Self {
        History {
            rate: rate.map(|per_second| Rate {
                bucket: TokenBucket::new(per_second.get()),
                per_second,
                reported: false,
            }),
            ..History::default()
        }
    }

    /// The server gave this id to the client.
    pub fn issued(&self, id: &str) -> bool {
        self.issued.contains(id)
    }

    pub fn open_pages(&self) -> &[OpenPage] {
        &self.pages
    }

    /// Rules about when a request came: the pause of a 429 and the declared rate. Returns
    /// how long the client should have waited when the declared rate refuses it.
    pub fn pace(&mut self, now: Instant, seq: u64, v: &mut Verdict) -> Option<Duration> {
        if let Some(pause) = self.pause.take() {
            v.checked(ids::RETRY_AFTER);
            if now + RETRY_AFTER_TOLERANCE < pause.until {
                let waited = now.saturating_duration_since(pause.sent);
                v.broke(
                    ids::RETRY_AFTER,
                    "timing",
                    format!(
                        "sent {:.2} s after request #{} was answered 429 with Retry-After: {}",
                        waited.as_secs_f64(),
                        pause.seq,
                        pause.seconds
                    ),
                    format!("no request until {} s after the 429", pause.seconds),
                );
            }
        }
        let rate = self.rate.as_mut()?;
        v.checked(ids::DECLARED_RATE);
        match rate.bucket.try_take(now) {
            Ok(()) => {
                rate.reported = false;
                None
            }
            Err(wait) => {
                if wait > RATE_TOLERANCE && !rate.reported {
                    rate.reported = true;
                    v.broke(
                        ids::DECLARED_RATE,
                        "timing",
                        format!(
                            "request #{seq} came {:.0} ms before the declared rate of {} per second allowed another",
                            wait.as_secs_f64() * 1000.0,
                            rate.per_second
                        ),
                        format!("at most {} requests per second", rate.per_second),
                    );
                }
                Some(wait)
            }
        }
    }

    /// A create of something the client already created.
    pub fn duplicates(&self, req: &Incoming<'_>, v: &mut Verdict) {
        let Some(rt) = req.creates() else {
            return;
        };
        let Some(body) = req.json() else {
            return;
        };
        v.checked(ids::NO_DUPLICATE_CREATE);
        let wanted = identity(&rt.name, body);
        let earlier = self.created.iter().find(|(_, c)| {
            c.resource_type == rt.name
                && wanted.iter().any(|(name, value)| {
                    c.identity
                        .iter()
                        .any(|(n, v)| n == name && same(name, v, value))
                })
        });
        let Some((id, earlier)) = earlier else {
            return;
        };
        let (name, value) = wanted
            .iter()
            .find(|(name, value)| {
                earlier
                    .identity
                    .iter()
                    .any(|(n, v)| n == name && same(name, v, value))
            })
            .cloned()
            .unwrap_or_default();
        let looked = self
            .lookups
            .get(&rt.name)
            .filter(|seq| **seq > earlier.seq)
            .map(|seq| format!(", although request #{seq} looked {}s up", rt.name));
        let why = if earlier.answer_lost {
            format!(
                "request #{} created it (id {id}) but its answer was lost (injected timeout); this create repeats it{}",
                earlier.seq,
                looked.unwrap_or_else(|| " without looking it up first".to_owned())
            )
        } else {
            format!(
                "request #{} already created it (id {id}){}",
                earlier.seq,
                looked.unwrap_or_default()
            )
        };
        v.broke(
            ids::NO_DUPLICATE_CREATE,
            format!("body.{name}"),
            format!("\"{value}\": {why}"),
            format!(
                "after a lost answer, a look-up (GET {}?filter={name} eq \"...\") before creating again",
                rt.endpoint
            ),
        );
    }

    /// A write that replaces a version the client was never shown, without If-Match.
    pub fn unseen_version(&self, req: &Incoming<'_>, etags: bool, v: &mut Verdict) {
        let Endpoint::Resource(_, id) = &req.endpoint else {
            return;
        };
        if !etags || !matches!(*req.method(), Method::PUT | Method::PATCH | Method::DELETE) {
            return;
        }
        v.checked(ids::IF_MATCH_MAY);
        if req.header("if-match").is_some() {
            return;
        }
        let Some(current) = self.current_version.get(id) else {
            return;
        };
        let shown = self.shown_version.get(id);
        if shown != Some(current) {
            v.broke(
                ids::IF_MATCH_MAY,
                "header If-Match",
                format!(
                    "(absent), though the resource is at version {current} and the client was last shown {}",
                    shown.map_or("none".to_owned(), Clone::clone)
                ),
                format!("If-Match: {} from a fresh read, so changes the client has not seen are not overwritten", shown.map_or("<the ETag>".to_owned(), Clone::clone)),
            );
        }
    }

    /// Facts of the request itself: look-ups, and pages it follows.
    pub fn note_arrival(&mut self, req: &Incoming<'_>) {
        let seq = req.seen.seq;
        match (&req.endpoint, req.method()) {
            (Endpoint::Resource(rt, _), &Method::GET | &Method::HEAD) => {
                self.lookups.insert(rt.name.clone(), seq);
            }
            (Endpoint::Search(None), _) => {
                let names: Vec<String> = self
                    .created
                    .values()
                    .map(|c| c.resource_type.clone())
                    .collect();
                for name in names {
                    self.lookups.insert(name, seq);
                }
            }
            _ => {}
        }
        if req.lists() {
            if let Endpoint::Collection(rt) | Endpoint::Search(Some(rt)) = &req.endpoint {
                self.lookups.insert(rt.name.clone(), seq);
            }
            let (key, start, _) = list_request(req);
            self.pages
                .retain(|page| !(page.key == key && start > page.start && start <= page.next));
        }
    }

    /// What the answer tells the client (`shown`), and what the server did (`done`, the
    /// withheld answer when there is one).
    pub fn learn(
        &mut self,
        req: &Incoming<'_>,
        shown: &SeenResponse,
        withheld: Option<&SeenResponse>,
    ) {
        let done = withheld.unwrap_or(shown);
        let done_body = json_body(done);
        if shown.status.as_u16() == 429
            && let Some(seconds) = retry_after(shown)
        {
            self.pause = Some(Pause {
                until: shown.sent + Duration::from_secs(seconds),
                sent: shown.sent,
                seq: req.seen.seq,
                seconds,
            });
        }
        if done.status.is_success() {
            self.track_resources(req, done, done_body.as_ref(), withheld.is_some());
        }
        if withheld.is_none() && shown.status.is_success() {
            if let Some(body) = &done_body {
                self.remember_shown(body, shown);
            }
            if let Some(id) = location_id(shown) {
                self.issued.insert(id);
            }
            if req.lists()
                && let Some(body) = &done_body
            {
                self.open_page(req, body);
            }
        }
    }

    fn track_resources(
        &mut self,
        req: &Incoming<'_>,
        done: &SeenResponse,
        body: Option<&Value>,
        lost: bool,
    ) {
        let id = body
            .and_then(|b| get_attr(b, "id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let (Some(id), Some(version)) = (&id, version_of(done, body)) {
            self.current_version.insert(id.clone(), version);
        }
        if let Some(body) = body
            && req.lists()
        {
            for resource in resources(body) {
                if let (Some(id), Some(version)) = (
                    get_attr(resource, "id").and_then(Value::as_str),
                    meta_version(resource),
                ) {
                    self.current_version.insert(id.to_owned(), version);
                }
            }
        }
        match (&req.endpoint, req.method()) {
            (Endpoint::Collection(rt), &Method::POST) => {
                if let (Some(id), Some(body)) = (id, body) {
                    self.created.insert(
                        id,
                        Created {
                            resource_type: rt.name.clone(),
                            seq: req.seen.seq,
                            answer_lost: lost,
                            identity: identity(&rt.name, body),
                        },
                    );
                }
            }
            (Endpoint::Resource(_, id), &Method::DELETE) => {
                self.created.remove(id);
                self.current_version.remove(id);
            }
            (Endpoint::Resource(rt, id), &Method::PUT | &Method::PATCH) => {
                if let (Some(created), Some(body)) = (self.created.get_mut(id), body) {
                    created.identity = identity(&rt.name, body);
                }
            }
            _ => {}
        }
    }

    /// Ids and versions in an answer the client received.
    fn remember_shown(&mut self, body: &Value, shown: &SeenResponse) {
        let single = get_attr(body, "id").and_then(Value::as_str);
        if let Some(id) = single
            && let Some(version) = version_of(shown, Some(body))
        {
            self.shown_version.insert(id.to_owned(), version);
        }
        for resource in std::iter::once(body).chain(resources(body)) {
            if let Some(id) = get_attr(resource, "id").and_then(Value::as_str) {
                self.issued.insert(id.to_owned());
                if single.is_none()
                    && let Some(version) = meta_version(resource)
                {
                    self.shown_version.insert(id.to_owned(), version);
                }
            }
            // A bulk answer names what it created by location only.
            if let Some(Value::Array(operations)) = get_attr(resource, "Operations") {
                for operation in operations {
                    if let Some(id) = get_attr(operation, "location")
                        .and_then(Value::as_str)
                        .and_then(last_segment)
                    {
                        self.issued.insert(id);
                    }
                }
            }
            for (attr, sub) in [("members", "value"), ("groups", "value")] {
                if let Some(Value::Array(items)) = get_attr(resource, attr) {
                    for item in items {
                        if let Some(id) = get_attr(item, sub).and_then(Value::as_str) {
                            self.issued.insert(id.to_owned());
                        }
                    }
                }
            }
        }
    }

    fn open_page(&mut self, req: &Incoming<'_>, body: &Value) {
        let number = |name: &str| get_attr(body, name).and_then(Value::as_u64);
        let Some(total) = number("totalResults") else {
            return;
        };
        let (key, asked_start, count) = list_request(req);
        // count=0 or 1 is a probe (is there any?), not a wish for the whole list.
        if count.is_some_and(|c| c <= 1) {
            return;
        }
        let start = number("startIndex").unwrap_or(asked_start).max(1);
        let on_page = number("itemsPerPage")
            .or_else(|| Some(resources(body).count() as u64))
            .unwrap_or(0);
        if on_page == 0 || start - 1 + on_page >= total {
            return;
        }
        self.pages.push(OpenPage {
            key,
            start,
            next: start + on_page,
            total,
            seq: req.seen.seq,
        });
    }
}

/// A list request's identity (endpoint, filter, sort), its startIndex and its count.
fn list_request(req: &Incoming<'_>) -> (String, u64, Option<u64>) {
    let from_body = |name: &str| req.json().and_then(|b| get_attr(b, name)).cloned();
    let text = |name: &str| {
        req.param(name).map(str::to_owned).or_else(|| {
            from_body(name).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        })
    };
    let number = |name: &str| {
        req.param(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .or_else(|| from_body(name).and_then(|v| v.as_u64()))
    };
    let key = format!(
        "{}|{}|{}|{}",
        req.seen.uri.path().trim_end_matches('/'),
        text("filter").unwrap_or_default(),
        text("sortBy").unwrap_or_default(),
        text("sortOrder").unwrap_or_default()
    );
    (
        key,
        number("startIndex").unwrap_or(1).max(1),
        number("count"),
    )
}

fn resources(body: &Value) -> impl Iterator<Item = &Value> {
    get_attr(body, "Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn identity(resource_type: &str, body: &Value) -> Vec<(&'static str, String)> {
    IDENTITY
        .iter()
        .filter(|(of, _, _)| of.is_empty() || *of == resource_type)
        .filter_map(|(_, name, _)| {
            let value = get_attr(body, name)?.as_str()?;
            (!value.is_empty()).then(|| (*name, value.to_owned()))
        })
        .collect()
}

fn same(name: &str, a: &str, b: &str) -> bool {
    let exact = IDENTITY.iter().any(|(_, n, exact)| *n == name && *exact);
    if exact {
        a == b
    } else {
        crate::scim::fold_case(a) == crate::scim::fold_case(b)
    }
}

fn json_body(response: &SeenResponse) -> Option<Value> {
    serde_json::from_slice(&response.body).ok()
}

fn version_of(response: &SeenResponse, body: Option<&Value>) -> Option<String> {
    response
        .headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| body.and_then(meta_version))
}

fn meta_version(resource: &Value) -> Option<String> {
    get_attr(resource, "meta")
        .and_then(|m| get_attr(m, "version"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn retry_after(response: &SeenResponse) -> Option<u64> {
    response
        .headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

fn location_id(response: &SeenResponse) -> Option<String> {
    last_segment(response.headers.get(LOCATION)?.to_str().ok()?)
}

/// The id at the end of a resource URL.
fn last_segment(location: &str) -> Option<String> {
    let last = location.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty()).then(|| crate::server::percent_decode(last))
}
