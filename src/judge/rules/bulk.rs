//! Bulk requests (RFC 7644 3.7): the BulkRequest message, each operation's method, path
//! and data, and a unique bulkId on every POST.

use std::collections::HashMap;

use axum::http::Method;
use serde_json::Value;

use super::patch::member;
use super::values;
use crate::judge::finding::Verdict;
use crate::judge::request::{Endpoint, Incoming};
use crate::judge::rulebook::ids;

pub const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

pub fn check(req: &Incoming<'_>, v: &mut Verdict) {
    if req.endpoint != Endpoint::Bulk || req.method() != Method::POST {
        return;
    }
    let Some(body) = req.json() else {
        return;
    };
    v.checked(ids::BULK_REQUEST_SCHEMA);
    let Value::Object(object) = body else {
        v.broke(
            ids::BULK_REQUEST_SCHEMA,
            "body",
            values::shown(body),
            "a BulkRequest object",
        );
        return;
    };
    let schemas = member(object, "schemas");
    if !schemas
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|s| s.as_str() == Some(BULK_REQUEST_URN)))
    {
        v.broke(
            ids::BULK_REQUEST_SCHEMA,
            "body.schemas",
            schemas.map_or_else(|| "(absent)".to_owned(), values::shown),
            format!("[\"{BULK_REQUEST_URN}\"]"),
        );
    }
    let Some(Value::Array(operations)) = member(object, "Operations") else {
        v.broke(
            ids::BULK_OPERATION_FIELDS,
            "body.Operations",
            member(object, "Operations").map_or_else(|| "(absent)".to_owned(), values::shown),
            "an array of operations, each with method, path and (unless DELETE) data",
        );
        return;
    };
    let mut bulk_ids: HashMap<String, usize> = HashMap::new();
    for (i, op) in operations.iter().enumerate() {
        let place = format!("body.Operations[{i}]");
        v.checked(ids::BULK_OPERATION_FIELDS);
        let method = op
            .as_object()
            .and_then(|o| member(o, "method"))
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase);
        let path = op.as_object().and_then(|o| member(o, "path"));
        let data = op.as_object().and_then(|o| member(o, "data"));
        let known = matches!(method.as_deref(), Some("POST" | "PUT" | "PATCH" | "DELETE"));
        let mut missing = Vec::new();
        if !known {
            missing.push("a method of POST, PUT, PATCH or DELETE");
        }
        if !path.is_some_and(Value::is_string) {
            missing.push("a path");
        }
        if method.as_deref() != Some("DELETE") && data.is_none_or(Value::is_null) {
            missing.push("data");
        }
        if !missing.is_empty() {
            v.broke(
                ids::BULK_OPERATION_FIELDS,
                place.clone(),
                values::shown(op),
                missing.join(", "),
            );
        }
        if method.as_deref() == Some("POST") {
            v.checked(ids::BULK_POST_BULK_ID);
            match op
                .as_object()
                .and_then(|o| member(o, "bulkId"))
                .and_then(Value::as_str)
            {
                Some(bulk_id) if !bulk_id.is_empty() => {
                    if let Some(first) = bulk_ids.insert(bulk_id.to_owned(), i) {
                        v.broke(
                            ids::BULK_POST_BULK_ID,
                            format!("{place}.bulkId"),
                            format!("\"{bulk_id}\", as Operations[{first}]"),
                            "a bulkId no other operation of the request uses",
                        );
                    }
                }
                _ => v.broke(
                    ids::BULK_POST_BULK_ID,
                    format!("{place}.bulkId"),
                    "(absent)",
                    "a bulkId, so later operations can refer to what this one creates",
                ),
            }
        }
    }
}
