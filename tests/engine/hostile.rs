//! scimcheck against a hostile server of our own (`support/hostile.rs`), one test per
//! hostile behaviour. Each asserts the exit code, no panic, an end within the run's own
//! time limits, no secret in any output in any encoding, no request reaching anything
//! but the collections and the resources the run created (from the server's request
//! log), and every resource the run leaves behind listed as a leftover on the console
//! and in every report.

use crate::support::cli;
use crate::support::hostile;
use crate::support::leak;

use std::path::Path;
use std::time::{Duration, Instant};

use cli::{Finished, finish, scimcheck, write};
use hostile::{Behaviour, CreateAnswer, FORGERY, Hostile, Ids};
use leak::Encoding;
use scimcheck::exit;
use serde_json::Value;

/// The token the hostile server expects: `/`, `+` and `=` make its encodings differ.
const TOKEN: &str = "tok/SECRET+h0st1le=z9Qw";

/// A few scenarios that create, read, replace and delete users and groups.
const WRITERS: &[&str] = &[
    "users.create.basic",
    "users.read.by-id",
    "users.replace.basic",
    "users.delete.basic",
    "groups.create.basic",
    "groups.delete.basic",
    "errors.not-found.read",
];

fn behaviour() -> Behaviour {
    Behaviour {
        token: TOKEN.to_owned(),
        ..Behaviour::default()
    }
}

/// A run's console output, every file it wrote, and how long it took.
struct Evidence {
    out: Finished,
    elapsed: Duration,
    /// (name, contents) of every report and transcript.
    files: Vec<(String, String)>,
    json: Value,
}

impl Evidence {
    fn outputs(&self) -> Vec<(String, String)> {
        let mut all = vec![
            ("stdout".to_owned(), self.out.stdout.clone()),
            ("stderr".to_owned(), self.out.stderr.clone()),
        ];
        all.extend(self.files.iter().cloned());
        all
    }

    fn file(&self, name: &str) -> &str {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, text)| text.as_str())
    }

    /// The checks every hostile behaviour must pass.
    #[track_caller]
    fn assert_safe(&self, server: &Hostile, code: i32, within: Duration) {
        self.out.assert_code(code).assert_no_panic();
        assert!(
            self.elapsed < within,
            "took {:?}, more than {within:?}\n{}",
            self.elapsed,
            self.out.show()
        );
        if let Some(leak) = leak::find_leak(TOKEN, &self.outputs()) {
            panic!("{leak}\n{}", self.out.show());
        }
        server.assert_only_own_resources_touched();
        self.assert_leftovers_listed(server);
    }

    /// What the run left on the server is listed on the console and in every report;
    /// when it left nothing, nothing is listed.
    #[track_caller]
    fn assert_leftovers_listed(&self, server: &Hostile) {
        let remaining = server.remaining();
        let listed = self.json["totals"]["leftovers"].as_u64().unwrap_or(0) as usize;
        if remaining.is_empty() {
            assert_eq!(
                listed,
                0,
                "leftovers listed, none remain\n{}",
                self.out.show()
            );
            assert!(!self.out.stdout.contains("Left on the target"));
            return;
        }
        assert!(
            listed >= remaining.len(),
            "{} remain, {listed} listed: {remaining:?}\n{}",
            remaining.len(),
            self.out.show()
        );
        assert!(
            self.out.stdout.contains("Left on the target"),
            "{}",
            self.out.show()
        );
        for (collection, id, name) in &remaining {
            let encoded = leak::percent(id, u64::MAX, false, false);
            for place in [
                "stdout",
                "junit.xml",
                "report.json",
                "report.html",
                "summary.md",
            ] {
                let text = if place == "stdout" {
                    self.out.stdout.as_str()
                } else {
                    self.file(place)
                };
                assert!(
                    text.contains(&format!("/{collection}/{encoded}"))
                        || text.contains(name.as_str()),
                    "{collection}/{id} ({name}) is not listed in {place}\n{}",
                    self.out.show()
                );
            }
        }
    }
}

/// `scimcheck run` against `server` with every output on (console with transcripts,
/// JUnit, JSON, HTML, Markdown, transcripts) and `args`.
fn run_against(server: &Hostile, args: &[&str]) -> Evidence {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = scimcheck();
    command
        .args([
            "run",
            "--url",
            &server.base,
            "--token-env",
            "TOK",
            "--no-progress",
            "-v",
        ])
        .env("TOK", TOKEN);
    for (flag, name) in [
        ("--report-junit", "junit.xml"),
        ("--report-json", "report.json"),
        ("--report-html", "report.html"),
        ("--report-markdown", "summary.md"),
        ("--transcript", "transcripts"),
    ] {
        command.arg(flag).arg(dir.path().join(name));
    }
    command.args(args);
    let started = Instant::now();
    let out = finish(command);
    let elapsed = started.elapsed();
    let mut files = Vec::new();
    for name in ["junit.xml", "report.json", "report.html", "summary.md"] {
        if let Ok(text) = std::fs::read_to_string(dir.path().join(name)) {
            files.push((name.to_owned(), text));
        }
    }
    collect_transcripts(&dir.path().join("transcripts"), &mut files);
    let json = serde_json::from_str(&files_text(&files, "report.json")).unwrap_or(Value::Null);
    Evidence {
        out,
        elapsed,
        files,
        json,
    }
}

fn files_text(files: &[(String, String)], name: &str) -> String {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

fn collect_transcripts(dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            files.push((entry.path().display().to_string(), text));
        }
    }
}

/// `--filter` for each id.
fn filters(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .flat_map(|id| ["--filter".to_owned(), (*id).to_owned()])
        .collect()
}

fn run_filtered(server: &Hostile, ids: &[&str], extra: &[&str]) -> Evidence {
    let mut args: Vec<String> = filters(ids);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_against(server, &args)
}

const WITHIN: Duration = Duration::from_secs(50);

#[test]
fn a_server_echoing_the_token_in_any_encoding_never_gets_it_into_an_output() {
    for echo in [
        Encoding::Verbatim,
        Encoding::JsonSlash,
        Encoding::JsonUnicode {
            mask: u64::MAX,
            upper: true,
        },
        Encoding::Percent {
            upper_mask: 0,
            all_bytes: false,
        },
        Encoding::Percent {
            upper_mask: u64::MAX,
            all_bytes: false,
        },
        Encoding::Base64 {
            lead: b"Bearer ".to_vec(),
            url: false,
        },
        Encoding::Base64 {
            lead: vec![],
            url: true,
        },
    ] {
        let server = Hostile::start(Behaviour {
            echo: Some(echo.clone()),
            ..behaviour()
        });
        let evidence = run_filtered(&server, WRITERS, &[]);
        // The echo garbles names, so read-backs fail.
        evidence.assert_safe(&server, exit::CONFORMANCE_FAILURE, WITHIN);
        assert!(
            evidence.out.stdout.contains("[REDACTED]"),
            "{echo:?}: the echo was there to redact\n{}",
            evidence.out.show()
        );
    }
}

#[test]
fn ids_that_climb_out_of_their_collection_never_steer_a_write() {
    let server = Hostile::start(Behaviour {
        ids: Ids::Climbing,
        ..behaviour()
    });
    let evidence = run_filtered(
        &server,
        &[
            "users.create.basic",
            "users.read.by-id",
            "users.replace.basic",
            "users.patch",
            "users.delete.basic",
            "groups.create.basic",
            "groups.delete.basic",
        ],
        &["--jobs", "1"],
    );
    assert!(server.created_count() >= 5, "{}", evidence.out.show());
    let code = evidence.out.code;
    assert!(
        code == exit::SUCCESS || code == exit::CONFORMANCE_FAILURE,
        "{}",
        evidence.out.show()
    );
    evidence.assert_safe(&server, code, WITHIN);
}

#[test]
fn a_location_that_climbs_out_of_the_collection_is_ignored_and_reported() {
    let server = Hostile::start(Behaviour {
        climbing_location: true,
        ..behaviour()
    });
    let evidence = run_filtered(&server, &["users.create.basic", "groups.create.basic"], &[]);
    let code = evidence.out.code;
    assert!(code == exit::SUCCESS || code == exit::CONFORMANCE_FAILURE);
    evidence.assert_safe(&server, code, WITHIN);
    assert!(
        evidence.out.stdout.contains("Location") && evidence.out.stdout.contains("it is ignored"),
        "{}",
        evidence.out.show()
    );
}

#[test]
fn creates_answered_200_are_cleaned_up_too() {
    let server = Hostile::start(Behaviour {
        create: CreateAnswer::Ok200,
        ..behaviour()
    });
    let evidence = run_filtered(&server, &["users.create.basic", "groups.create.basic"], &[]);
    assert!(server.created_count() >= 2);
    evidence.assert_safe(&server, exit::CONFORMANCE_FAILURE, WITHIN);
    assert!(server.remaining().is_empty());
}

/// Creates whose answer is lost: cut off mid-answer, answered after the timeout, or
/// answered with garbage. The server did create them; the run finds them by their
/// unique name and deletes them.
#[test]
fn creates_whose_answer_was_lost_are_found_by_name_and_cleaned_up() {
    for create in [
        CreateAnswer::CutOff,
        CreateAnswer::Late(Duration::from_secs(3)),
        CreateAnswer::Garbage,
    ] {
        let server = Hostile::start(Behaviour {
            create,
            ..behaviour()
        });
        let evidence = run_filtered(
            &server,
            &["users.create.basic", "groups.create.basic"],
            &["--timeout", "1"],
        );
        assert!(server.created_count() >= 2, "{create:?}");
        // No answer is an error the tool could not judge; a garbled one is the server's fault.
        let code = match create {
            CreateAnswer::Garbage => exit::CONFORMANCE_FAILURE,
            _ => exit::INCOMPLETE,
        };
        evidence.assert_safe(&server, code, WITHIN);
        assert!(
            server.remaining().is_empty(),
            "{create:?}: {:?}\n{}",
            server.remaining(),
            evidence.out.show()
        );
        let searches = server
            .log()
            .iter()
            .filter(|r| r.method == "GET" && r.target.contains("filter="))
            .count();
        assert!(searches >= 2, "{create:?}: searched {searches} times");
    }
}

const BULK_TWO_USERS: &str = r#"id: custom.bulk-two-users
title: One Bulk request creates two users
steps:
  - name: bulk
    request:
      method: POST
      path: /Bulk
      body:
        schemas: [urn:ietf:params:scim:api:messages:2.0:BulkRequest]
        Operations:
          - method: POST
            path: /Users
            bulkId: one
            data: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email.one }}" }
          - method: POST
            path: /Users
            bulkId: two
            data: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: "{{ unique.email.two }}" }
    expect: { status: 200, body: { Operations: { length: 2 } } }
"#;

#[test]
fn bulk_creates_are_cleaned_up_whether_the_answer_reads_or_not() {
    for garbage in [false, true] {
        let server = Hostile::start(Behaviour {
            bulk: true,
            bulk_garbage: garbage,
            ..behaviour()
        });
        let dir = tempfile::tempdir().expect("tempdir");
        let suite = write(dir.path(), "bulk.yaml", BULK_TWO_USERS);
        let evidence = run_against(
            &server,
            &["--no-builtin", "--suite", suite.to_str().unwrap()],
        );
        assert_eq!(server.created_count(), 2, "{}", evidence.out.show());
        let code = if garbage {
            exit::CONFORMANCE_FAILURE
        } else {
            exit::SUCCESS
        };
        evidence.assert_safe(&server, code, WITHIN);
        assert!(server.remaining().is_empty(), "{}", evidence.out.show());
    }
}

#[test]
fn what_a_soft_deleting_server_keeps_is_listed_as_left_on_the_target() {
    let server = Hostile::start(Behaviour {
        soft_delete: true,
        ..behaviour()
    });
    let evidence = run_filtered(&server, &["users.create.basic", "groups.create.basic"], &[]);
    // Each scenario's resource and the run's two decoys.
    assert_eq!(server.remaining().len(), 4, "{}", evidence.out.show());
    evidence.assert_safe(&server, exit::SUCCESS, WITHIN);
    assert!(
        evidence
            .out
            .stdout
            .contains("still there after two DELETEs"),
        "{}",
        evidence.out.show()
    );
    assert_eq!(evidence.json["totals"]["leftovers"], 4);
    // Deleted twice each, then given up: no endless retries.
    let deletes = server.log().iter().filter(|r| r.method == "DELETE").count();
    assert_eq!(deletes, 8);
}

#[test]
fn bodies_of_8_mib_are_refused_as_too_large_and_what_they_created_is_listed() {
    let server = Hostile::start(Behaviour {
        padding: Some(8 * 1024 * 1024),
        ..behaviour()
    });
    let evidence = run_filtered(&server, &["users.create.basic", "groups.create.basic"], &[]);
    evidence.assert_safe(&server, exit::INCOMPLETE, WITHIN);
    assert!(
        evidence.out.stdout.contains("response too large"),
        "{}",
        evidence.out.show()
    );
}

#[test]
fn a_trickling_answer_counts_against_the_timeout_as_a_whole() {
    let server = Hostile::start(Behaviour {
        trickle: Some(Duration::from_millis(50)),
        ..behaviour()
    });
    let evidence = run_filtered(
        &server,
        &["users.create.basic", "errors.not-found.read"],
        &["--timeout", "2"],
    );
    // Timed out, nothing was judged: the tool could not judge, the server did not fail.
    evidence.assert_safe(&server, exit::INCOMPLETE, WITHIN);
    for scenario in evidence.json["scenarios"].as_array().into_iter().flatten() {
        for exchange in scenario["exchanges"].as_array().into_iter().flatten() {
            let ms = exchange["duration_ms"].as_u64().unwrap_or(0);
            assert!(ms < 3_500, "a request took {ms} ms with a 2 s timeout");
        }
    }
    assert!(
        evidence.out.stdout.contains("timed out"),
        "{}",
        evidence.out.show()
    );
}

#[test]
fn a_server_that_asks_to_wait_forever_is_announced_and_bounded_by_the_deadline() {
    let server = Hostile::start(Behaviour {
        retry_after: Some(100_000),
        ..behaviour()
    });
    let evidence = run_filtered(&server, WRITERS, &["--deadline", "3s"]);
    evidence.assert_safe(&server, exit::DEADLINE, Duration::from_secs(30));
    assert!(
        evidence
            .out
            .stdout
            .contains("server asked to wait 100000 s; waiting"),
        "{}",
        evidence.out.show()
    );
    assert!(
        evidence
            .out
            .stdout
            .contains("Stopped: the deadline of 3 s passed"),
        "{}",
        evidence.out.show()
    );
}

/// Cleanup that cannot finish (every DELETE answered 429 "come back in a day") gets no
/// more time after the deadline than the deadline itself: then the run writes its
/// reports and lists what it had to leave.
#[test]
fn cleanup_after_the_deadline_is_bounded_and_what_it_could_not_do_is_listed() {
    let server = Hostile::start(Behaviour {
        refuse_deletes: Some(86_400),
        ..behaviour()
    });
    let evidence = run_filtered(
        &server,
        &["users.create.basic", "groups.create.basic"],
        &["--deadline", "3s"],
    );
    // Each scenario's resource and the run's two decoys.
    assert_eq!(server.remaining().len(), 4, "{}", evidence.out.show());
    evidence.assert_safe(&server, exit::DEADLINE, Duration::from_secs(30));
    assert!(
        evidence
            .out
            .stderr
            .contains("cleaning up (for at most 3 s)"),
        "{}",
        evidence.out.show()
    );
}

#[test]
fn control_characters_from_the_server_reach_no_output_raw() {
    let server = Hostile::start(Behaviour {
        forged_text: true,
        ..behaviour()
    });
    let evidence = run_filtered(&server, WRITERS, &[]);
    evidence.assert_safe(&server, exit::CONFORMANCE_FAILURE, WITHIN);
    for (name, text) in evidence.outputs() {
        for c in ['\r', '\u{1b}', '\u{8}', '\u{202e}'] {
            assert!(!text.contains(c), "{c:?} in {name}:\n{text:?}");
        }
    }
    assert!(FORGERY.starts_with('\r'));
    assert!(
        evidence
            .out
            .stdout
            .contains("\\r     PASS [    1 ms] users.create.basic"),
        "the forged line is shown escaped\n{}",
        evidence.out.show()
    );
}
