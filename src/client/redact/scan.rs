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

use super::spellings::{WINDOW, Windows, pack, push};

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
    scan_written(windows, text, &mut found);
    if memchr::memchr3(b'%', b'\\', b'&', text).is_some() {
        scan_escapes(windows, text, &mut found);
    }
    merge(found)
}

/// True when `text` holds a secret anywhere (no positions kept).
pub fn holds(windows: &Windows, text: &[u8]) -> bool {
    !find(windows, text).is_empty()
}

/// The text as written. Where the last two bytes cannot end a window, nothing is looked
/// up: that rules out almost every position of a long text at one probe each.
fn scan_written(windows: &Windows, text: &[u8], found: &mut Vec<(usize, usize)>) {
    for end in candidate_ends(windows, text) {
        let key = pack(&text[end.saturating_sub(WINDOW)..end]);
        for &len in windows.lengths() {
            if len > end {
                break;
            }
            if windows.contains(len, key) {
                found.push((end - len, end));
            }
        }
    }
}

/// The ends (exclusive) of the positions where a window may end, found first in a loop
/// of its own, which the compiler keeps tight.
fn candidate_ends(windows: &Windows, text: &[u8]) -> Vec<usize> {
    if windows.has_one_byte_windows() {
        // A one-byte secret: any byte may end one (rare enough to go slowly).
        return (1..=text.len())
            .filter(|&end| {
                let before = end.checked_sub(2).map(|i| text[i]);
                windows.may_end_with(before, text[end - 1])
            })
            .collect();
    }
    let mut ends = Vec::new();
    let Some((&first, rest)) = text.split_first() else {
        return ends;
    };
    let pairs = windows.last_pairs();
    let mut pair = usize::from(first);
    for (i, &last) in rest.iter().enumerate() {
        pair = (pair << 8 | usize::from(last)) & 0xFFFF;
        if pairs[pair / 64] & (1 << (pair % 64)) != 0 {
            ends.push(i + 2);
        }
    }
    ends
}

/// The text with its escapes undone. A window without a decoded escape in it is a window
/// of the text as written, which `scan_written` saw, so only the bytes within a window's
/// length of an escape are fed; the plain runs between escapes are skipped.
fn scan_escapes(windows: &Windows, text: &[u8], found: &mut Vec<(usize, usize)>) {
    let mut reader = Reader::default();
    let mut at = 0;
    while at < text.len() {
        let next = memchr::memchr3(b'%', b'\\', b'&', &text[at..])
            .map_or(text.len(), |offset| at + offset);
        // The first bytes of the run may end a window that holds the escape before it;
        // the last ones begin windows that reach the escape after it.
        let head_end = next.min(at + WINDOW);
        let tail_start = next.saturating_sub(WINDOW).max(head_end);
        reader.feed_written(windows, text, at..head_end, found);
        reader.skip(tail_start - head_end);
        reader.feed_written(windows, text, tail_start..next, found);
        if next == text.len() {
            break;
        }
        let (decoded, len) = decode_at(text, next);
        let span = (next, next + len);
        let escaped = len > 1;
        match decoded {
            Char::Byte(byte) => reader.feed(windows, (byte, span.0, span.1), escaped, found),
            Char::Unicode(c) => {
                let mut utf8 = [0u8; 4];
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    reader.feed(windows, (byte, span.0, span.1), escaped, found);
                }
            }
        }
        at = span.1;
    }
}

/// The rolling state of a scan over decoded bytes, each with its source range.
struct Reader {
    key: u64,
    starts: [usize; WINDOW],
    fed: usize,
    /// Bytes fed since the last one decoded from an escape (`WINDOW` or more: none near).
    since_escape: usize,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            key: 0,
            starts: [0; WINDOW],
            fed: 0,
            since_escape: WINDOW,
        }
    }
}

impl Reader {
    fn feed(
        &mut self,
        windows: &Windows,
        (byte, start, end): (u8, usize, usize),
        escaped: bool,
        found: &mut Vec<(usize, usize)>,
    ) {
        self.key = push(self.key, byte);
        self.starts[self.fed % WINDOW] = start;
        self.fed += 1;
        self.since_escape = if escaped {
            0
        } else {
            self.since_escape.saturating_add(1)
        };
        if self.since_escape >= WINDOW {
            return;
        }
        if !windows.may_end(self.key, self.fed) {
            return;
        }
        for &len in windows.lengths() {
            if len > self.fed {
                break;
            }
            if windows.contains(len, self.key) {
                found.push((self.starts[(self.fed - len) % WINDOW], end));
            }
        }
    }

    /// Bytes of the text as written, each standing for itself.
    fn feed_written(
        &mut self,
        windows: &Windows,
        text: &[u8],
        range: std::ops::Range<usize>,
        found: &mut Vec<(usize, usize)>,
    ) {
        let first = range.start;
        for (i, byte) in text[range].iter().enumerate() {
            let at = first + i;
            self.feed(windows, (*byte, at, at + 1), false, found);
        }
    }

    /// Plain bytes passed over: no window near an escape holds them.
    fn skip(&mut self, bytes: usize) {
        self.fed += bytes;
        self.since_escape = self.since_escape.saturating_add(bytes);
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

/// The character an escape starting at `at` stands for, and the bytes it takes; a
/// byte that starts no valid escape stands for itself.
fn decode_at(text: &[u8], at: usize) -> (Char, usize) {
    let first = text[at];
    match first {
        b'%' => percent(&text[at..]),
        b'\\' => backslash(&text[at..]),
        b'&' => reference(&text[at..]),
        _ => None,
    }
    .unwrap_or((Char::Byte(first), 1))
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
    use proptest::prelude::*;

    /// The scan as first written: every window of the text as written and of the whole
    /// text decoded. `find` must mark exactly what this marks.
    fn every_window_marked(windows: &Windows, text: &[u8]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        if windows.is_empty() {
            return found;
        }
        let written = text.iter().enumerate().map(|(i, b)| (*b, i, i + 1));
        every_window(windows, written, &mut found);
        let mut decoded = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let (c, len) = decode_at(text, at);
            match c {
                Char::Byte(byte) => decoded.push((byte, at, at + len)),
                Char::Unicode(c) => {
                    let mut utf8 = [0u8; 4];
                    for byte in c.encode_utf8(&mut utf8).bytes() {
                        decoded.push((byte, at, at + len));
                    }
                }
            }
            at += len;
        }
        every_window(windows, decoded.into_iter(), &mut found);
        merge(found)
    }

    fn every_window(
        windows: &Windows,
        bytes: impl Iterator<Item = (u8, usize, usize)>,
        found: &mut Vec<(usize, usize)>,
    ) {
        let mut key = 0u64;
        let mut starts = [0usize; WINDOW];
        let mut fed = 0usize;
        for (byte, start, end) in bytes {
            key = push(key, byte);
            starts[fed % WINDOW] = start;
            fed += 1;
            for &len in windows.lengths() {
                if len <= fed && windows.contains(len, key) {
                    found.push((starts[(fed - len) % WINDOW], end));
                }
            }
        }
    }

    /// Pieces of text near a secret: plain text, parts of the secret as written and in
    /// each escape the scan undoes, and broken escapes.
    fn piece(secret: &'static str) -> impl Strategy<Value = String> {
        let part = (0..secret.len(), 1..secret.len() + 1).prop_map(move |(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            secret[a..b].to_owned()
        });
        prop_oneof![
            "[a-z0-9 \\\\%&;#/\"]{0,24}",
            part.clone(),
            part.clone()
                .prop_map(|p| p.bytes().map(|b| format!("%{b:02X}")).collect()),
            part.clone()
                .prop_map(|p| p.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()),
            part.clone()
                .prop_map(|p| p.chars().map(|c| format!("&#{};", c as u32)).collect()),
            part.prop_map(|p| p.replace('/', "\\/")),
            prop_oneof![
                Just("%"),
                Just("\\"),
                Just("&"),
                Just("%4"),
                Just("\\u12"),
                Just("&#x;")
            ]
            .prop_map(str::to_owned),
        ]
    }

    proptest! {
        #[test]
        fn skipping_plain_runs_marks_what_every_window_marks(
            pieces in proptest::collection::vec(piece("tok/SECRET+1234"), 0..12),
            secret in prop_oneof![Just("tok/SECRET+1234"), Just("k3y"), Just("/")],
        ) {
            let windows = Windows::of(&[secret.to_owned().into()]);
            let text = pieces.concat();
            prop_assert_eq!(
                find(&windows, text.as_bytes()),
                every_window_marked(&windows, text.as_bytes()),
                "{}", text
            );
        }
    }

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
