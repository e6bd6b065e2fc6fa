//! JSON Schemas derived from what a target declares about itself (RFC 7643 6 and 7): one
//! per resource type in /ResourceTypes, built from its core schema and its extensions in
//! /Schemas, describing a resource as returned in full. A scenario names one as
//! `declared:<ResourceType>`.
//!
//! What a derived schema checks: each declared attribute has its declared type and
//! plurality, and an attribute declared `returned: never` is absent. What it leaves alone:
//! `required` (a check of types, not of presence), attributes nobody declared (the
//! built-in schemas check structure), `canonicalValues` (RFC 7643 7 lets servers accept
//! others), and null (RFC 7643 2.5: null is the same as unassigned). Attribute names match
//! without regard to ASCII case, as everywhere in SCIM.
//!
//! Pure: JSON in, schemas and warnings out. A declaration that cannot be understood is
//! skipped with a warning, never a panic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::scim::get_attr;

/// How deeply complex attributes may nest (RFC 7643 allows one level) before deeper
/// values are left unchecked.
const MAX_DEPTH: usize = 3;

/// The schemas a target's declarations give, by resource type name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclaredSchemas {
    /// By resource type name, as the target spells it.
    schemas: BTreeMap<String, Value>,
    /// Resource types that /ResourceTypes names but /Schemas does not describe, with why.
    undescribed: BTreeMap<String, String>,
    /// Declarations that were skipped, one sentence each.
    pub warnings: Vec<String>,
}

impl DeclaredSchemas {
    /// The derived schema of a resource type (exact name first, then ignoring ASCII
    /// case), or why the target's declarations do not give one.
    pub fn schema(&self, resource_type: &str) -> Result<&Value, String> {
        if let Some(name) = key_of(&self.schemas, resource_type) {
            return Ok(&self.schemas[name]);
        }
        if let Some(name) = key_of(&self.undescribed, resource_type) {
            return Err(self.undescribed[name].clone());
        }
        let known: Vec<&str> = self
            .schemas
            .keys()
            .chain(self.undescribed.keys())
            .map(String::as_str)
            .collect();
        Err(if known.is_empty() {
            "/ResourceTypes lists no resource type".to_owned()
        } else {
            format!(
                "/ResourceTypes has no resource type named {resource_type} (it lists {})",
                known.join(", ")
            )
        })
    }

    /// The resource types that have a derived schema.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.schemas.keys().map(String::as_str)
    }
}

/// Derives one schema per resource type from the items of /ResourceTypes and /Schemas.
pub fn derive(resource_types: &[Value], schemas: &[Value]) -> DeclaredSchemas {
    let mut out = DeclaredSchemas::default();
    let mut warn = |text: String| out.warnings.push(text);
    let mut derived = BTreeMap::new();
    let mut undescribed = BTreeMap::new();
    for (index, rt) in resource_types.iter().enumerate() {
        let name = ["name", "id"]
            .into_iter()
            .find_map(|key| non_empty_str(get_attr(rt, key)));
        let Some(name) = name else {
            warn(format!(
                "/ResourceTypes: resource type #{} has no name; skipped",
                index + 1
            ));
            continue;
        };
        if key_of(&derived, name).is_some() || key_of(&undescribed, name).is_some() {
            warn(format!(
                "/ResourceTypes: resource type {name} is listed twice; the first is used"
            ));
            continue;
        }
        match resource_type_schema(name, rt, schemas, &mut warn) {
            Ok(schema) => {
                derived.insert(name.to_owned(), schema);
            }
            Err(reason) => {
                undescribed.insert(name.to_owned(), reason);
            }
        }
    }
    out.schemas = derived;
    out.undescribed = undescribed;
    out
}

/// The schema of one resource type: its core attributes at the top, each extension's
/// under the extension URN.
fn resource_type_schema(
    name: &str,
    rt: &Value,
    schemas: &[Value],
    warn: &mut dyn FnMut(String),
) -> Result<Value, String> {
    let Some(core_urn) = non_empty_str(get_attr(rt, "schema")) else {
        return Err("its /ResourceTypes entry names no core schema".to_owned());
    };
    let core = find_schema(schemas, core_urn).ok_or_else(|| {
        if schemas.is_empty() {
            "/Schemas lists no schema at all".to_owned()
        } else {
            format!("its core schema {core_urn} is not among those /Schemas lists")
        }
    })?;
    let Some(attributes) = get_attr(core, "attributes").and_then(Value::as_array) else {
        return Err(format!(
            "its core schema {core_urn} in /Schemas has no list of attributes"
        ));
    };
    let mut properties = object_properties(core_urn, attributes, 0, warn);
    let extensions = match get_attr(rt, "schemaExtensions") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            warn(format!(
                "/ResourceTypes: {name} has schemaExtensions that are not a list; ignored"
            ));
            &[][..]
        }
    };
    let mut published_urns = vec![core_urn];
    let mut required_extensions = Vec::new();
    for extension in extensions {
        let Some(urn) = non_empty_str(get_attr(extension, "schema")) else {
            warn(format!(
                "/ResourceTypes: {name} has a schema extension without a schema URN; ignored"
            ));
            continue;
        };
        let Some(attributes) = find_schema(schemas, urn)
            .and_then(|s| get_attr(s, "attributes"))
            .and_then(Value::as_array)
        else {
            warn(format!(
                "/Schemas does not describe the attributes of {urn}, an extension of {name}; \
                 its values are not checked"
            ));
            continue;
        };
        published_urns.push(urn);
        if get_attr(extension, "required") == Some(&Value::Bool(true)) {
            required_extensions.push(required_extension(name, urn));
        }
        let inner = object_properties(urn, attributes, 0, warn);
        let pattern = name_pattern(urn);
        if properties.contains_key(&pattern) {
            warn(format!(
                "/Schemas: {core_urn} has an attribute named like its extension {urn}; \
                 the extension is used"
            ));
        }
        properties.insert(
            pattern,
            json!({
                "description": format!("the {urn} extension of {name}"),
                "type": "object",
                "patternProperties": inner,
            }),
        );
    }
    Ok(json!({
        "title": format!("{name} as the target declares it in /Schemas"),
        "description": format!(
            "Attribute types of {name} from the target's /ResourceTypes and /Schemas: \
             {core_urn} and its extensions. Names match without regard to case; \
             undeclared attributes are allowed."
        ),
        "type": "object",
        "patternProperties": properties,
        "allOf": std::iter::once(consistency_schema(name, &published_urns))
            .chain(required_extensions)
            .collect::<Vec<_>>(),
    }))
}

/// An extension /ResourceTypes marks required is present in every resource of the type
/// (RFC 7643 6): some member is named like its URN, in any case.
fn required_extension(name: &str, urn: &str) -> Value {
    json!({
        "description": format!("{name} declares the extension {urn} required, so it is present"),
        "not": { "propertyNames": { "not": { "pattern": name_pattern(urn) } } },
    })
}

/// What a resource says about itself that must agree with the declarations: its
/// `schemas` lists, once each, only the resource type's core schema and extensions that
/// /Schemas publishes (RFC 7643 3 and 7), and `meta.resourceType` is the resource type's
/// name (RFC 7643 6).
fn consistency_schema(name: &str, published_urns: &[&str]) -> Value {
    let declared: Vec<Value> = published_urns
        .iter()
        .map(|urn| json!({ "pattern": name_pattern(urn) }))
        .collect();
    let mut properties = Map::new();
    properties.insert(
        name_pattern("schemas"),
        json!({
            "description": format!(
                "each schema URN at most once, and only {}",
                published_urns.join(" or ")
            ),
            "type": "array",
            "uniqueItems": true,
            "items": { "type": "string", "anyOf": declared },
        }),
    );
    let mut meta = Map::new();
    meta.insert(
        name_pattern("resourceType"),
        json!({
            "description": format!("the name /ResourceTypes gives: {name}"),
            "type": ["string", "null"],
            "pattern": name_pattern(name),
        }),
    );
    properties.insert(
        name_pattern("meta"),
        json!({ "type": ["object", "null"], "patternProperties": meta }),
    );
    json!({ "patternProperties": properties })
}

/// `patternProperties` for a list of attribute definitions of `owner` (a schema URN or
/// an attribute path).
fn object_properties(
    owner: &str,
    attributes: &[Value],
    depth: usize,
    warn: &mut dyn FnMut(String),
) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut seen = BTreeSet::new();
    for (index, definition) in attributes.iter().enumerate() {
        let Some(name) = non_empty_str(get_attr(definition, "name")) else {
            warn(format!(
                "/Schemas: attribute #{} of {owner} has no name; skipped",
                index + 1
            ));
            continue;
        };
        if !seen.insert(name.to_ascii_lowercase()) {
            warn(format!(
                "/Schemas: {owner} declares {name} twice (names ignore case); the first is used"
            ));
            continue;
        }
        let path = format!("{owner}:{name}");
        properties.insert(
            name_pattern(name),
            attribute_schema(&path, definition, depth, warn),
        );
    }
    properties
}

/// The schema of one attribute's value in a response.
fn attribute_schema(
    path: &str,
    definition: &Value,
    depth: usize,
    warn: &mut dyn FnMut(String),
) -> Value {
    let returned = get_attr(definition, "returned").and_then(Value::as_str);
    if returned.is_some_and(|r| r.eq_ignore_ascii_case("never")) {
        return json!({
            "description": "declared returned: never; a response must not carry it",
            "not": {},
        });
    }
    let item = item_schema(path, definition, depth, warn);
    match get_attr(definition, "multiValued") {
        Some(Value::Bool(true)) => json!({
            "description": "declared multi-valued",
            "type": ["array", "null"],
            "items": item,
        }),
        Some(Value::Bool(false)) => nullable(item),
        other => {
            warn(format!(
                "/Schemas: {path} has multiValued {}, not true or false; \
                 one value and a list are both accepted",
                other.map_or_else(|| "missing".to_owned(), Value::to_string)
            ));
            json!({ "anyOf": [nullable(item.clone()), { "type": "array", "items": item }] })
        }
    }
}

/// The schema of one value of an attribute: its SCIM type as a JSON type.
fn item_schema(
    path: &str,
    definition: &Value,
    depth: usize,
    warn: &mut dyn FnMut(String),
) -> Value {
    let Some(scim_type) = get_attr(definition, "type").and_then(Value::as_str) else {
        warn(format!(
            "/Schemas: {path} declares no type; its values are not checked"
        ));
        return json!({});
    };
    let json_type = match scim_type.to_ascii_lowercase().as_str() {
        "string" | "reference" | "binary" | "datetime" => "string",
        "boolean" => "boolean",
        "integer" => "integer",
        "decimal" => "number",
        "complex" => return complex_schema(path, definition, depth, warn),
        _ => {
            warn(format!(
                "/Schemas: {path} has type {scim_type:?}, not a SCIM type; \
                 its values are not checked"
            ));
            return json!({});
        }
    };
    json!({ "description": format!("declared {scim_type}"), "type": json_type })
}

fn complex_schema(
    path: &str,
    definition: &Value,
    depth: usize,
    warn: &mut dyn FnMut(String),
) -> Value {
    let subs = match get_attr(definition, "subAttributes") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(subs)) => subs.as_slice(),
        Some(_) => {
            warn(format!(
                "/Schemas: {path} has subAttributes that are not a list; \
                 its sub-attributes are not checked"
            ));
            &[][..]
        }
    };
    let mut schema = json!({ "description": "declared complex", "type": "object" });
    if subs.is_empty() {
        return schema;
    }
    if depth + 1 >= MAX_DEPTH {
        warn(format!(
            "/Schemas: {path} nests complex attributes deeper than {MAX_DEPTH} levels; \
             the deeper ones are not checked"
        ));
        return schema;
    }
    schema["patternProperties"] = Value::Object(object_properties(path, subs, depth + 1, warn));
    schema
}

/// Accepts null besides the schema's own type (RFC 7643 2.5: null means unassigned).
fn nullable(mut schema: Value) -> Value {
    if let Some(Value::String(json_type)) = schema.get("type") {
        schema["type"] = json!([json_type.clone(), "null"]);
    }
    schema
}

/// The key of `map` that is `name`, exactly or else ignoring ASCII case.
fn key_of<'a, V>(map: &'a BTreeMap<String, V>, name: &str) -> Option<&'a String> {
    map.get_key_value(name)
        .map(|(key, _)| key)
        .or_else(|| map.keys().find(|key| key.eq_ignore_ascii_case(name)))
}

/// The schema in `schemas` whose id is `urn`, ignoring ASCII case.
fn find_schema<'a>(schemas: &'a [Value], urn: &str) -> Option<&'a Value> {
    schemas.iter().find(|schema| {
        get_attr(schema, "id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(urn))
    })
}

fn non_empty_str(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An anchored regex matching `name` and nothing else, ignoring ASCII case: each letter
/// becomes a class of its two cases, the characters that are regex syntax are escaped
/// (only those: `\<` would be a word boundary), and whitespace and control characters are
/// written by code point. Classes rather than a `(?i)` flag keep the match ASCII-only, as
/// SCIM name matching is everywhere in scimcheck.
pub fn name_pattern(name: &str) -> String {
    const SYNTAX: &str = "\\.+*?()|[]{}^$#";
    let mut pattern = String::with_capacity(name.len() * 4 + 2);
    pattern.push('^');
    for c in name.chars() {
        if c.is_ascii_alphabetic() {
            pattern.push('[');
            pattern.push(c.to_ascii_uppercase());
            pattern.push(c.to_ascii_lowercase());
            pattern.push(']');
        } else if SYNTAX.contains(c) {
            pattern.push('\\');
            pattern.push(c);
        } else if c.is_whitespace() || c.is_control() {
            pattern.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else {
            pattern.push(c);
        }
    }
    pattern.push('$');
    pattern
}

#[cfg(test)]
mod tests;
