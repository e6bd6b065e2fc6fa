//! Memory stays bounded whatever the server sends: a whole run against a server that
//! answers every request with 8 MiB, and a run against one whose answers are just
//! under the body cap (so they are read, parsed, checked and recorded), each peak under
//! 100 MB of resident memory. The peak is the child's own high-water mark as the kernel
//! reports it when the process is reaped (wait4), so no spike at the end is missed.
//!
//! Linux only: elsewhere the tests say they are skipped.

use crate::support::cli;
use crate::support::hostile;

use std::time::{Duration, Instant};

use hostile::{Behaviour, Hostile};

const TOKEN: &str = "memory-token-31337";
const LIMIT_BYTES: u64 = 100 * 1024 * 1024;

/// Exit code and peak resident memory in bytes of `scimcheck ARGS` against `server`.
// The child is reaped by wait4, which clippy cannot see.
#[allow(clippy::zombie_processes)]
#[cfg(target_os = "linux")]
fn peak_of_run(server: &Hostile, args: &[&str], patience: Duration) -> (i32, u64, String) {
    use std::io::Read;
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = cli::scimcheck();
    command
        .args([
            "run",
            "--url",
            &server.base,
            "--token-env",
            "TOK",
            "--no-progress",
        ])
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .arg("--report-html")
        .arg(dir.path().join("report.html"))
        .arg("--report-junit")
        .arg(dir.path().join("junit.xml"))
        .arg("--transcript")
        .arg(dir.path().join("transcripts"))
        .args(args)
        .env("TOK", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("scimcheck starts");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let pid = child.id() as libc::pid_t;
    let deadline = Instant::now() + patience;
    loop {
        let mut status = 0;
        // SAFETY: plain libc call on our own child; `usage` is written by the kernel.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            let code = if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            };
            // ru_maxrss is in KiB on Linux.
            let peak = u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024;
            return (code, peak, reader.join().unwrap_or_default());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("scimcheck did not finish within {patience:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(target_os = "linux")]
#[track_caller]
fn assert_bounded(code: i32, peak: u64, stdout: &str) {
    eprintln!("peak resident memory: {:.1} MiB", peak as f64 / 1048576.0);
    assert!(peak > 0, "no peak measured");
    assert!(
        peak < LIMIT_BYTES,
        "peak resident memory {:.1} MiB is over 100 MB\n{stdout}",
        peak as f64 / 1048576.0
    );
    assert!(
        matches!(code, 1 | 5),
        "exit {code}: a verdict or an incomplete run\n{stdout}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_whole_run_against_a_server_answering_8_mib_stays_under_100_mb() {
    let server = Hostile::start(Behaviour {
        token: TOKEN.into(),
        padding: Some(8 * 1024 * 1024),
        ..Behaviour::default()
    });
    let (code, peak, stdout) = peak_of_run(&server, &[], Duration::from_secs(300));
    assert!(stdout.contains("response too large"), "{stdout}");
    assert_bounded(code, peak, &stdout);
}

#[cfg(target_os = "linux")]
#[test]
fn answers_just_under_the_body_cap_are_read_and_recorded_in_under_100_mb() {
    let server = Hostile::start(Behaviour {
        token: TOKEN.into(),
        padding: Some(3 * 1024 * 1024 + 512 * 1024),
        ..Behaviour::default()
    });
    let (code, peak, stdout) = peak_of_run(
        &server,
        &["--filter", "users.create", "--filter", "users.read"],
        Duration::from_secs(300),
    );
    assert!(!stdout.contains("response too large"), "{stdout}");
    assert_bounded(code, peak, &stdout);
}

#[cfg(not(target_os = "linux"))]
#[test]
fn memory_is_measured_on_linux_only() {
    eprintln!("skipped: peak resident memory is read with wait4 on Linux only");
}
