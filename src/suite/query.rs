//! The one way format 2 names a part of a response, shared by `expect` keys, capture
//! sources and step references (`{{ create: body id }}`): `status`, `header NAME`,
//! `body` (the whole body) or `body PATH`.

use crate::diag::did_you_mean;
use crate::suite::request::is_header_name;

/// A part of a response as written, its body path not yet parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query<'a> {
    Status,
    /// A header name, lower-case.
    Header(String),
    /// A body path (empty for the whole body) and its byte offset in the written text.
    Body {
        path: &'a str,
        offset: usize,
    },
}

/// The first words of a query, for messages and suggestions.
pub const QUERY_WORDS: [&str; 3] = ["status", "header", "body"];

/// What a query must look like, for hints.
pub const QUERY_SHAPES: &str = "`status`, `header NAME`, `body` or `body PATH`";

/// Why a text is not a query, with a hint when one helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub hint: Option<String>,
}

/// Reads `text` as a query; spaces around the words do not matter.
pub fn parse(text: &str) -> Result<Query<'_>, QueryError> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let (word, rest) = match trimmed.find(char::is_whitespace) {
        Some(end) => (&trimmed[..end], &trimmed[end..]),
        None => (trimmed, ""),
    };
    let arg = rest.trim();
    let arg_offset = lead + word.len() + (rest.len() - rest.trim_start().len());
    match (word, arg.is_empty()) {
        ("status", true) => Ok(Query::Status),
        ("body", _) => Ok(Query::Body {
            path: arg,
            offset: arg_offset,
        }),
        ("header", false) if is_header_name(arg) => Ok(Query::Header(arg.to_ascii_lowercase())),
        ("header", false) => Err(QueryError {
            message: format!("invalid header name '{arg}'"),
            hint: None,
        }),
        ("header", true) => Err(QueryError {
            message: "'header' needs a header name: `header NAME`".to_owned(),
            hint: None,
        }),
        ("status", false) => Err(QueryError {
            message: format!("unexpected '{arg}' after 'status'"),
            hint: None,
        }),
        (other, _) => Err(QueryError {
            message: format!("'{text}' names no part of the response"),
            hint: Some(
                match (other.split_once('.'), did_you_mean(other, QUERY_WORDS)) {
                    (Some(("body", path)), _) => format!("format 2 writes `body {path}`"),
                    (Some(("headers", name)), _) => format!("format 2 writes `header {name}`"),
                    (_, Some(best)) => format!("did you mean '{best}'? A query is {QUERY_SHAPES}"),
                    _ => format!("a query is {QUERY_SHAPES}"),
                },
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_parts_of_a_response_are_named_by_one_word_each() {
        assert_eq!(parse("status"), Ok(Query::Status));
        assert_eq!(parse("header ETag"), Ok(Query::Header("etag".into())));
        assert_eq!(
            parse("body"),
            Ok(Query::Body {
                path: "",
                offset: 4
            })
        );
        assert_eq!(
            parse(r#"body  emails[type eq "work"].value"#),
            Ok(Query::Body {
                path: r#"emails[type eq "work"].value"#,
                offset: 6
            })
        );
    }

    #[test]
    fn a_misspelt_or_incomplete_query_says_what_was_meant() {
        let e = parse("headers etag").unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "did you mean 'header'? A query is `status`, `header NAME`, `body` or `body PATH`"
            )
        );
        assert!(parse("header").is_err());
        assert!(parse("header a b").is_err());
        assert!(parse("status 200").is_err());
        let e = parse("body.id").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("format 2 writes `body id`"));
    }
}
