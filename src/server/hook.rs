//! A seam for watching the requests a running server receives, used by the client judge
//! (`scimcheck serve --judge`, `scimcheck judge`). Each request is numbered and shown to
//! the hook with its buffered body before the server handles it; the hook may answer in
//! the server's place (an injected 429 or 500) or let the server carry the request out and
//! replace its answer (an injected timeout). After the answer, the hook sees the exchange.
//!
//! The server itself does not change: the hook is a middleware around the whole router.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;

use super::config::MAX_PAYLOAD_BYTES;
use super::media::SCIM_JSON;

/// One request as it arrived, its body buffered (up to the server's payload limit).
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// 1 for the first request the server received, counting up.
    pub seq: u64,
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body went on beyond `body` (larger than the server accepts).
    pub truncated: bool,
    pub received: SystemTime,
    pub arrived: Instant,
}

/// One answer, buffered.
#[derive(Debug, Clone)]
pub struct SeenResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When the answer left the server (for a held answer: when the hold ended).
    pub sent: Instant,
}

/// An answer the hook gives instead of the server's.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Sent as `application/scim+json`.
    pub body: serde_json::Value,
}

/// What the hook wants done with a request.
#[derive(Debug, Clone)]
pub enum Intervention {
    /// The server handles it as usual.
    Serve,
    /// The server never sees it; the client gets this answer.
    Answer(Canned),
    /// The server carries the request out, but its answer is withheld: after `hold`, the
    /// client gets `answer` instead (a gateway that gave up waiting).
    Withhold { hold: Duration, answer: Canned },
}

/// Watches a server's traffic. Implementations must be quick: they run on every request.
pub trait RequestHook: Send + Sync {
    /// Called when a request arrives, before the server handles it.
    fn arrived(&self, request: &SeenRequest) -> Intervention;

    /// Called with the answer the client gets; `withheld` is the server's own answer when
    /// the hook replaced it (`Intervention::Withhold`), reported as soon as the server
    /// has carried the request out, before the hold.
    fn answered(
        &self,
        request: &SeenRequest,
        answer: &SeenResponse,
        withheld: Option<&SeenResponse>,
    );
}

/// Two hooks watching one server (`serve --judge --request-log`): both see every request
/// and every answer; the first one's intervention wins, and when it lets the server serve,
/// the second one's does.
pub struct Both {
    pub first: Arc<dyn RequestHook>,
    pub second: Arc<dyn RequestHook>,
}

impl RequestHook for Both {
    fn arrived(&self, request: &SeenRequest) -> Intervention {
        let first = self.first.arrived(request);
        let second = self.second.arrived(request);
        match first {
            Intervention::Serve => second,
            intervention => intervention,
        }
    }

    fn answered(
        &self,
        request: &SeenRequest,
        answer: &SeenResponse,
        withheld: Option<&SeenResponse>,
    ) {
        self.first.answered(request, answer, withheld);
        self.second.answered(request, answer, withheld);
    }
}

/// `hook` added to what already watches a server (`existing` first).
pub fn joined(
    existing: Option<Arc<dyn RequestHook>>,
    hook: Arc<dyn RequestHook>,
) -> Arc<dyn RequestHook> {
    match existing {
        Some(first) => Arc::new(Both {
            first,
            second: hook,
        }),
        None => hook,
    }
}

/// The middleware's state: the hook and the request counter.
#[derive(Clone)]
pub(super) struct Watch {
    hook: Arc<dyn RequestHook>,
    counter: Arc<AtomicU64>,
}

impl Watch {
    pub(super) fn new(hook: Arc<dyn RequestHook>) -> Self {
        Watch {
            hook,
            counter: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// The axum middleware around the whole router.
pub(super) async fn watch(State(watch): State<Watch>, request: Request, next: Next) -> Response {
    let received = SystemTime::now();
    let arrived = Instant::now();
    let (parts, body) = request.into_parts();
    let (buffered, rest) = buffer(body).await;
    let truncated = rest.is_some();
    let seen = SeenRequest {
        seq: watch.counter.fetch_add(1, Ordering::Relaxed) + 1,
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
        body: buffered.clone(),
        truncated,
        received,
        arrived,
    };
    let body = match rest {
        None => Body::from(buffered),
        Some(rest) => Body::new(Prefixed {
            prefix: Some(buffered),
            rest,
        }),
    };
    let request = Request::from_parts(parts, body);
    match watch.hook.arrived(&seen) {
        Intervention::Serve => {
            let (response, answer) = run(next, request).await;
            watch.hook.answered(&seen, &answer, None);
            response
        }
        Intervention::Answer(canned) => {
            let (response, answer) = render(&canned);
            watch.hook.answered(&seen, &answer, None);
            response
        }
        Intervention::Withhold { hold, answer } => {
            let (_, real) = run(next, request).await;
            let (response, mut given) = render(&answer);
            given.sent += hold;
            watch.hook.answered(&seen, &given, Some(&real));
            tokio::time::sleep(hold).await;
            response
        }
    }
}

/// Runs the server on the request and buffers its answer.
async fn run(next: Next, request: Request) -> (Response, SeenResponse) {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    // The server's answers are built in memory; reading one back cannot block.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let seen = SeenResponse {
        status: parts.status,
        headers: parts.headers.clone(),
        body: bytes.clone(),
        sent: Instant::now(),
    };
    (Response::from_parts(parts, Body::from(bytes)), seen)
}

fn render(canned: &Canned) -> (Response, SeenResponse) {
    let bytes = Bytes::from(canned.body.to_string());
    let mut response = Response::new(Body::from(bytes.clone()));
    *response.status_mut() = canned.status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    for (name, value) in &canned.headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    let seen = SeenResponse {
        status: canned.status,
        headers: response.headers().clone(),
        body: bytes,
        sent: Instant::now(),
    };
    (response, seen)
}

/// Reads the body up to the server's payload limit. When it goes on beyond, the rest is
/// handed back unread so the server can refuse it as it always does.
async fn buffer(mut body: Body) -> (Bytes, Option<Body>) {
    let mut data = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let Some(Ok(frame)) = frame else {
            // The end, or a broken body: the server meets the same break when it reads.
            return (Bytes::from(data), None);
        };
        if let Ok(chunk) = frame.into_data() {
            data.extend_from_slice(&chunk);
            if data.len() > MAX_PAYLOAD_BYTES {
                return (Bytes::from(data), Some(body));
            }
        }
    }
}

/// A body whose first part was already read: that part, then the rest as it comes.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: Body,
}

impl HttpBody for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Some(prefix) = self.prefix.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(prefix))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }
}
