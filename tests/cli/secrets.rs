//! Secrets never leave the process: whichever way a token or a secret header is given
//! (`--token-env`, `--token`, `--header`, `--config` with env references, basic auth,
//! OAuth2 client credentials and the access tokens they bring), it appears in no console
//! output, report or transcript, and no error message repeats one. Headers are redacted,
//! not dropped: the transcripts still show them. The `curl` line of a failure names each
//! secret as a shell variable, and sends the failing request again once the variable is set.

use crate::support::{cli, oauth};

use std::path::Path;
use std::time::Duration;

use cli::{CREATE_THEN_FAIL, FakePeer, Finished, RefServer, finish, scimcheck, write};
use oauth::{
    CLIENT_ID, CLIENT_SECRET, ECHO_TOKEN, OAuthServer, SECRET_VAR, secret_spellings, talkdesk_flags,
};
use scimcheck::client::INVALID_BEARER_TOKEN;
use scimcheck::exit;

const TOKEN: &str = "tok-SECRET-1234567";
const HEADER_SECRET: &str = "hdr-SECRET-abcdef";
const BASIC_USER: &str = "ada";
const BASIC_PASSWORD: &str = "pw-SECRET-basic-9876";
/// Every secret here carries this, so a partial leak is caught too.
const MARKER: &str = "SECRET";

/// Base64 (standard alphabet, padded), for the basic auth credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A run's console output and every file it wrote.
struct Evidence {
    out: Finished,
    /// (file name, contents) of the JUnit report, the JSON report and each transcript.
    files: Vec<(String, String)>,
    /// (file name, contents) of each transcript.
    transcripts: Vec<(String, String)>,
}

impl Evidence {
    /// Asserts that none of `needles` occurs anywhere, naming where one does.
    #[track_caller]
    fn assert_absent(&self, needles: &[&str]) {
        let places = [("stdout", &self.out.stdout), ("stderr", &self.out.stderr)]
            .into_iter()
            .map(|(name, text)| (name.to_owned(), text.clone()))
            .chain(self.files.iter().cloned());
        for (place, text) in places {
            for needle in needles {
                let hits = text.matches(needle).count();
                assert_eq!(
                    hits, 0,
                    "{needle:?} appears {hits} time(s) in {place}:\n{text}"
                );
            }
        }
    }

    /// Asserts that the console and every report show the failure's `curl` line, with
    /// each secret as the shell variable in `variables`.
    #[track_caller]
    fn assert_curl(&self, variables: &[&str]) {
        let places = [("stdout", &self.out.stdout)]
            .into_iter()
            .chain(self.files.iter().take(4).map(|(n, t)| (n.as_str(), t)));
        for (place, text) in places {
            assert!(
                text.contains("curl -i -sS -X GET"),
                "no curl line in {place}:\n{text}"
            );
            for variable in variables {
                assert!(
                    text.contains(variable),
                    "{variable} not in {place}:\n{text}"
                );
            }
        }
    }

    /// Asserts that the headers are redacted wherever a transcript shows them, and that
    /// the transcripts of scenarios that send the target's credentials do show them.
    #[track_caller]
    fn assert_redacted_headers(&self, names: &[&str]) {
        for (file, transcript) in &self.transcripts {
            let sends_credentials = ["custom.create-then-fail.txt", "users.create.basic.txt"]
                .iter()
                .any(|name| file.ends_with(name));
            for name in names {
                let prefix = format!("{}:", name.to_ascii_lowercase());
                let values: Vec<&str> = transcript
                    .lines()
                    .filter(|l| l.to_ascii_lowercase().starts_with(&prefix))
                    .map(|l| l[prefix.len()..].trim())
                    .collect();
                for value in &values {
                    assert_eq!(*value, "[REDACTED]", "{name} in {file}:\n{transcript}");
                }
                if sends_credentials {
                    let requests = transcript
                        .lines()
                        .filter(|l| l.starts_with("# step "))
                        .count();
                    assert_eq!(
                        values.len(),
                        requests,
                        "{name} is not on every request of {file}:\n{transcript}"
                    );
                }
            }
        }
        for wanted in ["custom.create-then-fail.txt", "users.create.basic.txt"] {
            assert!(
                self.transcripts
                    .iter()
                    .any(|(file, _)| file.ends_with(wanted)),
                "no transcript {wanted}"
            );
        }
    }
}

/// `scimcheck run` with every output turned on: JUnit, JSON, transcripts, verbose
/// console; `args` say how the target and its secrets are given, `env` what the child
/// finds in its environment. The selection mixes built-in scenarios (including the auth
/// ones that send wrong and missing tokens) with one that fails after creating a user,
/// so failure output carries whole exchanges.
fn run_with_every_output(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Evidence {
    let custom = write(dir, "create-then-fail.yaml", CREATE_THEN_FAIL);
    let junit = dir.join("junit.xml");
    let json = dir.join("report.json");
    let html = dir.join("report.html");
    let markdown = dir.join("summary.md");
    let transcripts = dir.join("transcripts");
    let mut command = scimcheck();
    command
        .arg("run")
        .args(args)
        .arg("--suite")
        .arg(&custom)
        .args(["--filter", "auth.", "--filter", "users.create.basic"])
        .args(["--filter", "custom.", "--no-progress", "-v"])
        .arg("--report-junit")
        .arg(&junit)
        .arg("--report-json")
        .arg(&json)
        .arg("--report-html")
        .arg(&html)
        .arg("--report-markdown")
        .arg(&markdown)
        .arg("--transcript")
        .arg(&transcripts);
    for (name, value) in env {
        command.env(name, value);
    }
    let out = finish(command);
    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    assert!(
        out.stdout.contains("FAIL") && out.stdout.contains("custom.create-then-fail"),
        "{}",
        out.show()
    );
    assert!(
        out.stdout.contains("PASS") && out.stdout.contains("auth.invalid-token"),
        "the auth scenarios ran\n{}",
        out.show()
    );
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}\n{}", path.display(), out.show()))
    };
    let mut files = vec![
        ("junit.xml".to_owned(), read(&junit)),
        ("report.json".to_owned(), read(&json)),
        ("report.html".to_owned(), read(&html)),
        ("summary.md".to_owned(), read(&markdown)),
    ];
    let mut transcript_texts = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&transcripts)
        .expect("the transcript folder exists")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    assert!(
        entries.len() >= 3,
        "one transcript per scenario: {entries:?}"
    );
    for path in entries {
        let text = read(&path);
        transcript_texts.push((path.display().to_string(), text.clone()));
        files.push((path.display().to_string(), text));
    }
    // The failing scenario's exchanges are in the JUnit and JSON reports too, so the
    // search below covers headers and bodies there.
    for (name, text) in &files[..4] {
        assert!(text.contains("expected 599"), "{name}:\n{text}");
    }
    Evidence {
        out,
        files,
        transcripts: transcript_texts,
    }
}

#[test]
fn token_from_the_environment_and_a_secret_header_appear_nowhere() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let header = format!("X-Api-Key: {HEADER_SECRET}");
    let evidence = run_with_every_output(
        dir.path(),
        &[
            "--url",
            &server.base,
            "--token-env",
            "TOK",
            "--header",
            &header,
        ],
        &[("TOK", TOKEN)],
    );
    evidence.assert_absent(&[TOKEN, HEADER_SECRET, MARKER]);
    evidence.assert_redacted_headers(&["Authorization", "X-Api-Key"]);
    evidence.assert_curl(&[
        "Authorization: Bearer $SCIM_TOKEN",
        "x-api-key: $SCIM_HEADER_X_API_KEY",
    ]);
}

#[test]
fn a_token_on_the_command_line_appears_nowhere() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let evidence =
        run_with_every_output(dir.path(), &["--url", &server.base, "--token", TOKEN], &[]);
    evidence.assert_absent(&[TOKEN, MARKER]);
    evidence.assert_redacted_headers(&["Authorization"]);
    evidence.assert_curl(&["Authorization: Bearer $SCIM_TOKEN"]);
}

#[test]
fn secrets_referenced_by_a_config_file_appear_nowhere() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "scimcheck.yaml",
        &format!(
            "url: {}\nauth:\n  bearer:\n    token: {{ env: SCIM_TOKEN }}\n\
             headers:\n  X-Api-Key: {{ env: API_KEY }}\n  X-Tenant: acme\n",
            server.base
        ),
    );
    let evidence = run_with_every_output(
        dir.path(),
        &["--config", config.to_str().unwrap()],
        &[("SCIM_TOKEN", TOKEN), ("API_KEY", HEADER_SECRET)],
    );
    evidence.assert_absent(&[TOKEN, HEADER_SECRET, MARKER]);
    evidence.assert_redacted_headers(&["Authorization", "X-Api-Key", "X-Tenant"]);
    evidence.assert_curl(&[
        "Authorization: Bearer $SCIM_TOKEN",
        "x-api-key: $SCIM_HEADER_X_API_KEY",
        "x-tenant: $SCIM_HEADER_X_TENANT",
    ]);
}

#[test]
fn basic_auth_credentials_appear_nowhere_not_even_base64_encoded() {
    // Without a token the reference server takes any credentials, basic ones included.
    let server = RefServer::start(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "scimcheck.yaml",
        &format!(
            "url: {}\nauth:\n  basic:\n    username: {BASIC_USER}\n    password: {{ env: SCIM_PASSWORD }}\n",
            server.base
        ),
    );
    let encoded = base64(format!("{BASIC_USER}:{BASIC_PASSWORD}").as_bytes());
    assert_eq!(base64(b"ada:pw"), "YWRhOnB3");
    let evidence = run_with_every_output(
        dir.path(),
        &["--config", config.to_str().unwrap()],
        &[("SCIM_PASSWORD", BASIC_PASSWORD)],
    );
    evidence.assert_absent(&[BASIC_PASSWORD, &encoded, MARKER]);
    evidence.assert_redacted_headers(&["Authorization"]);
    evidence.assert_curl(&["-u", "$SCIM_USER:$SCIM_PASSWORD"]);
}

#[test]
fn oauth2_client_secret_and_access_token_appear_nowhere() {
    let server = OAuthServer::start(Duration::from_secs(3600), None);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "scimcheck.yaml",
        &format!(
            "url: {}\nauth:\n  oauth2:\n    token_url: {}\n    client_id: {CLIENT_ID}\n    \
             client_secret: {{ env: {SECRET_VAR} }}\n    scope: scim\n    \
             params: {{ token_type: opaque, expires_in: 31556952 }}\n",
            server.server.base, server.token_url
        ),
    );
    let echo = write(dir.path(), "echo-token.yaml", ECHO_TOKEN);
    let evidence = run_with_every_output(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--suite",
            echo.to_str().unwrap(),
        ],
        &[(SECRET_VAR, CLIENT_SECRET)],
    );
    assert!(
        evidence.out.stdout.contains("custom.echo-token"),
        "the echo ran\n{}",
        evidence.out.show()
    );
    let mut tokens = server.watcher.tokens();
    tokens.remove(INVALID_BEARER_TOKEN);
    assert_eq!(tokens.len(), 1, "one issued token: {tokens:?}");
    let mut needles: Vec<String> = secret_spellings();
    needles.extend(tokens);
    needles.push(MARKER.to_owned());
    evidence.assert_absent(&needles.iter().map(String::as_str).collect::<Vec<_>>());
    evidence.assert_redacted_headers(&["Authorization"]);
}

#[test]
fn a_token_endpoint_echoing_the_client_secret_in_its_error_has_it_redacted() {
    let [plain, form_encoded, basic] = secret_spellings().try_into().expect("three spellings");
    let json_escaped = CLIENT_SECRET.replace('é', "\\u00e9");
    let body = format!(
        r#"{{"error":"invalid_client","error_description":"{plain} / {json_escaped} / {form_encoded} / Basic {basic}"}}"#
    );
    let peer = FakePeer::answering(
        format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    );
    let server = RefServer::start(None);
    let mut command = scimcheck();
    command
        .args(["run", "--no-progress", "--url", &server.base])
        .args(talkdesk_flags(&peer.url))
        .env(SECRET_VAR, CLIENT_SECRET);
    let out = finish(command);
    out.assert_code(exit::CANNOT_START).assert_no_panic();
    assert!(
        out.stderr.contains("401 invalid_client") && out.stderr.contains("[REDACTED]"),
        "{}",
        out.show()
    );
    for needle in secret_spellings()
        .iter()
        .map(String::as_str)
        .chain([MARKER])
    {
        assert!(
            !out.all().contains(needle),
            "{needle:?} leaked\n{}",
            out.show()
        );
    }
}

#[test]
fn a_refused_token_is_not_repeated_in_the_error() {
    let server = RefServer::start(Some("the-right-token"));
    let out = finish(server.run_command(TOKEN));
    out.assert_code(exit::CANNOT_START);
    assert!(
        out.stderr.contains("authentication refused"),
        "{}",
        out.show()
    );
    assert!(!out.all().contains(MARKER), "{}", out.show());
}

/// Config files with a token pasted where it does not belong: each is refused (exit 2)
/// with a message that points at the place but does not repeat the token.
#[test]
fn a_broken_config_file_is_refused_without_repeating_the_token_in_it() {
    let cases = [
        // Syntax errors on the line with the token.
        "auth:\n  bearer:\n    token: \"tok-SECRET-1234567\n",
        "auth:\n  bearer:\n    token: [tok-SECRET-1234567\n",
        "auth:\n  bearer:\n    token: tok-SECRET-1234567 : x : y\n",
        // A token written into the file, or where a key word belongs.
        "auth:\n  bearer:\n    token: tok-SECRET-1234567\n",
        "auth:\n  bearer: tok-SECRET-1234567\n",
        "auth: tok-SECRET-1234567\n",
        "auth:\n  Bearer tok-SECRET-1234567\n",
        "auth:\n  basic: { username: ada, password: tok-SECRET-1234567 }\n",
        "headers:\n  X-Api-Key: [tok-SECRET-1234567]\n",
        "timeout: tok-SECRET-1234567\n",
    ];
    for case in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = write(
            dir.path(),
            "scimcheck.yaml",
            &format!("url: http://127.0.0.1:9/scim/v2\n{case}"),
        );
        let out = cli::run(&["run", "--config", config.to_str().unwrap(), "--no-progress"]);
        out.assert_code(exit::USAGE).assert_no_panic();
        assert!(
            out.stderr.contains("scimcheck.yaml") && out.stderr.contains("line"),
            "{case:?}: the message does not point at the file\n{}",
            out.show()
        );
        assert!(
            !out.all().contains(MARKER),
            "{case:?}: the token leaked\n{}",
            out.show()
        );
    }
}

#[test]
fn a_header_without_a_proper_name_is_refused_without_repeating_it() {
    for header in [
        "X-Api-Key hdr-SECRET-abcdef",
        "X-Api-Key hdr-SECRET: abcdef",
        "X-Api-Key=hdr-SECRET:abcdef",
    ] {
        let out = cli::run(&["run", "--header", header, "--no-progress"]);
        out.assert_code(exit::USAGE);
        assert!(
            out.stderr.contains("--header"),
            "{header:?}\n{}",
            out.show()
        );
        assert!(!out.all().contains(MARKER), "{header:?}\n{}", out.show());
    }
}

/// The words of a shell command as `sh` splits them: single quotes literal, double quotes
/// with `$NAME` expanded by `var`, a backslash before a newline joining lines, `#`
/// comment lines left out. Enough for the commands scimcheck writes, and written here
/// apart from them, so the test does not read its own output with its own code.
fn shell_words(command: &str, var: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars().peekable();
    let expand = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, word: &mut String| {
        let mut name = String::new();
        while let Some(c) = chars
            .peek()
            .copied()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            name.push(c);
            chars.next();
        }
        assert!(!name.is_empty(), "a bare $ in {command:?}");
        word.push_str(&var(&name));
    };
    while let Some(c) = chars.next() {
        match c {
            '#' if word.is_none() => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            ' ' | '\t' | '\n' => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(other) => word.get_or_insert_with(String::new).push(other),
            },
            '\'' => {
                let current = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    current.push(c);
                }
            }
            '"' => {
                let current = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('$' | '`' | '"' | '\\')) => current.push(e),
                            Some('\n') => {}
                            Some(other) => {
                                current.push('\\');
                                current.push(other);
                            }
                            None => {}
                        },
                        '$' => expand(&mut chars, current),
                        other => current.push(other),
                    }
                }
            }
            '$' => expand(&mut chars, word.get_or_insert_with(String::new)),
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    words.extend(word);
    words
}

/// What a `curl` line asks for.
#[derive(Debug, Default)]
struct CurlRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    basic: Option<(String, String)>,
    body: Option<String>,
}

fn parse_curl(words: &[String]) -> CurlRequest {
    assert_eq!(words.first().map(String::as_str), Some("curl"), "{words:?}");
    let mut request = CurlRequest {
        method: "GET".into(),
        ..CurlRequest::default()
    };
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        let mut value = || {
            rest.next()
                .unwrap_or_else(|| panic!("{word} without a value"))
                .clone()
        };
        match word.as_str() {
            "-i" | "-sS" | "--insecure" => {}
            "-X" => request.method = value(),
            "-H" => {
                let header = value();
                let (name, v) = header.split_once(':').expect("a header line");
                request
                    .headers
                    .push((name.trim().to_owned(), v.trim().to_owned()));
            }
            "-u" => {
                let pair = value();
                let (user, password) = pair.split_once(':').expect("user:password");
                request.basic = Some((user.to_owned(), password.to_owned()));
            }
            "--data-raw" => request.body = Some(value()),
            url if !url.starts_with('-') && request.url.is_empty() => request.url = url.to_owned(),
            other => panic!("an option the test does not know: {other}"),
        }
    }
    request
}

/// Sends what a curl line asks for, with reqwest: (status, body).
fn send(request: &CurlRequest) -> (u16, serde_json::Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a client");
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a method");
        let mut builder = client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some((user, password)) = &request.basic {
            builder = builder.basic_auth(user, Some(password));
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    })
}

/// The first failure of the JSON report whose subject is `subject` and whose request was
/// a create (a read or change of a resource replays as 404 once the run deleted it),
/// with its scenario id.
fn failure_of<'a>(
    report: &'a serde_json::Value,
    subject: &str,
) -> (&'a str, &'a serde_json::Value) {
    cli::scenarios(report)
        .find_map(|scenario| {
            let failures = scenario["outcome"]["failures"].as_array()?;
            let failure = failures.iter().find(|f| {
                f["subject"] == subject && f["curl"].as_str().is_some_and(|c| c.contains("-X POST"))
            })?;
            Some((scenario["id"].as_str().unwrap_or("?"), failure))
        })
        .unwrap_or_else(|| panic!("no failure of {subject} in {report:#}"))
}

#[test]
fn the_curl_line_of_a_failure_reproduces_it_against_the_reference_server() {
    let vars = |name: &str| match name {
        "SCIM_TOKEN" => TOKEN.to_owned(),
        other => panic!("the command names ${other}, which the test does not set"),
    };
    // A create answered 200: the command sends the create again, and gets 200 again.
    let server = RefServer::misbehaving(Some(TOKEN), "create-200");
    let run = run_against(&server, &["--filter", "users.create.basic"]);
    let (id, failure) = failure_of(&run, "status");
    let curl = failure["curl"]
        .as_str()
        .unwrap_or_else(|| panic!("{id}: no curl in {failure:#}"));
    assert!(
        !curl.contains(TOKEN) && curl.contains("$SCIM_TOKEN"),
        "{curl}"
    );
    let request = parse_curl(&shell_words(curl, &vars));
    assert_eq!(request.method, "POST", "{curl}");
    let (status, body) = send(&request);
    assert_eq!(status, 200, "{id}: the replay answered {status}: {body}");
    assert!(
        failure["actual"]
            .as_str()
            .unwrap_or_default()
            .starts_with("200"),
        "{failure:#}"
    );
    let (status, _) = send(&CurlRequest {
        headers: vec![],
        ..request
    });
    assert_eq!(
        status, 401,
        "without the token the server refuses: the token was needed"
    );

    // A displayName the server never stores: the replayed request carries one, the answer
    // does not.
    let server = RefServer::misbehaving(Some(TOKEN), "display-name-dropped");
    let run = run_against(&server, &["--filter", "users."]);
    let (id, failure) = failure_of(&run, "body.displayName");
    assert_eq!(failure["actual"], "absent", "{failure:#}");
    let curl = failure["curl"]
        .as_str()
        .unwrap_or_else(|| panic!("{id}: no curl in {failure:#}"));
    let request = parse_curl(&shell_words(curl, &vars));
    assert!(
        request
            .body
            .as_deref()
            .unwrap_or_default()
            .contains("\"displayName\""),
        "{curl}"
    );
    let (status, body) = send(&request);
    assert!(
        (200..300).contains(&status),
        "{id}: the replay answered {status}: {body}\n{curl}"
    );
    assert!(
        body.is_object() && body.get("displayName").is_none(),
        "{id}: {body}\n{curl}"
    );
}

/// `scimcheck run` against `server` with its token, and the JSON report.
fn run_against(server: &RefServer, args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("report.json");
    let mut command = server.run_command(TOKEN);
    command.args(args).arg("--report-json").arg(&json);
    let out = finish(command);
    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{e}\n{}", out.show()));
    serde_json::from_str(&text).expect("the JSON report parses")
}

#[test]
fn the_test_reads_shell_words_as_sh_does() {
    let vars = |name: &str| format!("<{name}>");
    assert_eq!(
        shell_words(
            "# a comment\ncurl -X POST 'http://h/a b' \\\n  -H \"A: x $V\\$y\" --data-raw '{\"q\":\"o'\\''k\"}'",
            &vars
        ),
        [
            "curl",
            "-X",
            "POST",
            "http://h/a b",
            "-H",
            "A: x <V>$y",
            "--data-raw",
            r#"{"q":"o'k"}"#
        ]
    );
}

/// Sends back, in a request of its own, what the server answered: a user it reads,
/// then a create of a user named after the answer's id, expecting a status no server
/// gives so the create's failure carries a `curl` line.
const SEND_BACK: &str = r#"id: custom.send-back
title: Reads a user, then creates one named after what the answer said
steps:
  - name: read
    request: { method: GET, path: /Users/someone }
    expect: { status: 200 }
    capture: { echoed: body.id }
  - name: send back
    request:
      method: POST
      path: "/Users?note={{ echoed }}"
      body:
        schemas: [urn:ietf:params:scim:schemas:core:2.0:User]
        userName: "{{ echoed }}"
    expect: { status: 599 }
"#;

/// End to end, whichever layer catches it (the answer is redacted before a step captures
/// from it; the `curl` line is redacted again, which `client::curl`'s own tests and
/// `redaction_props` prove alone).
#[test]
fn a_token_the_server_echoes_never_reaches_a_curl_line() {
    // Whatever it is asked, the server answers a user whose id is the token it was sent.
    let body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"{TOKEN}","userName":"{TOKEN}"}}"#
    );
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let peer = FakePeer::answering(reply.into_bytes());
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "send-back.yaml", SEND_BACK);
    let json = dir.path().join("report.json");
    let mut command = scimcheck();
    command
        .args([
            "run",
            "--url",
            &peer.url,
            "--token-env",
            "TOK",
            "--no-builtin",
        ])
        .arg("--suite")
        .arg(&suite)
        .args(["--no-progress", "--report-json"])
        .arg(&json)
        .env("TOK", TOKEN);
    let out = finish(command);
    out.assert_code(exit::CONFORMANCE_FAILURE).assert_no_panic();
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{e}\n{}", out.show())),
    )
    .expect("the JSON report parses");
    let curl = cli::scenarios(&report)
        .flat_map(|s| s["outcome"]["failures"].as_array().into_iter().flatten())
        .find_map(|f| f["curl"].as_str())
        .unwrap_or_else(|| panic!("no curl line in {report:#}"));
    assert!(curl.contains("-X POST"), "{curl}");
    assert!(curl.contains("Authorization: Bearer $SCIM_TOKEN"), "{curl}");
    // The echoed token stands in the query and the body of the request: both redacted
    // (the query's brackets percent-encoded).
    assert_eq!(curl.matches("REDACTED").count(), 2, "{curl}");
    for place in [curl, &out.stdout, &out.stderr] {
        assert!(!place.contains(MARKER), "{place}");
    }
    assert!(
        out.stdout.contains("reproduce (with SCIM_TOKEN set)"),
        "{}",
        out.show()
    );
}
