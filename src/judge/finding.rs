//! A finding: one request that broke one rule, with the offending part of the request and
//! the reference of the rule. Everything shown is already redacted.

use serde::Serialize;

use crate::catalog::Level;
use crate::result::Exchange;

/// Longest quotation of a request part in a finding; the exchange has the whole request.
const MAX_SHOWN: usize = 240;

/// Which request a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRef {
    /// 1 for the first request the server received.
    pub seq: u64,
    pub method: String,
    /// Path and query as sent, secrets redacted.
    pub target: String,
    /// RFC 3339 UTC with milliseconds.
    pub time: String,
}

impl std::fmt::Display for RequestRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{} {} {} at {}",
            self.seq, self.method, self.target, self.time
        )
    }
}

/// One broken rule in one request.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    #[serde(serialize_with = "level_name")]
    pub level: Level,
    /// `RFC 7644 section 3.5.2`, or the vendor document's sentence.
    pub reference: String,
    pub request: RequestRef,
    /// Where in the request: `header Content-Type`, `body.Operations[0].op`, `query filter`.
    pub part: String,
    /// The offending part as sent (shortened).
    pub found: String,
    /// What the rule wants there.
    pub expected: String,
    /// The whole exchange, redacted, for transcripts and reports.
    #[serde(skip)]
    pub exchange: Option<Exchange>,
}

impl Finding {
    /// The finding as one block of text, the same in every report.
    pub fn render(&self) -> String {
        format!(
            "{}\n  rule {} ({}), {}\n  {}: {}\n  expected: {}\n",
            self.request,
            self.rule,
            self.level.as_str(),
            self.reference,
            self.part,
            self.found,
            self.expected
        )
    }
}

fn level_name<S: serde::Serializer>(level: &Level, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.as_str())
}

/// A rule broken by the request being judged, before the request is known to the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub part: String,
    pub found: String,
    pub expected: String,
}

/// What the checks of one request report: the rules they looked at, and what broke.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Rules that had something to check in this request (pass or fail).
    pub exercised: Vec<String>,
    pub violations: Vec<Violation>,
    /// Violations of vendor rules (their ids come from the profile).
    pub vendor: Vec<(String, Violation)>,
}

impl Verdict {
    /// Marks a rule as checked by this request.
    pub fn checked(&mut self, rule: &str) {
        if !self.exercised.iter().any(|r| r == rule) {
            self.exercised.push(rule.to_owned());
        }
    }

    /// Records a broken rule; it counts as checked too.
    pub fn broke(
        &mut self,
        rule: &'static str,
        part: impl Into<String>,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) {
        self.checked(rule);
        self.violations.push(Violation {
            rule,
            part: part.into(),
            found: shorten(&found.into()),
            expected: expected.into(),
        });
    }

    /// Records a broken vendor rule.
    pub fn broke_vendor(
        &mut self,
        rule: &str,
        part: impl Into<String>,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) {
        self.checked(rule);
        self.vendor.push((
            rule.to_owned(),
            Violation {
                rule: "",
                part: part.into(),
                found: shorten(&found.into()),
                expected: expected.into(),
            },
        ));
    }

    /// The ids of the rules broken, in order (for tests and summaries).
    pub fn broken(&self) -> Vec<&str> {
        self.violations
            .iter()
            .map(|v| v.rule)
            .chain(self.vendor.iter().map(|(id, _)| id.as_str()))
            .collect()
    }
}

/// Long values are cut, on a character boundary, with the full length noted.
pub fn shorten(text: &str) -> String {
    if text.len() <= MAX_SHOWN {
        return text.to_owned();
    }
    let cut = (0..=MAX_SHOWN)
        .rev()
        .find(|at| text.is_char_boundary(*at))
        .unwrap_or(0);
    format!("{}… ({} bytes in all)", &text[..cut], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let text = "é".repeat(200);
        let short = shorten(&text);
        assert!(short.ends_with("(400 bytes in all)"), "{short}");
        assert!(short.len() < 300);
        assert_eq!(shorten("short"), "short");
    }
}
