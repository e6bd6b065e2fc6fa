//! Broken scenario files through the binary: `run --suite FILE` and `lint FILE` both
//! exit 2 and point at `FILE:LINE:COL` with the offending line shown, like a compiler.

use crate::support::cli;

use std::path::Path;

use cli::{Finished, SYNTAX_ERROR, UNKNOWN_KEY, finish, scimcheck, write};
use scimcheck::exit;

/// `scimcheck ARGS` run inside `dir`, so file names in messages are relative.
fn run_in(dir: &Path, args: &[&str]) -> Finished {
    let mut command = scimcheck();
    command.current_dir(dir).args(args);
    finish(command)
}

/// Both commands, on one file: exit 2, the location, the source line and a caret under
/// the column.
fn assert_points_at(name: &str, text: &str, line: usize, col: usize, message: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), name, text);
    let source_line = text.lines().nth(line - 1).expect("the line exists");
    for args in [
        vec!["lint", name],
        vec!["run", "--suite", name, "--no-progress"],
    ] {
        let out = run_in(dir.path(), &args);
        out.assert_code(exit::USAGE).assert_no_panic();
        let err = &out.stderr;
        assert!(
            err.contains(&format!("--> {name}:{line}:{col}\n")),
            "{args:?}: no {name}:{line}:{col}\n{}",
            out.show()
        );
        assert!(err.contains(message), "{args:?}\n{}", out.show());
        let shown = format!("{line} | {source_line}");
        assert!(
            err.contains(&shown),
            "{args:?}: {shown:?} not shown\n{}",
            out.show()
        );
        // The caret line: `  | ` then spaces up to the column.
        let caret = format!("| {}^", " ".repeat(col - 1));
        assert!(
            err.contains(&caret),
            "{args:?}: no caret at column {col}\n{}",
            out.show()
        );
        assert!(
            !out.stdout.contains("PASS") && !out.stdout.contains("Running"),
            "{args:?}: nothing may run\n{}",
            out.show()
        );
    }
}

#[test]
fn a_yaml_syntax_error_exits_2_pointing_at_line_and_column() {
    assert_points_at("syntax.yaml", SYNTAX_ERROR, 6, 28, "invalid YAML");
}

/// A statement id the catalog does not hold is a typo, not a requirement: both commands
/// name the file, the line and the field, and suggest the statement meant. A whole
/// section and a requirement of the user's own namespace stay accepted.
#[test]
fn an_unknown_catalog_statement_in_requirement_exits_2_naming_file_line_and_field() {
    let text = "format: 2
id: acme.users.read
title: A user reads back
requirement: [RFC7644-3.4.1, ACME-ROLES-1, RFC7644-3.4.1-get-201]
severity: must
steps:
  - name: list
    request: { method: GET, path: /Users }
    expect: { status: 200 }
";
    assert_points_at(
        "cites.yaml",
        text,
        4,
        44,
        "requirement: unknown requirement 'RFC7644-3.4.1-get-201': not a statement of the \
         requirement catalog",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "cites.yaml", text);
    let out = run_in(dir.path(), &["lint", "cites.yaml"]);
    assert!(
        out.stderr.contains("did you mean 'RFC7644-3.4.1-get-200'?"),
        "{}",
        out.show()
    );
    assert!(out.stderr.contains("1 error(s)"), "{}", out.show());

    let known = text.replace("RFC7644-3.4.1-get-201", "RFC7644-3.4.1-get-200");
    write(dir.path(), "cites.yaml", &known);
    let out = run_in(dir.path(), &["lint", "cites.yaml"]);
    out.assert_code(exit::SUCCESS);
}

#[test]
fn an_unknown_key_exits_2_pointing_at_it_with_a_suggestion() {
    assert_points_at(
        "unknown.yaml",
        UNKNOWN_KEY,
        7,
        7,
        "unknown key 'stauts' in expect",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "unknown.yaml", UNKNOWN_KEY);
    let out = run_in(dir.path(), &["lint", "unknown.yaml"]);
    assert!(
        out.stderr.contains("did you mean 'status'?"),
        "{}",
        out.show()
    );
}

#[test]
fn lint_reports_every_broken_file_of_a_folder_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("suite")).expect("mkdir");
    write(&dir.path().join("suite"), "a.yaml", SYNTAX_ERROR);
    write(&dir.path().join("suite"), "b.yaml", UNKNOWN_KEY);
    let out = run_in(dir.path(), &["lint", "suite"]);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("suite/a.yaml:6:28"), "{}", out.show());
    assert!(out.stderr.contains("suite/b.yaml:7:7"), "{}", out.show());
    assert!(out.stderr.contains("2 error(s)"), "{}", out.show());
}

#[test]
fn a_suite_path_that_does_not_exist_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(
        dir.path(),
        &["run", "--suite", "no-such-suite", "--no-progress"],
    );
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("no-such-suite"), "{}", out.show());
}

#[test]
fn lint_of_the_core_suite_exits_0() {
    let core = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/core");
    let out = cli::run(&["lint", core]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(out.stdout.contains("ok: no errors"), "{}", out.show());
    assert!(!out.stderr.contains("error"), "{}", out.show());
}
