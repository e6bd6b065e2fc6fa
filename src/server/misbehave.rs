//! Misbehaviour switches: real-world deviations from RFC 7643/7644 that the reference
//! server can be told to commit, so checks can prove they catch them.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One deviation. Each is seen in real SCIM services (several in the vendor documents the
/// project keeps as seeds: uniqueness answered 500, PATCH only with `Replace`/`Add`,
/// users-only services, 4 requests per second, DELETE that only deactivates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Misbehaviour {
    Uniqueness500,
    UniquenessCaseSensitive,
    NoUniqueness,
    FilterIgnored,
    FilterCaseSensitive,
    SoftDelete,
    DeletedUserNameTaken,
    PatchOpCaseSensitive,
    PatchNoRemove,
    PatchSchemaOptional,
    Patch204,
    Create200,
    NoLocation,
    StatusAsInteger,
    HtmlErrors,
    JsonContentType,
    NoTotalResults,
    ItemsPerPageWrong,
    PagingIgnored,
    ProjectionIgnored,
    ProjectionDropsSchemas,
    EtagStale,
    EtagMissing,
    MetaIncomplete,
    PasswordReturned,
    ActiveAsString,
    StaleGroupMembers,
    NoGroups,
    RateLimit,
    EndpointAbsolute,
    EndpointBasePath,
    NoDiscovery,
    CloseAfter500,
    NullValues,
    NoSearch,
    FilterUnsupported,
    NoScimType,
    BulkStatusObject,
    UndeclaredDropped,
    DisplayNameDropped,
    Concurrent500,
    StringBooleansRefused,
    PatchPathKeysRefused,
    LegacyMemberRemovalRefused,
    UnfilteredPagingBroken,
    LegacySchemasRefused,
    ManagerIdRefused,
    SubAttributeFilterRefused,
    BulkFailOnErrorsIgnored,
    BulkVersionIgnored,
    BulkMalformed200,
    BulkCircular400,
    BulkIdCoreOnly,
    PatchBadValueIgnored,
    PatchExtensionNeedsSchema,
    MembersFixedAfterCreate,
    PatchAddNeedsPath,
    PatchAddKeepsSingle,
    PatchNoOpTouches,
    PatchRemoveLastRefused,
    PatchRemoveSubDropsParent,
    PatchRemoveProtectedIgnored,
    PatchReplaceComplexWhole,
    PatchFilterReplaceAll,
    MemberValueMutable,
    NullRejected,
    NullKeepsValue,
    RequiredUnchecked,
    EtagStrong,
    VersionIgnored,
    FilterEqOnly,
    FilterParenthesesIgnored,
    FilterLeftToRight,
    FilterNotIgnored,
    CoreUrnUnknown,
    FilterSchemasIgnored,
    FilterBooleanOrdering,
    SortMissingLast,
    SortCaseSensitive,
    SortFirstValue,
    SearchSortIgnored,
    ExcludedRemovesId,
    QueriesSpanTypes,
    RootQueryUsersOnly,
    SchemasListMessages,
    SchemaKeywordsNonstandard,
    SchemaWithoutSchemaUrn,
    SchemaStructureLoose,
    ExtensionRequiredMissing,
    DiscoveryPaged,
    SchemasPadded,
    ResourceTypeMislabelled,
    SchemasIncomplete,
    AcceptScimJsonRefused,
    ExternalIdInvented,
    LastModifiedSkewed,
    ContentLocationMismatch,
    SchemasOrderStrict,
    SchemasFirstRequired,
    PrimaryDefaulted,
    ReferencesUrn,
    UserGroupsWritable,
    ManagerDisplayNameStored,
    EndpointInternalHost,
    LocationInternalHost,
    LocationBareId,
    IdsWithSpaces,
    DeclaredFeaturesBroken,
    IntegersAsDecimals,
    BinaryAsPem,
    ReferenceTypesUndefined,
    UsernameUnnormalized,
    LastModifiedFrozen,
    BulkErrorTerse,
    AuthRefused403,
    Utf8ReadAsLatin1,
    DeletedIdsReused,
    PatchOpsReversed,
    UserGroupsValueName,
    PutFirstMembersRefused,
    ExtensionRequiredUnenforced,
    MinimalReads,
    BulkLimitsIgnored,
    BulkLimitUnnamed,
    TitleReturnedRequest,
    SearchBodyIgnored,
    FilterAffixAsContains,
    ValueFilterAnyValue,
    FilterFirstValueOnly,
    SubAttributeFilterUnmatched,
    FilterUnnormalized,
    IdsWithBulkId,
    UnfilteredTooMany,
    UnfilteredRefused,
}

use Misbehaviour as M;

/// (switch, kebab-case name, one-line description for `--help`).
const TABLE: &[(Misbehaviour, &str, &str)] = &[
    (
        M::Uniqueness500,
        "uniqueness-500",
        "a duplicate userName answers 500 instead of 409 with scimType uniqueness",
    ),
    (
        M::UniquenessCaseSensitive,
        "uniqueness-case-sensitive",
        "userName uniqueness is case-sensitive, so \"Ada\" and \"ada\" can both exist",
    ),
    (
        M::NoUniqueness,
        "no-uniqueness",
        "duplicate userNames are accepted",
    ),
    (
        M::FilterIgnored,
        "filter-ignored",
        "the filter parameter is ignored: list requests return every resource",
    ),
    (
        M::FilterCaseSensitive,
        "filter-case-sensitive",
        "filters compare strings case-sensitively, even caseExact=false ones like userName",
    ),
    (
        M::SoftDelete,
        "soft-delete",
        "DELETE of a User only deactivates it: a later GET answers 200 with active=false",
    ),
    (
        M::DeletedUserNameTaken,
        "deleted-username-taken",
        "a deleted User's userName stays taken: creating it again answers 409",
    ),
    (
        M::PatchOpCaseSensitive,
        "patch-op-case-sensitive",
        "PATCH op names must be lower case: \"Replace\" or \"Add\" answer 400",
    ),
    (
        M::PatchNoRemove,
        "patch-no-remove",
        "PATCH supports only add and replace: a remove operation answers 400",
    ),
    (
        M::PatchSchemaOptional,
        "patch-schema-optional",
        "PATCH bodies without the PatchOp schema in schemas are accepted",
    ),
    (
        M::Patch204,
        "patch-204",
        "a successful PATCH answers 204 No Content instead of 200 with the resource",
    ),
    (
        M::Create200,
        "create-200",
        "POST that creates a resource answers 200 instead of 201 Created",
    ),
    (
        M::NoLocation,
        "no-location",
        "201 Created answers carry no Location header",
    ),
    (
        M::StatusAsInteger,
        "status-as-integer",
        "error bodies give status as a JSON number instead of a string",
    ),
    (
        M::HtmlErrors,
        "html-errors",
        "errors are text/html pages instead of SCIM error bodies",
    ),
    (
        M::JsonContentType,
        "json-content-type",
        "responses are labelled application/json instead of application/scim+json",
    ),
    (
        M::NoTotalResults,
        "no-total-results",
        "list responses omit totalResults",
    ),
    (
        M::ItemsPerPageWrong,
        "items-per-page-wrong",
        "itemsPerPage reports the page size asked for, not the number of resources returned",
    ),
    (
        M::PagingIgnored,
        "paging-ignored",
        "startIndex and count are ignored: every match comes in one page",
    ),
    (
        M::ProjectionIgnored,
        "projection-ignored",
        "attributes and excludedAttributes are ignored",
    ),
    (
        M::ProjectionDropsSchemas,
        "projection-drops-schemas",
        "with attributes=..., resources lose schemas, which SCIM returns always",
    ),
    (
        M::EtagStale,
        "etag-stale",
        "meta.version and the ETag stay the same when a resource changes",
    ),
    (
        M::EtagMissing,
        "etag-missing",
        "no ETag header, although /ServiceProviderConfig says etag is supported",
    ),
    (
        M::MetaIncomplete,
        "meta-incomplete",
        "meta holds only resourceType: no created, lastModified, location or version",
    ),
    (
        M::PasswordReturned,
        "password-returned",
        "the password (returned=never) comes back in responses",
    ),
    (
        M::ActiveAsString,
        "active-as-string",
        "User active comes back as the string \"true\" or \"false\", though /Schemas declares a boolean",
    ),
    (
        M::StaleGroupMembers,
        "stale-group-members",
        "deleting a User leaves it among the members of its groups",
    ),
    (
        M::NoGroups,
        "no-groups",
        "Users only: /Groups answers 404 and /ResourceTypes lists only User",
    ),
    (
        M::RateLimit,
        "rate-limit",
        "at most 4 requests per second; more answer 429 with Retry-After",
    ),
    (
        M::EndpointAbsolute,
        "endpoint-absolute",
        "/ResourceTypes gives each endpoint as an absolute URL, http://host/scim/v2/Users",
    ),
    (
        M::EndpointBasePath,
        "endpoint-base-path",
        "/ResourceTypes gives each endpoint with the base path repeated, /scim/v2/Users",
    ),
    (
        M::NoDiscovery,
        "no-discovery",
        "/ServiceProviderConfig, /ResourceTypes and /Schemas answer 404",
    ),
    (
        M::CloseAfter500,
        "close-after-500",
        "after a 500, the next request on that connection gets no answer (pair with uniqueness-500)",
    ),
    (
        M::NullValues,
        "null-values",
        "unassigned attributes come back as null (documentationUri: null, title: null, ...)",
    ),
    (
        M::NoSearch,
        "no-search",
        "POST /.search and /Users/.search answer 404 (the endpoint is optional)",
    ),
    (
        M::FilterUnsupported,
        "filter-unsupported",
        "any filter but one `attribute eq value` comparison answers 400 invalidFilter",
    ),
    (
        M::NoScimType,
        "no-scim-type",
        "errors carry scimType only where the RFC text names one (uniqueness, noTarget, mutability, ...)",
    ),
    (
        M::BulkStatusObject,
        "bulk-status-object",
        "Bulk results give status as {\"code\": \"201\"}, as in RFC 7644 section 3.7.3",
    ),
    (
        M::UndeclaredDropped,
        "undeclared-dropped",
        "title, nickName, phoneNumbers, emails.type: not in /Schemas, and dropped on write",
    ),
    (
        M::DisplayNameDropped,
        "display-name-dropped",
        "a User's displayName is declared in /Schemas but never stored",
    ),
    (
        M::Concurrent500,
        "concurrent-500",
        "a create or change that overlaps another one answers 500; one at a time they work",
    ),
    (
        M::BulkFailOnErrorsIgnored,
        "bulk-fail-on-errors-ignored",
        "Bulk ignores failOnErrors: every operation runs, whatever failed before it",
    ),
    (
        M::BulkVersionIgnored,
        "bulk-version-ignored",
        "a bulk operation's version is not checked, so a stale one still writes",
    ),
    (
        M::BulkMalformed200,
        "bulk-malformed-200",
        "a bulk request that is not valid JSON answers 200 with an empty BulkResponse",
    ),
    (
        M::BulkCircular400,
        "bulk-circular-400",
        "bulkIds that refer to each other in a circle fail with 400, neither resolved nor 409",
    ),
    (
        M::BulkIdCoreOnly,
        "bulk-id-core-only",
        "bulkId references are resolved in core attributes only, not inside schema extensions",
    ),
    (
        M::PatchBadValueIgnored,
        "patch-bad-value-ignored",
        "a PATCH operation whose value does not fit the attribute's type is skipped, answering 200",
    ),
    (
        M::PatchExtensionNeedsSchema,
        "patch-extension-needs-schema",
        "a PATCH of an extension attribute fails with noTarget unless the user already had the extension",
    ),
    (
        M::MembersFixedAfterCreate,
        "members-fixed-after-create",
        "a group's members are set at creation only: a PATCH adding members answers 400 mutability",
    ),
    (
        M::PatchAddNeedsPath,
        "patch-add-needs-path",
        "a PATCH add without path answers 400 noTarget",
    ),
    (
        M::PatchAddKeepsSingle,
        "patch-add-keeps-single",
        "a PATCH add leaves a single-valued attribute that has a value as it was",
    ),
    (
        M::PatchNoOpTouches,
        "patch-no-op-touches",
        "a PATCH that changes nothing still moves meta.lastModified and the version",
    ),
    (
        M::PatchRemoveLastRefused,
        "patch-remove-last-refused",
        "a filtered PATCH remove that would take out the last value answers 400",
    ),
    (
        M::PatchRemoveSubDropsParent,
        "patch-remove-sub-drops-parent",
        "a PATCH remove of name.middleName removes the whole name",
    ),
    (
        M::PatchRemoveProtectedIgnored,
        "patch-remove-protected-ignored",
        "a PATCH remove of a required or read-only attribute answers 200 and changes nothing",
    ),
    (
        M::PatchReplaceComplexWhole,
        "patch-replace-complex-whole",
        "a PATCH replace of a complex attribute drops the sub-attributes the value leaves out",
    ),
    (
        M::PatchFilterReplaceAll,
        "patch-filter-replace-all",
        "a PATCH replace with a value filter replaces every value, not only the matching ones",
    ),
    (
        M::MemberValueMutable,
        "member-value-mutable",
        "a member's value can be rewritten in place by PATCH, though members' sub-attributes are immutable",
    ),
    (
        M::NullRejected,
        "null-rejected",
        "a null or [] attribute value in a POST or PUT body answers 400 invalidValue",
    ),
    (
        M::NullKeepsValue,
        "null-keeps-value",
        "a PUT that sends null or [] for an attribute keeps its stored value",
    ),
    (
        M::RequiredUnchecked,
        "required-unchecked",
        "a create or replace without the required userName is stored anyway",
    ),
    (
        M::EtagStrong,
        "etag-strong",
        "ETags and meta.version are strong (no W/), though a projection shares its resource's tag",
    ),
    (
        M::VersionIgnored,
        "version-ignored",
        "a version segment after the base path (/v999/Users) is ignored and the request served",
    ),
    (
        M::StringBooleansRefused,
        "string-booleans-refused",
        "booleans sent as strings (\"False\", \"true\", as Entra ID and OneLogin send) answer 400",
    ),
    (
        M::PatchPathKeysRefused,
        "patch-path-keys-refused",
        "a PATCH without path whose value keys are paths (name.givenName, as Entra ID sends) answers 400",
    ),
    (
        M::LegacyMemberRemovalRefused,
        "legacy-member-removal-refused",
        "a PATCH remove of members with a value list (Entra ID's legacy removal) answers 400",
    ),
    (
        M::UnfilteredPagingBroken,
        "unfiltered-paging-broken",
        "a list without a filter ignores startIndex: every page starts at the first resource",
    ),
    (
        M::LegacySchemasRefused,
        "legacy-schemas-refused",
        "bodies naming SCIM 1.0 schemas (urn:scim:schemas:core:1.0, as OneLogin templates do) answer 400",
    ),
    (
        M::ManagerIdRefused,
        "manager-id-refused",
        "an enterprise manager given as a bare id, not {\"value\": id} (Entra ID's legacy jobs), answers 400",
    ),
    (
        M::SubAttributeFilterRefused,
        "sub-attribute-filter-refused",
        "emails[type eq \"work\"].value eq (a sub-attribute after brackets, as Entra ID sends) answers 400",
    ),
    (
        M::FilterEqOnly,
        "filter-eq-only",
        "filters know only eq: every comparison operator is read as eq, and pr holds for every resource",
    ),
    (
        M::FilterParenthesesIgnored,
        "filter-parentheses-ignored",
        "parentheses in filters are ignored: (a or b) and c is read as a or (b and c)",
    ),
    (
        M::FilterLeftToRight,
        "filter-left-to-right",
        "and and or in filters bind equally, applied left to right: a or b and c is read as (a or b) and c",
    ),
    (
        M::FilterNotIgnored,
        "filter-not-ignored",
        "not (...) in a filter is ignored: not (x) is read as x",
    ),
    (
        M::CoreUrnUnknown,
        "core-urn-unknown",
        "core attributes named with their URN (urn:...:User:userName) are unknown to filters and attributes=",
    ),
    (
        M::FilterSchemasIgnored,
        "filter-schemas-ignored",
        "a comparison on schemas in a filter holds for every resource",
    ),
    (
        M::FilterBooleanOrdering,
        "filter-boolean-ordering",
        "gt, ge, lt or le on a boolean attribute answer 200 with no match instead of 400 invalidFilter",
    ),
    (
        M::SortMissingLast,
        "sort-missing-last",
        "sorting puts resources without a value last in descending order too",
    ),
    (
        M::SortCaseSensitive,
        "sort-case-sensitive",
        "sorting compares strings case-sensitively, even caseExact=false ones like userName",
    ),
    (
        M::SortFirstValue,
        "sort-first-value",
        "sorting by a multi-valued attribute uses the first value, not the primary one",
    ),
    (
        M::SearchSortIgnored,
        "search-sort-ignored",
        "sortBy and sortOrder in a SearchRequest body are ignored",
    ),
    (
        M::ExcludedRemovesId,
        "excluded-removes-id",
        "excludedAttributes=id removes id, which is returned always",
    ),
    (
        M::QueriesSpanTypes,
        "queries-span-types",
        "a query at /Users or /Groups returns resources of every type",
    ),
    (
        M::RootQueryUsersOnly,
        "root-query-users-only",
        "a query at the server root (GET /?filter=...) covers Users only",
    ),
    (
        M::SchemasListMessages,
        "schemas-list-messages",
        "/Schemas also lists the ListResponse message schema, whose URN starts urn:ietf:params:scim:api:",
    ),
    (
        M::SchemaKeywordsNonstandard,
        "schema-keywords-nonstandard",
        "/Schemas writes types and characteristics in its own words: int, read-write, normal, unique",
    ),
    (
        M::SchemaWithoutSchemaUrn,
        "schema-without-schema-urn",
        "the resources of /Schemas carry no schemas attribute",
    ),
    (
        M::SchemaStructureLoose,
        "schema-structure-loose",
        "/Schemas gives active sub-attributes, a complex sub-attribute and a dotted attribute name",
    ),
    (
        M::ExtensionRequiredMissing,
        "extension-required-missing",
        "/ResourceTypes lists schema extensions without their required flag",
    ),
    (
        M::DiscoveryPaged,
        "discovery-paged",
        "/Schemas and /ResourceTypes apply startIndex and count instead of ignoring them",
    ),
    (
        M::SchemasPadded,
        "schemas-padded",
        "a user's schemas repeats the core URN and adds the SCIM 1.1 URN urn:scim:schemas:core:1.0",
    ),
    (
        M::ResourceTypeMislabelled,
        "resource-type-mislabelled",
        "meta.resourceType names the endpoint (Users, Groups), not the resource type",
    ),
    (
        M::SchemasIncomplete,
        "schemas-incomplete",
        "/Schemas leaves out the Group schema and the Enterprise User extension",
    ),
    (
        M::AcceptScimJsonRefused,
        "accept-scim-json-refused",
        "an Accept header naming only application/scim+json answers 406",
    ),
    (
        M::ExternalIdInvented,
        "external-id-invented",
        "a resource created without externalId gets its id as externalId",
    ),
    (
        M::LastModifiedSkewed,
        "last-modified-skewed",
        "meta.created is written in whole seconds, so a fresh resource's lastModified differs",
    ),
    (
        M::ContentLocationMismatch,
        "content-location-mismatch",
        "resource answers carry a Content-Location that is not their meta.location",
    ),
    (
        M::SchemasOrderStrict,
        "schemas-order-strict",
        "a create whose schemas does not list the core schema first answers 400",
    ),
    (
        M::SchemasFirstRequired,
        "schemas-first-required",
        "a JSON body whose first member is not schemas answers 400",
    ),
    (
        M::PrimaryDefaulted,
        "primary-defaulted",
        "the first email becomes primary when a client marks none",
    ),
    (
        M::ReferencesUrn,
        "references-urn",
        "members' and groups' $ref values are urn:uuid: URNs, not URLs",
    ),
    (
        M::UserGroupsWritable,
        "user-groups-writable",
        "a PUT of a user with groups makes it a member of those groups",
    ),
    (
        M::ManagerDisplayNameStored,
        "manager-display-name-stored",
        "a manager's displayName sent by the client is stored and returned as given",
    ),
    (
        M::EndpointInternalHost,
        "endpoint-internal-host",
        "/ResourceTypes gives endpoints on the internal host behind the proxy, http://scim.internal:8080/...",
    ),
    (
        M::LocationInternalHost,
        "location-internal-host",
        "Location and meta.location name the internal host behind the proxy, http://scim.internal:8080/...",
    ),
    (
        M::LocationBareId,
        "location-bare-id",
        "meta.location is the bare id, a reference relative to the collection rather than the base URL",
    ),
    (
        M::IdsWithSpaces,
        "ids-with-spaces",
        "user ids contain a space, written raw (not percent-encoded) in Location and meta.location",
    ),
    (
        M::DeclaredFeaturesBroken,
        "declared-features-broken",
        "PATCH and sortBy answer 501 although /ServiceProviderConfig says both are supported",
    ),
    (
        M::IntegersAsDecimals,
        "integers-as-decimals",
        "/ServiceProviderConfig writes its limits as decimals: maxOperations 1000.0",
    ),
    (
        M::BinaryAsPem,
        "binary-as-pem",
        "x509Certificates values come back as PEM text with BEGIN/END lines, not base64",
    ),
    (
        M::ReferenceTypesUndefined,
        "reference-types-undefined",
        "/Schemas gives referenceTypes that name no resource type: Manager where User is meant",
    ),
    (
        M::UsernameUnnormalized,
        "username-unnormalized",
        "userName uniqueness compares code points: \u{e9} and e with a combining accent are two names",
    ),
    (
        M::LastModifiedFrozen,
        "last-modified-frozen",
        "meta.lastModified stays at the creation time whatever changes",
    ),
    (
        M::BulkErrorTerse,
        "bulk-error-terse",
        "a failed bulk operation gives its status and scimType but no detail or description",
    ),
    (
        M::AuthRefused403,
        "auth-refused-403",
        "a request without valid credentials is answered 403 instead of 401",
    ),
    (
        M::Utf8ReadAsLatin1,
        "utf8-read-as-latin1",
        "request bodies are decoded as ISO-8859-1, so non-ASCII UTF-8 text is stored garbled",
    ),
    (
        M::DeletedIdsReused,
        "deleted-ids-reused",
        "a resource created after a delete gets the deleted resource's id",
    ),
    (
        M::PatchOpsReversed,
        "patch-ops-reversed",
        "the operations of a PATCH are applied last to first",
    ),
    (
        M::UserGroupsValueName,
        "user-groups-value-name",
        "a user's groups give each group's displayName as value instead of its id",
    ),
    (
        M::PutFirstMembersRefused,
        "put-first-members-refused",
        "a PUT that gives a group without members its first members answers 400 mutability",
    ),
    (
        M::ExtensionRequiredUnenforced,
        "extension-required-unenforced",
        "/ResourceTypes marks schema extensions required, yet resources are created and served without them",
    ),
    (
        M::MinimalReads,
        "minimal-reads",
        "a GET of one resource without attributes answers only its ids, meta and required attribute",
    ),
    (
        M::BulkLimitsIgnored,
        "bulk-limits-ignored",
        "/Bulk processes requests beyond the maxOperations and maxPayloadSize it declares",
    ),
    (
        M::BulkLimitUnnamed,
        "bulk-limit-unnamed",
        "a 413 for a request over a limit does not say which limit was exceeded",
    ),
    (
        M::TitleReturnedRequest,
        "title-returned-request",
        "/Schemas declares User title returned request, and reads show it only when attributes names it",
    ),
    (
        M::SearchBodyIgnored,
        "search-body-ignored",
        "POST /.search reads the query from the URL and ignores the SearchRequest body",
    ),
    (
        M::FilterAffixAsContains,
        "filter-affix-as-contains",
        "sw and ew match the value anywhere in the attribute, as co does",
    ),
    (
        M::ValueFilterAnyValue,
        "value-filter-any-value",
        "each comparison inside emails[...] may hold on a different value of the attribute",
    ),
    (
        M::FilterFirstValueOnly,
        "filter-first-value-only",
        "a filter on a multi-valued attribute compares only its first value",
    ),
    (
        M::SubAttributeFilterUnmatched,
        "sub-attribute-filter-unmatched",
        "a filter on a sub-attribute in dot notation (name.familyName) matches nothing",
    ),
    (
        M::FilterUnnormalized,
        "filter-unnormalized",
        "filters compare code points: a value spelt with a combining accent finds no precomposed one",
    ),
    (
        M::IdsWithBulkId,
        "ids-with-bulkid",
        "user ids contain the reserved word bulkId: bulkId-<uuid>",
    ),
    (
        M::UnfilteredTooMany,
        "unfiltered-too-many",
        "a query of a resource type without a filter answers 400 tooMany",
    ),
    (
        M::UnfilteredRefused,
        "unfiltered-refused",
        "a query of a resource type without a filter answers 400 invalidValue: a filter is required",
    ),
];

const ALL: &[Misbehaviour] = &[
    M::Uniqueness500,
    M::UniquenessCaseSensitive,
    M::NoUniqueness,
    M::FilterIgnored,
    M::FilterCaseSensitive,
    M::SoftDelete,
    M::DeletedUserNameTaken,
    M::PatchOpCaseSensitive,
    M::PatchNoRemove,
    M::PatchSchemaOptional,
    M::Patch204,
    M::Create200,
    M::NoLocation,
    M::StatusAsInteger,
    M::HtmlErrors,
    M::JsonContentType,
    M::NoTotalResults,
    M::ItemsPerPageWrong,
    M::PagingIgnored,
    M::ProjectionIgnored,
    M::ProjectionDropsSchemas,
    M::EtagStale,
    M::EtagMissing,
    M::MetaIncomplete,
    M::PasswordReturned,
    M::ActiveAsString,
    M::StaleGroupMembers,
    M::NoGroups,
    M::RateLimit,
    M::EndpointAbsolute,
    M::EndpointBasePath,
    M::NoDiscovery,
    M::CloseAfter500,
    M::NullValues,
    M::NoSearch,
    M::FilterUnsupported,
    M::NoScimType,
    M::BulkStatusObject,
    M::UndeclaredDropped,
    M::DisplayNameDropped,
    M::Concurrent500,
    M::StringBooleansRefused,
    M::PatchPathKeysRefused,
    M::LegacyMemberRemovalRefused,
    M::UnfilteredPagingBroken,
    M::LegacySchemasRefused,
    M::ManagerIdRefused,
    M::SubAttributeFilterRefused,
    M::BulkFailOnErrorsIgnored,
    M::BulkVersionIgnored,
    M::BulkMalformed200,
    M::BulkCircular400,
    M::BulkIdCoreOnly,
    M::PatchBadValueIgnored,
    M::PatchExtensionNeedsSchema,
    M::MembersFixedAfterCreate,
    M::PatchAddNeedsPath,
    M::PatchAddKeepsSingle,
    M::PatchNoOpTouches,
    M::PatchRemoveLastRefused,
    M::PatchRemoveSubDropsParent,
    M::PatchRemoveProtectedIgnored,
    M::PatchReplaceComplexWhole,
    M::PatchFilterReplaceAll,
    M::MemberValueMutable,
    M::NullRejected,
    M::NullKeepsValue,
    M::RequiredUnchecked,
    M::EtagStrong,
    M::VersionIgnored,
    M::FilterEqOnly,
    M::FilterParenthesesIgnored,
    M::FilterLeftToRight,
    M::FilterNotIgnored,
    M::CoreUrnUnknown,
    M::FilterSchemasIgnored,
    M::FilterBooleanOrdering,
    M::SortMissingLast,
    M::SortCaseSensitive,
    M::SortFirstValue,
    M::SearchSortIgnored,
    M::ExcludedRemovesId,
    M::QueriesSpanTypes,
    M::RootQueryUsersOnly,
    M::SchemasListMessages,
    M::SchemaKeywordsNonstandard,
    M::SchemaWithoutSchemaUrn,
    M::SchemaStructureLoose,
    M::ExtensionRequiredMissing,
    M::DiscoveryPaged,
    M::SchemasPadded,
    M::ResourceTypeMislabelled,
    M::SchemasIncomplete,
    M::AcceptScimJsonRefused,
    M::ExternalIdInvented,
    M::LastModifiedSkewed,
    M::ContentLocationMismatch,
    M::SchemasOrderStrict,
    M::SchemasFirstRequired,
    M::PrimaryDefaulted,
    M::ReferencesUrn,
    M::UserGroupsWritable,
    M::ManagerDisplayNameStored,
    M::EndpointInternalHost,
    M::LocationInternalHost,
    M::LocationBareId,
    M::IdsWithSpaces,
    M::DeclaredFeaturesBroken,
    M::IntegersAsDecimals,
    M::BinaryAsPem,
    M::ReferenceTypesUndefined,
    M::UsernameUnnormalized,
    M::LastModifiedFrozen,
    M::BulkErrorTerse,
    M::AuthRefused403,
    M::Utf8ReadAsLatin1,
    M::DeletedIdsReused,
    M::PatchOpsReversed,
    M::UserGroupsValueName,
    M::PutFirstMembersRefused,
    M::ExtensionRequiredUnenforced,
    M::MinimalReads,
    M::BulkLimitsIgnored,
    M::BulkLimitUnnamed,
    M::TitleReturnedRequest,
    M::SearchBodyIgnored,
    M::FilterAffixAsContains,
    M::ValueFilterAnyValue,
    M::FilterFirstValueOnly,
    M::SubAttributeFilterUnmatched,
    M::FilterUnnormalized,
    M::IdsWithBulkId,
    M::UnfilteredTooMany,
    M::UnfilteredRefused,
];

impl Misbehaviour {
    /// Every switch, in the order `--help` lists them.
    pub fn all() -> &'static [Misbehaviour] {
        ALL
    }

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        entry(self).1
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        entry(self).2
    }
}

fn entry(m: Misbehaviour) -> &'static (Misbehaviour, &'static str, &'static str) {
    // Every variant is in TABLE (a unit test checks it); the fallback is never taken.
    TABLE
        .iter()
        .find(|(known, _, _)| *known == m)
        .unwrap_or(&TABLE[0])
}

impl fmt::Display for Misbehaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Misbehaviour {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let wanted = input.trim();
        if let Some((m, _, _)) = TABLE
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(wanted))
        {
            return Ok(*m);
        }
        let mut message = format!("unknown misbehaviour '{wanted}'");
        if let Some(closest) = closest_name(wanted) {
            message.push_str(&format!("; did you mean '{closest}'?"));
        }
        let names: Vec<&str> = TABLE.iter().map(|(_, name, _)| *name).collect();
        message.push_str(&format!(" (valid: {})", names.join(", ")));
        Err(message)
    }
}

/// Parse a comma-separated list such as `uniqueness-500,soft-delete`. Empty entries are
/// skipped, so `""` is the empty set.
pub fn parse_misbehaviours(list: &str) -> Result<BTreeSet<Misbehaviour>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(Misbehaviour::from_str)
        .collect()
}

/// The known name nearest to `input`, when it is near enough to be a likely typo.
fn closest_name(input: &str) -> Option<&'static str> {
    let input = input.to_ascii_lowercase();
    TABLE
        .iter()
        .map(|(_, name, _)| (edit_distance(&input, name), *name))
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
        .or_else(|| {
            // A fragment such as "etag" or "204" suggests the switch containing it.
            (input.len() >= 3)
                .then(|| TABLE.iter().find(|(_, name, _)| name.contains(&*input)))
                .flatten()
                .map(|(_, name, _)| *name)
        })
}

/// Levenshtein distance over bytes (the names are ASCII).
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_switch_has_a_unique_name_and_a_description() {
        assert_eq!(TABLE.len(), ALL.len());
        let mut names = BTreeSet::new();
        for m in Misbehaviour::all() {
            assert!(TABLE.iter().any(|(known, _, _)| known == m), "{m:?}");
            assert!(names.insert(m.name()), "duplicate name {}", m.name());
            assert!(!m.description().is_empty());
            assert_eq!(m.name().parse::<Misbehaviour>(), Ok(*m));
        }
    }

    #[test]
    fn list_parses_and_skips_blanks() {
        let set = parse_misbehaviours("uniqueness-500, soft-delete,,").unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            vec![M::Uniqueness500, M::SoftDelete]
        );
        assert!(parse_misbehaviours("").unwrap().is_empty());
    }

    #[test]
    fn unknown_name_suggests_the_closest_and_lists_all() {
        let error = "uniqueness-50".parse::<Misbehaviour>().unwrap_err();
        assert!(error.contains("did you mean 'uniqueness-500'?"), "{error}");
        assert!(error.contains("rate-limit"), "{error}");
        let error = parse_misbehaviours("soft-delete,sof-delete").unwrap_err();
        assert!(error.contains("'sof-delete'"), "{error}");
        assert!(error.contains("did you mean 'soft-delete'?"), "{error}");
        let error = "zzzzzzzzzzzz".parse::<Misbehaviour>().unwrap_err();
        assert!(!error.contains("did you mean"), "{error}");
    }
}
