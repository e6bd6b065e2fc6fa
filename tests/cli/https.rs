//! HTTPS end to end: the reference server behind a TLS front whose certificate is
//! self-signed. Without `--insecure` the certificate is refused in plain words that name
//! the flag; with it, runs and discovery work over TLS. A URL whose scheme does not match
//! what the port speaks fails at once and says which scheme to use. No run prints the
//! token.

use crate::support::cli;
use crate::support::tls;

use cli::{Finished, RefServer, finish, scimcheck};
use scimcheck::exit;
use tls::TlsFront;

const TOKEN: &str = "https-SECRET-7c1d93";

/// The reference server (token required) and a TLS front before it. The front is
/// declared first so it stops first; the server is called directly only to count users.
struct Https {
    front: TlsFront,
    server: RefServer,
}

impl Https {
    fn start() -> Https {
        let server = RefServer::start(Some(TOKEN));
        Https {
            front: TlsFront::before(&server.base),
            server,
        }
    }

    /// `http://` and the front's port: plain HTTP to a TLS listener.
    fn http_to_the_tls_port(&self) -> String {
        self.front.base.replacen("https://", "http://", 1)
    }
}

/// `scimcheck SUBCOMMAND --url URL --token-env TOK EXTRA...`, checked for a panic and for
/// the token in its output.
fn scimcheck_at(subcommand: &str, url: &str, extra: &[&str]) -> Finished {
    let mut command = scimcheck();
    command
        .args([subcommand, "--url", url, "--token-env", "TOK"])
        .args(extra)
        .env("TOK", TOKEN);
    let out = finish(command);
    out.assert_no_panic();
    assert!(
        !out.all().contains(TOKEN),
        "the token is in the output\n{}",
        out.show()
    );
    out
}

fn run_users_read(url: &str, extra: &[&str]) -> Finished {
    let mut args = vec!["--no-progress", "--filter", "users.read"];
    args.extend_from_slice(extra);
    scimcheck_at("run", url, &args)
}

#[track_caller]
fn assert_says(out: &Finished, words: &[&str]) {
    for word in words {
        assert!(
            out.stderr.contains(word),
            "no {word:?} in stderr\n{}",
            out.show()
        );
    }
}

#[test]
fn a_self_signed_certificate_stops_the_run_and_the_message_names_insecure() {
    let https = Https::start();
    let out = run_users_read(&https.front.base, &[]);
    out.assert_code(exit::CANNOT_START);
    assert_says(
        &out,
        &[
            &https.front.base,
            "the server's TLS certificate is not trusted",
            "self-signed",
            "--insecure",
            "no usable answer",
        ],
    );
}

#[test]
fn with_insecure_the_users_read_scenarios_pass_over_tls() {
    let https = Https::start();
    let users_before = https.server.users();
    // Not users.read.location-resolves: it follows meta.location, outside the target here.
    let out = scimcheck_at(
        "run",
        &https.front.base,
        &[
            "--no-progress",
            "--insecure",
            "--filter",
            "users.read.by-id",
            "--filter",
            "users.read.meta",
            "--filter",
            "users.read.password",
        ],
    );
    out.assert_code(exit::SUCCESS);
    // Behind the front the server's Locations say http://, outside the https:// target:
    // never followed, so each user is deleted by its id instead.
    assert_eq!(https.server.users(), users_before, "{}", out.show());
    assert!(
        out.stdout.contains("deleted by its id instead"),
        "{}",
        out.show()
    );
    let tally = out.tally();
    assert!(tally.passed > 0 && tally.failed == 0, "{}", out.show());
    assert!(
        out.stdout
            .contains(&format!("scenarios against {}", https.front.base)),
        "{}",
        out.show()
    );
}

#[test]
fn discover_refuses_the_certificate_too_and_reads_the_target_with_insecure() {
    let https = Https::start();
    let refused = scimcheck_at("discover", &https.front.base, &[]);
    refused.assert_code(exit::CANNOT_START);
    assert_says(&refused, &["certificate is not trusted", "--insecure"]);

    let out = scimcheck_at("discover", &https.front.base, &["--insecure"]);
    out.assert_code(exit::SUCCESS);
    assert!(
        out.stdout
            .lines()
            .any(|line| line == format!("target: {}", https.front.base)),
        "{}",
        out.show()
    );
    assert!(
        out.stdout
            .lines()
            .any(|line| line.starts_with("capabilities: ") && line.contains("users")),
        "{}",
        out.show()
    );
}

#[test]
fn an_http_url_to_the_tls_port_exits_3_and_suggests_https() {
    let https = Https::start();
    let url = https.http_to_the_tls_port();
    let out = run_users_read(&url, &[]);
    out.assert_code(exit::CANNOT_START);
    assert_says(
        &out,
        &[
            &url,
            "the answer is not valid HTTP/1.1",
            "use an https:// URL",
        ],
    );
}

#[test]
fn an_https_url_to_a_plain_http_port_exits_3_and_suggests_http_even_with_insecure() {
    let server = RefServer::start(Some(TOKEN));
    let url = server.base.replacen("http://", "https://", 1);
    for extra in [&[][..], &["--insecure"][..]] {
        let out = run_users_read(&url, extra);
        out.assert_code(exit::CANNOT_START);
        assert_says(
            &out,
            &[
                &url,
                "the server did not answer in TLS",
                "use an http:// URL",
            ],
        );
        assert!(!out.stderr.contains("--insecure"), "{}", out.show());
    }
}
