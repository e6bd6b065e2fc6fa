//! Ctrl-C in the middle of a run: the binary stops starting scenarios, deletes what it
//! created, says it was interrupted and exits 130.

use crate::support::cli;

use std::process::Stdio;
use std::time::{Duration, Instant};

use cli::{Finished, Lines, RefServer, Running, write};
use scimcheck::exit;

const TOKEN: &str = "interrupt-token-77aa";

/// A scenario that holds a user for a long time: one create, then many reads, which a
/// rate limit spreads over seconds.
fn slow_scenario() -> String {
    let mut text = String::from(
        "id: custom.holds-a-user\n\
         title: Creates a user and reads it many times\n\
         steps:\n  \
           - name: create\n    \
             request:\n      \
               method: POST\n      \
               path: /Users\n      \
               body:\n        \
                 schemas: [urn:ietf:params:scim:schemas:core:2.0:User]\n        \
                 userName: \"{{ unique.email }}\"\n    \
             expect: { status: 201 }\n    \
             capture: { user: body.id }\n",
    );
    for i in 0..40 {
        text.push_str(&format!(
            "  - name: read-{i}\n    \
               request: {{ method: GET, path: \"/Users/{{{{ user }}}}\" }}\n    \
               expect: {{ status: 200 }}\n"
        ));
    }
    text
}

/// A run against `server` with stdout and stderr followed line by line.
struct LiveRun {
    child: Running,
    stdout: Lines,
    stderr: Lines,
}

impl LiveRun {
    fn start(server: &RefServer, args: &[&str]) -> LiveRun {
        let mut command = server.run_command(TOKEN);
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Running::spawn(&mut command);
        let stdout = Lines::follow(child.child.stdout.take().expect("piped"));
        let stderr = Lines::follow(child.child.stderr.take().expect("piped"));
        LiveRun {
            child,
            stdout,
            stderr,
        }
    }

    /// Sends SIGINT and waits for the exit.
    fn interrupt(self) -> Finished {
        self.stop_with(libc::SIGINT)
    }

    /// Sends the named signal and waits for the exit.
    fn stop_with(self, signal: libc::c_int) -> Finished {
        self.child.signal(signal);
        self.finish()
    }

    /// Waits for the exit.
    fn finish(mut self) -> Finished {
        let status = self.child.wait_for_exit(Duration::from_secs(30));
        Finished {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.rest(),
            stderr: self.stderr.rest(),
        }
    }
}

/// Polls until the server holds more users than `before` (the run has created one).
fn wait_for_a_created_user(server: &RefServer, before: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.users() <= before {
        assert!(Instant::now() < deadline, "the run never created a user");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What every interrupted run shows: exit 130, the interruption on both streams, and no
/// invented conformance failure (a scenario cut short is an error that says why, one
/// that never started is skipped with the reason).
fn assert_interrupted(out: &Finished) {
    out.assert_code(exit::INTERRUPTED).assert_no_panic();
    assert!(out.stderr.contains("interrupted"), "{}", out.show());
    assert!(
        out.stdout.contains("Cancelling: no new scenarios start"),
        "{}",
        out.show()
    );
    assert!(out.stdout.contains("Interrupted"), "{}", out.show());
    for line in out.stdout.lines().map(str::trim_start) {
        assert!(!line.starts_with("FAIL"), "{line}\n{}", out.show());
        if line.starts_with("SKIP") {
            assert!(
                line.ends_with(": run interrupted"),
                "{line}\n{}",
                out.show()
            );
        }
    }
    let errors = out
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("ERROR ["))
        .count();
    let reasons = out.stdout.matches("          run interrupted ").count();
    assert_eq!(
        errors,
        reasons,
        "every error gives the interruption as its reason\n{}",
        out.show()
    );
}

#[test]
fn sigint_while_a_scenario_holds_a_user_deletes_it_and_exits_130() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "slow.yaml", &slow_scenario());
    let before = server.users();

    // 41 requests at 10 per second: the user exists for about four seconds.
    let run = LiveRun::start(
        &server,
        &[
            "--no-builtin",
            "--suite",
            suite.to_str().unwrap(),
            "--rate-limit",
            "10",
        ],
    );
    wait_for_a_created_user(&server, before);
    let out = run.interrupt();

    assert_interrupted(&out);
    assert!(
        out.stdout.contains("ERROR") && out.stdout.contains("custom.holds-a-user"),
        "the scenario was cut short\n{}",
        out.show()
    );
    assert_eq!(
        server.users(),
        before,
        "left behind: {:?}\n{}",
        server.user_names(),
        out.show()
    );
}

#[test]
fn sigint_in_the_middle_of_the_users_subset_cleans_up_and_exits_130() {
    let server = RefServer::start(Some(TOKEN));
    let bystander = server.create_user("bystander@example.com");
    let before = (server.users(), server.groups());

    // A rate limit keeps the run going long enough to be interrupted in the middle.
    let mut run = LiveRun::start(
        &server,
        &["--jobs", "2", "--tag", "users", "--rate-limit", "20"],
    );
    run.stdout.wait_for(Duration::from_secs(30), |line| {
        let line = line.trim_start();
        line.starts_with("PASS") || line.starts_with("FAIL")
    });
    // Interrupt while the run holds something, so cleanup has work to do.
    wait_for_a_created_user(&server, before.0);
    let out = run.interrupt();

    assert_interrupted(&out);
    let cli::Tally {
        passed, skipped, ..
    } = out.tally();
    assert!(passed >= 1, "{}", out.show());
    assert!(
        skipped >= 1,
        "the run was cut short, so some scenarios never ran\n{}",
        out.show()
    );
    // Cleanup happens before the exit, so the counts are exact at once.
    assert_eq!(
        (server.users(), server.groups()),
        before,
        "left behind: {:?}\n{}",
        server.user_names(),
        out.show()
    );
    assert!(
        server.user_name(&bystander).is_some(),
        "the bystander is gone"
    );
}

/// SIGTERM (what CI runners send on cancel) and SIGHUP (a closed terminal) end a run the
/// way Ctrl-C does: cleanup, every report written, their own exit code.
#[test]
fn sigterm_and_sighup_clean_up_write_the_reports_and_exit_143_and_129() {
    for (signal, code, name) in [
        (libc::SIGTERM, exit::TERMINATED, "SIGTERM"),
        (libc::SIGHUP, exit::HANGUP, "SIGHUP"),
    ] {
        let server = RefServer::start(Some(TOKEN));
        let dir = tempfile::tempdir().expect("tempdir");
        let suite = write(dir.path(), "slow.yaml", &slow_scenario());
        let json = dir.path().join("report.json");
        let junit = dir.path().join("junit.xml");
        let before = server.users();
        let run = LiveRun::start(
            &server,
            &[
                "--no-builtin",
                "--suite",
                suite.to_str().unwrap(),
                "--rate-limit",
                "10",
                "--report-json",
                json.to_str().unwrap(),
                "--report-junit",
                junit.to_str().unwrap(),
            ],
        );
        wait_for_a_created_user(&server, before);
        let out = run.stop_with(signal);

        out.assert_code(code).assert_no_panic();
        assert!(
            out.stderr.contains(&format!("interrupted by {name}")),
            "{}",
            out.show()
        );
        assert!(
            out.stdout.contains(&format!("Interrupted by {name}")),
            "{}",
            out.show()
        );
        assert_eq!(
            server.users(),
            before,
            "{name}: left behind\n{}",
            out.show()
        );
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report"))
                .expect("valid JSON");
        assert_eq!(report["run"]["interrupted"], true);
        assert_eq!(
            report["run"]["stop_reason"],
            format!("Interrupted by {name}")
        );
        assert!(junit.exists(), "{name}: no JUnit report");
    }
}

/// A second signal does not wait for cleanup: the process ends at once and names what it
/// leaves on the target.
#[test]
fn a_second_signal_quits_at_once_and_lists_what_is_left() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "slow.yaml", &slow_scenario());
    let before = server.users();
    // One request a second: the first signal's cleanup waits its turn, and the second
    // signal arrives before it is done.
    let mut run = LiveRun::start(
        &server,
        &[
            "--no-builtin",
            "--suite",
            suite.to_str().unwrap(),
            "--rate-limit",
            "1",
        ],
    );
    wait_for_a_created_user(&server, before);
    run.child.signal(libc::SIGTERM);
    run.stderr.wait_for(Duration::from_secs(10), |line| {
        line.contains("interrupted by SIGTERM")
    });
    let started = Instant::now();
    let out = run.stop_with(libc::SIGTERM);
    assert!(started.elapsed() < Duration::from_secs(5), "{}", out.show());
    out.assert_code(exit::TERMINATED).assert_no_panic();
    assert!(
        out.stderr.contains("interrupted twice: exiting now"),
        "{}",
        out.show()
    );
    let ids = server.user_ids_with_prefix("scimcheck-");
    assert_eq!(ids.len(), 1, "{}", out.show());
    assert!(
        out.stderr.contains(&format!("/Users/{}", ids[0])),
        "the user left behind is named\n{}",
        out.show()
    );
    server.delete_user(&ids[0]);
}

/// `--deadline` bounds the whole run: when it passes, the run stops like an interrupt,
/// cleans up, writes its reports, says why, and exits 124.
#[test]
fn the_deadline_stops_the_run_cleans_up_writes_the_reports_and_exits_124() {
    let server = RefServer::start(Some(TOKEN));
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write(dir.path(), "slow.yaml", &slow_scenario());
    let markdown = dir.path().join("summary.md");
    let before = server.users();
    let started = Instant::now();
    let run = LiveRun::start(
        &server,
        &[
            "--no-builtin",
            "--suite",
            suite.to_str().unwrap(),
            "--rate-limit",
            "5",
            "--deadline",
            "2s",
            "--report-markdown",
            markdown.to_str().unwrap(),
        ],
    );
    let out = run.finish();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{}",
        out.show()
    );
    out.assert_code(exit::DEADLINE).assert_no_panic();
    assert!(
        out.stderr.contains("deadline of 2 s reached"),
        "{}",
        out.show()
    );
    assert!(
        out.stdout.contains("Stopped: the deadline of 2 s passed"),
        "{}",
        out.show()
    );
    assert_eq!(server.users(), before, "left behind\n{}", out.show());
    let summary = std::fs::read_to_string(&markdown).expect("the Markdown report");
    assert!(summary.contains("deadline of 2 s passed"), "{summary}");
}

#[test]
fn a_deadline_that_is_not_a_duration_is_refused() {
    let out = cli::run(&["run", "--deadline", "soon", "--no-progress"]);
    out.assert_code(exit::USAGE).assert_no_panic();
    assert!(out.stderr.contains("--deadline"), "{}", out.show());
    let mut command = cli::scimcheck();
    command
        .args(["run", "--no-progress"])
        .env("SCIMCHECK_DEADLINE", "0");
    let out = cli::finish(command);
    out.assert_code(exit::USAGE);
    assert!(out.stderr.contains("SCIMCHECK_DEADLINE") || out.stderr.contains("--deadline"));
}
