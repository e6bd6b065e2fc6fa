//! Client requirements beyond RFC 7643 and RFC 7644, embedded from
//! `suites/extra-requirements.catalog.yaml`: the HTTP rules SCIM builds on (429 and
//! Retry-After, If-Match) and behaviour of our own (no duplicate creates). Their ids have
//! their own namespaces, `HTTP-RFC<n>-<section>-<slug>` and `SCIMCHECK-<slug>`, so they
//! can never be mistaken for statements of the SCIM RFCs.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Area, CatalogError, Level, Party, Problem};

/// Where the built-in extra requirements come from, for messages.
pub const EXTRA_PATH: &str = "suites/extra-requirements.catalog.yaml";

const EXTRA_TEXT: &str = include_str!("../../suites/extra-requirements.catalog.yaml");

/// One requirement that no SCIM RFC states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRequirement {
    /// `HTTP-RFC6585-4-retry-after`, `SCIMCHECK-no-duplicate-create`.
    pub id: String,
    /// Where it comes from, e.g. `RFC 6585 section 4 and RFC 9110 section 10.2.3`.
    pub source: String,
    pub level: Level,
    pub party: Party,
    pub area: Area,
    /// One sentence in our words.
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    requirements: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    source: String,
    level: String,
    party: String,
    area: String,
    text: String,
}

/// The extra requirements compiled into the binary, parsed once.
pub fn builtin_extra() -> Result<&'static [ExtraRequirement], &'static CatalogError> {
    static EXTRA: OnceLock<Result<Vec<ExtraRequirement>, CatalogError>> = OnceLock::new();
    EXTRA
        .get_or_init(|| parse_extra(EXTRA_PATH, EXTRA_TEXT))
        .as_ref()
        .map(Vec::as_slice)
}

/// Parses extra-requirement text; every problem names its line, id and field.
pub fn parse_extra(name: &str, text: &str) -> Result<Vec<ExtraRequirement>, CatalogError> {
    let refuse = |problems| CatalogError {
        file: name.to_owned(),
        problems,
    };
    let file: File = serde_saphyr::from_str(text).map_err(|err| {
        refuse(vec![Problem {
            line: err.location().map(|l| l.line()).filter(|&l| l > 0),
            id: None,
            field: None,
            message: format!("is not a valid catalog: {}", err.without_snippet()),
        }])
    })?;
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in &file.requirements {
        let line = entry.referenced.line();
        let entry = &entry.value;
        let mut problem = |field: &str, message: String| {
            problems.push(Problem {
                line: Some(line),
                id: Some(entry.id.clone()),
                field: Some(field.to_owned()),
                message,
            })
        };
        if let Err(why) = check_id(&entry.id) {
            problem("id", why);
        }
        if let Some(first) = seen.insert(entry.id.clone(), line) {
            problem(
                "id",
                format!("repeats the id of the requirement at line {first}"),
            );
        }
        if entry.source.trim().is_empty() {
            problem("source", "is empty".to_owned());
        }
        if entry.text.contains('\n') || !entry.text.trim_end().ends_with('.') {
            problem(
                "text",
                "must be one sentence on one line, ending with a full stop".to_owned(),
            );
        }
        let level = keyword(&entry.level, &Level::ALL, Level::as_str);
        let party = keyword(&entry.party, &Party::ALL, Party::as_str);
        let area = keyword(&entry.area, &Area::ALL, Area::as_str);
        for (field, result) in [
            ("level", level.as_ref().err()),
            ("party", party.as_ref().err()),
            ("area", area.as_ref().err()),
        ] {
            if let Some(why) = result {
                problem(field, why.clone());
            }
        }
        if let (Ok(level), Ok(party), Ok(area)) = (level, party, area) {
            out.push(ExtraRequirement {
                id: entry.id.clone(),
                source: entry.source.clone(),
                level,
                party,
                area,
                text: entry.text.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(refuse(problems))
    }
}

fn keyword<T: Copy>(given: &str, all: &[T], name: fn(T) -> &'static str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|&v| name(v) == given)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|&v| name(v)).collect();
            format!("is '{given}', not one of {}", names.join(", "))
        })
}

/// `HTTP-RFC6585-4-retry-after` or `SCIMCHECK-no-duplicate-create`.
fn check_id(id: &str) -> Result<(), String> {
    let shape = "must look like HTTP-RFC6585-4-retry-after or SCIMCHECK-no-duplicate-create";
    let slug = if let Some(rest) = id.strip_prefix("HTTP-RFC") {
        let mut parts = rest.splitn(3, '-');
        let number = parts.next().unwrap_or_default();
        let section = parts.next().unwrap_or_default();
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !numeric(number) || !section.split('.').all(numeric) {
            return Err(format!("is '{id}'; it {shape}"));
        }
        parts.next().unwrap_or_default()
    } else if let Some(slug) = id.strip_prefix("SCIMCHECK-") {
        slug
    } else {
        return Err(format!(
            "is '{id}': it starts with neither HTTP-RFC nor SCIMCHECK-, so it could be taken for a SCIM RFC statement"
        ));
    };
    let slug_ok = slug.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if slug_ok {
        Ok(())
    } else {
        Err(format!(
            "is '{id}': the slug '{slug}' must be lower-case words joined by single dashes"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_extra_requirements_load_and_bind_clients() {
        let extra = builtin_extra().unwrap_or_else(|e| panic!("{e}"));
        assert!(extra.len() >= 4);
        assert!(extra.iter().all(|r| r.party == Party::Client));
        let catalog = super::super::Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        for requirement in extra {
            assert!(!catalog.contains(&requirement.id), "{}", requirement.id);
        }
    }

    #[test]
    fn an_id_without_a_namespace_is_refused_naming_the_line() {
        let text = "requirements:\n  - id: RFC7644-3.3-mine\n    source: me\n    level: must\n    party: client\n    area: create\n    text: A rule.\n";
        let message = parse_extra("x.yaml", text).unwrap_err().to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("field `id`"), "{message}");
        assert!(
            message.contains("neither HTTP-RFC nor SCIMCHECK-"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_level_and_a_repeated_id_are_both_reported() {
        let entry = "  - id: SCIMCHECK-a\n    source: me\n    level: often\n    party: client\n    area: create\n    text: A rule.\n";
        let text = format!("requirements:\n{entry}{entry}");
        let message = parse_extra("x.yaml", &text).unwrap_err().to_string();
        assert!(message.contains("'often', not one of"), "{message}");
        assert!(message.contains("repeats the id"), "{message}");
    }
}
