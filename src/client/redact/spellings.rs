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
    /// Bytes that end some window: any other byte cannot complete a match, which skips
    /// most of a long text at the cost of one lookup.
    last_bytes: [bool; 256],
}

impl Default for Windows {
    fn default() -> Windows {
        Windows::of(&[])
    }
}

impl Windows {
    pub fn of(secrets: &[String]) -> Windows {
        let mut windows = Windows {
            by_len: vec![HashSet::default(); WINDOW + 1],
            lengths: Vec::new(),
            last_bytes: [false; 256],
        };
        for secret in secrets {
            windows.add_secret(secret);
        }
        windows
    }

    /// Adds every spelling of `secret` (nothing for an empty one).
    pub fn add_secret(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        for spelling in spellings(secret.as_bytes()) {
            self.add(&spelling);
        }
        self.lengths = (1..=WINDOW)
            .filter(|n| !self.by_len[*n].is_empty())
            .collect();
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Whether a window can end with `byte`.
    pub fn may_end_with(&self, byte: u8) -> bool {
        self.last_bytes[usize::from(byte)]
    }

    /// Lengths to try, shortest first.
    pub fn lengths(&self) -> &[usize] {
        &self.lengths
    }

    /// Whether the last `len` bytes fed into `key` (see `push`) are a window.
    pub fn contains(&self, len: usize, key: u64) -> bool {
        self.by_len[len].contains(&(key & mask(len)))
    }

    fn add(&mut self, spelling: &[u8]) {
        if spelling.len() < WINDOW {
            self.by_len[spelling.len()].insert(pack(spelling));
        } else {
            for window in spelling.windows(WINDOW) {
                self.by_len[WINDOW].insert(pack(window));
            }
        }
        for window_end in spelling.iter().skip(spelling.len().min(WINDOW) - 1) {
            self.last_bytes[usize::from(*window_end)] = true;
        }
    }
}

/// The rolling key after feeding `byte`: the last eight bytes, newest lowest.
pub fn push(key: u64, byte: u8) -> u64 {
    (key << 8) | u64::from(byte)
}

fn pack(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |key, b| push(key, *b))
}

fn mask(len: usize) -> u64 {
    if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    }
}

/// The secret as a server may echo it once escapes are undone.
fn spellings(secret: &[u8]) -> Vec<Vec<u8>> {
    let mut all = vec![secret.to_vec()];
    if secret.contains(&b' ') {
        // application/x-www-form-urlencoded writes a space as `+`.
        all.push(
            secret
                .iter()
                .map(|b| if *b == b' ' { b'+' } else { *b })
                .collect(),
        );
    }
    for offset in 0..3 {
        let core = base64_core(secret, offset);
        if core.len() >= WINDOW {
            all.push(core.iter().map(|b| to_url_alphabet(*b)).collect());
            all.push(core);
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
        let windows = Windows::of(&["k3y".to_owned(), "0123456789".to_owned()]);
        assert!(windows.contains(3, pack(b"k3y")));
        assert!(!windows.contains(2, pack(b"k3")));
        assert!(windows.contains(8, pack(b"23456789")));
        assert!(!windows.contains(8, pack(b"3456789x")));
        assert!(windows.lengths().contains(&3) && windows.lengths().contains(&8));
    }

    #[test]
    fn no_secret_means_nothing_to_find() {
        assert!(Windows::of(&[String::new()]).is_empty());
    }
}
