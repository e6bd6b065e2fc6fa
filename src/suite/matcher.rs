//! Matchers as written in `expect.headers` and `expect.body`, read into `model::Matcher`.

use crate::suite::model::{JsonType, LengthBound, Matcher, NumberOp, Pattern, TemplatePart};
use crate::suite::reader::Reader;
use crate::suite::scope::{Names, Place};
use crate::suite::yaml::{Node, NodeKind};

/// Operator keys of a matcher mapping.
pub const OPERATORS: [&str; 16] = [
    "equals",
    "not_equals",
    "equals_ignore_case",
    "present",
    "absent",
    "type",
    "regex",
    "contains",
    "length",
    "gt",
    "ge",
    "lt",
    "le",
    "one_of",
    "every",
    "not",
];

const TYPES: [(&str, JsonType); 7] = [
    ("string", JsonType::String),
    ("number", JsonType::Number),
    ("integer", JsonType::Integer),
    ("boolean", JsonType::Boolean),
    ("array", JsonType::Array),
    ("object", JsonType::Object),
    ("null", JsonType::Null),
];

/// Reads a matcher: a scalar or list compares for equality, the strings `present`,
/// `absent` and `scim-json` are checks of their own, a mapping holds operators.
pub fn matcher(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Matcher> {
    match &node.kind {
        NodeKind::Str(s) if s == "present" => Some(Matcher::Present),
        NodeKind::Str(s) if s == "absent" => Some(Matcher::Absent),
        NodeKind::Str(s) if s == "scim-json" => Some(Matcher::ScimJson),
        NodeKind::Map(_) => operators(r, node, names, place),
        _ => r
            .template_value(node, "a matcher", names, place)
            .map(Matcher::Equals),
    }
}

fn operators(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Matcher> {
    let entries = r.entries(node, "a matcher")?;
    if entries.is_empty() {
        r.error(node.pos, "empty matcher: expected at least one operator");
        return None;
    }
    let mut all = Vec::with_capacity(entries.len());
    let mut ok = true;
    for entry in entries {
        let value = entry.value;
        let m = match entry.key {
            "equals" => r
                .template_value(value, "equals", names, place)
                .map(Matcher::Equals),
            "not_equals" => r
                .template_value(value, "not_equals", names, place)
                .map(Matcher::NotEquals),
            "equals_ignore_case" => r
                .template(value, "equals_ignore_case", names, place)
                .map(Matcher::EqualsIgnoreCase),
            "present" => r
                .bool(value, "present")
                .map(|p| if p { Matcher::Present } else { Matcher::Absent }),
            "absent" => r
                .bool(value, "absent")
                .map(|a| if a { Matcher::Absent } else { Matcher::Present }),
            "type" => {
                let choices = TYPES.map(|(n, _)| n);
                r.choice(value, "type", &choices, false).and_then(|name| {
                    TYPES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, t)| Matcher::Type(*t))
                })
            }
            "regex" => regex(r, value, names, place),
            "contains" => r
                .template_value(value, "contains", names, place)
                .map(Matcher::Contains),
            "length" => length(r, value).map(Matcher::Length),
            "gt" => number(r, value, "gt").map(|n| Matcher::Compare(NumberOp::Gt, n)),
            "ge" => number(r, value, "ge").map(|n| Matcher::Compare(NumberOp::Ge, n)),
            "lt" => number(r, value, "lt").map(|n| Matcher::Compare(NumberOp::Lt, n)),
            "le" => number(r, value, "le").map(|n| Matcher::Compare(NumberOp::Le, n)),
            "one_of" => one_of(r, value, names, place),
            "every" => matcher(r, value, names, place).map(|m| Matcher::Every(Box::new(m))),
            "not" => matcher(r, value, names, place).map(|m| Matcher::Not(Box::new(m))),
            other => {
                r.error_suggesting(
                    entry.key_pos,
                    format!("unknown matcher '{other}'"),
                    other,
                    OPERATORS,
                );
                if let Some(last) = r.diags.last_mut()
                    && last.hint.is_none()
                {
                    last.hint =
                        Some("to compare with a mapping, write it under `equals:`".to_owned());
                }
                None
            }
        };
        match m {
            Some(m) => all.push(m),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    if all.len() == 1 {
        all.pop()
    } else {
        Some(Matcher::All(all))
    }
}

fn regex(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Matcher> {
    let template = r.template(node, "regex", names, place)?;
    // Without holes the pattern is known now: compiled once, and a broken one is a load
    // error. With holes it is compiled after rendering.
    let compiled = match template.parts.as_slice() {
        [TemplatePart::Text(pattern)] => match regex::Regex::new(pattern) {
            Ok(compiled) => Some(compiled),
            Err(e) => {
                let detail = match e {
                    regex::Error::Syntax(text) => {
                        let last = text.lines().last().unwrap_or("").trim();
                        last.strip_prefix("error: ").unwrap_or(last).to_owned()
                    }
                    other => other.to_string(),
                };
                r.push(
                    crate::diag::Diagnostic::error(
                        r.loc(node.pos),
                        format!("invalid regex: {detail}"),
                    )
                    .with_label("this pattern does not compile"),
                );
                return None;
            }
        },
        _ => None,
    };
    Some(Matcher::Regex(Pattern { template, compiled }))
}

fn count(r: &mut Reader, node: &Node, what: &str) -> Option<usize> {
    let n = match node.kind {
        NodeKind::Int(i) => usize::try_from(i).ok(),
        NodeKind::UInt(u) => usize::try_from(u).ok(),
        _ => {
            r.wrong_type(node, "a non-negative integer", what);
            return None;
        }
    };
    if n.is_none() {
        r.wrong_type(node, "a non-negative integer", what);
    }
    n
}

fn length(r: &mut Reader, node: &Node) -> Option<LengthBound> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        let n = count(r, node, "length")?;
        return Some(LengthBound {
            min: Some(n),
            max: Some(n),
        });
    }
    let m = r.mapping(node, "length", &["min", "max"])?;
    let min = m.get("min").map(|n| count(r, n, "length.min"));
    let max = m.get("max").map(|n| count(r, n, "length.max"));
    let (min, max) = match (min, max) {
        (None, None) => {
            r.error(node.pos, "length needs 'min', 'max' or both");
            return None;
        }
        (Some(None), _) | (_, Some(None)) => return None,
        (min, max) => (min.flatten(), max.flatten()),
    };
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        r.error(
            node.pos,
            format!("length min {lo} is greater than max {hi}"),
        );
        return None;
    }
    Some(LengthBound { min, max })
}

fn number(r: &mut Reader, node: &Node, what: &str) -> Option<f64> {
    match node.kind {
        NodeKind::Int(i) => Some(i as f64),
        NodeKind::UInt(u) => Some(u as f64),
        NodeKind::Float(f) if f.is_finite() => Some(f),
        _ => {
            r.wrong_type(node, "a number", what);
            None
        }
    }
}

fn one_of(r: &mut Reader, node: &Node, names: &Names<'_>, place: Place) -> Option<Matcher> {
    let NodeKind::Seq(items) = &node.kind else {
        r.wrong_type(node, "a list", "one_of");
        return None;
    };
    if items.is_empty() {
        r.error(node.pos, "one_of needs at least one value");
        return None;
    }
    let mut values = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        match r.template_value(item, "one_of", names, place) {
            Some(v) => values.push(v),
            None => ok = false,
        }
    }
    ok.then_some(Matcher::OneOf(values))
}
