//! A step's request, rendered into what the client sends.

use std::sync::Arc;

use serde_json::Value;

use super::template::RenderContext;
use crate::check::Resolve;
use crate::client::shown_url;
use crate::client::{HttpRequest, json_bytes};
use crate::discovery::endpoint_path;
use crate::profile::{Adapter, Before, Need, Outgoing};
use crate::suite::model::{Body, Step};

/// The request to send and the rendered body for `steps.NAME.request.body`.
pub struct Rendered {
    pub request: HttpRequest,
    /// Shared with the step's record, which keeps it for later references.
    pub body_value: Option<Arc<Value>>,
}

pub fn render(step: &Step, ctx: &RenderContext<'_>, base_url: &str) -> Result<Rendered, String> {
    let request = &step.request;
    let path = if request.reference {
        let url = ctx.text(&request.path).map_err(|e| format!("url: {e}"))?;
        reference_path(base_url, &url)?
    } else {
        ctx.path(&request.path).map_err(|e| format!("path: {e}"))?
    };
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
            (Some(json_bytes(&value)), Some(Arc::new(value)))
        }
        Some(Body::Raw(template)) => {
            let text = ctx.text(template).map_err(|e| format!("body: {e}"))?;
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
            (Some(text.into_bytes()), Some(Arc::new(value)))
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

/// A reference the server gave, as a path under the base URL: absolute, or relative to the
/// base URL (RFC 7643 2.3.7), never elsewhere (the tool only talks to its target).
fn reference_path(base_url: &str, url: &str) -> Result<String, String> {
    endpoint_path(base_url, url).ok_or_else(|| {
        format!(
            "url: `{}` is not a URL under the target's base URL, so it is not followed \
             (RFC 7643 2.3.7: a reference is absolute or relative to the base URL)",
            shown_url(url)
        )
    })
}

/// Rewrites the rendered request into the product's dialect (see `profile::Adapter`); a
/// JSON body is serialised again. `Err` is why the scenario cannot run on the product.
/// `Ok` holds what of the dialect the request needed from the server.
pub fn adapt(rendered: &mut Rendered, step: &Step, adapter: &Adapter) -> Result<Vec<Need>, String> {
    // The usual run has no product profile: nothing to copy, compare or write again.
    if adapter.rewrites_nothing() {
        return Ok(Vec::new());
    }
    let json_body = matches!(step.request.body, Some(Body::Json(_)));
    let request = &mut rendered.request;
    let body = if json_body {
        rendered.body_value.as_mut().map(Arc::make_mut)
    } else {
        None
    };
    let before = Before {
        query: request.query.clone(),
        headers: request.headers.clone(),
        body: body.as_deref().cloned(),
    };
    adapter.apply(Outgoing {
        method: &request.method,
        path: &request.path,
        query: &mut request.query,
        headers: &mut request.headers,
        body,
        setup: step.setup,
    })?;
    if json_body
        && let Some(value) = &rendered.body_value
        && before.body.as_ref() != Some(&**value)
    {
        request.body = Some(json_bytes(value));
    }
    let body = if json_body {
        rendered.body_value.as_deref()
    } else {
        None
    };
    Ok(adapter.needs_met(
        &request.method,
        &before,
        &request.query,
        &request.headers,
        body,
    ))
}
