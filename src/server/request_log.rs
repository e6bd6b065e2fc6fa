//! `serve --request-log FILE`: every request the server receives, one JSON line each
//! (arrival time in milliseconds, method, path, query, Content-Type, body), so a user can
//! see what an integration sent and how fast. Authorization is never written.

use std::io::Write;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use axum::http::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::hook::{Intervention, RequestHook, SeenRequest, SeenResponse};

pub struct RequestLog {
    file: Mutex<std::fs::File>,
}

impl RequestLog {
    pub fn create(path: &std::path::Path) -> std::io::Result<RequestLog> {
        Ok(RequestLog {
            file: Mutex::new(std::fs::File::create(path)?),
        })
    }
}

impl RequestHook for RequestLog {
    fn arrived(&self, request: &SeenRequest) -> Intervention {
        let millis = request
            .received
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let body = serde_json::from_slice::<Value>(&request.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
        let line = json!({
            "ms": millis as u64,
            "method": request.method.as_str(),
            "path": request.uri.path(),
            "query": request.uri.query(),
            "content_type": request.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            "body": if request.body.is_empty() { Value::Null } else { body },
        });
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(file, "{line}");
        Intervention::Serve
    }

    fn answered(&self, _: &SeenRequest, _: &SeenResponse, _: Option<&SeenResponse>) {}
}
