//! SCIM dateTime values (xsd:dateTime, RFC 3339 profile) as comparable instants.

/// A point in time: seconds since 1970-01-01T00:00:00Z and nanoseconds. Orders by time,
/// so values written with different offsets compare correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]`. A value without an offset is
/// taken as UTC (xsd:dateTime makes the zone optional). Fractions beyond nanoseconds are
/// truncated. `None` for anything else, including impossible dates such as February 30.
pub fn parse_instant(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        for _ in (at - start)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match &b[at..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let hours = digits(b, at + 1, 2)?;
            let minutes = digits(b, at + 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(Instant { seconds, nanos })
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    b.get(start..start + len)?.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> i64 {
        parse_instant(text).unwrap().seconds
    }

    #[test]
    fn epoch_and_known_timestamps() {
        assert_eq!(seconds("1970-01-01T00:00:00Z"), 0);
        assert_eq!(seconds("2011-05-13T04:42:34Z"), 1_305_261_754);
        assert_eq!(seconds("2000-02-29T00:00:00Z"), 951_782_400);
        assert_eq!(seconds("1969-12-31T23:59:59Z"), -1);
    }

    #[test]
    fn offsets_shift_to_the_same_instant() {
        assert_eq!(
            parse_instant("2011-05-13T06:42:34+02:00"),
            parse_instant("2011-05-13T04:42:34Z")
        );
        assert_eq!(
            parse_instant("2011-05-12T23:42:34-05:00"),
            parse_instant("2011-05-13T04:42:34z")
        );
    }

    #[test]
    fn fractions_order_within_a_second() {
        let a = parse_instant("2011-05-13T04:42:34.1Z").unwrap();
        let b = parse_instant("2011-05-13T04:42:34.09Z").unwrap();
        assert!(a > b);
        assert_eq!(a.nanos, 100_000_000);
        assert_eq!(
            parse_instant("2011-05-13T04:42:34.1234567891Z")
                .unwrap()
                .nanos,
            123_456_789
        );
    }

    #[test]
    fn missing_offset_is_utc() {
        assert_eq!(
            parse_instant("2011-05-13T04:42:34"),
            parse_instant("2011-05-13T04:42:34Z")
        );
    }

    #[test]
    fn malformed_values_are_rejected() {
        for text in [
            "",
            "2011-05-13",
            "2011-05-13 04:42:34Z",
            "2011-13-01T00:00:00Z",
            "2011-02-29T00:00:00Z",
            "2011-05-13T24:00:00Z",
            "2011-05-13T04:42:34.Z",
            "2011-05-13T04:42:34+0200",
            "2011-05-13T04:42:34+24:00",
            "2011-05-13T04:42:34Zjunk",
            "bjensen",
            "２０11-05-13T04:42:34Z",
        ] {
            assert_eq!(parse_instant(text), None, "{text}");
        }
    }
}
