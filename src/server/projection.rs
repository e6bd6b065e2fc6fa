//! `attributes` and `excludedAttributes` (RFC 7644 3.4.2.5, 3.9): which attributes a
//! response carries. `id` and `schemas` (returned=always) stay whatever is asked.

use serde_json::{Map, Value};

use super::deviate::is_core_urn_path;
use super::error::ScimError;
use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use super::schema_defs::ResourceKind;
use crate::scim::{AttrPath, parse_attr_path_with_schemas};

#[derive(Debug, Clone, Default)]
pub struct Projection {
    include: Vec<AttrPath>,
    exclude: Vec<AttrPath>,
    /// The `excluded-removes-id` misbehaviour: excludedAttributes may remove `id`.
    exclude_always: bool,
    /// The `title-returned-request` behaviour: a read shows a user's title only when
    /// `attributes` names it.
    withhold_title: bool,
}

/// Attributes every projection keeps.
const ALWAYS: [&str; 2] = ["id", "schemas"];

impl Projection {
    /// From the two parameters, each a list of attribute paths. `known_urns` are the
    /// schema URNs of the resource types the response may hold.
    pub fn parse(
        attributes: &[String],
        excluded: &[String],
        known_urns: &[&str],
    ) -> Result<Self, ScimError> {
        let parse = |list: &[String], parameter: &str| -> Result<Vec<AttrPath>, ScimError> {
            list.iter()
                .map(|text| text.trim())
                .filter(|text| !text.is_empty())
                .map(|text| {
                    parse_attr_path_with_schemas(text, known_urns).map_err(|error| {
                        ScimError::invalid_value(format!(
                            "{parameter}: '{text}' is not an attribute path: {error}"
                        ))
                    })
                })
                .collect()
        };
        Ok(Projection {
            include: parse(attributes, "attributes")?,
            exclude: parse(excluded, "excludedAttributes")?,
            exclude_always: false,
            withhold_title: false,
        })
    }

    /// The projection of a read (a GET or a query): under `title-returned-request` a
    /// user's title is left out unless asked for, as its declaration says.
    pub fn for_read(mut self, ctx: &Ctx<'_>) -> Projection {
        self.withhold_title = ctx.misbehaves(Misbehaviour::TitleReturnedRequest);
        self
    }

    /// The projection as a misbehaving server reads it: `core-urn-unknown` forgets the
    /// paths named with a core schema URN, `excluded-removes-id` lets `id` be excluded.
    pub fn misread(&self, ctx: &Ctx<'_>) -> Projection {
        let mut read = self.clone();
        if ctx.misbehaves(Misbehaviour::CoreUrnUnknown) {
            read.include.retain(|path| !is_core_urn_path(path));
            read.exclude.retain(|path| !is_core_urn_path(path));
        }
        read.exclude_always = ctx.misbehaves(Misbehaviour::ExcludedRemovesId);
        read
    }

    /// Split a query parameter value (`userName,name.givenName`) into paths.
    pub fn split_list(text: &str) -> Vec<String> {
        text.split(',')
            .map(|item| item.trim().to_string())
            .collect()
    }

    pub fn asks_for_attributes(&self) -> bool {
        !self.include.is_empty()
    }

    /// Cut a full representation down to what was asked for. `drop_schemas` is the
    /// `projection-drops-schemas` misbehaviour.
    pub fn apply(&self, kind: ResourceKind, resource: &mut Value, drop_schemas: bool) {
        let Value::Object(map) = resource else {
            return;
        };
        if !self.include.is_empty() {
            let selected = tree(kind, &self.include);
            let mut kept = Map::new();
            for (key, value) in std::mem::take(map) {
                if ALWAYS.contains(&key.as_str()) {
                    kept.insert(key, value);
                } else if let Some(node) = selected.child(&key)
                    && let Some(value) = node.keep(&value)
                {
                    kept.insert(key, value);
                }
            }
            *map = kept;
            if drop_schemas {
                map.remove("schemas");
            }
        }
        if !self.exclude.is_empty() {
            let excluded = tree(kind, &self.exclude);
            for (key, node) in &excluded.children {
                if ALWAYS.iter().any(|always| always.eq_ignore_ascii_case(key))
                    && !(self.exclude_always && key.eq_ignore_ascii_case("id"))
                {
                    continue;
                }
                node.remove_from(map, key);
            }
        }
        let title_asked = self
            .include
            .iter()
            .any(|path| path.name.eq_ignore_ascii_case("title"));
        if self.withhold_title && kind == ResourceKind::User && !title_asked {
            map.retain(|key, _| !key.eq_ignore_ascii_case("title"));
        }
    }
}

/// The selected paths as a tree of member names: `[urn, name, sub]` for extension
/// attributes, `[name, sub]` for core ones.
fn tree(kind: ResourceKind, paths: &[AttrPath]) -> Node {
    let mut root = Node::default();
    for path in paths {
        if let Some(segments) = segments(kind, path) {
            root.insert(&segments);
        }
    }
    root
}

fn segments(kind: ResourceKind, path: &AttrPath) -> Option<Vec<String>> {
    let mut out = Vec::new();
    match &path.urn {
        None => {}
        Some(urn) if urn.eq_ignore_ascii_case(kind.schema()) && path.is_schema() => return None,
        Some(urn) if urn.eq_ignore_ascii_case(kind.schema()) => {}
        Some(urn) => {
            let (urn, _) = kind.extension(urn)?;
            out.push(urn.to_string());
            if path.is_schema() {
                return Some(out);
            }
        }
    }
    out.push(path.name.clone());
    out.extend(path.sub.clone());
    Some(out)
}

#[derive(Debug, Default)]
struct Node {
    whole: bool,
    children: Vec<(String, Node)>,
}

impl Node {
    fn insert(&mut self, segments: &[String]) {
        let Some((first, rest)) = segments.split_first() else {
            self.whole = true;
            return;
        };
        let index = match self
            .children
            .iter()
            .position(|(name, _)| name.eq_ignore_ascii_case(first))
        {
            Some(index) => index,
            None => {
                self.children.push((first.clone(), Node::default()));
                self.children.len() - 1
            }
        };
        self.children[index].1.insert(rest);
    }

    fn child(&self, key: &str) -> Option<&Node> {
        self.children
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, node)| node)
    }

    /// The part of `value` this node selects, or `None` when nothing remains.
    fn keep(&self, value: &Value) -> Option<Value> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            Value::Object(map) => {
                let kept: Map<String, Value> = map
                    .iter()
                    .filter_map(|(key, value)| {
                        let kept = self.child(key)?.keep(value)?;
                        Some((key.clone(), kept))
                    })
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            Value::Array(items) => {
                let kept: Vec<Value> = items.iter().filter_map(|item| self.keep(item)).collect();
                (!kept.is_empty()).then_some(Value::Array(kept))
            }
            _ => None,
        }
    }

    /// Remove what this node (reached by `key`) selects from `map`.
    fn remove_from(&self, map: &mut Map<String, Value>, key: &str) {
        let Some(actual) = map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned() else {
            return;
        };
        if self.whole {
            map.remove(&actual);
            return;
        }
        let empty = match map.get_mut(&actual) {
            Some(Value::Object(inner)) => {
                for (sub, node) in &self.children {
                    node.remove_from(inner, sub);
                }
                inner.is_empty()
            }
            Some(Value::Array(items)) => {
                for item in items.iter_mut() {
                    if let Value::Object(inner) = item {
                        for (sub, node) in &self.children {
                            node.remove_from(inner, sub);
                        }
                    }
                }
                items.retain(|item| !matches!(item, Value::Object(inner) if inner.is_empty()));
                items.is_empty()
            }
            _ => false,
        };
        if empty {
            map.remove(&actual);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::schema_defs::{ENTERPRISE_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "id": "1",
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x", "type": "work"}, {"value": "b@x"}],
            ENTERPRISE_SCHEMA: {"employeeNumber": "7", "department": "R&D"},
            "meta": {"resourceType": "User"}
        })
    }

    fn project(attributes: &[&str], excluded: &[&str]) -> Value {
        let own = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let projection = Projection::parse(
            &own(attributes),
            &own(excluded),
            &ResourceKind::User.schema_urns(),
        )
        .unwrap();
        let mut resource = user();
        projection.apply(ResourceKind::User, &mut resource, false);
        resource
    }

    #[test]
    fn attributes_keep_always_returned_and_named_sub_attributes() {
        assert_eq!(
            project(&["NAME.givenName", "emails.type"], &[]),
            json!({
                "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
                "id": "1",
                "name": {"givenName": "Ada"},
                "emails": [{"type": "work"}],
            })
        );
    }

    #[test]
    fn urn_prefixed_attributes_and_whole_extensions() {
        let out = project(
            &[
                &format!("{USER_SCHEMA}:userName"),
                &format!("{ENTERPRISE_SCHEMA}:department"),
            ],
            &[],
        );
        assert_eq!(out["userName"], "ada");
        assert_eq!(out[ENTERPRISE_SCHEMA], json!({"department": "R&D"}));
        let out = project(&[ENTERPRISE_SCHEMA], &[]);
        assert_eq!(out[ENTERPRISE_SCHEMA]["employeeNumber"], "7");
        assert!(out.get("userName").is_none());
    }

    #[test]
    fn excluded_attributes_never_remove_id_or_schemas() {
        let out = project(&[], &["id", "schemas", "name.givenName", "emails", "meta"]);
        assert_eq!(out["id"], "1");
        assert!(out.get("schemas").is_some());
        assert_eq!(out["name"], json!({"familyName": "Lovelace"}));
        assert!(out.get("emails").is_none() && out.get("meta").is_none());
    }

    #[test]
    fn bad_path_is_invalid_value() {
        let error = Projection::parse(&["name..x".into()], &[], &[]).unwrap_err();
        assert!(error.detail.starts_with("attributes:"), "{}", error.detail);
    }
}
