//! The requirement catalog: one entry per observable statement of RFC 7643 and RFC 7644,
//! in our own words, embedded from `suites/requirements.catalog.yaml`. Scenarios name these ids;
//! coverage figures count them per area.

mod extra;
mod load;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

pub use extra::{EXTRA_PATH, ExtraRequirement, builtin_extra, parse_extra};
pub use load::{CatalogError, Problem};

/// Where the built-in catalog comes from, for messages.
pub const BUILTIN_PATH: &str = "suites/requirements.catalog.yaml";

/// Catalog files end so; a folder walk for scenarios leaves them out.
pub const CATALOG_SUFFIX: &str = ".catalog.yaml";

const BUILTIN_TEXT: &str = include_str!("../../suites/requirements.catalog.yaml");

/// Whether `id` has the shape of a statement of the catalog (`RFC7644-3.12-error-status`:
/// a document, a section and a slug), as opposed to a whole section (`RFC7644-3.12`) or a
/// requirement of someone else's (`ACME-ROLES-1`). Such an id the catalog does not hold
/// is a mistake.
pub fn is_statement_shaped(id: &str) -> bool {
    id.split_once('-').is_some_and(|(prefix, rest)| {
        Document::ALL.iter().any(|d| d.as_str() == prefix) && rest.contains('-')
    })
}

/// The RFC a statement comes from; the first part of every id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Document {
    Rfc7643,
    Rfc7644,
}

impl Document {
    pub const ALL: [Document; 2] = [Document::Rfc7643, Document::Rfc7644];

    /// The id prefix: `RFC7643` or `RFC7644`.
    pub fn as_str(self) -> &'static str {
        match self {
            Document::Rfc7643 => "RFC7643",
            Document::Rfc7644 => "RFC7644",
        }
    }
}

/// The RFC keyword behind a statement. Ordered, so the strictest of several is their max.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// MAY, OPTIONAL.
    May,
    /// SHOULD, SHOULD NOT, RECOMMENDED.
    Should,
    /// MUST, MUST NOT, SHALL, SHALL NOT, REQUIRED.
    Must,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Must, Level::Should, Level::May];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::May => "may",
            Level::Should => "should",
            Level::Must => "must",
        }
    }
}

/// Who the statement binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// The service provider, judged by the answers it gives.
    Server,
    /// The SCIM client, judged by the requests it sends.
    Client,
}

impl Party {
    pub const ALL: [Party; 2] = [Party::Server, Party::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Server => "server",
            Party::Client => "client",
        }
    }
}

/// The fixed set of areas coverage is reported by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// /ServiceProviderConfig, /ResourceTypes, /Schemas and what they declare.
    Discovery,
    /// Media types, JSON and UTF-8 bodies, URL encoding.
    MediaType,
    /// Authentication and the 401 answer.
    Auth,
    /// Common attributes of every resource: schemas, id, externalId, meta, references.
    Resource,
    /// Attribute types, characteristics and the User and Group attributes.
    Schema,
    /// POST to a resource endpoint.
    Create,
    /// GET of one resource.
    Read,
    /// PUT.
    Replace,
    /// PATCH and its operations.
    Patch,
    /// DELETE and what follows it.
    Delete,
    /// ListResponse answers and query endpoints.
    List,
    /// The filter parameter.
    Filter,
    /// sortBy and sortOrder.
    Sort,
    /// startIndex, count and the paging attributes of an answer.
    Paging,
    /// attributes, excludedAttributes, returned characteristics and attribute notation.
    Projection,
    /// POST /.search.
    Search,
    /// POST /Bulk.
    Bulk,
    /// ETags, meta.version and conditional requests.
    Etag,
    /// Error bodies, status codes and scimType values.
    Errors,
    /// The /Me alias.
    Me,
    /// Protocol version segments in URLs.
    Versioning,
}

impl Area {
    pub const ALL: [Area; 21] = [
        Area::Discovery,
        Area::MediaType,
        Area::Auth,
        Area::Resource,
        Area::Schema,
        Area::Create,
        Area::Read,
        Area::Replace,
        Area::Patch,
        Area::Delete,
        Area::List,
        Area::Filter,
        Area::Sort,
        Area::Paging,
        Area::Projection,
        Area::Search,
        Area::Bulk,
        Area::Etag,
        Area::Errors,
        Area::Me,
        Area::Versioning,
    ];

    /// The name used in the catalog file (`media-type`, `filter`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Discovery => "discovery",
            Area::MediaType => "media-type",
            Area::Auth => "auth",
            Area::Resource => "resource",
            Area::Schema => "schema",
            Area::Create => "create",
            Area::Read => "read",
            Area::Replace => "replace",
            Area::Patch => "patch",
            Area::Delete => "delete",
            Area::List => "list",
            Area::Filter => "filter",
            Area::Sort => "sort",
            Area::Paging => "paging",
            Area::Projection => "projection",
            Area::Search => "search",
            Area::Bulk => "bulk",
            Area::Etag => "etag",
            Area::Errors => "errors",
            Area::Me => "me",
            Area::Versioning => "versioning",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One statement of an RFC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// `RFC7644-3.4.2.2-attr-case-insensitive`.
    pub id: String,
    pub document: Document,
    /// `3.4.2.2`.
    pub section: String,
    pub level: Level,
    /// The RFC says it without a capitalised keyword; `level` is our reading.
    pub implicit: bool,
    pub party: Party,
    pub area: Area,
    /// The capability a server needs for the statement to bind it (`patch`, `bulk`, ...).
    pub when: Option<String>,
    /// One sentence in our words.
    pub text: String,
}

/// Every requirement, in file order, with lookup by id.
#[derive(Debug, Clone)]
pub struct Catalog {
    requirements: Vec<Requirement>,
    by_id: BTreeMap<String, usize>,
}

impl Catalog {
    /// The catalog compiled into the binary, parsed once.
    pub fn builtin() -> Result<&'static Catalog, &'static CatalogError> {
        static BUILTIN: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Catalog::parse(BUILTIN_PATH, BUILTIN_TEXT))
            .as_ref()
    }

    /// Parses catalog text; `name` is used in error messages. Every problem of the text is
    /// reported, each naming the line, the requirement and the field.
    pub fn parse(name: &str, text: &str) -> Result<Catalog, CatalogError> {
        let requirements = load::parse(name, text)?;
        let by_id = requirements
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Ok(Catalog {
            requirements,
            by_id,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.by_id.get(id).and_then(|&i| self.requirements.get(i))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// In file order.
    pub fn iter(&self) -> std::slice::Iter<'_, Requirement> {
        self.requirements.iter()
    }

    pub fn len(&self) -> usize {
        self.requirements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

impl<'a> IntoIterator for &'a Catalog {
    type Item = &'a Requirement;
    type IntoIter = std::slice::Iter<'a, Requirement>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
