//! Exit codes of `scimcheck run`, through the real binary: one meaning each (0 pass,
//! 1 conformance failure, 2 bad invocation, 3 cannot start, 4 nothing selected), and a
//! message that names what went wrong.

use crate::support::cli;

use cli::{FakePeer, RefServer, finish, free_port, run, scimcheck};
use scimcheck::exit;
use scimcheck::server::Misbehaviour;

#[test]
fn a_passing_run_on_the_embedded_server_exits_0() {
    let out = run(&["run", "--filter", "users.read.", "--no-progress"]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(
        out.stdout.contains("PASS") && out.stdout.contains("users.read.by-id"),
        "{}",
        out.show()
    );
    let tally = out.tally();
    assert!(tally.passed >= 1, "{}", out.show());
    assert_eq!(
        (tally.failed, tally.skipped, tally.errored, tally.blocked),
        (0, 0, 0, 0),
        "{}",
        out.show()
    );
}

#[test]
fn a_conformance_failure_exits_1_with_a_failure_block_that_points_into_the_suite() {
    let out = run(&[
        "run",
        "--misbehave",
        "uniqueness-500",
        "--filter",
        "duplicate",
        "--no-progress",
        // The code frames of the scenario YAML are for scenario authors: shown with -v.
        "-v",
    ]);
    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    let stdout = &out.stdout;
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("FAIL")
            && l.ends_with(" users.create.duplicate-username")),
        "no FAIL line for the scenario\n{}",
        out.show()
    );
    assert!(stdout.contains("expected 409"), "{}", out.show());
    assert!(stdout.contains("actual: 500"), "{}", out.show());

    // The location names a real line of the embedded suite, and the column points at the
    // expected status in it.
    let location = stdout
        .split_whitespace()
        .find(|w| w.starts_with("builtin:core/") && w.contains(".yaml:"))
        .unwrap_or_else(|| panic!("no builtin:core/...yaml:LINE:COL location\n{}", out.show()));
    let (file, line, col) = split_location(location.trim_start_matches("builtin:"));
    let source = std::fs::read_to_string(format!("{}/suites/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{location} does not name a suite file: {e}"));
    let text = source
        .lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("{location}: no such line"));
    assert_eq!(
        text.get(col - 1..col + 2),
        Some("409"),
        "{location} points at {text:?}"
    );
    // The source line is shown under the location.
    assert!(
        stdout.contains(&format!("{line} | {}", text.trim_end())),
        "the source line is not shown\n{}",
        out.show()
    );
    let failed = out.tally().failed;
    assert!(
        failed >= 1,
        "the final line counts the failure\n{}",
        out.show()
    );
}

fn split_location(location: &str) -> (&str, usize, usize) {
    let mut parts = location.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (parts.next(), line, col) {
        (Some(file), Some(line), Some(col)) => (file, line, col),
        _ => panic!("not FILE:LINE:COL: {location}"),
    }
}

#[test]
fn a_malformed_flag_value_exits_2_naming_the_flag_and_the_value() {
    let out = run(&["run", "--jobs", "zero"]);
    out.assert_code(exit::USAGE);
    assert!(
        out.stderr.contains("--jobs") && out.stderr.contains("'zero'"),
        "{}",
        out.show()
    );
    assert!(out.stdout.is_empty(), "nothing ran\n{}", out.show());
}

#[test]
fn zero_jobs_exits_2_naming_the_flag() {
    let out = run(&["run", "--jobs", "0", "--no-progress"]);
    out.assert_code(exit::USAGE);
    assert!(
        out.stderr.contains("--jobs must be between 1 and"),
        "{}",
        out.show()
    );
}

#[test]
fn an_unknown_flag_exits_2_naming_it() {
    let out = run(&["run", "--nope"]);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("'--nope'"), "{}", out.show());
}

#[test]
fn misbehave_with_a_url_exits_2() {
    let out = run(&[
        "run",
        "--url",
        "http://127.0.0.1:9/scim/v2",
        "--misbehave",
        "uniqueness-500",
        "--no-progress",
    ]);
    out.assert_code(exit::USAGE);
    assert!(
        out.stderr.contains("--misbehave") && out.stderr.contains("--url"),
        "{}",
        out.show()
    );
}

#[test]
fn an_unknown_misbehaviour_exits_2_and_lists_every_valid_one() {
    let out = run(&["run", "--misbehave", "uniqueness-501", "--no-progress"]);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("'uniqueness-501'"), "{}", out.show());
    for misbehaviour in Misbehaviour::all() {
        assert!(
            out.stderr.contains(misbehaviour.name()),
            "{} is not listed\n{}",
            misbehaviour.name(),
            out.show()
        );
    }
}

#[test]
fn a_selection_that_matches_nothing_exits_4() {
    let out = run(&["run", "--filter", "no.such.scenario", "--no-progress"]);
    out.assert_code(exit::NOTHING_SELECTED);
    assert!(out.stderr.contains("no scenario matches"), "{}", out.show());
}

#[test]
fn a_closed_port_exits_3_naming_the_url() {
    let url = format!("http://127.0.0.1:{}/scim/v2", free_port());
    let out = run(&["run", "--url", &url, "--no-progress"]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(out.stderr.contains(&url), "{}", out.show());
    assert!(out.stderr.contains("unreachable"), "{}", out.show());
    assert!(
        !out.stdout.contains("PASS") && !out.stdout.contains("FAIL"),
        "no scenario may run\n{}",
        out.show()
    );
}

#[test]
fn bytes_that_are_not_http_exit_3_with_a_clear_message() {
    let peer = FakePeer::garbage();
    let out = run(&["run", "--url", &peer.url, "--no-progress"]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(out.stderr.contains(&peer.url), "{}", out.show());
    assert!(out.stderr.contains("HTTP"), "{}", out.show());
    // The port answered, so it is not "unreachable".
    assert!(out.stderr.contains("no usable answer"), "{}", out.show());
}

#[test]
fn an_html_page_instead_of_scim_exits_3_saying_it_is_not_a_scim_endpoint() {
    let peer = FakePeer::html();
    let out = run(&["run", "--url", &peer.url, "--no-progress"]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(out.stderr.contains(&peer.url), "{}", out.show());
    assert!(out.stderr.contains("text/html"), "{}", out.show());
    assert!(out.stderr.contains("not a SCIM endpoint"), "{}", out.show());
    assert!(
        !out.stdout.contains("FAIL"),
        "no scenario may run against a web page\n{}",
        out.show()
    );
}

#[test]
fn a_target_that_only_answers_503_exits_3_saying_what_it_saw() {
    let peer = FakePeer::status("503 Service Unavailable", None);
    for command in ["run", "discover"] {
        let out = run(&[command, "--url", &peer.url, "--retries", "0"]);
        out.assert_code(exit::CANNOT_START).assert_no_panic();
        for seen in [
            "GET /ServiceProviderConfig answered 503",
            "GET /ResourceTypes answered 503",
            "GET /Schemas answered 503",
            "GET /Users answered 503",
        ] {
            assert!(
                out.stderr.contains(seen),
                "{command}: {seen}\n{}",
                out.show()
            );
        }
        assert!(out.stderr.contains("no usable answer"), "{}", out.show());
        assert!(!out.stdout.contains("FAIL"), "{}", out.show());
    }
}

#[test]
fn a_target_that_only_rate_limits_exits_3() {
    let peer = FakePeer::status("429 Too Many Requests", None);
    let out = run(&["run", "--url", &peer.url, "--no-progress", "--retries", "0"]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(out.stderr.contains("answered 429"), "{}", out.show());
}

#[test]
fn a_target_that_only_redirects_exits_3_saying_where_without_secrets() {
    let peer = FakePeer::status(
        "302 Found",
        Some("https://admin:hunter2@login.example/sso?session=s3cr3t#frag"),
    );
    for command in ["run", "discover"] {
        let out = run(&[command, "--url", &peer.url]);
        out.assert_code(exit::CANNOT_START).assert_no_panic();
        assert!(
            out.stderr
                .contains("answered 302 redirecting to https://login.example/sso"),
            "{command}\n{}",
            out.show()
        );
        for secret in ["hunter2", "admin", "s3cr3t", "frag"] {
            assert!(
                !out.all().contains(secret),
                "{secret} shown\n{}",
                out.show()
            );
        }
    }
}

/// `scimcheck COMMAND --url URL` with the reference server's token.
fn against(server: &RefServer, command: &str, url: &str) -> cli::Finished {
    let mut cmd = scimcheck();
    cmd.args([command, "--url", url, "--token-env", "TOK"])
        .env("TOK", server.token.as_deref().unwrap_or_default());
    if command == "run" {
        cmd.arg("--no-progress");
    }
    finish(cmd)
}

#[test]
fn a_base_url_one_segment_short_exits_3_naming_the_base_that_answers_scim() {
    let server = RefServer::start(Some("wrong-base-token"));
    let origin = server.origin();
    let short = format!("{origin}/scim");
    let right = format!("{origin}/scim/v2");
    for command in ["run", "discover"] {
        let out = against(&server, command, &short);
        out.assert_code(exit::CANNOT_START).assert_no_panic();
        assert!(
            out.stderr.contains("no SCIM service at this URL")
                && out
                    .stderr
                    .contains("GET /ServiceProviderConfig answered 404")
                && out
                    .stderr
                    .contains(&format!("{right} answers SCIM: rerun with --url {right}")),
            "{command}\n{}",
            out.show()
        );
        assert!(!out.stdout.contains("FAIL"), "{}", out.show());
    }
    // Looking around only reads discovery documents: nothing was created.
    assert_eq!(server.users() + server.groups(), 0);
}

#[test]
fn a_base_url_one_segment_too_deep_names_its_parent() {
    let server = RefServer::start(Some("wrong-base-token"));
    let deep = format!("{}/Users", server.base);
    let out = against(&server, "run", &deep);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(
        out.stderr
            .contains(&format!("rerun with --url {}\n", server.base)),
        "{}",
        out.show()
    );
}

#[test]
fn a_url_with_no_scim_anywhere_near_exits_3_listing_the_bases_tried() {
    let peer = FakePeer::status("404 Not Found", None);
    let out = run(&["run", "--url", &peer.url, "--no-progress", "--retries", "0"]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    let origin = peer.url.trim_end_matches("/scim/v2");
    for seen in [
        "no SCIM service at this URL",
        "GET /Users answered 404",
        "no nearby base answers SCIM either",
        &format!("(tried {origin}/scim, {origin}/v2)"),
        "check the base URL",
    ] {
        assert!(out.stderr.contains(seen), "{seen}\n{}", out.show());
    }
    assert!(!out.stdout.contains("FAIL"), "{}", out.show());
}

#[test]
fn a_nearby_base_that_refuses_the_token_is_named_as_the_likely_base() {
    let server = RefServer::start(Some("right-token"));
    let short = format!("{}/scim", server.origin());
    let mut cmd = scimcheck();
    cmd.args([
        "run",
        "--no-progress",
        "--url",
        &short,
        "--token-env",
        "TOK",
    ])
    .env("TOK", "wrong-token");
    let out = finish(cmd);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(
        out.stderr.contains(&format!(
            "{} refuses the credentials (GET /ServiceProviderConfig answered 401)",
            server.base
        )),
        "{}",
        out.show()
    );
    assert!(!out.all().contains("wrong-token"), "{}", out.show());
}
