//! TEMPORARY stand-in for the reference server (a few /Users routes in memory), used by
//! the engine tests until `scimcheck::server` lands; then it is deleted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

#[derive(Clone)]
struct Store {
    token: Option<String>,
    users: Arc<Mutex<BTreeMap<String, Value>>>,
    base: Arc<Mutex<String>>,
}

pub struct StandIn {
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    pub async fn start(token: Option<&str>) -> StandIn {
        let store = Store {
            token: token.map(str::to_owned),
            users: Arc::default(),
            base: Arc::default(),
        };
        let app = Router::new()
            .route("/Users", get(list).post(create))
            .route("/Users/{id}", get(read).delete(remove))
            .with_state(store.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        *store.base.lock().unwrap() = base_url.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StandIn { base_url, task }
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub async fn shutdown(self) {
        self.task.abort();
    }
}

fn scim(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, detail: &str) -> Response {
    scim(
        status,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": status.as_u16().to_string(), "detail": detail}),
    )
}

fn authorized(store: &Store, headers: &HeaderMap) -> bool {
    match &store.token {
        None => true,
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {token}")),
    }
}

async fn create(State(store): State<Store>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&store, &headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication required");
    }
    let Ok(Value::Object(mut user)) = serde_json::from_str::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid JSON");
    };
    let Some(name) = user
        .get("userName")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return error(StatusCode::BAD_REQUEST, "userName is required");
    };
    let mut users = store.users.lock().unwrap();
    if users.values().any(|u| u["userName"] == name.as_str()) {
        return error(StatusCode::CONFLICT, "userName is taken");
    }
    let id = uuid::Uuid::new_v4().to_string();
    let location = format!("{}/Users/{id}", store.base.lock().unwrap());
    user.insert("id".into(), json!(id));
    user.insert(
        "meta".into(),
        json!({"resourceType": "User", "location": location}),
    );
    let user = Value::Object(user);
    users.insert(id, user.clone());
    let mut response = scim(StatusCode::CREATED, user);
    response
        .headers_mut()
        .insert(header::LOCATION, location.parse().unwrap());
    response
}

async fn read(State(store): State<Store>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&store, &headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication required");
    }
    match store.users.lock().unwrap().get(&id) {
        Some(user) => scim(StatusCode::OK, user.clone()),
        None => error(StatusCode::NOT_FOUND, "no such user"),
    }
}

async fn remove(
    State(store): State<Store>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&store, &headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication required");
    }
    match store.users.lock().unwrap().remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::NOT_FOUND, "no such user"),
    }
}

/// Supports `filter=userName sw "PREFIX"` only.
async fn list(
    State(store): State<Store>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    if !authorized(&store, &headers) {
        return error(StatusCode::UNAUTHORIZED, "authentication required");
    }
    let prefix = query
        .get("filter")
        .and_then(|f| f.strip_prefix("userName sw \""))
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or("");
    let users = store.users.lock().unwrap();
    let found: Vec<Value> = users
        .values()
        .filter(|u| {
            u["userName"]
                .as_str()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .cloned()
        .collect();
    scim(
        StatusCode::OK,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": found.len(), "Resources": found}),
    )
}
