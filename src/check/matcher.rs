//! Evaluating one `Matcher` against the values a path (or header) selected.

use serde_json::Value;

use super::Resolve;
use super::value::{json_eq, kind, show, subset_match};
use crate::scim::Selected;
use crate::suite::model::{JsonType, LengthBound, Matcher, NumberOp, TemplatePart, TemplateValue};

/// The result of one matcher.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// The value is not what was expected.
    Fail {
        expected: String,
        actual: String,
    },
    /// The matcher cannot be judged here (several values where one is needed, a bad
    /// pattern); `Not` never turns this into a pass.
    Invalid {
        expected: String,
        actual: String,
    },
}

impl Verdict {
    fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Verdict {
        Verdict::Fail {
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    fn invalid(expected: impl Into<String>, actual: impl Into<String>) -> Verdict {
        Verdict::Invalid {
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

/// How values are compared.
pub struct Eval<'r> {
    pub resolve: &'r dyn Resolve,
    /// Header values are text: an expected number or boolean compares by its spelling.
    pub text_values: bool,
}

impl Eval<'_> {
    pub fn matcher(&self, matcher: &Matcher, selected: &Selected<'_>) -> Verdict {
        // Most checks pass, and a pass shows no expectation: it is written out (templates
        // rendered, values shown) only for a verdict that does, by judging again.
        if self.judge(matcher, selected, String::new()) == Verdict::Pass {
            return Verdict::Pass;
        }
        match self.expected(matcher) {
            Ok(expected) => self.judge(matcher, selected, expected),
            Err(problem) => Verdict::invalid("a value the template can render", problem),
        }
    }

    fn judge(&self, matcher: &Matcher, selected: &Selected<'_>, expected: String) -> Verdict {
        match matcher {
            Matcher::Present => {
                if selected.values.iter().any(|v| !is_unassigned(v)) {
                    Verdict::Pass
                } else {
                    Verdict::fail(expected, actual_of(selected))
                }
            }
            Matcher::Absent => {
                if selected.values.iter().all(|v| is_unassigned(v)) {
                    Verdict::Pass
                } else {
                    Verdict::fail(expected, actual_of(selected))
                }
            }
            Matcher::Length(bound) => self.length(*bound, selected, expected),
            Matcher::Every(inner) => self.every(inner, selected, expected),
            Matcher::Not(inner) => match self.matcher(inner, selected) {
                Verdict::Pass => Verdict::fail(expected, actual_of(selected)),
                Verdict::Fail { .. } => Verdict::Pass,
                invalid @ Verdict::Invalid { .. } => invalid,
            },
            Matcher::All(all) => all
                .iter()
                .map(|m| self.matcher(m, selected))
                .find(|v| *v != Verdict::Pass)
                .unwrap_or(Verdict::Pass),
            Matcher::Contains(want) if selected.multi || selected.values.len() > 1 => {
                let want = match self.resolve.value(want) {
                    Ok(want) => want,
                    Err(problem) => return Verdict::invalid(expected, problem),
                };
                if selected.values.iter().any(|v| subset_match(v, &want)) {
                    Verdict::Pass
                } else {
                    Verdict::fail(expected, actual_of(selected))
                }
            }
            Matcher::Equals(want) if selected.values.is_empty() => {
                // SCIM treats null and unassigned alike.
                match self.resolve.value(want) {
                    Ok(Value::Null) => Verdict::Pass,
                    _ => Verdict::fail(expected, actual_of(selected)),
                }
            }
            _ => match selected.values.as_slice() {
                [] => Verdict::fail(expected, actual_of(selected)),
                [one] => self.single(matcher, one, expected),
                many => Verdict::invalid(
                    format!("{expected} (on exactly one value)"),
                    format!("path matched {} values: {}", many.len(), show_all(many)),
                ),
            },
        }
    }

    fn single(&self, matcher: &Matcher, value: &Value, expected: String) -> Verdict {
        let ok = |pass: bool| {
            if pass {
                Verdict::Pass
            } else {
                Verdict::fail(expected.clone(), show(value))
            }
        };
        match matcher {
            Matcher::Equals(want) => match self.resolve.value(want) {
                Ok(want) => ok(self.equal(value, &want)),
                Err(problem) => Verdict::invalid(expected, problem),
            },
            Matcher::NotEquals(want) => match self.resolve.value(want) {
                Ok(want) => ok(!self.equal(value, &want)),
                Err(problem) => Verdict::invalid(expected, problem),
            },
            Matcher::OneOf(options) => {
                let mut rendered = Vec::new();
                for option in options {
                    match self.resolve.value(option) {
                        Ok(Value::Array(items)) if is_one_hole(option) => rendered.extend(items),
                        Ok(v) => rendered.push(v),
                        Err(problem) => return Verdict::invalid(expected, problem),
                    }
                }
                ok(rendered.iter().any(|want| self.equal(value, want)))
            }
            Matcher::EqualsIgnoreCase(want) => {
                let Some(text) = value.as_str() else {
                    return not_a(expected, "string", value);
                };
                match self.resolve.text(want) {
                    Ok(want) => ok(text.to_lowercase() == want.to_lowercase()),
                    Err(problem) => Verdict::invalid(expected, problem),
                }
            }
            Matcher::Type(ty) => ok(has_type(value, *ty)),
            Matcher::Regex(pattern) => {
                let Some(text) = value.as_str() else {
                    return not_a(expected, "string", value);
                };
                if let Some(compiled) = &pattern.compiled {
                    return ok(compiled.is_match(text));
                }
                let pattern = match self.resolve.text(&pattern.template) {
                    Ok(p) => p,
                    Err(problem) => return Verdict::invalid(expected, problem),
                };
                match regex::Regex::new(&pattern) {
                    Ok(re) => ok(re.is_match(text)),
                    Err(e) => Verdict::invalid(
                        "a valid regular expression",
                        format!("invalid pattern /{pattern}/: {e}"),
                    ),
                }
            }
            Matcher::Contains(want) => {
                let want = match self.resolve.value(want) {
                    Ok(want) => want,
                    Err(problem) => return Verdict::invalid(expected, problem),
                };
                match value {
                    Value::String(text) => match &want {
                        Value::String(s) => ok(text.contains(s.as_str())),
                        Value::Number(_) | Value::Bool(_) => ok(text.contains(&want.to_string())),
                        other => Verdict::invalid(
                            expected,
                            format!("a string cannot contain {}", kind(other)),
                        ),
                    },
                    Value::Array(items) => ok(items.iter().any(|item| subset_match(item, &want))),
                    Value::Object(_) => ok(subset_match(value, &want)),
                    other => not_a(expected, "string, array or object", other),
                }
            }
            Matcher::Compare(op, bound) => {
                let Some(number) = value.as_f64() else {
                    return not_a(expected, "number", value);
                };
                ok(match op {
                    NumberOp::Gt => number > *bound,
                    NumberOp::Ge => number >= *bound,
                    NumberOp::Lt => number < *bound,
                    NumberOp::Le => number <= *bound,
                })
            }
            Matcher::ScimJson => {
                let Some(text) = value.as_str() else {
                    return not_a(expected, "string", value);
                };
                ok(is_scim_json(text))
            }
            // Handled on the whole selection before reaching here.
            Matcher::Present
            | Matcher::Absent
            | Matcher::Length(_)
            | Matcher::Every(_)
            | Matcher::Not(_)
            | Matcher::All(_) => self.matcher(matcher, &Selected::one(value)),
        }
    }

    fn length(&self, bound: LengthBound, selected: &Selected<'_>, expected: String) -> Verdict {
        let single = !selected.multi;
        let (len, what) = match selected.values.as_slice() {
            [] if single => return Verdict::fail(expected, actual_of(selected)),
            [Value::Array(items)] if single => (items.len(), "items"),
            [Value::String(text)] if single => (text.chars().count(), "characters"),
            [other] if single => return not_a(expected, "string or array", other),
            values => (values.len(), "values matched"),
        };
        let fits = bound.min.is_none_or(|min| len >= min) && bound.max.is_none_or(|max| len <= max);
        if fits {
            Verdict::Pass
        } else {
            Verdict::fail(expected, format!("{len} {what}"))
        }
    }

    fn every(&self, inner: &Matcher, selected: &Selected<'_>, expected: String) -> Verdict {
        let items: Vec<&Value> = if selected.multi {
            selected.values.clone()
        } else {
            match selected.values.as_slice() {
                [] => return Verdict::fail(expected, actual_of(selected)),
                [Value::Array(items)] => items.iter().collect(),
                [other] => return not_a(expected, "array", other),
                many => many.to_vec(),
            }
        };
        // No item renders the inner matcher's templates; a broken one is still no pass.
        if items.is_empty()
            && let Err(problem) = self.expected(inner)
        {
            return Verdict::invalid("a value the template can render", problem);
        }
        for (index, item) in items.iter().enumerate() {
            match self.matcher(inner, &Selected::one(item)) {
                Verdict::Pass => {}
                Verdict::Fail { actual, .. } => {
                    return Verdict::fail(expected, format!("item {index}: {actual}"));
                }
                Verdict::Invalid { actual, .. } => {
                    return Verdict::invalid(expected, format!("item {index}: {actual}"));
                }
            }
        }
        Verdict::Pass
    }

    fn equal(&self, actual: &Value, expected: &Value) -> bool {
        if self.text_values
            && let (Value::String(text), Value::Number(_) | Value::Bool(_)) = (actual, expected)
        {
            let spelled = expected.to_string();
            return *text == spelled;
        }
        json_eq(actual, expected)
    }

    /// What the matcher wants, in words, for failure messages.
    fn expected(&self, matcher: &Matcher) -> Result<String, String> {
        let value = |v| self.resolve.value(v).map(|v| show(&v));
        Ok(match matcher {
            Matcher::Equals(v) => value(v)?,
            Matcher::NotEquals(v) => format!("not {}", value(v)?),
            Matcher::EqualsIgnoreCase(t) => {
                format!(
                    "{} (ignoring case)",
                    show(&Value::String(self.resolve.text(t)?))
                )
            }
            Matcher::Present => "present".into(),
            Matcher::Absent => "absent".into(),
            Matcher::Type(ty) => type_name(*ty).into(),
            Matcher::Regex(pattern) => {
                format!("matching /{}/", self.resolve.text(&pattern.template)?)
            }
            Matcher::Contains(v) => format!("containing {}", value(v)?),
            Matcher::Length(bound) => length_words(*bound),
            Matcher::Compare(op, n) => {
                let op = match op {
                    NumberOp::Gt => ">",
                    NumberOp::Ge => ">=",
                    NumberOp::Lt => "<",
                    NumberOp::Le => "<=",
                };
                format!("{op} {n}")
            }
            Matcher::OneOf(options) => {
                let shown: Result<Vec<String>, String> = options.iter().map(value).collect();
                format!("one of {}", shown?.join(", "))
            }
            Matcher::Every(inner) => format!("every item {}", self.expected(inner)?),
            Matcher::Not(inner) => format!("not {}", self.expected(inner)?),
            Matcher::All(all) => {
                let parts: Result<Vec<String>, String> =
                    all.iter().map(|m| self.expected(m)).collect();
                parts?.join(" and ")
            }
            Matcher::ScimJson => "application/scim+json".into(),
        })
    }
}

/// Null and the empty list are both unassigned (RFC 7643 section 2.5).
fn is_unassigned(value: &Value) -> bool {
    value.is_null() || value.as_array().is_some_and(Vec::is_empty)
}

/// The media type `application/scim+json`, any case, parameters allowed.
pub fn is_scim_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/scim+json"))
}

fn has_type(value: &Value, ty: JsonType) -> bool {
    match ty {
        JsonType::String => value.is_string(),
        JsonType::Number => value.is_number(),
        // RFC 7643 2.3.4: an integer is written without a fraction or an exponent, so
        // 4.0 and 4e0 are not integers even though their value is whole.
        JsonType::Integer => value.is_i64() || value.is_u64(),
        JsonType::Boolean => value.is_boolean(),
        JsonType::Array => value.is_array(),
        JsonType::Object => value.is_object(),
        JsonType::Null => value.is_null(),
    }
}

fn type_name(ty: JsonType) -> &'static str {
    match ty {
        JsonType::String => "a string",
        JsonType::Number => "a number",
        JsonType::Integer => "an integer",
        JsonType::Boolean => "a boolean",
        JsonType::Array => "an array",
        JsonType::Object => "an object",
        JsonType::Null => "null",
    }
}

fn length_words(bound: LengthBound) -> String {
    match (bound.min, bound.max) {
        (Some(a), Some(b)) if a == b => format!("length {a}"),
        (Some(a), Some(b)) => format!("length between {a} and {b}"),
        (Some(a), None) => format!("length >= {a}"),
        (None, Some(b)) => format!("length <= {b}"),
        (None, None) => "any length".into(),
    }
}

/// An option written as exactly one template hole (`"{{ names }}"`).
fn is_one_hole(option: &TemplateValue) -> bool {
    matches!(option, TemplateValue::String(t) if matches!(t.parts.as_slice(), [TemplatePart::Expr(_)]))
}

fn not_a(expected: String, what: &str, value: &Value) -> Verdict {
    Verdict::fail(
        expected,
        format!("{} (not a {what}): {}", kind(value), show(value)),
    )
}

fn show_all(values: &[&Value]) -> String {
    let all = Value::Array(values.iter().map(|v| (*v).clone()).collect());
    show(&all)
}

/// The selection in words: "absent", one value, or "N values: [...]".
pub fn actual_of(selected: &Selected<'_>) -> String {
    match selected.values.as_slice() {
        [] => "absent".into(),
        [one] => show(one),
        many => format!("{} values: {}", many.len(), show_all(many)),
    }
}
