//! Text from the server under test, made safe to print: control characters that a
//! terminal would act on (carriage return, escape sequences, backspace, C1 controls) and
//! Unicode bidi overrides that reorder what is shown come out as visible escapes, so a
//! server cannot overwrite a FAIL line with a fake PASS or hide text.
//!
//! Escaping is idempotent (the escapes are plain printable text), so a text may pass
//! through here more than once on its way out.

use std::borrow::Cow;

/// True for characters that change what a terminal shows rather than being shown.
/// Line feed and tab are kept: they only lay text out.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi embeddings, overrides and isolates, the marks, and line/paragraph
        // separators some terminals treat as line breaks.
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
    )
}

/// True when `text` holds an unsafe character. Printable ASCII, line feed and tab are
/// ruled out a byte at a time; characters are decoded only where some other byte is.
fn holds_unsafe(text: &str) -> bool {
    let plain = |b: &u8| matches!(b, b' '..=b'~' | b'\n' | b'\t');
    // Whole chunks without an early exit, which the compiler turns into vector code.
    let all_plain = |chunk: &[u8]| chunk.iter().fold(true, |all, b| all & plain(b));
    if text.as_bytes().chunks(64).all(all_plain) {
        return false;
    }
    text.chars().any(is_unsafe)
}

/// `text` with every unsafe character written as `\r` or `\u{1b}`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !holds_unsafe(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if c == '\r' {
            out.push_str("\\r");
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON whose strings may still hold bidi characters or C1 controls raw
/// (serde_json escapes only C0): those are written as JSON `\uXXXX` escapes, which keeps
/// the document valid and equal in meaning.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    if !holds_unsafe(json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut at `max` characters, saying how much was left out.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", &text[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carriage_return_cannot_overwrite_a_line() {
        let forged = "FAIL users.create\r     PASS users.create";
        assert_eq!(
            escape_controls(forged),
            "FAIL users.create\\r     PASS users.create"
        );
    }

    #[test]
    fn escape_sequences_backspace_and_c1_controls_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("\u{1b}[2Jx\u{8}y\u{9b}31m\u{0}"),
            "\\u{1b}[2Jx\\u{8}y\\u{9b}31m\\u{0}"
        );
    }

    #[test]
    fn bidi_overrides_and_isolates_are_shown_escaped() {
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}'] {
            let text = format!("a{c}b");
            let shown = escape_controls(&text);
            assert!(!shown.contains(c), "{shown}");
            assert!(
                shown.starts_with("a\\u{") && shown.ends_with("}b"),
                "{shown}"
            );
        }
    }

    #[test]
    fn line_feeds_tabs_and_ordinary_unicode_stay() {
        let text = "line one\n\tline two: é ü 漢字 🙂";
        assert!(matches!(escape_controls(text), Cow::Borrowed(_)));
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = escape_controls("a\r\u{1b}\u{202e}b").into_owned();
        assert_eq!(escape_controls(&once), once);
    }

    #[test]
    fn json_stays_valid_and_equal_in_meaning() {
        let value = serde_json::json!({"detail": "x\u{202e}y\u{85}z\u{1b}"});
        let text = serde_json::to_string(&value).unwrap();
        let safe = json_safe(&text);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 5), "ééé");
        assert_eq!(truncate("éééé", 2), "éé… (2 more characters)");
    }
}
