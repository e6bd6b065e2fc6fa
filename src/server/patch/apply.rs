//! Applying one PATCH operation to a resource's canonical attributes: where its path
//! leads (attribute, sub-attribute, value filter, extension), and what add, remove and
//! replace do there.

use serde_json::{Map, Value};

use super::{OpKind, Operation};
use crate::scim::{AttrKind, AttrPath, CompareOp, Filter, PatchPath, get_attr, matches_value};
use crate::server::error::{ScimError, ScimType};
use crate::server::query::Types;
use crate::server::schema_defs::{AttrDef, Mutability, ResourceKind};
use crate::server::validate::{Mode, attributes, describe, read_only, single, value_for};

/// What a path points at.
enum Target {
    /// A whole schema extension, by its URN.
    Extension(&'static str),
    Attribute {
        extension: Option<&'static str>,
        def: &'static AttrDef,
        filter: Option<Filter>,
        sub: Option<&'static AttrDef>,
    },
}

fn target(kind: ResourceKind, text: &str, path: &PatchPath) -> Result<Target, ScimError> {
    let attr = &path.attr;
    if attr.is_schema() {
        let urn = attr.urn.as_deref().unwrap_or_default();
        return match kind.extension(urn) {
            Some((urn, _)) => Ok(Target::Extension(urn)),
            None => Err(ScimError::invalid_path(format!(
                "path '{text}' names a schema, not an attribute"
            ))),
        };
    }
    if attr.urn.is_none() && attr.name.eq_ignore_ascii_case("schemas") {
        return Err(ScimError::mutability(
            "'schemas' is maintained by the server and cannot be modified",
        ));
    }
    let whole = AttrPath {
        urn: attr.urn.clone(),
        name: attr.name.clone(),
        sub: None,
    };
    let found = kind.lookup(&whole).ok_or_else(|| {
        ScimError::invalid_path(format!(
            "path '{text}': '{whole}' is not an attribute of {}",
            kind.name()
        ))
    })?;
    let def = found.def;
    if def.mutability == Mutability::ReadOnly {
        return Err(read_only(def.name));
    }
    let sub = match attr.sub.as_deref().or(path.sub.as_deref()) {
        None => None,
        Some(name) => {
            let sub = def.sub(name).ok_or_else(|| {
                ScimError::invalid_path(format!(
                    "path '{text}': '{}' has no sub-attribute '{name}'",
                    def.name
                ))
            })?;
            if sub.mutability == Mutability::ReadOnly {
                return Err(read_only(&format!("{}.{}", def.name, sub.name)));
            }
            Some(sub)
        }
    };
    if let Some(filter) = &path.filter {
        if !def.multi_valued {
            return Err(ScimError::invalid_path(format!(
                "path '{text}': a value filter needs a multi-valued attribute and '{}' is not",
                def.name
            )));
        }
        for inner in filter.attr_paths() {
            let known = inner.urn.is_none()
                && inner.sub.is_none()
                && (def.sub(&inner.name).is_some()
                    || (def.kind != AttrKind::Complex && inner.name.eq_ignore_ascii_case("value")));
            if !known {
                return Err(ScimError::bad_request(
                    ScimType::InvalidFilter,
                    format!(
                        "path '{text}': '{}' is not a sub-attribute of '{}'",
                        inner, def.name
                    ),
                ));
            }
        }
    }
    Ok(Target::Attribute {
        extension: found.extension,
        def,
        filter: path.filter.clone(),
        sub,
    })
}

pub(super) fn apply(
    kind: ResourceKind,
    attrs: &mut Map<String, Value>,
    op: &Operation,
) -> Result<(), ScimError> {
    let target = match &op.path {
        None => None,
        Some((text, path)) => Some((text.as_str(), target(kind, text, path)?)),
    };
    let value = match (op.kind, &op.value) {
        (OpKind::Remove, value) => value.as_ref(),
        (_, None) => {
            return Err(ScimError::invalid_value(format!(
                "'{}' needs a 'value'",
                op_name(op.kind)
            )));
        }
        (_, Some(value)) => Some(value),
    };
    match (op.kind, target) {
        (OpKind::Remove, None) => Err(ScimError::no_target("'remove' needs a 'path'")),
        (OpKind::Remove, Some((_, target))) => remove(kind, attrs, target, value),
        (_, None) => {
            let value = value.unwrap_or(&Value::Null);
            let object = value.as_object().ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "without a path, the value must be an object of attributes, found {}",
                    describe(value)
                ))
            })?;
            let partial = attributes(kind, object, Mode::Patch)?;
            merge_partial(kind, attrs, partial, op.kind)
        }
        (_, Some((_, Target::Extension(urn)))) => {
            let value = value.unwrap_or(&Value::Null);
            let mut wrapper = Map::new();
            wrapper.insert(urn.to_string(), value.clone());
            let partial = attributes(kind, &wrapper, Mode::Patch)?;
            merge_partial(kind, attrs, partial, op.kind)
        }
        (
            _,
            Some((
                text,
                Target::Attribute {
                    extension,
                    def,
                    filter,
                    sub,
                },
            )),
        ) => {
            let value = value.unwrap_or(&Value::Null);
            let container = container(attrs, extension);
            match (filter, sub) {
                (None, None) => {
                    let canonical = value_for(def, value, text)?;
                    set_attribute(container, def, canonical, op.kind);
                    Ok(())
                }
                (None, Some(sub)) => set_sub_everywhere(container, def, sub, value, text),
                (Some(filter), sub) => {
                    let selection = ValueFilter {
                        types: Types {
                            kind,
                            all_case_exact: false,
                        },
                        parent: parent_path(extension, def),
                        def,
                        filter: &filter,
                    };
                    set_filtered(container, &selection, sub, value, text, op.kind)
                }
            }
        }
    }
}

fn op_name(kind: OpKind) -> &'static str {
    match kind {
        OpKind::Add => "add",
        OpKind::Remove => "remove",
        OpKind::Replace => "replace",
    }
}

/// The object attributes of the target live in: the resource or an extension object.
fn container<'m>(
    attrs: &'m mut Map<String, Value>,
    extension: Option<&str>,
) -> &'m mut Map<String, Value> {
    let Some(urn) = extension else {
        return attrs;
    };
    let slot = attrs
        .entry(urn.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("slot was just made an object"),
    }
}

/// Apply a canonical attribute map (a value without path) attribute by attribute.
fn merge_partial(
    kind: ResourceKind,
    attrs: &mut Map<String, Value>,
    partial: Map<String, Value>,
    op: OpKind,
) -> Result<(), ScimError> {
    for (name, value) in partial {
        if let Some((urn, _)) = kind.extension(&name) {
            let Value::Object(members) = value else {
                if op == OpKind::Replace {
                    attrs.remove(urn);
                }
                continue;
            };
            for (member, value) in members {
                let def = kind
                    .lookup(&AttrPath::new(member.clone()).with_urn(urn))
                    .ok_or_else(|| {
                        ScimError::invalid_path(format!("unknown attribute '{member}'"))
                    })?
                    .def;
                set_attribute(container(attrs, Some(urn)), def, Some(value), op);
            }
            continue;
        }
        let def = kind
            .lookup(&AttrPath::new(name.clone()))
            .ok_or_else(|| ScimError::invalid_path(format!("unknown attribute '{name}'")))?
            .def;
        set_attribute(attrs, def, Some(value), op);
    }
    Ok(())
}

/// Add or replace one attribute with a canonical value (`None`/null unassigns on replace).
/// Add appends to multi-valued attributes; both merge into singular complex ones.
fn set_attribute(
    container: &mut Map<String, Value>,
    def: &'static AttrDef,
    value: Option<Value>,
    op: OpKind,
) {
    let value = match value {
        None | Some(Value::Null) => {
            if op == OpKind::Replace {
                container.remove(def.name);
            }
            return;
        }
        Some(value) => value,
    };
    if def.multi_valued {
        let new_items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        if op == OpKind::Replace {
            container.insert(def.name.into(), Value::Array(new_items));
            return;
        }
        let slot = container
            .entry(def.name.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = slot {
            for item in new_items {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
        }
        return;
    }
    if def.kind == AttrKind::Complex
        && let (Some(Value::Object(existing)), Value::Object(new)) =
            (container.get_mut(def.name), &value)
    {
        for (key, sub_value) in new {
            existing.insert(key.clone(), sub_value.clone());
        }
        return;
    }
    container.insert(def.name.into(), value);
}

/// `name.givenName` (singular complex) or `emails.type` (every value of a multi-valued
/// attribute) set to a value.
fn set_sub_everywhere(
    container: &mut Map<String, Value>,
    def: &'static AttrDef,
    sub: &'static AttrDef,
    value: &Value,
    text: &str,
) -> Result<(), ScimError> {
    let canonical = single(sub, value, text)?;
    if !def.multi_valued {
        let slot = container
            .entry(def.name.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(object) = slot {
            set_sub(object, def, sub, &canonical)?;
        }
        return Ok(());
    }
    let Some(Value::Array(items)) = container.get_mut(def.name) else {
        return Err(ScimError::no_target(format!(
            "'{}' has no values",
            def.name
        )));
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        set_sub(item, def, sub, &canonical)?;
    }
    Ok(())
}

/// Set (or with `None` unassign) one sub-attribute of one value. An immutable
/// sub-attribute (a member's `value`, `$ref`, `type`) may be set, never changed.
fn set_sub(
    item: &mut Map<String, Value>,
    def: &AttrDef,
    sub: &AttrDef,
    value: &Option<Value>,
) -> Result<(), ScimError> {
    if sub.mutability == Mutability::Immutable
        && let Some(existing) = item.get(sub.name)
        && Some(existing) != value.as_ref()
    {
        return Err(ScimError::mutability(format!(
            "'{}.{}' is immutable and cannot be changed",
            def.name, sub.name
        )));
    }
    match value {
        Some(value) => item.insert(sub.name.into(), value.clone()),
        None => item.remove(sub.name),
    };
    Ok(())
}

/// A value filter on a multi-valued attribute: which of its values it selects.
struct ValueFilter<'f> {
    types: Types,
    parent: AttrPath,
    def: &'static AttrDef,
    filter: &'f Filter,
}

impl ValueFilter<'_> {
    fn matches(&self, item: &Value) -> bool {
        matches_value(self.filter, item, &self.parent, &self.types)
    }
}

/// `attr[filter]` and `attr[filter].sub` for add and replace.
fn set_filtered(
    container: &mut Map<String, Value>,
    selection: &ValueFilter<'_>,
    sub: Option<&'static AttrDef>,
    value: &Value,
    text: &str,
    op: OpKind,
) -> Result<(), ScimError> {
    let def = selection.def;
    let filter = selection.filter;
    let mut items = match container.remove(def.name) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let selected: Vec<usize> = (0..items.len())
        .filter(|&i| selection.matches(&items[i]))
        .collect();
    let result = (|| {
        if selected.is_empty() {
            // Add through an equality filter creates the value it describes (what
            // Entra ID relies on for `emails[type eq "work"].value`).
            if op == OpKind::Add
                && let (Some(sub), Some(literals)) = (sub, eq_literals(filter))
            {
                let mut item = Map::new();
                for (name, literal) in literals {
                    item.insert(name, literal);
                }
                item.insert(sub.name.into(), value.clone());
                if let Some(item) = single(def, &Value::Object(item), text)? {
                    items.push(item);
                }
                return Ok(());
            }
            return Err(ScimError::no_target(format!(
                "path '{text}': no value of '{}' matches the filter",
                def.name
            )));
        }
        match sub {
            Some(sub) => {
                let canonical = single(sub, value, text)?;
                for &i in &selected {
                    if let Value::Object(item) = &mut items[i] {
                        set_sub(item, def, sub, &canonical)?;
                    }
                }
            }
            None => {
                let canonical = single(def, value, text)?.ok_or_else(|| {
                    ScimError::invalid_value(format!("path '{text}': the value is empty"))
                })?;
                for &i in &selected {
                    match (&mut items[i], &canonical, op) {
                        (Value::Object(item), Value::Object(new), OpKind::Add) => {
                            for (key, sub_value) in new {
                                item.insert(key.clone(), sub_value.clone());
                            }
                        }
                        (slot, new, _) => *slot = new.clone(),
                    }
                }
            }
        }
        Ok(())
    })();
    container.insert(def.name.into(), Value::Array(items));
    result
}

fn parent_path(extension: Option<&str>, def: &AttrDef) -> AttrPath {
    AttrPath {
        urn: extension.map(str::to_string),
        name: def.name.to_string(),
        sub: None,
    }
}

/// `type eq "work"` or `type eq "work" and primary eq true` as (name, value) pairs.
fn eq_literals(filter: &Filter) -> Option<Vec<(String, Value)>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.urn.is_none() && path.sub.is_none() && !value.is_null() => {
            Some(vec![(path.name.clone(), value.clone())])
        }
        Filter::And(a, b) => {
            let mut out = eq_literals(a)?;
            out.extend(eq_literals(b)?);
            Some(out)
        }
        _ => None,
    }
}

/// RFC 7644 3.5.2.2: removing what is not there changes nothing and succeeds (its own
/// example says so for a user who is not a member); IdPs send such removals routinely.
/// Only a remove without path has no target. Removing a required attribute is refused
/// with `mutability`, as that section asks.
fn remove(
    kind: ResourceKind,
    attrs: &mut Map<String, Value>,
    target: Target,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let (extension, def, filter, sub) = match target {
        Target::Extension(urn) => {
            attrs.remove(urn);
            return Ok(());
        }
        Target::Attribute {
            extension,
            def,
            filter,
            sub,
        } => (extension, def, filter, sub),
    };
    if def.required && filter.is_none() && sub.is_none() {
        return Err(ScimError::mutability(format!(
            "'{}' is required and cannot be removed",
            def.name
        )));
    }
    if extension.is_some_and(|urn| !attrs.contains_key(urn)) {
        return Ok(());
    }
    let container = container(attrs, extension);
    match (filter, sub) {
        (None, None) => {
            if let (true, Some(value)) = (def.multi_valued, value.filter(|v| !v.is_null())) {
                remove_listed(container, def, value);
            } else {
                container.remove(def.name);
            }
            Ok(())
        }
        (None, Some(sub)) if sub.mutability == Mutability::Immutable => {
            Err(ScimError::mutability(format!(
                "'{}.{}' is immutable and cannot be removed",
                def.name, sub.name
            )))
        }
        (None, Some(sub)) => {
            match container.get_mut(def.name) {
                Some(Value::Object(object)) => {
                    object.remove(sub.name);
                }
                Some(Value::Array(items)) => {
                    for item in items.iter_mut().filter_map(Value::as_object_mut) {
                        item.remove(sub.name);
                    }
                }
                _ => {}
            }
            Ok(())
        }
        (Some(filter), sub) => {
            let selection = ValueFilter {
                types: Types {
                    kind,
                    all_case_exact: false,
                },
                parent: parent_path(extension, def),
                def,
                filter: &filter,
            };
            let Some(Value::Array(items)) = container.get_mut(def.name) else {
                return Ok(());
            };
            match sub {
                None => items.retain(|item| !selection.matches(item)),
                Some(sub) => {
                    for item in items.iter_mut() {
                        if selection.matches(item)
                            && let Value::Object(object) = item
                        {
                            set_sub(object, def, sub, &None)?;
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// `remove` of `members` with a value list (as Entra ID sends it): drop the values whose
/// `value` matches one listed. Values not present are not an error.
fn remove_listed(container: &mut Map<String, Value>, def: &AttrDef, value: &Value) {
    let listed: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let key = |item: &Value| -> Option<Value> {
        if def.kind == AttrKind::Complex {
            get_attr(item, "value").cloned()
        } else {
            Some(item.clone())
        }
    };
    let wanted: Vec<Value> = listed.into_iter().filter_map(&key).collect();
    if let Some(Value::Array(items)) = container.get_mut(def.name) {
        items.retain(|item| !key(item).is_some_and(|k| wanted.contains(&k)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::parse_filter;
    use serde_json::json;

    #[test]
    fn equality_literals_come_from_and_chains_only() {
        let filter = parse_filter(r#"type eq "work" and primary eq true"#).unwrap();
        assert_eq!(
            eq_literals(&filter),
            Some(vec![
                ("type".into(), json!("work")),
                ("primary".into(), json!(true))
            ])
        );
        let filter = parse_filter(r#"type eq "work" or type eq "home""#).unwrap();
        assert_eq!(eq_literals(&filter), None);
    }

    #[test]
    fn add_appends_without_duplicates_and_replace_overwrites() {
        let def =
            crate::server::schema_defs::find(crate::server::schema_defs::USER_ATTRS, "emails")
                .unwrap();
        let mut container = Map::new();
        set_attribute(
            &mut container,
            def,
            Some(json!([{"value": "a"}])),
            OpKind::Add,
        );
        set_attribute(
            &mut container,
            def,
            Some(json!([{"value": "a"}, {"value": "b"}])),
            OpKind::Add,
        );
        assert_eq!(container["emails"], json!([{"value": "a"}, {"value": "b"}]));
        set_attribute(
            &mut container,
            def,
            Some(json!([{"value": "c"}])),
            OpKind::Replace,
        );
        assert_eq!(container["emails"], json!([{"value": "c"}]));
        set_attribute(&mut container, def, None, OpKind::Replace);
        assert!(container.is_empty());
    }
}
