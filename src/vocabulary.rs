//! Words every layer shares: how much a check matters, which credentials a request
//! carries, where in a scenario file something was written, and what a target can do.
//! A leaf: it imports nothing from the crate, so any module may use it.

use std::fmt;
use std::sync::Arc;

/// How much a scenario (or a check) matters: the RFC keyword it stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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

/// One slice of a run split over several machines (`--partition k/n`): slice `k` of `n`,
/// 1-based. A scenario's slice depends on its id alone, never on the order the suite
/// lists it, so every slice agrees where each scenario goes without talking to the
/// others, and adding a scenario moves no other one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Partition {
    pub slice: u32,
    pub of: u32,
}

/// Most slices a run may be split into; far above any CI matrix.
pub const MAX_PARTITIONS: u32 = 1024;

impl Partition {
    /// Reads `k/n`, with 1 <= k <= n <= [`MAX_PARTITIONS`].
    pub fn parse(text: &str) -> Result<Partition, String> {
        let wrong = |why: &str| format!("{why}; expected k/n, e.g. 2/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(|| wrong("no `/`"))?;
        let number = |part: &str, name: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| wrong(&format!("{name} `{part}` is not a whole number")))
        };
        let (slice, of) = (number(k, "k")?, number(n, "n")?);
        if of == 0 || of > MAX_PARTITIONS {
            return Err(wrong(&format!("n must be between 1 and {MAX_PARTITIONS}")));
        }
        if slice == 0 || slice > of {
            return Err(wrong(&format!("k must be between 1 and n ({of})")));
        }
        Ok(Partition { slice, of })
    }

    /// The slice (1-based) that scenario `id` belongs to when a run is split in `of`.
    pub fn slice_of(id: &str, of: u32) -> u32 {
        (stable_hash(id.as_bytes()) % u64::from(of.max(1))) as u32 + 1
    }

    /// True when scenario `id` runs in this slice.
    pub fn contains(&self, id: &str) -> bool {
        Partition::slice_of(id, self.of) == self.slice
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.slice, self.of)
    }
}

/// 64-bit FNV-1a of `bytes`: the same on every machine, build and run (std's hasher is
/// seeded at random per process, so slices would disagree). Not for secrets.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod partition_tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a_64() {
        // The published test vectors of FNV-1a 64.
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn k_of_n_parses_and_bad_ones_say_what_is_wrong() {
        assert_eq!(Partition::parse("2/4"), Ok(Partition { slice: 2, of: 4 }));
        for (text, why) in [
            ("2", "no `/`"),
            ("0/4", "k must be between 1 and n (4)"),
            ("5/4", "k must be between 1 and n (4)"),
            ("1/0", "n must be between 1 and"),
            ("a/4", "k `a` is not a whole number"),
            ("1/-3", "n `-3` is not a whole number"),
            ("1/99999", "n must be between 1 and"),
        ] {
            let error = Partition::parse(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn every_id_falls_in_exactly_one_slice() {
        for of in 1..=7 {
            for id in ["users.create.minimal", "groups.patch.add-member", ""] {
                let slices: Vec<u32> = (1..=of)
                    .filter(|&slice| Partition { slice, of }.contains(id))
                    .collect();
                assert_eq!(slices, [Partition::slice_of(id, of)], "{id} in {of}");
            }
        }
    }
}
