//! The spellings a secret can take in what a server sends back, and the byte windows
//! whose presence in a text marks a leak.
//!
//! Escapes (JSON `\uXXXX` and `\/`, percent-encoding in either case, HTML character
//! references) are undone by the scanner before matching, so they need no spelling of
//! their own here; what remains is the secret itself, its form-encoded spelling, and
//! its base64 and base64url forms at each of the three alignments it can have inside a
//! longer encoded text.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A fragment of a secret this long (in bytes) is treated as the secret itself.
pub const WINDOW: usize = 8;

/// Windows of every spelling of every secret, by length: a spelling of `WINDOW` bytes
/// or more contributes each of its `WINDOW`-byte windows (so any fragment of that length
/// matches), a shorter one only itself.
#[derive(Debug, Clone)]
pub struct Windows {
    /// Index `n` holds the windows of length `n` (0 stays empty).
    by_len: Vec<HashSet<u64, BuildHasherDefault<MixHasher>>>,
    /// The lengths that have any window, shortest first.
    lengths: Vec<usize>,
    /// Bytes that are a whole window (of a one-byte spelling).
    ends_alone: [bool; 256],
    /// The last two bytes of every longer window, as a bit set of 65,536 pairs: any
    /// other pair cannot complete a match, which skips almost every position of a long
    /// text at the cost of one lookup.
    last_pairs: Box<[u64; PAIR_WORDS]>,
}

pub const PAIR_WORDS: usize = 65_536 / 64;

impl Default for Windows {
    fn default() -> Windows {
        Windows::of(&[])
    }
}

impl Windows {
    pub fn of(secrets: &[Secret]) -> Windows {
        let mut windows = Windows {
            by_len: vec![HashSet::default(); WINDOW + 1],
            lengths: Vec::new(),
            ends_alone: [false; 256],
            last_pairs: Box::new([0; PAIR_WORDS]),
        };
        for secret in secrets {
            windows.add(secret);
        }
        windows
    }

    /// Adds every spelling of `secret` (nothing for an empty one).
    pub fn add_secret(&mut self, secret: &str) {
        self.add(&Secret::from(secret.to_owned()));
    }

    /// Adds every spelling of `secret` with its public part, keeping only the windows
    /// that hold some of the secret part.
    pub fn add(&mut self, secret: &Secret) {
        if secret.secret.is_empty() {
            return;
        }
        let whole = format!("{}{}", secret.public, secret.secret);
        for (spelling, first_secret) in spellings(whole.as_bytes(), secret.public.len()) {
            self.add_spelling(&spelling, first_secret);
        }
        self.lengths = (1..=WINDOW)
            .filter(|n| !self.by_len[*n].is_empty())
            .collect();
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Whether a window can end with the last of the `fed` bytes fed into `key`.
    pub fn may_end(&self, key: u64, fed: usize) -> bool {
        let [.., before, last] = key.to_be_bytes();
        self.may_end_with((fed >= 2).then_some(before), last)
    }

    /// Whether a window can end with `last`, after `before` (None at a text's start).
    pub fn may_end_with(&self, before: Option<u8>, last: u8) -> bool {
        self.ends_alone[usize::from(last)]
            || before.is_some_and(|before| self.pair_may_end(before, last))
    }

    /// Whether a window of two bytes or more can end with `before` then `last`.
    pub fn pair_may_end(&self, before: u8, last: u8) -> bool {
        let pair = usize::from(before) << 8 | usize::from(last);
        self.last_pairs[pair / 64] & (1 << (pair % 64)) != 0
    }

    /// The bit set of pairs (`before << 8 | last`) that may end a window of two or more.
    pub fn last_pairs(&self) -> &[u64; PAIR_WORDS] {
        &self.last_pairs
    }

    /// Whether some spelling is a single byte (a one-character secret).
    pub fn has_one_byte_windows(&self) -> bool {
        self.lengths.first() == Some(&1)
    }

    fn add_window(&mut self, window: &[u8]) {
        self.by_len[window.len()].insert(pack(window));
        match window {
            [] => {}
            [alone] => self.ends_alone[usize::from(*alone)] = true,
            [.., before, last] => {
                let pair = usize::from(*before) << 8 | usize::from(*last);
                self.last_pairs[pair / 64] |= 1 << (pair % 64);
            }
        }
    }

    /// Lengths to try, shortest first.
    pub fn lengths(&self) -> &[usize] {
        &self.lengths
    }

    /// Whether the last `len` bytes fed into `key` (see `push`) are a window.
    pub fn contains(&self, len: usize, key: u64) -> bool {
        self.by_len[len].contains(&(key & mask(len)))
    }

    /// The windows of one spelling that reach `first_secret` (its first byte that
    /// depends on the secret part): a window of the public part alone is no secret.
    fn add_spelling(&mut self, spelling: &[u8], first_secret: usize) {
        if spelling.len() < WINDOW {
            if !spelling.is_empty() {
                self.add_window(spelling);
            }
            return;
        }
        for (start, window) in spelling.windows(WINDOW).enumerate() {
            if start + WINDOW > first_secret {
                self.add_window(window);
            }
        }
    }
}

/// The rolling key after feeding `byte`: the last eight bytes, newest lowest.
pub fn push(key: u64, byte: u8) -> u64 {
    (key << 8) | u64::from(byte)
}

pub fn pack(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |key, b| push(key, *b))
}

fn mask(len: usize) -> u64 {
    if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    }
}

/// A value never to show: `secret`, which may follow a `public` part it is sent with
/// (the client id before an OAuth2 client secret in a Basic pair). A fragment of the
/// public part alone is no secret; one that reaches into the secret part is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub public: String,
    pub secret: String,
}

impl Secret {
    pub fn after(public: impl Into<String>, secret: impl Into<String>) -> Secret {
        Secret {
            public: public.into(),
            secret: secret.into(),
        }
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Secret {
        Secret::after(String::new(), secret)
    }
}

/// The text (its first `public` bytes not secret) as a server may echo it once escapes
/// are undone, each spelling with the index of its first byte that depends on the
/// secret part.
fn spellings(text: &[u8], public: usize) -> Vec<(Vec<u8>, usize)> {
    let mut all = vec![(text.to_vec(), public)];
    if text.contains(&b' ') {
        // application/x-www-form-urlencoded writes a space as `+`.
        all.push((
            text.iter()
                .map(|b| if *b == b' ' { b'+' } else { *b })
                .collect(),
            public,
        ));
    }
    for offset in 0..3 {
        let core = base64_core(text, offset);
        if core.len() >= WINDOW {
            // The characters made of the public part's bits alone come first.
            let public_chars = base64_core(&text[..public], offset).len();
            all.push((
                core.iter().map(|b| to_url_alphabet(*b)).collect(),
                public_chars,
            ));
            all.push((core, public_chars));
        }
    }
    all
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64 characters that depend on `secret` alone when it starts `offset` bytes
/// into a longer encoded input: whatever surrounds it, these characters appear.
pub fn base64_core(secret: &[u8], offset: usize) -> Vec<u8> {
    let mut input = vec![0u8; offset];
    input.extend_from_slice(secret);
    let bits_start = 8 * offset;
    let bits_end = 8 * (offset + secret.len());
    let mut out = Vec::new();
    for (i, chunk) in input.chunks(3).enumerate() {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            let first_bit = 24 * i + 6 * j;
            if first_bit >= bits_start && first_bit + 6 <= bits_end {
                out.push(BASE64[((n >> (18 - 6 * j)) & 63) as usize]);
            }
        }
    }
    out
}

fn to_url_alphabet(c: u8) -> u8 {
    match c {
        b'+' => b'-',
        b'/' => b'_',
        other => other,
    }
}

/// A fast hasher for the packed windows (they are not attacker-chosen keys of a map
/// that grows: the set is fixed before any text is seen).
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let x = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = x ^ (x >> 29);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard_base64(input: &[u8]) -> String {
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn the_base64_core_appears_whatever_precedes_or_follows_the_secret() {
        let secret = b"tok-SECRET-1234567";
        for before in ["", "a", "ab", "abc", "Bearer ", "x:"] {
            for after in ["", "z", "zz", "\"}"] {
                let mut input = before.as_bytes().to_vec();
                input.extend_from_slice(secret);
                input.extend_from_slice(after.as_bytes());
                let encoded = standard_base64(&input);
                let core = base64_core(secret, before.len() % 3);
                let core = String::from_utf8(core).unwrap();
                assert!(core.len() >= secret.len() * 4 / 3 - 2, "{core}");
                assert!(
                    encoded.contains(&core),
                    "{before:?}{after:?}: {encoded} / {core}"
                );
            }
        }
    }

    #[test]
    fn short_spellings_match_whole_and_long_ones_by_any_window() {
        let windows = Windows::of(&["k3y".to_owned().into(), "0123456789".to_owned().into()]);
        assert!(windows.contains(3, pack(b"k3y")));
        assert!(!windows.contains(2, pack(b"k3")));
        assert!(windows.contains(8, pack(b"23456789")));
        assert!(!windows.contains(8, pack(b"3456789x")));
        assert!(windows.lengths().contains(&3) && windows.lengths().contains(&8));
    }

    #[test]
    fn no_secret_means_nothing_to_find() {
        assert!(Windows::of(&[String::new().into()]).is_empty());
        assert!(Windows::of(&[Secret::after("client-id", "")]).is_empty());
    }

    #[test]
    fn a_window_of_the_public_part_alone_is_no_secret() {
        let windows = Windows::of(&[Secret::after("talkdesk-scim:", "cs-SECRET-42")]);
        assert!(!windows.contains(8, pack(b"talkdesk")));
        assert!(!windows.contains(8, pack(b"desk-sci")));
        // A window that reaches one byte into the secret is marked.
        assert!(windows.contains(8, pack(b"k-scim:c")));
        assert!(windows.contains(8, pack(b"SECRET-4")));
        // In base64 too: the characters of the id alone are not marked.
        for offset in 0..3 {
            let id = base64_core(b"talkdesk-scim", offset);
            for window in id.windows(WINDOW) {
                assert!(!windows.contains(8, pack(window)), "{offset}");
            }
            let secret = base64_core(b"cs-SECRET-42", offset);
            assert!(windows.contains(8, pack(&secret[..WINDOW])), "{offset}");
        }
    }
}
