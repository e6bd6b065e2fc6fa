//! Spellings of a secret a server might echo, and a leak detector that looks for every
//! 8-character fragment of a secret in each of them. Written independently of the
//! redactor, so the tests that use it check it rather than repeat it.

#![allow(dead_code)]

pub const FRAGMENT: usize = 8;

/// How a server spells an echoed secret.
#[derive(Debug, Clone)]
pub enum Encoding {
    Verbatim,
    /// JSON string escaping as serde writes it.
    Json,
    /// ... with `/` written `\/` (PHP).
    JsonSlash,
    /// Chosen characters as `\uXXXX` (.NET writes `+` as `\u002B`), hex in either case.
    JsonUnicode {
        mask: u64,
        upper: bool,
    },
    /// Every byte that is not unreserved as `%XX`, each in a chosen case.
    Percent {
        upper_mask: u64,
        all_bytes: bool,
    },
    /// application/x-www-form-urlencoded: spaces as `+`.
    Form,
    /// Base64 of the secret after `lead` other bytes, standard or URL alphabet.
    Base64 {
        lead: Vec<u8>,
        url: bool,
    },
    /// HTML character references, decimal or hexadecimal by mask.
    Html {
        hex_mask: u64,
    },
}

fn bit(mask: u64, i: usize) -> bool {
    mask >> (i % 64) & 1 == 1
}

pub fn encode(text: &str, encoding: &Encoding) -> String {
    match encoding {
        Encoding::Verbatim => text.to_owned(),
        Encoding::Json => json(text),
        Encoding::JsonSlash => json(text).replace('/', "\\/"),
        Encoding::JsonUnicode { mask, upper } => {
            let mut out = String::new();
            for (i, c) in text.chars().enumerate() {
                if bit(*mask, i) {
                    out.push_str(&unicode_escape(c, *upper));
                } else {
                    out.push_str(&json(&c.to_string()));
                }
            }
            out
        }
        Encoding::Percent {
            upper_mask,
            all_bytes,
        } => percent(text, *upper_mask, *all_bytes, false),
        Encoding::Form => percent(text, u64::MAX, false, true),
        Encoding::Base64 { lead, url } => {
            let mut input = lead.clone();
            input.extend_from_slice(text.as_bytes());
            input.extend_from_slice(b"\"}");
            base64(&input, *url)
        }
        Encoding::Html { hex_mask } => text
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if bit(*hex_mask, i) {
                    format!("&#x{:X};", u32::from(c))
                } else {
                    format!("&#{};", u32::from(c))
                }
            })
            .collect(),
    }
}

pub fn json(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

fn unicode_escape(c: char, upper: bool) -> String {
    let mut units = [0u16; 2];
    c.encode_utf16(&mut units)
        .iter()
        .map(|u| {
            if upper {
                format!("\\u{u:04X}")
            } else {
                format!("\\u{u:04x}")
            }
        })
        .collect()
}

pub fn percent(text: &str, upper_mask: u64, all_bytes: bool, form: bool) -> String {
    let mut out = String::new();
    for (i, b) in text.bytes().enumerate() {
        let unreserved = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        if form && b == b' ' {
            out.push('+');
        } else if unreserved && !all_bytes {
            out.push(b as char);
        } else if bit(upper_mask, i) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

pub fn base64(input: &[u8], url: bool) -> String {
    let alphabet: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if !url {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 characters of `fragment` that do not depend on what surrounds it, at each of
/// the three alignments, in both alphabets.
pub fn base64_cores(fragment: &[u8]) -> Vec<String> {
    let mut cores = Vec::new();
    for lead in 0..3usize {
        for url in [false, true] {
            let mut input = vec![0u8; lead];
            input.extend_from_slice(fragment);
            let encoded = base64(&input, url);
            let first = (8 * lead).div_ceil(6);
            let last = (8 * (lead + fragment.len())) / 6;
            let core: String = encoded.chars().take(last).skip(first).collect();
            if core.len() >= FRAGMENT {
                cores.push(core);
            }
        }
    }
    cores
}

/// Every spelling of every 8-character fragment of `secret` that must not appear.
pub fn forbidden(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut all = Vec::new();
    for window in chars.windows(FRAGMENT) {
        let w: String = window.iter().collect();
        all.push(w.clone());
        all.push(json(&w));
        all.push(json(&w).replace('/', "\\/"));
        all.push(encode(
            &w,
            &Encoding::JsonUnicode {
                mask: u64::MAX,
                upper: false,
            },
        ));
        all.push(encode(
            &w,
            &Encoding::JsonUnicode {
                mask: u64::MAX,
                upper: true,
            },
        ));
        all.push(percent(&w, u64::MAX, false, false));
        all.push(percent(&w, 0, false, false));
        all.push(percent(&w, u64::MAX, true, false));
        all.push(percent(&w, 0, true, false));
        all.push(percent(&w, u64::MAX, false, true));
        all.push(
            w.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;"),
        );
        all.push(w.replace('"', "&quot;").replace('\'', "&apos;"));
        all.extend(base64_cores(w.as_bytes()));
    }
    all.sort();
    all.dedup();
    all
}

/// Panics naming the output and the spelling when any fragment of `secret` is in any of
/// `outputs` (name, text).
#[track_caller]
pub fn assert_no_leak(secret: &str, outputs: &[(String, String)]) {
    if let Some(found) = find_leak(secret, outputs) {
        panic!("{found}");
    }
}

/// The first leak of `secret` in `outputs`, described, or None.
pub fn find_leak(secret: &str, outputs: &[(String, String)]) -> Option<String> {
    for needle in forbidden(secret) {
        for (name, text) in outputs {
            if let Some(at) = text.find(&needle) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(80)
                    .map_or(0, |(i, _)| i);
                let to = (at + needle.len() + 80).min(text.len());
                let to = (to..=text.len())
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(text.len());
                return Some(format!(
                    "{needle:?} (from the secret) is in {name}: ...{}...",
                    &text[from..to]
                ));
            }
        }
    }
    None
}
