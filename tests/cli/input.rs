//! Bad input is refused before any request: each case is one `error:` line and exit 2,
//! without a panic, and without repeating a secret that the input carried.

use crate::support::cli;

use std::time::{Duration, Instant};

use cli::{run, scimcheck, write};
use scimcheck::exit;

/// Every secret in these cases carries this, so a partial leak is caught too.
const MARKER: &str = "SECRET";

/// Asserts a refusal: exit 2, one `error:` line naming `mentions`, no panic, no secret,
/// and no scenario run.
#[track_caller]
fn assert_refused(out: &cli::Finished, mentions: &str) {
    out.assert_code(exit::USAGE).assert_no_panic();
    let errors: Vec<&str> = out.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(errors.len(), 1, "one line of error\n{}", out.show());
    assert!(errors[0].starts_with("error: "), "{}", out.show());
    assert!(errors[0].contains(mentions), "{}", out.show());
    assert!(
        !out.all().contains(MARKER),
        "a secret leaked\n{}",
        out.show()
    );
    assert!(
        !out.stdout.contains("PASS") && !out.stdout.contains("FAIL"),
        "nothing may run\n{}",
        out.show()
    );
}

#[test]
fn an_empty_url_flag_is_refused_instead_of_testing_the_embedded_server() {
    assert_refused(&run(&["run", "--url", "", "--no-progress"]), "URL is empty");
    assert_refused(
        &run(&["run", "--url", "  ", "--no-progress"]),
        "URL is empty",
    );
}

#[test]
fn an_empty_scimcheck_url_is_refused_instead_of_testing_the_embedded_server() {
    let mut command = scimcheck();
    command
        .args(["run", "--no-progress"])
        .env("SCIMCHECK_URL", "");
    assert_refused(&cli::finish(command), "SCIMCHECK_URL");
    let mut command = scimcheck();
    command.args(["discover"]).env("SCIMCHECK_URL", "");
    assert_refused(&cli::finish(command), "URL is empty");
}

#[test]
fn out_of_range_timeouts_rates_retries_and_jobs_are_refused() {
    for (flag, value) in [
        ("--timeout", "1e20"),
        ("--timeout", "1e308"),
        ("--timeout", "0"),
        ("--timeout", "-5"),
        ("--timeout", "NaN"),
        ("--timeout", "inf"),
        ("--timeout", "86400"),
        ("--rate-limit", "0"),
        ("--rate-limit", "4000000000"),
        ("--retries", "4000000000"),
        ("--jobs", "0"),
        ("--jobs", "100000"),
    ] {
        let given = format!("{flag}={value}");
        let out = run(&[
            "run",
            "--url",
            "http://127.0.0.1:9/scim/v2",
            &given,
            "--no-progress",
        ]);
        assert_refused(&out, flag);
    }
}

#[test]
fn out_of_range_values_from_a_config_file_are_refused_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    for case in ["timeout: 1e20", "rate_limit: 0", "jobs: 0", "retries: 1000"] {
        let config = write(
            dir.path(),
            "scimcheck.yaml",
            &format!("url: http://127.0.0.1:9/scim/v2\n{case}\n"),
        );
        let out = run(&["run", "--config", config.to_str().unwrap(), "--no-progress"]);
        out.assert_code(exit::USAGE).assert_no_panic();
    }
}

#[test]
fn a_token_file_that_never_ends_is_refused_quickly() {
    let started = Instant::now();
    let out = run(&[
        "run",
        "--url",
        "http://127.0.0.1:9/scim/v2",
        "--token-file",
        "/dev/zero",
        "--no-progress",
    ]);
    assert_refused(&out, "--token-file");
    assert!(out.stderr.contains("longer than"), "{}", out.show());
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn an_over_long_or_binary_token_file_is_refused_without_showing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = write(dir.path(), "long", &"tok-SECRET-".repeat(5000));
    let binary = dir.path().join("binary");
    std::fs::write(&binary, b"tok-SECRET-\x00\x01\xff\xfe").expect("write");
    let broken = write(dir.path(), "broken", "tok-SECRET-one\ntok-SECRET-two\n");
    for (path, mentions) in [
        (long.as_path(), "longer than"),
        (binary.as_path(), "not UTF-8"),
        (broken.as_path(), "control character"),
    ] {
        let out = run(&[
            "run",
            "--url",
            "http://127.0.0.1:9/scim/v2",
            "--token-file",
            path.to_str().unwrap(),
            "--no-progress",
        ]);
        assert_refused(&out, mentions);
    }
}

#[test]
fn a_config_file_that_never_ends_is_refused_quickly() {
    let out = run(&["run", "--config", "/dev/zero", "--no-progress"]);
    out.assert_code(exit::USAGE).assert_no_panic();
    assert!(out.stderr.contains("larger than"), "{}", out.show());
}

#[test]
fn a_url_with_credentials_is_refused_pointing_at_the_auth_options_without_showing_them() {
    for url in [
        "https://ada:pw-SECRET-1@scim.example/v2",
        "https://tok-SECRET-2@scim.example/v2",
    ] {
        for command in [&["run", "--no-progress"][..], &["discover"]] {
            let mut args = command.to_vec();
            args.extend(["--url", url]);
            let out = run(&args);
            assert_refused(&out, "--token-env");
            assert!(out.stderr.contains("scim.example/v2"), "{}", out.show());
        }
    }
}

#[test]
fn a_url_with_a_query_is_refused_without_showing_the_query() {
    let out = run(&[
        "run",
        "--url",
        "https://scim.example/v2?api_key=key-SECRET-3",
        "--no-progress",
    ]);
    assert_refused(&out, "query");
}

#[test]
fn an_unparseable_url_is_refused_without_its_credentials() {
    let out = run(&[
        "run",
        "--url",
        "http://ada:pw-SECRET-4@bad host/v2?x=key-SECRET-5",
        "--no-progress",
    ]);
    assert_refused(&out, "bad host");
}
