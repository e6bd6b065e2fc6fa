//! JSON Schemas compiled once per run and shared by every scenario: the built-in ones
//! before the run starts, the `declared:<ResourceType>` ones (derived from the target's
//! own /Schemas) once discovery has read them.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::discovery::DeclaredSchemas;
use crate::plan::Plan;
use crate::suite::builtin;
use crate::suite::model::declared_resource_type;

/// How many schema violations one failure lists before summarising the rest.
const SHOWN_VIOLATIONS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("unknown schema `{0}`")]
    Unknown(String),
    #[error("schema `{name}` is not valid JSON: {message}")]
    NotJson { name: String, message: String },
    #[error("schema `{name}` does not compile: {message}")]
    Compile { name: String, message: String },
    #[error("the target's /Schemas does not describe resource type {resource_type}: {reason}")]
    Undeclared {
        resource_type: String,
        reason: String,
    },
}

/// Compiled validators by schema name (`User`, `ListResponse`, ...).
#[derive(Default)]
pub struct SchemaSet {
    validators: HashMap<String, jsonschema::Validator>,
    /// `declared:<ResourceType>` names asked for, compiled by `add_declared`.
    declared_needed: BTreeSet<String>,
    /// Why a `declared:` name asked for has no validator.
    undeclared: HashMap<String, String>,
}

impl fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.validators.keys().collect();
        names.sort();
        f.debug_struct("SchemaSet")
            .field("schemas", &names)
            .finish()
    }
}

/// One reason an instance does not fit its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer into the instance, `""` for the root.
    pub instance_path: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {}", self.message)
    }
}

/// Finds `$ref`erenced schemas among the available ones by their file name.
struct Library {
    schemas: Arc<HashMap<String, Value>>,
}

impl jsonschema::Retrieve for Library {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        // `.../Meta.json` or `urn:...:Meta`.
        let last = uri.as_str().rsplit(['/', ':']).next().unwrap_or_default();
        let name = last.strip_suffix(".json").unwrap_or(last);
        self.schemas
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no schema named `{name}` for `{uri}`").into())
    }
}

impl SchemaSet {
    pub fn empty() -> SchemaSet {
        SchemaSet::default()
    }

    /// Compiles the `needed` schemas; `available` (name, JSON text) also serves `$ref`s,
    /// which are looked up by file name (`Meta.json` → `Meta`). `declared:` names among
    /// the needed are only noted: `add_declared` compiles them once the target is known.
    pub fn compile<'a>(
        available: impl IntoIterator<Item = (&'a str, &'a str)>,
        needed: impl IntoIterator<Item = &'a str>,
    ) -> Result<SchemaSet, SchemaError> {
        let mut schemas = HashMap::new();
        for (name, text) in available {
            let value: Value = serde_json::from_str(text).map_err(|e| SchemaError::NotJson {
                name: name.to_owned(),
                message: e.to_string(),
            })?;
            schemas.insert(name.to_owned(), value);
        }
        let schemas = Arc::new(schemas);
        let mut validators = HashMap::new();
        let mut declared_needed = BTreeSet::new();
        for name in needed {
            if validators.contains_key(name) {
                continue;
            }
            if declared_resource_type(name).is_some() {
                declared_needed.insert(name.to_owned());
                continue;
            }
            let schema = schemas
                .get(name)
                .ok_or_else(|| SchemaError::Unknown(name.to_owned()))?;
            let validator = jsonschema::options()
                .with_retriever(Library {
                    schemas: schemas.clone(),
                })
                .build(schema)
                .map_err(|e| SchemaError::Compile {
                    name: name.to_owned(),
                    message: e.to_string(),
                })?;
            validators.insert(name.to_owned(), validator);
        }
        Ok(SchemaSet {
            validators,
            declared_needed,
            undeclared: HashMap::new(),
        })
    }

    /// Compiles the `declared:<ResourceType>` schemas asked for from what the target
    /// declares; a resource type it does not describe is remembered with the reason, and
    /// every check against it fails saying so.
    pub fn add_declared(&mut self, declared: &DeclaredSchemas) {
        for name in &self.declared_needed {
            let Some(resource_type) = declared_resource_type(name) else {
                continue;
            };
            let compiled = declared.schema(resource_type).and_then(|schema| {
                jsonschema::options().build(schema).map_err(|e| {
                    format!("the schema derived from its declarations does not compile: {e}")
                })
            });
            match compiled {
                Ok(validator) => {
                    self.undeclared.remove(name);
                    self.validators.insert(name.clone(), validator);
                }
                Err(reason) => {
                    self.validators.remove(name);
                    self.undeclared.insert(name.clone(), reason);
                }
            }
        }
    }

    /// The built-in schemas (`suites/schemas/`) that the plan's scenarios name.
    pub fn for_plan(plan: &Plan) -> Result<SchemaSet, SchemaError> {
        let needed: Vec<&str> = plan
            .scenarios
            .iter()
            .filter(|p| p.skip.is_none())
            .flat_map(|p| p.scenario.steps.iter())
            .filter_map(|step| step.expect.schema.as_ref())
            .map(|schema| schema.value.as_str())
            .collect();
        let available = builtin::schema_names()
            .into_iter()
            .filter_map(|name| Some((name, builtin::schema(name)?)));
        SchemaSet::compile(available, needed)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.validators.contains_key(name)
    }

    /// Why a `declared:<ResourceType>` schema the plan asked for has no validator (the
    /// target's /Schemas cannot be read, or does not describe the resource type).
    pub fn declared_gap(&self, name: &str) -> Option<&str> {
        self.undeclared.get(name).map(String::as_str)
    }

    /// Every violation of `instance` against schema `name`.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<Vec<Violation>, SchemaError> {
        let validator =
            self.validators
                .get(name)
                .ok_or_else(|| match declared_resource_type(name) {
                    Some(resource_type) => SchemaError::Undeclared {
                        resource_type: resource_type.to_owned(),
                        reason: self.undeclared.get(name).cloned().unwrap_or_else(|| {
                            "the target's declarations were not read before the check".to_owned()
                        }),
                    },
                    None => SchemaError::Unknown(name.to_owned()),
                })?;
        Ok(validator
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                message: match e.kind() {
                    // `"not": {}` marks what must be absent (password, `returned: never`):
                    // say so, without quoting the value, which may be a secret.
                    jsonschema::error::ValidationErrorKind::Not { schema }
                        if schema.as_object().is_some_and(Map::is_empty) =>
                    {
                        "must be absent, but the response carries it".to_owned()
                    }
                    _ => e.to_string(),
                },
            })
            .collect())
    }
}

/// Violations in one line each, the first few only.
pub fn describe(violations: &[Violation]) -> String {
    let mut lines: Vec<String> = violations
        .iter()
        .take(SHOWN_VIOLATIONS)
        .map(|v| crate::printable::truncate(&v.to_string(), super::value::SHOWN_CHARS))
        .collect();
    if violations.len() > SHOWN_VIOLATIONS {
        lines.push(format!(
            "... and {} more",
            violations.len() - SHOWN_VIOLATIONS
        ));
    }
    lines.join("; ")
}
