//! RFC 7644 section 3.5.2: an operation that makes a value primary demotes the value that
//! was primary before, so at most one value of an attribute stays primary.

use serde_json::{Map, Value};

/// For every multi-valued attribute (in the resource and in extension objects) where the
/// operation left several values primary and at least one of them is newly primary,
/// the values that were primary before the operation lose the flag. Two new primaries
/// in one operation are left for validation to refuse.
pub(super) fn demote_previous(before: &Map<String, Value>, after: &mut Map<String, Value>) {
    for (name, value) in after.iter_mut() {
        let old = before.get(name);
        match value {
            Value::Array(items) => demote_in(old.and_then(Value::as_array), items),
            Value::Object(extension) if name.starts_with("urn:") => {
                let empty = Map::new();
                let old = old.and_then(Value::as_object).unwrap_or(&empty);
                for (attr, value) in extension.iter_mut() {
                    if let Value::Array(items) = value {
                        demote_in(old.get(attr).and_then(Value::as_array), items);
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_primary(item: &Value) -> bool {
    item.get("primary") == Some(&Value::Bool(true))
}

fn demote_in(old: Option<&Vec<Value>>, items: &mut [Value]) {
    let was_primary = |i: usize| old.and_then(|old| old.get(i)).is_some_and(is_primary);
    let now_primary: Vec<usize> = (0..items.len())
        .filter(|&i| is_primary(&items[i]))
        .collect();
    let newly_primary = now_primary.iter().filter(|&&i| !was_primary(i)).count();
    if now_primary.len() < 2 || newly_primary != 1 {
        return;
    }
    for i in now_primary.into_iter().filter(|&i| was_primary(i)) {
        if let Some(item) = items[i].as_object_mut() {
            item.insert("primary".into(), Value::Bool(false));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn adding_a_primary_value_demotes_the_old_primary() {
        let before = map(json!({"emails": [{"value": "a", "primary": true}]}));
        let mut after = map(
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
        );
        demote_previous(&before, &mut after);
        assert_eq!(after["emails"][0]["primary"], json!(false));
        assert_eq!(after["emails"][1]["primary"], json!(true));
    }

    #[test]
    fn making_an_existing_value_primary_demotes_the_other() {
        let before = map(json!({"emails": [{"value": "a"}, {"value": "b", "primary": true}]}));
        let mut after = map(
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
        );
        demote_previous(&before, &mut after);
        assert_eq!(after["emails"][0]["primary"], json!(true));
        assert_eq!(after["emails"][1]["primary"], json!(false));
    }

    #[test]
    fn two_new_primaries_in_one_operation_are_left_for_validation() {
        let before = map(json!({"emails": []}));
        let mut after = map(
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
        );
        demote_previous(&before, &mut after);
        assert_eq!(after["emails"][0]["primary"], json!(true));
        assert_eq!(after["emails"][1]["primary"], json!(true));
    }
}
