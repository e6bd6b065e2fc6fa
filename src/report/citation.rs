//! What a requirement id stands for, for the person who reads a failure: the rule in
//! words where a catalog states it, the RFC section, and a link to that section.
//!
//! Scenarios cite statement ids of the catalog (`RFC7644-3.4.2.2-attr-case-insensitive`),
//! the extra client rules (`HTTP-RFC6585-4-retry-after`, `SCIMCHECK-...`) or whole
//! sections (`RFC7644-3.3`); every form renders, and an id of none of them is shown as
//! it is.

use crate::catalog::{Catalog, builtin_extra};

/// One requirement id, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub id: String,
    /// One sentence in our words, when a catalog states the requirement.
    pub text: Option<String>,
    /// `RFC 7644 §3.4.2.2`; for a rule of our own, where it comes from; else the id.
    pub source: String,
    /// The section at the RFC Editor, when the id names an RFC.
    pub url: Option<String>,
}

impl Citation {
    /// `RFC 7644 §3.3: <the rule>` (the rule only when known), on one line.
    pub fn words(&self) -> String {
        match &self.text {
            Some(text) => format!("{}: {text}", self.source),
            None => self.source.clone(),
        }
    }
}

/// The citation of any requirement id a scenario can name.
pub fn cite(id: &str) -> Citation {
    let id = id.trim();
    if let Some(requirement) = Catalog::builtin().ok().and_then(|c| c.get(id)) {
        let number = &requirement.document.as_str()["RFC".len()..];
        return Citation {
            id: id.to_owned(),
            text: Some(requirement.text.clone()),
            source: section_words(number, &requirement.section),
            url: Some(section_url(number, &requirement.section)),
        };
    }
    let extra = builtin_extra()
        .ok()
        .and_then(|all| all.iter().find(|r| r.id == id));
    let section = rfc_section(id.strip_prefix("HTTP-").unwrap_or(id));
    match (extra, section) {
        (Some(rule), Some((number, section))) => Citation {
            id: id.to_owned(),
            text: Some(rule.text.clone()),
            source: section_words(number, section),
            url: Some(section_url(number, section)),
        },
        (Some(rule), None) => Citation {
            id: id.to_owned(),
            text: Some(rule.text.clone()),
            source: rule.source.clone(),
            url: None,
        },
        (None, Some((number, section))) => Citation {
            id: id.to_owned(),
            text: None,
            source: section_words(number, section),
            url: Some(section_url(number, section)),
        },
        (None, None) => Citation {
            id: id.to_owned(),
            text: None,
            source: id.to_owned(),
            url: None,
        },
    }
}

/// `RFC7644-3.4.2.2-slug` or `RFC7644-3.3`: the RFC number and the section; an id
/// without a section, or with anything but digits and dots there, names none.
fn rfc_section(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("RFC")?;
    let (number, rest) = rest.split_once('-')?;
    let section = rest.split_once('-').map_or(rest, |(section, _)| section);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(number) && section.split('.').all(digits)).then_some((number, section))
}

fn section_words(number: &str, section: &str) -> String {
    format!("RFC {number} §{section}")
}

fn section_url(number: &str, section: &str) -> String {
    format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{section}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_statement_gives_its_sentence_section_and_link() {
        let citation = cite("RFC7643-2.1-attr-names-case-insensitive");
        assert_eq!(citation.source, "RFC 7643 §2.1");
        assert_eq!(
            citation.url.as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7643#section-2.1")
        );
        assert!(citation.words().starts_with("RFC 7643 §2.1: "));
        let text = citation.text.expect("the catalog states it");
        assert!(text.ends_with('.'), "{text}");
    }

    #[test]
    fn a_section_id_gives_the_section_and_its_link() {
        let citation = cite("RFC7644-3.4.2.2");
        assert_eq!(citation.source, "RFC 7644 §3.4.2.2");
        assert_eq!(
            citation.url.as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2")
        );
        assert_eq!(citation.text, None);
        assert_eq!(cite("RFC6750-3").source, "RFC 6750 §3");
    }

    #[test]
    fn extra_rules_cite_their_http_rfc_or_their_own_source() {
        let http = cite("HTTP-RFC6585-4-retry-after");
        assert_eq!(http.source, "RFC 6585 §4");
        assert!(http.text.is_some());
        let ours = cite("SCIMCHECK-no-duplicate-create");
        assert_eq!(ours.url, None);
        assert!(ours.source.starts_with("scimcheck"), "{}", ours.source);
    }

    #[test]
    fn anything_else_is_shown_as_it_is() {
        for id in [
            "TALENTECH-patch-ops",
            "RFC7644",
            "RFC-3.3",
            "RFC7644-x.1",
            "",
        ] {
            let citation = cite(id);
            assert_eq!(citation.source, id);
            assert_eq!(citation.url, None, "{id}");
        }
    }
}
