//! PATCH operation paths (RFC 7644 3.5.2): `attrPath / valuePath [subAttr]`.

use std::fmt;

use super::attr::{AttrPath, attr_path_from_word, check_attr_name};
use super::error::{GrammarError, quoted};
use super::filter::Filter;
use super::lexer::is_delimiter;
use super::parser::{FilterParser, Scope, check_length};

/// The target of a PATCH operation, e.g. `name.givenName`, `members[value eq "2819c223"]`,
/// `emails[type eq "work"].value` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
///
/// With a `filter`, `attr` is the multi-valued attribute, the filter selects its values
/// (paths inside are relative to `attr`) and `sub` names the sub-attribute of each
/// selected value.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    pub sub: Option<String>,
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Parse a PATCH path without knowing the server's schema URNs.
///
/// A URN prefix is everything before the last `:`, so a path that is only a schema URN
/// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, which addresses the
/// whole extension) comes back as the attribute `User` of the schema
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0`. Callers that know their
/// schemas use [`parse_patch_path_with_schemas`] to get that case right.
pub fn parse_patch_path(input: &str) -> Result<PatchPath, GrammarError> {
    parse_patch_path_with_schemas(input, &[])
}

/// Parse a PATCH path, resolving URN prefixes against known schema URNs: the longest
/// known URN that is a case-insensitive prefix of the attribute part (followed by `:` or
/// the end) is the URN, and a path that is exactly a known URN gives
/// [`AttrPath::schema`] (`attr.is_schema()`).
pub fn parse_patch_path_with_schemas(
    input: &str,
    known_schema_urns: &[&str],
) -> Result<PatchPath, GrammarError> {
    check_length(input)?;
    let word_end = input
        .find(|c: char| c.is_whitespace() || is_delimiter(c))
        .unwrap_or(input.len());
    let word = &input[..word_end];
    if word.is_empty() {
        let found = input
            .chars()
            .next()
            .map_or("end of input".to_string(), |c| quoted(&c.to_string()));
        return Err(GrammarError::new("expected an attribute path", 0).found(found));
    }
    let attr = attr_path_from_word(word, 0, known_schema_urns)?;
    let rest = &input[word_end..];
    if rest.is_empty() {
        return Ok(PatchPath {
            attr,
            filter: None,
            sub: None,
        });
    }
    if !rest.starts_with('[') {
        return Err(unexpected_after(input, word_end, "the attribute path"));
    }
    if attr.is_schema() {
        return Err(GrammarError::new(
            format!(
                "a value filter needs a multi-valued attribute, not the schema {}",
                quoted(word)
            ),
            word_end,
        ));
    }
    if let Some(sub) = &attr.sub {
        return Err(GrammarError::new(
            format!(
                "a value filter applies to a multi-valued attribute, not to its sub-attribute {}",
                quoted(sub)
            ),
            word_end,
        )
        .hint(format!("write {}[...].{sub}", attr.name)));
    }
    let mut parser = FilterParser::new(input, word_end + 1);
    let (filter, end) = parser.enclosed(word_end, Scope::Values { parent: word })?;
    let sub = match input[end..].strip_prefix('.') {
        None if end == input.len() => None,
        None => return Err(unexpected_after(input, end, "']'")),
        Some(sub) => {
            check_attr_name(sub, end + 1)?;
            Some(sub.to_string())
        }
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}

fn unexpected_after(input: &str, at: usize, what: &str) -> GrammarError {
    let expected = if what == "']'" {
        "expected '.' and a sub-attribute or the end of the path after ']'".to_string()
    } else {
        format!("expected '[' or the end of the path after {what}")
    };
    GrammarError::new(expected, at).found(quoted(&input[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::CompareOp;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    #[test]
    fn plain_attribute() {
        let path = parse_patch_path("name.givenName").unwrap();
        assert_eq!(path.attr, AttrPath::new("name").with_sub("givenName"));
        assert_eq!((path.filter, path.sub), (None, None));
    }

    #[test]
    fn value_path_with_relative_filter() {
        let path = parse_patch_path(r#"members[value eq "2819c223"]"#).unwrap();
        assert_eq!(path.attr, AttrPath::new("members"));
        assert_eq!(
            path.filter,
            Some(Filter::Compare {
                path: AttrPath::new("value"),
                op: CompareOp::Eq,
                value: json!("2819c223"),
            })
        );
        assert_eq!(path.sub, None);
    }

    #[test]
    fn value_path_with_sub_attribute() {
        let path = parse_patch_path(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(path.attr, AttrPath::new("emails"));
        assert_eq!(path.sub.as_deref(), Some("value"));
        assert_eq!(path.to_string(), r#"emails[type eq "work"].value"#);
    }

    #[test]
    fn extension_attribute_with_sub_attribute() {
        let path = parse_patch_path(&format!("{ENTERPRISE}:manager.value")).unwrap();
        assert_eq!(
            path.attr,
            AttrPath::new("manager")
                .with_urn(ENTERPRISE)
                .with_sub("value")
        );
    }

    #[test]
    fn bare_schema_urn_resolves_with_known_schemas() {
        let path = parse_patch_path_with_schemas(ENTERPRISE, &[ENTERPRISE]).unwrap();
        assert!(path.attr.is_schema());
        assert_eq!(path.to_string(), ENTERPRISE);
    }

    #[test]
    fn bare_schema_urn_without_known_schemas_is_the_documented_fallback() {
        let path = parse_patch_path(ENTERPRISE).unwrap();
        assert_eq!(path.attr.name, "User");
    }

    #[test]
    fn brackets_inside_strings_do_not_close_the_filter() {
        let path = parse_patch_path(r#"emails[value eq "a]b"].display"#).unwrap();
        assert_eq!(path.sub.as_deref(), Some("display"));
    }

    #[test]
    fn nested_value_filter_is_rejected() {
        let error = parse_patch_path(r#"emails[x[y eq 1]]"#).unwrap_err();
        assert_eq!(error.offset, 8);
        assert!(error.message.contains("cannot nest"), "{error}");
    }

    #[test]
    fn unclosed_bracket_is_reported_at_the_end() {
        let error = parse_patch_path(r#"emails[type eq "work""#).unwrap_err();
        assert_eq!(error.message, "expected ']'");
        assert_eq!(
            error.hint.as_deref(),
            Some("the '[' at offset 6 is not closed")
        );
        assert_eq!(error.offset, 21);
    }

    #[test]
    fn garbage_after_the_bracket_is_rejected() {
        let error = parse_patch_path(r#"emails[type eq "work"]value"#).unwrap_err();
        assert_eq!(error.offset, 22);
        assert_eq!(error.found.as_deref(), Some("'value'"));
    }

    #[test]
    fn invalid_sub_attribute_after_the_bracket_is_located() {
        let error = parse_patch_path(r#"emails[type eq "work"].1x"#).unwrap_err();
        assert_eq!(error.offset, 23);
    }

    #[test]
    fn whitespace_outside_the_filter_is_rejected() {
        let error = parse_patch_path("name givenName").unwrap_err();
        assert_eq!(error.offset, 4);
    }

    #[test]
    fn empty_path_is_rejected() {
        assert_eq!(parse_patch_path("").unwrap_err().offset, 0);
        assert_eq!(parse_patch_path("[value pr]").unwrap_err().offset, 0);
    }

    #[test]
    fn value_filter_on_a_sub_attribute_is_rejected() {
        let error = parse_patch_path(r#"name.x[value pr]"#).unwrap_err();
        assert_eq!(error.offset, 6);
    }
}
