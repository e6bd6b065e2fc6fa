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
    member_ids(req, ctx, v);
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

/// Group members named in a create, a replace or a PATCH of members are ids the server
/// gave out.
fn member_ids(req: &Incoming<'_>, ctx: &Context<'_>, v: &mut Verdict) {
    use axum::http::Method;
    use serde_json::Value;

    let Some(body) = req.json() else { return };
    let mut named: Vec<(String, &Value)> = Vec::new();
    match (&req.endpoint, req.method()) {
        (Endpoint::Collection(rt), &Method::POST) | (Endpoint::Resource(rt, _), &Method::PUT)
            if rt.core.attribute("members").is_some() =>
        {
            if let Some(members) = crate::scim::get_attr(body, "members") {
                members_of(members, "body.members", &mut named);
            }
        }
        (Endpoint::Resource(rt, _), &Method::PATCH) if rt.core.attribute("members").is_some() => {
            for op in patch::operations(body) {
                let to_members = op.path.is_some_and(|p| p.eq_ignore_ascii_case("members"));
                let adds = op.name.is_some_and(|n| !n.eq_ignore_ascii_case("remove"));
                if to_members
                    && adds
                    && let Some(value) = op.value
                {
                    members_of(
                        value,
                        &format!("body.Operations[{}].value", op.index),
                        &mut named,
                    );
                }
            }
        }
        _ => {}
    }
    for (place, value) in named {
        v.checked(ids::USES_ISSUED_IDS);
        let issued = value.as_str().is_some_and(|id| ctx.history.issued(id));
        if !issued {
            v.broke(
                ids::USES_ISSUED_IDS,
                place,
                value.to_string(),
                "the id of a User or Group this server returned",
            );
        }
    }
}

/// The `value` of each member in a list of members, with its place.
fn members_of<'b>(
    list: &'b serde_json::Value,
    place: &str,
    out: &mut Vec<(String, &'b serde_json::Value)>,
) {
    let serde_json::Value::Array(items) = list else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        if let Some(value) = crate::scim::get_attr(item, "value") {
            out.push((format!("{place}[{i}].value"), value));
        }
    }
}
