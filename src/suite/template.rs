//! Syntax of `{{ expr }}` templates: splitting a string into text and holes, and parsing
//! each hole's expression. Whether a name is defined is decided later, by the scope.

use crate::suite::model::{ExchangeSide, UniqueKind};

/// A template string split into pieces, with byte offsets into the string.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Hole(Hole),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hole {
    pub expr: RawExpr,
    /// Byte offset of the `{{` in the string.
    pub offset: usize,
}

/// An expression as written, before names are resolved against the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum RawExpr {
    Unique {
        kind: UniqueKind,
        label: Option<String>,
    },
    Uuid,
    Now,
    RunId,
    /// `vars.NAME`
    Var(String),
    /// A bare `NAME`: a capture or a scenario variable.
    Name(String),
    StepRef {
        step: String,
        side: ExchangeSide,
        part: RawPart,
    },
}

/// The part of a step's exchange a reference names, its body path not yet parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum RawPart {
    /// Empty for the whole body.
    Body(String),
    Header(String),
    Status,
}

/// A template that cannot be parsed: what is wrong and the byte offset where.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub message: String,
    pub offset: usize,
    pub hint: Option<String>,
}

const UNIQUE_KINDS: [(&str, UniqueKind); 4] = [
    ("email", UniqueKind::Email),
    ("id", UniqueKind::Id),
    ("name", UniqueKind::Name),
    ("externalId", UniqueKind::ExternalId),
];

/// Names that start an expression and so cannot name a capture or a variable.
pub const RESERVED_NAMES: [&str; 6] = ["unique", "uuid", "now", "run", "vars", "steps"];

/// Splits `text` into literal text and holes. Adjacent text (including `{{ "..." }}`
/// string literals) is merged into one piece.
pub fn parse(text: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces: Vec<Piece> = Vec::new();
    let push_text = |pieces: &mut Vec<Piece>, s: &str| {
        if s.is_empty() {
            return;
        }
        if let Some(Piece::Text(last)) = pieces.last_mut() {
            last.push_str(s);
        } else {
            pieces.push(Piece::Text(s.to_owned()));
        }
    };
    let mut rest_start = 0;
    while let Some(found) = text[rest_start..].find("{{") {
        let open = rest_start + found;
        push_text(&mut pieces, &text[rest_start..open]);
        let inner_start = open + 2;
        let close = find_close(text, inner_start).ok_or_else(|| TemplateError {
            message: "unclosed '{{': expected '}}'".to_owned(),
            offset: open,
            hint: Some("write a literal '{{' as {{ \"{{\" }}".to_owned()),
        })?;
        let inner = &text[inner_start..close];
        match parse_hole(inner.trim()) {
            Ok(HoleContent::Literal(s)) => push_text(&mut pieces, &s),
            Ok(HoleContent::Expr(expr)) => pieces.push(Piece::Hole(Hole { expr, offset: open })),
            Err(mut e) => {
                // The caret underlines the whole hole; the message says what is wrong.
                e.offset = open;
                return Err(e);
            }
        }
        rest_start = close + 2;
    }
    push_text(&mut pieces, &text[rest_start..]);
    Ok(pieces)
}

/// Byte index of the `}}` closing a hole, skipping over double-quoted strings.
fn find_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut in_string = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'}' if !in_string && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

enum HoleContent {
    Literal(String),
    Expr(RawExpr),
}

fn err(message: impl Into<String>, offset: usize) -> TemplateError {
    TemplateError {
        message: message.into(),
        offset,
        hint: None,
    }
}

fn parse_hole(src: &str) -> Result<HoleContent, TemplateError> {
    if src.is_empty() {
        return Err(err("empty '{{ }}': expected an expression", 0));
    }
    if let Some(body) = src.strip_prefix('"') {
        return string_literal(body).map(HoleContent::Literal);
    }
    parse_expr(src).map(HoleContent::Expr)
}

/// The content of `"..."` (the opening quote already stripped); `\"` and `\\` escape.
fn string_literal(body: &str) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                _ => return Err(err("only \\\" and \\\\ can be escaped in a string", i + 1)),
            },
            '"' => {
                return if body[i + 1..].trim().is_empty() {
                    Ok(out)
                } else {
                    Err(err("unexpected text after the string", i + 2))
                };
            }
            _ => out.push(c),
        }
    }
    Err(err("unclosed string: expected '\"'", 0))
}

/// True for names usable as captures, variables, step references and labels.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Parses one expression (already trimmed). Offsets in errors are relative to `src`.
pub fn parse_expr(src: &str) -> Result<RawExpr, TemplateError> {
    let (head, rest) = match src.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (src, None),
    };
    let after_head = head.len() + 1;
    match (head, rest) {
        ("uuid", None) => Ok(RawExpr::Uuid),
        ("now", None) => Ok(RawExpr::Now),
        ("run", Some("id")) => Ok(RawExpr::RunId),
        ("run", _) => Err(err("expected 'run.id'", 0)),
        ("unique", Some(rest)) => unique(rest, after_head),
        ("unique", None) => Err(err(
            "expected 'unique.email', 'unique.id', 'unique.name' or 'unique.externalId'",
            0,
        )),
        ("vars", Some(name)) if is_name(name) => Ok(RawExpr::Var(name.to_owned())),
        ("vars", _) => Err(err("expected 'vars.NAME'", 0)),
        ("steps", Some(rest)) => step_ref(rest, after_head),
        ("steps", None) => Err(err(
            "expected 'steps.NAME.request' or 'steps.NAME.response'",
            0,
        )),
        (name, None) if is_name(name) => Ok(RawExpr::Name(name.to_owned())),
        _ => {
            let mut e = err(format!("unknown expression '{src}'"), 0);
            e.hint = Some(
                "expressions are unique.email|id|name|externalId, uuid, now, run.id, \
                 vars.NAME, NAME and steps.NAME.(request|response)..."
                    .to_owned(),
            );
            Err(e)
        }
    }
}

fn unique(rest: &str, base: usize) -> Result<RawExpr, TemplateError> {
    let (kind_text, label) = match rest.split_once('.') {
        Some((k, l)) => (k, Some(l)),
        None => (rest, None),
    };
    let Some(kind) = UNIQUE_KINDS
        .iter()
        .find(|(name, _)| *name == kind_text)
        .map(|(_, k)| *k)
    else {
        let mut e = err(format!("unknown unique value 'unique.{kind_text}'"), base);
        if let Some(best) = crate::diag::did_you_mean(kind_text, UNIQUE_KINDS.map(|(n, _)| n)) {
            e.hint = Some(format!("did you mean 'unique.{best}'?"));
        }
        return Err(e);
    };
    match label {
        Some(l) if !is_name(l) => Err(err(
            format!("a unique label is letters, digits, '_' and '-', found '{l}'"),
            base + kind_text.len() + 1,
        )),
        _ => Ok(RawExpr::Unique {
            kind,
            label: label.map(str::to_owned),
        }),
    }
}

/// `NAME.(request|response).(body[.PATH]|headers.NAME|status)`, after `steps.`.
fn step_ref(rest: &str, base: usize) -> Result<RawExpr, TemplateError> {
    let Some((step, tail)) = rest.split_once('.') else {
        return Err(err(
            "expected 'steps.NAME.request...' or 'steps.NAME.response...'",
            base,
        ));
    };
    if !is_name(step) {
        return Err(err(
            format!("a step reference uses a name of letters, digits, '_' and '-', found '{step}'"),
            base,
        ));
    }
    let side_base = base + step.len() + 1;
    let (side_text, part_text) = match tail.split_once('.') {
        Some((s, p)) => (s, Some(p)),
        None => (tail, None),
    };
    let side = match side_text {
        "request" => ExchangeSide::Request,
        "response" => ExchangeSide::Response,
        other => {
            let mut e = err(
                format!("expected 'request' or 'response', found '{other}'"),
                side_base,
            );
            if let Some(best) = crate::diag::did_you_mean(other, ["request", "response"]) {
                e.hint = Some(format!("did you mean '{best}'?"));
            }
            return Err(e);
        }
    };
    let part_base = side_base + side_text.len() + 1;
    let part_text = part_text.unwrap_or("");
    let (part_head, part_rest) = match part_text.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (part_text, None),
    };
    let part = match (side, part_head, part_rest) {
        (_, "body", None) => RawPart::Body(String::new()),
        (_, "body", Some(path)) if !path.is_empty() => RawPart::Body(path.to_owned()),
        (ExchangeSide::Response, "headers", Some(name)) if !name.is_empty() => {
            RawPart::Header(name.to_ascii_lowercase())
        }
        (ExchangeSide::Response, "status", None) => RawPart::Status,
        (ExchangeSide::Request, _, _) => {
            return Err(err(
                "expected 'body' or 'body.PATH' after 'request'",
                part_base,
            ));
        }
        (ExchangeSide::Response, _, _) => {
            return Err(err(
                "expected 'body', 'body.PATH', 'headers.NAME' or 'status' after 'response'",
                part_base,
            ));
        }
    };
    Ok(RawExpr::StepRef {
        step: step.to_owned(),
        side,
        part,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(expr: RawExpr, offset: usize) -> Piece {
        Piece::Hole(Hole { expr, offset })
    }

    #[test]
    fn text_without_holes_is_one_piece() {
        assert_eq!(parse("/Users").unwrap(), [Piece::Text("/Users".into())]);
        assert_eq!(parse("").unwrap(), []);
    }

    #[test]
    fn holes_allow_whitespace_inside_braces() {
        assert_eq!(
            parse("/Users/{{user}}?x={{   vars.dept }}").unwrap(),
            [
                Piece::Text("/Users/".into()),
                hole(RawExpr::Name("user".into()), 7),
                Piece::Text("?x=".into()),
                hole(RawExpr::Var("dept".into()), 18),
            ]
        );
    }

    #[test]
    fn a_string_literal_hole_writes_literal_braces() {
        assert_eq!(
            parse(r#"a {{ "{{" }} b }}"#).unwrap(),
            [Piece::Text("a {{ b }}".into())]
        );
    }

    #[test]
    fn an_unclosed_hole_is_reported_at_its_braces() {
        let e = parse("/Users/{{ user").unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("unclosed"));
    }

    #[test]
    fn a_step_reference_may_hold_a_filter_path_with_braces_in_quotes() {
        let pieces =
            parse(r#"{{ steps.create.response.body.emails[value eq "}}"].value }}"#).unwrap();
        assert_eq!(
            pieces,
            [hole(
                RawExpr::StepRef {
                    step: "create".into(),
                    side: ExchangeSide::Response,
                    part: RawPart::Body(r#"emails[value eq "}}"].value"#.into()),
                },
                0
            )]
        );
    }

    #[test]
    fn every_expression_form_parses() {
        let cases = [
            (
                "unique.email",
                RawExpr::Unique {
                    kind: UniqueKind::Email,
                    label: None,
                },
            ),
            (
                "unique.externalId.second",
                RawExpr::Unique {
                    kind: UniqueKind::ExternalId,
                    label: Some("second".into()),
                },
            ),
            ("uuid", RawExpr::Uuid),
            ("now", RawExpr::Now),
            ("run.id", RawExpr::RunId),
            (
                "steps.a.request.body",
                RawExpr::StepRef {
                    step: "a".into(),
                    side: ExchangeSide::Request,
                    part: RawPart::Body(String::new()),
                },
            ),
            (
                "steps.a.response.headers.ETag",
                RawExpr::StepRef {
                    step: "a".into(),
                    side: ExchangeSide::Response,
                    part: RawPart::Header("etag".into()),
                },
            ),
            (
                "steps.a.response.status",
                RawExpr::StepRef {
                    step: "a".into(),
                    side: ExchangeSide::Response,
                    part: RawPart::Status,
                },
            ),
        ];
        for (src, expected) in cases {
            assert_eq!(parse_expr(src).unwrap(), expected, "{src}");
        }
    }

    #[test]
    fn malformed_expressions_say_what_was_expected() {
        let e = parse_expr("unique.mail").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean 'unique.email'?"));
        assert_eq!(e.offset, 7);
        let e = parse_expr("steps.a.respone.status").unwrap_err();
        assert_eq!(e.offset, 8);
        assert_eq!(e.hint.as_deref(), Some("did you mean 'response'?"));
        assert!(parse_expr("steps.a.request.status").is_err());
        assert!(parse_expr("user name").is_err());
        assert!(parse("{{ }}").is_err());
        let e = parse("x {{ a b }}").unwrap_err();
        assert_eq!(e.offset, 2);
    }
}
