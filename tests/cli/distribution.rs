//! The files that ship scimcheck to other machines agree with each other: the reusable
//! GitHub Action declares what it uses and passes every input to its scripts through the
//! environment, and every link to the repository names the one in Cargo.toml.
//! (`.ci/lint-ci-files` lints the same files with actionlint, hadolint and their schemas.)

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(relative: &str) -> String {
    fs::read_to_string(Path::new(ROOT).join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn action() -> Value {
    serde_saphyr::from_str(&read("action.yml")).expect("action.yml is YAML")
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("runs.steps")
}

/// Every `inputs.NAME` and `steps.ID` that `${{ ... }}` expressions in `text` mention.
fn references(text: &str, kind: &str) -> BTreeSet<String> {
    let pattern = regex::Regex::new(&format!(r"\$\{{\{{[^}}]*\b{kind}\.([A-Za-z0-9_-]+)"))
        .expect("a valid pattern");
    pattern
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

#[test]
fn the_action_is_a_composite_of_bash_steps() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    for step in steps(&action) {
        assert_eq!(step["shell"], "bash", "{step}");
        assert!(step["run"].is_string(), "{step}");
    }
}

#[test]
fn every_input_of_the_action_is_used_and_every_use_is_declared() {
    let action = action();
    let declared: BTreeSet<String> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .cloned()
        .collect();
    let used = references(&read("action.yml"), "inputs");
    assert_eq!(used, declared);
}

#[test]
fn no_input_is_pasted_into_a_script() {
    // `${{ inputs.x }}` inside `run:` would let an input's text become shell code.
    for step in steps(&action()) {
        let script = step["run"].as_str().unwrap_or_default();
        assert!(
            !script.contains("${{"),
            "an expression in a script:\n{script}"
        );
    }
}

#[test]
fn the_token_reaches_scimcheck_by_environment_variable_only() {
    let action = action();
    let run = steps(&action)
        .iter()
        .find(|s| s["id"] == "run")
        .expect("the run step");
    assert_eq!(run["env"]["SCIM_ACTION_TOKEN"], "${{ inputs.token }}");
    let script = run["run"].as_str().unwrap_or_default();
    assert!(script.contains("--token-env SCIM_ACTION_TOKEN"));
    assert!(!script.contains("--token "), "{script}");
}

#[test]
fn every_output_comes_from_a_step_the_action_has() {
    let action = action();
    let ids: BTreeSet<String> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for (name, output) in action["outputs"].as_object().expect("outputs") {
        let value = output["value"].as_str().unwrap_or_default();
        let from = references(value, "steps");
        assert!(
            !from.is_empty() && from.is_subset(&ids),
            "output {name}: {value}"
        );
    }
}

/// `https://github.com/OWNER/NAME` from Cargo.toml.
fn repository() -> String {
    read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("Cargo.toml names its repository")
        .trim_matches('"')
        .to_owned()
}

#[test]
fn every_link_to_the_repository_names_the_one_in_cargo_toml() {
    let repository = repository();
    let owner_name = repository
        .strip_prefix("https://github.com/")
        .expect("a GitHub repository");
    let mention = regex::Regex::new(
        r"(?:github\.com/|githubusercontent\.com/|ghcr\.io/|uses: )([A-Za-z0-9_.-]+/scimcheck)\b",
    )
    .expect("a valid pattern");
    let files = [
        "README.md",
        "action.yml",
        "Dockerfile",
        "docs/config.md",
        "docs/scenario-format.md",
        "docs/ci/gitlab-ci.yml",
    ];
    let mut seen = 0;
    for file in files {
        for found in mention.captures_iter(&read(file)) {
            seen += 1;
            assert_eq!(&found[1], owner_name, "{file}: {}", &found[0]);
        }
    }
    assert!(seen >= 5, "only {seen} links to the repository");
    let install = format!("cargo install --locked --git {repository}");
    assert!(
        read("README.md").contains(&install),
        "the README does not say `{install}`"
    );
}
