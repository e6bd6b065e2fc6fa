//! Recursive-descent parser for the filter grammar of RFC 7644 3.4.2.2, with precise
//! errors and limits on input length and nesting depth.

use serde_json::Value;

use super::attr::attr_path_from_word;
use super::error::{GrammarError, quoted};
use super::filter::{CompareOp, Filter};
use super::lexer::{Lexer, Token, TokenKind};

/// Longest filter (or path) text accepted, in bytes. Bounds the size of the tree that
/// evaluation and printing walk recursively.
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest nesting of `(`, `not (` and `[` accepted, so hostile input cannot exhaust
/// the stack.
pub const MAX_FILTER_DEPTH: usize = 64;

/// Parse a filter such as `userName eq "bjensen" and (emails co "example.com" or not
/// (title pr))`. Keywords and operators are case-insensitive; `and` binds tighter than
/// `or`; values are JSON strings, numbers, `true`, `false` or `null`.
pub fn parse_filter(input: &str) -> Result<Filter, GrammarError> {
    check_length(input)?;
    let mut parser = FilterParser::new(input, 0);
    let filter = parser.or_expr(Scope::Resource, None)?;
    parser.close(Closing::End)?;
    Ok(filter)
}

pub(crate) fn check_length(input: &str) -> Result<(), GrammarError> {
    if input.len() > MAX_FILTER_LEN {
        let at = (0..=MAX_FILTER_LEN)
            .rev()
            .find(|at| input.is_char_boundary(*at))
            .unwrap_or(0);
        return Err(
            GrammarError::new(format!("input is longer than {MAX_FILTER_LEN} bytes"), at)
                .found(format!("{} bytes", input.len())),
        );
    }
    Ok(())
}

/// Where the attribute paths of a filter are rooted.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Paths are attributes of a resource; value paths (`emails[...]`) are allowed.
    Resource,
    /// Inside `parent[...]`: paths are sub-attributes of `parent`, without URN, and
    /// cannot open another `[`.
    Values { parent: &'a str },
}

/// What must come after a complete expression.
#[derive(Clone, Copy)]
enum Closing {
    End,
    /// `)` matching the `(` at this offset.
    Paren(usize),
    /// `]` matching the `[` at this offset.
    Bracket(usize),
}

pub(crate) struct FilterParser<'a> {
    lexer: Lexer<'a>,
    depth: usize,
}

impl<'a> FilterParser<'a> {
    pub fn new(input: &'a str, pos: usize) -> Self {
        FilterParser {
            lexer: Lexer::new(input, pos),
            depth: 0,
        }
    }

    /// Parse the filter inside `[...]` whose `[` sits at `open`; the parser must be
    /// positioned just after it. Returns the filter and the offset just past the `]`.
    pub fn enclosed(
        &mut self,
        open: usize,
        scope: Scope<'a>,
    ) -> Result<(Filter, usize), GrammarError> {
        self.enter(open)?;
        let filter = self.or_expr(scope, None)?;
        let end = self.close(Closing::Bracket(open))?;
        self.depth -= 1;
        Ok((filter, end))
    }

    fn input(&self) -> &'a str {
        self.lexer.input()
    }

    fn enter(&mut self, at: usize) -> Result<(), GrammarError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(GrammarError::new(
                format!("filter nests deeper than {MAX_FILTER_DEPTH} levels"),
                at,
            ));
        }
        Ok(())
    }

    fn next_is_keyword(&mut self, keyword: &str) -> Result<bool, GrammarError> {
        Ok(matches!(self.lexer.peek()?.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(keyword)))
    }

    fn or_expr(&mut self, scope: Scope<'a>, after: Option<&str>) -> Result<Filter, GrammarError> {
        let mut left = self.and_expr(scope, after)?;
        while self.next_is_keyword("or")? {
            let keyword = self.lexer.next_token()?;
            let right = self.and_expr(scope, Some(self.text(&keyword)))?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, scope: Scope<'a>, after: Option<&str>) -> Result<Filter, GrammarError> {
        let mut left = self.unary(scope, after)?;
        while self.next_is_keyword("and")? {
            let keyword = self.lexer.next_token()?;
            let right = self.unary(scope, Some(self.text(&keyword)))?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn text(&self, token: &Token<'_>) -> &'a str {
        &self.input()[token.start..token.end]
    }

    fn unary(&mut self, scope: Scope<'a>, after: Option<&str>) -> Result<Filter, GrammarError> {
        let token = self.lexer.next_token()?;
        match token.kind {
            TokenKind::LParen => self.group(token.start, scope),
            TokenKind::Word(word) if word.eq_ignore_ascii_case("not") && self.starts_not()? => {
                let open = self.lexer.next_token()?;
                if open.kind != TokenKind::LParen {
                    return Err(GrammarError::new(
                        format!("expected '(' after {}", quoted(word)),
                        open.start,
                    )
                    .found(open.describe(self.input()))
                    .hint("write not (filter)"));
                }
                let inner = self.group(open.start, scope)?;
                Ok(Filter::Not(Box::new(inner)))
            }
            TokenKind::Word(word) => self.attr_expr(word, &token, scope),
            _ => {
                let message = match after {
                    Some(keyword) => format!("expected an expression after {}", quoted(keyword)),
                    None => "expected an expression (an attribute path, '(' or 'not')".to_string(),
                };
                Err(GrammarError::new(message, token.start).found(token.describe(self.input())))
            }
        }
    }

    /// After the word `not`: is it the operator (true) or an attribute named `not`?
    fn starts_not(&mut self) -> Result<bool, GrammarError> {
        if self.lexer.peek_char() == Some('[') {
            return Ok(false);
        }
        Ok(match self.lexer.peek()?.kind {
            TokenKind::Word(w) => {
                !(w.eq_ignore_ascii_case("pr") || CompareOp::from_keyword(w).is_some())
            }
            _ => true,
        })
    }

    /// The rest of `( filter )` after the `(` at `open`.
    fn group(&mut self, open: usize, scope: Scope<'a>) -> Result<Filter, GrammarError> {
        self.enter(open)?;
        let inner = self.or_expr(scope, Some("("))?;
        self.close(Closing::Paren(open))?;
        self.depth -= 1;
        Ok(inner)
    }

    /// Consume what must follow a complete expression; returns the offset after it.
    fn close(&mut self, closing: Closing) -> Result<usize, GrammarError> {
        let token = self.lexer.next_token()?;
        let found = token.describe(self.input());
        match (closing, &token.kind) {
            (Closing::End, TokenKind::End)
            | (Closing::Paren(_), TokenKind::RParen)
            | (Closing::Bracket(_), TokenKind::RBracket) => return Ok(token.end),
            (Closing::End | Closing::Bracket(_), TokenKind::RParen) => {
                return Err(GrammarError::new(
                    "unexpected ')' without a matching '('",
                    token.start,
                ));
            }
            (Closing::End, TokenKind::RBracket) => {
                return Err(GrammarError::new(
                    "unexpected ']' without a matching '['",
                    token.start,
                ));
            }
            (Closing::Paren(open), TokenKind::End | TokenKind::RBracket) => {
                return Err(GrammarError::new("expected ')'", token.start)
                    .found(found)
                    .hint(format!("the '(' at offset {open} is not closed")));
            }
            (Closing::Bracket(open), TokenKind::End) => {
                return Err(GrammarError::new("expected ']'", token.start)
                    .found(found)
                    .hint(format!("the '[' at offset {open} is not closed")));
            }
            _ => {}
        }
        let expected = match closing {
            Closing::End => "expected 'and', 'or' or end of input",
            Closing::Paren(_) => "expected 'and', 'or' or ')'",
            Closing::Bracket(_) => "expected 'and', 'or' or ']'",
        };
        let error = GrammarError::new(expected, token.start).found(found);
        Err(match token.kind {
            TokenKind::Word(word) if word.starts_with('.') => error.hint(
                "in a filter a value path takes no sub-attribute; put the condition inside the brackets",
            ),
            _ => error,
        })
    }

    fn attr_expr(
        &mut self,
        word: &'a str,
        token: &Token<'a>,
        scope: Scope<'a>,
    ) -> Result<Filter, GrammarError> {
        let path = attr_path_from_word(word, token.start, &[])?;
        if let Scope::Values { parent } = scope
            && path.urn.is_some()
        {
            return Err(GrammarError::new(
                format!(
                    "inside {}[...] attribute paths are relative and take no schema URN",
                    quoted(parent)
                ),
                token.start,
            )
            .found(quoted(word)));
        }
        if self.lexer.peek_char() == Some('[') {
            let open = self.lexer.next_token()?;
            if let Scope::Values { parent } = scope {
                return Err(GrammarError::new(
                    format!(
                        "a value filter cannot nest another '[...]' (already inside {}[...])",
                        quoted(parent)
                    ),
                    open.start,
                ));
            }
            let (filter, _) = self.enclosed(open.start, Scope::Values { parent: word })?;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(filter),
            });
        }
        let op_token = self.lexer.next_token()?;
        let TokenKind::Word(op_word) = op_token.kind else {
            let mut error = GrammarError::new(
                format!("expected an operator after {}", quoted(word)),
                op_token.start,
            )
            .found(op_token.describe(self.input()));
            if op_token.kind == TokenKind::LBracket {
                error = error.hint("write the '[' right after the attribute name, without a space");
            }
            return Err(error);
        };
        if op_word.eq_ignore_ascii_case("pr") {
            self.reject_value_after_pr(op_word)?;
            return Ok(Filter::Present(path));
        }
        let Some(op) = CompareOp::from_keyword(op_word) else {
            let mut error = GrammarError::new(
                format!("unknown operator {}", quoted(op_word)),
                op_token.start,
            );
            error = match operator_suggestion(op_word) {
                Some(op) => error.hint(format!("did you mean '{op}'?")),
                None => error.hint("operators are eq, ne, co, sw, ew, gt, ge, lt, le and pr"),
            };
            return Err(error);
        };
        let value = self.value(op_word)?;
        Ok(Filter::Compare { path, op, value })
    }

    fn reject_value_after_pr(&mut self, pr: &str) -> Result<(), GrammarError> {
        let next = self.lexer.peek()?;
        let is_value = match next.kind {
            TokenKind::Str(_) => true,
            TokenKind::Word(w) => literal(w).is_some(),
            _ => false,
        };
        if is_value {
            return Err(
                GrammarError::new(format!("{} takes no value", quoted(pr)), next.start)
                    .found(next.describe(self.input())),
            );
        }
        Ok(())
    }

    fn value(&mut self, op: &str) -> Result<Value, GrammarError> {
        let token = self.lexer.next_token()?;
        let expected = || {
            GrammarError::new(
                format!("expected a value after {}", quoted(op)),
                token.start,
            )
        };
        match token.kind {
            TokenKind::Str(text) => Ok(Value::String(text)),
            TokenKind::Word(word) => literal(word).ok_or_else(|| {
                let hint = if literal(&word.to_ascii_lowercase()).is_some() {
                    format!(
                        "JSON literals are lower case: {}",
                        word.to_ascii_lowercase()
                    )
                } else {
                    format!("strings are quoted: {}", Value::String(word.to_string()))
                };
                expected().found(quoted(word)).hint(hint)
            }),
            _ => Err(expected().found(token.describe(self.input()))),
        }
    }
}

/// `true`, `false`, `null` or a JSON number.
fn literal(word: &str) -> Option<Value> {
    match word {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "null" => Some(Value::Null),
        _ => match serde_json::from_str::<Value>(word) {
            Ok(number @ Value::Number(_)) => Some(number),
            _ => None,
        },
    }
}

/// The SCIM operator someone probably meant by a spelling from another filter language.
fn operator_suggestion(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    Some(match lower.as_str() {
        "=" | "==" | "===" | "equals" | "equal" | "is" => "eq",
        "!=" | "<>" | "neq" | "not_equals" => "ne",
        "contains" | "like" | "has" => "co",
        "startswith" | "starts_with" | "starts-with" | "prefix" => "sw",
        "endswith" | "ends_with" | "ends-with" | "suffix" => "ew",
        ">" | "gte" | "greater" => "gt",
        ">=" | "=>" => "ge",
        "<" | "lte" | "less" => "lt",
        "<=" | "=<" => "le",
        "present" | "exists" | "pres" => "pr",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::attr::AttrPath;
    use serde_json::json;

    fn cmp(path: &str, op: CompareOp, value: Value) -> Filter {
        Filter::Compare {
            path: AttrPath::new(path),
            op,
            value,
        }
    }

    #[test]
    fn simple_comparison() {
        assert_eq!(
            parse_filter(r#"userName eq "bjensen""#).unwrap(),
            cmp("userName", CompareOp::Eq, json!("bjensen"))
        );
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let filter = parse_filter(r#"userName EQ "x" AND title Pr OR NOT (x Gt 1)"#).unwrap();
        assert_eq!(
            filter.to_string(),
            r#"userName eq "x" and title pr or not (x gt 1)"#
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let filter = parse_filter("a pr or b pr and c pr").unwrap();
        let Filter::Or(_, right) = filter else {
            panic!("expected or at the top")
        };
        assert!(matches!(*right, Filter::And(..)));
    }

    #[test]
    fn chains_associate_to_the_left() {
        let filter = parse_filter("a pr or b pr or c pr").unwrap();
        let Filter::Or(left, _) = filter else {
            panic!("expected or at the top")
        };
        assert!(matches!(*left, Filter::Or(..)));
    }

    #[test]
    fn values_are_json_literals() {
        for (text, value) in [
            ("1", json!(1)),
            ("-2", json!(-2)),
            ("3.25", json!(3.25)),
            ("-0.5e2", json!(-50.0)),
            ("true", json!(true)),
            ("false", json!(false)),
            ("null", Value::Null),
            (r#""\u00e9""#, json!("é")),
        ] {
            assert_eq!(
                parse_filter(&format!("x eq {text}")).unwrap(),
                cmp("x", CompareOp::Eq, value),
                "{text}"
            );
        }
    }

    #[test]
    fn missing_value_names_the_operator_and_the_end() {
        let error = parse_filter("userName eq").unwrap_err();
        assert_eq!(error.message, "expected a value after 'eq'");
        assert_eq!(error.offset, 11);
        assert_eq!(error.found.as_deref(), Some("end of input"));
    }

    #[test]
    fn unquoted_string_value_suggests_quotes() {
        let error = parse_filter("userName eq bjensen").unwrap_err();
        assert_eq!(error.offset, 12);
        assert_eq!(
            error.hint.as_deref(),
            Some(r#"strings are quoted: "bjensen""#)
        );
    }

    #[test]
    fn capitalised_literal_suggests_lower_case() {
        let error = parse_filter("active eq True").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("JSON literals are lower case: true")
        );
    }

    #[test]
    fn unknown_operator_is_named_with_a_suggestion() {
        let error = parse_filter(r#"userName equals "x""#).unwrap_err();
        assert_eq!(error.message, "unknown operator 'equals'");
        assert_eq!(error.offset, 9);
        assert_eq!(error.hint.as_deref(), Some("did you mean 'eq'?"));
    }

    #[test]
    fn pr_takes_no_value() {
        let error = parse_filter(r#"title pr "x""#).unwrap_err();
        assert_eq!(error.offset, 9);
        assert!(error.message.contains("takes no value"));
    }

    #[test]
    fn not_requires_parentheses() {
        let error = parse_filter("not title pr").unwrap_err();
        assert_eq!(error.message, "expected '(' after 'not'");
        assert_eq!(error.offset, 4);
    }

    #[test]
    fn attribute_named_not_is_still_an_attribute() {
        assert_eq!(
            parse_filter(r#"not eq "x""#).unwrap(),
            cmp("not", CompareOp::Eq, json!("x"))
        );
        assert_eq!(
            parse_filter("not pr").unwrap(),
            Filter::Present(AttrPath::new("not"))
        );
    }

    #[test]
    fn depth_limit_applies_to_parentheses_not_and_brackets() {
        let ok = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert!(parse_filter(&ok).is_ok());
        let deep = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH + 1),
            ")".repeat(MAX_FILTER_DEPTH + 1)
        );
        let error = parse_filter(&deep).unwrap_err();
        assert_eq!(error.offset, MAX_FILTER_DEPTH);
        let nots = format!(
            "{}a pr{}",
            "not (".repeat(MAX_FILTER_DEPTH + 1),
            ")".repeat(MAX_FILTER_DEPTH + 1)
        );
        assert!(parse_filter(&nots).unwrap_err().message.contains("deeper"));
    }

    #[test]
    fn overlong_input_is_rejected_before_parsing() {
        let error = parse_filter(&"(".repeat(100_000)).unwrap_err();
        assert!(error.message.contains("longer than"), "{error}");
    }

    #[test]
    fn value_path_inner_paths_cannot_carry_a_urn() {
        let error = parse_filter(r#"emails[urn:x:y:type eq "work"]"#).unwrap_err();
        assert_eq!(error.offset, 7);
    }

    #[test]
    fn sub_attribute_after_a_value_path_is_explained() {
        let error = parse_filter(r#"emails[type eq "work"].value co "@""#).unwrap_err();
        assert_eq!(error.offset, 22);
        assert!(error.hint.is_some());
    }

    #[test]
    fn space_before_bracket_is_explained() {
        let error = parse_filter(r#"emails [type eq "work"]"#).unwrap_err();
        assert_eq!(error.offset, 7);
        assert!(error.hint.is_some());
    }
}
