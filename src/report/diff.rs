//! `scimcheck diff`: two runs' changes in words, for people and CI logs.

use std::fmt::Write;

use crate::result::Changes;

/// New failures first (what a reviewer must look at), then fixes, then changed skips,
/// then how many failures both runs share.
pub fn render(before: &str, after: &str, changes: &Changes) -> String {
    let mut out = format!("comparing {before} (before) with {after} (after)\n");
    let _ = writeln!(out, "new failures: {}", changes.new_failures.len());
    for failure in &changes.new_failures {
        let was = match failure.was.as_str() {
            "absent" => "not in the earlier run".to_owned(),
            "fail" => "failed other checks before".to_owned(),
            was => format!("was {was}"),
        };
        let _ = writeln!(out, "  {} ({was})", failure.id);
        for check in &failure.checks {
            let _ = writeln!(out, "      failing: {check}");
        }
    }
    let _ = writeln!(out, "fixed: {}", changes.fixed.len());
    for fixed in &changes.fixed {
        let _ = writeln!(out, "  {} (now {})", fixed.id, fixed.now);
    }
    let _ = writeln!(out, "skips changed: {}", changes.skips.len());
    for change in &changes.skips {
        let _ = writeln!(out, "  {}: {} -> {}", change.id, change.was, change.now);
    }
    let _ = writeln!(out, "still failing: {}", changes.known_failures.len());
    out
}
