//! A profile's rules for SCIM clients (`client_rules:`): what the vendor's document asks of
//! the requests an integration sends, each with the document's own sentence. The client
//! judge (`scimcheck judge --profile V`) checks them beside the RFC's client requirements.
//! This file only reads them; `judge::vendor` applies them.

use crate::catalog::Level;
use crate::suite::reader::Reader;
use crate::suite::yaml::{Node, NodeKind};

const RULE_KEYS: &[&str] = &[
    "id",
    "level",
    "quote",
    "patch_ops",
    "patch_path_ops",
    "patch_members",
    "format",
    "on_create",
    "allow",
];
const CHECK_KEYS: &[&str] = &[
    "patch_ops",
    "patch_path_ops",
    "patch_members",
    "format",
    "on_create",
    "allow",
];
/// Namespaces a vendor rule id must not use: they belong to the catalogs.
const RESERVED_PREFIXES: &[&str] = &["RFC7643-", "RFC7644-", "HTTP-", "SCIMCHECK-"];

/// One rule of a vendor's document about client requests.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRule {
    /// `TALENTECH-patch-ops`: an upper-case vendor namespace and a kebab-case slug.
    pub id: String,
    pub level: Level,
    /// The vendor document's sentence the rule rests on.
    pub quote: String,
    pub check: ClientCheck,
    /// `file:line:col` of the rule.
    pub place: String,
}

/// What a vendor rule checks in each request.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientCheck {
    /// PATCH `op` values must be spelt exactly as one of these (`Replace`, `Add`).
    PatchOps(Vec<String>),
    /// An operation whose path names `attribute` (any schema URN, any case) must be one
    /// of `ops` (any case: spelling is `PatchOps`' business).
    PatchPathOps { attribute: String, ops: Vec<String> },
    /// Every PATCH operation carries these members (`path`, `value`).
    PatchMembers(Vec<String>),
    /// Values of the attribute sent on create or replace have this format.
    Format {
        resource: String,
        attribute: String,
        format: ValueFormat,
    },
    /// Every create carries the attribute, with this value when one is given.
    OnCreate {
        resource: String,
        attribute: String,
        equals: Option<serde_json::Value>,
    },
    /// Only these attributes may be sent (top level; `schemas` always may).
    Allow {
        resource: String,
        attributes: Vec<String>,
    },
}

/// Value formats a vendor can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// `local@domain.tld`.
    Email,
}

/// Reads `client_rules:`; problems go to the reader's diagnostics.
pub(super) fn read_client_rules(r: &mut Reader, node: &Node) -> Vec<ClientRule> {
    let NodeKind::Seq(items) = &node.kind else {
        r.wrong_type(node, "a list of client rules", "client_rules");
        return Vec::new();
    };
    let rules: Vec<ClientRule> = items.iter().filter_map(|item| read_rule(r, item)).collect();
    for (i, rule) in rules.iter().enumerate() {
        if rules[..i].iter().any(|earlier| earlier.id == rule.id) {
            let pos = items[i].pos;
            r.error(pos, format!("client rule id '{}' is used twice", rule.id));
        }
    }
    rules
}

fn read_rule(r: &mut Reader, node: &Node) -> Option<ClientRule> {
    let map = r.mapping(node, "client rule", RULE_KEYS)?;
    let place = r.loc(node.pos).to_string();
    let id = r.required(&map, "id").and_then(|n| {
        let id = r.string(n, "client rule id")?;
        match check_id(id) {
            Ok(()) => Some(id.to_owned()),
            Err(why) => {
                r.error(n.pos, why);
                None
            }
        }
    });
    let level = r.required(&map, "level").and_then(|n| {
        r.choice(n, "level", &["must", "should", "may"], false)
            .map(|word| match word {
                "must" => Level::Must,
                "should" => Level::Should,
                _ => Level::May,
            })
    });
    let quote = r
        .required(&map, "quote")
        .and_then(|n| r.string(n, "quote"))
        .map(str::to_owned);
    let given: Vec<&str> = CHECK_KEYS
        .iter()
        .copied()
        .filter(|k| map.get(k).is_some())
        .collect();
    if given.len() != 1 {
        r.error(
            node.pos,
            format!(
                "a client rule has exactly one check, one of {}",
                CHECK_KEYS.join(", ")
            ),
        );
        return None;
    }
    let key = given[0];
    let value = map.get(key)?;
    let check = read_check(r, key, value)?;
    Some(ClientRule {
        id: id?,
        level: level?,
        quote: quote?,
        check,
        place,
    })
}

fn read_check(r: &mut Reader, key: &str, node: &Node) -> Option<ClientCheck> {
    match key {
        "patch_ops" => Some(ClientCheck::PatchOps(words(r, node, "patch_ops")?)),
        "patch_members" => Some(ClientCheck::PatchMembers(words(r, node, "patch_members")?)),
        "patch_path_ops" => {
            let map = r.mapping(node, "patch_path_ops", &["attribute", "ops"])?;
            let attribute = r
                .required(&map, "attribute")
                .and_then(|n| r.string(n, "attribute"))
                .map(str::to_owned);
            let ops = r.required(&map, "ops").and_then(|n| words(r, n, "ops"));
            Some(ClientCheck::PatchPathOps {
                attribute: attribute?,
                ops: ops?,
            })
        }
        "format" => {
            let map = r.mapping(node, "format", &["resource", "attribute", "is"])?;
            let (resource, attribute) = resource_attribute(r, &map);
            let format = r
                .required(&map, "is")
                .and_then(|n| r.choice(n, "format", &["email"], false))
                .map(|_| ValueFormat::Email);
            Some(ClientCheck::Format {
                resource: resource?,
                attribute: attribute?,
                format: format?,
            })
        }
        "on_create" => {
            let map = r.mapping(node, "on_create", &["resource", "attribute", "equals"])?;
            let (resource, attribute) = resource_attribute(r, &map);
            let equals = map.get("equals").and_then(|n| scalar(r, n));
            Some(ClientCheck::OnCreate {
                resource: resource?,
                attribute: attribute?,
                equals,
            })
        }
        "allow" => {
            let map = r.mapping(node, "allow", &["resource", "attributes"])?;
            let resource = r
                .required(&map, "resource")
                .and_then(|n| r.string(n, "resource"))
                .map(str::to_owned);
            let attributes = r
                .required(&map, "attributes")
                .and_then(|n| words(r, n, "attributes"));
            Some(ClientCheck::Allow {
                resource: resource?,
                attributes: attributes?,
            })
        }
        _ => None,
    }
}

fn resource_attribute(
    r: &mut Reader,
    map: &crate::suite::reader::Mapping<'_>,
) -> (Option<String>, Option<String>) {
    let resource = r
        .required(map, "resource")
        .and_then(|n| r.string(n, "resource"))
        .map(str::to_owned);
    let attribute = r
        .required(map, "attribute")
        .and_then(|n| r.string(n, "attribute"))
        .map(str::to_owned);
    (resource, attribute)
}

/// A non-empty list of non-empty strings.
fn words(r: &mut Reader, node: &Node, what: &str) -> Option<Vec<String>> {
    let list = r.string_list(node, what, false);
    if list.is_empty() || list.iter().any(|(w, _)| w.trim().is_empty()) {
        r.error(
            node.pos,
            format!("{what} needs at least one non-empty name"),
        );
        return None;
    }
    Some(list.into_iter().map(|(w, _)| w.to_owned()).collect())
}

fn scalar(r: &mut Reader, node: &Node) -> Option<serde_json::Value> {
    match &node.kind {
        NodeKind::Bool(b) => Some(serde_json::Value::Bool(*b)),
        NodeKind::Str(s) => Some(serde_json::Value::String(s.clone())),
        NodeKind::Int(n) => Some(serde_json::Value::from(*n)),
        NodeKind::UInt(n) => Some(serde_json::Value::from(*n)),
        _ => {
            r.wrong_type(node, "a string, number or boolean", "equals");
            None
        }
    }
}

/// `TALENTECH-patch-ops`: an upper-case namespace, a dash, a kebab-case slug.
fn check_id(id: &str) -> Result<(), String> {
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| id.starts_with(**p)) {
        return Err(format!(
            "client rule id '{id}' uses the namespace {prefix} of scimcheck's catalogs; use the vendor's own, e.g. ACME-{}",
            id.trim_start_matches(prefix)
        ));
    }
    let Some((namespace, slug)) = id.split_once('-') else {
        return Err(format!(
            "client rule id '{id}' must look like ACME-patch-ops (an upper-case vendor namespace, a dash and a kebab-case slug)"
        ));
    };
    let namespace_ok = namespace
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_uppercase())
        && namespace
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let slug_ok = slug.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if namespace_ok && slug_ok {
        Ok(())
    } else {
        Err(format!(
            "client rule id '{id}' must look like ACME-patch-ops (an upper-case vendor namespace, a dash and a kebab-case slug)"
        ))
    }
}
