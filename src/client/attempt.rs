//! One HTTP attempt: build, send, read the body within its cap, and record it raw.

use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{
    AUTHORIZATION, CONNECTION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT,
};

use super::explain;
use super::{Client, HttpRequest, HttpResponse, RawExchange, TransportError, TransportErrorKind};

const SCIM_JSON: &str = "application/scim+json";

/// Sends one attempt with `authorization` as its `Authorization` header (the caller
/// chose it from the request's `AuthMode`); the raw exchange is returned for redaction
/// by the caller.
pub(super) async fn run(
    client: &Client,
    http: &reqwest::Client,
    url: &Url,
    request: &HttpRequest,
    authorization: Option<&str>,
    attempt: u32,
) -> (RawExchange, Result<HttpResponse, TransportError>) {
    let (request_body, request_body_len) = match &request.body {
        Some(body) => {
            let (kept, len) = RawExchange::keep(body);
            (Some(kept), len)
        }
        None => (None, 0),
    };
    let mut raw = RawExchange {
        step: request.step.clone(),
        method: request.method.clone(),
        url: url.to_string(),
        request_body,
        request_body_len,
        attempt,
        ..RawExchange::default()
    };
    let built = match build(client, url, request, authorization) {
        Ok(built) => built,
        Err(message) => {
            let error = TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message: client.redactor.text(&message),
            };
            raw.error = Some(error.message.clone());
            return (raw, Err(error));
        }
    };
    raw.request_headers = built
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let started = Instant::now();
    // reqwest's timeout covers the body too; this outer one is a backstop.
    let backstop = client.timeout + Duration::from_secs(1);
    let result = tokio::time::timeout(backstop, exchange(client, http, built, &mut raw)).await;
    raw.duration = started.elapsed();
    let outcome = match result {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(timeout_error(client.timeout)),
    };
    if let Err(error) = &outcome {
        let message = client.redactor.text(&error.message);
        raw.error = Some(message.clone());
        return (
            raw,
            Err(TransportError {
                kind: error.kind,
                message,
            }),
        );
    }
    (raw, outcome)
}

/// The server closes the connection after this answer: it said so, or it answered in
/// HTTP/1.0 without asking to keep the connection alive.
fn closes_connection(response: &reqwest::Response) -> bool {
    let says = |token: &str| {
        response
            .headers()
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    says("close") || (response.version() <= reqwest::Version::HTTP_10 && !says("keep-alive"))
}

fn build(
    client: &Client,
    url: &Url,
    request: &HttpRequest,
    authorization: Option<&str>,
) -> Result<reqwest::Request, String> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| format!("invalid HTTP method `{}`", request.method))?;
    let mut built = reqwest::Request::new(method, url.clone());
    *built.timeout_mut() = Some(client.timeout);
    let headers = built.headers_mut();
    let mut set = |name: &str, value: &str| -> Result<(), String> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name `{name}`"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("header `{name}` holds characters a header cannot carry"))?;
        headers.insert(name, value);
        Ok(())
    };
    set(
        USER_AGENT.as_str(),
        concat!("scimcheck/", env!("CARGO_PKG_VERSION")),
    )?;
    if let Some(auth) = authorization {
        set(AUTHORIZATION.as_str(), auth)?;
    }
    for (name, value) in &client.extra_headers {
        set(name, value)?;
    }
    // The step's own headers win over the target's.
    for (name, value) in &request.headers {
        set(name, value)?;
    }
    if let Some(body) = &request.body {
        if !built.headers().contains_key(CONTENT_TYPE) {
            built
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        }
        *built.body_mut() = Some(body.clone().into());
    }
    Ok(built)
}

async fn exchange(
    client: &Client,
    http: &reqwest::Client,
    request: reqwest::Request,
    raw: &mut RawExchange,
) -> Result<HttpResponse, TransportError> {
    let mut response = http.execute(request).await.map_err(|e| {
        let mut error = classify(&e, client.timeout);
        if error.kind == TransportErrorKind::Other && explain::is_closed_connection(&e) {
            error.kind = TransportErrorKind::Closed;
            error.message = format!(
                "the connection closed before any response ({})",
                error.message
            );
        }
        error
    })?;
    client.in_flight.answered(closes_connection(&response));
    let status = response.status().as_u16();
    raw.status = Some(status);
    raw.response_headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let too_large = || TransportError {
        kind: TransportErrorKind::BodyTooLarge,
        message: format!(
            "response too large: the body exceeds {}",
            size(client.max_body_bytes)
        ),
    };
    if response
        .content_length()
        .is_some_and(|len| len > client.max_body_bytes as u64)
    {
        return Err(too_large());
    }
    // Read chunk by chunk, never past the cap: a body that would exceed it is an error
    // after at most the cap's worth of memory, whatever Content-Length claimed.
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(0, |len| len as usize)
            .min(client.max_body_bytes),
    );
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify(&e, client.timeout))?
    {
        if body.len() + chunk.len() > client.max_body_bytes {
            let (kept, _) = RawExchange::keep(&body);
            raw.response_body_len = body.len() + chunk.len();
            raw.response_body = Some(kept);
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let (kept, len) = RawExchange::keep(&body);
    raw.response_body = Some(kept);
    raw.response_body_len = len;
    Ok(HttpResponse {
        url: raw.url.clone(),
        status,
        headers: raw
            .response_headers
            .iter()
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect(),
        body,
    })
}

fn classify(error: &reqwest::Error, timeout: Duration) -> TransportError {
    if error.is_timeout() {
        return timeout_error(timeout);
    }
    // A refused certificate or a TLS protocol error will not change on a retry.
    let kind = if error.is_connect() && !explain::is_tls_failure(error) {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let scheme = error.url().map_or("", Url::scheme);
    TransportError {
        kind,
        message: explain::explain(error, scheme).unwrap_or_else(|| error_text(error)),
    }
}

/// What went wrong with a request, in the words the exchanges use.
pub(super) fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    classify(error, timeout).message
}

fn timeout_error(timeout: Duration) -> TransportError {
    TransportError {
        kind: TransportErrorKind::Timeout,
        message: format!("no complete response within {timeout:?} (timed out)"),
    }
}

/// An error with its causes, `outer: inner: innermost`, without the request URL that
/// reqwest puts in its own text (the exchange already shows it).
pub(super) fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(8 * 1024 * 1024), "8 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
