//! Reading the catalog file: YAML into checked `Requirement`s. Entries are read as plain
//! maps first, so that every problem can name its line, its requirement and its field,
//! and all problems of the file are reported at once.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::{Area, Document, Level, Party, Requirement};
use crate::vocabulary::Capability;

const FIELDS: &[&str] = &[
    "id", "section", "level", "implicit", "party", "area", "when", "text",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    requirements: Vec<Spanned<BTreeMap<String, Spanned<Value>>>>,
}

/// One thing wrong with the catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// The requirement it concerns, when its id could be read.
    pub id: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(id) = &self.id {
            write!(f, "requirement {id}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}` ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a catalog file was refused: every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: invalid requirement catalog", self.file)?;
        for problem in &self.problems {
            write!(f, "\n  {}: {problem}", self.file)?;
        }
        Ok(())
    }
}

pub(super) fn parse(name: &str, text: &str) -> Result<Vec<Requirement>, CatalogError> {
    let refuse = |problems| CatalogError {
        file: name.to_owned(),
        problems,
    };
    let file: File = serde_saphyr::from_str(text).map_err(|err| {
        refuse(vec![Problem {
            line: err.location().map(|l| l.line()).filter(|&l| l > 0),
            id: None,
            field: None,
            message: format!("is not a valid catalog: {}", err.without_snippet()),
        }])
    })?;
    let mut problems = Vec::new();
    if file.requirements.is_empty() {
        problems.push(Problem {
            line: None,
            id: None,
            field: Some("requirements".to_owned()),
            message: "is empty".to_owned(),
        });
    }
    let mut requirements = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for entry in &file.requirements {
        let mut check = EntryCheck::new(entry);
        let requirement = check.requirement();
        problems.append(&mut check.problems);
        let Some(requirement) = requirement else {
            continue;
        };
        let line = entry.referenced.line();
        match first_line.entry(requirement.id.clone()) {
            Entry::Occupied(first) => problems.push(Problem {
                line: Some(line),
                id: Some(requirement.id),
                field: Some("id".to_owned()),
                message: format!("repeats the id of the requirement at line {}", first.get()),
            }),
            Entry::Vacant(slot) => {
                slot.insert(line);
                requirements.push(requirement);
            }
        }
    }
    if problems.is_empty() {
        Ok(requirements)
    } else {
        Err(refuse(problems))
    }
}

/// Checks one entry field by field, collecting problems rather than stopping at the first.
struct EntryCheck<'a> {
    fields: &'a BTreeMap<String, Spanned<Value>>,
    line: u64,
    id: Option<String>,
    problems: Vec<Problem>,
}

impl<'a> EntryCheck<'a> {
    fn new(entry: &'a Spanned<BTreeMap<String, Spanned<Value>>>) -> Self {
        let fields = &entry.value;
        let id = fields
            .get("id")
            .and_then(|v| v.value.as_str())
            .map(str::to_owned);
        Self {
            fields,
            line: entry.referenced.line(),
            id,
            problems: Vec::new(),
        }
    }

    fn requirement(&mut self) -> Option<Requirement> {
        let fields = self.fields;
        for field in fields.keys() {
            if !FIELDS.contains(&field.as_str()) {
                self.report(
                    field,
                    format!("is not a catalog field (fields: {})", FIELDS.join(", ")),
                );
            }
        }
        let id = self.string("id").and_then(|id| match split_id(id) {
            Ok(parts) => Some((id, parts)),
            Err(why) => {
                self.report("id", why);
                None
            }
        });
        let section = self.section();
        let level = self.keyword("level", &Level::ALL, Level::as_str);
        let party = self.keyword("party", &Party::ALL, Party::as_str);
        let area = self.keyword("area", &Area::ALL, Area::as_str);
        let implicit = self.implicit();
        let when = self.when(party);
        let text = self.text();
        let (id, (document, id_section)) = id?;
        let section = section?;
        if section != id_section {
            self.report(
                "section",
                format!("is \"{section}\" but the id names section {id_section}"),
            );
            return None;
        }
        Some(Requirement {
            id: id.to_owned(),
            document,
            section: section.to_owned(),
            level: level?,
            implicit: implicit?,
            party: party?,
            area: area?,
            when: when?.map(str::to_owned),
            text: text?.to_owned(),
        })
    }

    fn report(&mut self, field: &str, message: impl Into<String>) {
        let line = self
            .fields
            .get(field)
            .map_or(self.line, |v| v.referenced.line());
        self.problems.push(Problem {
            line: Some(line),
            id: self.id.clone(),
            field: Some(field.to_owned()),
            message: message.into(),
        });
    }

    /// A field that must be there and hold a non-empty string.
    fn string(&mut self, field: &str) -> Option<&'a str> {
        let fields = self.fields;
        match fields.get(field).map(|v| &v.value) {
            None => {
                self.report(field, "is missing");
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(Value::String(_)) => {
                self.report(field, "is empty");
                None
            }
            Some(other) => {
                self.report(field, format!("must be a string, not {}", describe(other)));
                None
            }
        }
    }

    fn keyword<T: Copy>(
        &mut self,
        field: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Option<T> {
        let given = self.string(field)?;
        let found = all.iter().copied().find(|&v| name(v) == given);
        if found.is_none() {
            let names: Vec<&str> = all.iter().map(|&v| name(v)).collect();
            self.report(
                field,
                format!("is '{given}', not one of {}", names.join(", ")),
            );
        }
        found
    }

    fn section(&mut self) -> Option<&'a str> {
        let fields = self.fields;
        if let Some(Value::Number(n)) = fields.get("section").map(|v| &v.value) {
            self.report(
                "section",
                format!(
                    "must be a quoted string such as \"3.1\"; unquoted, YAML reads {n} as a number"
                ),
            );
            return None;
        }
        let section = self.string("section")?;
        if is_section(section) {
            Some(section)
        } else {
            self.report(
                "section",
                format!("is \"{section}\", not a section number such as 3.4.2.2"),
            );
            None
        }
    }

    /// `implicit` is optional and false when absent.
    fn implicit(&mut self) -> Option<bool> {
        let fields = self.fields;
        match fields.get("implicit").map(|v| &v.value) {
            None => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.report(
                    "implicit",
                    format!("must be true or false, not {}", describe(other)),
                );
                None
            }
        }
    }

    /// `when` is optional; `Some(None)` when absent, `None` when wrong.
    fn when(&mut self, party: Option<Party>) -> Option<Option<&'a str>> {
        if !self.fields.contains_key("when") {
            return Some(None);
        }
        let capability = self.string("when")?;
        if Capability::from_name(capability).is_none() {
            self.report(
                "when",
                format!(
                    "is '{capability}', not a capability name ({})",
                    Capability::names().join(", ")
                ),
            );
            return None;
        }
        if party == Some(Party::Client) {
            self.report(
                "when",
                "only server requirements depend on a capability of the server",
            );
            return None;
        }
        Some(Some(capability))
    }

    /// One sentence on one line.
    fn text(&mut self) -> Option<&'a str> {
        let text = self.string("text")?;
        if text.contains('\n') || !text.trim_end().ends_with('.') {
            self.report(
                "text",
                "must be one sentence on one line, ending with a full stop",
            );
            return None;
        }
        Some(text)
    }
}

/// `RFC7644-3.4.2.2-attr-case-insensitive` into its document and section.
fn split_id(id: &str) -> Result<(Document, &str), String> {
    let shape = "must look like RFC7644-3.4.2.2-attr-case-insensitive";
    let Some((prefix, rest)) = id.split_once('-') else {
        return Err(format!("is '{id}'; it {shape}"));
    };
    let Some(document) = Document::ALL.into_iter().find(|d| d.as_str() == prefix) else {
        return Err(format!(
            "is '{id}': it starts with '{prefix}', not RFC7643 or RFC7644"
        ));
    };
    let Some((section, slug)) = rest.split_once('-') else {
        return Err(format!(
            "is '{id}': it has no slug after the section; it {shape}"
        ));
    };
    if !is_section(section) {
        return Err(format!(
            "is '{id}': '{section}' is not a section number; it {shape}"
        ));
    }
    let slug_ok = slug.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !slug_ok {
        return Err(format!(
            "is '{id}': the slug '{slug}' must be lower-case words joined by single dashes"
        ));
    }
    Ok((document, section))
}

/// `3`, `3.4.2.2`: numbers joined by dots.
fn is_section(s: &str) -> bool {
    s.split('.')
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
