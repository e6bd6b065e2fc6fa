//! The checks of one request against the RFC's client requirements, one module per
//! concern. Each check says which rules it looked at (`Verdict::checked`) and which broke
//! (`Verdict::broke`), so reports can tell "clean" from "never exercised".

mod bulk;
mod headers;
pub(super) mod patch;
mod query;
pub(super) mod resource;
mod values;

use super::declared::Declared;
use super::finding::Verdict;
use super::history::History;
use super::request::{Endpoint, Incoming};
use super::rulebook::ids;

/// What the checks may consult besides the request.
pub struct Context<'a> {
    pub declared: &'a Declared,
    pub history: &'a History,
}

/// Every request-level check (timing and state-based ones live in `history`).
pub fn check(req: &Incoming<'_>, ctx: &Context<'_>, v: &mut Verdict) {
    headers::check(req, v);
    endpoint(req, ctx, v);
    query::check(req, v);
    resource::check(req, v);
    patch::check(req, v);
    bulk::check(req, v);
}

/// Endpoints come from /ResourceTypes; ids from the server's answers.
fn endpoint(req: &Incoming<'_>, ctx: &Context<'_>, v: &mut Verdict) {
    match &req.endpoint {
        Endpoint::Outside => {}
        Endpoint::Unknown(path) => v.broke(
            ids::DISCOVERS_ENDPOINTS,
            "path",
            path.clone(),
            format!(
                "an endpoint /ResourceTypes lists ({}) or a SCIM endpoint such as /Schemas",
                ctx.declared
                    .resource_types
                    .iter()
                    .map(|rt| rt.endpoint.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Endpoint::Resource(rt, id) => {
            v.checked(ids::DISCOVERS_ENDPOINTS);
            if ctx.history.issued(id) {
                v.checked(ids::USES_ISSUED_IDS);
                if req.method() == axum::http::Method::PUT {
                    v.checked(ids::PUT_CREATES_NOTHING);
                }
            } else if req.method() == axum::http::Method::PUT {
                v.broke(
                    ids::PUT_CREATES_NOTHING,
                    "path",
                    format!("{}/{id}", rt.endpoint),
                    format!(
                        "PUT only to a {} the server created and named; create with POST {}",
                        rt.name, rt.endpoint
                    ),
                );
            } else {
                v.broke(
                    ids::USES_ISSUED_IDS,
                    "path",
                    format!("{}/{id}", rt.endpoint),
                    "an id this server returned (in a create answer, a Location, or a list)",
                );
            }
        }
        _ => v.checked(ids::DISCOVERS_ENDPOINTS),
    }
}
