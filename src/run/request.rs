//! A step's request, rendered into what the client sends.

use serde_json::Value;

use super::template::RenderContext;
use crate::check::Resolve;
use crate::client::HttpRequest;
use crate::suite::model::{Body, Step};

/// The request to send and the rendered body for `steps.NAME.request.body`.
pub struct Rendered {
    pub request: HttpRequest,
    pub body_value: Option<Value>,
}

pub fn render(step: &Step, ctx: &RenderContext<'_>) -> Result<Rendered, String> {
    let request = &step.request;
    let path = ctx.path(&request.path).map_err(|e| format!("path: {e}"))?;
    let mut query = Vec::new();
    for (name, value) in &request.query {
        let value = ctx
            .text(value)
            .map_err(|e| format!("query `{name}`: {e}"))?;
        query.push((name.clone(), value));
    }
    let mut headers = Vec::new();
    for (name, value) in &request.headers {
        let value = ctx
            .text(value)
            .map_err(|e| format!("header `{name}`: {e}"))?;
        headers.push((name.clone(), value));
    }
    let (body, body_value) = match &request.body {
        None => (None, None),
        Some(Body::Json(template)) => {
            let value = ctx.value(template).map_err(|e| format!("body: {e}"))?;
            (Some(value.to_string().into_bytes()), Some(value))
        }
        Some(Body::Raw(template)) => {
            let text = ctx.text(template).map_err(|e| format!("body: {e}"))?;
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
            (Some(text.into_bytes()), Some(value))
        }
    };
    Ok(Rendered {
        request: HttpRequest {
            step: step.name.clone(),
            method: request.method.clone(),
            path,
            query,
            headers,
            body,
            auth: request.auth,
        },
        body_value,
    })
}
