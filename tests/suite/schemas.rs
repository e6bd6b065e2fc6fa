//! The built-in JSON Schemas of SCIM resources and messages: each compiles, accepts an
//! RFC-shaped example and rejects what the RFC forbids.

use jsonschema::Validator;
use scimcheck::suite::builtin;
use serde_json::{Value, json};

fn validator(name: &str) -> Validator {
    let text = builtin::schema(name).unwrap_or_else(|| panic!("no built-in schema {name}"));
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"))
}

fn assert_valid(name: &str, instance: &Value) {
    let v = validator(name);
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{name} rejected a valid instance: {errors:#?}"
    );
}

fn assert_invalid(name: &str, instance: &Value, why: &str) {
    assert!(
        !validator(name).is_valid(instance),
        "{name} accepted an instance that {why}"
    );
}

/// A copy of `base` with `pointer` set to `value` (or removed when `value` is None).
fn with(base: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut out = base.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("pointer has a parent");
    let target = out.pointer_mut(parent).expect("parent exists");
    match (target, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(key.replace("~1", "/"), v);
        }
        (Value::Object(map), None) => {
            map.remove(&key.replace("~1", "/"));
        }
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().expect("index")] = v,
        (Value::Array(items), None) => {
            items.remove(key.parse::<usize>().expect("index"));
        }
        _ => panic!("cannot set {pointer}"),
    }
    out
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            ENTERPRISE
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III"
        },
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "addresses": [{
            "type": "work",
            "streetAddress": "100 Universal City Plaza",
            "locality": "Hollywood",
            "region": "CA",
            "postalCode": "91608",
            "country": "USA",
            "primary": true
        }],
        "phoneNumbers": [{ "value": "555-555-5555", "type": "work" }],
        "groups": [{
            "value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
            "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
            "display": "Tour Guides"
        }],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "x509Certificates": [{ "value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw" }],
        ENTERPRISE: {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Universal Studios",
            "division": "Theme Park",
            "department": "Tour Operations",
            "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith" }
        },
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff591\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
        },
        "urn:example:vendor:custom": { "badge": 42 }
    })
}

#[test]
fn every_built_in_schema_compiles() {
    let names = builtin::schema_names();
    assert_eq!(
        names,
        [
            "BulkResponse",
            "EnterpriseUser",
            "Error",
            "Group",
            "ListResponse",
            "PatchOp",
            "ResourceType",
            "Schema",
            "SearchRequest",
            "ServiceProviderConfig",
            "User"
        ]
    );
    for name in names {
        validator(name);
    }
    let scenario: Value =
        serde_json::from_str(builtin::scenario_schema()).expect("scenario schema is JSON");
    jsonschema::validator_for(&scenario).expect("scenario schema compiles");
}

#[test]
fn the_scenario_schema_is_not_a_resource_schema() {
    assert!(builtin::schema("scenario.schema").is_none());
    assert!(builtin::schema("../core/discovery").is_none());
    assert!(!builtin::schema_names().contains(&"scenario.schema"));
}

#[test]
fn user_accepts_a_full_rfc_user_with_extension_and_vendor_attributes() {
    assert_valid("User", &user());
}

#[test]
fn user_rejects_what_rfc_7643_forbids() {
    let u = user();
    assert_invalid("User", &with(&u, "/userName", None), "has no userName");
    assert_invalid(
        "User",
        &with(&u, "/userName", Some(json!(""))),
        "has an empty userName",
    );
    assert_invalid("User", &with(&u, "/id", None), "has no id");
    assert_invalid(
        "User",
        &with(&u, "/id", Some(json!(42))),
        "has a numeric id",
    );
    assert_invalid("User", &with(&u, "/schemas", None), "has no schemas");
    assert_invalid(
        "User",
        &with(
            &u,
            "/schemas",
            Some(json!(["urn:ietf:params:scim:schemas:core:2.0:Group"])),
        ),
        "does not name the User schema",
    );
    assert_invalid(
        "User",
        &with(&u, "/active", Some(json!("true"))),
        "has active as a string",
    );
    assert_invalid(
        "User",
        &with(&u, "/password", Some(json!("t1meMa$heen"))),
        "returns the password",
    );
    assert_invalid(
        "User",
        &with(&u, "/emails/1/primary", Some(json!(true))),
        "has two primary emails",
    );
    assert_invalid(
        "User",
        &with(&u, "/meta/created", Some(json!("yesterday"))),
        "has a meta.created that is not a date-time",
    );
    assert_invalid(
        "User",
        &with(&u, "/schemas/1", None),
        "carries the enterprise extension without listing it in schemas",
    );
    assert_invalid(
        "User",
        &with(
            &u,
            &format!("/{}/manager", ENTERPRISE.replace('/', "~1")),
            Some(json!("John")),
        ),
        "has a manager that is not an object",
    );
}

#[test]
fn enterprise_user_checks_the_extension_object() {
    let ext = user()[ENTERPRISE].clone();
    assert_valid("EnterpriseUser", &ext);
    assert_valid("EnterpriseUser", &json!({}));
    assert_invalid(
        "EnterpriseUser",
        &with(&ext, "/employeeNumber", Some(json!(701984))),
        "has a numeric employeeNumber",
    );
}

fn group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": [
            {
                "value": "2819c223-7f76-453a-919d-413861904646",
                "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                "display": "Babs Jensen",
                "type": "User"
            }
        ],
        "meta": {
            "resourceType": "Group",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff592\"",
            "location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"
        }
    })
}

#[test]
fn group_requires_display_name_and_id() {
    assert_valid("Group", &group());
    assert_invalid(
        "Group",
        &with(&group(), "/displayName", None),
        "has no displayName",
    );
    assert_invalid("Group", &with(&group(), "/id", None), "has no id");
    assert_invalid(
        "Group",
        &with(&group(), "/members", Some(json!({}))),
        "has members as an object",
    );
}

fn error() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "scimType": "mutability",
        "detail": "Attribute 'id' is readOnly",
        "status": "400"
    })
}

#[test]
fn error_status_must_be_a_string() {
    assert_valid("Error", &error());
    assert_valid("Error", &with(&error(), "/scimType", None));
    assert_invalid(
        "Error",
        &with(&error(), "/status", Some(json!(400))),
        "has status as a number",
    );
    assert_invalid(
        "Error",
        &with(&error(), "/status", Some(json!("Bad Request"))),
        "has a status that is not a code",
    );
    assert_invalid("Error", &with(&error(), "/status", None), "has no status");
    assert_invalid(
        "Error",
        &with(&error(), "/schemas", Some(json!([]))),
        "does not name the Error message",
    );
}

fn list() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "itemsPerPage": 1,
        "startIndex": 1,
        "Resources": [ { "id": "2819c223-7f76-453a-919d-413861904646", "userName": "bjensen" } ]
    })
}

#[test]
fn list_response_needs_resources_only_when_there_are_results() {
    assert_valid("ListResponse", &list());
    let empty = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0
    });
    assert_valid("ListResponse", &empty);
    assert_invalid(
        "ListResponse",
        &with(&list(), "/Resources", None),
        "has results but no Resources",
    );
    assert_invalid(
        "ListResponse",
        &with(&list(), "/totalResults", Some(json!("2"))),
        "has totalResults as a string",
    );
    assert_invalid(
        "ListResponse",
        &with(&list(), "/totalResults", None),
        "has no totalResults",
    );
    assert_invalid(
        "ListResponse",
        &with(&list(), "/startIndex", Some(json!(0))),
        "has a 0 startIndex",
    );
    assert_invalid(
        "ListResponse",
        &with(&list(), "/itemsPerPage", Some(json!(1.5))),
        "has a fractional itemsPerPage",
    );
    assert_invalid(
        "ListResponse",
        &with(
            &list(),
            "/schemas",
            Some(json!([
                "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
            ])),
        ),
        "names the wrong message",
    );
}

fn patch() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "add", "path": "members", "value": [{ "value": "2819c223" }] },
            { "op": "remove", "path": "members[value eq \"2819c223\"]" },
            { "op": "replace", "value": { "displayName": "Guides" } }
        ]
    })
}

#[test]
fn patch_op_follows_rfc_7644_3_5_2() {
    assert_valid("PatchOp", &patch());
    assert_invalid(
        "PatchOp",
        &with(&patch(), "/Operations", Some(json!([]))),
        "has no operations",
    );
    assert_invalid(
        "PatchOp",
        &with(&patch(), "/Operations/1/path", None),
        "removes without a path",
    );
    assert_invalid(
        "PatchOp",
        &with(&patch(), "/Operations/0/value", None),
        "adds without a value",
    );
    assert_invalid(
        "PatchOp",
        &with(&patch(), "/Operations/2/value", Some(json!("Guides"))),
        "replaces the resource with a string",
    );
    assert_invalid(
        "PatchOp",
        &with(&patch(), "/Operations/0/op", Some(json!("merge"))),
        "uses an unknown op",
    );
}

fn bulk() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
        "Operations": [
            {
                "location": "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a",
                "method": "POST",
                "bulkId": "qwerty",
                "version": "W/\"4weymrEsh5O6cAEK\"",
                "status": "201"
            },
            {
                "method": "POST",
                "bulkId": "ytrewq",
                "status": "400",
                "response": {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "scimType": "invalidSyntax",
                    "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
                    "status": "400"
                }
            },
            {
                "location": "https://example.com/v2/Users/b7c14771-226c-4d05-8860-134711653041",
                "method": "DELETE",
                "status": 204
            }
        ]
    })
}

#[test]
fn bulk_response_follows_rfc_7644_3_7() {
    assert_valid("BulkResponse", &bulk());
    assert_invalid(
        "BulkResponse",
        &with(&bulk(), "/Operations/0/location", None),
        "has a successful POST without location",
    );
    assert_invalid(
        "BulkResponse",
        &with(&bulk(), "/Operations/0/bulkId", None),
        "has a POST without bulkId",
    );
    assert_invalid(
        "BulkResponse",
        &with(&bulk(), "/Operations/1/response", None),
        "has a failure without an error",
    );
    assert_invalid(
        "BulkResponse",
        &with(&bulk(), "/Operations/1/response/status", Some(json!(400))),
        "has a failure whose error status is a number",
    );
    assert_invalid(
        "BulkResponse",
        &with(&bulk(), "/Operations/2/status", None),
        "has an operation without status",
    );
}

fn spc() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "http://example.com/help/scim.html",
        "patch": { "supported": true },
        "bulk": { "supported": true, "maxOperations": 1000, "maxPayloadSize": 1048576 },
        "filter": { "supported": true, "maxResults": 200 },
        "changePassword": { "supported": true },
        "sort": { "supported": true },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "http://www.rfc-editor.org/info/rfc6750",
            "documentationUri": "http://example.com/help/oauth.html",
            "type": "oauthbearertoken",
            "primary": true
        }],
        "meta": {
            "location": "https://example.com/v2/ServiceProviderConfig",
            "resourceType": "ServiceProviderConfig",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff594\""
        }
    })
}

#[test]
fn service_provider_config_requires_every_feature_block() {
    assert_valid("ServiceProviderConfig", &spc());
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/etag", None),
        "has no etag block",
    );
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/patch/supported", Some(json!("yes"))),
        "has patch.supported as a string",
    );
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/bulk/maxOperations", None),
        "has no bulk.maxOperations",
    );
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/filter/maxResults", None),
        "has no filter.maxResults",
    );
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/authenticationSchemes/0/description", None),
        "has a scheme without description",
    );
    assert_invalid(
        "ServiceProviderConfig",
        &with(&spc(), "/authenticationSchemes", None),
        "has no authenticationSchemes",
    );
}

fn resource_type() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
        "schemaExtensions": [{ "schema": ENTERPRISE, "required": true }],
        "meta": {
            "location": "https://example.com/v2/ResourceTypes/User",
            "resourceType": "ResourceType"
        }
    })
}

#[test]
fn resource_type_requires_name_endpoint_and_schema() {
    assert_valid("ResourceType", &resource_type());
    assert_valid("ResourceType", &with(&resource_type(), "/id", None));
    assert_invalid(
        "ResourceType",
        &with(&resource_type(), "/endpoint", None),
        "has no endpoint",
    );
    assert_invalid(
        "ResourceType",
        &with(&resource_type(), "/schema", None),
        "has no schema",
    );
    assert_invalid(
        "ResourceType",
        &with(&resource_type(), "/schemaExtensions/0/required", None),
        "has an extension without required",
    );
}

fn schema_resource() -> Value {
    json!({
        "id": "urn:ietf:params:scim:schemas:core:2.0:Group",
        "name": "Group",
        "description": "Group",
        "attributes": [
            {
                "name": "displayName",
                "type": "string",
                "multiValued": false,
                "description": "A human-readable name for the Group.",
                "required": false,
                "caseExact": false,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "none"
            },
            {
                "name": "members",
                "type": "complex",
                "multiValued": true,
                "required": false,
                "subAttributes": [
                    { "name": "value", "type": "string", "multiValued": false, "mutability": "immutable" },
                    {
                        "name": "$ref",
                        "type": "reference",
                        "referenceTypes": ["User", "Group"],
                        "multiValued": false,
                        "mutability": "immutable"
                    }
                ],
                "mutability": "readWrite",
                "returned": "default"
            }
        ],
        "meta": {
            "resourceType": "Schema",
            "location": "/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"
        }
    })
}

#[test]
fn schema_resource_checks_attribute_definitions() {
    assert_valid("Schema", &schema_resource());
    let named = with(
        &schema_resource(),
        "/schemas",
        Some(json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"])),
    );
    assert_valid("Schema", &named);
    assert_invalid(
        "Schema",
        &with(&schema_resource(), "/attributes", None),
        "has no attributes",
    );
    assert_invalid(
        "Schema",
        &with(
            &schema_resource(),
            "/attributes/0/type",
            Some(json!("text")),
        ),
        "has an unknown type",
    );
    assert_invalid(
        "Schema",
        &with(&schema_resource(), "/attributes/0/multiValued", None),
        "has no multiValued",
    );
    assert_invalid(
        "Schema",
        &with(
            &schema_resource(),
            "/attributes/0/mutability",
            Some(json!("readonly")),
        ),
        "has a misspelt mutability",
    );
    assert_invalid(
        "Schema",
        &with(
            &schema_resource(),
            "/attributes/1/subAttributes/0/type",
            Some(json!("complex")),
        ),
        "nests a complex attribute in a complex attribute",
    );
}

#[test]
fn search_request_follows_rfc_7644_3_4_3() {
    let request = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["displayName", "userName"],
        "filter": "displayName sw \"smith\"",
        "startIndex": 1,
        "count": 10,
        "sortOrder": "ascending"
    });
    assert_valid("SearchRequest", &request);
    assert_invalid(
        "SearchRequest",
        &with(&request, "/sortOrder", Some(json!("up"))),
        "has an unknown sortOrder",
    );
    assert_invalid(
        "SearchRequest",
        &with(&request, "/count", Some(json!(-1))),
        "has a negative count",
    );
    assert_invalid(
        "SearchRequest",
        &with(&request, "/attributes", Some(json!("userName"))),
        "has attributes as a string",
    );
}
