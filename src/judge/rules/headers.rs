//! Media types (RFC 7644 3.8 and 8.1), the request URL's encoding (RFC 7644 1.2) and the
//! If-Match header's syntax (RFC 7232 3.1).

use crate::judge::finding::Verdict;
use crate::judge::request::{Body, Incoming};
use crate::judge::rulebook::ids;

const SCIM_JSON: &str = "application/scim+json";
const JSON: &str = "application/json";
/// Characters that may not appear raw in a URL (RFC 3986 2 and appendix A).
const NOT_IN_URLS: &[char] = &[' ', '"', '<', '>', '{', '}', '|', '\\', '^', '`'];

pub fn check(req: &Incoming<'_>, v: &mut Verdict) {
    content_type(req, v);
    accept(req, v);
    url(req, v);
    if_match(req, v);
}

fn content_type(req: &Incoming<'_>, v: &mut Verdict) {
    if req.body == Body::None {
        return;
    }
    let header = req.header("content-type");
    let (essence, parameters) = match header {
        Some(text) => {
            let mut parts = text.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let parameters: Vec<&str> = parts.map(str::trim).filter(|p| !p.is_empty()).collect();
            (Some(essence), parameters)
        }
        None => (None, Vec::new()),
    };
    match essence.as_deref() {
        Some(SCIM_JSON) => v.checked(ids::SCIM_JSON),
        _ => v.broke(
            ids::SCIM_JSON,
            "header Content-Type",
            header.unwrap_or("(none)"),
            SCIM_JSON,
        ),
    }
    if essence.as_deref() == Some(SCIM_JSON) {
        if parameters.is_empty() {
            v.checked(ids::NO_MEDIA_PARAMETERS);
        } else {
            v.broke(
                ids::NO_MEDIA_PARAMETERS,
                "header Content-Type",
                header.unwrap_or_default(),
                "application/scim+json with no parameters (the media type defines none)",
            );
        }
    }
    let declares_charset = parameters
        .iter()
        .any(|p| p.to_ascii_lowercase().starts_with("charset="));
    let says_json = matches!(essence.as_deref(), Some(SCIM_JSON | JSON));
    if std::str::from_utf8(&req.seen.body).is_err() {
        if declares_charset {
            v.checked(ids::DECLARES_OTHER_ENCODING);
        } else {
            v.broke(
                ids::DECLARES_OTHER_ENCODING,
                "body",
                format!("{} bytes that are not UTF-8", req.seen.body.len()),
                "UTF-8 JSON, or a Content-Type that names the encoding used",
            );
        }
    } else if let Body::NotJson(why) = &req.body
        && says_json
    {
        v.broke(
            ids::DECLARES_OTHER_ENCODING,
            "body",
            format!("not JSON ({why})"),
            "the JSON its Content-Type announces",
        );
    } else {
        v.checked(ids::DECLARES_OTHER_ENCODING);
    }
}

fn accept(req: &Incoming<'_>, v: &mut Verdict) {
    let Some(header) = req.header("accept") else {
        return;
    };
    if crate::server::accepts_json(&req.seen.headers) {
        v.checked(ids::ACCEPT_MAY);
    } else {
        v.broke(
            ids::ACCEPT_MAY,
            "header Accept",
            header,
            "a range that admits application/scim+json, the format every SCIM server offers",
        );
    }
}

fn url(req: &Incoming<'_>, v: &mut Verdict) {
    let raw = req
        .seen
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or_default();
    match raw
        .chars()
        .find(|c| NOT_IN_URLS.contains(c) || c.is_control())
    {
        None => v.checked(ids::URLS_PERCENT_ENCODED),
        Some(c) => v.broke(
            ids::URLS_PERCENT_ENCODED,
            "URL",
            raw,
            format!(
                "every {} percent-encoded (as %{:02X})",
                if c == ' ' {
                    "space".to_owned()
                } else {
                    format!("'{c}'")
                },
                c as u32
            ),
        ),
    }
}

fn if_match(req: &Incoming<'_>, v: &mut Verdict) {
    let Some(header) = req.header("if-match") else {
        return;
    };
    if is_entity_tag_list(header) {
        v.checked(ids::IF_MATCH_SYNTAX);
    } else {
        v.broke(
            ids::IF_MATCH_SYNTAX,
            "header If-Match",
            header,
            "* or entity tags in double quotes, such as W/\"3\" (the ETag the server sent)",
        );
    }
}

/// `*`, or `W/"a", "b"`: entity tags are quoted; `W/` marks a weak one.
fn is_entity_tag_list(header: &str) -> bool {
    let header = header.trim();
    if header == "*" {
        return true;
    }
    let mut rest = header;
    loop {
        rest = rest.trim_start();
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(inner) = tag.strip_prefix('"') else {
            return false;
        };
        let Some(end) = inner.find('"') else {
            return false;
        };
        if inner[..end].chars().any(char::is_control) {
            return false;
        }
        rest = inner[end + 1..].trim_start();
        if rest.is_empty() {
            return true;
        }
        match rest.strip_prefix(',') {
            Some(next) => rest = next,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tag_lists_are_quoted() {
        for good in ["*", "W/\"3\"", "\"abc\"", "W/\"1\", \"2\""] {
            assert!(is_entity_tag_list(good), "{good}");
        }
        for bad in ["3", "W/3", "\"3", "\"3\" \"4\"", "", "W/\"1\","] {
            assert!(!is_entity_tag_list(bad), "{bad}");
        }
    }
}
