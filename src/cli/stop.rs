//! Ending a run early. A signal (SIGINT, SIGTERM, SIGHUP) or the deadline stops new
//! scenarios and lets the running ones finish their current request and clean up; the
//! reports are written as usual. Cleanup itself gets `CLEANUP_GRACE`, after which what
//! it has not done is listed as left behind. A second signal quits at once and says
//! what the run leaves on the target.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::mpsc::WeakUnboundedSender;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::Client;
use crate::exit;
use crate::result::{EarlyStop, RunEvent};
use crate::run::Stop;

/// How long cleanup may go on after a stop before it gives up (after a deadline, no
/// longer than the deadline itself: a 10 s smoke run does not clean up for a minute).
pub const CLEANUP_GRACE: Duration = Duration::from_secs(60);

/// What stopped the run early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Signal(Signal),
    Deadline,
}

impl Cause {
    pub fn exit_code(self) -> i32 {
        match self {
            Cause::Signal(Signal::Interrupt) => exit::INTERRUPTED,
            Cause::Signal(Signal::Terminate) => exit::TERMINATED,
            Cause::Signal(Signal::HangUp) => exit::HANGUP,
            Cause::Deadline => exit::DEADLINE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
    HangUp,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::HangUp => "SIGHUP",
        }
    }
}

/// What the watcher acts on.
pub struct Controls {
    /// The run's stop handle: cancelling stops new scenarios, abandoning ends cleanup.
    pub stop: Stop,
    pub client: Arc<Client>,
    /// The console, while it listens.
    pub events: WeakUnboundedSender<RunEvent>,
}

/// The running watcher; dropping it stops watching.
pub struct Watcher {
    cause: Arc<OnceLock<Cause>>,
    task: JoinHandle<()>,
}

impl Watcher {
    /// What stopped the run, if anything did.
    pub fn cause(&self) -> Option<Cause> {
        self.cause.get().copied()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching for signals and for `deadline` (from now).
pub fn watch(controls: Controls, deadline: Duration) -> Watcher {
    let cause = Arc::new(OnceLock::new());
    let deadline_at = Instant::now() + deadline;
    controls.client.set_deadline(deadline_at);
    let task = tokio::spawn(run(controls, cause.clone(), deadline, deadline_at));
    Watcher { cause, task }
}

async fn run(c: Controls, cause: Arc<OnceLock<Cause>>, deadline: Duration, deadline_at: Instant) {
    let mut signals = Signals::new();
    let mut signalled = false;
    let mut abandon_at: Option<Instant> = None;
    loop {
        let grace_over = async {
            match abandon_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            signal = signals.next() => {
                if signalled {
                    quit_now(&c, signal);
                }
                signalled = true;
                let _ = cause.set(Cause::Signal(signal));
                c.stop.reason.set(EarlyStop {
                    reason: match signal {
                        Signal::Interrupt => "Interrupted".to_owned(),
                        other => format!("Interrupted by {}", other.name()),
                    },
                    exit_code: Cause::Signal(signal).exit_code(),
                });
                eprintln!("{}", first_signal_words(signal));
                abandon_at = abandon_at.or_else(|| Some(stop(&c, CLEANUP_GRACE)));
            }
            () = tokio::time::sleep_until(deadline_at), if abandon_at.is_none() => {
                let _ = cause.set(Cause::Deadline);
                let limit = human(deadline);
                c.stop.reason.set(EarlyStop {
                    reason: format!("Stopped: the deadline of {limit} passed"),
                    exit_code: Cause::Deadline.exit_code(),
                });
                let grace = deadline.min(CLEANUP_GRACE);
                let words = format!(
                    "deadline of {limit} reached: no new scenarios start; cleaning up (for at \
                     most {}) and writing the reports",
                    human(grace)
                );
                eprintln!("{words}");
                notify(&c, words);
                abandon_at = Some(stop(&c, grace));
            }
            () = grace_over, if !c.stop.abandon.is_cancelled() => {
                let words = "cleanup did not finish in the time it had after the stop; what it \
                             has not done is listed as left on the target"
                    .to_owned();
                eprintln!("{words}");
                notify(&c, words);
                c.stop.abandon.cancel();
            }
        }
    }
}

fn notify(c: &Controls, words: String) {
    if let Some(console) = c.events.upgrade() {
        let _ = console.send(RunEvent::Notice(words));
    }
}

/// Stops new work and starts the cleanup's grace; returns when the grace ends.
fn stop(c: &Controls, grace: Duration) -> Instant {
    let grace_end = Instant::now() + grace;
    c.client.set_deadline(grace_end);
    c.stop.cancel.cancel();
    grace_end
}

fn first_signal_words(signal: Signal) -> String {
    match signal {
        Signal::Interrupt => "\ninterrupted: stopping after the requests in flight and cleaning \
                              up (Ctrl-C again to quit now)"
            .to_owned(),
        other => format!(
            "\ninterrupted by {0}: stopping after the requests in flight, cleaning up and \
             writing the reports ({0} again to quit now)",
            other.name()
        ),
    }
}

/// The second signal: out at once, saying what stays on the target.
fn quit_now(c: &Controls, signal: Signal) -> ! {
    let held = c.stop.held.list();
    if held.is_empty() {
        eprintln!("interrupted twice: exiting now, without cleanup; nothing is known to be left");
    } else {
        eprintln!(
            "interrupted twice: exiting now, without cleanup; left on the target ({}):",
            held.len()
        );
        for what in held {
            eprintln!("  {}", c.client.redactor().text(&what));
        }
    }
    std::process::exit(Cause::Signal(signal).exit_code())
}

/// `30 min`, `90 s`, `2 h`.
fn human(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{} s", duration.as_secs_f64())
    }
}

/// The signals that stop a run, as one stream.
struct Signals {
    #[cfg(unix)]
    streams: Option<[(Signal, tokio::signal::unix::Signal); 3]>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = (|| {
                Some([
                    (Signal::Interrupt, signal(SignalKind::interrupt()).ok()?),
                    (Signal::Terminate, signal(SignalKind::terminate()).ok()?),
                    (Signal::HangUp, signal(SignalKind::hangup()).ok()?),
                ])
            })();
            Signals { streams }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    /// The next signal; pending forever when none can be watched.
    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            let Some([(a, sa), (b, sb), (c, sc)]) = &mut self.streams else {
                return std::future::pending().await;
            };
            tokio::select! {
                Some(()) = sa.recv() => *a,
                Some(()) = sb.recv() => *b,
                Some(()) = sc.recv() => *c,
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => std::future::pending().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_has_its_exit_code() {
        assert_eq!(Cause::Signal(Signal::Interrupt).exit_code(), 130);
        assert_eq!(Cause::Signal(Signal::Terminate).exit_code(), 143);
        assert_eq!(Cause::Signal(Signal::HangUp).exit_code(), 129);
        assert_eq!(Cause::Deadline.exit_code(), 124);
    }

    #[test]
    fn durations_read_in_their_largest_whole_unit() {
        assert_eq!(human(Duration::from_secs(1800)), "30 min");
        assert_eq!(human(Duration::from_secs(7200)), "2 h");
        assert_eq!(human(Duration::from_secs(90)), "90 s");
        assert_eq!(human(Duration::from_millis(2500)), "2.5 s");
    }
}
