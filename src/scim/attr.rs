//! Attribute paths (`[URI ":"] ATTRNAME ["." subAttr]`, RFC 7644 3.10) and
//! case-insensitive attribute lookup in JSON objects.

use std::fmt;

use serde_json::Value;

use super::error::{GrammarError, quoted};

/// An attribute path: an optional schema URN, an attribute name and an optional
/// sub-attribute, e.g. `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
///
/// Names keep the spelling of the input; SCIM compares them case-insensitively (see
/// [`AttrPath::same_attribute`]). An empty `name` with a `urn` addresses a whole schema
/// extension (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` in a PATCH
/// path); only the `*_with_schemas` parsers produce that form, see [`AttrPath::is_schema`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// A plain attribute name without URN or sub-attribute.
    pub fn new(name: impl Into<String>) -> Self {
        AttrPath {
            urn: None,
            name: name.into(),
            sub: None,
        }
    }

    /// The path that addresses a whole schema extension (empty attribute name).
    pub fn schema(urn: impl Into<String>) -> Self {
        AttrPath {
            urn: Some(urn.into()),
            name: String::new(),
            sub: None,
        }
    }

    pub fn with_urn(mut self, urn: impl Into<String>) -> Self {
        self.urn = Some(urn.into());
        self
    }

    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// The full path of a path written inside `parent[...]`: the inner name becomes the
    /// sub-attribute of the parent (`type` inside `emails[...]` is `emails.type`).
    pub fn inside(&self, parent: &AttrPath) -> AttrPath {
        AttrPath {
            urn: parent.urn.clone(),
            name: parent.name.clone(),
            sub: Some(self.name.clone()),
        }
    }

    /// True when the path names a whole schema extension rather than an attribute.
    pub fn is_schema(&self) -> bool {
        self.name.is_empty()
    }

    /// Case-insensitive equality, as SCIM compares attribute names and schema URNs.
    pub fn same_attribute(&self, other: &AttrPath) -> bool {
        fn same(a: &Option<String>, b: &Option<String>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
        }
        same(&self.urn, &other.urn)
            && self.name.eq_ignore_ascii_case(&other.name)
            && same(&self.sub, &other.sub)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.urn, self.name.is_empty()) {
            (Some(urn), true) => return f.write_str(urn),
            (Some(urn), false) => write!(f, "{urn}:")?,
            (None, _) => {}
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Parse an attribute path such as `userName`, `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
///
/// The URN is everything before the last `:` (attribute names cannot contain `:`, while
/// URNs may contain dots, as in `2.0`). So a bare schema URN parses as an attribute
/// named after its last segment; use [`parse_attr_path_with_schemas`] to resolve it.
pub fn parse_attr_path(input: &str) -> Result<AttrPath, GrammarError> {
    parse_attr_path_with_schemas(input, &[])
}

/// Like [`parse_attr_path`], resolving URNs against the schema URNs the caller knows:
/// the longest known URN that is a case-insensitive prefix of the input (followed by
/// `:` or the end) is the URN, and a path that is exactly a known URN addresses the
/// whole schema ([`AttrPath::is_schema`]).
pub fn parse_attr_path_with_schemas(
    input: &str,
    known_schema_urns: &[&str],
) -> Result<AttrPath, GrammarError> {
    if input.is_empty() {
        return Err(GrammarError::new("expected an attribute path", 0).found("end of input"));
    }
    if let Some((offset, c)) = input
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || "()[]\"".contains(*c))
    {
        let what = if c.is_whitespace() {
            "whitespace".to_string()
        } else {
            format!("'{c}'")
        };
        return Err(
            GrammarError::new("unexpected character in attribute path", offset).found(what),
        );
    }
    attr_path_from_word(input, 0, known_schema_urns)
}

/// Turn one word of input (no whitespace or brackets) into an attribute path.
/// `offset` is where the word starts in the whole input, for error positions.
pub(crate) fn attr_path_from_word(
    word: &str,
    offset: usize,
    known_schema_urns: &[&str],
) -> Result<AttrPath, GrammarError> {
    if let Some(urn) = longest_known_urn(word, known_schema_urns) {
        let (urn, rest) = word.split_at(urn.len());
        if rest.is_empty() {
            return Ok(AttrPath::schema(urn));
        }
        // `rest` starts with ':' (guaranteed by longest_known_urn).
        let (name, sub) = name_and_sub(&rest[1..], offset + urn.len() + 1)?;
        return Ok(AttrPath {
            urn: Some(urn.to_string()),
            name,
            sub,
        });
    }
    match word.rsplit_once(':') {
        Some((urn, rest)) => {
            if urn.is_empty() {
                return Err(
                    GrammarError::new("expected a schema URN before ':'", offset)
                        .found(quoted(word)),
                );
            }
            let (name, sub) = name_and_sub(rest, offset + urn.len() + 1)?;
            Ok(AttrPath {
                urn: Some(urn.to_string()),
                name,
                sub,
            })
        }
        None => {
            let (name, sub) = name_and_sub(word, offset)?;
            Ok(AttrPath {
                urn: None,
                name,
                sub,
            })
        }
    }
}

/// The longest known URN that prefixes `word` case-insensitively, followed by ':' or end.
fn longest_known_urn<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .copied()
        .filter(|urn| {
            !urn.is_empty()
                && word.len() >= urn.len()
                && word.is_char_boundary(urn.len())
                && word[..urn.len()].eq_ignore_ascii_case(urn)
                && matches!(word.as_bytes().get(urn.len()), None | Some(b':'))
        })
        .max_by_key(|urn| urn.len())
}

/// `ATTRNAME ["." ATTRNAME]`.
fn name_and_sub(text: &str, offset: usize) -> Result<(String, Option<String>), GrammarError> {
    let mut parts = text.splitn(3, '.');
    let name = parts.next().unwrap_or_default();
    check_attr_name(name, offset)?;
    let sub = match parts.next() {
        None => None,
        Some(sub) => {
            check_attr_name(sub, offset + name.len() + 1)?;
            Some(sub.to_string())
        }
    };
    if parts.next().is_some() {
        let at = offset + name.len() + 1 + sub.as_deref().map_or(0, str::len);
        return Err(
            GrammarError::new("an attribute path has at most one sub-attribute", at)
                .found(quoted(&text[at - offset..])),
        );
    }
    Ok((name.to_string(), sub))
}

/// True for a valid ATTRNAME: ALPHA followed by ALPHA, DIGIT, '-', '_' or '$', or the
/// special `$ref` sub-attribute of references (RFC 7643 2.1 and 2.3.7).
pub fn is_attr_name(name: &str) -> bool {
    check_attr_name(name, 0).is_ok()
}

pub(crate) fn check_attr_name(name: &str, offset: usize) -> Result<(), GrammarError> {
    if name.eq_ignore_ascii_case("$ref") {
        return Ok(());
    }
    let mut chars = name.char_indices();
    match chars.next() {
        None => {
            return Err(GrammarError::new("expected an attribute name", offset));
        }
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        Some(_) => {
            return Err(GrammarError::new(
                "expected an attribute name (starting with a letter)",
                offset,
            )
            .found(quoted(name)));
        }
    }
    for (at, c) in chars {
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$') {
            return Err(GrammarError::new(
                format!("invalid character '{c}' in attribute name {}", quoted(name)),
                offset + at,
            ));
        }
    }
    Ok(())
}

/// Case-insensitive object member lookup (SCIM attribute names are case-insensitive).
/// An exact match wins over a case-insensitive one; `None` for non-objects.
pub fn get_attr<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    let map = object.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    #[test]
    fn plain_name_has_no_urn_and_no_sub() {
        assert_eq!(
            parse_attr_path("userName").unwrap(),
            AttrPath::new("userName")
        );
    }

    #[test]
    fn dotted_name_has_a_sub_attribute() {
        assert_eq!(
            parse_attr_path("name.givenName").unwrap(),
            AttrPath::new("name").with_sub("givenName")
        );
    }

    #[test]
    fn urn_is_everything_before_the_last_colon_even_with_dots_in_the_urn() {
        let path = parse_attr_path(&format!("{ENTERPRISE}:manager.value")).unwrap();
        assert_eq!(
            path,
            AttrPath::new("manager")
                .with_urn(ENTERPRISE)
                .with_sub("value")
        );
    }

    #[test]
    fn bare_schema_urn_without_known_schemas_splits_at_the_last_colon() {
        let path = parse_attr_path(ENTERPRISE).unwrap();
        assert_eq!(path.name, "User");
        assert_eq!(
            path.urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0")
        );
    }

    #[test]
    fn bare_schema_urn_with_known_schemas_addresses_the_whole_schema() {
        let upper = ENTERPRISE.to_uppercase();
        let path = parse_attr_path_with_schemas(&upper, &[ENTERPRISE]).unwrap();
        assert!(path.is_schema());
        assert_eq!(path.urn.as_deref(), Some(upper.as_str()));
        assert_eq!(path.to_string(), upper);
    }

    #[test]
    fn longest_known_urn_wins() {
        let short = "urn:acme:ext";
        let long = "urn:acme:ext:v2";
        let path = parse_attr_path_with_schemas("urn:acme:ext:v2:badge", &[short, long]).unwrap();
        assert_eq!(path, AttrPath::new("badge").with_urn(long));
        let path = parse_attr_path_with_schemas("urn:acme:ext:badge", &[short, long]).unwrap();
        assert_eq!(path, AttrPath::new("badge").with_urn(short));
    }

    #[test]
    fn known_urn_must_end_at_a_colon() {
        // "urn:acme:ext" is a prefix of "urn:acme:extra" only textually.
        let path = parse_attr_path_with_schemas("urn:acme:extra:badge", &["urn:acme:ext"]).unwrap();
        assert_eq!(path, AttrPath::new("badge").with_urn("urn:acme:extra"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "userName",
            "name.givenName",
            "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
            "members.$ref",
        ] {
            assert_eq!(parse_attr_path(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn attribute_name_must_start_with_a_letter() {
        let error = parse_attr_path("1abc").unwrap_err();
        assert_eq!(error.offset, 0);
        assert_eq!(error.found.as_deref(), Some("'1abc'"));
    }

    #[test]
    fn invalid_character_is_located() {
        let error = parse_attr_path("name.giv*enName").unwrap_err();
        assert_eq!(error.offset, 8);
        assert!(error.message.contains("'*'"), "{error}");
    }

    #[test]
    fn two_sub_attributes_are_rejected() {
        let error = parse_attr_path("a.b.c").unwrap_err();
        assert_eq!(error.offset, 3);
        assert_eq!(error.found.as_deref(), Some("'.c'"));
        assert!(error.message.contains("at most one sub-attribute"));
    }

    #[test]
    fn empty_urn_is_rejected() {
        let error = parse_attr_path(":userName").unwrap_err();
        assert_eq!(error.offset, 0);
    }

    #[test]
    fn whitespace_is_rejected() {
        let error = parse_attr_path("user Name").unwrap_err();
        assert_eq!(error.offset, 4);
    }

    #[test]
    fn same_attribute_ignores_case() {
        let a = parse_attr_path("Name.GivenName").unwrap();
        let b = parse_attr_path("name.givenname").unwrap();
        assert!(a.same_attribute(&b));
        assert!(!a.same_attribute(&AttrPath::new("name")));
    }

    #[test]
    fn get_attr_prefers_exact_then_case_insensitive() {
        let object = json!({ "userName": "a", "USERNAME": "b", "Title": "c" });
        assert_eq!(get_attr(&object, "USERNAME"), Some(&json!("b")));
        assert_eq!(get_attr(&object, "title"), Some(&json!("c")));
        assert_eq!(get_attr(&object, "missing"), None);
        assert_eq!(get_attr(&json!([1]), "x"), None);
    }
}
