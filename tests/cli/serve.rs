//! `scimcheck serve` as a child process: it listens where it says, requires its token,
//! answers SCIM, and stops on Ctrl-C.

use crate::support::cli;

use std::process::Stdio;
use std::time::Duration;

use cli::{Lines, Running, free_port, scimcheck};
use scimcheck::exit;

const TOKEN: &str = "serve-token-31ab";

/// `scimcheck serve ARGS`, and the base URL from its first line.
fn serve(args: &[&str]) -> (Running, Lines, String) {
    let mut command = scimcheck();
    command
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Running::spawn(&mut command);
    let mut stdout = Lines::follow(child.child.stdout.take().expect("piped"));
    let line = stdout.wait_for(Duration::from_secs(20), |l| l.contains("listening on"));
    let url = line
        .rsplit(' ')
        .next()
        .expect("a URL at the end of the line")
        .to_owned();
    (child, stdout, url)
}

fn get(url: &str, token: Option<&str>) -> (u16, String, serde_json::Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let mut request = client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, content_type, body)
    })
}

#[test]
fn serve_listens_on_the_given_port_and_requires_its_token() {
    let port = free_port();
    let (mut child, mut stdout, url) = serve(&["--port", &port.to_string(), "--token", TOKEN]);
    assert_eq!(url, format!("http://127.0.0.1:{port}/scim/v2"));
    stdout.wait_for(Duration::from_secs(5), |l| {
        l == "authentication: bearer token required"
    });

    let (status, content_type, body) = get(&format!("{url}/ServiceProviderConfig"), Some(TOKEN));
    assert_eq!(status, 200, "{body}");
    assert!(
        content_type.starts_with("application/scim+json"),
        "{content_type}"
    );
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );

    let (status, content_type, body) = get(&format!("{url}/ServiceProviderConfig"), None);
    assert_eq!(status, 401, "{body}");
    assert!(content_type.starts_with("application/scim+json"));
    assert_eq!(body["status"], "401");

    let (status, _, _) = get(&format!("{url}/Users"), Some("a-wrong-token"));
    assert_eq!(status, 401);

    // Ctrl-C stops it cleanly.
    child.interrupt();
    let status = child.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(exit::SUCCESS));
}

#[test]
fn serve_on_port_0_reports_the_port_it_picked_and_its_misbehaviours() {
    let (_child, mut stdout, url) = serve(&["--port", "0", "--misbehave", "create-200"]);
    let port: u16 = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/scim/v2")
        .parse()
        .unwrap_or_else(|_| panic!("no port in {url}"));
    assert_ne!(port, 0);
    stdout.wait_for(Duration::from_secs(5), |l| l == "misbehaving: create-200");
    let (status, _, body) = get(&format!("{url}/Users?count=0"), None);
    assert_eq!(status, 200, "no token is needed without --token: {body}");
    assert_eq!(body["totalResults"], 0);
}

#[test]
fn serve_on_a_taken_port_exits_3() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = cli::run(&["serve", "--port", &port]);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(
        out.stderr
            .contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        out.show()
    );
}

#[test]
fn serve_with_an_unknown_misbehaviour_exits_2() {
    let out = cli::run(&["serve", "--port", "0", "--misbehave", "create-201"]);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("'create-201'"), "{}", out.show());
}

#[test]
fn serve_judge_prints_each_finding_as_it_happens_and_a_summary_on_ctrl_c() {
    let (mut child, mut stdout, url) = serve(&[
        "--port",
        "0",
        "--token",
        TOKEN,
        "--judge",
        "--profile",
        "talentech",
    ]);
    stdout.wait_for(Duration::from_secs(5), |l| {
        l.starts_with("judging clients against") && l.contains("(profile talentech)")
    });
    // An unquoted filter, as Talentech's own look-up example writes it: the emulated
    // Talentech takes it, and the judge still says what RFC 7644 asks of the client.
    let (status, _, _) = get(&format!("{url}/Users?filter=userName+eq+ada"), Some(TOKEN));
    assert_eq!(status, 200);
    stdout.wait_for(Duration::from_secs(5), |l| {
        l.starts_with("#1 GET /scim/v2/Users?filter=userName+eq+ada at ")
    });
    stdout.wait_for(Duration::from_secs(5), |l| {
        l.contains("rule RFC7644-3.4.2.2-client-quoted-strings (must), RFC 7644 section 3.4.2.2")
    });
    child.interrupt();
    let status = child.wait_for_exit(Duration::from_secs(10));
    let rest = stdout.rest();
    assert!(
        rest.contains("BROKEN RFC7644-3.4.2.2-client-quoted-strings (must): 1 request"),
        "{rest}"
    );
    assert!(!rest.contains(TOKEN), "{rest}");
    assert_eq!(status.code(), Some(exit::CONFORMANCE_FAILURE));
}

#[test]
fn faults_without_judge_are_refused() {
    let mut command = scimcheck();
    command.args(["serve", "--port", "0", "--inject", "429"]);
    let finished = cli::finish(command);
    finished.assert_code(exit::USAGE);
    assert!(
        finished.stderr.contains("needs --judge"),
        "{}",
        finished.show()
    );
}

#[test]
fn a_judged_server_also_writes_its_request_log_faults_included() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("requests.jsonl");
    let log_arg = log.to_str().expect("a UTF-8 path");
    let (mut child, mut stdout, url) = serve(&[
        "--port",
        "0",
        "--token",
        TOKEN,
        "--judge",
        "--request-log",
        log_arg,
        "--inject",
        "429",
        "--inject-rate",
        "1",
    ]);
    stdout.wait_for(Duration::from_secs(5), |l| {
        l.starts_with("judging clients against")
    });
    // Every judged request gets the injected 429, and is still logged.
    let (status, _, _) = get(&format!("{url}/Users?filter=userName+eq+ada"), Some(TOKEN));
    assert_eq!(status, 429);
    stdout.wait_for(Duration::from_secs(5), |l| {
        l.starts_with("#1 GET /scim/v2/Users?filter=userName+eq+ada at ")
    });
    child.interrupt();
    let status = child.wait_for_exit(Duration::from_secs(10));
    let rest = stdout.rest();
    assert!(
        rest.contains("BROKEN RFC7644-3.4.2.2-client-quoted-strings (must): 1 request"),
        "{rest}"
    );
    assert_eq!(status.code(), Some(exit::CONFORMANCE_FAILURE));
    let written = std::fs::read_to_string(&log).expect("the request log");
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "{written}");
    assert_eq!(lines[0]["method"], "GET");
    assert_eq!(lines[0]["query"], "filter=userName+eq+ada");
    assert!(!written.contains(TOKEN), "{written}");
}
