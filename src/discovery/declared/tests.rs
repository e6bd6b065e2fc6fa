use serde_json::{Value, json};

use super::*;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ACME: &str = "urn:acme:params:scim:schemas:extension:hire:1.0:User";

fn attr(name: &str, scim_type: &str) -> Value {
    json!({ "name": name, "type": scim_type, "multiValued": false, "returned": "default" })
}

fn user_resource_type() -> Value {
    json!({
        "id": "User", "name": "User", "endpoint": "/Users", "schema": USER,
        "schemaExtensions": [{ "schema": ACME, "required": false }],
    })
}

/// A User schema with one attribute of each SCIM type, and an extension.
fn declarations() -> (Vec<Value>, Vec<Value>) {
    let emails = json!({
        "name": "emails", "type": "complex", "multiValued": true,
        "subAttributes": [attr("value", "string"), attr("primary", "boolean")],
    });
    let name = json!({
        "name": "name", "type": "complex", "multiValued": false,
        "subAttributes": [attr("givenName", "string")],
    });
    let password = json!({
        "name": "password", "type": "string", "multiValued": false, "returned": "never",
    });
    let user = json!({
        "id": USER,
        "attributes": [
            attr("userName", "string"), attr("profileUrl", "reference"),
            attr("x509", "binary"), attr("hired", "dateTime"), attr("active", "boolean"),
            attr("loginCount", "integer"), attr("weight", "decimal"), name, emails, password,
            json!({ "name": "nicknames", "type": "string", "multiValued": true }),
        ],
    });
    let acme = json!({
        "id": ACME,
        "attributes": [
            json!({ "name": "roles", "type": "complex", "multiValued": true,
                    "subAttributes": [attr("value", "string")] }),
            attr("level", "integer"),
        ],
    });
    (vec![user_resource_type()], vec![user, acme])
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema).expect("a derived schema compiles")
}

fn user_validator() -> jsonschema::Validator {
    let (rts, schemas) = declarations();
    let declared = derive(&rts, &schemas);
    assert_eq!(declared.warnings, Vec::<String>::new());
    validator(declared.schema("User").expect("User is described"))
}

/// The instance paths that violate the declared User schema.
fn violations(instance: Value) -> Vec<String> {
    user_validator()
        .iter_errors(&instance)
        .map(|e| e.instance_path().to_string())
        .collect()
}

#[test]
fn a_user_as_declared_is_valid() {
    let user = json!({
        "schemas": [USER, ACME],
        "id": "42",
        "userName": "ada@example.com",
        "profileUrl": "https://example.com/ada",
        "x509": "MIIC",
        "hired": "2026-01-01T00:00:00Z",
        "active": true,
        "loginCount": 3,
        "weight": 61.5,
        "name": { "givenName": "Ada" },
        "emails": [{ "value": "ada@example.com", "primary": true }],
        "nicknames": ["ada"],
        ACME: { "roles": [{ "value": "admin" }], "level": 2 },
        "meta": { "resourceType": "User" },
    });
    assert_eq!(violations(user), Vec::<String>::new());
}

#[test]
fn each_scim_type_maps_to_its_json_type() {
    for (attribute, wrong) in [
        ("userName", json!(7)),
        ("profileUrl", json!({ "href": "x" })),
        ("x509", json!(true)),
        ("hired", json!(1_767_225_600)),
        ("active", json!("true")),
        ("loginCount", json!(1.5)),
        ("loginCount", json!("3")),
        ("weight", json!("61.5")),
        ("name", json!("Ada Lovelace")),
    ] {
        let found = violations(json!({ attribute: wrong }));
        assert_eq!(found, [format!("/{attribute}")], "{attribute}: {wrong}");
    }
    assert_eq!(violations(json!({ "weight": 61 })), Vec::<String>::new());
}

#[test]
fn a_multi_valued_attribute_is_a_list_and_a_single_valued_one_is_not() {
    assert_eq!(
        violations(json!({ "emails": { "value": "ada@example.com" } })),
        ["/emails"]
    );
    assert_eq!(violations(json!({ "nicknames": "ada" })), ["/nicknames"]);
    assert_eq!(violations(json!({ "active": [true] })), ["/active"]);
    assert_eq!(violations(json!({ "nicknames": [1] })), ["/nicknames/0"]);
}

#[test]
fn sub_attributes_of_complex_values_have_their_declared_types() {
    assert_eq!(
        violations(json!({ "emails": [{ "value": "a@b.c", "primary": "True" }] })),
        ["/emails/0/primary"]
    );
    assert_eq!(
        violations(json!({ "name": { "givenName": false } })),
        ["/name/givenName"]
    );
}

#[test]
fn an_attribute_declared_returned_never_must_be_absent() {
    assert_eq!(violations(json!({ "password": "secret" })), ["/password"]);
    assert_eq!(violations(json!({ "PassWord": "secret" })), ["/PassWord"]);
    assert_eq!(
        violations(json!({ "userName": "ada" })),
        Vec::<String>::new()
    );
}

#[test]
fn extension_attributes_are_checked_under_the_extension_urn() {
    assert_eq!(
        violations(json!({ ACME: { "level": "two" } })),
        [format!("/{ACME}/level")]
    );
    assert_eq!(
        violations(json!({ ACME: { "roles": { "value": "admin" } } })),
        [format!("/{ACME}/roles")]
    );
    assert_eq!(violations(json!({ ACME: "admin" })), [format!("/{ACME}")]);
}

#[test]
fn attribute_names_and_extension_urns_match_without_regard_to_case() {
    assert_eq!(violations(json!({ "ACTIVE": "true" })), ["/ACTIVE"]);
    assert_eq!(
        violations(json!({ "Emails": [{ "PRIMARY": 1 }] })),
        ["/Emails/0/PRIMARY"]
    );
    let upper = ACME.to_ascii_uppercase();
    assert_eq!(
        violations(json!({ upper.clone(): { "Level": "two" } })),
        [format!("/{upper}/Level")]
    );
}

#[test]
fn presence_is_not_checked_and_undeclared_attributes_are_allowed() {
    assert_eq!(violations(json!({})), Vec::<String>::new());
    assert_eq!(
        violations(json!({ "activeSince": "x", "urn:other:ext": { "active": "yes" } })),
        Vec::<String>::new()
    );
}

#[test]
fn null_is_unassigned_and_accepted_for_any_attribute() {
    assert_eq!(
        violations(json!({ "active": null, "emails": null, "name": { "givenName": null } })),
        Vec::<String>::new()
    );
}

#[test]
fn type_names_and_characteristics_are_read_without_regard_to_case() {
    let schema = json!({ "ID": USER, "Attributes": [
        { "Name": "active", "Type": "BOOLEAN", "MultiValued": false },
        { "name": "password", "type": "string", "multiValued": false, "returned": "NEVER" },
    ]});
    let rt = json!({ "Name": "User", "Schema": USER });
    let declared = derive(&[rt], &[schema]);
    let v = validator(declared.schema("User").unwrap());
    assert!(!v.is_valid(&json!({ "active": "true" })));
    assert!(!v.is_valid(&json!({ "password": "x" })));
    assert!(v.is_valid(&json!({ "active": false })));
}

#[test]
fn a_resource_type_is_found_by_name_ignoring_case() {
    let (rts, schemas) = declarations();
    let declared = derive(&rts, &schemas);
    assert!(declared.schema("user").is_ok());
    assert_eq!(declared.names().collect::<Vec<_>>(), ["User"]);
}

#[test]
fn without_a_description_the_reason_is_given() {
    let (rts, schemas) = declarations();
    let none = derive(&rts, &[]);
    assert_eq!(
        none.schema("User").unwrap_err(),
        "/Schemas lists no schema at all"
    );
    let without_core = derive(&rts, &schemas[1..]);
    assert_eq!(
        without_core.schema("User").unwrap_err(),
        format!("its core schema {USER} is not among those /Schemas lists")
    );
    let declared = derive(&rts, &schemas);
    assert_eq!(
        declared.schema("Group").unwrap_err(),
        "/ResourceTypes has no resource type named Group (it lists User)"
    );
    assert_eq!(
        derive(&[], &schemas).schema("User").unwrap_err(),
        "/ResourceTypes lists no resource type"
    );
}

#[test]
fn a_missing_extension_schema_leaves_the_extension_unchecked_with_a_warning() {
    let (rts, schemas) = declarations();
    let declared = derive(&rts, &schemas[..1]);
    assert_eq!(declared.warnings.len(), 1, "{:?}", declared.warnings);
    assert!(
        declared.warnings[0].contains(ACME),
        "{:?}",
        declared.warnings
    );
    let v = validator(declared.schema("User").unwrap());
    assert!(v.is_valid(&json!({ ACME: { "level": "two" } })));
    assert!(!v.is_valid(&json!({ "active": "true" })));
}

#[test]
fn odd_declarations_are_skipped_with_warnings() {
    let rts = vec![
        json!("User"),
        json!({ "endpoint": "/Nameless" }),
        json!({ "name": "User", "schema": USER, "schemaExtensions": "none" }),
        json!({ "name": "USER", "schema": USER }),
        json!({ "name": "Device", "schema": 7 }),
    ];
    let schemas = vec![
        json!(null),
        json!({ "id": USER, "attributes": [
            42,
            { "type": "string" },
            { "name": "active", "type": "boolean" },
            { "name": "title", "type": "text", "multiValued": false },
            { "name": "nick", "multiValued": "no" },
            { "name": "Title", "type": "string", "multiValued": false },
            { "name": "addresses", "type": "complex", "multiValued": true, "subAttributes": {} },
            { "name": "returned", "type": "string", "multiValued": false, "returned": 3 },
        ]}),
    ];
    let declared = derive(&rts, &schemas);
    let warnings = declared.warnings.join("\n");
    for expected in [
        "resource type #1 has no name",
        "resource type #2 has no name",
        "schemaExtensions that are not a list",
        "resource type USER is listed twice",
        "attribute #1 of urn:ietf:params:scim:schemas:core:2.0:User has no name",
        "attribute #2 of urn:ietf:params:scim:schemas:core:2.0:User has no name",
        "User:active has multiValued missing",
        "User:title has type \"text\"",
        "User:nick declares no type",
        "User:nick has multiValued \"no\"",
        "declares Title twice",
        "User:addresses has subAttributes that are not a list",
    ] {
        assert!(
            warnings.contains(expected),
            "{expected:?} not in\n{warnings}"
        );
    }
    assert_eq!(
        declared.schema("Device").unwrap_err(),
        "its /ResourceTypes entry names no core schema"
    );
    let v = validator(declared.schema("User").unwrap());
    // Plurality unknown: one value or a list, each of the declared type.
    assert!(v.is_valid(&json!({ "active": true, "nick": [1], "title": {} })));
    assert!(v.is_valid(&json!({ "active": [true, false] })));
    assert!(!v.is_valid(&json!({ "active": "true" })));
    assert!(!v.is_valid(&json!({ "active": ["true"] })));
    assert!(!v.is_valid(&json!({ "addresses": {} })));
    assert!(v.is_valid(&json!({ "addresses": [{ "zip": 1 }], "returned": "x" })));
}

#[test]
fn no_shape_of_declaration_makes_derivation_panic() {
    let odd = [
        json!(null),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
        json!([{}]),
        json!({ "name": {} }),
        json!([{ "name": "a", "type": "complex", "subAttributes": [{ "name": "b" }] }]),
    ];
    let (rts, schemas) = declarations();
    for value in &odd {
        for key in ["name", "schema", "schemaExtensions", "id", "attributes"] {
            let mut rt = rts[0].clone();
            rt[key] = value.clone();
            let mut user = schemas[0].clone();
            user[key] = value.clone();
            let declared = derive(&[rt], &[user, schemas[1].clone()]);
            if let Ok(schema) = declared.schema("User") {
                validator(schema);
            }
        }
        for key in ["name", "type", "multiValued", "returned", "subAttributes"] {
            let mut user = schemas[0].clone();
            for attribute in user["attributes"].as_array_mut().unwrap() {
                attribute[key] = value.clone();
            }
            let declared = derive(&rts, &[user]);
            if let Ok(schema) = declared.schema("User") {
                validator(schema);
            }
        }
    }
}

#[test]
fn complex_attributes_nested_too_deep_are_left_unchecked() {
    let mut inner = attr("leaf", "boolean");
    for level in 0..6 {
        inner = json!({
            "name": format!("c{level}"), "type": "complex", "multiValued": false,
            "subAttributes": [inner],
        });
    }
    let schema = json!({ "id": USER, "attributes": [inner] });
    let rt = json!({ "name": "User", "schema": USER });
    let declared = derive(&[rt], &[schema]);
    assert_eq!(declared.warnings.len(), 1, "{:?}", declared.warnings);
    validator(declared.schema("User").unwrap());
}

#[test]
fn a_name_pattern_matches_exactly_that_name_in_any_ascii_case() {
    let printable: String = (' '..='~').collect();
    for name in [
        "userName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "x-vendor_attr.2",
        printable.as_str(),
        "tab\there",
        "größe",
    ] {
        let pattern = name_pattern(name);
        let v = validator(&json!({
            "type": "object",
            "patternProperties": { pattern.clone(): false },
        }));
        let hit = |key: &str| !v.is_valid(&json!({ key: 1 }));
        assert!(hit(name), "{pattern} should match {name:?}");
        assert!(hit(&name.to_ascii_uppercase()), "{pattern}");
        assert!(hit(&name.to_ascii_lowercase()), "{pattern}");
        assert!(!hit(&format!("{name}x")), "{pattern} is anchored");
        assert!(!hit(&format!("x{name}")), "{pattern} is anchored");
    }
    // Dots are literal, not "any character".
    let v = validator(&json!({
        "type": "object",
        "patternProperties": { name_pattern("a.b"): false },
    }));
    assert!(v.is_valid(&json!({ "axb": 1 })));
    // ASCII only: the Kelvin sign is not a "k".
    let v = validator(&json!({
        "type": "object",
        "patternProperties": { name_pattern("k"): false },
    }));
    assert!(v.is_valid(&json!({ "\u{212A}": 1 })));
}

#[test]
fn schemas_lists_each_declared_urn_once_in_any_order() {
    assert_eq!(
        violations(json!({ "schemas": [ACME, USER] })),
        Vec::<String>::new()
    );
    assert_eq!(violations(json!({ "schemas": [USER, USER] })), ["/schemas"]);
}

#[test]
fn schemas_names_no_urn_the_resource_type_does_not_declare() {
    let other = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        violations(json!({ "schemas": [USER, other] })),
        ["/schemas/1"]
    );
}

#[test]
fn an_extension_missing_from_schemas_is_not_a_valid_schemas_entry() {
    let (rts, mut schemas) = declarations();
    schemas.retain(|schema| schema["id"] != ACME);
    let declared = derive(&rts, &schemas);
    let validator = validator(declared.schema("User").expect("User is described"));
    assert!(!validator.is_valid(&json!({ "schemas": [USER, ACME] })));
    assert!(validator.is_valid(&json!({ "schemas": [USER] })));
}

#[test]
fn meta_resource_type_is_the_declared_name_in_any_case() {
    assert_eq!(
        violations(json!({ "meta": { "resourceType": "user" } })),
        Vec::<String>::new()
    );
    assert_eq!(
        violations(json!({ "meta": { "resourceType": "Users" } })),
        ["/meta/resourceType"]
    );
}

#[test]
fn an_extension_declared_required_must_be_present_in_any_case() {
    let (mut rts, schemas) = declarations();
    rts[0]["schemaExtensions"][0]["required"] = json!(true);
    let declared = derive(&rts, &schemas);
    let validator = validator(declared.schema("User").expect("User is described"));
    let without = json!({ "schemas": [USER], "id": "42", "userName": "ada" });
    assert!(!validator.is_valid(&without));
    let with = json!({ "schemas": [USER, ACME], "id": "42", ACME.to_uppercase(): { "level": 2 } });
    assert!(
        validator.is_valid(&with),
        "{:?}",
        validator
            .iter_errors(&with)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_extension_not_declared_required_may_be_absent() {
    let (rts, schemas) = declarations();
    let validator = validator(
        derive(&rts, &schemas)
            .schema("User")
            .expect("User is described"),
    );
    assert!(validator.is_valid(&json!({ "schemas": [USER], "id": "42", "userName": "ada" })));
}
