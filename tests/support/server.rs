//! Test support for the reference server: start one on a free loopback port and talk
//! SCIM to it over real HTTP with reqwest.

#![allow(dead_code)]

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use scimcheck::server::{ServerConfig, ServerHandle, parse_misbehaviours, start};
use serde_json::{Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
pub const SCIM_JSON: &str = "application/scim+json";

/// A running server and a client for it.
pub struct Scim {
    pub handle: ServerHandle,
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

/// One response, with the body parsed when it is JSON (`Value::Null` otherwise).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or_default()
    }

    /// Assert a SCIM error with this status and scimType (`None`: no scimType member).
    #[track_caller]
    pub fn assert_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert!(
            self.content_type().starts_with(SCIM_JSON),
            "error content-type {:?}",
            self.content_type()
        );
        assert_eq!(self.body["schemas"], json!([ERROR]), "{}", self.text);
        assert_eq!(
            self.body["status"],
            json!(status.to_string()),
            "{}",
            self.text
        );
        assert_eq!(
            self.body.get("scimType").and_then(Value::as_str),
            scim_type,
            "{}",
            self.text
        );
        assert!(self.body["detail"].is_string(), "{}", self.text);
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        &self.body
    }
}

pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a plain HTTP client builds")
}

impl Scim {
    pub async fn start() -> Scim {
        Scim::with_config(ServerConfig::default()).await
    }

    pub async fn misbehaving(list: &str) -> Scim {
        let config = ServerConfig {
            misbehaviours: parse_misbehaviours(list).expect("valid misbehaviour names"),
            ..ServerConfig::default()
        };
        Scim::with_config(config).await
    }

    pub async fn with_config(config: ServerConfig) -> Scim {
        let token = config.token.clone();
        let handle = start(config).await.expect("the server starts");
        Scim {
            base: handle.base_url().to_string(),
            handle,
            client: http_client(),
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with the configured token and, for bodies, the SCIM media type.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request
    }

    pub async fn send(&self, request: RequestBuilder) -> Answer {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            body,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request
                .header("content-type", SCIM_JSON)
                .body(body.to_string());
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// Create a user (asserting 201) and return its representation.
    pub async fn create_user(&self, user_name: &str) -> Value {
        self.create("/Users", user(user_name)).await
    }

    pub async fn create_group(&self, name: &str, members: &[&str]) -> Value {
        self.create("/Groups", group(name, members)).await
    }

    pub async fn create(&self, path: &str, body: Value) -> Value {
        let answer = self.post(path, body).await;
        assert_eq!(answer.status, 201, "create failed: {}", answer.text);
        answer.body
    }

    /// PATCH with the given operations.
    pub async fn patch_ops(&self, path: &str, operations: Value) -> Answer {
        self.patch(
            path,
            json!({"schemas": [PATCH_OP], "Operations": operations}),
        )
        .await
    }

    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

pub fn user(user_name: &str) -> Value {
    json!({"schemas": [USER], "userName": user_name})
}

pub fn group(name: &str, members: &[&str]) -> Value {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    json!({"schemas": [GROUP], "displayName": name, "members": members})
}

pub fn id_of(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .expect("the resource has an id")
        .to_string()
}

/// The `value`s of a multi-valued attribute, sorted.
pub fn values_of(resource: &Value, attribute: &str) -> Vec<String> {
    let mut out: Vec<String> = resource[attribute]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}
