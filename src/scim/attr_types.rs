//! What evaluation needs to know about attributes: caseExact and the SCIM data type
//! (RFC 7643 2.2 and 2.3), supplied by whoever owns the schema definitions.

use super::attr::AttrPath;

/// The SCIM data types of RFC 7643 2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrKind {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl AttrKind {
    /// The kind for a schema `type` value (`"dateTime"`, `"reference"`, ...), any case.
    pub fn from_schema_type(name: &str) -> Option<AttrKind> {
        const KINDS: [(&str, AttrKind); 8] = [
            ("string", AttrKind::String),
            ("boolean", AttrKind::Boolean),
            ("decimal", AttrKind::Decimal),
            ("integer", AttrKind::Integer),
            ("dateTime", AttrKind::DateTime),
            ("binary", AttrKind::Binary),
            ("reference", AttrKind::Reference),
            ("complex", AttrKind::Complex),
        ];
        KINDS
            .iter()
            .find(|(type_name, _)| type_name.eq_ignore_ascii_case(name))
            .map(|(_, kind)| *kind)
    }
}

/// Attribute characteristics the evaluator asks about. Paths are full: inside
/// `emails[type eq "work"]` the question is about `emails.type` (with the URN of
/// `emails`, if it had one). A complex attribute compared without a sub-attribute is
/// asked about as its `value` sub-attribute.
pub trait AttributeTypes {
    /// The attribute's caseExact characteristic; SCIM's default is false.
    fn case_exact(&self, path: &AttrPath) -> bool {
        let _ = path;
        false
    }

    /// The attribute's data type, for ordering comparisons; `None` when unknown, in which
    /// case the kind is inferred from the JSON values.
    fn kind(&self, path: &AttrPath) -> Option<AttrKind> {
        let _ = path;
        None
    }
}

/// No schema knowledge: every attribute is case-insensitive and kinds are inferred from
/// the JSON values (strings that are both valid dateTimes compare as instants).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSchema;

impl AttributeTypes for NoSchema {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_type_names_map_to_kinds_case_insensitively() {
        assert_eq!(
            AttrKind::from_schema_type("dateTime"),
            Some(AttrKind::DateTime)
        );
        assert_eq!(
            AttrKind::from_schema_type("DATETIME"),
            Some(AttrKind::DateTime)
        );
        assert_eq!(
            AttrKind::from_schema_type("reference"),
            Some(AttrKind::Reference)
        );
        assert_eq!(AttrKind::from_schema_type("timestamp"), None);
    }

    #[test]
    fn no_schema_is_case_insensitive_and_untyped() {
        let path = AttrPath::new("userName");
        assert!(!NoSchema.case_exact(&path));
        assert_eq!(NoSchema.kind(&path), None);
    }
}
