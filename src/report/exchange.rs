//! HTTP-like text of one exchange, shared by JUnit `<system-out>`, transcripts and the
//! verbose console.
//!
//! Exchanges arrive redacted; this module writes what it is given, `[REDACTED]` included.
//! Bodies are shown as they went over the wire (not re-formatted), cut after
//! [`BODY_LIMIT`] bytes.

use std::fmt::Write as _;

use crate::result::Exchange;

/// Bytes of a body shown before it is cut; enough for any SCIM resource or error, small
/// enough that a large list response does not bury the rest of the story.
pub const BODY_LIMIT: usize = 8 * 1024;

/// Renders one exchange:
///
/// ```text
/// # step "create"
/// POST http://127.0.0.1:8080/scim/v2/Users
/// content-type: application/scim+json
///
/// {"userName":"ada"}
///
/// # response after 12 ms
/// HTTP 201
/// location: http://127.0.0.1:8080/scim/v2/Users/1
///
/// {"id":"1"}
/// ```
pub fn render_exchange(exchange: &Exchange) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write!(out, "# step \"{}\"", exchange.step);
    if exchange.attempt > 1 {
        let _ = write!(out, " (attempt {})", exchange.attempt);
    }
    out.push('\n');
    let _ = writeln!(out, "{} {}", exchange.method, exchange.url);
    push_headers(&mut out, &exchange.request_headers);
    push_body(
        &mut out,
        exchange.request_body.as_deref(),
        exchange.request_body_size,
    );
    out.push('\n');

    match exchange.status {
        Some(status) => {
            let _ = writeln!(out, "# response after {} ms", exchange.duration_ms);
            let _ = writeln!(out, "HTTP {status}");
            push_headers(&mut out, &exchange.response_headers);
            push_body(
                &mut out,
                exchange.response_body.as_deref(),
                exchange.response_body_size,
            );
            if let Some(error) = &exchange.error {
                let _ = writeln!(out, "\n# error: {}", single_line(error));
            }
        }
        None => {
            let error = exchange.error.as_deref().unwrap_or("no response");
            let _ = writeln!(
                out,
                "# no response after {} ms: {}",
                exchange.duration_ms,
                single_line(error)
            );
        }
    }
    out
}

/// Several exchanges, in order, separated by a blank line.
pub(crate) fn render_exchanges(exchanges: &[Exchange]) -> String {
    exchanges
        .iter()
        .map(render_exchange)
        .collect::<Vec<_>>()
        .join("\n")
}

fn push_headers(out: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        let _ = writeln!(out, "{name}: {value}");
    }
}

/// `size` is the body's full size when the record holds only its start.
fn push_body(out: &mut String, body: Option<&str>, size: Option<usize>) {
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return;
    };
    out.push('\n');
    let full = size.unwrap_or(body.len());
    if body.len() <= BODY_LIMIT && size.is_none() {
        out.push_str(body);
    } else {
        let shown = floor_char_boundary(body, BODY_LIMIT.min(body.len()));
        out.push_str(&body[..shown]);
        let _ = write!(out, "\n# body cut: first {shown} of {full} bytes shown");
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn single_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(body: Option<&str>) -> Exchange {
        Exchange {
            step: "read".into(),
            method: "GET".into(),
            url: "http://127.0.0.1:1/Users/1".into(),
            request_headers: vec![],
            request_body: None,
            request_body_size: None,
            status: Some(200),
            response_headers: vec![],
            response_body: body.map(str::to_string),
            response_body_size: None,
            duration_ms: 3,
            error: None,
            attempt: 1,
        }
    }

    #[test]
    fn a_long_body_is_cut_with_a_note_of_its_size() {
        let body = "é".repeat(BODY_LIMIT); // two bytes each
        let text = render_exchange(&get(Some(&body)));
        assert!(text.contains(&format!(
            "# body cut: first {BODY_LIMIT} of {} bytes shown",
            body.len()
        )));
        assert!(text.len() < BODY_LIMIT + 200);
    }

    #[test]
    fn a_body_recorded_in_part_says_how_large_it_was() {
        let mut exchange = get(Some("{\"id\":\"1\""));
        exchange.response_body_size = Some(8 * 1024 * 1024);
        let text = render_exchange(&exchange);
        assert!(
            text.contains("# body cut: first 9 of 8388608 bytes shown"),
            "{text}"
        );
    }

    #[test]
    fn a_retry_names_its_attempt() {
        let mut exchange = get(None);
        exchange.attempt = 2;
        assert!(render_exchange(&exchange).starts_with("# step \"read\" (attempt 2)\n"));
    }

    #[test]
    fn a_transport_failure_says_no_response_came() {
        let mut exchange = get(None);
        exchange.status = None;
        exchange.duration_ms = 30_000;
        exchange.error = Some("operation timed out\nafter 30 s".into());
        assert!(
            render_exchange(&exchange)
                .ends_with("# no response after 30000 ms: operation timed out after 30 s\n")
        );
    }

    #[test]
    fn cutting_never_splits_a_character() {
        assert_eq!(floor_char_boundary("aé", 2), 1);
        assert_eq!(floor_char_boundary("aé", 3), 3);
    }
}
