//! What a person sees, pinned with insta snapshots (in the top-level `snapshots/`):
//! `list` as text and JSON, `lint` of broken files, and the console of a passing run
//! with the values that change from run to run (port, run id, durations) redacted.
//! The runs and lists use a fixture suite, so editing a built-in scenario leaves these
//! snapshots alone.

use crate::support::cli;

use cli::{Finished, SYNTAX_ERROR, UNKNOWN_KEY, finish, run, scimcheck, write};
use scimcheck::exit;

/// The fixture suite instead of the built-in ones, then `args`. The path is relative
/// (tests run in the package root), so the output holds no checkout path.
fn on_fixture<'a>(command: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let suite = "tests/fixtures/suites/cli";
    [&[command, "--no-builtin", "--suite", suite][..], args].concat()
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(true);
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    settings.add_filter(r"(?m)^(  run id\s+)[0-9a-z]{6}$", "${1}[run-id]");
    settings.add_filter(r"(?m)^(  time\s+).+$", "${1}[duration]");
    settings.add_filter(r"\[\s*\d+ ms\]", "[duration]");
    settings
}

/// Exit code and both streams, as one text to snapshot.
fn transcript(out: &Finished) -> String {
    format!(
        "exit code: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        out.code, out.stdout, out.stderr
    )
}

#[test]
fn list_of_the_entra_id_tag() {
    let out = run(&on_fixture("list", &["--tag", "entra-id"]));
    out.assert_code(exit::SUCCESS);
    settings().bind(|| insta::assert_snapshot!("list_tag_entra_id", transcript(&out)));
}

#[test]
fn list_of_user_creation_as_json() {
    let out = run(&on_fixture(
        "list",
        &["--filter", "users.create", "--format", "json"],
    ));
    out.assert_code(exit::SUCCESS);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.show()));
    assert!(
        doc.as_array().is_some_and(|all| all.iter().all(|s| s["id"]
            .as_str()
            .is_some_and(|id| id.contains("users.create")))),
        "{}",
        out.show()
    );
    settings().bind(|| insta::assert_snapshot!("list_filter_users_create_json", transcript(&out)));
}

#[test]
fn lint_of_two_broken_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "syntax.yaml", SYNTAX_ERROR);
    write(dir.path(), "unknown.yaml", UNKNOWN_KEY);
    let mut command = scimcheck();
    // Relative names, so the output holds no temporary path.
    command
        .current_dir(dir.path())
        .args(["lint", "syntax.yaml", "unknown.yaml"]);
    let out = finish(command);
    out.assert_code(exit::USAGE);
    settings().bind(|| insta::assert_snapshot!("lint_broken_files", transcript(&out)));
}

#[test]
fn console_of_a_passing_run() {
    // One job, so the scenarios finish in plan order.
    let out = run(&on_fixture(
        "run",
        &["--filter", "users.read", "--no-progress", "--jobs", "1"],
    ));
    out.assert_code(exit::SUCCESS);
    settings().bind(|| insta::assert_snapshot!("run_users_read", transcript(&out)));
}
