use std::collections::HashSet;

use regex::Regex;

use super::*;

fn builtin() -> &'static Catalog {
    match Catalog::builtin() {
        Ok(catalog) => catalog,
        Err(err) => panic!("the embedded catalog does not load:\n{err}"),
    }
}

/// A one-entry catalog with `field: value` replaced (or added), as text.
fn entry_with(field: &str, value: &str) -> String {
    let mut fields = vec![
        ("id", "RFC7644-3.6-delete-204"),
        ("section", "\"3.6\""),
        ("level", "must"),
        ("party", "server"),
        ("area", "delete"),
        ("text", "A successful DELETE answers 204."),
    ];
    match fields.iter_mut().find(|(name, _)| *name == field) {
        Some(slot) => slot.1 = value,
        None => fields.push((field, value)),
    }
    let mut text = String::from("requirements:\n");
    for (i, (name, value)) in fields.iter().enumerate() {
        let lead = if i == 0 { "  - " } else { "    " };
        text.push_str(&format!("{lead}{name}: {value}\n"));
    }
    text
}

fn refusal(text: &str) -> String {
    match Catalog::parse("test.yaml", text) {
        Ok(catalog) => panic!("accepted {} requirements from:\n{text}", catalog.len()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn the_embedded_catalog_loads() {
    let catalog = builtin();
    assert!(catalog.len() > 300, "only {} requirements", catalog.len());
    assert_eq!(catalog.iter().count(), catalog.len());
}

#[test]
fn ids_are_unique_and_well_formed() {
    let shape =
        Regex::new(r"^RFC764[34]-[0-9]+(\.[0-9]+)*-[a-z0-9]+(-[a-z0-9]+)*$").expect("valid regex");
    let mut seen = HashSet::new();
    for requirement in builtin() {
        assert!(shape.is_match(&requirement.id), "{}", requirement.id);
        assert!(seen.insert(&requirement.id), "{} twice", requirement.id);
    }
}

#[test]
fn every_id_names_its_document_and_section() {
    for requirement in builtin() {
        let mut parts = requirement.id.splitn(3, '-');
        assert_eq!(parts.next(), Some(requirement.document.as_str()));
        assert_eq!(
            parts.next(),
            Some(requirement.section.as_str()),
            "{}",
            requirement.id
        );
    }
}

#[test]
fn at_least_two_hundred_server_musts() {
    let musts = builtin()
        .iter()
        .filter(|r| r.party == Party::Server && r.level == Level::Must)
        .count();
    assert!(musts >= 200, "only {musts} server MUSTs");
}

#[test]
fn both_parties_and_every_area_and_level_occur() {
    let catalog = builtin();
    for area in Area::ALL {
        assert!(catalog.iter().any(|r| r.area == area), "no {area} entry");
    }
    for party in Party::ALL {
        assert!(catalog.iter().any(|r| r.party == party), "no {party:?}");
    }
    for level in Level::ALL {
        assert!(catalog.iter().any(|r| r.level == level), "no {level:?}");
    }
}

#[test]
fn texts_are_single_sentences() {
    for requirement in builtin() {
        let text = &requirement.text;
        assert!(
            text.ends_with('.') && !text.contains('\n'),
            "{}",
            requirement.id
        );
        assert!(text.len() < 300, "{} is long: {text}", requirement.id);
    }
}

#[test]
fn lookup_by_id_gives_the_entry() {
    let catalog = builtin();
    let created = catalog.get("RFC7644-3.3-created-201").expect("listed");
    assert_eq!(created.document, Document::Rfc7644);
    assert_eq!(created.section, "3.3");
    assert_eq!(created.level, Level::Must);
    assert_eq!(created.party, Party::Server);
    assert_eq!(created.area, Area::Create);
    assert!(!created.implicit);
    assert!(catalog.contains("RFC7643-3.1-id-stable"));
    assert!(catalog.get("RFC7644-3.3").is_none());
}

#[test]
fn optional_features_name_the_capability_they_need() {
    let catalog = builtin();
    let atomic = catalog.get("RFC7644-3.5.2-atomic").expect("listed");
    assert_eq!(atomic.when.as_deref(), Some("patch"));
    let stale = catalog
        .get("RFC7644-3.14-if-match-stale-412")
        .expect("listed");
    assert_eq!(stale.when.as_deref(), Some("etag"));
    assert!(stale.implicit);
}

#[test]
fn levels_order_from_may_to_must() {
    assert!(Level::Must > Level::Should && Level::Should > Level::May);
    assert_eq!(
        [Level::May, Level::Must, Level::Should].into_iter().max(),
        Some(Level::Must)
    );
}

#[test]
fn a_valid_entry_parses() {
    let catalog = Catalog::parse("test.yaml", &entry_with("when", "bulk")).expect("valid");
    let entry = catalog.get("RFC7644-3.6-delete-204").expect("listed");
    assert_eq!(entry.when.as_deref(), Some("bulk"));
    assert_eq!(entry.text, "A successful DELETE answers 204.");
}

#[test]
fn an_unknown_level_is_refused_naming_the_id_the_field_and_the_line() {
    let message = refusal(&entry_with("level", "mustt"));
    assert!(message.contains("test.yaml"), "{message}");
    assert!(message.contains("line 4"), "{message}");
    assert!(
        message.contains("requirement RFC7644-3.6-delete-204"),
        "{message}"
    );
    assert!(message.contains("field `level`"), "{message}");
    assert!(
        message.contains("'mustt', not one of must, should, may"),
        "{message}"
    );
}

#[test]
fn a_section_that_disagrees_with_the_id_is_refused() {
    let message = refusal(&entry_with("section", "\"3.7\""));
    assert!(message.contains("field `section`"), "{message}");
    assert!(message.contains("the id names section 3.6"), "{message}");
}

#[test]
fn an_unquoted_section_is_refused_with_a_hint() {
    let message = refusal(&entry_with("section", "3.6"));
    assert!(message.contains("quoted string"), "{message}");
}

#[test]
fn a_malformed_id_is_refused() {
    for (id, why) in [
        ("RFC7645-3.6-delete", "not RFC7643 or RFC7644"),
        ("RFC7644-3.6", "no slug"),
        ("RFC7644-3..6-delete", "not a section number"),
        ("RFC7644-3.6-Delete_204", "lower-case words"),
    ] {
        let message = refusal(&entry_with("id", id));
        assert!(message.contains("field `id`"), "{message}");
        assert!(message.contains(why), "{id}: {message}");
    }
}

#[test]
fn a_repeated_id_is_refused_with_the_first_line() {
    let one = entry_with("level", "must");
    let twice = format!("{one}{}", one.trim_start_matches("requirements:\n"));
    let message = refusal(&twice);
    assert!(message.contains("line 8"), "{message}");
    assert!(
        message.contains("repeats the id of the requirement at line 2"),
        "{message}"
    );
}

#[test]
fn unknown_fields_wrong_types_and_bad_names_are_each_reported() {
    for (field, value, expected) in [
        (
            "severity",
            "must",
            "field `severity` is not a catalog field",
        ),
        ("party", "vendor", "'vendor', not one of server, client"),
        ("area", "users", "field `area` is 'users'"),
        ("implicit", "1", "must be true or false, not a number"),
        ("when", "teleport", "not a capability name"),
        ("text", "\"\"", "field `text` is empty"),
        ("text", "No full stop", "ending with a full stop"),
    ] {
        let message = refusal(&entry_with(field, value));
        assert!(message.contains(expected), "{field}: {message}");
        assert!(message.contains("RFC7644-3.6-delete-204"), "{message}");
    }
}

#[test]
fn a_client_requirement_cannot_depend_on_a_server_capability() {
    let text = entry_with("when", "patch").replace("party: server", "party: client");
    let message = refusal(&text);
    assert!(message.contains("field `when`"), "{message}");
}

#[test]
fn a_missing_field_is_reported_and_so_is_every_other_problem() {
    let text = entry_with("level", "often").replace("    area: delete\n", "");
    let message = refusal(&text);
    assert!(message.contains("field `area` is missing"), "{message}");
    assert!(message.contains("field `level`"), "{message}");
}

#[test]
fn text_that_is_not_a_catalog_is_refused() {
    let message = refusal("- just a list\n");
    assert!(message.contains("test.yaml"), "{message}");
    let message = refusal("requirements: []\n");
    assert!(
        message.contains("field `requirements` is empty"),
        "{message}"
    );
}

#[test]
fn only_ids_with_a_document_a_section_and_a_slug_are_statement_shaped() {
    assert!(is_statement_shaped("RFC7644-3.12-error-status"));
    assert!(is_statement_shaped("RFC7643-4.1-made-up"));
    assert!(!is_statement_shaped("RFC7644-3.12"));
    assert!(!is_statement_shaped("ACME-ROLES-1"));
    assert!(!is_statement_shaped("TALENTECH-patch-ops"));
}
