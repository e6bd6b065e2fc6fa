//! How many requests are on the wire at once.
//!
//! A server that closes its connection after every answer (an HTTP/1.0 answer, or
//! `Connection: close`: Python's wsgiref, which PyPI scim2-server runs on, does so) makes
//! every request a new TCP connection, and such servers tend to listen with a short
//! accept queue (5 for Python's socketserver). More connects at once than the queue holds
//! overflow it: the kernel drops the SYNs, and each dropped one costs the client a
//! retransmission 1 s later (then 3 s, 7 s, ...). More jobs then make a run slower, and
//! at 64 jobs requests time out. So once the server is seen closing a connection, at
//! most [`CLOSING_SERVER`] requests go at once; the rest wait their turn before their
//! timeout starts. A server that keeps connections alive is left alone: the pool keeps
//! one connection per job and never reconnects.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Requests at once before any answer was seen: more than a run ever has jobs.
const WIDE: usize = 1024;
/// Requests at once to a server that closes its connections: within the smallest common
/// accept queue.
pub const CLOSING_SERVER: usize = 4;

#[derive(Debug)]
pub struct InFlight {
    turns: Semaphore,
    narrowed: AtomicBool,
    /// Turns still to take away once their requests finish (they were out when the
    /// limit narrowed).
    debt: AtomicUsize,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight {
            turns: Semaphore::new(WIDE),
            narrowed: AtomicBool::new(false),
            debt: AtomicUsize::new(0),
        }
    }
}

/// A request's turn on the wire; given back (or taken away) when dropped.
pub struct Turn<'a> {
    permit: Option<SemaphorePermit<'a>>,
    owner: &'a InFlight,
}

impl InFlight {
    /// Waits for a turn to send a request.
    pub async fn enter(&self) -> Turn<'_> {
        Turn {
            // The semaphore is never closed, so acquiring only waits.
            permit: self.turns.acquire().await.ok(),
            owner: self,
        }
    }

    /// An answer arrived; `closes` says the server closes the connection after it.
    pub fn answered(&self, closes: bool) {
        if closes && !self.narrowed.swap(true, Ordering::SeqCst) {
            let removed = self.turns.forget_permits(WIDE - CLOSING_SERVER);
            self.debt
                .fetch_add(WIDE - CLOSING_SERVER - removed, Ordering::SeqCst);
        }
    }

    fn pay_debt(&self) -> bool {
        self.debt
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1))
            .is_ok()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take()
            && self.owner.pay_debt()
        {
            permit.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_closing_its_connections_gets_four_requests_at_once() {
        let in_flight = InFlight::default();
        let out: Vec<Turn> = futures_join(&in_flight, 6).await;
        // Narrowed while six were out: they come back as four turns.
        in_flight.answered(true);
        in_flight.answered(true);
        drop(out);
        assert_eq!(in_flight.turns.available_permits(), CLOSING_SERVER);
        let held: Vec<Turn> = futures_join(&in_flight, CLOSING_SERVER).await;
        let fifth = tokio::time::timeout(std::time::Duration::from_millis(50), in_flight.enter());
        assert!(fifth.await.is_err(), "a fifth request waits its turn");
        drop(held);
        assert_eq!(in_flight.turns.available_permits(), CLOSING_SERVER);
    }

    #[tokio::test]
    async fn a_server_keeping_connections_alive_is_not_limited() {
        let in_flight = InFlight::default();
        in_flight.answered(false);
        let held = futures_join(&in_flight, 300).await;
        assert_eq!(held.len(), 300);
        assert!(!in_flight.narrowed.load(Ordering::SeqCst));
    }

    async fn futures_join(in_flight: &InFlight, n: usize) -> Vec<Turn<'_>> {
        let mut turns = Vec::new();
        for _ in 0..n {
            turns.push(in_flight.enter().await);
        }
        turns
    }
}
