//! When the given URL answers no SCIM, the usual bases near it (`/scim/v2`, `/v2`,
//! `/scim` below it or at the root, and its parent path) are asked for their discovery
//! documents, so a mistyped base URL is reported as that, with the one to use. Only GETs
//! of discovery endpoints are sent, on the origin the user named.

use reqwest::Url;
use serde_json::Value;

use crate::client::{AuthMode, Client, HttpRequest};
use crate::scim::get_attr;

/// Suffixes a SCIM base path commonly ends with, the likeliest first.
const USUAL_SUFFIXES: &[&str] = &["/scim/v2", "/v2", "/scim"];

/// Discovery documents that only a SCIM service answers.
const DISCOVERY_PATHS: &[&str] = &["/ServiceProviderConfig", "/ResourceTypes"];

/// What the bases near the given one said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nearby {
    /// This base answers SCIM.
    Answers(String),
    /// None answers SCIM, but this one refused the credentials (401 or 403) to a
    /// discovery request: likely the base, with a token for something else.
    Refuses { base: String, status: u16 },
    /// None answers; these were tried.
    Nothing { tried: Vec<String> },
}

/// The first base near the client's that answers SCIM, or what was seen instead.
pub async fn look_around(client: &Client) -> Nearby {
    let mut tried = Vec::new();
    let mut refusing = None;
    for candidate in nearby_bases(client.base_url()) {
        let Ok(there) = client.at(&candidate) else {
            continue;
        };
        match answer_of(&there).await {
            Answer::Scim => return Nearby::Answers(candidate),
            Answer::Refused(status) if refusing.is_none() => {
                refusing = Some((candidate.clone(), status));
            }
            _ => {}
        }
        tried.push(candidate);
    }
    match refusing {
        Some((base, status)) => Nearby::Refuses { base, status },
        None => Nearby::Nothing { tried },
    }
}

/// The usual bases near `base_url`, without it, without duplicates, the likeliest first:
/// the suffixes below the given path (unless it ends in a version, or with their first
/// segment),
/// then the parent path, then the suffixes at the root.
pub fn nearby_bases(base_url: &str) -> Vec<String> {
    let Ok(url) = Url::parse(base_url) else {
        return Vec::new();
    };
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    let last_segment = path.rsplit('/').next().unwrap_or("");
    // A path that already ends in a version (`/v2`) gets nothing appended.
    let versioned = last_segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let mut paths: Vec<String> = USUAL_SUFFIXES
        .iter()
        .filter(|_| !versioned)
        .filter(|suffix| suffix[1..].split('/').next() != Some(last_segment))
        .map(|suffix| format!("{path}{suffix}"))
        .collect();
    if let Some((parent, _)) = path.rsplit_once('/') {
        paths.push(parent.to_owned());
    }
    paths.extend(USUAL_SUFFIXES.iter().map(|suffix| (*suffix).to_owned()));
    let mut bases: Vec<String> = Vec::new();
    for candidate in paths {
        if candidate != path && !bases.contains(&candidate) {
            bases.push(candidate);
        }
    }
    bases.into_iter().map(|p| format!("{origin}{p}")).collect()
}

enum Answer {
    Scim,
    Refused(u16),
    Nothing,
}

/// A base answers SCIM when one of its discovery documents is a JSON object that names
/// a SCIM schema (RFC 7643 sections 5 and 6, RFC 7644 section 3.4.2), or lists resources.
async fn answer_of(client: &Client) -> Answer {
    let mut answer = Answer::Nothing;
    for path in DISCOVERY_PATHS {
        let request = HttpRequest {
            step: "nearby base".to_owned(),
            method: "GET".to_owned(),
            path: (*path).to_owned(),
            auth: AuthMode::Default,
            ..HttpRequest::default()
        };
        let Ok(response) = client.send(&request).await.outcome else {
            continue;
        };
        if matches!(response.status, 401 | 403) {
            answer = Answer::Refused(response.status);
        }
        if response.status == 200
            && crate::client::parse_json(&response.body).is_ok_and(|body| is_scim_document(&body))
        {
            return Answer::Scim;
        }
    }
    answer
}

fn is_scim_document(body: &Value) -> bool {
    let names_scim_schema = get_attr(body, "schemas")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|schema| {
            schema
                .to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:")
        });
    names_scim_schema || get_attr(body, "Resources").is_some_and(Value::is_array)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_one_level_short_is_completed_first() {
        assert_eq!(
            nearby_bases("http://h/scim"),
            ["http://h/scim/v2", "http://h", "http://h/v2"]
        );
    }

    #[test]
    fn the_root_is_tried_with_every_usual_suffix() {
        assert_eq!(
            nearby_bases("http://h:8080/"),
            [
                "http://h:8080/scim/v2",
                "http://h:8080/v2",
                "http://h:8080/scim"
            ]
        );
    }

    #[test]
    fn a_base_one_level_too_deep_is_cut_to_its_parent() {
        let bases = nearby_bases("https://h.example/scim/v2/Users");
        assert!(
            bases.contains(&"https://h.example/scim/v2".to_owned()),
            "{bases:?}"
        );
        assert!(!bases.contains(&"https://h.example/scim/v2/Users".to_owned()));
    }

    #[test]
    fn a_versioned_base_is_only_cut_back() {
        assert_eq!(
            nearby_bases("http://h/scim/v2"),
            ["http://h/scim", "http://h/v2"]
        );
    }

    #[test]
    fn under_an_application_path_the_suffixes_go_below_it() {
        let bases = nearby_bases("https://h.example/api");
        assert_eq!(
            bases[..4],
            [
                "https://h.example/api/scim/v2",
                "https://h.example/api/v2",
                "https://h.example/api/scim",
                "https://h.example",
            ]
        );
    }

    #[test]
    fn only_documents_naming_a_scim_schema_or_listing_resources_count() {
        let spc = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
        });
        assert!(is_scim_document(&spc));
        assert!(is_scim_document(&serde_json::json!({"Resources": []})));
        assert!(!is_scim_document(&serde_json::json!({"status": "ok"})));
        assert!(!is_scim_document(
            &serde_json::json!({"schemas": ["urn:other"]})
        ));
    }
}
