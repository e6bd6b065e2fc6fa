//! The JSON Schema of the scenario format agrees with the loader: every scenario file in
//! the repository passes it, and typical mistakes fail it.

use std::path::{Path, PathBuf};

use jsonschema::Validator;
use scimcheck::suite::builtin;
use scimcheck::vocabulary::Capability;
use serde_json::Value;

fn scenario_validator() -> Validator {
    let schema: Value =
        serde_json::from_str(builtin::scenario_schema()).expect("scenario schema is JSON");
    jsonschema::validator_for(&schema).expect("scenario schema compiles")
}

/// Every YAML document of a file, as JSON.
fn documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(text).expect("valid YAML")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

/// Scenario folders: `suites/` without `profiles/` (another format), and the valid
/// test fixtures.
fn scenario_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("suites"))
        .expect("suites/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("profiles") && !p.ends_with("schemas"))
        .collect();
    dirs.sort();
    dirs.push(root.join("tests/fixtures/suites/valid"));
    for dir in dirs {
        yaml_files(&dir, &mut files);
    }
    files
}

#[test]
fn every_scenario_file_in_the_repository_passes_the_scenario_schema() {
    let validator = scenario_validator();
    let files = scenario_files();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("suites/core/discovery.yaml")),
        "{files:?}"
    );
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (i, doc) in documents(&text).iter().enumerate() {
            for error in validator.iter_errors(doc) {
                failures.push(format!(
                    "{} (document {}): {} at {}",
                    file.display(),
                    i + 1,
                    error,
                    error.instance_path()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn assert_rejected(yaml: &str, why: &str) {
    let doc = &documents(yaml)[0];
    assert!(
        !scenario_validator().is_valid(doc),
        "the scenario schema accepted a scenario that {why}"
    );
}

const GOOD: &str = "id: users.x\ntitle: t\nsteps:\n  - name: one\n    request: { method: GET, path: /Users }\n    expect: { status: 200, body: { id: present, name: { equals: { a: 1 } } } }\n";

#[test]
fn the_scenario_schema_accepts_the_minimal_scenario() {
    assert!(scenario_validator().is_valid(&documents(GOOD)[0]));
}

#[test]
fn the_scenario_schema_rejects_typical_mistakes() {
    assert_rejected(
        &GOOD.replace("status: 200", "stauts: 200"),
        "misspells status",
    );
    assert_rejected(&GOOD.replace("id: users.x\n", ""), "has no id");
    assert_rejected(&GOOD.replace("users.x", "Users X"), "has an invalid id");
    assert_rejected(
        &GOOD.replace("status: 200", "status: \"200\""),
        "has status as a string",
    );
    assert_rejected(
        &GOOD.replace("status: 200", "status: 2000"),
        "has a status out of range",
    );
    assert_rejected(
        &GOOD.replace("path: /Users", "path: Users"),
        "has a relative path",
    );
    assert_rejected(
        &GOOD.replace("method: GET", "method: FETCH"),
        "has an unknown method",
    );
    assert_rejected(
        &GOOD.replace("{ equals: { a: 1 } }", "{ a: 1 }"),
        "compares with a mapping without equals",
    );
    assert_rejected(
        &GOOD.replace("title: t\n", "title: t\nrequires: [grups]\n"),
        "requires an unknown capability",
    );
    assert_rejected(
        &GOOD.replace("path: /Users }", "path: /Users, body: {}, raw_body: x }"),
        "has both body and raw_body",
    );
    assert_rejected(&GOOD.replace("steps:\n", "steps: []\nx:\n"), "has no steps");
}

const GOOD_2: &str = "format: 2\nid: users.x\ntitle: t\nsteps:\n  - { uses: create-user, with: { displayName: A }, capture: { user: body id } }\n  - name: one\n    request: { method: GET, path: /Users, raw-body: x }\n    expect: { status: 200, header etag: present, body id: { not: present }, body name: { equals: { a: 1 } } }\n";

#[test]
fn the_scenario_schema_accepts_format_two() {
    assert!(scenario_validator().is_valid(&documents(GOOD_2)[0]));
}

#[test]
fn the_scenario_schema_rejects_format_one_spellings_in_format_two() {
    assert_rejected(
        &GOOD_2.replace("body id:", "body:"),
        "checks the whole body",
    );
    assert_rejected(
        &GOOD_2.replace("header etag", "headers etag"),
        "writes headers",
    );
    assert_rejected(
        &GOOD_2.replace("{ not: present }", "absent"),
        "writes absent",
    );
    assert_rejected(
        &GOOD_2.replace("{ not: present }", "{ not_equals: x }"),
        "writes not_equals",
    );
    assert_rejected(&GOOD_2.replace("raw-body", "raw_body"), "writes raw_body");
    assert_rejected(
        &GOOD_2.replace("body id }", "body.id }"),
        "captures body.id",
    );
    assert_rejected(
        &GOOD_2.replace(
            "uses: create-user,",
            "uses: create-user, request: { method: GET, path: / },",
        ),
        "uses a fixture and sends a request",
    );
}

/// The capabilities are one closed list, `Capability::ALL`: the JSON Schema's `requires`
/// and the scenario format's documentation name exactly those, in the same order.
#[test]
fn the_schema_and_the_docs_name_exactly_the_loaders_capabilities() {
    let loader: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();

    let schema: Value = serde_json::from_str(builtin::scenario_schema()).expect("JSON");
    let requires = schema
        .pointer("/$defs/scenario/properties/requires/items/enum")
        .and_then(Value::as_array)
        .expect("the schema lists the capabilities of requires");
    let in_schema: Vec<&str> = requires.iter().filter_map(Value::as_str).collect();
    assert_eq!(in_schema, loader, "the JSON Schema's requires");

    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario-format.md"
    ))
    .expect("docs/scenario-format.md");
    let sentence = docs
        .split("Capabilities (`requires`) are a closed set:")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .expect("the docs list the capabilities");
    let in_docs: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
    assert_eq!(in_docs, loader, "docs/scenario-format.md");
}
