//! Pacing of our own when the server rate-limits and no `--rate-limit` was given:
//! after repeated 429 answers, request starts are spaced at a rate that grows a little
//! with every answer that is not a 429 (additive increase) and halves with every 429
//! (multiplicative decrease), as TCP does with its window. The rate the run fell back to
//! is what the end of the run suggests for `--rate-limit`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// 429 answers before pacing starts: one may be a blip.
const REPEATED: u64 = 2;
/// Answers kept to estimate, when pacing starts, what the server accepts.
const RECENT_ANSWERS: usize = 64;
/// Requests per second gained per second of answers without a 429 (about: each answer
/// adds `INCREASE / rate`): slow, so a run stays below the limit it found for a while.
const INCREASE: f64 = 0.5;
/// The rate is halved on a 429...
const DECREASE: f64 = 0.5;
/// ...but never below this, so a run always moves on (a server's Retry-After still
/// holds requests back for longer).
const MIN_RATE: f64 = 0.5;
/// No faster than this, whatever the estimate.
const MAX_RATE: f64 = 1000.0;

/// What a rate-limited run should tell the user at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateAdvice {
    /// 429 answers received.
    pub rate_limited: u64,
    /// Requests per second to pass as `--rate-limit`.
    pub suggested: u32,
}

impl RateAdvice {
    pub fn sentence(&self) -> String {
        format!(
            "the server rate-limited {} {}; rerun with --rate-limit {}",
            self.rate_limited,
            if self.rate_limited == 1 {
                "request"
            } else {
                "requests"
            },
            self.suggested
        )
    }
}

#[derive(Debug, Default)]
pub struct AdaptiveRate {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests per second; `None` until the server has rate-limited repeatedly.
    rate: Option<f64>,
    next_slot: Option<Instant>,
    /// When recent answers came that were not 429s.
    recent_accepted: VecDeque<Instant>,
    rate_limited: u64,
    last_decrease: Option<Instant>,
    /// The rate the last decrease fell back to.
    fell_back_to: Option<f64>,
}

impl State {
    /// Answers that were not 429s in the last second: what the server accepted per
    /// second before it started refusing (at least one request per second).
    fn accepted_rate(&self, now: Instant) -> f64 {
        let second_ago = now.checked_sub(Duration::from_secs(1));
        let accepted = self
            .recent_accepted
            .iter()
            .filter(|at| second_ago.is_none_or(|ago| **at >= ago))
            .count();
        (accepted as f64).max(1.0)
    }

    fn decrease(&mut self, from: f64, now: Instant) {
        let rate = (from * DECREASE).clamp(MIN_RATE, MAX_RATE);
        self.rate = Some(rate);
        self.fell_back_to = Some(rate);
        self.last_decrease = Some(now);
    }
}

impl AdaptiveRate {
    /// Waits for this request's turn; the instant it got is passed to `answered`.
    pub async fn turn(&self) -> Instant {
        let slot = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            match state.rate {
                None => now,
                Some(rate) => {
                    let slot = state.next_slot.map_or(now, |next| next.max(now));
                    state.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
                    slot
                }
            }
        };
        // A sleep, even one already due, waits for the timer's next tick (about 1 ms):
        // a request that need not wait must not pay it.
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
        slot
    }

    /// The server answered the request that started at `started`.
    pub fn answered(&self, started: Instant, rate_limited: bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if !rate_limited {
            if state.recent_accepted.len() == RECENT_ANSWERS {
                state.recent_accepted.pop_front();
            }
            state.recent_accepted.push_back(now);
            if let Some(rate) = state.rate {
                state.rate = Some((rate + INCREASE / rate).min(MAX_RATE));
            }
            return;
        }
        state.rate_limited += 1;
        match state.rate {
            None if state.rate_limited >= REPEATED => {
                let accepted = state.accepted_rate(now);
                state.decrease(accepted, now);
            }
            None => {}
            // Requests sent before the last decrease answer for the old rate.
            Some(rate) if state.last_decrease.is_none_or(|at| started >= at) => {
                state.decrease(rate, now);
            }
            Some(_) => {}
        }
    }

    /// What to tell the user, once pacing has started.
    pub fn advice(&self) -> Option<RateAdvice> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let fell_back_to = state.fell_back_to?;
        Some(RateAdvice {
            rate_limited: state.rate_limited,
            suggested: (fell_back_to.floor() as u32).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(adaptive: &AdaptiveRate) -> Option<f64> {
        adaptive.state.lock().unwrap().rate
    }

    #[tokio::test(start_paused = true)]
    async fn one_429_changes_nothing_and_a_second_halves_what_the_server_accepted() {
        let adaptive = AdaptiveRate::default();
        let mut started = Vec::new();
        for _ in 0..12 {
            started.push(adaptive.turn().await);
            tokio::time::advance(Duration::from_millis(100)).await;
        }
        // Ten accepted in the last second (one more, older, does not count).
        for at in &started[..11] {
            adaptive.answered(*at, false);
            tokio::time::advance(Duration::from_millis(100)).await;
        }
        adaptive.answered(started[10], true);
        assert_eq!(rate(&adaptive), None);
        assert_eq!(adaptive.advice(), None);
        adaptive.answered(started[11], true);
        let paced = rate(&adaptive).unwrap();
        assert!((paced - 5.0).abs() < 0.01, "10/s halved, not {paced}");
        assert_eq!(
            adaptive.advice(),
            Some(RateAdvice {
                rate_limited: 2,
                suggested: 5
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn paced_starts_are_spaced_and_answers_speed_them_up() {
        let adaptive = AdaptiveRate::default();
        let first = adaptive.turn().await;
        tokio::time::advance(Duration::from_millis(500)).await;
        let second = adaptive.turn().await;
        adaptive.answered(first, true);
        adaptive.answered(second, true);
        // Nothing accepted yet: one per second, halved.
        assert_eq!(rate(&adaptive), Some(0.5));
        let a = adaptive.turn().await;
        let b = adaptive.turn().await;
        assert_eq!(b - a, Duration::from_secs(2));
        adaptive.answered(b, false);
        assert_eq!(rate(&adaptive), Some(1.5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_to_a_request_sent_before_the_last_decrease_does_not_halve_again() {
        let adaptive = AdaptiveRate::default();
        let early = adaptive.turn().await;
        tokio::time::advance(Duration::from_millis(250)).await;
        let late = adaptive.turn().await;
        for _ in 0..8 {
            adaptive.answered(early, false);
        }
        adaptive.answered(early, true);
        adaptive.answered(late, true);
        let after_first = rate(&adaptive).unwrap();
        assert_eq!(after_first, 4.0);
        adaptive.answered(early, true);
        assert_eq!(rate(&adaptive), Some(after_first));
        tokio::time::advance(Duration::from_millis(10)).await;
        let next = adaptive.turn().await;
        adaptive.answered(next, true);
        assert_eq!(rate(&adaptive), Some(after_first / 2.0));
    }

    #[test]
    fn the_advice_reads_as_a_sentence() {
        let advice = RateAdvice {
            rate_limited: 12,
            suggested: 3,
        };
        assert_eq!(
            advice.sentence(),
            "the server rate-limited 12 requests; rerun with --rate-limit 3"
        );
    }
}
