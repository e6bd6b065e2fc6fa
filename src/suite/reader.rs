//! Reading typed values out of YAML nodes, recording a diagnostic for every mismatch and
//! carrying on, so one pass reports all problems of a file.

use std::sync::Arc;

use crate::diag::{Diagnostic, did_you_mean};
use crate::suite::model::{Repeat, Template, TemplatePart, TemplateValue};
use crate::suite::scope::{Names, Place};
use crate::suite::template::{self, Piece};
use crate::suite::yaml::{Node, NodeKind, Pos};
use crate::vocabulary::{Loc, SourceFile};

/// The one key of a mapping that writes its `item` many times.
const REPEAT_KEY: &str = "$repeat";

/// The file being read, the format of the document being read and the findings so far.
pub struct Reader {
    pub file: Arc<SourceFile>,
    pub format: Format,
    pub diags: Vec<Diagnostic>,
}

/// The version of the scenario format a document is written in: 1 unless the document
/// says `format: 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    One,
    Two,
}

/// A mapping whose keys were checked against the allowed set.
pub struct Mapping<'n> {
    pub pos: Pos,
    what: &'static str,
    entries: Vec<(&'n str, &'n Node)>,
}

impl<'n> Mapping<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }
}

/// One entry of a mapping with free keys (vars, headers, body checks, ...).
pub struct Entry<'n> {
    pub key: &'n str,
    pub key_pos: Pos,
    pub value: &'n Node,
}

impl Reader {
    pub fn new(file: Arc<SourceFile>) -> Self {
        Reader {
            file,
            format: Format::One,
            diags: Vec::new(),
        }
    }

    pub fn loc(&self, pos: Pos) -> Loc {
        Loc {
            file: Arc::clone(&self.file),
            line: pos.line,
            col: pos.col,
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        let d = Diagnostic::error(self.loc(pos), message);
        self.push(d);
    }

    pub fn wrong_type(&mut self, node: &Node, expected: &str, what: &str) {
        let d = Diagnostic::error(
            self.loc(node.pos),
            format!("expected {expected} for {what}, found {}", node.describe()),
        )
        .with_label(format!("expected {expected}"));
        self.push(d);
    }

    /// A mapping whose keys must be among `allowed`; each unknown key is an error with a
    /// suggestion, and the known entries are kept.
    pub fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &'static str,
        allowed: &[&str],
    ) -> Option<Mapping<'n>> {
        let entries = self.entries(node, what)?;
        let mut known = Vec::new();
        for entry in entries {
            if allowed.contains(&entry.key) {
                known.push((entry.key, entry.value));
            } else {
                let d = Diagnostic::error(
                    self.loc(entry.key_pos),
                    format!("unknown key '{}' in {what}", entry.key),
                )
                .with_label("unknown key")
                .with_suggestion(entry.key, allowed.iter().copied());
                let d = if d.hint.is_none() {
                    d.with_hint(format!("valid keys are: {}", allowed.join(", ")))
                } else {
                    d
                };
                self.push(d);
            }
        }
        Some(Mapping {
            pos: node.pos,
            what,
            entries: known,
        })
    }

    /// The entries of a mapping with free keys; keys must be strings.
    pub fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Option<Vec<Entry<'n>>> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.wrong_type(node, "a mapping", what);
            return None;
        };
        let mut out = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match key.as_str() {
                Some(k) => out.push(Entry {
                    key: k,
                    key_pos: key.pos,
                    value,
                }),
                None => self.wrong_type(key, "a string", &format!("a key in {what}")),
            }
        }
        Some(out)
    }

    /// A key that must be present; reports it as missing at the mapping otherwise.
    pub fn required<'n>(&mut self, mapping: &Mapping<'n>, key: &str) -> Option<&'n Node> {
        let found = mapping.get(key);
        if found.is_none() {
            let d = Diagnostic::error(
                self.loc(mapping.pos),
                format!("missing required key '{key}' in {}", mapping.what),
            )
            .with_label(format!("this {} has no '{key}'", mapping.what));
            self.push(d);
        }
        found
    }

    pub fn string<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        let s = node.as_str();
        if s.is_none() {
            self.wrong_type(node, "a string", what);
        }
        s
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(node, "true or false", what);
                None
            }
        }
    }

    /// A string from a closed set, with a suggestion when it is not one of them.
    pub fn choice<'c>(
        &mut self,
        node: &Node,
        what: &str,
        choices: &[&'c str],
        case_insensitive: bool,
    ) -> Option<&'c str> {
        let text = self.string(node, what)?;
        let found = choices.iter().copied().find(|c| {
            if case_insensitive {
                c.eq_ignore_ascii_case(text)
            } else {
                *c == text
            }
        });
        if found.is_none() {
            let d = Diagnostic::error(self.loc(node.pos), format!("unknown {what} '{text}'"))
                .with_label(format!("expected one of: {}", choices.join(", ")))
                .with_suggestion(text, choices.iter().copied());
            self.push(d);
        }
        found
    }

    /// A string or a list of strings, each with its position.
    pub fn string_list<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allow_single: bool,
    ) -> Vec<(&'n str, Pos)> {
        match &node.kind {
            NodeKind::Str(s) if allow_single => vec![(s.as_str(), node.pos)],
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|item| self.string(item, what).map(|s| (s, item.pos)))
                .collect(),
            _ => {
                let expected = if allow_single {
                    "a string or a list of strings"
                } else {
                    "a list of strings"
                };
                self.wrong_type(node, expected, what);
                Vec::new()
            }
        }
    }

    /// A string node parsed as a template, every hole resolved in `names` at `place`.
    pub fn template(
        &mut self,
        node: &Node,
        what: &str,
        names: &Names<'_>,
        place: Place,
    ) -> Option<Template> {
        let text = self.string(node, what)?;
        self.template_of(node, text, names, place)
    }

    /// Like `template`, but numbers and booleans are accepted as their text (query
    /// parameters, header values).
    pub fn scalar_template(
        &mut self,
        node: &Node,
        what: &str,
        names: &Names<'_>,
        place: Place,
    ) -> Option<Template> {
        let text = match &node.kind {
            NodeKind::Str(s) => return self.template_of(node, s, names, place),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Int(i) => i.to_string(),
            NodeKind::UInt(u) => u.to_string(),
            NodeKind::Float(f) => f.to_string(),
            _ => {
                self.wrong_type(node, "a string, number or boolean", what);
                return None;
            }
        };
        Some(Template {
            parts: vec![TemplatePart::Text(text)],
            loc: self.loc(node.pos),
        })
    }

    fn template_of(
        &mut self,
        node: &Node,
        text: &str,
        names: &Names<'_>,
        place: Place,
    ) -> Option<Template> {
        let pieces = match template::parse(text, self.format) {
            Ok(p) => p,
            Err(e) => {
                let pos = self.pos_in_string(node.pos, text, e.offset);
                let mut d = Diagnostic::error(self.loc(pos), e.message);
                if let Some(hint) = e.hint {
                    d = d.with_hint(hint);
                }
                self.push(d);
                return None;
            }
        };
        let mut parts = Vec::with_capacity(pieces.len());
        let mut ok = true;
        for piece in pieces {
            match piece {
                Piece::Text(t) => parts.push(TemplatePart::Text(t)),
                Piece::Hole(hole) => match names.resolve(&hole.expr, place) {
                    Ok(expr) => parts.push(TemplatePart::Expr(expr)),
                    Err(e) => {
                        ok = false;
                        let pos = self.pos_in_string(node.pos, text, hole.offset);
                        let mut d = Diagnostic::error(self.loc(pos), e.message);
                        if let Some(hint) = e.hint {
                            d = d.with_hint(hint);
                        }
                        self.push(d);
                    }
                },
            }
        }
        ok.then(|| Template {
            parts,
            loc: self.loc(node.pos),
        })
    }

    /// The position of byte `offset` of a string scalar's value (the scalar starting at
    /// `pos`), when the value is written verbatim on one line (plain or quoted without
    /// escapes); the scalar's start otherwise.
    pub fn pos_in_string(&self, pos: Pos, value: &str, offset: usize) -> Pos {
        let Some(start) = pos.byte else {
            return pos;
        };
        let Some(raw) = self.file.text.get(start..) else {
            return pos;
        };
        let content_col = if value.contains('\n') {
            None
        } else if let Some(inner) = raw.strip_prefix('"') {
            (inner.starts_with(value) && !value.contains(['\\', '"'])).then_some(pos.col + 1)
        } else if let Some(inner) = raw.strip_prefix('\'') {
            (inner.starts_with(value) && !value.contains('\'')).then_some(pos.col + 1)
        } else {
            raw.starts_with(value).then_some(pos.col)
        };
        match (content_col, value.get(..offset)) {
            (Some(col), Some(before)) => Pos {
                line: pos.line,
                col: col + u32::try_from(before.chars().count()).unwrap_or(0),
                byte: None,
            },
            _ => pos,
        }
    }

    /// Any YAML value as a JSON-like value whose strings are templates.
    pub fn template_value(
        &mut self,
        node: &Node,
        what: &str,
        names: &Names<'_>,
        place: Place,
    ) -> Option<TemplateValue> {
        Some(match &node.kind {
            NodeKind::Null => TemplateValue::Null,
            NodeKind::Bool(b) => TemplateValue::Bool(*b),
            NodeKind::Int(i) => TemplateValue::Number((*i).into()),
            NodeKind::UInt(u) => TemplateValue::Number((*u).into()),
            NodeKind::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => TemplateValue::Number(n),
                None => {
                    self.error(node.pos, format!("{f} is not a JSON number"));
                    return None;
                }
            },
            NodeKind::Str(s) => TemplateValue::String(self.template_of(node, s, names, place)?),
            NodeKind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.template_value(item, what, names, place) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                TemplateValue::Array(out)
            }
            NodeKind::Map(pairs) if pairs.len() == 1 && pairs[0].0.as_str() == Some(REPEAT_KEY) => {
                TemplateValue::Repeat(Box::new(self.repeat(&pairs[0].1, what, names, place)?))
            }
            NodeKind::Map(_) => {
                let entries = self.entries(node, what)?;
                let mut out = Vec::with_capacity(entries.len());
                let mut ok = true;
                for entry in entries {
                    match self.template_value(entry.value, what, names, place) {
                        Some(v) => out.push((entry.key.to_owned(), v)),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                TemplateValue::Object(out)
            }
        })
    }

    /// The body of a `$repeat`: `times` (a whole number or a template), `plus` (a whole
    /// number, default 0) and `item`.
    fn repeat(
        &mut self,
        node: &Node,
        what: &str,
        names: &Names<'_>,
        place: Place,
    ) -> Option<Repeat> {
        let entries = self.entries(node, REPEAT_KEY)?;
        let (mut times, mut plus, mut item) = (None, 0, None);
        for entry in entries {
            match entry.key {
                "times" => times = Some(self.template_value(entry.value, what, names, place)?),
                "plus" => match entry.value.kind {
                    NodeKind::Int(n) if n >= 0 => plus = n.unsigned_abs(),
                    NodeKind::UInt(n) => plus = n,
                    _ => {
                        self.wrong_type(entry.value, "a whole number", "$repeat plus");
                        return None;
                    }
                },
                "item" => item = Some(self.template_value(entry.value, what, names, place)?),
                other => {
                    self.error(
                        entry.key_pos,
                        format!("unknown key '{other}' in $repeat: it takes times, plus and item"),
                    );
                    return None;
                }
            }
        }
        let (Some(times), Some(item)) = (times, item) else {
            self.error(node.pos, "a $repeat needs both `times` and `item`");
            return None;
        };
        Some(Repeat { times, plus, item })
    }

    /// Records an error with a suggestion from `candidates`.
    pub fn error_suggesting<'c>(
        &mut self,
        pos: Pos,
        message: String,
        word: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) {
        let mut d = Diagnostic::error(self.loc(pos), message);
        if let Some(best) = did_you_mean(word, candidates) {
            d = d.with_hint(format!("did you mean '{best}'?"));
        }
        self.push(d);
    }
}
