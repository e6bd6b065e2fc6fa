//! Compiler-style rendering of one diagnostic with annotate-snippets.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Diagnostic, Kind};

pub(super) fn render(d: &Diagnostic, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let level = match d.kind {
        Kind::Error => Level::ERROR,
        Kind::Warning => Level::WARNING,
    };
    let file = &d.loc.file;
    let title = level.primary_title(d.message.as_str());

    let located_line = (d.loc.line > 0)
        .then(|| source_line(&file.text, d.loc.line as usize))
        .flatten();
    let mut group: Group<'_> = match located_line {
        Some(line) => {
            let start = byte_of_column(line, d.loc.col as usize);
            let end = token_end(line, start);
            let mut annotation = AnnotationKind::Primary.span(start..end);
            if let Some(label) = &d.label {
                annotation = annotation.label(label.as_str());
            }
            title.element(
                Snippet::source(line)
                    .line_start(d.loc.line as usize)
                    .path(file.name.as_str())
                    .annotation(annotation),
            )
        }
        None => {
            let mut origin = Origin::path(file.name.as_str());
            if d.loc.line > 0 {
                origin = origin
                    .line(d.loc.line as usize)
                    .char_column(d.loc.col as usize);
            }
            title.element(origin)
        }
    };
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    for note in &d.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    renderer.render(&[group])
}

/// The 1-based `line` of `text` without its line break.
fn source_line(text: &str, line: usize) -> Option<&str> {
    let raw = text.split('\n').nth(line.checked_sub(1)?)?;
    Some(raw.strip_suffix('\r').unwrap_or(raw))
}

/// Byte index of a 1-based character column, clamped to the line.
fn byte_of_column(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// Where the YAML token starting at `start` ends: a quoted string, a `{{ }}` hole, a flow
/// collection, or a plain scalar / key. The model keeps positions, not lengths, so the
/// span is read back from the source line.
fn token_end(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let len = if rest.starts_with("{{") {
        rest.find("}}").map_or(2, |i| i + 2)
    } else if let Some(body) = rest.strip_prefix('"') {
        closing_double_quote(body).map_or(rest.len(), |i| i + 2)
    } else if let Some(body) = rest.strip_prefix('\'') {
        closing_single_quote(body).map_or(rest.len(), |i| i + 2)
    } else if rest.starts_with('[') || rest.starts_with('{') {
        matching_bracket(rest).map_or(rest.len(), |i| i + 1)
    } else {
        plain_end(rest, inside_flow(&line[..start]))
    };
    let end = start + rest[..len].trim_end().len();
    if end == start {
        // Point at one character so the caret is visible.
        rest.chars().next().map_or(start, |c| start + c.len_utf8())
    } else {
        end
    }
}

fn closing_double_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn closing_single_quote(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn matching_bracket(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// True when an unclosed `[` or `{` precedes the position on this line.
fn inside_flow(before: &str) -> bool {
    let mut depth = 0i32;
    for c in before.chars() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

fn plain_end(rest: &str, flow: bool) -> usize {
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        let ends = match b {
            b':' => next.is_none_or(|n| n == b' ' || n == b'\t' || (flow && n == b',')),
            b'#' => i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t'),
            b',' | b']' | b'}' => flow,
            _ => false,
        };
        if ends {
            return i;
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::token_end;

    fn token(line: &str, start: usize) -> &str {
        &line[start..token_end(line, start)]
    }

    #[test]
    fn a_key_ends_at_its_colon() {
        assert_eq!(token("  stauts: 200", 2), "stauts");
    }

    #[test]
    fn a_quoted_value_includes_its_quotes() {
        assert_eq!(
            token(r#"path: "/Users/{{ x }}" # c"#, 6),
            r#""/Users/{{ x }}""#
        );
        assert_eq!(token("a: 'it''s' x", 3), "'it''s'");
    }

    #[test]
    fn a_hole_is_underlined_whole() {
        assert_eq!(token("path: /Users/{{ usr }}/x", 13), "{{ usr }}");
        assert_eq!(token("path: \"/x/{{ usr\"", 10), "{{");
    }

    #[test]
    fn a_plain_value_stops_at_a_comment_or_a_flow_delimiter() {
        assert_eq!(token("status: 2000 # wrong", 8), "2000");
        assert_eq!(token("{ status: 2000, body: {} }", 10), "2000");
        assert_eq!(token("title: a, b", 7), "a, b");
    }

    #[test]
    fn a_flow_collection_is_underlined_to_its_closing_bracket() {
        assert_eq!(
            token("requires: [users, \"x]\"] # c", 10),
            "[users, \"x]\"]"
        );
    }

    #[test]
    fn an_empty_rest_gives_an_empty_span() {
        assert_eq!(token("key:", 4), "");
    }
}
