//! Paths into JSON response bodies for check matchers: SCIM-style member names, URN
//! keys, numeric indexes and value filters (`Resources[userName eq "x"].id`).

use std::fmt;

use serde_json::Value;

use super::attr_types::NoSchema;
use super::error::{GrammarError, quoted};
use super::eval::matches;
use super::filter::Filter;
use super::lexer::is_delimiter;
use super::parser::{FilterParser, Scope, check_length};

/// A parsed body path such as `meta.version`, `emails[type eq "work"].value`,
/// `Resources[0].id`, `Operations[0].status` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber`.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyPath {
    steps: Vec<BodyStep>,
}

/// One step of a [`BodyPath`].
#[derive(Debug, Clone, PartialEq)]
pub enum BodyStep {
    /// Member names separated by `.` (or `:` after a URN key), kept as written: which
    /// part is a URN key depends on the document, so it is matched at selection time.
    Members(String),
    /// `[n]`: the n-th element (counting from 0).
    Index(usize),
    /// `[filter]`: the elements the filter matches; paths in the filter are attributes
    /// of each element, compared case-insensitively.
    Filter(Filter),
}

impl BodyPath {
    /// The path of the whole body: selects the document itself.
    pub fn whole() -> BodyPath {
        BodyPath { steps: Vec::new() }
    }

    pub fn steps(&self) -> &[BodyStep] {
        &self.steps
    }

    /// True when selection can give several values (the path has a filter).
    pub fn has_filter(&self) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step, BodyStep::Filter(_)))
    }
}

impl fmt::Display for BodyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                BodyStep::Members(names) if i == 0 => f.write_str(names)?,
                BodyStep::Members(names) => write!(f, ".{names}")?,
                BodyStep::Index(index) => write!(f, "[{index}]")?,
                BodyStep::Filter(filter) => write!(f, "[{filter}]")?,
            }
        }
        Ok(())
    }
}

/// Parse a body path. Member names are not checked against the SCIM attribute name
/// rules (bodies carry URN keys and message attributes such as `Resources`), but empty
/// names, whitespace and stray brackets are errors.
pub fn parse_body_path(input: &str) -> Result<BodyPath, GrammarError> {
    check_length(input)?;
    let mut steps = Vec::new();
    let mut pos = 0;
    loop {
        let end = pos
            + input[pos..]
                .find(|c: char| c.is_whitespace() || is_delimiter(c))
                .unwrap_or(input.len() - pos);
        check_members(input, pos, end)?;
        steps.push(BodyStep::Members(input[pos..end].to_string()));
        pos = end;
        while input[pos..].starts_with('[') {
            let (step, next) = bracket(input, pos)?;
            steps.push(step);
            pos = next;
        }
        match input[pos..].chars().next() {
            None => return Ok(BodyPath { steps }),
            Some('.') => pos += 1,
            Some(_) => {
                let (expected, found) = match input[pos..].chars().next() {
                    Some(c) if c.is_whitespace() => ("unexpected whitespace in path", None),
                    _ => (
                        "expected '.', '[' or the end of the path",
                        Some(quoted(&input[pos..])),
                    ),
                };
                let error = GrammarError::new(expected, pos);
                return Err(match found {
                    Some(found) => error.found(found),
                    None => error,
                });
            }
        }
    }
}

/// A run of member names: no empty name between separators.
fn check_members(input: &str, start: usize, end: usize) -> Result<(), GrammarError> {
    let run = &input[start..end];
    if run.is_empty() {
        let found = input[start..]
            .chars()
            .next()
            .map_or("end of input".to_string(), |c| quoted(&c.to_string()));
        return Err(GrammarError::new("expected a member name", start).found(found));
    }
    let mut name_start = start;
    for (at, c) in run.char_indices() {
        if c == '.' || c == ':' {
            if start + at == name_start {
                return Err(GrammarError::new(
                    format!("expected a member name before '{c}'"),
                    start + at,
                ));
            }
            name_start = start + at + 1;
        }
    }
    if name_start == end {
        return Err(GrammarError::new("expected a member name", end).found(
            if end == input.len() {
                "end of input".to_string()
            } else {
                quoted(&input[end..])
            },
        ));
    }
    Ok(())
}

/// `[n]` or `[filter]` starting at the `[` at `open`; returns the step and the offset
/// after the `]`.
fn bracket(input: &str, open: usize) -> Result<(BodyStep, usize), GrammarError> {
    let inside = &input[open + 1..];
    let trimmed = inside.trim_start();
    let digits = trimmed.len()
        - trimmed
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    if digits > 0 {
        let digits_at = open + 1 + (inside.len() - trimmed.len());
        let after = trimmed[digits..].trim_start();
        if let Some(rest) = after.strip_prefix(']') {
            let text = &trimmed[..digits];
            let index = text.parse::<usize>().map_err(|_| {
                GrammarError::new("index is too large", digits_at).found(quoted(text))
            })?;
            return Ok((BodyStep::Index(index), input.len() - rest.len()));
        }
        let at = input.len() - after.len();
        return Err(GrammarError::new("expected ']' after the index", at).found(
            if after.is_empty() {
                "end of input".to_string()
            } else {
                quoted(after)
            },
        ));
    }
    let mut parser = FilterParser::new(input, open + 1);
    let (filter, end) = parser.enclosed(open, Scope::Resource)?;
    Ok((BodyStep::Filter(filter), end))
}

/// What a body path selects in a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected<'a> {
    pub values: Vec<&'a Value>,
    /// True when the values are a set of elements (the path went through a filter or
    /// stepped through an array); false when the path named at most one value.
    pub multi: bool,
}

impl<'a> Selected<'a> {
    /// Exactly this value (a header, an element of a selection).
    pub fn one(value: &'a Value) -> Selected<'a> {
        Selected {
            values: vec![value],
            multi: false,
        }
    }

    /// Nothing: what was looked for is absent.
    pub fn none() -> Selected<'a> {
        Selected {
            values: Vec::new(),
            multi: false,
        }
    }
}

/// Select the values a body path reaches.
///
/// - A plain path selects at most one value (none when missing); an array value stays
///   one value. A JSON `null` is selected as a value.
/// - Member names match case-insensitively. At each object the longest key that is a
///   prefix of the remaining names and is followed by `.`, `:` or the end wins, so URN
///   keys such as `urn:...:enterprise:2.0:User` work with either separator.
/// - A filter keeps the matching elements of an array (a single object is kept if it
///   matches) and makes the selection `multi`; later steps apply to each element.
/// - A member name applied to an array applies to each element (and makes it `multi`).
/// - An index picks from an array, or, when the selection is already a set, picks the
///   n-th selected element.
pub fn select<'a>(document: &'a Value, path: &BodyPath) -> Selected<'a> {
    let mut current = vec![document];
    let mut multi = false;
    for step in &path.steps {
        current = match step {
            BodyStep::Members(names) => {
                let mut next = Vec::new();
                for value in current {
                    walk_members(value, names, &mut next, &mut multi);
                }
                next
            }
            BodyStep::Index(index) if multi => {
                multi = false;
                current.get(*index).copied().into_iter().collect()
            }
            BodyStep::Index(index) => current
                .into_iter()
                .filter_map(|value| value.as_array()?.get(*index))
                .collect(),
            BodyStep::Filter(filter) => {
                multi = true;
                let keep = |value: &&Value| matches(filter, value, &NoSchema);
                current
                    .into_iter()
                    .flat_map(|value| match value {
                        Value::Array(items) => items.iter().filter(keep).collect::<Vec<_>>(),
                        other => std::iter::once(other).filter(keep).collect(),
                    })
                    .collect()
            }
        };
    }
    Selected {
        values: current,
        multi,
    }
}

fn walk_members<'a>(node: &'a Value, names: &str, out: &mut Vec<&'a Value>, multi: &mut bool) {
    match node {
        Value::Object(members) => {
            let best = members
                .iter()
                .filter(|(key, _)| key_prefixes(key, names))
                .max_by_key(|(key, _)| (key.len(), names.starts_with(key.as_str())));
            let Some((key, child)) = best else { return };
            match names.get(key.len() + 1..) {
                Some(rest) if !rest.is_empty() => walk_members(child, rest, out, multi),
                _ => out.push(child),
            }
        }
        Value::Array(items) => {
            *multi = true;
            for item in items {
                walk_members(item, names, out, multi);
            }
        }
        _ => {}
    }
}

/// Is `key` a case-insensitive prefix of `names`, followed by '.', ':' or the end?
fn key_prefixes(key: &str, names: &str) -> bool {
    !key.is_empty()
        && names.len() >= key.len()
        && names.is_char_boundary(key.len())
        && names[..key.len()].eq_ignore_ascii_case(key)
        && matches!(names.as_bytes().get(key.len()), None | Some(b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "2819c223",
            "userName": "bjensen",
            "nickName": null,
            "name": { "givenName": "Barbara" },
            "emails": [
                { "value": "a@example.com", "type": "work" },
                { "value": "b@example.com", "type": "work" },
                { "value": "c@example.org", "type": "home" }
            ],
            ENTERPRISE: { "employeeNumber": "701984", "manager": { "value": "26118915" } },
            "meta": { "version": "W/\"3694e05e9dff591\"" }
        })
    }

    fn pick<'a>(document: &'a Value, path: &str) -> Selected<'a> {
        select(document, &parse_body_path(path).unwrap())
    }

    #[test]
    fn plain_paths_select_one_value_case_insensitively() {
        let user = user();
        assert_eq!(pick(&user, "ID").values, vec![&json!("2819c223")]);
        assert_eq!(
            pick(&user, "name.GIVENNAME").values,
            vec![&json!("Barbara")]
        );
        assert!(!pick(&user, "name.givenName").multi);
    }

    #[test]
    fn missing_member_selects_nothing_and_null_is_a_value() {
        let user = user();
        assert!(pick(&user, "title").values.is_empty());
        assert!(pick(&user, "name.middleName").values.is_empty());
        assert_eq!(pick(&user, "nickName").values, vec![&Value::Null]);
    }

    #[test]
    fn an_array_value_stays_one_value() {
        let user = user();
        let selection = pick(&user, "schemas");
        assert_eq!(selection.values.len(), 1);
        assert!(selection.values[0].is_array());
        assert!(!selection.multi);
    }

    #[test]
    fn filter_then_member_applies_to_each_selected_element() {
        let user = user();
        let selection = pick(&user, r#"emails[type eq "WORK"].value"#);
        assert_eq!(
            selection.values,
            vec![&json!("a@example.com"), &json!("b@example.com")]
        );
        assert!(selection.multi);
    }

    #[test]
    fn filter_that_matches_nothing_is_an_empty_set() {
        let user = user();
        let selection = pick(&user, r#"emails[type eq "other"].value"#);
        assert!(selection.values.is_empty());
        assert!(selection.multi);
    }

    #[test]
    fn index_picks_an_element() {
        let user = user();
        assert_eq!(pick(&user, "emails[2].type").values, vec![&json!("home")]);
        assert!(pick(&user, "emails[3].type").values.is_empty());
        assert!(pick(&user, "id[0]").values.is_empty());
    }

    #[test]
    fn index_after_a_filter_picks_from_the_selected_set() {
        let user = user();
        let selection = pick(&user, r#"emails[type eq "work"][1].value"#);
        assert_eq!(selection.values, vec![&json!("b@example.com")]);
        assert!(!selection.multi);
    }

    #[test]
    fn member_through_an_array_selects_each_element() {
        let user = user();
        let selection = pick(&user, "emails.type");
        assert_eq!(selection.values.len(), 3);
        assert!(selection.multi);
    }

    #[test]
    fn urn_keys_work_with_dot_or_colon() {
        let user = user();
        for path in [
            format!("{ENTERPRISE}.employeeNumber"),
            format!("{ENTERPRISE}:employeeNumber"),
            format!("{}:EmployeeNumber", ENTERPRISE.to_uppercase()),
        ] {
            assert_eq!(pick(&user, &path).values, vec![&json!("701984")], "{path}");
        }
        assert_eq!(
            pick(&user, &format!("{ENTERPRISE}:manager.value")).values,
            vec![&json!("26118915")]
        );
        assert_eq!(pick(&user, ENTERPRISE).values.len(), 1);
    }

    #[test]
    fn list_response_resources_by_filter() {
        let list = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 2,
            "Resources": [user(), { "id": "other", "userName": "x" }]
        });
        assert_eq!(pick(&list, "totalResults").values, vec![&json!(2)]);
        assert_eq!(
            pick(&list, "Resources[0].id").values,
            vec![&json!("2819c223")]
        );
        assert_eq!(
            pick(&list, r#"Resources[userName eq "X"].id"#).values,
            vec![&json!("other")]
        );
        let by_extension = format!(r#"resources[{ENTERPRISE}:employeeNumber eq "701984"].id"#);
        assert_eq!(pick(&list, &by_extension).values, vec![&json!("2819c223")]);
        let nested = r#"Resources[emails[type eq "home"]].userName"#;
        assert_eq!(pick(&list, nested).values, vec![&json!("bjensen")]);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "id",
            "meta.version",
            r#"emails[type eq "work"].value"#,
            "Resources[0].id",
            "Operations[0].status",
            "a[1][2].b",
            &format!("{ENTERPRISE}.employeeNumber"),
        ] {
            let path = parse_body_path(text).unwrap();
            assert_eq!(path.to_string(), text);
            assert_eq!(parse_body_path(&path.to_string()).unwrap(), path);
        }
    }

    #[test]
    fn errors_are_located() {
        let cases = [
            ("", 0, "expected a member name"),
            ("[0]", 0, "expected a member name"),
            ("a..b", 2, "expected a member name before '.'"),
            ("a.", 2, "expected a member name"),
            ("a[0", 3, "expected ']' after the index"),
            ("a[0]b", 4, "expected '.', '[' or the end of the path"),
            ("a b", 1, "unexpected whitespace in path"),
            (r#"a[b eq"#, 6, "expected a value after 'eq'"),
            (r#"a[b pr"#, 6, "expected ']'"),
            ("a[99999999999999999999999]", 2, "index is too large"),
        ];
        for (input, offset, message) in cases {
            let error = parse_body_path(input).unwrap_err();
            assert_eq!(
                (error.offset, error.message.as_str()),
                (offset, message),
                "{input}"
            );
        }
    }
}
