//! `lint`: every finding of every file, errors and warnings, and never a panic on a
//! broken file.

use std::path::PathBuf;

use scimcheck::diag::Kind;
use scimcheck::suite::{LoadOptions, lint, load_source};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from("tests/fixtures/suites").join(name)
}

#[test]
fn lint_reports_all_files_in_order_with_cross_file_duplicates_last() {
    let findings = lint(
        &[
            fixture("errors/many.yaml"),
            fixture("dup"),
            fixture("no-such-dir"),
        ],
        &LoadOptions::default(),
    );
    let files: Vec<&str> = findings.iter().map(|d| d.loc.file.name.as_str()).collect();
    assert!(
        files[..9].iter().all(|f| f.ends_with("errors/many.yaml")),
        "{files:#?}"
    );
    assert_eq!(files[9], "tests/fixtures/suites/no-such-dir");
    let last = findings.last().expect("findings");
    assert_eq!(last.message, "duplicate scenario id 'users.duplicate'");
    assert_eq!(
        findings.iter().filter(|d| d.kind == Kind::Error).count(),
        10
    );
}

#[test]
fn lint_warns_about_a_file_without_scenarios() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.yaml");
    std::fs::write(&path, "# nothing yet\n").expect("write");
    let findings = lint(std::slice::from_ref(&path), &LoadOptions::default());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, Kind::Warning);
    assert_eq!(findings[0].message, "no scenario in this file");
}

#[test]
fn request_headers_are_distinct_ignoring_case() {
    let text = "id: users.x\ntitle: t\nsteps:\n  - name: one\n    request:\n      method: GET\n      path: /Users\n      headers: { Accept: a, accept: b }\n    expect: { status: 200 }\n";
    let err = load_source("x.yaml", text, &LoadOptions::default()).expect_err("duplicate");
    assert_eq!(
        err.0[0].headline(),
        "x.yaml:8:29: error: header 'accept' is already set at line 8 (names ignore case)"
    );
}

/// Every prefix and every one-line deletion of a valid file loads or fails cleanly, and
/// every error it reports points inside the file.
#[test]
fn a_mangled_file_never_panics_and_errors_stay_inside_it() {
    let text = std::fs::read_to_string(fixture("valid/all-forms.yaml")).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let mut variants: Vec<String> = text
        .char_indices()
        .step_by(5)
        .map(|(i, _)| text[..i].to_owned())
        .collect();
    for skip in 0..lines.len() {
        let mut v: Vec<&str> = lines.clone();
        v.remove(skip);
        variants.push(v.join("\n"));
    }
    let line_count = u32::try_from(lines.len()).expect("small file") + 1;
    for variant in &variants {
        if let Err(errors) = load_source("m.yaml", variant, &LoadOptions::default()) {
            assert!(!errors.is_empty());
            for d in &errors {
                assert!(d.loc.line <= line_count, "{}", d.headline());
                let _ = d.render(false);
            }
        }
    }
}
