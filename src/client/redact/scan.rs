//! Finding secrets in a text, as written and with its escapes undone.
//!
//! The text is read twice: byte for byte, and decoded (JSON `\uXXXX`, `\/` and the other
//! backslash escapes, `%XX` in either case, HTML character references), each decoded
//! byte remembering where in the text it came from. A window of a secret found in either
//! reading marks its source bytes. Any mix of escaped and plain characters is found this
//! way, which no list of pre-encoded spellings could cover.
//!
//! Whether a byte is marked depends only on the text within `REACH` bytes of it, so a
//! long text may be scanned in part (see `Redactor::record`).

use super::spellings::{WINDOW, Windows, push};

/// The most source bytes one decoded byte can come from (`&#x0010FFFF;` style references
/// are refused beyond this), times the window: the farthest a match reaches.
pub const REACH: usize = WINDOW * MAX_ESCAPE;
const MAX_ESCAPE: usize = 12;

/// Byte ranges of `text` that hold a secret (or a fragment of one), sorted and merged.
pub fn find(windows: &Windows, text: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if windows.is_empty() {
        return found;
    }
    scan(
        windows,
        text.iter().enumerate().map(|(i, b)| (*b, i, i + 1)),
        &mut found,
    );
    if text.iter().any(|b| matches!(b, b'%' | b'\\' | b'&')) {
        scan(windows, Decoded::new(text), &mut found);
    }
    merge(found)
}

/// True when `text` holds a secret anywhere (no positions kept).
pub fn holds(windows: &Windows, text: &[u8]) -> bool {
    !find(windows, text).is_empty()
}

fn scan(
    windows: &Windows,
    bytes: impl Iterator<Item = (u8, usize, usize)>,
    found: &mut Vec<(usize, usize)>,
) {
    let mut key = 0u64;
    let mut starts = [0usize; WINDOW];
    let mut count = 0usize;
    for (byte, start, end) in bytes {
        key = push(key, byte);
        starts[count % WINDOW] = start;
        count += 1;
        if !windows.may_end(key, count) {
            continue;
        }
        for &len in windows.lengths() {
            if len > count {
                break;
            }
            if windows.contains(len, key) {
                let first = starts[(count - len) % WINDOW];
                found.push((first, end));
            }
        }
    }
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The decoded bytes of a text, each with the source range it came from.
struct Decoded<'a> {
    text: &'a [u8],
    at: usize,
    /// Bytes of the current decoded character still to hand out.
    pending: [u8; 4],
    pending_len: usize,
    pending_next: usize,
    span: (usize, usize),
}

impl<'a> Decoded<'a> {
    fn new(text: &'a [u8]) -> Decoded<'a> {
        Decoded {
            text,
            at: 0,
            pending: [0; 4],
            pending_len: 0,
            pending_next: 0,
            span: (0, 0),
        }
    }
}

impl Iterator for Decoded<'_> {
    type Item = (u8, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pending_next < self.pending_len {
            let byte = self.pending[self.pending_next];
            self.pending_next += 1;
            return Some((byte, self.span.0, self.span.1));
        }
        let start = self.at;
        let first = *self.text.get(start)?;
        let (decoded, len) = match first {
            b'%' => percent(&self.text[start..]),
            b'\\' => backslash(&self.text[start..]),
            b'&' => reference(&self.text[start..]),
            _ => None,
        }
        .unwrap_or((Char::Byte(first), 1));
        self.at = start + len;
        self.span = (start, start + len);
        match decoded {
            Char::Byte(byte) => Some((byte, start, start + len)),
            Char::Unicode(c) => {
                let encoded = c.encode_utf8(&mut self.pending);
                self.pending_len = encoded.len();
                self.pending_next = 1;
                Some((self.pending[0], start, start + len))
            }
        }
    }
}

enum Char {
    Byte(u8),
    Unicode(char),
}

fn hex(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(bytes).ok()?, 16).ok()
}

/// `%2F` or `%2f`.
fn percent(text: &[u8]) -> Option<(Char, usize)> {
    let value = hex(text.get(1..3)?)?;
    Some((Char::Byte(u8::try_from(value).ok()?), 3))
}

/// JSON (and JavaScript) backslash escapes.
fn backslash(text: &[u8]) -> Option<(Char, usize)> {
    let simple = |byte| Some((Char::Byte(byte), 2));
    match *text.get(1)? {
        b'/' => simple(b'/'),
        b'\\' => simple(b'\\'),
        b'"' => simple(b'"'),
        b'\'' => simple(b'\''),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'x' => Some((Char::Byte(u8::try_from(hex(text.get(2..4)?)?).ok()?), 4)),
        b'u' => {
            let unit = hex(text.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&unit) {
                // A surrogate pair: `\uD83D\uDE00`.
                if text.get(6..8)? != b"\\u" {
                    return None;
                }
                let low = hex(text.get(8..12)?)?;
                if !(0xDC00..0xE000).contains(&low) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?;
                Some((Char::Unicode(c), 12))
            } else {
                Some((Char::Unicode(char::from_u32(unit)?), 6))
            }
        }
        _ => None,
    }
}

/// HTML character references: `&#47;`, `&#x2F;`, and the five XML names.
fn reference(text: &[u8]) -> Option<(Char, usize)> {
    let end = text.iter().take(MAX_ESCAPE).position(|b| *b == b';')?;
    let body = &text[1..end];
    let c = match body {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        _ => {
            let number = body.strip_prefix(b"#")?;
            let value = match number.first()? {
                b'x' | b'X' => hex(&number[1..])?,
                _ => std::str::from_utf8(number).ok()?.parse().ok()?,
            };
            char::from_u32(value)?
        }
    };
    Some((Char::Unicode(c), end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(secret: &str, text: &str) -> Vec<String> {
        let windows = Windows::of(&[secret.to_owned().into()]);
        find(&windows, text.as_bytes())
            .into_iter()
            .map(|(s, e)| text[s..e].to_owned())
            .collect()
    }

    #[test]
    fn plain_and_escaped_spellings_are_marked_whole() {
        let secret = "tok/SECRET+1é";
        for text in [
            "tok/SECRET+1é",
            "tok\\/SECRET+1é",
            "\\u0074\\u006f\\u006B\\u002f\\u0053ECRET\\u002B1\\u00e9",
            "tok%2FSECRET%2B1%C3%A9",
            "tok%2fSECRET%2b1%c3%a9",
            "tok&#47;SECRET&#x2B;1&#233;",
            "tok\\x2fSECRET+1é",
        ] {
            let wrapped = format!("before {text} after");
            assert_eq!(marked(secret, &wrapped), vec![text.to_owned()], "{text}");
        }
    }

    #[test]
    fn a_fragment_of_eight_bytes_is_marked_a_shorter_one_is_not() {
        assert_eq!(marked("abcdefghijkl", "x defghijk y"), vec!["defghijk"]);
        assert!(marked("abcdefghijkl", "x defghij y").is_empty());
    }

    #[test]
    fn a_short_secret_is_marked_only_whole() {
        assert_eq!(marked("k3y", "a k3y b k3 c"), vec!["k3y"]);
    }

    #[test]
    fn surrogate_pairs_decode_to_their_character() {
        let secret = "pw🙂pw🙂pw";
        let text = r"pw\ud83d\ude42pw\uD83D\uDE42pw";
        assert_eq!(marked(secret, text), vec![text.to_owned()]);
    }

    #[test]
    fn broken_escapes_are_read_as_plain_text() {
        for text in [
            "%",
            "%g1",
            "\\",
            "\\u12",
            "\\uD800x",
            "&#;",
            "&#xZZ;",
            "&",
            "&#99999999999;",
        ] {
            assert!(marked("abcdefgh", text).is_empty(), "{text}");
        }
    }
}
