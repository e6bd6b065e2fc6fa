//! OAuth2 client credentials end to end: the binary gets its token from the reference
//! server's token endpoint, over real HTTP, as the Talkdesk document describes it; the
//! server counts what it issued and sees every token the SCIM endpoints received.

use crate::support::{cli, oauth};

use std::process::Stdio;
use std::time::{Duration, Instant};

use cli::{FakePeer, Lines, Running, finish, free_port, not_passing, scimcheck};
use oauth::{
    CLIENT_ID, CLIENT_SECRET, FailingTokenEndpoint, OAuthServer, SECRET_VAR, talkdesk_flags,
};
use scimcheck::exit;

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn a_run_gets_one_token_and_sends_it_on_every_request() {
    for client_auth in ["basic", "form"] {
        let server = OAuthServer::start(HOUR, None);
        let mut command = server.run_command();
        command.args(["--oauth-client-auth", client_auth, "--filter", "users.read"]);
        let out = finish(command);
        out.assert_code(exit::SUCCESS).assert_no_panic();
        assert_eq!(server.endpoint.tokens_issued(), 1, "{client_auth}");
        assert_eq!(server.endpoint.requests_refused(), 0, "{client_auth}");
        assert_eq!(
            server.watcher.tokens().len(),
            1,
            "every SCIM request carried the one token ({client_auth})"
        );
        assert!(
            server.watcher.requests() > 10,
            "{}",
            server.watcher.requests()
        );
        assert_eq!(server.watcher.unauthorized(), 0, "{}", out.show());
    }
}

#[test]
fn a_token_is_replaced_before_it_expires_and_the_run_never_fails() {
    // Tokens live two seconds; at five requests a second the run takes several.
    let server = OAuthServer::start(Duration::from_secs(2), None);
    let mut command = server.run_command();
    command.args(["--rate-limit", "5", "--filter", "users.read"]);
    let started = Instant::now();
    let out = finish(command);
    let took = started.elapsed();
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(
        took > Duration::from_secs(3),
        "the run was too quick to outlive a token: {took:?}"
    );
    let issued = server.endpoint.tokens_issued();
    assert!(issued >= 2, "only {issued} token(s) in {took:?}");
    // Replaced ahead of expiry, not after a refusal: fewer 401s than replacements.
    assert!(
        server.watcher.unauthorized() < issued - 1,
        "{} answers were 401 for {issued} tokens",
        server.watcher.unauthorized()
    );
    assert!(
        issued * 4 < server.watcher.requests(),
        "a token is kept, not fetched per request: {issued} tokens for {} requests",
        server.watcher.requests()
    );
}

#[test]
fn a_token_revoked_mid_run_is_replaced_once_and_the_refused_request_sent_again() {
    // Request 6 comes after discovery, in the middle of the scenarios.
    let server = OAuthServer::start(HOUR, Some(6));
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let mut command = server.run_command();
    command
        .args(["--jobs", "1", "--filter", "users.read", "--report-json"])
        .arg(&report);
    let out = finish(command);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(server.endpoint.tokens_issued(), 2);
    assert_eq!(server.watcher.unauthorized(), 1);
    assert_eq!(server.watcher.tokens().len(), 2);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("a report")).expect("JSON");
    assert!(
        not_passing(&report).is_empty(),
        "{:?}",
        not_passing(&report)
    );
    // The refused request (one of a scenario's, one job at a time) shows both tries.
    let exchanges: Vec<&serde_json::Value> = cli::scenarios(&report)
        .flat_map(|s| s["exchanges"].as_array().into_iter().flatten())
        .collect();
    let at = exchanges
        .iter()
        .position(|e| e["status"] == 401)
        .expect("the refused request is in a scenario's exchanges");
    let retry = exchanges[at + 1];
    assert_eq!(retry["attempt"], 2, "{retry}");
    assert_eq!(retry["url"], exchanges[at]["url"]);
    assert!(retry["status"].as_u64().is_some_and(|s| s < 300), "{retry}");
}

#[test]
fn concurrent_requests_refused_together_share_one_new_token() {
    let server = OAuthServer::start(HOUR, Some(8));
    let mut command = server.run_command();
    command.args(["--jobs", "4", "--filter", "users.create"]);
    let out = finish(command);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert!(server.watcher.unauthorized() >= 1);
    assert_eq!(
        server.endpoint.tokens_issued(),
        2,
        "{} requests were refused",
        server.watcher.unauthorized()
    );
}

#[test]
fn a_wrong_client_secret_stops_the_run_with_exit_3_and_a_clear_message() {
    let server = OAuthServer::start(HOUR, None);
    let mut command = server.run_command();
    command.env(SECRET_VAR, "wrong-SECRET-0000");
    let out = finish(command);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    for wanted in [
        "cannot start the run",
        "OAuth2 token endpoint",
        "401 invalid_client",
        "check the client id and secret",
    ] {
        assert!(out.stderr.contains(wanted), "{wanted:?}\n{}", out.show());
    }
    assert!(!out.all().contains("SECRET"), "{}", out.show());
    assert_eq!(server.endpoint.requests_refused(), 1);
    assert_eq!(
        server.watcher.requests(),
        0,
        "no SCIM request without a token"
    );
}

#[test]
fn an_unreachable_or_unusable_token_endpoint_stops_the_run_with_exit_3() {
    let server = OAuthServer::start(HOUR, None);
    let html = FakePeer::html();
    let closed = format!("http://127.0.0.1:{}/oauth/token", free_port());
    let cases = [
        (closed.as_str(), "cannot reach the OAuth2 token endpoint"),
        (
            html.url.as_str(),
            "with text/html; charset=utf-8, not a JSON token response",
        ),
        (
            server.server.base.as_str(),
            "answered 401; check the client id and secret",
        ),
    ];
    for (token_url, wanted) in cases {
        let mut command = scimcheck();
        command
            .args(["run", "--no-progress", "--url", &server.server.base])
            .args(talkdesk_flags(token_url))
            .env(SECRET_VAR, CLIENT_SECRET);
        let out = finish(command);
        out.assert_code(exit::CANNOT_START).assert_no_panic();
        assert!(out.stderr.contains(wanted), "{wanted:?}\n{}", out.show());
        assert!(!out.all().contains("SECRET"), "{}", out.show());
    }
}

#[test]
fn a_token_endpoint_failing_mid_run_gives_errors_never_failures() {
    // The SCIM server takes the one token the endpoint issues; it lives a second, and
    // every later token request is answered 503.
    let server = cli::RefServer::start(Some("tok-issued-once-0001"));
    let endpoint = FailingTokenEndpoint::start("tok-issued-once-0001", 1);
    let mut command = scimcheck();
    command
        .args(["run", "--no-progress", "--url", &server.base])
        .args(talkdesk_flags(&endpoint.url))
        .args(["--rate-limit", "5", "--filter", "users.read"])
        .env(SECRET_VAR, CLIENT_SECRET);
    let out = finish(command);
    out.assert_no_panic();
    // Incomplete, however little was judged: never the server's fault.
    out.assert_code(exit::INCOMPLETE);
    assert!(endpoint.requests() >= 2, "{}", endpoint.requests());
    let tally = out.tally();
    assert_eq!(tally.failed, 0, "{}", out.show());
    assert!(tally.errored > 0, "{}", out.show());
    assert!(
        out.all()
            .contains("no access token, so nothing was sent: the OAuth2 token endpoint"),
        "{}",
        out.show()
    );
}

#[test]
fn oauth_settings_come_from_the_environment_too() {
    let server = OAuthServer::start(HOUR, None);
    let mut command = scimcheck();
    command
        .args(["run", "--no-progress", "--filter", "users.create.basic"])
        .env("SCIMCHECK_URL", &server.server.base)
        .env("SCIMCHECK_OAUTH_TOKEN_URL", &server.token_url)
        .env("SCIMCHECK_OAUTH_CLIENT_ID_ENV", "TD_ID")
        .env("TD_ID", CLIENT_ID)
        .env("SCIMCHECK_OAUTH_CLIENT_SECRET_ENV", SECRET_VAR)
        .env(SECRET_VAR, CLIENT_SECRET)
        .env("SCIMCHECK_OAUTH_SCOPE", "scim")
        .env(
            "SCIMCHECK_OAUTH_PARAM",
            "token_type=opaque\nexpires_in=31556952",
        )
        .env("SCIMCHECK_OAUTH_CLIENT_AUTH", "form");
    let out = finish(command);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    assert_eq!(server.endpoint.tokens_issued(), 1);
}

#[test]
fn a_bearer_token_and_oauth_flags_together_are_refused() {
    let out = cli::run(&[
        "run",
        "--url",
        "http://127.0.0.1:9/scim/v2",
        "--token-env",
        "TOK",
        "--oauth-client-secret-env",
        "S",
    ]);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("give one of them"), "{}", out.show());
}

/// `scimcheck serve` with a token endpoint, as a child process, and a run against it
/// with the Talkdesk document's flags.
#[test]
fn serve_issues_tokens_to_a_run_and_refuses_scim_requests_without_one() {
    let mut command = scimcheck();
    command
        .args(["serve", "--port", "0", "--oauth-client-id", CLIENT_ID])
        .args([
            "--oauth-client-secret-env",
            SECRET_VAR,
            "--token-lifetime",
            "600",
        ])
        .env(SECRET_VAR, CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Running::spawn(&mut command);
    let mut stdout = Lines::follow(child.child.stdout.take().expect("piped"));
    let line = stdout.wait_for(Duration::from_secs(20), |l| l.contains("listening on"));
    let base = line.rsplit(' ').next().expect("a URL").to_owned();
    let auth = stdout.wait_for(Duration::from_secs(5), |l| l.starts_with("authentication:"));
    assert!(
        auth.contains("OAuth2 client credentials") && auth.contains("/oauth/token"),
        "{auth}"
    );
    let token_url = base.replace("/scim/v2", "/oauth/token");

    let mut run = scimcheck();
    run.args(["run", "--no-progress", "--url", &base])
        .args(talkdesk_flags(&token_url))
        .args(["--filter", "auth.", "--filter", "users.create.basic"])
        .env(SECRET_VAR, CLIENT_SECRET);
    let out = finish(run);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    // The auth scenarios passed: requests without a token or with a wrong one got 401.
    assert!(out.stdout.contains("auth.invalid-token"), "{}", out.show());

    child.interrupt();
    child.wait_for_exit(Duration::from_secs(10));
    let log = stdout.rest();
    let issued = log
        .lines()
        .filter(|l| l.starts_with("oauth: issued a token to client td-client, valid for 600 s"))
        .count();
    assert_eq!(issued, 1, "{log}");
    assert!(!log.contains("SECRET"), "{log}");
}
