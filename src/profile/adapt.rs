//! Rewrites each request the suite sends into the product's language: the dialect (PATCH
//! op spelling, PatchOp without `schemas`, content type, unquoted filter values), the
//! create template merged into every created resource, and the field allow-list.

mod needs;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use needs::{Before, Need, Tally};

use super::product::{Cleanup, Dialect};
use super::{Product, Profiles};
use crate::plan::{Plan, Skip, needs};
use crate::result::SkipCause;

const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The product parts of a run's profiles, merged (a later profile wins), with the
/// template's `{{ vars.NAME }}` already filled in.
#[derive(Debug, Clone, Default)]
pub struct Adapter {
    pub dialect: Dialect,
    pub create_template: BTreeMap<String, Value>,
    pub fields: BTreeMap<String, Vec<String>>,
    pub cleanup: Cleanup,
    pub capabilities: Vec<String>,
    /// The requests the dialect changed, and how the server answered them.
    pub tally: Arc<Tally>,
}

/// One request as the adapter sees it.
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a mut Vec<(String, String)>,
    pub headers: &'a mut Vec<(String, String)>,
    /// The JSON body, when the step wrote one as JSON (raw bodies stay as written).
    pub body: Option<&'a mut Value>,
    /// A setup step: what it needs is stripped silently; elsewhere stripping what the
    /// step is about skips the scenario.
    pub setup: bool,
}

impl Adapter {
    /// Merges the profiles' product parts; `vars` (from `--var` and the config file)
    /// override the profiles' defaults. The error names the missing variable.
    pub fn new(profiles: &Profiles, vars: &BTreeMap<String, Value>) -> Result<Adapter, String> {
        let mut adapter = Adapter::default();
        for profile in profiles.iter() {
            let product: &Product = &profile.product;
            let d = &product.dialect;
            adapter.dialect.patch_ops.extend(d.patch_ops.clone());
            adapter.dialect.path_ops.extend(d.path_ops.clone());
            adapter.dialect.patch_without_schemas |= d.patch_without_schemas;
            if d.content_type.is_some() {
                adapter.dialect.content_type = d.content_type.clone();
            }
            adapter
                .dialect
                .unquoted_filters
                .extend(d.unquoted_filters.iter().cloned());
            for (resource, template) in &product.create_template {
                let mut all = product.vars.clone();
                all.extend(vars.clone());
                let filled = fill(template, &all).map_err(|name| {
                    format!(
                        "profile {} fills {resource}s it creates with {{{{ vars.{name} }}}}: \
                         give it with --var {name}=VALUE or under vars: in the config file",
                        profile.name
                    )
                })?;
                let merged = adapter
                    .create_template
                    .entry(resource.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                fill_missing(merged, &filled);
            }
            adapter.fields.extend(product.fields.clone());
            if let Some(cleanup) = product.cleanup {
                adapter.cleanup = cleanup;
            }
            adapter
                .capabilities
                .extend(product.capabilities.iter().cloned());
        }
        Ok(adapter)
    }

    /// Skips the scenarios whose point is an attribute the field allow-list leaves out:
    /// those that check it in an answer, filter or sort by it, or PATCH it.
    pub fn gate(&self, plan: &mut Plan) {
        if self.fields.is_empty() {
            return;
        }
        for planned in plan.scenarios.iter_mut().filter(|p| p.skip.is_none()) {
            let left_out = needs(&planned.scenario).into_iter().find_map(|need| {
                let resource = resource_type(&need.endpoint)?;
                let allowed = self.fields.get(resource)?;
                let attribute = match &need.attr.sub {
                    Some(sub) => format!("{}.{sub}", need.attr.name),
                    None => need.attr.name.clone(),
                };
                let always = ["id", "meta", "schemas"]
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&need.attr.name));
                let named = need.attr.urn.is_none() && is_allowed(allowed, &attribute);
                (!always && !named).then(|| format!("{} at {}", need.attr, need.endpoint))
            });
            if let Some(left_out) = left_out {
                planned.skip = Some(Skip::new(
                    format!("needs {left_out}, which the profile's field allow-list leaves out"),
                    SkipCause::Selection,
                ));
            }
        }
    }

    /// Rewrites the request; `Err` is why the scenario cannot be run against the product.
    /// A create or replace whose body is fixed text cannot take what the product requires
    /// on every resource (the create template), so it cannot run on the product.
    fn refuse_fixed_write(&self, method: &str, path: &str) -> Result<(), String> {
        let writes = method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PUT");
        match resource_type(path) {
            Some(resource) if writes && self.create_template.contains_key(resource) => {
                Err(format!(
                    "its {method} body is fixed text, so the profile's create template (what the \
                 product requires on every {resource}) cannot be added to it"
                ))
            }
            _ => Ok(()),
        }
    }

    /// True when no profile changes requests (no dialect, create template or field
    /// list): `apply` would leave every request as it is.
    pub fn rewrites_nothing(&self) -> bool {
        self.dialect == Dialect::default()
            && self.create_template.is_empty()
            && self.fields.is_empty()
    }

    pub fn apply(&self, request: Outgoing<'_>) -> Result<(), String> {
        let Outgoing {
            method,
            path,
            query,
            headers,
            body,
            setup,
        } = request;
        for (name, value) in query.iter_mut() {
            if name.eq_ignore_ascii_case("filter") {
                *value = unquote_filter(value, &self.dialect.unquoted_filters);
            }
        }
        let Some(body) = body else {
            return self.refuse_fixed_write(method, path);
        };
        if let Some(content_type) = &self.dialect.content_type
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".to_owned(), content_type.clone()));
        }
        let Some(resource) = resource_type(path) else {
            return Ok(());
        };
        let method = method.to_ascii_uppercase();
        let allowed = self.fields.get(resource);
        match method.as_str() {
            "POST" | "PUT" if body.is_object() => {
                if let Some(template) = self.create_template.get(resource) {
                    fill_missing(body, template);
                    add_extension_schemas(body, template);
                }
                // What the product does not take is not sent; a scenario that checks it
                // is skipped before it starts (`gate`).
                if let Some(allowed) = allowed {
                    strip(body, allowed);
                }
                Ok(())
            }
            "PATCH" => self.patch(body, allowed, setup),
            _ => Ok(()),
        }
    }

    fn patch(
        &self,
        body: &mut Value,
        allowed: Option<&Vec<String>>,
        setup: bool,
    ) -> Result<(), String> {
        let Some(object) = body.as_object_mut() else {
            return Ok(());
        };
        let is_patch_op = object
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(PATCH_OP_SCHEMA)));
        if self.dialect.patch_without_schemas && is_patch_op {
            object.remove("schemas");
        }
        let Some(operations) = object.get_mut("Operations").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        let mut unsupported_paths = Vec::new();
        for operation in operations.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            let attribute = operation
                .get("path")
                .and_then(Value::as_str)
                .map(path_attribute);
            if let (Some(allowed), Some(attribute)) = (allowed, &attribute)
                && !is_allowed(allowed, attribute)
                && !["id", "meta", "schemas"]
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(attribute))
            {
                unsupported_paths.push(attribute.clone());
            }
            if let (Some(allowed), None) = (allowed, &attribute)
                && let Some(value) = operation.get_mut("value")
                && value.is_object()
            {
                unsupported_paths.extend(strip(value, allowed));
            }
            let Some(op) = operation.get("op").and_then(Value::as_str) else {
                continue;
            };
            let forced = attribute
                .as_deref()
                .and_then(|a| self.dialect.path_ops.get(&a.to_ascii_lowercase()));
            let spelled = forced.or_else(|| self.dialect.patch_ops.get(&op.to_ascii_lowercase()));
            if let Some(spelled) = spelled {
                operation.insert("op".to_owned(), Value::String(spelled.clone()));
            }
        }
        if !setup && !unsupported_paths.is_empty() {
            return Err(unsupported(&unsupported_paths));
        }
        Ok(())
    }
}

fn unsupported(attributes: &[String]) -> String {
    format!(
        "the scenario sends {}, which the profile's field allow-list leaves out",
        attributes.join(", ")
    )
}

/// `User` or `Group` for a path into /Users or /Groups (a full URL too).
fn resource_type(path: &str) -> Option<&'static str> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.ends_with("/.search") {
        return None;
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let at = segments.len().checked_sub(2);
    for (index, segment) in segments.iter().enumerate() {
        let near_end = index + 1 == segments.len() || Some(index) == at;
        if near_end && segment.eq_ignore_ascii_case("Users") {
            return Some("User");
        }
        if near_end && segment.eq_ignore_ascii_case("Groups") {
            return Some("Group");
        }
    }
    None
}

/// The attribute a PATCH path starts with: `emails[type eq "work"].value` is `emails`,
/// `name.givenName` stays whole, an extension URN's attribute keeps its URN.
fn path_attribute(path: &str) -> String {
    let head = path.split('[').next().unwrap_or(path);
    head.trim().to_owned()
}

fn is_allowed(allowed: &[String], attribute: &str) -> bool {
    let attribute = attribute.to_ascii_lowercase();
    allowed.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == attribute
            || attribute.starts_with(&format!("{a}."))
            || attribute.starts_with(&format!("{a}:"))
            || a.starts_with(&format!("{attribute}."))
    })
}

/// Removes the attributes the allow-list leaves out (`schemas`, `id` and `meta` always
/// stay); returns what was removed, as dotted paths.
fn strip(body: &mut Value, allowed: &[String]) -> Vec<String> {
    const ALWAYS: &[&str] = &["schemas", "id", "meta"];
    let mut removed = Vec::new();
    let Some(object) = body.as_object_mut() else {
        return removed;
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    for key in keys {
        if ALWAYS.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
            continue;
        }
        if !is_allowed(allowed, &key) {
            object.remove(&key);
            removed.push(key);
            continue;
        }
        // Sub-attributes are kept only when the list names some of them.
        let prefix = format!("{}.", key.to_ascii_lowercase());
        let subs: Vec<String> = allowed
            .iter()
            .filter_map(|a| {
                a.to_ascii_lowercase()
                    .strip_prefix(&prefix)
                    .map(str::to_owned)
            })
            .collect();
        if subs.is_empty() {
            continue;
        }
        if let Some(inner) = object.get_mut(&key).and_then(Value::as_object_mut) {
            let inner_keys: Vec<String> = inner.keys().cloned().collect();
            for sub in inner_keys {
                if !subs.contains(&sub.to_ascii_lowercase()) {
                    inner.remove(&sub);
                    removed.push(format!("{key}.{sub}"));
                }
            }
        }
    }
    removed
}

/// Adds `template` where `target` has nothing (objects merge member by member).
fn fill_missing(target: &mut Value, template: &Value) {
    let (Some(target), Some(template)) = (target.as_object_mut(), template.as_object()) else {
        return;
    };
    for (key, value) in template {
        let existing = target
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v);
        match existing {
            Some(existing) if existing.is_object() => fill_missing(existing, value),
            Some(_) => {}
            None => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// A template member named by a schema URN is an extension: the body lists it.
fn add_extension_schemas(body: &mut Value, template: &Value) {
    let Some(template) = template.as_object() else {
        return;
    };
    let Some(object) = body.as_object_mut() else {
        return;
    };
    let urns: Vec<&String> = template.keys().filter(|k| k.starts_with("urn:")).collect();
    if urns.is_empty() {
        return;
    }
    let schemas = object
        .entry("schemas")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(list) = schemas.as_array_mut() {
        for urn in urns {
            if !list.iter().any(|v| v.as_str() == Some(urn)) {
                list.push(Value::String(urn.clone()));
            }
        }
    }
}

/// `{{ vars.NAME }}` holes filled from `vars`; the error is the first missing name.
fn fill(template: &Value, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match template {
        Value::String(text) => {
            let trimmed = text.trim();
            if let Some(name) = hole(trimmed)
                && trimmed.starts_with("{{")
                && trimmed.ends_with("}}")
            {
                // A whole-string hole keeps the variable's type.
                return vars.get(name).cloned().ok_or_else(|| name.to_owned());
            }
            Value::String(text.clone())
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| fill(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| Ok((k.clone(), fill(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn hole(text: &str) -> Option<&str> {
    text.strip_prefix("{{")?
        .strip_suffix("}}")?
        .trim()
        .strip_prefix("vars.")
        .map(str::trim)
}

/// `userName eq "ada@x.com"` becomes `userName eq ada@x.com` when `userName` is listed
/// and the value has no space, quote or parenthesis to keep apart.
pub fn unquote_filter(filter: &str, attributes: &[String]) -> String {
    let parts: Vec<&str> = filter.splitn(3, ' ').collect();
    let [attribute, op, value] = parts.as_slice() else {
        return filter.to_owned();
    };
    let listed = attributes.iter().any(|a| a.eq_ignore_ascii_case(attribute));
    let inner = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
    match inner {
        Some(inner)
            if listed
                && op.eq_ignore_ascii_case("eq")
                && !inner.is_empty()
                && !inner.contains([' ', '"', '\\', '(', ')']) =>
        {
            format!("{attribute} {op} {inner}")
        }
        _ => filter.to_owned(),
    }
}

pub use crate::scim::requote_filter;

#[cfg(test)]
mod tests;
