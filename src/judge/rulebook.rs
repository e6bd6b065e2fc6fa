//! The rules the judge applies, each resolved to its id, level, reference and sentence:
//! the `party: client` statements of the requirement catalog, the extra requirements
//! (`HTTP-…`, `SCIMCHECK-…`) and the vendor profile's client rules. Levels come from the
//! data, never from the code, so a finding is graded as the source grades it.

use crate::catalog::{Catalog, Level, Party, builtin_extra};
use crate::profile::Profile;

/// Ids of the catalog statements the judge checks, named for the code that checks them.
pub mod ids {
    pub const SIMPLE_NO_SUB_ATTRIBUTES: &str = "RFC7643-1.2-client-simple-no-sub-attributes";
    pub const ATTR_NAME_SYNTAX: &str = "RFC7643-2.1-client-attr-name-syntax";
    pub const VALUE_JSON_TYPE: &str = "RFC7643-2.3-client-value-json-type";
    pub const BOOLEAN_LITERAL: &str = "RFC7643-2.3.2-client-boolean-literal";
    pub const INTEGER_WHOLE: &str = "RFC7643-2.3.4-client-integer-whole";
    pub const DATETIME_FORMAT: &str = "RFC7643-2.3.5-client-datetime-format";
    pub const SINGLE_PRIMARY: &str = "RFC7643-2.4-client-single-primary";
    pub const SCHEMAS_PRESENT: &str = "RFC7643-3-client-schemas-present";
    pub const SCHEMAS_COVER_CONTENT: &str = "RFC7643-3-client-schemas-cover-content";
    pub const SCHEMAS_NO_DUPLICATES: &str = "RFC7643-3-client-schemas-no-duplicates";
    pub const SCHEMAS_DECLARED_ONLY: &str = "RFC7643-3-client-schemas-declared-only";
    pub const NO_ID_ON_CREATE: &str = "RFC7643-3.1-client-no-id-on-create";
    pub const USES_ISSUED_IDS: &str = "RFC7643-3.1-client-uses-issued-ids";
    pub const BASE_SCHEMA_LISTED: &str = "RFC7643-3.3-client-base-schema-listed";
    pub const EXTENSION_CONTAINER: &str = "RFC7643-3.3-client-extension-container";
    pub const USERNAME_SENT: &str = "RFC7643-4.1.1-client-username-sent";
    pub const EMAIL_FORMAT: &str = "RFC7643-4.1.2-client-email-format";
    pub const GROUPS_VIA_GROUP: &str = "RFC7643-4.1.2-client-groups-via-group";
    pub const DISPLAY_NAME_SENT: &str = "RFC7643-4.2-client-display-name-sent";
    pub const REQUIRED_EXTENSION_SENT: &str = "RFC7643-6-client-required-extension-sent";
    pub const READ_ONLY_OMITTED: &str = "RFC7643-7-client-read-only-omitted";
    pub const DECLARED_ATTRIBUTES_ONLY: &str = "RFC7643-7-client-declared-attributes-only";
    pub const URLS_PERCENT_ENCODED: &str = "RFC7644-1.2-client-urls-percent-encoded";
    pub const DISCOVERS_ENDPOINTS: &str = "RFC7644-3.2-client-discovers-endpoints";
    pub const FILTER_GRAMMAR: &str = "RFC7644-3.4.2.2-client-filter-grammar";
    pub const QUOTED_STRINGS: &str = "RFC7644-3.4.2.2-client-quoted-strings";
    pub const COMPLEX_VIA_SUB_ATTRIBUTE: &str = "RFC7644-3.4.2.2-client-complex-via-sub-attribute";
    pub const VALUE_FILTER_SUB_ATTRIBUTES: &str =
        "RFC7644-3.4.2.2-client-value-filter-sub-attributes";
    pub const READS_ALL_PAGES: &str = "RFC7644-3.4.2.4-client-reads-all-pages";
    pub const ATTRIBUTE_NOTATION: &str = "RFC7644-3.4.2.5-client-attribute-notation";
    pub const SEARCH_REQUEST_SCHEMA: &str = "RFC7644-3.4.3-client-search-request-schema";
    pub const PUT_CREATES_NOTHING: &str = "RFC7644-3.5.1-client-put-creates-nothing";
    pub const PUT_REQUIRED_SENT: &str = "RFC7644-3.5.1-client-required-sent";
    pub const PATCH_SCHEMA: &str = "RFC7644-3.5.2-client-patch-schema";
    pub const PATCH_OPERATIONS: &str = "RFC7644-3.5.2-client-operations";
    pub const PATCH_OP_MEMBER: &str = "RFC7644-3.5.2-client-op-member";
    pub const PATCH_REMOVE_HAS_PATH: &str = "RFC7644-3.5.2-client-remove-has-path";
    pub const PATCH_PATH_GRAMMAR: &str = "RFC7644-3.5.2-client-path-grammar";
    pub const PATCH_RESPECTS_MUTABILITY: &str = "RFC7644-3.5.2-client-respects-mutability";
    pub const PATCH_ADD_HAS_VALUE: &str = "RFC7644-3.5.2.1-client-add-has-value";
    pub const PATCH_COMPLEX_VALUE_OBJECT: &str = "RFC7644-3.5.2.1-client-complex-value-object";
    pub const PATCH_PATHLESS_VALUE_OBJECT: &str = "RFC7644-3.5.2.3-client-pathless-value-object";
    pub const BULK_REQUEST_SCHEMA: &str = "RFC7644-3.7-client-bulk-request-schema";
    pub const BULK_OPERATION_FIELDS: &str = "RFC7644-3.7-client-operation-fields";
    pub const BULK_POST_BULK_ID: &str = "RFC7644-3.7-client-post-bulk-id";
    pub const DECLARES_OTHER_ENCODING: &str = "RFC7644-3.8-client-declares-other-encoding";
    pub const ACCEPT_MAY: &str = "RFC7644-3.8-client-accept-may";
    pub const NOT_BOTH_PROJECTIONS: &str = "RFC7644-3.9-client-not-both";
    pub const IF_MATCH_MAY: &str = "RFC7644-3.14-client-if-match-may";
    pub const SCIM_JSON: &str = "RFC7644-8.1-client-scim-json";
    pub const NO_MEDIA_PARAMETERS: &str = "RFC7644-8.1-client-no-parameters";

    pub const RETRY_AFTER: &str = "HTTP-RFC6585-4-retry-after";
    pub const IF_MATCH_SYNTAX: &str = "HTTP-RFC7232-3.1-if-match-syntax";
    pub const DECLARED_RATE: &str = "SCIMCHECK-declared-rate";
    pub const NO_DUPLICATE_CREATE: &str = "SCIMCHECK-no-duplicate-create";

    /// Every id above, in the order reports list them.
    pub const ALL: &[&str] = &[
        SCIM_JSON,
        NO_MEDIA_PARAMETERS,
        DECLARES_OTHER_ENCODING,
        ACCEPT_MAY,
        URLS_PERCENT_ENCODED,
        DISCOVERS_ENDPOINTS,
        SCHEMAS_PRESENT,
        BASE_SCHEMA_LISTED,
        SCHEMAS_NO_DUPLICATES,
        SCHEMAS_DECLARED_ONLY,
        SCHEMAS_COVER_CONTENT,
        EXTENSION_CONTAINER,
        REQUIRED_EXTENSION_SENT,
        NO_ID_ON_CREATE,
        READ_ONLY_OMITTED,
        GROUPS_VIA_GROUP,
        USERNAME_SENT,
        DISPLAY_NAME_SENT,
        PUT_REQUIRED_SENT,
        PUT_CREATES_NOTHING,
        ATTR_NAME_SYNTAX,
        DECLARED_ATTRIBUTES_ONLY,
        VALUE_JSON_TYPE,
        SIMPLE_NO_SUB_ATTRIBUTES,
        BOOLEAN_LITERAL,
        INTEGER_WHOLE,
        DATETIME_FORMAT,
        SINGLE_PRIMARY,
        EMAIL_FORMAT,
        PATCH_SCHEMA,
        PATCH_OPERATIONS,
        PATCH_OP_MEMBER,
        PATCH_REMOVE_HAS_PATH,
        PATCH_ADD_HAS_VALUE,
        PATCH_PATH_GRAMMAR,
        PATCH_COMPLEX_VALUE_OBJECT,
        PATCH_PATHLESS_VALUE_OBJECT,
        PATCH_RESPECTS_MUTABILITY,
        FILTER_GRAMMAR,
        QUOTED_STRINGS,
        COMPLEX_VIA_SUB_ATTRIBUTE,
        VALUE_FILTER_SUB_ATTRIBUTES,
        ATTRIBUTE_NOTATION,
        NOT_BOTH_PROJECTIONS,
        SEARCH_REQUEST_SCHEMA,
        BULK_REQUEST_SCHEMA,
        BULK_OPERATION_FIELDS,
        BULK_POST_BULK_ID,
        USES_ISSUED_IDS,
        IF_MATCH_SYNTAX,
        IF_MATCH_MAY,
        READS_ALL_PAGES,
        RETRY_AFTER,
        DECLARED_RATE,
        NO_DUPLICATE_CREATE,
    ];
}

/// One rule as reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub level: Level,
    /// `RFC 7644 section 3.5.2`, `RFC 6585 section 4 ...`, or the vendor's sentence.
    pub reference: String,
    /// One sentence saying what the client must do.
    pub text: String,
    /// The catalog area (`patch`, `filter`, ...) or `vendor`.
    pub area: String,
    /// Where the rule is written down (`suites/requirements.catalog.yaml`, a profile).
    pub source: String,
}

/// Every rule of one judging session, by id.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    rules: Vec<Rule>,
}

impl RuleBook {
    /// The built-in rules, plus the vendor profile's client rules and its declared rate.
    pub fn new(profile: Option<&Profile>) -> Result<RuleBook, String> {
        let catalog = Catalog::builtin().map_err(|e| e.to_string())?;
        let extra = builtin_extra().map_err(|e| e.to_string())?;
        let mut rules = Vec::new();
        for id in ids::ALL {
            if *id == ids::DECLARED_RATE && profile.is_none_or(|p| p.rate_limit.is_none()) {
                continue;
            }
            if let Some(r) = catalog.get(id) {
                if r.party != Party::Client {
                    return Err(format!("{id} is not a client requirement in the catalog"));
                }
                rules.push(Rule {
                    id: r.id.clone(),
                    level: r.level,
                    reference: format!("RFC {} section {}", &r.document.as_str()[3..], r.section),
                    text: r.text.clone(),
                    area: r.area.as_str().to_owned(),
                    source: crate::catalog::BUILTIN_PATH.to_owned(),
                });
            } else if let Some(r) = extra.iter().find(|r| r.id == *id) {
                let mut reference = r.source.clone();
                if *id == ids::DECLARED_RATE
                    && let Some(p) = profile
                    && let Some(rate) = p.rate_limit
                {
                    reference = format!(
                        "profile {}: {rate} requests per second ({})",
                        p.name,
                        p.source.as_deref().unwrap_or(&p.title)
                    );
                }
                rules.push(Rule {
                    id: r.id.clone(),
                    level: r.level,
                    reference,
                    text: r.text.clone(),
                    area: r.area.as_str().to_owned(),
                    source: crate::catalog::EXTRA_PATH.to_owned(),
                });
            } else {
                return Err(format!("the judge checks {id}, which no catalog lists"));
            }
        }
        if let Some(profile) = profile {
            for rule in &profile.client_rules {
                rules.push(Rule {
                    id: rule.id.clone(),
                    level: rule.level,
                    reference: format!(
                        "{}: \"{}\"",
                        profile.source.as_deref().unwrap_or(&profile.title),
                        rule.quote
                    ),
                    text: format!(
                        "The client sends what the {} document asks for: \"{}\".",
                        profile.title, rule.quote
                    ),
                    area: "vendor".to_owned(),
                    source: rule.place.clone(),
                });
            }
        }
        Ok(RuleBook { rules })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// In report order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_the_judge_checks_is_a_client_rule_of_a_catalog() {
        let book = RuleBook::new(None).unwrap_or_else(|e| panic!("{e}"));
        for id in ids::ALL {
            if *id == ids::DECLARED_RATE {
                assert!(book.get(id).is_none(), "no profile, no declared rate");
                continue;
            }
            let rule = book.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(!rule.reference.is_empty() && rule.text.ends_with('.'));
        }
        let patch = book.get(ids::PATCH_SCHEMA).expect("listed");
        assert_eq!(patch.reference, "RFC 7644 section 3.5.2");
        assert_eq!(patch.level, Level::Must);
        assert_eq!(
            book.get(ids::IF_MATCH_MAY).map(|r| r.level),
            Some(Level::May)
        );
    }

    #[test]
    fn a_profile_adds_its_rules_with_its_quote_and_its_rate() {
        let profile = crate::profile::load("talkdesk").unwrap_or_else(|e| panic!("{e}"));
        let book = RuleBook::new(Some(&profile)).unwrap_or_else(|e| panic!("{e}"));
        let rate = book
            .get(ids::DECLARED_RATE)
            .expect("talkdesk declares a rate");
        assert!(
            rate.reference.contains("4 requests per second"),
            "{}",
            rate.reference
        );
    }
}
