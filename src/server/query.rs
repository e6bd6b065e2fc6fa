//! Queries (RFC 7644 3.4.2, 3.4.3): GET parameters or a SearchRequest become a
//! [`ListRequest`]; filtering, sorting, paging and projection give the ListResponse.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::config::MAX_RESULTS;
use super::deviate;
use super::error::{ScimError, ScimType};
use super::misbehave::Misbehaviour;
use super::projection::Projection;
use super::provider::Ctx;
use super::render::{View, as_sent};
use super::schema_defs::ResourceKind;
use super::validate::describe;
use crate::scim::{
    AttrKind, AttrPath, AttributeTypes, CompareOp, Filter, get_attr, matches,
    parse_attr_path_with_schemas, parse_filter, resolve, value_order,
};

pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// What a query asks for, already parsed and checked against the resource types.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub filter: Option<Filter>,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub projection: Projection,
}

/// Raw query members, from the URL or a SearchRequest body.
#[derive(Debug, Default)]
struct RawQuery {
    filter: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    attributes: Vec<String>,
    excluded: Vec<String>,
}

/// Attribute characteristics of one resource type, for filter evaluation and sorting.
pub struct Types {
    pub kind: ResourceKind,
    /// The `filter-case-sensitive` misbehaviour: every string compares case-exactly.
    pub all_case_exact: bool,
}

impl AttributeTypes for Types {
    fn case_exact(&self, path: &AttrPath) -> bool {
        self.all_case_exact
            || self
                .kind
                .lookup(path)
                .is_some_and(|found| found.leaf().case_exact)
    }

    fn kind(&self, path: &AttrPath) -> Option<AttrKind> {
        self.kind.lookup(path).map(|found| found.leaf().kind)
    }
}

fn known_urns(kinds: &[ResourceKind]) -> Vec<&'static str> {
    kinds.iter().flat_map(|kind| kind.schema_urns()).collect()
}

impl ListRequest {
    /// From URL query parameters. Parameter names are matched case-insensitively.
    pub fn from_params(
        params: &[(String, String)],
        kinds: &[ResourceKind],
    ) -> Result<Self, ScimError> {
        let mut raw = RawQuery::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in params {
            let lower = name.to_ascii_lowercase();
            let known = matches!(
                lower.as_str(),
                "filter"
                    | "sortby"
                    | "sortorder"
                    | "startindex"
                    | "count"
                    | "attributes"
                    | "excludedattributes"
            );
            if !known {
                continue;
            }
            if seen.contains(&lower) {
                return Err(ScimError::invalid_value(format!(
                    "query parameter '{name}' is given more than once"
                )));
            }
            seen.push(lower.clone());
            match lower.as_str() {
                "filter" => raw.filter = Some(value.clone()),
                "sortby" => raw.sort_by = Some(value.clone()),
                "sortorder" => raw.sort_order = Some(value.clone()),
                "startindex" => raw.start_index = Some(integer_param(name, value)?),
                "count" => raw.count = Some(integer_param(name, value)?),
                "attributes" => raw.attributes = Projection::split_list(value),
                _ => raw.excluded = Projection::split_list(value),
            }
        }
        ListRequest::from_raw(raw, kinds)
    }

    /// From a SearchRequest message (RFC 7644 3.4.3).
    pub fn from_search(body: &Value, kinds: &[ResourceKind]) -> Result<Self, ScimError> {
        let Value::Object(map) = body else {
            return Err(ScimError::invalid_syntax(format!(
                "a SearchRequest must be a JSON object, found {}",
                describe(body)
            )));
        };
        let declared = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
            .and_then(|(_, v)| v.as_array())
            .is_some_and(|schemas| {
                schemas
                    .iter()
                    .any(|s| s.as_str() == Some(SEARCH_REQUEST_SCHEMA))
            });
        if !declared {
            return Err(ScimError::invalid_syntax(format!(
                "a SearchRequest needs \"schemas\": [\"{SEARCH_REQUEST_SCHEMA}\"]"
            )));
        }
        let mut raw = RawQuery::default();
        for (key, value) in map {
            match key.to_ascii_lowercase().as_str() {
                "schemas" => {}
                "filter" => raw.filter = Some(string_member(key, value)?),
                "sortby" => raw.sort_by = Some(string_member(key, value)?),
                "sortorder" => raw.sort_order = Some(string_member(key, value)?),
                "startindex" => raw.start_index = Some(integer_member(key, value)?),
                "count" => raw.count = Some(integer_member(key, value)?),
                "attributes" => raw.attributes = string_list(key, value)?,
                "excludedattributes" => raw.excluded = string_list(key, value)?,
                _ => {
                    return Err(ScimError::invalid_syntax(format!(
                        "unknown SearchRequest member '{key}'"
                    )));
                }
            }
        }
        ListRequest::from_raw(raw, kinds)
    }

    fn from_raw(raw: RawQuery, kinds: &[ResourceKind]) -> Result<Self, ScimError> {
        let urns = known_urns(kinds);
        let filter = match raw.filter.as_deref() {
            None => None,
            Some(text) => Some(check_filter(text, kinds)?),
        };
        let sort_by = match raw.sort_by.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let path = parse_attr_path_with_schemas(text, &urns).map_err(|error| {
                    ScimError::invalid_value(format!(
                        "sortBy '{text}' is not an attribute path: {error}"
                    ))
                })?;
                if !kinds.iter().any(|kind| kind.lookup(&path).is_some()) {
                    return Err(ScimError::invalid_value(format!(
                        "sortBy '{text}' names no attribute of {}",
                        kind_names(kinds)
                    )));
                }
                Some(path)
            }
        };
        let descending = match raw.sort_order.as_deref() {
            None => false,
            Some(order) if order.eq_ignore_ascii_case("ascending") => false,
            Some(order) if order.eq_ignore_ascii_case("descending") => true,
            Some(order) => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder must be 'ascending' or 'descending', found '{order}'"
                )));
            }
        };
        Ok(ListRequest {
            filter,
            sort_by,
            descending,
            start_index: raw.start_index,
            count: raw.count,
            projection: Projection::parse(&raw.attributes, &raw.excluded, &urns)?,
        })
    }
}

fn kind_names(kinds: &[ResourceKind]) -> String {
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Parse a filter and make sure every attribute it names exists; both problems answer
/// 400 invalidFilter.
fn check_filter(text: &str, kinds: &[ResourceKind]) -> Result<Filter, ScimError> {
    let invalid = |detail: String| ScimError::bad_request(ScimType::InvalidFilter, detail);
    let filter = parse_filter(text).map_err(|error| invalid(format!("filter: {error}")))?;
    for path in filter.attr_paths() {
        let is_schemas =
            path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case("schemas");
        if !is_schemas && !kinds.iter().any(|kind| kind.lookup(&path).is_some()) {
            return Err(invalid(format!(
                "filter: '{path}' is not an attribute of {}",
                kind_names(kinds)
            )));
        }
    }
    Ok(filter)
}

/// gt, ge, lt and le have no meaning for booleans and binary values: 400 invalidFilter
/// (RFC 7644 3.4.2.2).
pub fn check_ordering(filter: &Filter, kinds: &[ResourceKind]) -> Result<(), ScimError> {
    let unordered = |path: &AttrPath| {
        kinds.iter().any(|kind| {
            kind.lookup(path).is_some_and(|found| {
                matches!(found.leaf().kind, AttrKind::Boolean | AttrKind::Binary)
            })
        })
    };
    let mut offending = None;
    filter.visit_comparisons(&mut |path, op| {
        let ordering = matches!(
            op,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        );
        if ordering && offending.is_none() && unordered(path) {
            offending = Some(format!("{path} {}", op.keyword()));
        }
    });
    match offending {
        None => Ok(()),
        Some(comparison) => Err(ScimError::bad_request(
            ScimType::InvalidFilter,
            format!(
                "filter: '{comparison}' orders a boolean or binary attribute, which has no order"
            ),
        )),
    }
}

/// Out-of-range numbers saturate instead of failing, so they can be clamped.
fn integer_param(name: &str, value: &str) -> Result<i64, ScimError> {
    let text = value.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(if text.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        });
    }
    Err(ScimError::invalid_value(format!(
        "{name} must be an integer, found '{value}'"
    )))
}

fn integer_member(name: &str, value: &Value) -> Result<i64, ScimError> {
    if let Some(n) = value.as_i64() {
        return Ok(n);
    }
    match value {
        Value::Number(n) if n.is_u64() => Ok(i64::MAX),
        _ => Err(ScimError::invalid_value(format!(
            "'{name}' must be an integer, found {}",
            describe(value)
        ))),
    }
}

fn string_member(name: &str, value: &Value) -> Result<String, ScimError> {
    value.as_str().map(str::to_string).ok_or_else(|| {
        ScimError::invalid_value(format!(
            "'{name}' must be a string, found {}",
            describe(value)
        ))
    })
}

fn string_list(name: &str, value: &Value) -> Result<Vec<String>, ScimError> {
    let error =
        || ScimError::invalid_value(format!("'{name}' must be an array of attribute paths"));
    value
        .as_array()
        .ok_or_else(error)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(error))
        .collect()
}

/// Run a query over the given resource types and build the ListResponse.
pub fn list(ctx: &Ctx<'_>, kinds: &[ResourceKind], request: &ListRequest) -> Value {
    let store = ctx.provider.read();
    let view = View::new(ctx, &store);
    let all_case_exact = ctx.misbehaves(Misbehaviour::FilterCaseSensitive);
    let apply_filter = !ctx.misbehaves(Misbehaviour::FilterIgnored);
    let first_value_only = ctx.misbehaves(Misbehaviour::FilterFirstValueOnly);
    let filter = request
        .filter
        .as_ref()
        .map(|filter| deviate::filter(ctx, filter));
    let mut found: Vec<(ResourceKind, Value)> = Vec::new();
    for &kind in kinds {
        let types = Types {
            kind,
            all_case_exact,
        };
        for stored in store.live(kind) {
            let resource = view.resource(stored);
            let keep = match (&filter, apply_filter) {
                (Some(filter), true) if first_value_only => {
                    matches(filter, &deviate::first_values_only(&resource), &types)
                }
                (Some(filter), true) => matches(filter, &resource, &types),
                _ => true,
            };
            if keep {
                found.push((kind, resource));
            }
        }
    }
    drop(view);
    drop(store);
    if let Some(path) = &request.sort_by {
        let style = SortStyle {
            missing_last: ctx.misbehaves(Misbehaviour::SortMissingLast),
            case_sensitive: ctx.misbehaves(Misbehaviour::SortCaseSensitive),
            first_value: ctx.misbehaves(Misbehaviour::SortFirstValue),
        };
        sort(&mut found, path, request.descending, style);
    }
    let total = found.len();
    let paging = !ctx.misbehaves(Misbehaviour::PagingIgnored);
    let start_ignored =
        request.filter.is_none() && ctx.misbehaves(Misbehaviour::UnfilteredPagingBroken);
    let start = if paging && !start_ignored {
        request.start_index.unwrap_or(1).max(1)
    } else {
        1
    };
    let count = match (paging, request.count) {
        (false, _) => total,
        (true, None) => MAX_RESULTS,
        (true, Some(count)) => usize::try_from(count.max(0))
            .unwrap_or(MAX_RESULTS)
            .min(MAX_RESULTS),
    };
    let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
    let drop_schemas = ctx.misbehaves(Misbehaviour::ProjectionDropsSchemas)
        && request.projection.asks_for_attributes();
    let project = !ctx.misbehaves(Misbehaviour::ProjectionIgnored);
    let projection = request.projection.misread(ctx).for_read(ctx);
    let page: Vec<Value> = found
        .into_iter()
        .skip(skip)
        .take(count)
        .map(|(kind, mut resource)| {
            if project {
                projection.apply(kind, &mut resource, drop_schemas);
            }
            as_sent(ctx, kind, &mut resource);
            resource
        })
        .collect();
    let items_per_page = if ctx.misbehaves(Misbehaviour::ItemsPerPageWrong) {
        count
    } else {
        page.len()
    };
    let mut response = json!({ "schemas": [LIST_RESPONSE_SCHEMA] });
    if !ctx.misbehaves(Misbehaviour::NoTotalResults) {
        response["totalResults"] = json!(total);
    }
    response["itemsPerPage"] = json!(items_per_page);
    response["startIndex"] = json!(start);
    response["Resources"] = Value::Array(page);
    response
}

/// Misbehaviours of sorting; all false for the strict server.
#[derive(Debug, Clone, Copy, Default)]
struct SortStyle {
    /// `sort-missing-last`: no value sorts last in descending order too.
    missing_last: bool,
    /// `sort-case-sensitive`: every string compares case-exactly.
    case_sensitive: bool,
    /// `sort-first-value`: a multi-valued attribute sorts by its first value.
    first_value: bool,
}

/// Stable sort; resources without a value sort as if above every value: last in
/// ascending order and first in descending order (RFC 7644 3.4.2.3).
fn sort(found: &mut [(ResourceKind, Value)], path: &AttrPath, descending: bool, style: SortStyle) {
    let case_exact = |kind: ResourceKind| {
        kind.lookup(path)
            .map(|found| (found.leaf().case_exact, Some(found.leaf().kind)))
            .unwrap_or((false, None))
    };
    let first_value = style.first_value;
    found.sort_by(|(kind_a, a), (kind_b, b)| {
        let (order, both_valued) = match (
            sort_key(a, path, *kind_a, first_value),
            sort_key(b, path, *kind_b, first_value),
        ) {
            (None, None) => (Ordering::Equal, false),
            (None, Some(_)) => (Ordering::Greater, false),
            (Some(_), None) => (Ordering::Less, false),
            (Some(a), Some(b)) => {
                let (exact, kind) = case_exact(*kind_a);
                (value_order(a, b, exact || style.case_sensitive, kind), true)
            }
        };
        if descending && (both_valued || !style.missing_last) {
            order.reverse()
        } else {
            order
        }
    });
}

/// The value a resource sorts by: for a multi-valued attribute the primary (or first)
/// value; a complex value without a named sub-attribute sorts by its `value`.
/// `first_value` is the `sort-first-value` misbehaviour.
fn sort_key<'v>(
    resource: &'v Value,
    path: &AttrPath,
    kind: ResourceKind,
    first_value: bool,
) -> Option<&'v Value> {
    let whole = AttrPath {
        urn: path.urn.clone(),
        name: path.name.clone(),
        sub: None,
    };
    let values = resolve(resource, &whole);
    let multi = kind
        .lookup(path)
        .is_some_and(|found| found.def.multi_valued);
    let item = if multi {
        values
            .iter()
            .find(|item| !first_value && get_attr(item, "primary") == Some(&Value::Bool(true)))
            .or(values.first())
            .copied()?
    } else {
        values.first().copied()?
    };
    let leaf = match (&path.sub, item) {
        (Some(sub), item) => get_attr(item, sub)?,
        (None, Value::Object(_)) => get_attr(item, "value")?,
        (None, item) => item,
    };
    (!leaf.is_null()).then_some(leaf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parameters_are_case_insensitive_and_numbers_saturate() {
        let request = ListRequest::from_params(
            &params(&[
                ("SORTBY", "userName"),
                ("startIndex", "99999999999999999999"),
            ]),
            &[ResourceKind::User],
        )
        .unwrap();
        assert!(request.sort_by.is_some());
        assert_eq!(request.start_index, Some(i64::MAX));
    }

    #[test]
    fn unknown_filter_attribute_is_invalid_filter() {
        let error = ListRequest::from_params(
            &params(&[("filter", "shoeSize eq 3")]),
            &[ResourceKind::User],
        )
        .unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidFilter));
        assert!(error.detail.contains("shoeSize"), "{}", error.detail);
    }

    #[test]
    fn bad_sort_order_and_count_are_invalid_values() {
        for pair in [("sortOrder", "up"), ("count", "ten")] {
            let error =
                ListRequest::from_params(&params(&[pair]), &[ResourceKind::User]).unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::InvalidValue), "{pair:?}");
        }
    }

    #[test]
    fn sort_key_prefers_the_primary_value() {
        let user = json!({"emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]});
        let path = AttrPath::new("emails");
        assert_eq!(
            sort_key(&user, &path, ResourceKind::User, false),
            Some(&json!("a@x"))
        );
        let path = AttrPath::new("emails").with_sub("value");
        assert_eq!(
            sort_key(&user, &path, ResourceKind::User, false),
            Some(&json!("a@x"))
        );
    }
}
