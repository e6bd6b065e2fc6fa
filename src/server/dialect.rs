//! Requests identity providers are documented to send although the RFCs do not ask a
//! server to take them: Entra ID's legacy jobs (booleans as "False", a manager as a bare
//! id), Entra ID's flagged pathless replace keyed by paths, and OneLogin's templates
//! (SCIM 1.0 schema URNs, "true" as text). The reference server rewrites each into its
//! RFC form before reading the body, as tolerant services do; a misbehaviour switch per
//! dialect leaves it as sent, so validation refuses it the way a strict server would.

use serde_json::{Map, Value, json};

use super::misbehave::Misbehaviour;
use super::provider::Provider;
use super::schema_defs::{AttrDef, COMMON, ENTERPRISE_SCHEMA, ResourceKind, USER_SCHEMA, find};
use crate::scim::{AttrKind, AttrPath, parse_filter, parse_patch_path_with_schemas};

/// What a write's body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A POST or PUT: the resource itself.
    Resource,
    /// A PATCH: a PatchOp message.
    PatchOp,
}

/// SCIM 1.0 schema URNs OneLogin's templates carry, and their SCIM 2.0 names.
const LEGACY_SCHEMAS: [(&str, &str); 2] = [
    ("urn:scim:schemas:core:1.0", USER_SCHEMA),
    (
        "urn:scim:schemas:extension:enterprise:1.0",
        ENTERPRISE_SCHEMA,
    ),
];

/// Rewrites the dialects the provider tolerates into RFC form, in place.
pub(super) fn tolerate(provider: &Provider, kind: ResourceKind, shape: Shape, body: &mut Value) {
    let takes = |refusal: Misbehaviour| !provider.misbehaves(refusal);
    let values = Values {
        strings_as_booleans: takes(Misbehaviour::StringBooleansRefused),
        bare_ids: takes(Misbehaviour::ManagerIdRefused),
    };
    match shape {
        Shape::Resource => {
            if kind == ResourceKind::User && takes(Misbehaviour::LegacySchemasRefused) {
                rename_legacy_schemas(body);
            }
            if let Value::Object(members) = body {
                values.members(kind, kind.attrs(), members);
            }
        }
        Shape::PatchOp => {
            let Some(Value::Array(operations)) = member_mut(body, "Operations") else {
                return;
            };
            if takes(Misbehaviour::PatchPathKeysRefused) {
                split_path_keys(kind, operations);
            }
            for operation in operations.iter_mut() {
                values.operation(kind, operation);
            }
        }
    }
}

/// Entra ID matches users on `emails[type eq "work"].value eq "..."`, a sub-attribute after
/// the brackets that the RFC filter grammar lacks; read as the value filter it means,
/// `emails[(type eq "work") and value eq "..."]`. A filter that parses is left alone.
pub(super) fn tolerate_filter(provider: &Provider, filter: &str) -> Option<String> {
    if provider.misbehaves(Misbehaviour::SubAttributeFilterRefused) || parse_filter(filter).is_ok()
    {
        return None;
    }
    let rewritten = sub_after_brackets(filter)?;
    parse_filter(&rewritten).is_ok().then_some(rewritten)
}

fn sub_after_brackets(filter: &str) -> Option<String> {
    let text = filter.trim();
    let open = text.find('[')?;
    let attr = &text[..open];
    let close = open + text[open..].find("].")?;
    let inner = &text[open + 1..close];
    let (sub, comparison) = match text[close + 2..].split_once(char::is_whitespace) {
        Some((sub, rest)) => (sub, rest.trim()),
        None => return None,
    };
    let is_name = |word: &str| {
        !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$' | ':' | '.'))
    };
    (is_name(attr) && is_name(sub) && !comparison.is_empty())
        .then(|| format!("{attr}[({inner}) and {sub} {comparison}]"))
}

/// Which value spellings are read as their RFC form.
struct Values {
    /// "true" and "False" as booleans.
    strings_as_booleans: bool,
    /// A bare id as `{"value": id}` for a singular complex attribute with a value.
    bare_ids: bool,
}

impl Values {
    /// The members of a resource body or of an extension object.
    fn members(
        &self,
        kind: ResourceKind,
        defs: &'static [AttrDef],
        members: &mut Map<String, Value>,
    ) {
        for (key, value) in members.iter_mut() {
            if let Some((_, extension_defs)) = kind.extension(key) {
                if let Value::Object(inner) = value {
                    self.members(kind, extension_defs, inner);
                }
                continue;
            }
            if let Some(def) = find(defs, key).or_else(|| find(COMMON, key)) {
                self.value(def, value);
            }
        }
    }

    /// One PATCH operation: its value, read at the attribute its path names.
    fn operation(&self, kind: ResourceKind, operation: &mut Value) {
        let path = member_mut(operation, "path")
            .and_then(|p| p.as_str())
            .map(str::to_owned);
        let Some(value) = member_mut(operation, "value") else {
            return;
        };
        let Some(path) = path else {
            if let Value::Object(members) = value {
                self.members(kind, kind.attrs(), members);
            }
            return;
        };
        let Ok(parsed) = parse_patch_path_with_schemas(&path, &kind.schema_urns()) else {
            return;
        };
        let whole = AttrPath {
            urn: parsed.attr.urn.clone(),
            name: parsed.attr.name.clone(),
            sub: parsed.attr.sub.clone().or(parsed.sub.clone()),
        };
        if parsed.attr.is_schema() {
            if let (Some((_, defs)), Value::Object(members)) = (
                parsed
                    .attr
                    .urn
                    .as_deref()
                    .and_then(|urn| kind.extension(urn)),
                value,
            ) {
                self.members(kind, defs, members);
            }
            return;
        }
        let Some(found) = kind.lookup(&whole) else {
            return;
        };
        let leaf = found.leaf();
        // A filtered path (emails[type eq "work"]) takes single values of the attribute.
        if parsed.filter.is_some() && found.sub.is_none() {
            self.single(leaf, value);
        } else {
            self.value(leaf, value);
        }
    }

    /// The whole value of an attribute (an array for a multi-valued one).
    fn value(&self, def: &'static AttrDef, value: &mut Value) {
        match value {
            Value::Array(items) if def.multi_valued => {
                for item in items {
                    self.single(def, item);
                }
            }
            other => self.single(def, other),
        }
    }

    /// One value of an attribute.
    fn single(&self, def: &'static AttrDef, value: &mut Value) {
        match (def.kind, &mut *value) {
            (AttrKind::Boolean, Value::String(text)) if self.strings_as_booleans => {
                if let Some(flag) = boolean(text) {
                    *value = Value::Bool(flag);
                }
            }
            (AttrKind::Complex, Value::String(id))
                if self.bare_ids && !def.multi_valued && def.sub("value").is_some() =>
            {
                *value = json!({ "value": id.clone() });
            }
            (AttrKind::Complex, Value::Object(members)) => {
                for (key, member) in members.iter_mut() {
                    if let Some(sub) = def.sub(key) {
                        self.single(sub, member);
                    }
                }
            }
            _ => {}
        }
    }
}

/// "true" or "False", in any case; other text is left for validation to refuse.
fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// SCIM 1.0 URNs in `schemas`, and an extension object under its 1.0 URN, renamed.
fn rename_legacy_schemas(body: &mut Value) {
    let Value::Object(members) = body else {
        return;
    };
    let legacy = |urn: &str| {
        LEGACY_SCHEMAS
            .iter()
            .find(|(old, _)| old.eq_ignore_ascii_case(urn))
            .map(|(_, new)| *new)
    };
    if let Some(Value::Array(schemas)) = member_mut_in(members, "schemas") {
        for schema in schemas.iter_mut() {
            if let Some(new) = schema.as_str().and_then(legacy) {
                *schema = Value::String(new.into());
            }
        }
    }
    let renamed: Vec<(String, &str)> = members
        .keys()
        .filter_map(|key| legacy(key).map(|new| (key.clone(), new)))
        .filter(|(_, new)| *new != USER_SCHEMA)
        .collect();
    for (old, new) in renamed {
        if let Some(value) = members.shift_remove(&old) {
            members.insert(new.into(), value);
        }
    }
}

/// Entra ID's flagged pathless add or replace may key its value by paths
/// (`name.givenName`, `emails[type eq "work"].value`, an attribute's URN-qualified name):
/// each such member becomes an operation of its own with that path, right after the
/// operation that carried it, so the operations still apply in the order sent.
fn split_path_keys(kind: ResourceKind, operations: &mut Vec<Value>) {
    let mut out = Vec::with_capacity(operations.len());
    for mut operation in operations.drain(..) {
        let has_path = member_mut(&mut operation, "path").is_some_and(|p| !p.is_null());
        let op = member_mut(&mut operation, "op").cloned();
        let split = match (has_path, op, member_mut(&mut operation, "value")) {
            (false, Some(op), Some(Value::Object(value))) => {
                let keys: Vec<String> = value
                    .keys()
                    .filter(|key| is_path_key(kind, key))
                    .cloned()
                    .collect();
                keys.into_iter()
                    .filter_map(|key| {
                        let member = value.shift_remove(&key)?;
                        Some(json!({ "op": op.clone(), "path": key, "value": member }))
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let emptied = member_mut(&mut operation, "value")
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty));
        // An operation left with nothing but its path keys is replaced by them.
        if !emptied || split.is_empty() {
            out.push(operation);
        }
        out.extend(split);
    }
    *operations = out;
}

/// A member name that is a path rather than an attribute or extension name.
fn is_path_key(kind: ResourceKind, key: &str) -> bool {
    let plain = key.eq_ignore_ascii_case("schemas")
        || kind.extension(key).is_some()
        || find(kind.attrs(), key).is_some()
        || find(COMMON, key).is_some();
    !plain
        && key.contains(['.', '[', ':'])
        && parse_patch_path_with_schemas(key, &kind.schema_urns()).is_ok()
}

/// A member of a JSON object by name, in any case (SCIM names are case-insensitive).
fn member_mut<'v>(value: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    match value {
        Value::Object(members) => member_mut_in(members, name),
        _ => None,
    }
}

fn member_mut_in<'m>(members: &'m mut Map<String, Value>, name: &str) -> Option<&'m mut Value> {
    members
        .iter_mut()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tolerant() -> Values {
        Values {
            strings_as_booleans: true,
            bare_ids: true,
        }
    }

    fn patch(kind: ResourceKind, operations: Value) -> Value {
        let mut operations = match operations {
            Value::Array(items) => items,
            other => vec![other],
        };
        split_path_keys(kind, &mut operations);
        for operation in &mut operations {
            tolerant().operation(kind, operation);
        }
        Value::Array(operations)
    }

    #[test]
    fn string_booleans_become_literals_wherever_a_boolean_is_declared() {
        let mut body = json!({
            "active": "False",
            "emails": [{"value": "a@example.test", "primary": "TRUE"}],
            "displayName": "true",
        });
        if let Value::Object(members) = &mut body {
            tolerant().members(ResourceKind::User, ResourceKind::User.attrs(), members);
        }
        assert_eq!(body["active"], json!(false));
        assert_eq!(body["emails"][0]["primary"], json!(true));
        assert_eq!(
            body["displayName"],
            json!("true"),
            "a string attribute stays text"
        );
        let ops = patch(
            ResourceKind::User,
            json!({"op": "Replace", "path": "active", "value": "False"}),
        );
        assert_eq!(ops[0]["value"], json!(false));
        let ops = patch(
            ResourceKind::User,
            json!({"op": "replace", "value": {"active": "maybe"}}),
        );
        assert_eq!(
            ops[0]["value"]["active"],
            json!("maybe"),
            "not a boolean word"
        );
    }

    #[test]
    fn a_bare_manager_id_becomes_a_value_object() {
        let manager = format!("{ENTERPRISE_SCHEMA}:manager");
        let ops = patch(
            ResourceKind::User,
            json!({"op": "Add", "path": manager, "value": "42"}),
        );
        assert_eq!(ops[0]["value"], json!({"value": "42"}));
        let ops = patch(
            ResourceKind::User,
            json!({"op": "add", "path": "emails", "value": "a@example.test"}),
        );
        assert_eq!(
            ops[0]["value"],
            json!("a@example.test"),
            "only singular complex values"
        );
    }

    #[test]
    fn path_keys_of_a_pathless_replace_become_operations_of_their_own() {
        let department = format!("{ENTERPRISE_SCHEMA}:department");
        let ops = patch(
            ResourceKind::User,
            json!([{"op": "replace", "value": {
                "displayName": "Ada",
                "name.familyName": "Lovelace",
                "emails[type eq \"work\"].value": "ada@example.test",
                department.clone(): "Engines",
                "active": "False",
            }}]),
        );
        assert_eq!(
            ops,
            json!([
                {"op": "replace", "value": {"displayName": "Ada", "active": false}},
                {"op": "replace", "path": "name.familyName", "value": "Lovelace"},
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@example.test"},
                {"op": "replace", "path": department, "value": "Engines"},
            ])
        );
        let ops = patch(
            ResourceKind::User,
            json!([{"op": "add", "value": {"name.givenName": "Ada"}}]),
        );
        assert_eq!(
            ops,
            json!([{"op": "add", "path": "name.givenName", "value": "Ada"}])
        );
        let untouched = json!([{"op": "replace", "value": {"shoeSize": 9, "active": true}}]);
        assert_eq!(patch(ResourceKind::User, untouched.clone()), untouched);
    }

    #[test]
    fn a_sub_attribute_after_brackets_becomes_part_of_the_value_filter() {
        assert_eq!(
            sub_after_brackets(r#"emails[type eq "work"].value eq "ada@example.test""#).as_deref(),
            Some(r#"emails[(type eq "work") and value eq "ada@example.test"]"#)
        );
        assert_eq!(
            sub_after_brackets(r#"emails[type eq "work"].value pr"#).as_deref(),
            Some(r#"emails[(type eq "work") and value pr]"#)
        );
        assert_eq!(sub_after_brackets(r#"userName eq "a""#), None);
        assert_eq!(sub_after_brackets(r#"emails[type eq "work"].value"#), None);
    }

    #[test]
    fn scim_1_schema_urns_are_renamed_to_their_scim_2_names() {
        let mut body = json!({
            "schemas": ["urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:enterprise:1.0"],
            "urn:scim:schemas:extension:enterprise:1.0": {"department": "Engines"},
        });
        rename_legacy_schemas(&mut body);
        assert_eq!(body["schemas"], json!([USER_SCHEMA, ENTERPRISE_SCHEMA]));
        assert_eq!(body[ENTERPRISE_SCHEMA]["department"], json!("Engines"));
    }
}
