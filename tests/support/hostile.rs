//! A hostile SCIM server of our own, for the safety tests: just enough SCIM for the
//! built-in scenarios to run (discovery, Users and Groups, filters on userName and
//! displayName, Bulk), and switches for what a hostile or broken server does: echo the
//! token in some encoding, hand out ids and Locations that climb out of their collection,
//! lose create answers, soft-delete, send 8 MiB bodies, trickle, ask to wait forever,
//! print control characters.
//!
//! It speaks HTTP/1.1 over plain TCP, one request per connection, so any answer can be
//! cut, padded or slowed at will. Every request is logged as it arrived; `assert_*`
//! check the log: writes only ever reach resources the run created, and nothing reaches
//! the bystanders seeded at start.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::leak::{Encoding, encode};

pub const BASE_PATH: &str = "/scim/v2";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// The ids handed out to created resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ids {
    #[default]
    Plain,
    /// Ids that climb out of their collection, or start a query or a fragment, when
    /// pasted into a URL unencoded: `../Groups/<bystander>#1`, `2?x=1`, `%2e%2e/...`.
    Climbing,
}

/// How a create is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreateAnswer {
    #[default]
    Normal,
    /// `200 OK` instead of `201 Created`.
    Ok200,
    /// The headers and half the body, then the connection is closed.
    CutOff,
    /// `201` with a body that is not JSON, and no Location.
    Garbage,
    /// Created at once, answered only after this long.
    Late(Duration),
}

/// What the server does; `Behaviour::default()` is a plain, well-behaved server.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// The bearer token the server expects.
    pub token: String,
    /// Echo the token, spelled so, into error details, a header and resource bodies
    /// (placed to straddle the 200 and 300 character cuts of failure messages).
    pub echo: Option<Encoding>,
    pub ids: Ids,
    /// Every create answers `Location: /scim/v2/Users/../Groups/<bystander>`.
    pub climbing_location: bool,
    pub create: CreateAnswer,
    /// `/Bulk` is advertised; its answer is garbage when `bulk_garbage`.
    pub bulk: bool,
    pub bulk_garbage: bool,
    /// DELETE answers 204 and deletes nothing.
    pub soft_delete: bool,
    /// Every answer is this big, sent without a length (the client must cut it off).
    pub padding: Option<usize>,
    /// Answers are written one byte per this interval.
    pub trickle: Option<Duration>,
    /// Every request outside discovery is answered 429 with this Retry-After.
    pub retry_after: Option<u64>,
    /// Every DELETE is answered 429 with this Retry-After.
    pub refuse_deletes: Option<u64>,
    /// Names and error details carry a carriage return with a forged PASS line, an escape
    /// sequence, a backspace and a bidi override.
    pub forged_text: bool,
}

/// What a forging server appends to names and details.
pub const FORGERY: &str = "\r     PASS [    1 ms] users.create.basic\u{1b}[2K\u{8}\u{202e}ssap";

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    /// Path and query exactly as sent.
    pub target: String,
}

#[derive(Default)]
struct State {
    behaviour: Behaviour,
    /// collection -> id -> resource
    store: BTreeMap<String, BTreeMap<String, Value>>,
    /// (collection, id) of every resource a POST created.
    created: HashSet<(String, String)>,
    bystanders: Vec<(String, String)>,
    log: Vec<Logged>,
    next: u64,
}

pub struct Hostile {
    pub base: String,
    state: Arc<Mutex<State>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Hostile {
    pub fn start(behaviour: Behaviour) -> Hostile {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the hostile server");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let mut state = State {
            behaviour,
            ..State::default()
        };
        state.seed_bystanders();
        let state = Arc::new(Mutex::new(state));
        let serving = state.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = serving.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Hostile {
            base: format!("http://{addr}{BASE_PATH}"),
            state,
            runtime: Some(runtime),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn log(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    /// Resources the run created that are still on the server: (collection, id, name).
    pub fn remaining(&self) -> Vec<(String, String, String)> {
        let state = self.lock();
        state
            .created
            .iter()
            .filter_map(|(collection, id)| {
                let resource = state.store.get(collection)?.get(id)?;
                let name = ["userName", "displayName"]
                    .iter()
                    .find_map(|k| resource[*k].as_str())
                    .unwrap_or_default()
                    .to_owned();
                Some((collection.clone(), id.clone(), name))
            })
            .collect()
    }

    /// How many resources the run created in all.
    pub fn created_count(&self) -> usize {
        self.lock().created.len()
    }

    /// Every write (POST, PUT, PATCH, DELETE) went to a collection, to `/Bulk`, or to a
    /// resource this run created; no request at all named a bystander.
    #[track_caller]
    pub fn assert_only_own_resources_touched(&self) {
        let state = self.lock();
        let bystanders: Vec<&(String, String)> = state.bystanders.iter().collect();
        for entry in &state.log {
            let route = route(&entry.target);
            if let Some(Route::Resource(collection, id)) = &route {
                let named = (collection.clone(), id.clone());
                assert!(
                    !bystanders.contains(&&named),
                    "{} {} reached the bystander {collection}/{id}",
                    entry.method,
                    entry.target
                );
            }
            match entry.method.as_str() {
                // A query of the scenario's own (`?attributes=...`) may follow; the path
                // must name one resource the run created, whatever its id holds.
                "PUT" | "PATCH" | "DELETE" => match &route {
                    Some(Route::Resource(collection, id)) => assert!(
                        state.created.contains(&(collection.clone(), id.clone())),
                        "{} {} names {collection}/{id:?}, which the run did not create",
                        entry.method,
                        entry.target
                    ),
                    other => panic!(
                        "{} {} is not a resource the run created ({other:?})",
                        entry.method, entry.target
                    ),
                },
                "POST" => assert!(
                    matches!(
                        route,
                        Some(Route::Collection(_) | Route::Bulk | Route::Search(_))
                    ),
                    "POST {} is not a create, a search or a Bulk request",
                    entry.target
                ),
                _ => {}
            }
        }
        for (collection, id) in &state.bystanders {
            assert!(
                state
                    .store
                    .get(collection)
                    .is_some_and(|c| c.contains_key(id)),
                "the bystander {collection}/{id} is gone"
            );
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl State {
    fn seed_bystanders(&mut self) {
        for (collection, name) in [("Users", "bystander@example.com"), ("Groups", "Bystanders")] {
            let id = format!("bystander-{}", collection.to_lowercase());
            let key = if collection == "Users" {
                "userName"
            } else {
                "displayName"
            };
            let schema = if collection == "Users" { USER } else { GROUP };
            self.store.entry(collection.to_owned()).or_default().insert(
                id.clone(),
                json!({"schemas": [schema], "id": id, key: name}),
            );
            self.bystanders.push((collection.to_owned(), id));
        }
        self.store.entry("Users".into()).or_default();
        self.store.entry("Groups".into()).or_default();
    }

    fn new_id(&mut self) -> String {
        self.next += 1;
        let n = self.next;
        match self.behaviour.ids {
            Ids::Plain => format!("{n:08x}-0000-4000-8000-000000000000"),
            Ids::Climbing => match n % 4 {
                0 => format!("../Groups/bystander-groups#{n}"),
                1 => format!("{n}?filter=userName%20pr"),
                2 => format!("%2e%2e/Groups/bystander-groups?{n}"),
                _ => format!("x{n}/../../Groups/bystander-groups"),
            },
        }
    }

    fn token_echo(&self) -> Option<String> {
        self.behaviour
            .echo
            .as_ref()
            .map(|e| encode(&self.behaviour.token, e))
    }
}

/// What a request path names, after dot segments are resolved as a URL parser does and
/// each segment is percent-decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Discovery(String),
    Collection(String),
    Resource(String, String),
    Search(String),
    Bulk,
    Other,
}

pub fn route(target: &str) -> Option<Route> {
    let url = reqwest::Url::parse(&format!("http://h{target}")).ok()?;
    let path = url.path().strip_prefix(BASE_PATH)?;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        [name @ ("ServiceProviderConfig" | "ResourceTypes" | "Schemas")] => {
            Route::Discovery((*name).to_owned())
        }
        ["Bulk"] => Route::Bulk,
        [".search"] => Route::Search(String::new()),
        [collection @ ("Users" | "Groups")] => Route::Collection((*collection).to_owned()),
        [collection @ ("Users" | "Groups"), ".search"] => Route::Search((*collection).to_owned()),
        [collection @ ("Users" | "Groups"), id] if !id.is_empty() => {
            Route::Resource((*collection).to_owned(), percent_decode(id))
        }
        _ => Route::Other,
    })
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request as read off the wire.
struct Request {
    method: String,
    target: String,
    authorization: Option<String>,
    body: Vec<u8>,
}

/// An answer, and how to deliver it.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delivery: Delivery,
}

#[derive(Clone, Copy)]
enum Delivery {
    Whole,
    /// Announce the full length, send half, close.
    CutOff,
    After(Duration),
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: body.to_string().into_bytes(),
            delivery: Delivery::Whole,
        }
    }

    fn error(status: u16, detail: String) -> Answer {
        Answer::json(
            status,
            json!({"schemas": [ERROR], "status": status.to_string(), "detail": detail}),
        )
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let (answer, mut behaviour) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        state.log.push(Logged {
            method: request.method.clone(),
            target: request.target.clone(),
        });
        (handle(&mut state, &request), state.behaviour.clone())
    };
    // Discovery stays usable, so the run gets as far as its scenarios.
    if let Some(Route::Discovery(_)) = route(&request.target) {
        behaviour.padding = None;
        behaviour.trickle = None;
    }
    write_answer(&mut stream, answer, &behaviour).await
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let mut length = 0;
    let mut authorization = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(Request {
        method,
        target,
        authorization,
        body,
    }))
}

async fn write_answer(
    stream: &mut TcpStream,
    mut answer: Answer,
    behaviour: &Behaviour,
) -> std::io::Result<()> {
    if let Delivery::After(wait) = answer.delivery {
        tokio::time::sleep(wait).await;
    }
    let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", answer.status);
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(size) = behaviour.padding {
        // No length: the body runs until the connection closes, `size` bytes at least.
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        let open = answer.body.len().saturating_sub(1);
        stream.write_all(&answer.body[..open]).await?;
        stream.write_all(b",\"padding\":\"").await?;
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < size {
            stream.write_all(&chunk).await?;
            sent += chunk.len();
        }
        stream.write_all(b"\"}").await?;
        return stream.shutdown().await;
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", answer.body.len()));
    if let Delivery::CutOff = answer.delivery {
        answer.body.truncate(answer.body.len() / 2);
    }
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    match behaviour.trickle {
        Some(interval) => {
            for byte in bytes {
                stream.write_all(&[byte]).await?;
                stream.flush().await?;
                tokio::time::sleep(interval).await;
            }
        }
        None => stream.write_all(&bytes).await?,
    }
    stream.shutdown().await
}

fn handle(state: &mut State, request: &Request) -> Answer {
    let expected = format!("Bearer {}", state.behaviour.token);
    let echo = state.token_echo();
    let mut answer = if request.authorization.as_deref() != Some(expected.as_str()) {
        Answer::error(401, "authentication required".into())
    } else {
        match route(&request.target) {
            Some(Route::Discovery(name)) => discovery(&state.behaviour, &name),
            _ if state.behaviour.retry_after.is_some() => {
                too_many(state.behaviour.retry_after.unwrap_or_default())
            }
            _ if request.method == "DELETE" && state.behaviour.refuse_deletes.is_some() => {
                too_many(state.behaviour.refuse_deletes.unwrap_or_default())
            }
            Some(route) => resources(state, request, route),
            None => Answer::error(404, "no such endpoint".into()),
        }
    };
    if let Some(echo) = &echo {
        answer.headers.push(("x-echo".into(), echo.clone()));
    }
    answer
}

fn too_many(retry_after: u64) -> Answer {
    let mut answer = Answer::error(429, "too many requests".into());
    answer
        .headers
        .push(("retry-after".into(), retry_after.to_string()));
    answer
}

fn discovery(behaviour: &Behaviour, name: &str) -> Answer {
    let supported = |on: bool| json!({"supported": on});
    match name {
        "ServiceProviderConfig" => Answer::json(
            200,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": supported(true),
                "bulk": {"supported": behaviour.bulk, "maxOperations": 10, "maxPayloadSize": 1048576},
                "filter": {"supported": true, "maxResults": 200},
                "changePassword": supported(false),
                "sort": supported(false),
                "etag": supported(false),
                "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer", "description": "token"}],
            }),
        ),
        "ResourceTypes" => Answer::json(
            200,
            json!({"schemas": [LIST], "totalResults": 2, "Resources": [
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User", "endpoint": "/Users", "schema": USER},
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": GROUP},
            ]}),
        ),
        _ => Answer::json(
            200,
            json!({"schemas": [LIST], "totalResults": 0, "Resources": []}),
        ),
    }
}

fn resources(state: &mut State, request: &Request, route: Route) -> Answer {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    match (request.method.as_str(), route) {
        ("POST", Route::Collection(collection)) => create(state, &collection, body),
        ("POST", Route::Bulk) => bulk(state, &body),
        ("GET", Route::Collection(collection)) => list(state, &collection, &request.target),
        ("POST", Route::Search(collection)) => {
            let collection = if collection.is_empty() {
                "Users".to_owned()
            } else {
                collection
            };
            list(state, &collection, "")
        }
        ("GET" | "PUT" | "PATCH", Route::Resource(collection, id)) => {
            let forged = state.behaviour.forged_text;
            let echo = state.token_echo();
            match state
                .store
                .get_mut(&collection)
                .and_then(|c| c.get_mut(&id))
            {
                Some(resource) => {
                    if request.method == "PUT"
                        && let Value::Object(fields) = &body
                    {
                        for (k, v) in fields {
                            if k != "id" {
                                resource[k] = v.clone();
                            }
                        }
                    }
                    let mut shown = resource.clone();
                    decorate(&mut shown, forged, echo.as_deref());
                    Answer::json(200, shown)
                }
                None => not_found(state, &collection, &id),
            }
        }
        ("DELETE", Route::Resource(collection, id)) => {
            let soft = state.behaviour.soft_delete;
            let exists = state
                .store
                .get(&collection)
                .is_some_and(|c| c.contains_key(&id));
            if !exists {
                return not_found(state, &collection, &id);
            }
            if !soft && let Some(c) = state.store.get_mut(&collection) {
                c.remove(&id);
            }
            Answer {
                status: 204,
                headers: vec![],
                body: vec![],
                delivery: Delivery::Whole,
            }
        }
        _ => Answer::error(405, "not supported here".into()),
    }
}

/// A 404 whose detail quotes the id, with the echo placed across the 200-character cut.
fn not_found(state: &State, collection: &str, id: &str) -> Answer {
    let mut detail = format!("{collection} {id} not found. ");
    if let Some(echo) = state.token_echo() {
        detail = format!("{}{echo} {}", "d".repeat(190), "e".repeat(50));
    }
    if state.behaviour.forged_text {
        detail.push_str(FORGERY);
    }
    Answer::error(404, detail)
}

/// What a server adds to a resource it shows: the echo at 290 characters into the name
/// (straddling the 300-character cut), forged text.
fn decorate(resource: &mut Value, forged: bool, echo: Option<&str>) {
    for key in ["userName", "displayName"] {
        if let Some(name) = resource[key].as_str().map(str::to_owned) {
            let mut shown = name.clone();
            if let Some(echo) = echo {
                shown = format!("{}{echo}{name}", "n".repeat(280));
            }
            if forged {
                shown.push_str(FORGERY);
            }
            resource[key] = Value::String(shown);
        }
    }
    if let Some(echo) = echo {
        resource["echo"] = Value::String(echo.to_owned());
    }
}

fn create(state: &mut State, collection: &str, mut body: Value) -> Answer {
    let id = state.new_id();
    body["id"] = Value::String(id.clone());
    body["meta"] = json!({"resourceType": collection.trim_end_matches('s'), "location": format!("{BASE_PATH}/{collection}/{id}")});
    state
        .store
        .entry(collection.to_owned())
        .or_default()
        .insert(id.clone(), body.clone());
    state.created.insert((collection.to_owned(), id.clone()));
    let location = if state.behaviour.climbing_location {
        format!("{BASE_PATH}/Users/../Groups/bystander-groups")
    } else {
        format!(
            "{BASE_PATH}/{collection}/{}",
            super::leak::percent(&id, u64::MAX, false, false)
        )
    };
    let forged = state.behaviour.forged_text;
    let echo = state.token_echo();
    decorate(&mut body, forged, echo.as_deref());
    let status = if state.behaviour.create == CreateAnswer::Ok200 {
        200
    } else {
        201
    };
    let mut answer = Answer::json(status, body);
    answer.headers.push(("location".into(), location));
    match state.behaviour.create {
        CreateAnswer::CutOff => answer.delivery = Delivery::CutOff,
        CreateAnswer::Garbage => {
            answer.body = b"<html>created, maybe</html>".to_vec();
            answer.headers.retain(|(name, _)| name != "location");
        }
        CreateAnswer::Late(wait) => answer.delivery = Delivery::After(wait),
        CreateAnswer::Normal | CreateAnswer::Ok200 => {}
    }
    answer
}

fn list(state: &State, collection: &str, target: &str) -> Answer {
    let filter = target
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("filter="))
        .map(|f| percent_decode(&f.replace('+', " ")));
    // Only `<attribute> eq "<value>"` is understood; anything else lists everything.
    let wanted = filter.as_deref().and_then(|f| {
        let (attribute, rest) = f.split_once(" eq ")?;
        Some((
            attribute.trim().to_owned(),
            rest.trim().trim_matches('"').to_owned(),
        ))
    });
    let resources: Vec<Value> = state
        .store
        .get(collection)
        .into_iter()
        .flat_map(|c| c.values())
        .filter(|r| match &wanted {
            Some((attribute, value)) => r[attribute.as_str()]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(value)),
            None => true,
        })
        .cloned()
        .collect();
    Answer::json(
        200,
        json!({"schemas": [LIST], "totalResults": resources.len(), "startIndex": 1,
               "itemsPerPage": resources.len(), "Resources": resources}),
    )
}

fn bulk(state: &mut State, body: &Value) -> Answer {
    let mut results = Vec::new();
    for op in body["Operations"].as_array().into_iter().flatten() {
        let method = op["method"].as_str().unwrap_or_default();
        let path = op["path"].as_str().unwrap_or_default();
        let collection = path.trim_start_matches('/');
        if method.eq_ignore_ascii_case("POST") && matches!(collection, "Users" | "Groups") {
            let created = create(state, collection, op["data"].clone());
            let created: Value = serde_json::from_slice(&created.body).unwrap_or(Value::Null);
            let id = created["id"].as_str().unwrap_or_default().to_owned();
            results.push(json!({
                "method": "POST", "bulkId": op["bulkId"], "status": "201",
                "location": format!("{BASE_PATH}/{collection}/{}", super::leak::percent(&id, u64::MAX, false, false)),
            }));
        } else {
            results.push(json!({"method": method, "bulkId": op["bulkId"], "status": "400"}));
        }
    }
    if state.behaviour.bulk_garbage {
        return Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: b"{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:BulkResponse\"], \"Oper"
                .to_vec(),
            delivery: Delivery::Whole,
        };
    }
    Answer::json(
        200,
        json!({"schemas": [BULK_RESPONSE], "Operations": results}),
    )
}
