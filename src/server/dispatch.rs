//! One HTTP request from arrival to answer: rate limit, base path, authentication,
//! endpoint and method, media types, body limits and JSON, then the SCIM operation. A
//! panic anywhere in there still answers 500 as a SCIM error.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::header::{
    ALLOW, CONNECTION, CONTENT_LOCATION, ETAG, HOST, IF_MATCH, IF_NONE_MATCH, LOCATION, RETRY_AFTER,
};
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::auth;
use super::bulk::bulk;
use super::config::{MAX_PAYLOAD_BYTES, RATE_LIMIT_PER_SECOND};
use super::connection::Connection;
use super::dialect::{self, Shape};
use super::discovery;
use super::emulate::Emulated;
use super::error::{ScimError, ScimType};
use super::etag::{etag, header_matches, shown_etag};
use super::lax_writes;
use super::media;
use super::misbehave::Misbehaviour;
use super::patch::patch;
use super::projection::Projection;
use super::provider::{Ctx, Provider};
use super::query::{self, ListRequest, list};
use super::render::as_sent;
use super::reply::{Reply, render, render_error};
use super::resources::{self, Written};
use super::schema_defs::ResourceKind;
use crate::scim::{CompareOp, Filter};

/// Bodies beyond the limit are read and thrown away up to this size, so the client gets
/// its 413 instead of a reset connection; beyond it the connection is closed.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// How long a create or change takes under the `concurrent-500` misbehaviour.
const CONCURRENT_WRITE_TIME: std::time::Duration = std::time::Duration::from_millis(15);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    Collection(ResourceKind),
    Resource(ResourceKind, String),
    Search(Option<ResourceKind>),
    ServiceProviderConfig,
    ResourceTypes,
    ResourceType(String),
    Schemas,
    Schema(String),
    Bulk,
    Me,
    /// A query at the server root (RFC 7644 3.4.2.1).
    Root,
}

impl Endpoint {
    /// The resource type and body shape of a write that carries a resource or a PatchOp.
    fn write_shape(&self, method: &Method) -> Option<(ResourceKind, Shape)> {
        match (self, method) {
            (Endpoint::Collection(kind), &Method::POST)
            | (Endpoint::Resource(kind, _), &Method::PUT) => Some((*kind, Shape::Resource)),
            (Endpoint::Resource(kind, _), &Method::PATCH) => Some((*kind, Shape::PatchOp)),
            _ => None,
        }
    }

    fn parse(segments: &[String]) -> Option<Endpoint> {
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        Some(match segments.as_slice() {
            [""] => Endpoint::Root,
            [".search"] => Endpoint::Search(None),
            ["ServiceProviderConfig"] => Endpoint::ServiceProviderConfig,
            ["ResourceTypes"] => Endpoint::ResourceTypes,
            ["ResourceTypes", id] => Endpoint::ResourceType(id.to_string()),
            ["Schemas"] => Endpoint::Schemas,
            ["Schemas", id] => Endpoint::Schema(id.to_string()),
            ["Bulk"] => Endpoint::Bulk,
            ["Me", ..] => Endpoint::Me,
            [collection] => Endpoint::Collection(ResourceKind::from_endpoint(collection)?),
            [collection, ".search"] => {
                Endpoint::Search(Some(ResourceKind::from_endpoint(collection)?))
            }
            [collection, id] => {
                Endpoint::Resource(ResourceKind::from_endpoint(collection)?, id.to_string())
            }
            _ => return None,
        })
    }

    fn is_discovery(&self) -> bool {
        matches!(
            self,
            Endpoint::ServiceProviderConfig
                | Endpoint::ResourceTypes
                | Endpoint::ResourceType(_)
                | Endpoint::Schemas
                | Endpoint::Schema(_)
        )
    }

    fn kind(&self) -> Option<ResourceKind> {
        match self {
            Endpoint::Collection(kind) | Endpoint::Resource(kind, _) => Some(*kind),
            Endpoint::Search(kind) => *kind,
            _ => None,
        }
    }

    fn methods(&self) -> &'static [Method] {
        const READ: &[Method] = &[Method::GET, Method::HEAD];
        match self {
            Endpoint::Collection(_) => &[Method::GET, Method::HEAD, Method::POST],
            Endpoint::Resource(..) => &[
                Method::GET,
                Method::HEAD,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ],
            Endpoint::Search(_) | Endpoint::Bulk => &[Method::POST],
            Endpoint::Me => &[],
            Endpoint::Root => READ,
            _ => READ,
        }
    }
}

/// The axum fallback handler: every request comes here. The work runs in its own task so
/// a panic surfaces as a JoinError and becomes a 500 SCIM error.
pub async fn handle(State(provider): State<Arc<Provider>>, request: Request) -> Response {
    let connection = request
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|info| info.0.clone());
    let worker = Arc::clone(&provider);
    let task = tokio::spawn(async move {
        let (parts, body) = request.into_parts();
        let result = route(&worker, &parts, body).await;
        render(&worker, result)
    });
    let response = catch_panic(&provider, task).await;
    if provider.misbehaves(Misbehaviour::CloseAfter500)
        && response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && let Some(connection) = connection
    {
        connection.drop_before_next_answer();
    }
    response
}

async fn catch_panic(provider: &Provider, task: tokio::task::JoinHandle<Response>) -> Response {
    match task.await {
        Ok(response) => response,
        Err(_) => render_error(
            provider,
            ScimError::internal("internal error: the request could not be completed"),
        ),
    }
}

async fn route(provider: &Provider, parts: &Parts, body: Body) -> Result<Reply, ScimError> {
    if let Err(wait) = provider.admit() {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        return Err(ScimError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many requests: at most {RATE_LIMIT_PER_SECOND} per second"),
        )
        .with_header(RETRY_AFTER, HeaderValue::from(seconds)));
    }
    let path = parts.uri.path();
    let unknown = || ScimError::not_found(format!("no SCIM endpoint at '{path}'"));
    let rest = strip_base(&provider.base_path, path).ok_or_else(unknown)?;
    auth::check(
        provider.token.as_deref(),
        provider.token_endpoint.as_ref(),
        &parts.headers,
    )
    .map_err(|refusal| {
        if provider.misbehaves(Misbehaviour::AuthRefused403) {
            ScimError::new(StatusCode::FORBIDDEN, refusal.detail)
        } else {
            refusal
        }
    })?;
    let mut segments: Vec<String> = rest
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    if provider.misbehaves(Misbehaviour::VersionIgnored) && segments.len() > 1 {
        segments.retain(|segment| !is_version_segment(segment));
    }
    let endpoint = Endpoint::parse(&segments)
        .filter(|endpoint| endpoint.kind().is_none_or(|kind| provider.serves(kind)))
        .ok_or_else(unknown)?;
    if provider.misbehaves(Misbehaviour::NoDiscovery) && endpoint.is_discovery() {
        return Err(unknown());
    }
    if endpoint == Endpoint::Me {
        return Err(ScimError::new(
            StatusCode::NOT_IMPLEMENTED,
            "/Me is not supported: this server does not map tokens to users",
        ));
    }
    let methods = endpoint.methods();
    if !methods.contains(&parts.method) {
        let allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
        return Err(ScimError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{} is not allowed here; use {}",
                parts.method,
                allow.join(", ")
            ),
        )
        .with_header(
            ALLOW,
            HeaderValue::from_str(&allow.join(", ")).unwrap_or(HeaderValue::from_static("GET")),
        ));
    }
    media::check_accept(&parts.headers)?;
    if provider.misbehaves(Misbehaviour::AcceptScimJsonRefused) {
        media::check_accept_plain_json(&parts.headers)?;
    }
    let creates_or_changes = matches!(
        (&endpoint, &parts.method),
        (Endpoint::Collection(_), &Method::POST)
            | (Endpoint::Resource(..), &Method::PUT | &Method::PATCH)
    );
    let _write = if provider.misbehaves(Misbehaviour::Concurrent500) && creates_or_changes {
        let write = provider.enter_write();
        // A write takes a while here, as on a database under load, so overlaps happen.
        tokio::time::sleep(CONCURRENT_WRITE_TIME).await;
        if write.overlaps {
            return Err(ScimError::internal(
                "another write was in progress (concurrent-500)",
            ));
        }
        Some(write)
    } else {
        None
    };
    let mut params: Vec<(String, String)> = Query::try_from_uri(&parts.uri)
        .map(|Query(params)| params)
        .map_err(|error| {
            ScimError::invalid_syntax(format!("the query string is malformed: {error}"))
        })?;
    let mut body = if matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) {
        // bulk-limits-ignored: /Bulk takes bodies up to the drain limit.
        let limit =
            if endpoint == Endpoint::Bulk && provider.misbehaves(Misbehaviour::BulkLimitsIgnored) {
                DRAIN_LIMIT
            } else {
                MAX_PAYLOAD_BYTES
            };
        let mut bytes = read_body(body, limit)
            .await
            .map_err(|error| unnamed_limit(provider, error))?;
        if provider.misbehaves(Misbehaviour::Utf8ReadAsLatin1) {
            bytes = read_as_latin1(&bytes);
        }
        media::check_content_type(&parts.headers)?;
        if matches!(
            (&endpoint, &parts.method),
            (Endpoint::Collection(_), &Method::POST) | (Endpoint::Resource(..), &Method::PUT)
        ) {
            lax_writes::check_schemas_first(provider, &bytes)?;
        }
        match parse_json(&bytes) {
            Err(_)
                if endpoint == Endpoint::Bulk
                    && provider.misbehaves(Misbehaviour::BulkMalformed200) =>
            {
                Some(serde_json::json!({
                    "schemas": [super::bulk::BULK_REQUEST_SCHEMA],
                    "Operations": [],
                }))
            }
            parsed => Some(parsed?),
        }
    } else {
        None
    };
    if let Some(product) = &provider.emulated {
        emulate(
            product,
            &endpoint,
            &parts.method,
            &mut params,
            body.as_mut(),
        )?;
    }
    for (name, value) in params.iter_mut() {
        if name.eq_ignore_ascii_case("filter")
            && let Some(filter) = dialect::tolerate_filter(provider, value)
        {
            *value = filter;
        }
    }
    if let (Some(body), Some((kind, shape))) = (body.as_mut(), endpoint.write_shape(&parts.method))
    {
        dialect::tolerate(provider, kind, shape, body);
    }
    let ctx = Ctx {
        provider,
        base_url: format!("{}{}", origin(provider, parts), provider.base_path),
    };
    let request = Incoming {
        ctx: &ctx,
        parts,
        params: &params,
        body: body.as_ref(),
    };
    request.serve(endpoint)
}

/// What an emulated product refuses, and its filter values read as it reads them.
fn emulate(
    product: &Emulated,
    endpoint: &Endpoint,
    method: &Method,
    params: &mut [(String, String)],
    body: Option<&mut Value>,
) -> Result<(), ScimError> {
    for (name, value) in params.iter_mut() {
        if name.eq_ignore_ascii_case("filter") {
            *value = product.filter(value);
        }
    }
    let Some(body) = body else {
        return Ok(());
    };
    match (endpoint, method) {
        (Endpoint::Collection(ResourceKind::User), &Method::POST) => {
            product.fill_defaults(body);
            product.check_user(body, true)
        }
        (Endpoint::Resource(ResourceKind::User, _), &Method::PUT) => {
            product.check_user(body, false)
        }
        (Endpoint::Resource(..), &Method::PATCH) => product.check_patch(body),
        _ => Ok(()),
    }
}

/// The `filter-unsupported` misbehaviour: only one `attribute eq value` comparison is
/// supported; anything else answers 400 invalidFilter, as RFC 7644 3.4.2.2 allows.
fn supported(
    ctx: &Ctx<'_>,
    request: &ListRequest,
    kinds: &[ResourceKind],
) -> Result<(), ScimError> {
    if let Some(filter) = &request.filter
        && !ctx.misbehaves(Misbehaviour::FilterBooleanOrdering)
    {
        query::check_ordering(filter, kinds)?;
    }
    let simple = matches!(
        &request.filter,
        None | Some(Filter::Compare {
            op: CompareOp::Eq,
            ..
        })
    );
    if ctx.misbehaves(Misbehaviour::DeclaredFeaturesBroken) && request.sort_by.is_some() {
        return Err(ScimError::new(
            StatusCode::NOT_IMPLEMENTED,
            "sorting is not implemented (declared-features-broken)",
        ));
    }
    if ctx.misbehaves(Misbehaviour::FilterUnsupported) && !simple {
        return Err(ScimError::bad_request(
            ScimType::InvalidFilter,
            "this server supports only one `attribute eq value` comparison in a filter",
        ));
    }
    Ok(())
}

fn strip_base<'p>(base: &str, path: &'p str) -> Option<&'p str> {
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// `%3A` and friends in a path segment; undecodable input stays as it was.
pub(crate) fn percent_decode(segment: &str) -> String {
    if !segment.contains('%') {
        return segment.to_string();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_string())
}

/// The scheme and authority clients used, from the Host header when it is sane.
fn origin(provider: &Provider, parts: &Parts) -> String {
    parts
        .headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| host.parse::<Authority>().is_ok())
        .map(|host| format!("http://{host}"))
        .unwrap_or_else(|| provider.origin.clone())
}

/// `bulk-limit-unnamed`: a 413 that does not say which limit was exceeded.
fn unnamed_limit(provider: &Provider, mut error: ScimError) -> ScimError {
    if error.status == StatusCode::PAYLOAD_TOO_LARGE
        && provider.misbehaves(Misbehaviour::BulkLimitUnnamed)
    {
        error.detail = "the request is too large".to_owned();
    }
    error
}

async fn read_body(mut body: Body, limit: usize) -> Result<Vec<u8>, ScimError> {
    let mut data = Vec::new();
    let mut total = 0usize;
    loop {
        let frame = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|error| {
            ScimError::invalid_syntax(format!("the request body could not be read: {error}"))
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(chunk.len());
        if total <= limit {
            data.extend_from_slice(&chunk);
        } else if total > DRAIN_LIMIT {
            return Err(too_large().with_header(CONNECTION, HeaderValue::from_static("close")));
        }
    }
    if total > limit {
        return Err(too_large());
    }
    Ok(data)
}

fn too_large() -> ScimError {
    ScimError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than the {MAX_PAYLOAD_BYTES} bytes this server accepts"
        ),
    )
}

/// What the `minimal-reads` misbehaviour keeps of a resource read without `attributes`:
/// the identifiers and the one attribute each type requires.
fn keep_minimal(kind: ResourceKind, resource: &mut Value) {
    let required = match kind {
        ResourceKind::User => "userName",
        ResourceKind::Group => "displayName",
    };
    if let Value::Object(members) = resource {
        members.retain(|name, _| ["id", "schemas", "meta", required].contains(&name.as_str()));
    }
}

/// Each byte taken as one ISO-8859-1 character (the `utf8-read-as-latin1` misbehaviour):
/// a multi-byte UTF-8 character becomes several garbled ones.
fn read_as_latin1(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|byte| char::from(*byte))
        .collect::<String>()
        .into_bytes()
}

/// `v2`, `v999`: a protocol version as a path segment (RFC 7644 3.13).
fn is_version_segment(segment: &str) -> bool {
    segment
        .strip_prefix(['v', 'V'])
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Malformed JSON, invalid UTF-8 and nesting beyond serde_json's depth limit all answer
/// 400 invalidSyntax with the parser's line and column.
fn parse_json(bytes: &[u8]) -> Result<Value, ScimError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "the request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        ScimError::invalid_syntax(format!("the request body is not valid JSON: {error}"))
    })
}

/// A routed request, ready for its endpoint.
struct Incoming<'a> {
    ctx: &'a Ctx<'a>,
    parts: &'a Parts,
    params: &'a [(String, String)],
    body: Option<&'a Value>,
}

impl Incoming<'_> {
    fn header(&self, name: axum::http::HeaderName) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn body(&self) -> &Value {
        self.body.unwrap_or(&Value::Null)
    }

    fn serve(&self, endpoint: Endpoint) -> Result<Reply, ScimError> {
        let ctx = self.ctx;
        let method = &self.parts.method;
        let reading = matches!(*method, Method::GET | Method::HEAD);
        match endpoint {
            Endpoint::ServiceProviderConfig => {
                discovery::refuse_filter(self.params)?;
                Ok(Reply::json(
                    StatusCode::OK,
                    discovery::service_provider_config(ctx),
                ))
            }
            Endpoint::ResourceTypes => {
                discovery::refuse_filter(self.params)?;
                let types = discovery::resource_types(ctx);
                Ok(Reply::json(
                    StatusCode::OK,
                    discovery::paged(ctx, self.params, types),
                ))
            }
            Endpoint::ResourceType(id) => {
                discovery::refuse_filter(self.params)?;
                Ok(Reply::json(
                    StatusCode::OK,
                    discovery::resource_type(ctx, &id)?,
                ))
            }
            Endpoint::Schemas => {
                discovery::refuse_filter(self.params)?;
                let schemas = discovery::schemas(ctx);
                Ok(Reply::json(
                    StatusCode::OK,
                    discovery::paged(ctx, self.params, schemas),
                ))
            }
            Endpoint::Schema(id) => {
                discovery::refuse_filter(self.params)?;
                Ok(Reply::json(StatusCode::OK, discovery::schema(ctx, &id)?))
            }
            Endpoint::Bulk => Ok(Reply::json(StatusCode::OK, bulk(ctx, self.body())?)),
            Endpoint::Me => Err(ScimError::new(
                StatusCode::NOT_IMPLEMENTED,
                "/Me is not supported",
            )),
            Endpoint::Search(_) if ctx.misbehaves(Misbehaviour::NoSearch) => Err(
                ScimError::not_found(format!("no SCIM endpoint at '{}'", self.parts.uri.path())),
            ),
            Endpoint::Search(kind) => {
                let kinds = kind.map_or_else(|| ctx.provider.kinds(), |kind| vec![kind]);
                let mut request = if ctx.misbehaves(Misbehaviour::SearchBodyIgnored) {
                    ListRequest::from_params(self.params, &kinds)?
                } else {
                    ListRequest::from_search(self.body(), &kinds)?
                };
                if ctx.misbehaves(Misbehaviour::SearchSortIgnored) {
                    request.sort_by = None;
                    request.descending = false;
                }
                supported(ctx, &request, &kinds)?;
                Ok(Reply::json(StatusCode::OK, list(ctx, &kinds, &request)))
            }
            Endpoint::Collection(kind) if reading => {
                let request = ListRequest::from_params(self.params, &[kind])?;
                supported(ctx, &request, &[kind])?;
                if request.filter.is_none() {
                    unfiltered_refusal(ctx)?;
                }
                // queries-span-types: the filter is read against every type.
                let kinds = if ctx.misbehaves(Misbehaviour::QueriesSpanTypes) {
                    ctx.provider.kinds()
                } else {
                    vec![kind]
                };
                Ok(Reply::json(StatusCode::OK, list(ctx, &kinds, &request)))
            }
            Endpoint::Root => {
                let kinds = if ctx.misbehaves(Misbehaviour::RootQueryUsersOnly) {
                    vec![ResourceKind::User]
                } else {
                    ctx.provider.kinds()
                };
                let request = ListRequest::from_params(self.params, &ctx.provider.kinds())?;
                supported(ctx, &request, &kinds)?;
                Ok(Reply::json(StatusCode::OK, list(ctx, &kinds, &request)))
            }
            Endpoint::Collection(kind) => {
                let projection = self.projection(kind)?;
                let written = resources::create(ctx, kind, self.body())?;
                let status = if ctx.misbehaves(Misbehaviour::Create200) {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                };
                let location = ctx.location(kind, &written.id);
                let reply = self.resource_reply(kind, status, written, &projection);
                Ok(if ctx.misbehaves(Misbehaviour::NoLocation) {
                    reply
                } else {
                    reply.header(LOCATION, &location)
                })
            }
            Endpoint::Resource(kind, id) => self.serve_resource(kind, &id),
        }
    }

    fn serve_resource(&self, kind: ResourceKind, id: &str) -> Result<Reply, ScimError> {
        let ctx = self.ctx;
        let if_match = self.header(IF_MATCH);
        match self.parts.method {
            Method::DELETE => {
                resources::delete(ctx, kind, id, if_match)?;
                Ok(Reply::empty(StatusCode::NO_CONTENT))
            }
            Method::PUT => {
                let projection = self.projection(kind)?;
                let written = resources::replace(ctx, kind, id, self.body(), if_match)?;
                Ok(self.resource_reply(kind, StatusCode::OK, written, &projection))
            }
            Method::PATCH if ctx.misbehaves(Misbehaviour::DeclaredFeaturesBroken) => Err(
                ScimError::new(StatusCode::NOT_IMPLEMENTED, "PATCH is not implemented"),
            ),
            Method::PATCH => {
                let projection = self.projection(kind)?;
                let written = patch(ctx, kind, id, self.body(), if_match)?;
                if ctx.misbehaves(Misbehaviour::Patch204) {
                    return Ok(
                        self.with_etag(Reply::empty(StatusCode::NO_CONTENT), written.version)
                    );
                }
                Ok(self.resource_reply(kind, StatusCode::OK, written, &projection))
            }
            _ => {
                let projection = self.projection(kind)?.for_read(ctx);
                let mut written = resources::get(ctx, kind, id)?;
                if ctx.misbehaves(Misbehaviour::MinimalReads) && !projection.asks_for_attributes() {
                    keep_minimal(kind, &mut written.resource);
                }
                if let Some(header) = self.header(IF_NONE_MATCH)
                    && header_matches(header, &etag(written.version))
                {
                    let reply = Reply::empty(StatusCode::NOT_MODIFIED);
                    return Ok(self.with_etag(reply, written.version));
                }
                Ok(self.resource_reply(kind, StatusCode::OK, written, &projection))
            }
        }
    }

    /// `attributes` / `excludedAttributes` of a single-resource request.
    fn projection(&self, kind: ResourceKind) -> Result<Projection, ScimError> {
        let list = |name: &str| {
            self.params
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| Projection::split_list(value))
                .unwrap_or_default()
        };
        Projection::parse(
            &list("attributes"),
            &list("excludedAttributes"),
            &kind.schema_urns(),
        )
    }

    fn resource_reply(
        &self,
        kind: ResourceKind,
        status: StatusCode,
        written: Written,
        projection: &Projection,
    ) -> Reply {
        let ctx = self.ctx;
        let mut body = written.resource;
        if !ctx.misbehaves(Misbehaviour::ProjectionIgnored) {
            let drop_schemas = ctx.misbehaves(Misbehaviour::ProjectionDropsSchemas)
                && projection.asks_for_attributes();
            projection.misread(ctx).apply(kind, &mut body, drop_schemas);
        }
        as_sent(ctx, kind, &mut body);
        let reply = self.with_etag(Reply::json(status, body), written.version);
        if ctx.misbehaves(Misbehaviour::ContentLocationMismatch) {
            // The collection, not the resource: a wrong Content-Location.
            let collection = format!("{}/{}", ctx.base_url, kind.endpoint());
            return reply.header(CONTENT_LOCATION, &collection);
        }
        reply
    }

    fn with_etag(&self, reply: Reply, version: u64) -> Reply {
        if self.ctx.misbehaves(Misbehaviour::EtagMissing) {
            reply
        } else {
            reply.header(ETAG, &shown_etag(self.ctx, version))
        }
    }
}

/// The `unfiltered-too-many` and `unfiltered-refused` misbehaviours: a query of a resource
/// type without a filter is refused, as RFC 7644 3.4.2.1 allows (tooMany) or not.
fn unfiltered_refusal(ctx: &Ctx<'_>) -> Result<(), ScimError> {
    if ctx.misbehaves(Misbehaviour::UnfilteredTooMany) {
        return Err(ScimError::bad_request(
            ScimType::TooMany,
            "the query would return too many results: add a filter",
        ));
    }
    if ctx.misbehaves(Misbehaviour::UnfilteredRefused) {
        return Err(ScimError::invalid_value("a filter is required"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Option<Endpoint> {
        let segments: Vec<String> = path.split('/').map(percent_decode).collect();
        Endpoint::parse(&segments)
    }

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            parse("Users"),
            Some(Endpoint::Collection(ResourceKind::User))
        );
        assert_eq!(
            parse("Groups/abc"),
            Some(Endpoint::Resource(ResourceKind::Group, "abc".into()))
        );
        assert_eq!(
            parse("Users/.search"),
            Some(Endpoint::Search(Some(ResourceKind::User)))
        );
        assert_eq!(
            parse("Schemas/urn%3Aietf%3Aparams"),
            Some(Endpoint::Schema("urn:ietf:params".into()))
        );
        assert_eq!(parse("users"), None);
        assert_eq!(parse("Users/a/b"), None);
    }

    #[test]
    fn base_path_must_end_at_a_segment() {
        assert_eq!(strip_base("/scim/v2", "/scim/v2/Users"), Some("/Users"));
        assert_eq!(strip_base("/scim/v2", "/scim/v2"), Some(""));
        assert_eq!(strip_base("/scim/v2", "/scim/v20/Users"), None);
        assert_eq!(strip_base("", "/Users"), Some("/Users"));
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_as_a_scim_error() {
        let provider = Provider::new(&crate::server::ServerConfig::default(), "http://x".into());
        let task = tokio::spawn(async {
            if true {
                panic!("deliberate test panic");
            }
            Response::new(Body::empty())
        });
        let response = catch_panic(&provider, task).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_TYPE],
            media::SCIM_JSON
        );
    }
}
