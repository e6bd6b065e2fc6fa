//! Writing a request's JSON body, and reading an answer's body as JSON, bounded: a
//! hostile body such as `[{},{},...]` costs tens of bytes per value once parsed, so the
//! values are counted before parsing.

use serde_json::Value;

/// Most values (and member names) a body may hold to be parsed: far more than any SCIM
/// answer, and a bound on what a hostile one such as `[{},{},...]` costs once parsed
/// (tens of bytes per value, against three bytes of input).
pub const MAX_JSON_VALUES: usize = 100_000;

/// JSON text parsed, unless it holds more than `MAX_JSON_VALUES` values.
pub fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    // No text holds more values than it has bytes, plus one.
    if bytes.len() >= MAX_JSON_VALUES && count_values(bytes) > MAX_JSON_VALUES {
        return Err(format!(
            "it holds more than {MAX_JSON_VALUES} JSON values, too many to read"
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// A JSON value as the bytes to send. Written straight into the buffer: `Display` goes
/// through the formatting machinery, several times slower on a large body.
pub fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| value.to_string().into_bytes())
}

/// An upper bound of the values and names in JSON text: one more than the structural
/// characters outside strings.
fn count_values(bytes: &[u8]) -> usize {
    let mut count = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' | b',' | b':' => count += 1,
                _ => {}
            }
        }
    }
    count
}
