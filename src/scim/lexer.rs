//! Tokens of the filter grammar: brackets, words (paths, operators, literals) and JSON
//! strings, each with its byte span in the input.

use super::error::{GrammarError, quoted};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// A run of characters up to whitespace, a bracket or a quote: an attribute path,
    /// an operator, `and`/`or`/`not`, a number or `true`/`false`/`null`.
    Word(&'a str),
    /// A JSON string literal, already decoded.
    Str(String),
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind<'a>,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    /// How the token reads in an error message ("found ...").
    pub fn describe(&self, input: &str) -> String {
        match self.kind {
            TokenKind::End => "end of input".to_string(),
            _ => quoted(&input[self.start..self.end]),
        }
    }
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str, pos: usize) -> Self {
        Lexer { input, pos }
    }

    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The character right at the current position, without skipping whitespace.
    pub fn peek_char(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    pub fn peek(&mut self) -> Result<Token<'a>, GrammarError> {
        let saved = self.pos;
        let token = self.next_token();
        self.pos = saved;
        token
    }

    pub fn next_token(&mut self) -> Result<Token<'a>, GrammarError> {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
        let start = self.pos;
        let Some(c) = trimmed.chars().next() else {
            return Ok(Token {
                kind: TokenKind::End,
                start,
                end: start,
            });
        };
        let single = |kind| Token {
            kind,
            start,
            end: start + 1,
        };
        let token = match c {
            '(' => single(TokenKind::LParen),
            ')' => single(TokenKind::RParen),
            '[' => single(TokenKind::LBracket),
            ']' => single(TokenKind::RBracket),
            '"' => {
                let (value, end) = decode_string(self.input, start)?;
                Token {
                    kind: TokenKind::Str(value),
                    start,
                    end,
                }
            }
            _ => {
                let len = trimmed
                    .find(|c: char| c.is_whitespace() || is_delimiter(c))
                    .unwrap_or(trimmed.len());
                Token {
                    kind: TokenKind::Word(&trimmed[..len]),
                    start,
                    end: start + len,
                }
            }
        };
        self.pos = token.end;
        Ok(token)
    }
}

pub(crate) fn is_delimiter(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | '"')
}

/// Decode the JSON string starting with the quote at `start`; returns the value and the
/// offset just past the closing quote.
pub(crate) fn decode_string(input: &str, start: usize) -> Result<(String, usize), GrammarError> {
    let mut out = String::new();
    let mut chars = input[start + 1..]
        .char_indices()
        .map(|(i, c)| (start + 1 + i, c));
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((out, at + 1)),
            '\\' => {
                let Some((_, escape)) = chars.next() else {
                    break;
                };
                match escape {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => out.push(decode_unicode_escape(input, at, &mut chars)?),
                    other => {
                        return Err(GrammarError::new("invalid escape in string", at)
                            .found(format!("'\\{other}'"))
                            .hint(r#"JSON strings allow \" \\ \/ \b \f \n \r \t and \uXXXX"#));
                    }
                }
            }
            c if (c as u32) < 0x20 => {
                return Err(
                    GrammarError::new("control character in string (escape it)", at)
                        .found(format!("U+{:04X}", c as u32)),
                );
            }
            c => out.push(c),
        }
    }
    Err(GrammarError::new("unterminated string", start).found("end of input"))
}

/// `\uXXXX`, including a surrogate pair written as two escapes. `at` is the backslash.
fn decode_unicode_escape(
    input: &str,
    at: usize,
    chars: &mut impl Iterator<Item = (usize, char)>,
) -> Result<char, GrammarError> {
    let first = hex4(input, at, chars)?;
    if !(0xD800..0xDC00).contains(&first) {
        return char::from_u32(first).ok_or_else(|| lone_surrogate(input, at));
    }
    // High surrogate: a low surrogate escape must follow.
    let low_at = at + 6;
    let (Some((_, '\\')), Some((_, 'u'))) = (chars.next(), chars.next()) else {
        return Err(lone_surrogate(input, at));
    };
    let second = hex4(input, low_at, chars)?;
    if !(0xDC00..0xE000).contains(&second) {
        return Err(lone_surrogate(input, at));
    }
    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
    char::from_u32(code).ok_or_else(|| lone_surrogate(input, at))
}

fn hex4(
    input: &str,
    at: usize,
    chars: &mut impl Iterator<Item = (usize, char)>,
) -> Result<u32, GrammarError> {
    let mut code = 0;
    for _ in 0..4 {
        let digit = chars.next().and_then(|(_, c)| c.to_digit(16));
        match digit {
            Some(d) => code = code * 16 + d,
            None => {
                let end = input[at..]
                    .char_indices()
                    .nth(6)
                    .map_or(input.len(), |(i, _)| at + i);
                return Err(GrammarError::new(
                    "invalid unicode escape (expected \\u and four hex digits)",
                    at,
                )
                .found(quoted(&input[at..end])));
            }
        }
    }
    Ok(code)
}

fn lone_surrogate(input: &str, at: usize) -> GrammarError {
    let end = (at + 6).min(input.len());
    let shown = input.get(at..end).unwrap_or("\\u");
    GrammarError::new("unpaired surrogate in unicode escape", at).found(quoted(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind<'_>> {
        let mut lexer = Lexer::new(input, 0);
        let mut out = Vec::new();
        loop {
            let token = lexer.next_token().unwrap();
            if token.kind == TokenKind::End {
                return out;
            }
            out.push(token.kind);
        }
    }

    #[test]
    fn words_stop_at_whitespace_brackets_and_quotes() {
        assert_eq!(
            kinds(r#"emails[type eq"work"] (x)"#),
            vec![
                TokenKind::Word("emails"),
                TokenKind::LBracket,
                TokenKind::Word("type"),
                TokenKind::Word("eq"),
                TokenKind::Str("work".into()),
                TokenKind::RBracket,
                TokenKind::LParen,
                TokenKind::Word("x"),
                TokenKind::RParen,
            ]
        );
    }

    #[test]
    fn urn_paths_with_dots_and_colons_are_one_word() {
        let word = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value";
        assert_eq!(kinds(word), vec![TokenKind::Word(word)]);
    }

    #[test]
    fn token_spans_are_byte_offsets() {
        let mut lexer = Lexer::new("  é eq", 0);
        let token = lexer.next_token().unwrap();
        assert_eq!((token.start, token.end), (2, 4));
        let token = lexer.next_token().unwrap();
        assert_eq!((token.start, token.end), (5, 7));
    }

    #[test]
    fn strings_decode_json_escapes() {
        assert_eq!(
            kinds(r#""a\"b\\c\/\n\t\u00e9\ud83d\ude00""#),
            vec![TokenKind::Str("a\"b\\c/\n\té😀".into())]
        );
    }

    #[test]
    fn unterminated_string_points_at_its_opening_quote() {
        let mut lexer = Lexer::new(r#"x eq "abc"#, 0);
        lexer.next_token().unwrap();
        lexer.next_token().unwrap();
        let error = lexer.next_token().unwrap_err();
        assert_eq!(error.offset, 5);
        assert_eq!(error.message, "unterminated string");
    }

    #[test]
    fn invalid_escape_is_located() {
        let error = Lexer::new(r#""ab\qc""#, 0).next_token().unwrap_err();
        assert_eq!(error.offset, 3);
        assert_eq!(error.found.as_deref(), Some("'\\q'"));
    }

    #[test]
    fn short_unicode_escape_is_rejected() {
        let error = Lexer::new(r#""\u12""#, 0).next_token().unwrap_err();
        assert_eq!(error.offset, 1);
    }

    #[test]
    fn lone_surrogate_is_rejected() {
        let error = Lexer::new(r#""\ud83d x""#, 0).next_token().unwrap_err();
        assert!(error.message.contains("surrogate"));
    }

    #[test]
    fn raw_control_characters_are_rejected() {
        let error = Lexer::new("\"a\nb\"", 0).next_token().unwrap_err();
        assert_eq!(error.offset, 2);
    }

    #[test]
    fn peek_does_not_consume() {
        let mut lexer = Lexer::new("a b", 0);
        assert_eq!(lexer.peek().unwrap().kind, TokenKind::Word("a"));
        assert_eq!(lexer.next_token().unwrap().kind, TokenKind::Word("a"));
        assert_eq!(lexer.next_token().unwrap().kind, TokenKind::Word("b"));
    }
}
