//! The filter tree (RFC 7644 3.4.2.2) and its canonical text form.

use std::fmt;

use serde_json::Value;

use super::attr::AttrPath;

/// A parsed SCIM filter. Inside a [`Filter::ValuePath`], attribute paths are relative to
/// the multi-valued attribute (`emails[type eq "work"]` has the inner path `type`).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `path op value`; the value is a JSON string, number, `true`, `false` or `null`.
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: Value,
    },
    /// `path pr`.
    Present(AttrPath),
    /// `path[filter]`, e.g. `emails[type eq "work" and value co "@"]`.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

/// The comparison operators of RFC 7644 table 3 (`pr` is [`Filter::Present`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The operator's keyword, lower case.
    pub fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// The operator for a keyword, case-insensitively (`EQ`, `eq`, `Eq`).
    pub fn from_keyword(word: &str) -> Option<CompareOp> {
        CompareOp::ALL
            .into_iter()
            .find(|op| op.keyword().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl Filter {
    /// Every attribute path the filter compares or tests, as the schema knows it: inside
    /// `emails[type eq "work"]` the path is `emails.type`. Lets a server reject filters on
    /// attributes it does not define, with the path in the message.
    pub fn attr_paths(&self) -> Vec<AttrPath> {
        let mut out = Vec::new();
        self.collect_paths(None, &mut out);
        out
    }

    /// Calls `visit` with the full path and operator of every comparison.
    pub fn visit_comparisons(&self, visit: &mut dyn FnMut(&AttrPath, CompareOp)) {
        self.visit_inside(None, visit);
    }

    fn visit_inside(&self, parent: Option<&AttrPath>, visit: &mut dyn FnMut(&AttrPath, CompareOp)) {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.visit_inside(parent, visit);
                b.visit_inside(parent, visit);
            }
            Filter::Not(inner) => inner.visit_inside(parent, visit),
            Filter::Compare { path, op, .. } => {
                let full = parent.map_or_else(|| path.clone(), |parent| path.inside(parent));
                visit(&full, *op);
            }
            Filter::Present(_) => {}
            Filter::ValuePath { path, filter } => {
                let outer = parent.map_or_else(|| path.clone(), |parent| path.inside(parent));
                filter.visit_inside(Some(&outer), visit);
            }
        }
    }

    fn collect_paths(&self, parent: Option<&AttrPath>, out: &mut Vec<AttrPath>) {
        let full =
            |path: &AttrPath| parent.map_or_else(|| path.clone(), |parent| path.inside(parent));
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.collect_paths(parent, out);
                b.collect_paths(parent, out);
            }
            Filter::Not(inner) => inner.collect_paths(parent, out),
            Filter::Compare { path, .. } | Filter::Present(path) => out.push(full(path)),
            Filter::ValuePath { path, filter } => {
                let outer = full(path);
                out.push(outer.clone());
                filter.collect_paths(Some(&outer), out);
            }
        }
    }
}

/// Binding strength, to print only the parentheses the parser needs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Atom,
}

impl Filter {
    fn level(&self) -> Level {
        match self {
            Filter::Or(..) => Level::Or,
            Filter::And(..) => Level::And,
            _ => Level::Atom,
        }
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, min: Level) -> fmt::Result {
        if self.level() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// Canonical text: lower-case keywords, single spaces, JSON literals, and parentheses only
/// where grouping differs from the default (`and` before `or`, both left-associative).
/// Parsing the text gives back an equal filter.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Or(left, right) => {
                left.write_operand(f, Level::Or)?;
                f.write_str(" or ")?;
                right.write_operand(f, Level::And)
            }
            Filter::And(left, right) => {
                left.write_operand(f, Level::And)?;
                f.write_str(" and ")?;
                right.write_operand(f, Level::Atom)
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn present(name: &str) -> Filter {
        Filter::Present(AttrPath::new(name))
    }

    #[test]
    fn operators_parse_case_insensitively_and_print_lower_case() {
        for op in CompareOp::ALL {
            assert_eq!(
                CompareOp::from_keyword(&op.keyword().to_uppercase()),
                Some(op)
            );
            assert_eq!(op.to_string(), op.keyword());
        }
        assert_eq!(CompareOp::from_keyword("equals"), None);
    }

    #[test]
    fn compare_prints_values_as_json() {
        let filter = Filter::Compare {
            path: AttrPath::new("title"),
            op: CompareOp::Eq,
            value: json!("say \"hi\"\n"),
        };
        assert_eq!(filter.to_string(), r#"title eq "say \"hi\"\n""#);
    }

    #[test]
    fn or_inside_and_gets_parentheses() {
        let filter = Filter::And(
            Box::new(present("a")),
            Box::new(Filter::Or(Box::new(present("b")), Box::new(present("c")))),
        );
        assert_eq!(filter.to_string(), "a pr and (b pr or c pr)");
    }

    #[test]
    fn left_nested_chains_print_without_parentheses() {
        let filter = Filter::Or(
            Box::new(Filter::Or(Box::new(present("a")), Box::new(present("b")))),
            Box::new(Filter::And(Box::new(present("c")), Box::new(present("d")))),
        );
        assert_eq!(filter.to_string(), "a pr or b pr or c pr and d pr");
    }

    #[test]
    fn right_nested_chain_keeps_its_grouping() {
        let filter = Filter::Or(
            Box::new(present("a")),
            Box::new(Filter::Or(Box::new(present("b")), Box::new(present("c")))),
        );
        assert_eq!(filter.to_string(), "a pr or (b pr or c pr)");
    }

    #[test]
    fn attr_paths_lists_full_paths_including_inside_value_filters() {
        let filter = Filter::And(
            Box::new(present("title")),
            Box::new(Filter::ValuePath {
                path: AttrPath::new("emails").with_urn("urn:x"),
                filter: Box::new(present("type")),
            }),
        );
        assert_eq!(
            filter.attr_paths(),
            vec![
                AttrPath::new("title"),
                AttrPath::new("emails").with_urn("urn:x"),
                AttrPath::new("emails").with_urn("urn:x").with_sub("type"),
            ]
        );
    }

    #[test]
    fn not_and_value_path_print_their_brackets() {
        let filter = Filter::Not(Box::new(Filter::ValuePath {
            path: AttrPath::new("emails"),
            filter: Box::new(present("value")),
        }));
        assert_eq!(filter.to_string(), "not (emails[value pr])");
    }
}
