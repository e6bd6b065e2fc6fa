//! Entity tags (RFC 7644 3.14): the weak ETag of a version, and If-Match / If-None-Match
//! evaluation with weak comparison, as SCIM's own examples use weak tags in If-Match.

use super::misbehave::Misbehaviour;
use super::provider::Ctx;

/// The ETag header value and `meta.version` of a resource version.
pub fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}

/// The ETag of a version as this server shows it (`etag-strong` drops the W/).
pub fn shown_etag(ctx: &Ctx<'_>, version: u64) -> String {
    let tag = etag(version);
    if ctx.misbehaves(Misbehaviour::EtagStrong) {
        tag.trim_start_matches("W/").to_string()
    } else {
        tag
    }
}

/// Does an If-Match or If-None-Match header value name the current tag? `*` names any.
pub fn header_matches(header: &str, current: &str) -> bool {
    let current = opaque(current);
    split_tags(header).any(|tag| tag == "*" || opaque(tag) == current)
}

/// The tag without its weakness prefix (`W/"3"` and `"3"` compare equal).
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Split a comma-separated list of entity tags; commas inside quotes stay.
fn split_tags(header: &str) -> impl Iterator<Item = &str> {
    let mut tags = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (at, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                tags.push(&header[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    tags.push(&header[start..]);
    tags.into_iter()
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison_and_lists() {
        let current = etag(7);
        assert_eq!(current, "W/\"7\"");
        assert!(header_matches("W/\"7\"", &current));
        assert!(header_matches("\"7\"", &current));
        assert!(header_matches("W/\"1\", W/\"7\"", &current));
        assert!(header_matches("*", &current));
        assert!(!header_matches("W/\"70\"", &current));
        assert!(!header_matches("W/\"a,7\"", &current));
    }
}
