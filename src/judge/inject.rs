//! Fault injection: which requests get a 429, a 500 or a lost answer instead of the
//! server's, so a judged client shows whether it retries and recovers. The choice is
//! deterministic (the same client run gets the same faults), so results can be compared
//! between runs and asserted in CI.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use serde_json::json;

use crate::server::{Canned, Intervention};

/// How long an answer is held back for a `timeout` fault when not configured.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(5);
/// The Retry-After of an injected 429, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 1;

const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// 429 with Retry-After; the request is not carried out.
    TooManyRequests,
    /// 500; the request is not carried out.
    ServerError,
    /// The request is carried out, but its answer is held back and then replaced by a
    /// 504, as a gateway that gave up waiting would answer. Only writes get it: a lost
    /// answer to a read costs nothing.
    Timeout,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests => "429",
            Fault::ServerError => "500",
            Fault::Timeout => "timeout",
        }
    }

    fn applies_to(self, write: bool) -> bool {
        self != Fault::Timeout || write
    }

    /// What the client gets instead of the server's answer.
    pub fn intervention(self, hold: Duration) -> Intervention {
        let error = |status: StatusCode, detail: &str| Canned {
            status,
            headers: Vec::new(),
            body: json!({
                "schemas": [ERROR_SCHEMA],
                "status": status.as_u16().to_string(),
                "detail": format!("{detail} (injected by scimcheck judge)"),
            }),
        };
        match self {
            Fault::TooManyRequests => {
                let mut canned = error(StatusCode::TOO_MANY_REQUESTS, "too many requests");
                canned
                    .headers
                    .push((RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS)));
                Intervention::Answer(canned)
            }
            Fault::ServerError => Intervention::Answer(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error",
            )),
            Fault::Timeout => Intervention::Withhold {
                hold,
                answer: error(
                    StatusCode::GATEWAY_TIMEOUT,
                    "the service did not answer in time",
                ),
            },
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "429" => Ok(Fault::TooManyRequests),
            "500" => Ok(Fault::ServerError),
            "timeout" => Ok(Fault::Timeout),
            other => Err(format!(
                "unknown fault '{other}' (faults: 429, 500, timeout)"
            )),
        }
    }
}

/// `429,500,timeout` into faults, each once, in the order given.
pub fn parse_faults(list: &str) -> Result<Vec<Fault>, String> {
    let mut faults = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let fault: Fault = item.parse()?;
        if !faults.contains(&fault) {
            faults.push(fault);
        }
    }
    if faults.is_empty() {
        return Err("--inject names no fault (faults: 429, 500, timeout)".to_owned());
    }
    Ok(faults)
}

/// Which judged requests get which fault.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// No faults.
    None,
    /// About `rate` of the requests get a fault, evenly spread: request n is picked when
    /// `floor(n * rate)` goes up. The faults take turns in the order given; when the
    /// fault whose turn it is does not apply to the picked request (`timeout` on a read),
    /// it waits for the next request it applies to, so every fault listed gets its turn.
    Rate {
        faults: Vec<Fault>,
        rate: f64,
        hold: Duration,
    },
    /// Exactly these requests (by the judge's count of requests), for tests.
    At {
        faults: BTreeMap<u64, Fault>,
        hold: Duration,
    },
}

/// The schedule and how far it has got.
#[derive(Debug, Clone)]
pub struct Injector {
    schedule: Schedule,
    counted: u64,
    owed: bool,
    turn: usize,
}

impl Injector {
    pub fn new(schedule: Schedule) -> Self {
        Injector {
            schedule,
            counted: 0,
            owed: false,
            turn: 0,
        }
    }

    /// The fault for the next judged request, if any; `write` says whether it changes
    /// anything (POST, PUT, PATCH, DELETE).
    pub fn next(&mut self, write: bool) -> Option<(Fault, Duration)> {
        self.counted += 1;
        let n = self.counted;
        match &self.schedule {
            Schedule::None => None,
            Schedule::At { faults, hold } => faults
                .get(&n)
                .filter(|f| f.applies_to(write))
                .map(|f| (*f, *hold)),
            Schedule::Rate { faults, rate, hold } => {
                let picked = (n as f64 * rate).floor() > ((n - 1) as f64 * rate).floor();
                self.owed |= picked;
                if !self.owed || faults.is_empty() {
                    return None;
                }
                let fault = faults[self.turn % faults.len()];
                if !fault.applies_to(write) {
                    return None;
                }
                self.turn = (self.turn + 1) % faults.len();
                self.owed = false;
                Some((fault, *hold))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(faults: &str, rate: f64) -> Injector {
        Injector::new(Schedule::Rate {
            faults: parse_faults(faults).unwrap(),
            rate,
            hold: DEFAULT_HOLD,
        })
    }

    #[test]
    fn a_quarter_picks_every_fourth_request_and_the_faults_take_turns() {
        let mut injector = rate("429,500", 0.25);
        let got: Vec<Option<&str>> = (0..8)
            .map(|_| injector.next(false).map(|(f, _)| f.name()))
            .collect();
        assert_eq!(
            got,
            vec![None, None, None, Some("429"), None, None, None, Some("500")]
        );
    }

    #[test]
    fn a_timeout_waits_for_the_next_write() {
        let mut injector = rate("timeout", 0.5);
        assert_eq!(injector.next(false), None);
        assert_eq!(injector.next(false), None, "picked, but a read");
        assert_eq!(injector.next(false), None);
        assert_eq!(
            injector.next(true).map(|(f, _)| f),
            Some(Fault::Timeout),
            "the owed fault goes to the first write"
        );
    }

    #[test]
    fn a_timeout_whose_turn_falls_on_a_read_keeps_its_turn_for_the_next_write() {
        let mut injector = rate("429,timeout", 0.5);
        assert_eq!(injector.next(false), None);
        assert_eq!(
            injector.next(false).map(|(f, _)| f),
            Some(Fault::TooManyRequests)
        );
        assert_eq!(injector.next(false), None);
        assert_eq!(injector.next(false), None, "the timeout's turn, but a read");
        assert_eq!(injector.next(true).map(|(f, _)| f), Some(Fault::Timeout));
        assert_eq!(
            injector.next(true).map(|(f, _)| f),
            Some(Fault::TooManyRequests),
            "the next pick is the 429's turn again"
        );
        assert_eq!(injector.next(true), None);
    }

    #[test]
    fn unknown_faults_are_refused_and_repeats_dropped() {
        assert!(parse_faults("429,503").unwrap_err().contains("'503'"));
        assert_eq!(
            parse_faults("429, 429,timeout").unwrap(),
            vec![Fault::TooManyRequests, Fault::Timeout]
        );
        assert!(parse_faults(" , ").is_err());
    }
}
