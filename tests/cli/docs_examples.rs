//! The documentation's examples are real: the example config file sets every key the
//! loader knows and drives a run, the OAuth2 example every `auth.oauth2` key, every config
//! snippet in docs/config.md loads, and the published scenario schema URL names a file of
//! this repository.

use crate::support::cli;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cli::{RefServer, finish, scimcheck, write};
use scimcheck::config::{AuthConfig, ConfigFile, HeaderValue};
use scimcheck::exit;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example_path() -> PathBuf {
    Path::new(ROOT).join("docs/examples/scimcheck.yaml")
}

fn read(relative: &str) -> String {
    fs::read_to_string(Path::new(ROOT).join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The keys the config loader accepts, as its own error for an unknown key lists them.
fn known_keys() -> BTreeSet<String> {
    keys_listed_when_refusing("no-such-key: 1\n")
}

/// The keys the loader accepts under `auth.oauth2`.
fn known_oauth2_keys() -> BTreeSet<String> {
    keys_listed_when_refusing("auth:\n  oauth2:\n    no-such-key: 1\n")
}

fn keys_listed_when_refusing(config: &str) -> BTreeSet<String> {
    let error = ConfigFile::parse("probe.yaml", config)
        .expect_err("an unknown key is refused")
        .to_string();
    let list = error
        .split_once("expected one of ")
        .and_then(|(_, rest)| rest.split_once(" at line"))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("the loader's error no longer lists its keys: {error}"));
    list.split(", ").map(str::to_owned).collect()
}

#[test]
fn the_example_config_sets_every_key_the_loader_knows() {
    let text = read("docs/examples/scimcheck.yaml");
    let example: serde_json::Map<String, serde_json::Value> =
        serde_saphyr::from_str(&text).expect("the example is YAML");
    let used: BTreeSet<String> = example.keys().cloned().collect();
    assert_eq!(used, known_keys(), "the example and the loader disagree");
}

#[test]
fn the_example_config_loads_with_its_paths_relative_to_itself() {
    let config = ConfigFile::load(&example_path()).unwrap_or_else(|e| panic!("{e}"));
    let dir = Path::new(ROOT).join("docs/examples");
    assert_eq!(config.url.as_deref(), Some("https://acme.example/scim/v2"));
    match &config.auth {
        Some(AuthConfig::Bearer { token }) => {
            assert_eq!(token.env.as_deref(), Some("ACME_SCIM_TOKEN"))
        }
        other => panic!("the example's auth is {other:?}"),
    }
    match &config.headers["X-Api-Key"] {
        HeaderValue::Secret(secret) => {
            assert_eq!(secret.file, Some(dir.join("secrets/acme-api-key")))
        }
        other => panic!("X-Api-Key is {other:?}"),
    }
    assert_eq!(config.suites, [dir.join("scenarios/")]);
    assert_eq!(config.profile, ["okta"]);
    assert_eq!(config.vars["department"], "Sales");
}

/// The fenced blocks of `language` in a Markdown text.
fn fenced<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let open = format!("```{language}\n");
    markdown
        .split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .collect()
}

#[test]
fn every_config_snippet_in_the_doc_loads() {
    let doc = read("docs/config.md");
    let snippets = fenced(&doc, "yaml");
    assert!(snippets.len() >= 5, "only {} yaml blocks", snippets.len());
    for snippet in snippets {
        if let Err(e) = ConfigFile::parse("docs/config.md", snippet) {
            panic!("a snippet of docs/config.md does not load: {e}\n{snippet}");
        }
    }
}

#[test]
fn the_docs_oauth2_example_sets_and_describes_every_oauth2_key() {
    let doc = read("docs/config.md");
    let example = fenced(&doc, "yaml")
        .into_iter()
        .find(|block| block.contains("oauth2:"))
        .expect("docs/config.md has an oauth2 example");
    let parsed: serde_json::Value = serde_saphyr::from_str(example).expect("the example is YAML");
    let used: BTreeSet<String> = parsed["auth"]["oauth2"]
        .as_object()
        .expect("auth.oauth2 is a map")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        used,
        known_oauth2_keys(),
        "the oauth2 example and the loader disagree"
    );
    for key in used {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "docs/config.md has no row for oauth2 `{key}`"
        );
    }
}

#[test]
fn the_doc_describes_every_key() {
    let doc = read("docs/config.md");
    for key in known_keys() {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "docs/config.md has no row for `{key}`"
        );
    }
}

const TOKEN: &str = "tQ4vN8rZk2Lm7Wx9";
const API_KEY: &str = "Hb3Jp6Ys1Fd5Gc0K";

/// A scenario of the example's `scenarios/` folder: tagged `users` (the example's tags
/// select it) and using the example's `vars.department`.
const SCENARIO: &str = r#"
id: custom.department-filter
title: Nobody has the configured department as userName
tags: [users]
steps:
  - name: query
    request:
      method: GET
      path: /Users
      query: { filter: 'userName eq "{{ vars.department }}"' }
    expect:
      status: 200
      body: { totalResults: 0 }
"#;

#[test]
fn the_example_config_drives_a_run_against_the_reference_server() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("scimcheck.yaml");
    fs::copy(example_path(), &config).expect("copy the example");
    for folder in ["scenarios", "secrets"] {
        fs::create_dir(dir.path().join(folder)).expect("a folder");
    }
    write(dir.path(), "scenarios/department.yaml", SCENARIO);
    write(dir.path(), "secrets/acme-api-key", &format!("{API_KEY}\n"));
    let report = dir.path().join("report.json");
    let transcripts = dir.path().join("transcripts");

    let run = |token: Option<&str>| {
        let mut command = scimcheck();
        command
            .args(["run", "--no-progress", "--config"])
            .arg(&config)
            .args(["--url", &server.base])
            .args(["--filter", "custom.", "--filter", "users.create.basic"])
            .arg("--report-json")
            .arg(&report)
            .arg("--transcript")
            .arg(&transcripts)
            .env_remove("ACME_SCIM_TOKEN");
        if let Some(token) = token {
            command.env("ACME_SCIM_TOKEN", token);
        }
        finish(command)
    };

    let out = run(None);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("ACME_SCIM_TOKEN"), "{}", out.show());

    let out = run(Some(TOKEN));
    out.assert_code(exit::SUCCESS).assert_no_panic();
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).expect("a JSON report")).expect("JSON");
    assert_eq!(report["run"]["profile"], "okta");
    let ran: BTreeSet<&str> = cli::scenarios(&report)
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ran,
        BTreeSet::from(["custom.department-filter", "users.create.basic"])
    );
    let transcript =
        fs::read_to_string(transcripts.join("custom.department-filter.txt")).expect("a transcript");
    assert!(transcript.contains("Sales"), "{transcript}");
    assert!(transcript.contains("x-api-key: [REDACTED]"), "{transcript}");
    assert!(transcript.contains("x-tenant: [REDACTED]"), "{transcript}");
    for output in [out.all(), transcript] {
        assert!(!output.contains(API_KEY) && !output.contains(TOKEN));
    }
}

/// `owner/name` of the repository Cargo.toml names.
fn repository() -> String {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("Cargo.toml names its repository");
    line.trim_matches('"')
        .strip_prefix("https://github.com/")
        .expect("a GitHub repository")
        .to_owned()
}

#[test]
fn the_published_scenario_schema_url_names_this_repositorys_file() {
    let path = "suites/schemas/scenario.schema.json";
    assert!(Path::new(ROOT).join(path).is_file());
    let url = format!(
        "https://raw.githubusercontent.com/{}/main/{path}",
        repository()
    );
    for doc in ["docs/scenario-format.md", "README.md"] {
        assert!(read(doc).contains(&url), "{doc} does not publish {url}");
    }
}

/// The floors of docs/architecture.md's module map: module name -> floor.
fn floors() -> std::collections::BTreeMap<String, u32> {
    let doc = read("docs/architecture.md");
    doc.lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).filter(|c| !c.is_empty());
            let floor = cells.next()?.parse().ok()?;
            let module = cells.next()?.trim_matches('`');
            Some((module.to_owned(), floor))
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source file names as `crate::<module>`.
fn imported_modules(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(at, prefix)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|module| !module.is_empty())
        .collect()
}

#[test]
fn no_module_imports_from_a_higher_floor_of_the_architecture_map() {
    let floors = floors();
    assert!(
        floors.len() > 10,
        "the module map lists the modules: {floors:?}"
    );
    let src = Path::new(ROOT).join("src");
    let mut unmapped = Vec::new();
    let mut upward = Vec::new();
    for entry in fs::read_dir(&src).expect("src/") {
        let path = entry.expect("directory entry").path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let Some(&floor) = floors.get(&module) else {
            unmapped.push(module);
            continue;
        };
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        for file in files {
            for imported in imported_modules(&fs::read_to_string(&file).expect("readable")) {
                match floors.get(&imported) {
                    Some(&above) if above > floor => upward.push(format!(
                        "{} (floor {floor}) imports {imported} (floor {above})",
                        file.strip_prefix(ROOT).unwrap_or(&file).display()
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(
        unmapped.is_empty(),
        "modules missing from docs/architecture.md: {unmapped:?}"
    );
    assert!(
        upward.is_empty(),
        "imports from a higher floor:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_lowest_floor_imports_nothing_from_the_crate() {
    for (module, floor) in floors() {
        if floor == 0 {
            let text = read(&format!("src/{module}.rs"));
            assert_eq!(imported_modules(&text), BTreeSet::new(), "src/{module}.rs");
        }
    }
}
