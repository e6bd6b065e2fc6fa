//! Bulk (RFC 7644 3.7): many operations in one request, `bulkId:` references between them
//! (resolved in whatever order the references allow), failOnErrors, maxOperations.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::config::BULK_MAX_OPERATIONS;
use super::error::{ScimError, ScimType};
use super::etag::shown_etag;
use super::misbehave::Misbehaviour;
use super::patch::patch;
use super::provider::Ctx;
use super::resources::{Written, as_object, create, delete, replace};
use super::schema_defs::ResourceKind;
use super::validate::describe;

pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

const PREFIX: &str = "bulkId:";

/// One operation as the client wrote it.
#[derive(Debug, Default)]
struct BulkOperation {
    method: String,
    bulk_id: Option<String>,
    version: Option<String>,
    path: String,
    data: Option<Value>,
    /// A problem found while reading the operation; reported as its result.
    invalid: Option<ScimError>,
}

pub fn bulk(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let body = as_object(body)?;
    let mut declared = false;
    let mut operations = None;
    let mut fail_on_errors = None;
    for (key, value) in body {
        match key.to_ascii_lowercase().as_str() {
            "schemas" => {
                declared = value.as_array().is_some_and(|schemas| {
                    schemas
                        .iter()
                        .any(|s| s.as_str() == Some(BULK_REQUEST_SCHEMA))
                })
            }
            "operations" => operations = Some(value),
            "failonerrors" => match value.as_i64() {
                Some(n) if n >= 1 => fail_on_errors = Some(n as usize),
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "failOnErrors must be a positive integer, found {}",
                        describe(value)
                    )));
                }
            },
            _ => {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown BulkRequest member '{key}'"
                )));
            }
        }
    }
    if ctx.misbehaves(Misbehaviour::BulkFailOnErrorsIgnored) {
        fail_on_errors = None;
    }
    if !declared {
        return Err(ScimError::invalid_syntax(format!(
            "a bulk request needs \"schemas\": [\"{BULK_REQUEST_SCHEMA}\"]"
        )));
    }
    let Some(Value::Array(list)) = operations else {
        return Err(ScimError::invalid_syntax(
            "a bulk request needs an 'Operations' array",
        ));
    };
    if list.len() > BULK_MAX_OPERATIONS && !ctx.misbehaves(Misbehaviour::BulkLimitsIgnored) {
        let detail = if ctx.misbehaves(Misbehaviour::BulkLimitUnnamed) {
            "the request is too large".to_owned()
        } else {
            format!(
                "the bulk request has {} operations; maxOperations is {BULK_MAX_OPERATIONS}",
                list.len()
            )
        };
        return Err(ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, detail));
    }
    let operations: Vec<BulkOperation> = list.iter().map(read_operation).collect();
    let defined: Vec<&str> = operations
        .iter()
        .filter_map(|op| op.bulk_id.as_deref())
        .collect();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<Option<Value>> = vec![None; operations.len()];
    let mut pending: Vec<usize> = (0..operations.len()).collect();
    let mut errors = 0;
    let status_as_integer = ctx.misbehaves(Misbehaviour::StatusAsInteger);
    'passes: while !pending.is_empty() {
        let mut progressed = false;
        let mut still = Vec::new();
        for &index in &pending {
            let op = &operations[index];
            let references = references(op);
            let unknown = references.iter().find(|r| !defined.contains(&r.as_str()));
            let waiting = references.iter().any(|r| !ids.contains_key(r));
            let outcome = if let Some(invalid) = &op.invalid {
                Err(invalid.clone())
            } else if let Some(unknown) = unknown {
                Err(unresolved(unknown))
            } else if waiting {
                still.push(index);
                continue;
            } else {
                run(ctx, op, &ids)
            };
            progressed = true;
            let failed = outcome.is_err();
            results[index] = Some(outcome_json(op, outcome, &mut ids, ctx, status_as_integer));
            if failed {
                errors += 1;
                if fail_on_errors.is_some_and(|limit| errors >= limit) {
                    break 'passes;
                }
            }
        }
        if !progressed {
            // What is left waits on operations that wait on it, or that failed.
            for index in still {
                let op = &operations[index];
                let reference = references(op)
                    .into_iter()
                    .find(|r| !ids.contains_key(r))
                    .unwrap_or_default();
                let error = if ctx.misbehaves(Misbehaviour::BulkCircular400) {
                    ScimError::invalid_value(format!("bulkId '{reference}' is not known"))
                } else {
                    unresolved(&reference)
                };
                results[index] = Some(outcome_json(
                    op,
                    Err(error),
                    &mut ids,
                    ctx,
                    status_as_integer,
                ));
            }
            break;
        }
        pending = still;
    }
    Ok(json!({
        "schemas": [BULK_RESPONSE_SCHEMA],
        "Operations": results.into_iter().flatten().collect::<Vec<_>>(),
    }))
}

fn unresolved(reference: &str) -> ScimError {
    ScimError::new(
        StatusCode::CONFLICT,
        format!("bulkId '{reference}' cannot be resolved: no successful operation defines it"),
    )
    .typed(ScimType::InvalidValue)
}

fn read_operation(value: &Value) -> BulkOperation {
    let mut op = BulkOperation::default();
    let Value::Object(members) = value else {
        op.invalid = Some(ScimError::invalid_syntax(format!(
            "a bulk operation must be an object, found {}",
            describe(value)
        )));
        return op;
    };
    let text = |key: &str, value: &Value| -> Result<String, ScimError> {
        value.as_str().map(str::to_string).ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "'{key}' must be a string, found {}",
                describe(value)
            ))
        })
    };
    let mut problems = Vec::new();
    for (key, value) in members {
        let result = match key.to_ascii_lowercase().as_str() {
            "method" => text(key, value).map(|m| op.method = m),
            "bulkid" => text(key, value).map(|b| op.bulk_id = Some(b)),
            "version" => text(key, value).map(|v| op.version = Some(v)),
            "path" => text(key, value).map(|p| op.path = p),
            "data" => {
                op.data = Some(value.clone());
                Ok(())
            }
            _ => Err(ScimError::invalid_syntax(format!(
                "unknown bulk operation member '{key}'"
            ))),
        };
        if let Err(error) = result {
            problems.push(error);
        }
    }
    if op.method.is_empty() && problems.is_empty() {
        problems.push(ScimError::invalid_syntax("the operation has no 'method'"));
    }
    if op.method.eq_ignore_ascii_case("POST") && op.bulk_id.is_none() && problems.is_empty() {
        problems.push(ScimError::invalid_syntax(
            "a POST operation needs a 'bulkId'",
        ));
    }
    op.invalid = problems.into_iter().next();
    op
}

/// Every `bulkId:x` the operation's path or data refers to.
fn references(op: &BulkOperation) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rest) = op
        .path
        .split('/')
        .find_map(|segment| segment.strip_prefix(PREFIX))
    {
        out.push(rest.to_string());
    }
    if let Some(data) = &op.data {
        collect_references(data, &mut out);
    }
    out
}

fn collect_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            if let Some(id) = text.strip_prefix(PREFIX) {
                out.push(id.to_string());
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, out)),
        Value::Object(map) => map.values().for_each(|item| collect_references(item, out)),
        _ => {}
    }
}

fn substitute(value: &Value, ids: &HashMap<String, String>) -> Value {
    match value {
        Value::String(text) => match text.strip_prefix(PREFIX).and_then(|id| ids.get(id)) {
            Some(id) => Value::String(id.clone()),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, ids)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, ids)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// `bulk-id-core-only`: references under a schema extension's URN stay as written.
fn substitute_core(value: &Value, ids: &HashMap<String, String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let extension = k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
                    (
                        k.clone(),
                        if extension {
                            v.clone()
                        } else {
                            substitute(v, ids)
                        },
                    )
                })
                .collect::<Map<String, Value>>(),
        ),
        other => substitute(other, ids),
    }
}

/// What a bulk operation did: the resource written, or nothing (DELETE).
type Outcome = Result<(StatusCode, ResourceKind, Option<Written>, Option<String>), ScimError>;

fn run(ctx: &Ctx<'_>, op: &BulkOperation, ids: &HashMap<String, String>) -> Outcome {
    let segments: Vec<String> = op
        .path
        .trim_matches('/')
        .split('/')
        .map(
            |segment| match segment.strip_prefix(PREFIX).and_then(|id| ids.get(id)) {
                Some(id) => id.clone(),
                None => segment.to_string(),
            },
        )
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let kind = segments
        .first()
        .and_then(|segment| ResourceKind::from_endpoint(segment))
        .filter(|kind| ctx.provider.serves(*kind))
        .ok_or_else(|| {
            ScimError::not_found(format!(
                "bulk path '{}' names no resource endpoint",
                op.path
            ))
        })?;
    let id = match segments.as_slice() {
        [_] => None,
        [_, id] => Some(*id),
        _ => {
            return Err(ScimError::invalid_value(format!(
                "bulk path '{}' is neither a collection nor a resource",
                op.path
            )));
        }
    };
    let data = op.data.as_ref().map(|data| {
        if ctx.misbehaves(Misbehaviour::BulkIdCoreOnly) {
            substitute_core(data, ids)
        } else {
            substitute(data, ids)
        }
    });
    let need_data = || {
        data.clone().ok_or_else(|| {
            ScimError::invalid_syntax(format!("a {} operation needs 'data'", op.method))
        })
    };
    let version = op
        .version
        .as_deref()
        .filter(|_| !ctx.misbehaves(Misbehaviour::BulkVersionIgnored));
    let method = op.method.to_ascii_uppercase();
    match (method.as_str(), id) {
        ("POST", None) => {
            let written = create(ctx, kind, &need_data()?)?;
            Ok((StatusCode::CREATED, kind, Some(written), None))
        }
        ("PUT", Some(id)) => {
            let written = replace(ctx, kind, id, &need_data()?, version)?;
            Ok((StatusCode::OK, kind, Some(written), None))
        }
        ("PATCH", Some(id)) => {
            let written = patch(ctx, kind, id, &need_data()?, version)?;
            Ok((StatusCode::OK, kind, Some(written), None))
        }
        ("DELETE", Some(id)) => {
            delete(ctx, kind, id, version)?;
            Ok((StatusCode::NO_CONTENT, kind, None, Some(id.to_string())))
        }
        ("POST" | "PUT" | "PATCH" | "DELETE", _) => Err(ScimError::invalid_value(format!(
            "{} cannot be applied to '{}'",
            op.method, op.path
        ))),
        _ => Err(ScimError::invalid_syntax(format!(
            "method '{}' is not POST, PUT, PATCH or DELETE",
            op.method
        ))),
    }
}

fn outcome_json(
    op: &BulkOperation,
    outcome: Outcome,
    ids: &mut HashMap<String, String>,
    ctx: &Ctx<'_>,
    status_as_integer: bool,
) -> Value {
    let mut out = json!({ "method": op.method });
    if let Some(bulk_id) = &op.bulk_id {
        out["bulkId"] = json!(bulk_id);
    }
    match outcome {
        Ok((status, kind, written, deleted)) => {
            if let Some(written) = &written {
                if let Some(bulk_id) = &op.bulk_id
                    && status == StatusCode::CREATED
                {
                    ids.insert(bulk_id.clone(), written.id.clone());
                }
                out["location"] = json!(ctx.location(kind, &written.id));
                out["version"] = json!(shown_etag(ctx, written.version));
            }
            if let Some(id) = deleted {
                out["location"] = json!(ctx.location(kind, &id));
            }
            out["status"] = json!(status.as_u16().to_string());
        }
        Err(error) => {
            let error = if ctx.misbehaves(Misbehaviour::NoScimType) {
                error.scim_type_only_where_named()
            } else {
                error
            };
            // Only a failed POST has no resource to name (RFC 7644 3.7.3).
            if !op.method.eq_ignore_ascii_case("POST") && !op.path.is_empty() {
                let path = op.path.trim_start_matches('/');
                out["location"] = json!(format!("{}/{path}", ctx.base_url));
            }
            out["status"] = json!(error.status.as_u16().to_string());
            out["response"] = error.to_body(status_as_integer);
            if ctx.misbehaves(Misbehaviour::BulkErrorTerse)
                && let Some(response) = out["response"].as_object_mut()
            {
                response.remove("detail");
            }
        }
    }
    // RFC 7644 section 3.7.3 shows this form too.
    if ctx.misbehaves(Misbehaviour::BulkStatusObject) {
        out["status"] = json!({ "code": out["status"].clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_come_from_path_and_nested_data() {
        let op = BulkOperation {
            method: "PATCH".into(),
            path: "/Groups/bulkId:g1".into(),
            data: Some(json!({"Operations": [{"op": "add", "value": {"members": [
                {"value": "bulkId:u1"}, {"value": "plain"}]}}]})),
            ..BulkOperation::default()
        };
        assert_eq!(references(&op), vec!["g1".to_string(), "u1".to_string()]);
        let ids = HashMap::from([("u1".to_string(), "real".to_string())]);
        let data = substitute(op.data.as_ref().unwrap(), &ids);
        assert_eq!(
            data["Operations"][0]["value"]["members"][0]["value"],
            "real"
        );
        assert_eq!(
            data["Operations"][0]["value"]["members"][1]["value"],
            "plain"
        );
    }

    #[test]
    fn post_without_bulk_id_is_invalid() {
        let op = read_operation(&json!({"method": "POST", "path": "/Users", "data": {}}));
        assert!(op.invalid.unwrap().detail.contains("bulkId"));
    }
}
