//! Comparing JSON values the SCIM way, and showing them briefly.

use serde_json::Value;

use crate::printable::truncate;
use crate::scim::get_attr;

/// Longest rendering of an actual value in a failure message.
pub const SHOWN_CHARS: usize = 300;

/// Deep equality: numbers by value (`1 == 1.0`), attribute names case-insensitive.
pub fn json_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => number_eq(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && b.iter()
                    .all(|(k, v)| get_attr(actual, k).is_some_and(|found| json_eq(found, v)))
        }
        _ => actual == expected,
    }
}

/// `expected` is contained in `actual`: objects by a subset of their attributes, arrays
/// by each expected element matching some actual element, scalars by equality.
pub fn subset_match(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(_), Value::Object(b)) => b
            .iter()
            .all(|(k, v)| get_attr(actual, k).is_some_and(|found| subset_match(found, v))),
        (Value::Array(a), Value::Array(b)) => b
            .iter()
            .all(|want| a.iter().any(|have| subset_match(have, want))),
        _ => json_eq(actual, expected),
    }
}

fn number_eq(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Compact JSON, cut at `SHOWN_CHARS` characters.
pub fn show(value: &Value) -> String {
    truncate(&value.to_string(), SHOWN_CHARS)
}

/// "a string", "an array", ... for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!([1, 2.5]), &json!([1.0, 2.5])));
        assert!(!json_eq(&json!(1), &json!(1.5)));
        assert!(!json_eq(&json!(1), &json!("1")));
    }

    #[test]
    fn attribute_names_compare_case_insensitively() {
        assert!(json_eq(
            &json!({"userName": "a"}),
            &json!({"username": "a"})
        ));
        assert!(!json_eq(
            &json!({"userName": "a"}),
            &json!({"userName": "A"})
        ));
        assert!(!json_eq(&json!({"a": 1, "b": 2}), &json!({"a": 1})));
    }

    #[test]
    fn subset_matches_nested_objects_and_arrays() {
        let actual = json!({"emails": [{"type": "work", "value": "a@x", "primary": true}], "x": 1});
        assert!(subset_match(
            &actual,
            &json!({"emails": [{"type": "work"}]})
        ));
        assert!(!subset_match(
            &actual,
            &json!({"emails": [{"type": "home"}]})
        ));
        assert!(!subset_match(&actual, &json!({"y": 1})));
    }
}
