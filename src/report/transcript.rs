//! `--transcript DIR`: one text file per scenario with each HTTP exchange it made.
//!
//! Files are `.txt`, not `.http`: the response half would be sent as a request body by an
//! editor's HTTP client. Files of earlier runs in DIR are left alone; a file of the same
//! scenario is replaced.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::ReportError;
use super::exchange::render_exchanges;
use super::output::{create_dir, write_atomic};
use super::text::one_line;
use crate::result::{Outcome, RunInfo, RunSummary, ScenarioResult};

/// Longest file stem, so long ids stay within file-system limits.
const STEM_MAX: usize = 120;

/// Writes one transcript per scenario into `dir` (created if missing) and returns the
/// files written, in result order.
pub fn write_transcripts(summary: &RunSummary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    create_dir(dir)?;
    let mut used = HashSet::new();
    let mut written = Vec::with_capacity(summary.results.len());
    for result in &summary.results {
        let path = dir.join(unique_file_name(&result.id, &mut used));
        write_atomic(&path, transcript_text(result, &summary.info).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// A header of `#` lines saying what the scenario was and how it ended, then the
/// exchanges.
fn transcript_text(result: &ScenarioResult, info: &RunInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# scenario: {}", result.id);
    let _ = writeln!(out, "# title: {}", result.title);
    let _ = writeln!(out, "# file: {}", result.file);
    let _ = writeln!(out, "# run: {} against {}", info.run_id, info.target_url);
    let _ = writeln!(
        out,
        "# outcome: {} in {} ms",
        result.outcome.label(),
        result.duration.as_millis()
    );
    match &result.outcome {
        Outcome::Pass => {}
        Outcome::Fail { failures } => {
            for failure in failures {
                let _ = writeln!(out, "# failure: {}", one_line(failure));
            }
        }
        Outcome::Deviation { failures, reason } => {
            let _ = writeln!(out, "# known deviation: {}", single_line(reason));
            for failure in failures {
                let _ = writeln!(out, "# failure: {}", one_line(failure));
            }
        }
        Outcome::Warn { failures } => {
            for failure in failures {
                let _ = writeln!(out, "# warning: {}", one_line(failure));
            }
        }
        Outcome::Blocked {
            precondition,
            failures,
        } => {
            let _ = writeln!(out, "# blocked: {}", single_line(precondition));
            for failure in failures {
                let _ = writeln!(out, "# failure: {}", one_line(failure));
            }
        }
        Outcome::Skip { reason, .. } => {
            let _ = writeln!(out, "# skipped: {}", single_line(reason));
        }
        Outcome::Error { message } => {
            let _ = writeln!(out, "# error: {}", single_line(message));
        }
    }
    for problem in &result.cleanup_errors {
        let _ = writeln!(out, "# cleanup: {}", single_line(problem));
    }
    for leftover in &result.leftovers {
        let _ = writeln!(
            out,
            "# left on the target: {}: {}",
            single_line(&leftover.what),
            single_line(&leftover.reason)
        );
    }
    out.push('\n');
    if result.exchanges.is_empty() {
        out.push_str("# no request was sent\n");
    } else {
        out.push_str(&render_exchanges(&result.exchanges));
    }
    out
}

fn single_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// `users.create.basic` -> `users.create.basic.txt`; anything but ASCII letters, digits,
/// `.`, `-` and `_` becomes `_`, and a clash (also one that differs only in case, for
/// case-insensitive file systems) gets `-2`, `-3`, ...
fn unique_file_name(id: &str, used: &mut HashSet<String>) -> String {
    let stem = file_stem(id);
    let mut candidate = stem.clone();
    let mut n = 1;
    while !used.insert(candidate.to_ascii_lowercase()) {
        n += 1;
        candidate = format!("{stem}-{n}");
    }
    format!("{candidate}.txt")
}

fn file_stem(id: &str) -> String {
    let mut stem: String = id
        .chars()
        .take(STEM_MAX)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden files, no `.` or `..`.
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    if stem.is_empty() {
        stem.push_str("scenario");
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotted_id_is_its_own_file_name() {
        let mut used = HashSet::new();
        assert_eq!(
            unique_file_name("users.create.basic", &mut used),
            "users.create.basic.txt"
        );
    }

    #[test]
    fn path_characters_cannot_escape_the_directory() {
        let mut used = HashSet::new();
        assert_eq!(
            unique_file_name("../etc/passwd", &mut used),
            "_._etc_passwd.txt"
        );
        assert_eq!(unique_file_name("..", &mut used), "_..txt");
        assert_eq!(unique_file_name("", &mut used), "scenario.txt");
        assert_eq!(unique_file_name("a\\b:c", &mut used), "a_b_c.txt");
    }

    #[test]
    fn ids_that_map_to_the_same_name_get_numbered() {
        let mut used = HashSet::new();
        assert_eq!(unique_file_name("a/b", &mut used), "a_b.txt");
        assert_eq!(unique_file_name("a_b", &mut used), "a_b-2.txt");
        assert_eq!(unique_file_name("A_B", &mut used), "A_B-3.txt");
    }

    #[test]
    fn very_long_ids_are_shortened() {
        let mut used = HashSet::new();
        let name = unique_file_name(&"x".repeat(500), &mut used);
        assert_eq!(name.len(), STEM_MAX + ".txt".len());
    }
}
