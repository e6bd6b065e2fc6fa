//! Announcements from the client that a person watching the run should see: mostly a
//! server asking to wait a long time. Repeats of the same words within a short time are
//! said once, so a server answering 429 to every job does not flood the console.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::time::Instant;

/// Waits at least this long are announced even when granted in full.
pub const WORTH_SAYING: Duration = Duration::from_secs(5);

/// The same words are not said again within this time.
const QUIET: Duration = Duration::from_secs(10);

type Sink = Arc<dyn Fn(String) + Send + Sync>;

#[derive(Default)]
pub struct Notices {
    sink: RwLock<Option<Sink>>,
    last: Mutex<Option<(String, Instant)>>,
}

impl Notices {
    pub fn set(&self, sink: impl Fn(String) + Send + Sync + 'static) {
        *self.sink.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(sink));
    }

    pub fn say(&self, text: String) {
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if let Some((said, at)) = last.as_ref()
                && *said == text
                && now.duration_since(*at) < QUIET
            {
                return;
            }
            *last = Some((text.clone(), now));
        }
        let sink = self.sink.read().unwrap_or_else(|e| e.into_inner()).clone();
        match sink {
            Some(sink) => sink(text),
            None => eprintln!("note: {text}"),
        }
    }
}

/// `30 s`, `1.5 s`: whole seconds when whole.
pub fn seconds(wait: Duration) -> String {
    if wait.subsec_millis() == 0 {
        format!("{} s", wait.as_secs())
    } else {
        format!("{:.1} s", wait.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn repeats_are_said_once_within_the_quiet_time() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let notices = Notices::default();
        let sink = heard.clone();
        notices.set(move |text| sink.lock().unwrap().push(text));
        notices.say("a".into());
        notices.say("a".into());
        notices.say("b".into());
        tokio::time::advance(QUIET).await;
        notices.say("b".into());
        assert_eq!(*heard.lock().unwrap(), ["a", "b", "b"]);
    }

    #[test]
    fn waits_read_in_seconds() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
