//! YAML documents parsed into a tree whose every node keeps its source position.
//!
//! serde-saphyr gives the positions (`Spanned`), enforces the budgets and rejects
//! duplicate keys; the tree lets the loader report every problem of a file in one pass
//! instead of stopping at the first one, as a derived serde struct would.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A YAML node and where it starts (1-based line and character column, byte offset).
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    /// Byte offset in the file, when serde-saphyr knows it.
    pub byte: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What the node is, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) | NodeKind::UInt(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeKind>::deserialize(deserializer)?;
        let loc = spanned.referenced;
        Ok(Node {
            kind: spanned.value,
            pos: Pos {
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                col: u32::try_from(loc.column()).unwrap_or(u32::MAX),
                byte: loc
                    .span()
                    .byte_offset()
                    .and_then(|b| usize::try_from(b).ok()),
            },
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => NodeKind::Int(i),
            Err(_) => NodeKind::UInt(v),
        })
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeKind, E> {
        if let Ok(i) = i64::try_from(v) {
            Ok(NodeKind::Int(i))
        } else if let Ok(u) = u64::try_from(v) {
            Ok(NodeKind::UInt(u))
        } else {
            Err(E::custom("integer out of range"))
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeKind, E> {
        u64::try_from(v)
            .map(|u| self.visit_u64::<E>(u))
            .map_err(|_| E::custom("integer out of range"))?
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(NodeKind::Map(entries))
    }
}

/// Why a file could not be parsed as YAML, and where.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    /// `None` when serde-saphyr could not tell (e.g. a budget breach at the end).
    pub pos: Option<Pos>,
}

/// Parses every document of a file (documents separated by `---`; empty ones skipped).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(SyntaxError {
            message: format!(
                "file is {} bytes, larger than the limit of {} bytes",
                text.len(),
                MAX_FILE_BYTES
            ),
            pos: None,
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 48,
            max_documents: 256,
            max_nodes: 100_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_recorded_anchor_events: 50_000,
            max_total_scalar_bytes: MAX_FILE_BYTES,
        },
        with_snippet: false,
    };
    serde_saphyr::from_multiple_with_options::<Node>(text, options).map_err(|err| {
        let inner = err.without_snippet();
        let detail = UserMessageFormatter.format_message(inner);
        let message = format!("invalid YAML: {detail}");
        let pos = err.location().map(|loc| Pos {
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            col: u32::try_from(loc.column()).unwrap_or(u32::MAX),
            byte: None,
        });
        SyntaxError {
            message,
            pos: pos.filter(|p| p.line > 0),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_entries(node: &Node) -> &[(Node, Node)] {
        match &node.kind {
            NodeKind::Map(entries) => entries,
            other => panic!("expected a mapping, got {other:?}"),
        }
    }

    #[test]
    fn every_node_knows_its_line_and_column() {
        let docs = parse_documents("id: a\nsteps:\n  - name: x\n    request: {method: GET}\n")
            .expect("valid yaml");
        let root = map_entries(&docs[0]);
        assert_eq!((root[1].0.pos.line, root[1].0.pos.col), (2, 1));
        let NodeKind::Seq(steps) = &root[1].1.kind else {
            panic!("steps is a list")
        };
        let step = map_entries(&steps[0]);
        assert_eq!((step[0].1.pos.line, step[0].1.pos.col), (3, 11));
        let request = map_entries(&step[1].1);
        assert_eq!((request[0].1.pos.line, request[0].1.pos.col), (4, 23));
        assert_eq!(request[0].1.pos.byte, Some(47));
    }

    #[test]
    fn later_documents_keep_file_lines() {
        let docs = parse_documents("id: a\n---\nid: b\n---\n\nid: c\n").expect("valid yaml");
        assert_eq!(docs.len(), 3);
        let third = map_entries(&docs[2]);
        assert_eq!(third[0].1.pos.line, 6);
        assert_eq!(third[0].1.as_str(), Some("c"));
    }

    #[test]
    fn scalars_keep_their_yaml_type() {
        let docs = parse_documents("[1, -2, 2.5, true, ~, '7', x, 18446744073709551615]")
            .expect("valid yaml");
        let NodeKind::Seq(items) = &docs[0].kind else {
            panic!("a list")
        };
        let kinds: Vec<String> = items.iter().map(|n| format!("{:?}", n.kind)).collect();
        assert_eq!(
            kinds,
            [
                "Int(1)",
                "Int(-2)",
                "Float(2.5)",
                "Bool(true)",
                "Null",
                "Str(\"7\")",
                "Str(\"x\")",
                "UInt(18446744073709551615)"
            ]
        );
    }

    #[test]
    fn a_duplicate_key_is_a_syntax_error_with_a_position() {
        let err = parse_documents("id: a\ntitle: t\nid: b\n").expect_err("duplicate");
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.pos.map(|p| p.line), Some(3));
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(parse_documents(&text).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(parse_documents(&text).is_err());
    }

    #[test]
    fn an_oversized_file_is_refused_before_parsing() {
        let text = "#".repeat(MAX_FILE_BYTES + 1);
        let err = parse_documents(&text).expect_err("too big");
        assert!(err.message.contains("larger than the limit"));
    }
}
