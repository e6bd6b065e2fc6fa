//! `scimcheck discover`: what a target says it supports, as text and as JSON; exit 3
//! when there is nothing to ask.

use crate::support::cli;

use cli::{Finished, RefServer, finish, free_port, scimcheck};
use scimcheck::exit;

const TOKEN: &str = "discover-token-4e02";

fn discover(server: &RefServer, extra: &[&str]) -> Finished {
    let mut command = scimcheck();
    command
        .args(["discover", "--url", &server.base, "--token-env", "TOK"])
        .args(extra)
        .env("TOK", TOKEN);
    finish(command)
}

#[test]
fn discover_prints_the_capabilities_of_the_reference_server() {
    let server = RefServer::start(Some(TOKEN));
    let out = discover(&server, &[]);
    out.assert_code(exit::SUCCESS).assert_no_panic();
    let lines: Vec<&str> = out.stdout.lines().collect();
    for expected in [
        format!("target: {}", server.base),
        "capabilities: bulk, change-password, enterprise-user, etag, filter, groups, patch, \
         search, sort, users"
            .to_owned(),
        "service provider config:".to_owned(),
        "  patch           supported".to_owned(),
        "  authentication  oauthbearertoken".to_owned(),
        "resource types:".to_owned(),
        "  User       /Users     urn:ietf:params:scim:schemas:core:2.0:User".to_owned(),
        "  Group      /Groups    urn:ietf:params:scim:schemas:core:2.0:Group".to_owned(),
        "schemas:".to_owned(),
    ] {
        assert!(
            lines.contains(&expected.as_str()),
            "no line {expected:?}\n{}",
            out.show()
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  bulk            supported, maxOperations ")),
        "{}",
        out.show()
    );
    assert!(!out.all().contains("warning"), "{}", out.show());
}

#[test]
fn discover_shows_what_a_users_only_server_lacks() {
    let server = RefServer::misbehaving(Some(TOKEN), "no-groups");
    let out = discover(&server, &["--format", "json"]);
    out.assert_code(exit::SUCCESS);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.show()));
    let capabilities: Vec<&str> = doc["capabilities"]
        .as_array()
        .expect("capabilities")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(capabilities.contains(&"users"), "{capabilities:?}");
    assert!(!capabilities.contains(&"groups"), "{capabilities:?}");
    assert_eq!(doc["url"], server.base.as_str());
    assert_eq!(doc["resourceTypes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn discover_against_a_closed_port_exits_3_naming_the_url() {
    let url = format!("http://127.0.0.1:{}/scim/v2", free_port());
    let out = cli::run(&["discover", "--url", &url]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(out.stderr.contains(&url), "{}", out.show());
    assert!(out.stdout.is_empty(), "{}", out.show());
}

#[test]
fn discover_with_a_refused_token_exits_3() {
    let server = RefServer::start(Some("another-token"));
    let out = discover(&server, &[]);
    out.assert_code(exit::CANNOT_START);
    assert!(
        out.stderr.contains("authentication refused"),
        "{}",
        out.show()
    );
}

#[test]
fn discover_without_a_url_exits_2() {
    let out = cli::run(&["discover"]);
    out.assert_code(exit::USAGE);
    assert!(
        out.stderr.contains("discover needs --url"),
        "{}",
        out.show()
    );
}
