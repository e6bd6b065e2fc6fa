//! A pause that every request of one client honours after a 429: one job's "too many
//! requests" slows all jobs down, instead of each of them finding out on its own.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Default)]
pub struct SharedPause {
    until: Mutex<Option<Instant>>,
}

impl SharedPause {
    /// No request starts before `wait` from now (a longer pause already set stays).
    pub fn extend(&self, wait: Duration) {
        let end = Instant::now() + wait;
        let mut until = self.until.lock().unwrap_or_else(|e| e.into_inner());
        if until.is_none_or(|current| current < end) {
            *until = Some(end);
        }
    }

    /// Waits out the pause, if one is set.
    pub async fn wait(&self) {
        let until = *self.until.lock().unwrap_or_else(|e| e.into_inner());
        // Only a pause still running: a due sleep still waits for the timer's next tick.
        if let Some(until) = until.filter(|u| *u > tokio::time::Instant::now()) {
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_later_requests_and_never_shortens() {
        let pause = SharedPause::default();
        let start = Instant::now();
        pause.extend(Duration::from_secs(2));
        pause.extend(Duration::from_secs(1));
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
