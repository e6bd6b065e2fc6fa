//! What a run leaves on the target, counted over HTTP before and after: everything it
//! created is deleted, also when a scenario fails; `--keep` keeps it; and what others
//! created is never touched.

use crate::support::cli;

use cli::{CREATE_THEN_FAIL, RefServer, finish, write};
use scimcheck::exit;

const TOKEN: &str = "cleanup-token-5f1c";

/// `scimcheck run --url SERVER --token-env TOK ARGS`, with TOK set for the child only.
fn run_against(server: &RefServer, args: &[&str]) -> cli::Finished {
    let mut command = server.run_command(TOKEN);
    command.args(args);
    finish(command)
}

/// The run prefix (`scimcheck-<run id>-`) of values created in a run, from its summary.
fn run_prefix(out: &cli::Finished) -> String {
    let id = out
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("run id"))
        .unwrap_or_else(|| panic!("no run id in the summary\n{}", out.show()))
        .trim();
    format!("scimcheck-{id}-")
}

#[test]
fn a_failing_scenario_still_deletes_the_user_it_created() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "create-then-fail.yaml", CREATE_THEN_FAIL);
    let before = server.users();

    let out = run_against(
        &server,
        &["--no-builtin", "--suite", suite.to_str().unwrap()],
    );

    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    assert!(out.stdout.contains("expected 599"), "{}", out.show());
    assert_eq!(
        server.users(),
        before,
        "users left behind: {:?}\n{}",
        server.user_names(),
        out.show()
    );
}

#[test]
fn keep_leaves_the_created_user_on_the_target() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "create-then-fail.yaml", CREATE_THEN_FAIL);
    let before = server.users();

    let out = run_against(
        &server,
        &["--no-builtin", "--suite", suite.to_str().unwrap(), "--keep"],
    );

    out.assert_code(exit::CONFORMANCE_FAILURE);
    assert_eq!(server.users(), before + 1, "{}", out.show());
    let kept = server.user_ids_with_prefix(&run_prefix(&out));
    assert_eq!(kept.len(), 1, "the kept user carries the run prefix");
    server.delete_user(&kept[0]);
    assert_eq!(server.users(), before);
}

#[test]
fn a_run_never_touches_a_user_it_did_not_create() {
    let server = RefServer::start(Some(TOKEN));
    let bystander = server.create_user("bystander@example.com");
    let before = (server.users(), server.groups());

    let out = run_against(&server, &["--tag", "users", "--jobs", "2"]);

    out.assert_code(exit::SUCCESS).assert_no_panic();
    let passed = out.tally().passed;
    assert!(passed > 20, "the users subset ran\n{}", out.show());
    assert_eq!(
        server.user_name(&bystander).as_deref(),
        Some("bystander@example.com"),
        "the bystander was deleted or renamed"
    );
    assert_eq!(
        (server.users(), server.groups()),
        before,
        "users left behind: {:?}",
        server.user_names()
    );
}
