//! Turning a handler's result into an HTTP response: SCIM media type, JSON body, and
//! errors in SCIM form (or in the deviant forms some misbehaviours ask for).

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::error::ScimError;
use super::media::{JSON, SCIM_JSON};
use super::misbehave::Misbehaviour;
use super::provider::Provider;

/// A successful answer before rendering.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        // Values built here are ids, URLs and ETags; a value that is not a valid header
        // is left out rather than sent broken.
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }
}

fn content_type(provider: &Provider) -> HeaderValue {
    if provider.misbehaves(Misbehaviour::JsonContentType) {
        HeaderValue::from_static(JSON)
    } else {
        HeaderValue::from_static(SCIM_JSON)
    }
}

pub fn render(provider: &Provider, result: Result<Reply, ScimError>) -> Response {
    match result {
        Ok(reply) => render_reply(provider, reply),
        Err(error) => render_error(provider, error),
    }
}

fn render_reply(provider: &Provider, reply: Reply) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = reply.status;
    if let Some(body) = &reply.body {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                *response.body_mut() = Body::from(bytes);
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, content_type(provider));
            }
            Err(error) => {
                return render_error(
                    provider,
                    ScimError::internal(format!("the response could not be serialized: {error}")),
                );
            }
        }
    }
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    response
}

pub fn render_error(provider: &Provider, error: ScimError) -> Response {
    let error = if provider.misbehaves(Misbehaviour::NoScimType) {
        error.scim_type_only_where_named()
    } else {
        error
    };
    let mut response = Response::new(Body::empty());
    *response.status_mut() = error.status;
    if provider.misbehaves(Misbehaviour::HtmlErrors) {
        *response.body_mut() = Body::from(error.to_html());
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    } else {
        let body = error.to_body(provider.misbehaves(Misbehaviour::StatusAsInteger));
        *response.body_mut() = Body::from(body.to_string());
        response
            .headers_mut()
            .insert(CONTENT_TYPE, content_type(provider));
    }
    for (name, value) in error.headers {
        response.headers_mut().append(name, value);
    }
    response
}
