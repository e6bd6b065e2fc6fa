//! A vendor's product as its document describes it (`serve --profile NAME`): the PATCH
//! dialect it accepts, unquoted filter values, attributes required on create, enumerated
//! values, and the only attributes it takes. Deviations the misbehaviour switches already
//! express (500 on uniqueness, DELETE that deactivates, the rate limit) come as switches.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ScimError, ScimType};

/// What an emulated product accepts beyond (or instead of) the RFCs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Emulated {
    /// The product, for error messages.
    pub name: String,
    /// The only PATCH op spellings accepted (exactly as written); empty accepts the RFC's.
    pub patch_ops: Vec<String>,
    /// An op a PATCH path's attribute (lower case) must use.
    pub path_ops: BTreeMap<String, String>,
    /// Bare `eq` filter values are taken as strings.
    pub unquoted_filters: bool,
    /// User attributes a create must carry (dotted paths).
    pub required: Vec<String>,
    /// Enumerated values of user attributes (dotted paths).
    pub enums: BTreeMap<String, Vec<String>>,
    /// The only user attributes accepted; `None` accepts all.
    pub fields: Option<Vec<String>>,
    /// The product's own user attributes (`udf_*` a prefix, an extension URN too): kept as
    /// sent, outside the RFC schemas the server checks.
    pub extra_attributes: Vec<String>,
    /// User attributes a create without them gets (Talkdesk: active by default).
    pub defaults: Map<String, Value>,
    /// The licences the product has: a user created while that many users are active
    /// is kept, inactive (Talkdesk's "Deactivated"); `None` counts none.
    pub licences: Option<usize>,
}

const ALWAYS_ACCEPTED: &[&str] = &["schemas", "id", "meta"];

impl Emulated {
    /// What a created user gets when it does not say.
    pub fn fill_defaults(&self, body: &mut Value) {
        let Some(object) = body.as_object_mut() else {
            return;
        };
        for (key, value) in &self.defaults {
            if !object.keys().any(|k| k.eq_ignore_ascii_case(key)) {
                object.insert(key.clone(), value.clone());
            }
        }
    }

    /// A user about to be stored: with every licence taken by `active_users`, it is
    /// kept inactive instead of refused, as the product does.
    pub fn license(&self, attrs: &mut Map<String, Value>, active_users: impl FnOnce() -> usize) {
        let Some(licences) = self.licences else {
            return;
        };
        let wants_active = attrs.get("active").is_none_or(|v| v == &Value::Bool(true));
        if wants_active && active_users() >= licences {
            attrs.insert("active".to_owned(), Value::Bool(false));
        }
    }

    /// Splits a user body into what the RFC schemas check and the product's own
    /// attributes, which are stored as sent (their URNs leave `schemas` too).
    pub fn set_aside(&self, body: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
        let mut checked = Map::new();
        let mut own = Map::new();
        for (key, value) in body {
            if self.is_own(key) {
                own.insert(key.clone(), value.clone());
            } else {
                checked.insert(key.clone(), value.clone());
            }
        }
        if let Some(schemas) = checked.get_mut("schemas").and_then(Value::as_array_mut) {
            schemas.retain(|urn| !urn.as_str().is_some_and(|urn| self.is_own(urn)));
        }
        (checked, own)
    }

    fn is_own(&self, key: &str) -> bool {
        self.extra_attributes
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => key
                    .to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase()),
                None => pattern.eq_ignore_ascii_case(key),
            })
    }

    /// A user create or replace, checked as the product checks it.
    pub fn check_user(&self, body: &Value, creating: bool) -> Result<(), ScimError> {
        if creating {
            for attribute in &self.required {
                let present =
                    lookup(body, attribute).is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
                if !present {
                    return Err(
                        self.refuse(format!("'{attribute}' is mandatory when creating a user"))
                    );
                }
            }
        }
        for (attribute, allowed) in &self.enums {
            if let Some(value) = lookup(body, attribute).and_then(Value::as_str)
                && !allowed.iter().any(|a| a == value)
            {
                return Err(self.refuse(format!(
                    "'{attribute}' must be one of {}, not '{value}'",
                    allowed.join(", ")
                )));
            }
        }
        if let (Some(fields), Some(object)) = (&self.fields, body.as_object()) {
            for (key, value) in object {
                if ALWAYS_ACCEPTED.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    continue;
                }
                if !listed(fields, key) {
                    return Err(self.refuse(format!("'{key}' is not a supported field")));
                }
                let subs: Vec<&String> = fields
                    .iter()
                    .filter(|f| {
                        f.to_ascii_lowercase()
                            .starts_with(&format!("{}.", key.to_ascii_lowercase()))
                    })
                    .collect();
                if let (false, Some(inner)) = (subs.is_empty(), value.as_object()) {
                    for sub in inner.keys() {
                        let dotted = format!("{key}.{sub}");
                        if !listed(fields, &dotted) {
                            return Err(self.refuse(format!("'{dotted}' is not a supported field")));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The PATCH ops spelled as the product accepts them, Roles only by the op it takes.
    pub fn check_patch(&self, body: &Value) -> Result<(), ScimError> {
        let operations = body
            .get("Operations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for operation in &operations {
            let op = operation
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !self.patch_ops.is_empty() && !self.patch_ops.iter().any(|o| o == op) {
                return Err(self.refuse(format!(
                    "op '{op}' is not supported; supported values are: {}",
                    self.patch_ops.join(", ")
                )));
            }
            let path = operation
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let attribute = path
                .split(['[', '.'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if let Some(required) = self.path_ops.get(&attribute)
                && required != op
            {
                return Err(
                    self.refuse(format!("a '{path}' path takes op '{required}', not '{op}'"))
                );
            }
            if let Some(fields) = &self.fields
                && !path.is_empty()
                && !listed(fields, path.split('[').next().unwrap_or(path))
            {
                return Err(self.refuse(format!("'{path}' is not a supported field")));
            }
        }
        Ok(())
    }

    /// A filter as the reference server's parser reads it.
    pub fn filter(&self, filter: &str) -> String {
        if self.unquoted_filters {
            crate::scim::requote_filter(filter)
        } else {
            filter.to_owned()
        }
    }

    fn refuse(&self, detail: String) -> ScimError {
        ScimError::bad_request(
            ScimType::InvalidValue,
            format!("{detail} ({} emulation)", self.name),
        )
    }
}

fn listed(fields: &[String], attribute: &str) -> bool {
    let attribute = attribute.to_ascii_lowercase();
    fields.iter().any(|f| {
        let f = f.to_ascii_lowercase();
        f == attribute
            || f.starts_with(&format!("{attribute}."))
            || attribute.starts_with(&format!("{f}."))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn socialtalent() -> Emulated {
        Emulated {
            name: "socialtalent".into(),
            required: vec!["role".into(), "Core team".into()],
            enums: BTreeMap::from([("role".into(), vec!["user".into(), "advisor".into()])]),
            ..Emulated::default()
        }
    }

    #[test]
    fn a_create_without_a_mandatory_field_or_with_a_role_outside_the_enum_is_refused() {
        let product = socialtalent();
        let full = json!({"userName": "a", "role": "user", "Core team": "Sales"});
        assert!(product.check_user(&full, true).is_ok());
        assert!(
            product
                .check_user(&json!({"userName": "a", "role": "user"}), true)
                .is_err()
        );
        assert!(product.check_user(&json!({"userName": "a"}), false).is_ok());
        let wrong = json!({"userName": "a", "role": "boss", "Core team": "Sales"});
        assert!(product.check_user(&wrong, true).is_err());
    }

    #[test]
    fn only_the_documented_patch_spelling_is_accepted_and_roles_only_by_add() {
        let product = Emulated {
            name: "talentech".into(),
            patch_ops: vec!["Replace".into(), "Add".into()],
            path_ops: BTreeMap::from([("roles".into(), "Add".into())]),
            ..Emulated::default()
        };
        let ok = json!({"Operations": [{"op": "Replace", "path": "active", "value": false},
                                       {"op": "Add", "path": "roles", "value": []}]});
        assert!(product.check_patch(&ok).is_ok());
        let lower = json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
        assert!(product.check_patch(&lower).is_err());
        let roles = json!({"Operations": [{"op": "Replace", "path": "roles", "value": []}]});
        assert!(product.check_patch(&roles).is_err());
    }

    #[test]
    fn a_user_created_beyond_the_licences_is_kept_inactive() {
        let product = Emulated {
            name: "talkdesk".into(),
            licences: Some(2),
            ..Emulated::default()
        };
        let mut attrs = Map::new();
        attrs.insert("active".into(), Value::Bool(true));
        let mut within = attrs.clone();
        product.license(&mut within, || 1);
        assert_eq!(within["active"], true);
        let mut beyond = attrs.clone();
        product.license(&mut beyond, || 2);
        assert_eq!(beyond["active"], false);
        let unlimited = Emulated::default();
        let mut any = attrs;
        unlimited.license(&mut any, || 1_000_000);
        assert_eq!(any["active"], true);
    }

    #[test]
    fn an_unsupported_field_is_refused() {
        let product = Emulated {
            name: "talkdesk".into(),
            fields: Some(vec!["userName".into(), "name.givenName".into()]),
            ..Emulated::default()
        };
        assert!(
            product
                .check_user(&json!({"userName": "a", "name": {"givenName": "A"}}), true)
                .is_ok()
        );
        assert!(
            product
                .check_user(&json!({"userName": "a", "title": "x"}), true)
                .is_err()
        );
        assert!(
            product
                .check_user(&json!({"userName": "a", "name": {"formatted": "A"}}), true)
                .is_err()
        );
    }
}

/// A dotted attribute of a body, names compared without regard to ASCII case (a name may
/// hold spaces, as SocialTalent's `Core team`).
fn lookup<'v>(body: &'v Value, attribute: &str) -> Option<&'v Value> {
    let whole = body
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(attribute));
    if let Some((_, value)) = whole {
        return Some(value);
    }
    attribute.split('.').try_fold(body, |value, name| {
        value
            .as_object()?
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// How `serve --profile` sets the reference server up as the profile's product.
#[derive(Debug, Clone, Default)]
pub struct ProductSetup {
    pub emulated: Emulated,
    pub misbehaviours: std::collections::BTreeSet<super::Misbehaviour>,
    pub base_path: Option<String>,
    /// The client id of the product's OAuth2 token endpoint, if it has one.
    pub oauth_client_id: Option<String>,
}
