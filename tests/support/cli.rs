//! Helpers for the end-to-end tests of the `scimcheck` binary: run it with an environment
//! the developer's shell cannot leak into, make sure no child outlives its test, a
//! reference server on its own runtime to count what a run leaves behind, and fake peers
//! that answer what no SCIM server would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use scimcheck::server::{ServerConfig, ServerHandle, parse_misbehaviours, start};
use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_scimcheck");

/// Longest a single `scimcheck` invocation may take before the test calls it a hang.
pub const PATIENCE: Duration = Duration::from_secs(60);

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// `scimcheck` with no `SCIMCHECK_*` variable inherited, stdin closed, and the console
/// settings that change output (`CI`, `NO_COLOR`, `TERM`) removed too.
pub fn scimcheck() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SCIMCHECK_") {
            command.env_remove(name);
        }
    }
    for name in ["CI", "NO_COLOR", "TERM"] {
        command.env_remove(name);
    }
    command.stdin(Stdio::null());
    command
}

/// What a finished invocation printed and how it exited.
#[derive(Debug)]
pub struct Finished {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// stdout and stderr together, for searches that do not care which.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Both streams, labelled, for assertion messages.
    pub fn show(&self) -> String {
        format!(
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.show());
        self
    }

    /// Asserts that no panic message reached the terminal.
    #[track_caller]
    pub fn assert_no_panic(&self) -> &Self {
        assert!(
            !self.all().contains("panicked"),
            "scimcheck panicked\n{}",
            self.show()
        );
        self
    }

    /// The console's final counts line
    /// (`N passed, N failed, N warned, N deviated, N skipped, N errored, N blocked`).
    #[track_caller]
    pub fn tally(&self) -> Tally {
        let last = self.stdout.lines().last().unwrap_or_default();
        let words = [
            "passed", "failed", "warned", "deviated", "skipped", "errored", "blocked",
        ];
        let numbers: Vec<u32> = last
            .split(", ")
            .zip(words)
            .filter_map(|(part, word)| part.strip_suffix(&format!(" {word}"))?.parse().ok())
            .collect();
        match numbers[..] {
            [passed, failed, warned, deviated, skipped, errored, blocked] => Tally {
                passed,
                failed,
                warned,
                deviated,
                skipped,
                errored,
                blocked,
            },
            _ => panic!(
                "the last line is not the counts line: {last:?}\n{}",
                self.show()
            ),
        }
    }
}

/// The console's final line, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub passed: u32,
    pub failed: u32,
    pub warned: u32,
    pub deviated: u32,
    pub skipped: u32,
    pub errored: u32,
    pub blocked: u32,
}

/// Runs `scimcheck ARGS` to the end (at most `PATIENCE`).
pub fn run(args: &[&str]) -> Finished {
    let mut command = scimcheck();
    command.args(args);
    finish(command)
}

/// Runs a prepared command to the end (at most `PATIENCE`), capturing both streams.
pub fn finish(mut command: Command) -> Finished {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = Running::spawn(&mut command);
    let stdout = drain(child.child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.child.stderr.take().expect("stderr is piped"));
    let status = child.wait_for_exit(PATIENCE);
    Finished {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// A finished `scimcheck run` and its JSON report.
pub struct JsonRun {
    pub finished: Finished,
    pub report: Value,
}

/// `scimcheck run` on the embedded server with `extra` flags and a JSON report read back.
/// One job at a time: with `filter-ignored`, say, what a list returns would otherwise
/// depend on which other scenarios happen to run beside it.
pub fn run_json(extra: &[&str]) -> Result<JsonRun, String> {
    run_json_jobs(1, extra)
}

/// Like `run_json`, with `jobs` scenarios at a time.
pub fn run_json_jobs(jobs: usize, extra: &[&str]) -> Result<JsonRun, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("report.json");
    let jobs = jobs.to_string();
    let mut command = scimcheck();
    command
        .args(["run", "--no-progress", "--jobs", &jobs, "--report-json"])
        .arg(&path)
        .args(extra);
    let finished = finish(command);
    let report = std::fs::read_to_string(&path)
        .map_err(|e| format!("no JSON report: {e}"))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("the JSON report does not parse: {e}"))
        })
        .map_err(|e| format!("{e}\n{}", finished.show()))?;
    Ok(JsonRun { finished, report })
}

/// The scenarios of a JSON report.
pub fn scenarios(report: &Value) -> impl Iterator<Item = &Value> {
    report["scenarios"].as_array().into_iter().flatten()
}

pub fn outcome(scenario: &Value) -> &str {
    scenario["outcome"]["kind"].as_str().unwrap_or("?")
}

/// `<scenario-id> <outcome>` for every scenario of a JSON report that did not pass.
pub fn not_passing(report: &Value) -> std::collections::BTreeSet<String> {
    scenarios(report)
        .filter(|s| outcome(s) != "pass")
        .map(|s| format!("{} {}", s["id"].as_str().unwrap_or("?"), outcome(s)))
        .collect()
}

fn drain(mut stream: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A child process that is killed (by its PID, through `Child::kill`) when the guard
/// drops, also when the test panics.
pub struct Running {
    pub child: Child,
}

impl Running {
    pub fn spawn(command: &mut Command) -> Running {
        Running {
            child: command.spawn().expect("the scimcheck binary starts"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to exit; kills it and fails the test after `limit`.
    #[track_caller]
    pub fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "scimcheck (pid {}) did not exit within {limit:?}",
                    self.pid()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    #[cfg(unix)]
    pub fn interrupt(&self) {
        self.signal(libc::SIGINT);
    }

    /// Sends a signal (`libc::SIGTERM`, `libc::SIGHUP`, ...) by the system call: the `kill`
    /// program is not on every machine that has a Rust toolchain.
    #[cfg(unix)]
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.pid()).expect("a pid fits pid_t");
        // SAFETY: kill(2) only reads its two integer arguments; the child is ours and
        // has not been reaped (Drop waits for it), so the pid still names it.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(
            sent,
            0,
            "kill({signal}) to {pid} failed: {}",
            std::io::Error::last_os_error()
        );
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The lines a child writes to a pipe, as they come.
pub struct Lines {
    rx: Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    pub fn follow(stream: impl Read + Send + 'static) -> Lines {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Waits (at most `limit`) for a line that satisfies `wanted` and returns it.
    #[track_caller]
    pub fn wait_for(&mut self, limit: Duration, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no such line within {limit:?}; seen so far:\n{}",
                    self.seen.join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the stream ended without such a line; seen:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Everything seen so far plus whatever is left until the stream ends.
    pub fn rest(mut self) -> String {
        while let Ok(line) = self.rx.recv_timeout(PATIENCE) {
            self.seen.push(line);
        }
        let mut text = self.seen.join("\n");
        text.push('\n');
        text
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// The reference server (the library's), on its own runtime so tests can stay
/// synchronous and run the binary with `std::process`.
pub struct RefServer {
    runtime: tokio::runtime::Runtime,
    handle: Option<ServerHandle>,
    http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl RefServer {
    pub fn start(token: Option<&str>) -> RefServer {
        RefServer::misbehaving(token, "")
    }

    /// `scimcheck run --url <this server> --token-env TOK --no-progress`, with TOK set to
    /// `token` for the child only.
    pub fn run_command(&self, token: &str) -> Command {
        let mut command = scimcheck();
        command
            .args([
                "run",
                "--url",
                &self.base,
                "--token-env",
                "TOK",
                "--no-progress",
            ])
            .env("TOK", token);
        command
    }

    pub fn misbehaving(token: Option<&str>, misbehaviours: &str) -> RefServer {
        RefServer::with_config(ServerConfig {
            token: token.map(str::to_owned),
            misbehaviours: parse_misbehaviours(misbehaviours).expect("known misbehaviours"),
            ..ServerConfig::default()
        })
    }

    /// A server set up as `config` says; the helpers below send `config.token`.
    pub fn with_config(config: ServerConfig) -> RefServer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the reference server");
        let token = config.token.clone();
        let handle = runtime
            .block_on(start(config))
            .expect("the reference server starts");
        RefServer {
            base: handle.base_url().to_owned(),
            handle: Some(handle),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a plain HTTP client"),
            token,
            runtime,
        }
    }

    /// `scheme://host:port` of the server (where `/oauth/token` is served).
    pub fn origin(&self) -> String {
        let after_scheme = self.base.find("://").map_or(0, |i| i + 3);
        let end = self.base[after_scheme..]
            .find('/')
            .map_or(self.base.len(), |i| after_scheme + i);
        self.base[..end].to_owned()
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        self.runtime.block_on(async {
            let response = request.send().await.expect("the reference server answers");
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// `totalResults` of `GET {endpoint}?count=0`.
    pub fn count(&self, endpoint: &str) -> u64 {
        let (status, body) = self.send(reqwest::Method::GET, &format!("{endpoint}?count=0"), None);
        assert_eq!(status, 200, "count {endpoint}: {body}");
        body["totalResults"]
            .as_u64()
            .unwrap_or_else(|| panic!("no totalResults in {body}"))
    }

    pub fn users(&self) -> u64 {
        self.count("/Users")
    }

    pub fn groups(&self) -> u64 {
        self.count("/Groups")
    }

    /// Every userName on the server, for assertion messages.
    pub fn user_names(&self) -> Vec<String> {
        let (_, body) = self.send(reqwest::Method::GET, "/Users?count=1000", None);
        body["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|user| user["userName"].as_str().map(str::to_owned))
            .collect()
    }

    /// Ids of the users whose userName starts with `prefix`.
    pub fn user_ids_with_prefix(&self, prefix: &str) -> Vec<String> {
        let filter = format!("userName sw \"{prefix}\"");
        let query = format!("/Users?filter={}", encode(&filter));
        let (status, body) = self.send(reqwest::Method::GET, &query, None);
        assert_eq!(status, 200, "filter users: {body}");
        body["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|user| user["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Creates a user outside scimcheck and returns its id.
    pub fn create_user(&self, user_name: &str) -> String {
        let body = json!({"schemas": [USER_SCHEMA], "userName": user_name});
        let (status, body) = self.send(reqwest::Method::POST, "/Users", Some(body));
        assert_eq!(status, 201, "create user: {body}");
        body["id"].as_str().expect("an id").to_owned()
    }

    /// The user's userName, or None when it does not exist.
    pub fn user_name(&self, id: &str) -> Option<String> {
        let (status, body) = self.send(reqwest::Method::GET, &format!("/Users/{id}"), None);
        (status == 200).then(|| body["userName"].as_str().unwrap_or_default().to_owned())
    }

    pub fn delete_user(&self, id: &str) {
        let (status, body) = self.send(reqwest::Method::DELETE, &format!("/Users/{id}"), None);
        assert_eq!(status, 204, "delete user {id}: {body}");
    }
}

impl Drop for RefServer {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown());
        }
    }
}

/// Percent-encoding for a query value (enough for SCIM filters).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A loopback peer that answers every connection with the same bytes and closes it:
/// for faults a SCIM server cannot produce (an HTML page, bytes that are not HTTP).
pub struct FakePeer {
    pub url: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakePeer {
    pub fn answering(reply: Vec<u8>) -> FakePeer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let reply = reply.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    read_request_head(&mut stream);
                    let _ = stream.write_all(&reply);
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        FakePeer {
            url: format!("http://{addr}/scim/v2"),
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// A web server's HTML page, `200 OK`, for every request.
    pub fn html() -> FakePeer {
        let page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\
                    <body><h1>Welcome to Acme</h1><p>Please sign in.</p></body></html>\n";
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        FakePeer::answering(reply.into_bytes())
    }

    /// The same status with an empty body for every request: an unusable target
    /// (`503`, `429`), or a redirect to `location` (`302`).
    pub fn status(status: &str, location: Option<&str>) -> FakePeer {
        let location = location
            .map(|l| format!("Location: {l}\r\n"))
            .unwrap_or_default();
        let reply = format!(
            "HTTP/1.1 {status}\r\n{location}Retry-After: 0\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        FakePeer::answering(reply.into_bytes())
    }

    /// Bytes that are not HTTP at all.
    pub fn garbage() -> FakePeer {
        let mut reply = b"\x00\xff\xfe\x13\x37 SSH-2.0-not-http\r\n".to_vec();
        reply.extend((0u8..=255).rev());
        FakePeer::answering(reply)
    }
}

fn read_request_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
}

impl Drop for FakePeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

/// A scenario that creates a user and then expects a status no server answers, so it
/// fails with a resource on the ledger.
pub const CREATE_THEN_FAIL: &str = r#"id: custom.create-then-fail
title: Creates a user, then expects a status the server never answers
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body:
        schemas: [urn:ietf:params:scim:schemas:core:2.0:User]
        userName: "{{ unique.email }}"
    expect: { status: 201 }
    capture: { user: body.id }
  - name: read
    request: { method: GET, path: "/Users/{{ user }}" }
    expect: { status: 599 }
"#;

/// A scenario file with a YAML syntax error: the extra `}` on line 6, column 28.
pub const SYNTAX_ERROR: &str = "id: custom.syntax\n\
                                title: A flow mapping closed twice\n\
                                steps:\n  \
                                  - name: one\n    \
                                    request: { method: GET, path: /Users }\n    \
                                    expect: { status: 200 }}\n";

/// A scenario file with a misspelt key: `stauts` on line 7, column 7.
pub const UNKNOWN_KEY: &str = "id: custom.unknown-key\n\
                               title: A misspelt key under expect\n\
                               steps:\n  \
                                 - name: one\n    \
                                   request: { method: GET, path: /Users }\n    \
                                   expect:\n      \
                                     stauts: 200\n";
