//! Attribute definitions of User, Enterprise User and Group (RFC 7643 4 and 8.7.1) as
//! data: discovery renders them, validation, projection, sorting and filtering obey them.

use serde_json::{Value, json};

use crate::scim::{AttrKind, AttrPath};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
}

/// One attribute definition, as `/Schemas` publishes it.
#[derive(Debug, Clone, Copy)]
pub struct AttrDef {
    pub name: &'static str,
    pub kind: AttrKind,
    pub multi_valued: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub sub_attributes: &'static [AttrDef],
}

const fn attr(name: &'static str, kind: AttrKind, description: &'static str) -> AttrDef {
    AttrDef {
        name,
        kind,
        multi_valued: false,
        description,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical_values: &[],
        reference_types: &[],
        sub_attributes: &[],
    }
}

const fn string(name: &'static str, description: &'static str) -> AttrDef {
    attr(name, AttrKind::String, description)
}

const fn reference(
    name: &'static str,
    types: &'static [&'static str],
    description: &'static str,
) -> AttrDef {
    attr(name, AttrKind::Reference, description).references(types)
}

const fn complex(
    name: &'static str,
    subs: &'static [AttrDef],
    description: &'static str,
) -> AttrDef {
    attr(name, AttrKind::Complex, description).subs(subs)
}

impl AttrDef {
    const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }
    const fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }
    const fn unique(mut self) -> Self {
        self.uniqueness = Uniqueness::Server;
        self
    }
    const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }
    const fn references(mut self, types: &'static [&'static str]) -> Self {
        self.reference_types = types;
        self
    }
    const fn subs(mut self, subs: &'static [AttrDef]) -> Self {
        self.sub_attributes = subs;
        self
    }

    /// The sub-attribute called `name`, compared case-insensitively.
    pub fn sub(&self, name: &str) -> Option<&'static AttrDef> {
        find(self.sub_attributes, name)
    }

    /// The schema type name (`dateTime`, `complex`, ...).
    pub fn type_name(&self) -> &'static str {
        kind_name(self.kind)
    }

    /// The `/Schemas` representation of this attribute.
    pub fn published(&self) -> Value {
        let mut out = json!({
            "name": self.name,
            "type": self.type_name(),
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": mutability_name(self.mutability),
            "returned": returned_name(self.returned),
            "uniqueness": uniqueness_name(self.uniqueness),
        });
        if !self.canonical_values.is_empty() {
            out["canonicalValues"] = json!(self.canonical_values);
        }
        if self.kind == AttrKind::Reference {
            out["referenceTypes"] = json!(self.reference_types);
        }
        if self.kind == AttrKind::Complex {
            let subs: Vec<Value> = self.sub_attributes.iter().map(AttrDef::published).collect();
            out["subAttributes"] = Value::Array(subs);
        }
        out
    }
}

/// The definition called `name` in `defs`, compared case-insensitively.
pub fn find(defs: &'static [AttrDef], name: &str) -> Option<&'static AttrDef> {
    defs.iter().find(|def| def.name.eq_ignore_ascii_case(name))
}

pub fn kind_name(kind: AttrKind) -> &'static str {
    match kind {
        AttrKind::String => "string",
        AttrKind::Boolean => "boolean",
        AttrKind::Decimal => "decimal",
        AttrKind::Integer => "integer",
        AttrKind::DateTime => "dateTime",
        AttrKind::Binary => "binary",
        AttrKind::Reference => "reference",
        AttrKind::Complex => "complex",
    }
}

fn mutability_name(m: Mutability) -> &'static str {
    match m {
        Mutability::ReadOnly => "readOnly",
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::WriteOnly => "writeOnly",
    }
}

fn returned_name(r: Returned) -> &'static str {
    match r {
        Returned::Always => "always",
        Returned::Never => "never",
        Returned::Default => "default",
    }
}

fn uniqueness_name(u: Uniqueness) -> &'static str {
    match u {
        Uniqueness::None => "none",
        Uniqueness::Server => "server",
    }
}

use AttrKind::{Binary, Boolean, DateTime};
use Mutability::{Immutable, ReadOnly, WriteOnly};

/// The sub-attributes shared by the plain multi-valued attributes (emails, phoneNumbers,
/// ims, photos, entitlements, roles, x509Certificates), with their own `value` and
/// `type` vocabulary.
macro_rules! multi_valued_subs {
    ($value:expr, $types:expr) => {
        &[
            $value,
            string("display", "A human-readable name, for display only."),
            string("type", "A label for the value's function.").canonical($types),
            attr(
                "primary",
                Boolean,
                "Whether this is the preferred value; at most one value is primary.",
            ),
        ]
    };
}

/// Attributes every resource has (RFC 7643 3.1). They are not part of any schema's
/// `/Schemas` entry but are validated, filtered and projected like the others.
pub static COMMON: &[AttrDef] = &[
    string(
        "id",
        "Identifier assigned by the service provider; never reassigned.",
    )
    .case_exact()
    .mutability(ReadOnly)
    .returned(Returned::Always)
    .unique(),
    string(
        "externalId",
        "Identifier of the resource in the provisioning client.",
    )
    .case_exact(),
    complex(
        "meta",
        &[
            string("resourceType", "Name of the resource's type.")
                .case_exact()
                .mutability(ReadOnly),
            attr("created", DateTime, "When the resource was added.").mutability(ReadOnly),
            attr(
                "lastModified",
                DateTime,
                "When the resource was last changed.",
            )
            .mutability(ReadOnly),
            reference("location", &["uri"], "URI of the resource.")
                .case_exact()
                .mutability(ReadOnly),
            string("version", "Version of the resource, as in its ETag.")
                .case_exact()
                .mutability(ReadOnly),
        ],
        "Resource metadata maintained by the service provider.",
    )
    .mutability(ReadOnly),
];

pub static USER_ATTRS: &[AttrDef] = &[
    string("userName", "Unique identifier the user signs in with.")
        .required()
        .unique(),
    complex(
        "name",
        &[
            string("formatted", "The full name, formatted for display."),
            string("familyName", "Family (last) name."),
            string("givenName", "Given (first) name."),
            string("middleName", "Middle name(s)."),
            string("honorificPrefix", "Title before the name, e.g. Dr."),
            string("honorificSuffix", "Suffix after the name, e.g. Jr."),
        ],
        "The parts of the user's real name.",
    ),
    string("displayName", "Name shown to end users."),
    string("nickName", "Casual name."),
    reference(
        "profileUrl",
        &["external"],
        "URL of the user's online profile.",
    ),
    string("title", "Job title."),
    string(
        "userType",
        "Relationship to the organization, e.g. Employee.",
    ),
    string("preferredLanguage", "Preferred written or spoken language."),
    string("locale", "Default location for localized values."),
    string("timezone", "Time zone, in IANA form."),
    attr("active", Boolean, "Whether the account is active."),
    string("password", "Clear-text password; accepted, never returned.")
        .mutability(WriteOnly)
        .returned(Returned::Never),
    complex(
        "emails",
        multi_valued_subs!(
            string("value", "The email address."),
            &["work", "home", "other"]
        ),
        "Email addresses.",
    )
    .multi(),
    complex(
        "phoneNumbers",
        multi_valued_subs!(
            string("value", "The phone number."),
            &["work", "home", "mobile", "fax", "pager", "other"]
        ),
        "Phone numbers.",
    )
    .multi(),
    complex(
        "ims",
        multi_valued_subs!(
            string("value", "The instant messaging address."),
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]
        ),
        "Instant messaging addresses.",
    )
    .multi(),
    complex(
        "photos",
        multi_valued_subs!(
            reference("value", &["external"], "URL of the image."),
            &["photo", "thumbnail"]
        ),
        "Images of the user.",
    )
    .multi(),
    complex(
        "addresses",
        &[
            string("formatted", "The full address, formatted for display."),
            string("streetAddress", "Street, house number and the like."),
            string("locality", "City or locality."),
            string("region", "State or region."),
            string("postalCode", "Postal code."),
            string("country", "Country, as an ISO 3166-1 alpha-2 code."),
            string("type", "A label for the address's function.")
                .canonical(&["work", "home", "other"]),
            attr(
                "primary",
                Boolean,
                "Whether this is the preferred address; at most one is primary.",
            ),
        ],
        "Physical mailing addresses.",
    )
    .multi(),
    complex(
        "groups",
        &[
            string("value", "The id of the group.").mutability(ReadOnly),
            reference("$ref", &["User", "Group"], "URI of the group.").mutability(ReadOnly),
            string("display", "The group's displayName.").mutability(ReadOnly),
            string(
                "type",
                "Whether membership is direct or through a nested group.",
            )
            .canonical(&["direct", "indirect"])
            .mutability(ReadOnly),
        ],
        "Groups the user belongs to; maintained from the groups' members.",
    )
    .multi()
    .mutability(ReadOnly),
    complex(
        "entitlements",
        multi_valued_subs!(string("value", "The entitlement."), &[]),
        "Entitlements of the user.",
    )
    .multi(),
    complex(
        "roles",
        multi_valued_subs!(string("value", "The role."), &[]),
        "Roles of the user.",
    )
    .multi(),
    complex(
        "x509Certificates",
        multi_valued_subs!(
            attr("value", Binary, "The DER certificate, base64-encoded."),
            &[]
        ),
        "Certificates of the user.",
    )
    .multi(),
];

pub static ENTERPRISE_ATTRS: &[AttrDef] = &[
    string("employeeNumber", "Identifier assigned by the organization."),
    string("costCenter", "Cost center."),
    string("organization", "Organization."),
    string("division", "Division."),
    string("department", "Department."),
    complex(
        "manager",
        &[
            string("value", "The id of the manager's User."),
            reference("$ref", &["User"], "URI of the manager's User."),
            string("displayName", "The manager's displayName.").mutability(ReadOnly),
        ],
        "The user's manager.",
    ),
];

/// Group `displayName` is REQUIRED in RFC 7643 4.2's text (its 8.7.1 listing says
/// otherwise); this server follows the text and advertises what it enforces. Members'
/// `display` and `$ref` are filled in by the server from the member resource.
pub static GROUP_ATTRS: &[AttrDef] = &[
    string("displayName", "Name of the group.").required(),
    complex(
        "members",
        &[
            string("value", "The id of the member resource.")
                .required()
                .case_exact()
                .mutability(Immutable),
            reference("$ref", &["User", "Group"], "URI of the member resource.")
                .mutability(Immutable),
            string("display", "The member's display name.").mutability(ReadOnly),
            string("type", "Type of the member resource.")
                .canonical(&["User", "Group"])
                .mutability(Immutable),
        ],
        "Members of the group: Users or Groups.",
    )
    .multi(),
];

static USER_EXTENSIONS: &[(&str, &[AttrDef])] = &[(ENTERPRISE_SCHEMA, ENTERPRISE_ATTRS)];

/// A schema as `/Schemas` publishes it.
#[derive(Debug, Clone, Copy)]
pub struct SchemaDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [AttrDef],
}

pub static SCHEMAS: &[SchemaDef] = &[
    SchemaDef {
        id: USER_SCHEMA,
        name: "User",
        description: "User account",
        attributes: USER_ATTRS,
    },
    SchemaDef {
        id: ENTERPRISE_SCHEMA,
        name: "EnterpriseUser",
        description: "Enterprise user attributes",
        attributes: ENTERPRISE_ATTRS,
    },
    SchemaDef {
        id: GROUP_SCHEMA,
        name: "Group",
        description: "Group of users and groups",
        attributes: GROUP_ATTRS,
    },
];

/// The resource types this server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    /// The endpoint segment, e.g. `Users`.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "Users",
            ResourceKind::Group => "Groups",
        }
    }

    pub fn from_endpoint(segment: &str) -> Option<ResourceKind> {
        [ResourceKind::User, ResourceKind::Group]
            .into_iter()
            .find(|kind| kind.endpoint() == segment)
    }

    pub fn schema(self) -> &'static str {
        match self {
            ResourceKind::User => USER_SCHEMA,
            ResourceKind::Group => GROUP_SCHEMA,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ResourceKind::User => "User accounts",
            ResourceKind::Group => "Groups of users and groups",
        }
    }

    pub fn attrs(self) -> &'static [AttrDef] {
        match self {
            ResourceKind::User => USER_ATTRS,
            ResourceKind::Group => GROUP_ATTRS,
        }
    }

    /// Extension schemas: (URN, their attributes).
    pub fn extensions(self) -> &'static [(&'static str, &'static [AttrDef])] {
        match self {
            ResourceKind::User => USER_EXTENSIONS,
            ResourceKind::Group => &[],
        }
    }

    /// Every schema URN valid for this kind: the core schema first.
    pub fn schema_urns(self) -> Vec<&'static str> {
        let mut urns = vec![self.schema()];
        urns.extend(self.extensions().iter().map(|(urn, _)| *urn));
        urns
    }

    /// The extension URN spelled like `urn` (any case), if it is one of this kind's.
    pub fn extension(self, urn: &str) -> Option<(&'static str, &'static [AttrDef])> {
        self.extensions()
            .iter()
            .copied()
            .find(|(known, _)| known.eq_ignore_ascii_case(urn))
    }

    /// The definition an attribute path names, if any. A path without URN or with the core
    /// URN looks at the core and common attributes; an extension URN at its attributes.
    pub fn lookup(self, path: &AttrPath) -> Option<FoundAttr> {
        let (container, defs): (Option<&'static str>, &'static [AttrDef]) = match &path.urn {
            None => (None, self.attrs()),
            Some(urn) if urn.eq_ignore_ascii_case(self.schema()) => (None, self.attrs()),
            Some(urn) => {
                let (urn, defs) = self.extension(urn)?;
                (Some(urn), defs)
            }
        };
        if path.is_schema() {
            return None;
        }
        let def = find(defs, &path.name).or_else(|| {
            if container.is_none() {
                find(COMMON, &path.name)
            } else {
                None
            }
        })?;
        let sub = match &path.sub {
            None => None,
            Some(name) => Some(def.sub(name)?),
        };
        Some(FoundAttr {
            extension: container,
            def,
            sub,
        })
    }
}

/// Where a path leads: the attribute (in the core schema or an extension) and, for
/// `attr.sub`, the sub-attribute.
#[derive(Debug, Clone, Copy)]
pub struct FoundAttr {
    pub extension: Option<&'static str>,
    pub def: &'static AttrDef,
    pub sub: Option<&'static AttrDef>,
}

impl FoundAttr {
    /// The innermost definition the path names.
    pub fn leaf(&self) -> &'static AttrDef {
        self.sub.unwrap_or(self.def)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::parse_attr_path_with_schemas;

    fn lookup(kind: ResourceKind, text: &str) -> Option<FoundAttr> {
        let path = parse_attr_path_with_schemas(text, &kind.schema_urns()).unwrap();
        kind.lookup(&path)
    }

    #[test]
    fn lookup_is_case_insensitive_and_knows_common_attributes() {
        let found = lookup(ResourceKind::User, "USERNAME").unwrap();
        assert_eq!(found.def.name, "userName");
        assert_eq!(
            lookup(ResourceKind::User, "meta.lastModified")
                .unwrap()
                .leaf()
                .kind,
            DateTime
        );
        assert!(lookup(ResourceKind::Group, "userName").is_none());
    }

    #[test]
    fn lookup_follows_urns() {
        let found = lookup(
            ResourceKind::User,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        )
        .unwrap();
        assert_eq!(found.extension, Some(ENTERPRISE_SCHEMA));
        assert_eq!(found.leaf().name, "value");
        let core = lookup(
            ResourceKind::User,
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
        )
        .unwrap();
        assert_eq!(core.extension, None);
        assert!(lookup(ResourceKind::User, "urn:acme:x:name").is_none());
    }

    #[test]
    fn published_attributes_carry_every_characteristic() {
        let json = USER_ATTRS[0].published();
        for key in [
            "name",
            "type",
            "multiValued",
            "description",
            "required",
            "caseExact",
            "mutability",
            "returned",
            "uniqueness",
        ] {
            assert!(json.get(key).is_some(), "{key} missing in {json}");
        }
        assert_eq!(json["uniqueness"], "server");
        let emails = find(USER_ATTRS, "emails").unwrap().published();
        assert_eq!(emails["subAttributes"][2]["canonicalValues"][0], "work");
    }
}
