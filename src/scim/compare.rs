//! Comparing one attribute value with one filter value (RFC 7644 3.4.2.2 operators),
//! honouring caseExact and the attribute's data type.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::attr_types::AttrKind;
use super::datetime::parse_instant;
use super::filter::CompareOp;

/// Does `actual op expected` hold? Mismatched JSON types never match, `co`/`sw`/`ew`
/// need strings, and booleans support only `eq`/`ne`. `null` filter values are handled
/// by the caller (they test absence).
pub(crate) fn compare(
    actual: &Value,
    op: CompareOp,
    expected: &Value,
    case_exact: bool,
    kind: Option<AttrKind>,
) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(e)) => compare_strings(a, op, e, case_exact, kind),
        (Value::Number(a), Value::Number(e)) => match op {
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
            _ => compare_numbers(a, e).is_some_and(|ord| holds(ord, op)),
        },
        (Value::Bool(a), Value::Bool(e)) => match op {
            CompareOp::Eq => a == e,
            CompareOp::Ne => a != e,
            _ => false,
        },
        _ => op == CompareOp::Ne,
    }
}

fn compare_strings(
    actual: &str,
    op: CompareOp,
    expected: &str,
    case_exact: bool,
    kind: Option<AttrKind>,
) -> bool {
    let may_be_instant = matches!(kind, None | Some(AttrKind::DateTime));
    let ordered_op = !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
    if may_be_instant
        && ordered_op
        && let (Some(a), Some(e)) = (parse_instant(actual), parse_instant(expected))
    {
        return holds(a.cmp(&e), op);
    }
    let (a, e): (Cow<'_, str>, Cow<'_, str>) = if case_exact {
        (actual.into(), expected.into())
    } else {
        (fold_case(actual).into(), fold_case(expected).into())
    };
    match op {
        CompareOp::Co => a.contains(e.as_ref()),
        CompareOp::Sw => a.starts_with(e.as_ref()),
        CompareOp::Ew => a.ends_with(e.as_ref()),
        _ => holds(a.cmp(&e), op),
    }
}

/// A total order on attribute values for sorting (RFC 7644 3.4.2.3), consistent with
/// the filter operators: numbers numerically, dateTimes as instants, strings by caseExact,
/// `false` before `true`. Values of different JSON types order by type: booleans,
/// numbers, strings, then anything else (null, arrays, objects) as equal.
pub fn value_order(a: &Value, b: &Value, case_exact: bool, kind: Option<AttrKind>) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Bool(_) => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b).unwrap_or(Ordering::Equal),
        (Value::String(a), Value::String(b)) => {
            if matches!(kind, None | Some(AttrKind::DateTime))
                && let (Some(a), Some(b)) = (parse_instant(a), parse_instant(b))
            {
                return a.cmp(&b);
            }
            if case_exact {
                a.cmp(b)
            } else {
                fold_case(a).cmp(&fold_case(b))
            }
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

fn holds(ord: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

/// Exact for integers (any mix of i64 and u64), IEEE for decimals.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// Caseless form of a string: full Unicode case mapping through upper then lower case,
/// so `ß` matches `SS`, final `ς` matches `Σ`, and the Kelvin sign matches `k`; then
/// Unicode NFC, so `é` written as one code point or as `e` and a combining accent is one
/// name (RFC 7644 section 5 compares userName after RFC 7613's preparation).
/// Use it wherever SCIM compares strings case-insensitively (uniqueness, sorting).
pub fn fold_case(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mapped: String = text
        .chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect();
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
        .normalize(&mapped)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(actual: Value, op: CompareOp, expected: Value) -> bool {
        compare(&actual, op, &expected, false, None)
    }

    #[test]
    fn strings_compare_case_insensitively_unless_case_exact() {
        assert!(check(json!("BJensen"), CompareOp::Eq, json!("bjensen")));
        assert!(!compare(
            &json!("BJensen"),
            CompareOp::Eq,
            &json!("bjensen"),
            true,
            None
        ));
        assert!(compare(
            &json!("BJensen"),
            CompareOp::Eq,
            &json!("BJensen"),
            true,
            None
        ));
    }

    #[test]
    fn substring_operators() {
        assert!(check(
            json!("bjensen@Example.com"),
            CompareOp::Co,
            json!("example")
        ));
        assert!(check(
            json!("bjensen@example.com"),
            CompareOp::Sw,
            json!("BJ")
        ));
        assert!(check(
            json!("bjensen@example.com"),
            CompareOp::Ew,
            json!(".COM")
        ));
        assert!(!check(json!("bjensen"), CompareOp::Ew, json!("x")));
    }

    #[test]
    fn unicode_case_folding() {
        assert!(check(json!("ÉMILE"), CompareOp::Eq, json!("émile")));
        assert!(check(json!("Straße"), CompareOp::Eq, json!("STRASSE")));
        assert!(check(json!("ΟΔΥΣΣΕΥΣ"), CompareOp::Eq, json!("οδυσσευς")));
        assert!(check(
            json!("\u{212A}elvin"),
            CompareOp::Eq,
            json!("kelvin")
        ));
    }

    #[test]
    fn string_ordering_is_lexicographic() {
        assert!(check(json!("b"), CompareOp::Gt, json!("A")));
        assert!(compare(
            &json!("b"),
            CompareOp::Gt,
            &json!("A"),
            false,
            Some(AttrKind::String)
        ));
        // Case-exact: 'b' (0x62) > 'B' (0x42); case-insensitive they are equal.
        assert!(compare(&json!("b"), CompareOp::Gt, &json!("B"), true, None));
        assert!(!check(json!("b"), CompareOp::Gt, json!("B")));
        assert!(check(json!("b"), CompareOp::Ge, json!("B")));
        assert!(check(json!("abc"), CompareOp::Lt, json!("abd")));
        assert!(check(json!("abc"), CompareOp::Le, json!("abc")));
    }

    #[test]
    fn date_times_compare_as_instants_across_offsets() {
        let utc = json!("2011-05-13T04:42:34Z");
        let later_in_paris = json!("2011-05-13T05:42:35+01:00");
        assert!(check(later_in_paris.clone(), CompareOp::Gt, utc.clone()));
        // Lexicographically "2011-05-13T05..." > "2011-05-13T04...", but as instants
        // 06:00+02:00 is before 04:42:34Z.
        assert!(check(
            json!("2011-05-13T06:00:00+02:00"),
            CompareOp::Lt,
            utc.clone()
        ));
        assert!(check(
            json!("2011-05-13T06:42:34+02:00"),
            CompareOp::Eq,
            utc.clone()
        ));
        assert!(compare(
            &json!("2011-05-13T06:42:34+02:00"),
            CompareOp::Eq,
            &utc,
            true,
            Some(AttrKind::DateTime)
        ));
    }

    #[test]
    fn declared_string_kind_is_not_compared_as_a_date() {
        let a = json!("2011-05-13T06:42:34+02:00");
        let b = json!("2011-05-13T04:42:34Z");
        assert!(!compare(
            &a,
            CompareOp::Eq,
            &b,
            false,
            Some(AttrKind::String)
        ));
        assert!(compare(
            &a,
            CompareOp::Gt,
            &b,
            false,
            Some(AttrKind::String)
        ));
    }

    #[test]
    fn numbers_compare_numerically() {
        assert!(check(json!(10), CompareOp::Gt, json!(9)));
        assert!(check(json!(2.5), CompareOp::Lt, json!(3)));
        assert!(check(json!(3), CompareOp::Eq, json!(3.0)));
        assert!(check(json!(u64::MAX), CompareOp::Gt, json!(-1)));
        assert!(!check(json!(10), CompareOp::Co, json!(1)));
    }

    #[test]
    fn booleans_support_only_equality() {
        assert!(check(json!(true), CompareOp::Eq, json!(true)));
        assert!(check(json!(true), CompareOp::Ne, json!(false)));
        assert!(!check(json!(true), CompareOp::Gt, json!(false)));
        assert!(!check(json!(true), CompareOp::Co, json!(true)));
    }

    #[test]
    fn value_order_agrees_with_the_operators() {
        assert_eq!(
            value_order(&json!("b"), &json!("A"), false, None),
            Ordering::Greater
        );
        assert_eq!(
            value_order(&json!("b"), &json!("B"), false, None),
            Ordering::Equal
        );
        assert_eq!(
            value_order(&json!("b"), &json!("B"), true, None),
            Ordering::Greater
        );
        assert_eq!(
            value_order(
                &json!("2011-05-13T06:00:00+02:00"),
                &json!("2011-05-13T04:42:34Z"),
                false,
                None
            ),
            Ordering::Less
        );
        assert_eq!(
            value_order(&json!(10), &json!(9.5), false, None),
            Ordering::Greater
        );
        assert_eq!(
            value_order(&json!(false), &json!(true), false, None),
            Ordering::Less
        );
        assert_eq!(
            value_order(&json!(1), &json!("1"), false, None),
            Ordering::Less
        );
    }

    #[test]
    fn mismatched_types_never_match() {
        assert!(!check(json!("1"), CompareOp::Eq, json!(1)));
        assert!(!check(json!(1), CompareOp::Eq, json!("1")));
        assert!(!check(json!("true"), CompareOp::Eq, json!(true)));
        assert!(check(json!("1"), CompareOp::Ne, json!(1)));
    }
}
