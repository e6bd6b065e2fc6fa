//! Words every layer shares: how much a check matters, which credentials a request
//! carries, where in a scenario file something was written, and what a target can do.
//! A leaf: it imports nothing from the crate, so any module may use it.

use std::fmt;
use std::sync::Arc;

/// How much a scenario (or a check) matters: the RFC keyword it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Must,
    Should,
    May,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "must",
            Severity::Should => "should",
            Severity::May => "may",
        }
    }
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// The target's configured credentials.
    #[default]
    Default,
    /// No Authorization header at all.
    None,
    /// A syntactically valid but wrong bearer token.
    Invalid,
}

/// A scenario or profile file as loaded: its display path and its text (for rendering
/// snippets).
pub struct SourceFile {
    /// Path as the user gave it, or `builtin:core/users.yaml` for embedded suites.
    pub name: String,
    pub text: String,
}

// Every `Loc` holds the file: printing the whole text in each would drown debug output.
impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .finish()
    }
}

/// A position in a source file; line and column are 1-based.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.name, self.line, self.col)
    }
}

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

/// A feature a scenario may require (`requires:`) and discovery finds a target has or
/// lacks. The one list of them: the loader, discovery, the requirement catalog, the
/// JSON Schema of the scenario format and its documentation all name these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    Users,
    Groups,
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
    ChangePassword,
    EnterpriseUser,
    Auth,
    Search,
}

impl Capability {
    /// Every capability, in the order the documentation lists them.
    pub const ALL: [Capability; 11] = [
        Capability::Users,
        Capability::Groups,
        Capability::Patch,
        Capability::Bulk,
        Capability::Filter,
        Capability::Sort,
        Capability::Etag,
        Capability::ChangePassword,
        Capability::EnterpriseUser,
        Capability::Auth,
        Capability::Search,
    ];

    /// The name scenarios write.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Users => "users",
            Capability::Groups => "groups",
            Capability::Patch => "patch",
            Capability::Bulk => "bulk",
            Capability::Filter => "filter",
            Capability::Sort => "sort",
            Capability::Etag => "etag",
            Capability::ChangePassword => "change-password",
            Capability::EnterpriseUser => "enterprise-user",
            Capability::Auth => "auth",
            Capability::Search => "search",
        }
    }

    /// The capability a scenario names, exactly as written.
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Every name, in the order of `ALL` (for messages and suggestions).
    pub fn names() -> [&'static str; 11] {
        Capability::ALL.map(Capability::as_str)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_reads_back_from_its_name() {
        for capability in Capability::ALL {
            assert_eq!(Capability::from_name(capability.as_str()), Some(capability));
        }
        assert_eq!(Capability::from_name("Users"), None);
        assert_eq!(Capability::from_name("change_password"), None);
    }
}
