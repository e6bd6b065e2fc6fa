//! Evaluating a filter against a resource (RFC 7644 3.4.2.2): which values an attribute
//! path reaches, and whether the filter holds for them.

use serde_json::Value;

use super::attr::{AttrPath, get_attr};
use super::attr_types::AttributeTypes;
use super::compare::compare;
use super::filter::{CompareOp, Filter};

/// Does the resource match the filter?
///
/// - A comparison on a multi-valued attribute holds if any value satisfies it; a complex
///   attribute compared without a sub-attribute compares its `value` sub-attribute
///   (`emails co "@example.com"`).
/// - `ne` is the negation of `eq`, so it holds for an absent attribute.
/// - `eq null` holds when the attribute has no value (absent, null or empty), `ne null`
///   when it has one; other operators with `null` never hold.
/// - `pr` holds for a value that is not null, not an empty string, not an empty array and
///   not an object without present members.
/// - Strings honour caseExact (case-insensitive by default, with Unicode case folding);
///   `gt`/`ge`/`lt`/`le` order dateTimes as instants, numbers numerically and other
///   strings lexicographically. Booleans support only `eq`/`ne`; `co`/`sw`/`ew` need
///   strings; values of different JSON types never compare equal.
pub fn matches(filter: &Filter, resource: &Value, types: &dyn AttributeTypes) -> bool {
    eval(filter, resource, None, types)
}

/// Does one value of the multi-valued attribute `parent` match a value filter whose
/// paths are relative to `parent` (the filter of a PATCH path such as
/// `members[value eq "2819c223"]`)? A simple (non-object) value stands for its own
/// `value` sub-attribute; attribute types are asked about `parent.sub`.
pub fn matches_value(
    filter: &Filter,
    value: &Value,
    parent: &AttrPath,
    types: &dyn AttributeTypes,
) -> bool {
    eval(filter, value, Some(parent), types)
}

/// All values an attribute path reaches in a resource, with multi-valued attributes
/// flattened and nulls left out.
///
/// A URN prefix selects the extension object stored under that URN key of the resource.
/// When the resource has no such key, the URN addresses top-level attributes if it is a
/// core schema (`urn:ietf:params:scim:schemas:core:...`) or the first entry of the
/// resource's `schemas` (its base schema, e.g. a message schema); otherwise nothing is
/// reached. A whole-schema path ([`AttrPath::is_schema`]) reaches the extension object.
pub fn resolve<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let root = match &path.urn {
        None => resource,
        Some(urn) => match get_attr(resource, urn) {
            Some(extension) if !extension.is_null() => extension,
            _ if !path.is_schema() && is_base_schema(resource, urn) => resource,
            _ => return Vec::new(),
        },
    };
    if path.is_schema() {
        return vec![root];
    }
    let mut values = Vec::new();
    push_flat(get_attr(root, &path.name), &mut values);
    match &path.sub {
        None => values,
        Some(sub) => descend(values, sub),
    }
}

fn is_base_schema(resource: &Value, urn: &str) -> bool {
    const CORE: &str = "urn:ietf:params:scim:schemas:core:";
    let core = urn.len() > CORE.len()
        && urn.is_char_boundary(CORE.len())
        && urn[..CORE.len()].eq_ignore_ascii_case(CORE);
    core || get_attr(resource, "schemas")
        .and_then(|schemas| schemas.get(0))
        .and_then(Value::as_str)
        .is_some_and(|first| first.eq_ignore_ascii_case(urn))
}

/// The values of `name` in each of `values`, flattened.
fn descend<'a>(values: Vec<&'a Value>, name: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for value in values {
        push_flat(get_attr(value, name), &mut out);
    }
    out
}

fn push_flat<'a>(value: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => out.extend(items.iter().filter(|item| !item.is_null())),
        Some(value) => out.push(value),
    }
}

/// Values of a path inside `parent[...]`, relative to one element of `parent`. A simple
/// (non-object) element stands for its own `value` sub-attribute.
fn resolve_relative<'a>(element: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let mut values = Vec::new();
    match element {
        Value::Object(_) => push_flat(get_attr(element, &path.name), &mut values),
        _ if path.name.eq_ignore_ascii_case("value") => values.push(element),
        _ => {}
    }
    match &path.sub {
        None => values,
        Some(sub) => descend(values, sub),
    }
}

/// The path as the schema knows it: inside `parent[...]` the inner name is a
/// sub-attribute of the parent.
fn full_path(path: &AttrPath, parent: Option<&AttrPath>) -> AttrPath {
    parent.map_or_else(|| path.clone(), |parent| path.inside(parent))
}

fn values_at<'a>(node: &'a Value, path: &AttrPath, parent: Option<&AttrPath>) -> Vec<&'a Value> {
    match parent {
        None => resolve(node, path),
        Some(_) => resolve_relative(node, path),
    }
}

fn eval(
    filter: &Filter,
    node: &Value,
    parent: Option<&AttrPath>,
    types: &dyn AttributeTypes,
) -> bool {
    match filter {
        Filter::And(left, right) => {
            eval(left, node, parent, types) && eval(right, node, parent, types)
        }
        Filter::Or(left, right) => {
            eval(left, node, parent, types) || eval(right, node, parent, types)
        }
        Filter::Not(inner) => !eval(inner, node, parent, types),
        Filter::Present(path) => values_at(node, path, parent).into_iter().any(is_present),
        Filter::Compare { path, op, value } => eval_compare(node, path, *op, value, parent, types),
        Filter::ValuePath { path, filter } => {
            let full = full_path(path, parent);
            values_at(node, path, parent)
                .into_iter()
                .any(|element| eval(filter, element, Some(&full), types))
        }
    }
}

fn eval_compare(
    node: &Value,
    path: &AttrPath,
    op: CompareOp,
    expected: &Value,
    parent: Option<&AttrPath>,
    types: &dyn AttributeTypes,
) -> bool {
    let values = values_at(node, path, parent);
    if expected.is_null() {
        let present = values.into_iter().any(is_present);
        return match op {
            CompareOp::Eq => !present,
            CompareOp::Ne => present,
            _ => false,
        };
    }
    let full = full_path(path, parent);
    // A complex value compared as a whole stands for its `value` sub-attribute.
    let value_path = full.sub.is_none().then(|| full.clone().with_sub("value"));
    let holds = |op: CompareOp| {
        values.iter().any(|actual| {
            let (actual, path) = match (actual, &value_path) {
                (Value::Object(_), Some(value_path)) => match get_attr(actual, "value") {
                    Some(inner) => (inner, value_path),
                    None => return false,
                },
                _ => (*actual, &full),
            };
            compare(
                actual,
                op,
                expected,
                types.case_exact(path),
                types.kind(path),
            )
        })
    };
    match op {
        CompareOp::Ne => !holds(CompareOp::Eq),
        op => holds(op),
    }
}

/// Present in the sense of `pr`: not null and not empty.
pub(crate) fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(members) => members.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::attr_types::{AttrKind, NoSchema};
    use crate::scim::parser::parse_filter;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223",
            "userName": "BJensen",
            "title": "",
            "active": true,
            "name": { "givenName": "Barbara", "familyName": "Jensen" },
            "emails": [
                { "value": "bjensen@example.com", "type": "work", "primary": true },
                { "value": "babs@jensen.org", "type": "home" }
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984",
                "manager": { "value": "26118915" }
            },
            "meta": { "lastModified": "2011-05-13T04:42:34Z" }
        })
    }

    fn holds(filter: &str) -> bool {
        matches(&parse_filter(filter).unwrap(), &user(), &NoSchema)
    }

    #[test]
    fn resolve_flattens_multi_valued_sub_attributes() {
        let user = user();
        let values = resolve(&user, &AttrPath::new("emails").with_sub("type"));
        assert_eq!(values, vec![&json!("work"), &json!("home")]);
    }

    #[test]
    fn resolve_follows_extension_urns_and_core_urns() {
        let user = user();
        let enterprise = AttrPath::new("employeeNumber")
            .with_urn("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
        assert_eq!(resolve(&user, &enterprise), vec![&json!("701984")]);
        let core = AttrPath::new("userName").with_urn("urn:ietf:params:scim:schemas:core:2.0:User");
        assert_eq!(resolve(&user, &core), vec![&json!("BJensen")]);
        let unknown = AttrPath::new("userName").with_urn("urn:acme:other");
        assert!(resolve(&user, &unknown).is_empty());
    }

    #[test]
    fn resolve_of_a_whole_schema_is_the_extension_object() {
        let user = user();
        let path = AttrPath::schema("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER");
        assert_eq!(resolve(&user, &path).len(), 1);
        assert!(resolve(&user, &AttrPath::schema("urn:acme:missing")).is_empty());
    }

    #[test]
    fn comparison_on_a_complex_multi_valued_attribute_uses_its_value() {
        assert!(holds(r#"emails co "@example.com""#));
        assert!(holds(r#"emails eq "BABS@jensen.org""#));
        assert!(!holds(r#"emails co "@nowhere""#));
    }

    #[test]
    fn ne_on_an_absent_attribute_holds() {
        assert!(holds(r#"nickName ne "x""#));
        assert!(!holds(r#"nickName eq "x""#));
    }

    #[test]
    fn ne_on_a_multi_valued_attribute_is_not_any_eq() {
        assert!(!holds(r#"emails.type ne "work""#));
        assert!(holds(r#"emails.type ne "other""#));
    }

    #[test]
    fn empty_string_is_not_present() {
        assert!(!holds("title pr"));
        assert!(holds("userName pr"));
        assert!(holds("emails pr"));
        assert!(!holds("nickName pr"));
    }

    #[test]
    fn eq_null_tests_absence() {
        assert!(holds("nickName eq null"));
        assert!(holds("title eq null"));
        assert!(!holds("userName eq null"));
        assert!(holds("userName ne null"));
        assert!(!holds("userName gt null"));
    }

    #[test]
    fn value_path_needs_one_element_to_satisfy_all_conditions() {
        assert!(holds(
            r#"emails[type eq "work" and value co "example.com"]"#
        ));
        assert!(!holds(
            r#"emails[type eq "home" and value co "example.com"]"#
        ));
    }

    #[test]
    fn value_path_over_simple_values_uses_value() {
        assert!(holds(r#"schemas[value ew "enterprise:2.0:User"]"#));
    }

    #[test]
    fn extension_attributes_and_date_times() {
        assert!(holds(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#
        ));
        assert!(holds(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#
        ));
        assert!(holds(r#"meta.lastModified gt "2011-05-13T04:42:33Z""#));
        assert!(holds(r#"meta.lastModified lt "2011-05-13T06:42:35+02:00""#));
    }

    #[test]
    fn matches_value_tests_one_element_with_relative_paths() {
        let filter = parse_filter(r#"type eq "work" and value co "@example""#).unwrap();
        let emails = AttrPath::new("emails");
        let work = json!({ "type": "WORK", "value": "bjensen@example.com" });
        let home = json!({ "type": "home", "value": "babs@example.com" });
        assert!(matches_value(&filter, &work, &emails, &NoSchema));
        assert!(!matches_value(&filter, &home, &emails, &NoSchema));
        assert!(!matches_value(&filter, &work, &emails, &Exact));
        let simple = parse_filter(r#"value eq "x""#).unwrap();
        assert!(matches_value(
            &simple,
            &json!("X"),
            &AttrPath::new("tags"),
            &NoSchema
        ));
    }

    struct Exact;
    impl AttributeTypes for Exact {
        fn case_exact(&self, path: &AttrPath) -> bool {
            path.name.eq_ignore_ascii_case("emails") && path.sub.as_deref() == Some("type")
        }
        fn kind(&self, _: &AttrPath) -> Option<AttrKind> {
            Some(AttrKind::String)
        }
    }

    #[test]
    fn types_are_asked_about_the_full_path_inside_value_filters() {
        let filter = parse_filter(r#"emails[type eq "WORK"]"#).unwrap();
        assert!(matches(&filter, &user(), &NoSchema));
        assert!(!matches(&filter, &user(), &Exact));
    }
}
