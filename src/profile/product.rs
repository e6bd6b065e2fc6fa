//! What a profile says about the product itself, beyond excusing failures: the request
//! dialect the product speaks, attributes every created resource needs, the attributes it
//! accepts at all, how cleanup works there, capabilities it cannot advertise, and how the
//! reference server emulates it (`serve --profile`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::suite::reader::Reader;
use crate::suite::yaml::{Node, NodeKind};
use crate::vocabulary::Capability;

/// How the suite's requests are rewritten into the product's dialect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dialect {
    /// PATCH op spellings by lower-case op: `replace: Replace`.
    pub patch_ops: BTreeMap<String, String>,
    /// An op forced for a PATCH path's attribute (lower case): `roles: Add`.
    pub path_ops: BTreeMap<String, String>,
    /// PatchOp bodies are sent without `schemas`.
    pub patch_without_schemas: bool,
    /// The Content-Type of every request with a body, instead of application/scim+json.
    pub content_type: Option<String>,
    /// Attributes (lower case) whose `eq` filter values are sent without quotes.
    pub unquoted_filters: Vec<String>,
}

/// What cleanup does with what a scenario created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cleanup {
    #[default]
    Delete,
    /// PATCH `active` to false (users); the product keeps them, inactive.
    Deactivate,
    /// DELETE, which only deactivates a user: read back inactive, it counts as cleaned.
    DeleteDeactivates,
    /// Nothing is removed; everything is listed as left behind.
    None,
}

/// How `serve --profile` makes the reference server behave like the product.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Emulation {
    /// Misbehaviour switches (by name) that express the product's documented deviations.
    pub misbehave: Vec<String>,
    /// Path prefix of the SCIM endpoints.
    pub base_path: Option<String>,
    /// User attributes a create must carry (dotted paths allowed).
    pub required: Vec<String>,
    /// Enumerated values of an attribute (dotted path), refused otherwise.
    pub enums: BTreeMap<String, Vec<String>>,
    /// Only these user attributes are accepted; others answer 400.
    pub only_fields: bool,
    /// An OAuth2 token endpoint (client id) in front of the SCIM endpoints.
    pub oauth_client_id: Option<String>,
    /// The product's own user attributes, kept as sent (`udf_*` is a prefix).
    pub extra_attributes: Vec<String>,
    /// Values a created user gets when it does not say (`active: true`).
    pub defaults: serde_json::Map<String, Value>,
    /// Licences the product starts with: a user created while that many are active is
    /// kept inactive. `serve --licences N` sets another count.
    pub licences: Option<usize>,
}

/// The product part of a profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Product {
    pub dialect: Dialect,
    /// Attributes merged into every created resource, by resource type (`User`).
    pub create_template: BTreeMap<String, Value>,
    /// Default values of the `{{ vars.NAME }}` the template uses.
    pub vars: BTreeMap<String, Value>,
    /// The attributes the product accepts, by resource type; absent means all.
    pub fields: BTreeMap<String, Vec<String>>,
    pub cleanup: Option<Cleanup>,
    /// Capabilities the product has although it offers no discovery endpoints.
    pub capabilities: Vec<String>,
    /// Scenario files or folders of the product's own, relative to the profile.
    pub scenarios: Vec<String>,
    pub emulation: Emulation,
}

const DIALECT_KEYS: &[&str] = &[
    "patch_ops",
    "path_ops",
    "patch_schemas",
    "content_type",
    "unquoted_filters",
];
const EMULATE_KEYS: &[&str] = &[
    "misbehave",
    "base_path",
    "required",
    "enums",
    "only_fields",
    "oauth_client_id",
    "extra_attributes",
    "defaults",
    "licences",
];

/// Reads the product keys of a profile mapping (`get` looks one up).
pub fn read_product<'n>(r: &mut Reader, get: impl Fn(&str) -> Option<&'n Node>) -> Product {
    let mut product = Product::default();
    if let Some(node) = get("dialect") {
        product.dialect = read_dialect(r, node);
    }
    if let Some(node) = get("create_template") {
        for entry in r.entries(node, "create_template").unwrap_or_default() {
            product
                .create_template
                .insert(entry.key.to_owned(), json_of(entry.value));
        }
    }
    if let Some(node) = get("vars") {
        for entry in r.entries(node, "vars").unwrap_or_default() {
            product
                .vars
                .insert(entry.key.to_owned(), json_of(entry.value));
        }
    }
    if let Some(node) = get("fields") {
        for entry in r.entries(node, "fields").unwrap_or_default() {
            let list = r.string_list(entry.value, "fields", false);
            product.fields.insert(
                entry.key.to_owned(),
                list.into_iter().map(|(s, _)| s.to_owned()).collect(),
            );
        }
    }
    if let Some(node) = get("cleanup") {
        product.cleanup = r
            .choice(
                node,
                "cleanup",
                &["delete", "deactivate", "delete-deactivates", "none"],
                false,
            )
            .map(|word| match word {
                "deactivate" => Cleanup::Deactivate,
                "delete-deactivates" => Cleanup::DeleteDeactivates,
                "none" => Cleanup::None,
                _ => Cleanup::Delete,
            });
    }
    if let Some(node) = get("capabilities") {
        for (name, pos) in r.string_list(node, "capabilities", false) {
            if Capability::from_name(name).is_some() {
                product.capabilities.push(name.to_owned());
            } else {
                r.error(
                    pos,
                    format!(
                        "unknown capability '{name}' (known: {})",
                        Capability::ALL.map(|c| c.as_str()).join(", ")
                    ),
                );
            }
        }
    }
    if let Some(node) = get("scenarios") {
        product.scenarios = r
            .string_list(node, "scenarios", true)
            .into_iter()
            .map(|(s, _)| s.to_owned())
            .collect();
    }
    if let Some(node) = get("emulate") {
        product.emulation = read_emulation(r, node);
    }
    product
}

fn read_dialect(r: &mut Reader, node: &Node) -> Dialect {
    let mut dialect = Dialect::default();
    let Some(map) = r.mapping(node, "dialect", DIALECT_KEYS) else {
        return dialect;
    };
    for (key, table) in [
        ("patch_ops", &mut dialect.patch_ops),
        ("path_ops", &mut dialect.path_ops),
    ] {
        if let Some(node) = map.get(key) {
            for entry in r.entries(node, key).unwrap_or_default() {
                if let Some(op) = r.string(entry.value, key) {
                    table.insert(entry.key.to_ascii_lowercase(), op.to_owned());
                }
            }
        }
    }
    if let Some(node) = map.get("patch_schemas") {
        dialect.patch_without_schemas =
            r.choice(node, "patch_schemas", &["send", "omit"], false) == Some("omit");
    }
    if let Some(node) = map.get("content_type") {
        dialect.content_type = r.string(node, "content_type").map(str::to_owned);
    }
    if let Some(node) = map.get("unquoted_filters") {
        dialect.unquoted_filters = r
            .string_list(node, "unquoted_filters", false)
            .into_iter()
            .map(|(s, _)| s.to_ascii_lowercase())
            .collect();
    }
    dialect
}

fn read_emulation(r: &mut Reader, node: &Node) -> Emulation {
    let mut emulation = Emulation::default();
    let Some(map) = r.mapping(node, "emulate", EMULATE_KEYS) else {
        return emulation;
    };
    let strings = |r: &mut Reader, key: &str| -> Vec<String> {
        map.get(key)
            .map(|n| r.string_list(n, key, false))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s.to_owned())
            .collect()
    };
    emulation.misbehave = strings(r, "misbehave");
    emulation.required = strings(r, "required");
    emulation.extra_attributes = strings(r, "extra_attributes");
    if let Some(node) = map.get("defaults")
        && let Value::Object(defaults) = json_of(node)
    {
        emulation.defaults = defaults;
    }
    if let Some(node) = map.get("base_path") {
        emulation.base_path = r.string(node, "base_path").map(str::to_owned);
    }
    if let Some(node) = map.get("enums") {
        for entry in r.entries(node, "enums").unwrap_or_default() {
            let values = r.string_list(entry.value, "enums", false);
            emulation.enums.insert(
                entry.key.to_owned(),
                values.into_iter().map(|(s, _)| s.to_owned()).collect(),
            );
        }
    }
    if let Some(node) = map.get("only_fields") {
        emulation.only_fields = r.bool(node, "only_fields").unwrap_or(false);
    }
    if let Some(node) = map.get("oauth_client_id") {
        emulation.oauth_client_id = r.string(node, "oauth_client_id").map(str::to_owned);
    }
    if let Some(node) = map.get("licences") {
        emulation.licences = match node.kind {
            NodeKind::Int(n) => usize::try_from(n).ok(),
            NodeKind::UInt(n) => usize::try_from(n).ok(),
            _ => None,
        };
        if emulation.licences.is_none() {
            r.wrong_type(node, "a whole number of licences (0 or more)", "licences");
        }
    }
    emulation
}

/// A YAML value as JSON (profile data is plain values, no templates).
pub fn json_of(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Int(n) => Value::from(*n),
        NodeKind::UInt(n) => Value::from(*n),
        NodeKind::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        NodeKind::Str(s) => Value::String(s.clone()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(json_of).collect()),
        NodeKind::Map(pairs) => Value::Object(
            pairs
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), json_of(v))))
                .collect(),
        ),
    }
}
