//! Test support for the client judge: a judged reference server on a free loopback port,
//! and recorded request sequences sent to it over real HTTP with reqwest.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use scimcheck::judge::{Judge, JudgeConfig, Schedule};
use scimcheck::server::{self, ServerConfig, ServerHandle};
use serde::Deserialize;
use serde_json::Value;

pub const TOKEN: &str = "judge-test-token-5f1c";

/// One request of a recorded sequence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub method: String,
    /// Relative to the base URL; `{id:N}` and `{etag:N}` take the id in the answer body,
    /// or the ETag, of step N (0-based); `{bulk:N}` the id a bulk answer's first location
    /// ends in; `{token}` is the bearer token.
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Sent as JSON with `Content-Type: application/scim+json` unless headers say else.
    pub body: Option<Value>,
    /// Sent as is.
    pub raw: Option<String>,
    /// Milliseconds to wait before sending.
    #[serde(default)]
    pub wait_ms: u64,
}

/// What came back for one step.
#[derive(Debug, Clone)]
pub struct Sent {
    pub status: Option<u16>,
    pub id: Option<String>,
    pub etag: Option<String>,
    /// The id at the end of a bulk answer's first location.
    pub bulk_id: Option<String>,
}

/// A judged server and a client for it.
pub struct Judged {
    pub handle: ServerHandle,
    pub judge: Arc<Judge>,
    pub client: reqwest::Client,
    pub base: String,
}

/// Faults for a judged server in tests: exact request numbers, a short hold.
pub fn faults_at(faults: &BTreeMap<u64, String>, hold: Duration) -> Schedule {
    Schedule::At {
        faults: faults
            .iter()
            .map(|(n, f)| (*n, f.parse().expect("a known fault")))
            .collect(),
        hold,
    }
}

impl Judged {
    pub async fn start(profile: Option<&str>, faults: Schedule) -> Judged {
        Judged::start_with(profile, faults, |_| {}).await
    }

    /// A judged server whose judge reads the server's declarations changed by `declare`
    /// (the server itself is unchanged), for rules the reference schemas cannot exercise.
    pub async fn start_with(
        profile: Option<&str>,
        faults: Schedule,
        declare: impl FnOnce(&mut server::Published),
    ) -> Judged {
        let profile = profile.map(|p| scimcheck::profile::load(p).expect("a known profile"));
        let mut config = ServerConfig {
            token: Some(TOKEN.to_owned()),
            ..ServerConfig::default()
        };
        let mut published = server::published(&config);
        declare(&mut published);
        let judge = Arc::new(
            Judge::new(JudgeConfig {
                profile,
                published,
                base_path: config.base_path.clone(),
                secrets: vec![TOKEN.to_owned()],
                faults,
            })
            .expect("a judge"),
        );
        config.hook = Some(judge.clone());
        let handle = server::start(config).await.expect("the server starts");
        Judged::with(handle, judge)
    }

    fn with(handle: ServerHandle, judge: Arc<Judge>) -> Judged {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Judged {
            base: handle.base_url().to_owned(),
            handle,
            judge,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("a client"),
        }
    }

    /// Sends the steps in order; each `{id:N}` / `{etag:N}` is filled from earlier answers.
    pub async fn send_all(&self, steps: &[Step]) -> Vec<Sent> {
        send_all(&self.client, &self.base, TOKEN, steps).await
    }
}

/// Sends the steps in order to `base` with the bearer token, as a client would.
pub async fn send_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    steps: &[Step],
) -> Vec<Sent> {
    let mut sent = Vec::new();
    for step in steps {
        let result = send(client, base, token, step, &sent).await;
        sent.push(result);
    }
    sent
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    step: &Step,
    earlier: &[Sent],
) -> Sent {
    if step.wait_ms > 0 {
        tokio::time::sleep(Duration::from_millis(step.wait_ms)).await;
    }
    let fill = |text: &str| fill(text, earlier);
    let method = reqwest::Method::from_bytes(step.method.as_bytes()).expect("a method");
    let url = format!("{base}{}", fill(&step.path).replace("{token}", token));
    let mut request = client
        .request(method, &url)
        .header("authorization", format!("Bearer {token}"));
    let mut has_type = false;
    for (name, value) in &step.headers {
        has_type |= name.eq_ignore_ascii_case("content-type");
        request = request.header(name, fill(value));
    }
    if let Some(body) = &step.body {
        if !has_type {
            request = request.header("content-type", "application/scim+json");
        }
        request = request.body(fill(&body.to_string()));
    } else if let Some(raw) = &step.raw {
        request = request.body(fill(raw));
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let bulk_id = body["Operations"][0]["location"]
                .as_str()
                .and_then(|l| l.rsplit('/').next())
                .map(str::to_owned);
            Sent {
                status: Some(status),
                id: body.get("id").and_then(Value::as_str).map(str::to_owned),
                etag,
                bulk_id,
            }
        }
        Err(_) => Sent {
            status: None,
            id: None,
            etag: None,
            bulk_id: None,
        },
    }
}

pub fn fill(text: &str, earlier: &[Sent]) -> String {
    let mut out = text.to_owned();
    for (i, sent) in earlier.iter().enumerate() {
        if let Some(id) = &sent.id {
            out = out.replace(&format!("{{id:{i}}}"), id);
        }
        if let Some(id) = &sent.bulk_id {
            out = out.replace(&format!("{{bulk:{i}}}"), id);
        }
        if let Some(etag) = &sent.etag {
            // ETags carry quotes; inside a JSON body they must stay valid JSON.
            out = out.replace(&format!("{{etag:{i}}}"), etag);
        }
    }
    out
}

/// Changes what the judge believes /Schemas declares: `User.nickName` gets the members
/// of `declaration` (`{"type": "integer"}`, `{"required": true}`).
pub fn redeclare(published: &mut server::Published, attribute: &str, declaration: &Value) {
    let (resource, name) = attribute.split_once('.').expect("Resource.attribute");
    let urn = published
        .resource_types
        .iter()
        .find(|rt| rt["name"] == resource)
        .and_then(|rt| rt["schema"].as_str())
        .expect("a declared resource type")
        .to_owned();
    let schema = published
        .schemas
        .iter_mut()
        .find(|s| s["id"] == urn.as_str())
        .expect("its schema");
    let attributes = schema["attributes"].as_array_mut().expect("attributes");
    let attr = attributes
        .iter_mut()
        .find(|a| a["name"] == name)
        .expect("a declared attribute");
    for (key, value) in declaration.as_object().expect("an object") {
        attr[key] = value.clone();
    }
}

/// Marks every schema extension of every resource type required.
pub fn require_extensions(published: &mut server::Published) {
    for rt in &mut published.resource_types {
        if let Some(Value::Array(extensions)) = rt.get_mut("schemaExtensions") {
            for extension in extensions {
                extension["required"] = Value::Bool(true);
            }
        }
    }
}
