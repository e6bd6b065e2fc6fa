//! When an attempt is worth repeating, and how long to wait before the next one.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// The longest wait a `Retry-After` header can impose; longer values are capped.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Methods that RFC 9110 declares idempotent: repeating them after a 503 is safe.
pub fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

/// Whether an answer with this status may be retried. A 429 means the server refused
/// the request unprocessed (RFC 6585), so even a POST can be sent again; a 503 may come
/// after partial work, so only idempotent methods are repeated.
pub fn is_retryable_status(method: &str, status: u16) -> bool {
    match status {
        429 => true,
        503 => is_idempotent(method),
        _ => false,
    }
}

/// An idempotent request whose connection closed before any byte of an answer is sent
/// again (once, on a new connection): repeating it is safe whatever the server did with
/// the first. POST and PATCH never are: the first may have been applied.
pub fn is_closed_before_answer(method: &str, kind: super::TransportErrorKind) -> bool {
    kind == super::TransportErrorKind::Closed && is_idempotent(method)
}

/// What a failed attempt tells us about retrying.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryReason {
    /// 429 or 503 with the server's requested wait, if any.
    Status { retry_after: Option<Duration> },
    /// No connection was made, so nothing reached the server.
    Connect,
}

/// The backoff schedule between attempts.
pub fn schedule(max_retries: u32) -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .with_max_times(max_retries as usize)
        .build()
}

/// The delay before the next attempt: the server's `Retry-After` (capped) wins over
/// the backoff schedule.
pub fn delay(reason: &RetryReason, scheduled: Duration) -> Duration {
    match reason {
        RetryReason::Status {
            retry_after: Some(wait),
        } => (*wait).min(MAX_RETRY_AFTER),
        _ => scheduled,
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_posts_are_retried_but_unavailable_posts_are_not() {
        assert!(is_retryable_status("POST", 429));
        assert!(is_retryable_status("PATCH", 429));
        assert!(!is_retryable_status("POST", 503));
        assert!(is_retryable_status("GET", 503));
        assert!(!is_retryable_status("GET", 500));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_is_capped_and_wins_over_backoff() {
        let status = |s| RetryReason::Status {
            retry_after: Some(Duration::from_secs(s)),
        };
        let backoff = Duration::from_millis(300);
        assert_eq!(delay(&status(1), backoff), Duration::from_secs(1));
        assert_eq!(delay(&status(3600), backoff), MAX_RETRY_AFTER);
        assert_eq!(delay(&RetryReason::Connect, backoff), backoff);
    }

    #[test]
    fn schedule_gives_one_delay_per_allowed_retry() {
        assert_eq!(schedule(3).count(), 3);
        assert_eq!(schedule(0).count(), 0);
    }

    #[test]
    fn a_closed_connection_repeats_only_idempotent_requests() {
        use super::super::TransportErrorKind::{Closed, Other};
        for method in ["GET", "PUT", "DELETE"] {
            assert!(is_closed_before_answer(method, Closed), "{method}");
        }
        for method in ["POST", "PATCH"] {
            assert!(!is_closed_before_answer(method, Closed), "{method}");
        }
        assert!(!is_closed_before_answer("GET", Other));
    }

    #[test]
    fn only_idempotent_methods_repeat_after_a_response() {
        assert!(is_idempotent("GET") && is_idempotent("DELETE") && is_idempotent("PUT"));
        assert!(!is_idempotent("POST") && !is_idempotent("PATCH"));
    }
}
