//! Requirement coverage, through the binary: the reports of a run say how many of the
//! RFC sections that bind the target its scenarios judged. A narrower selection judges
//! fewer, and a target without a feature is not held to that feature's sections.

use crate::support::cli;

use cli::run_json;

/// (judged, total) of a JSON report's coverage.
fn coverage(extra: &[&str]) -> (u64, u64) {
    let run = run_json(extra).unwrap_or_else(|e| panic!("{e}"));
    let coverage = &run.report["coverage"];
    let number = |name: &str| {
        coverage[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no coverage.{name} in {coverage}"))
    };
    (number("judged"), number("total"))
}

#[test]
fn a_run_reports_the_share_of_bound_rfc_sections_it_judged() {
    let (judged, total) = coverage(&[]);
    assert!(0 < judged && judged <= total, "{judged} of {total}");

    let (judged_users, total_users) = coverage(&["--filter", "users."]);
    assert_eq!(
        total_users, total,
        "the selection does not change what binds"
    );
    assert!(
        0 < judged_users && judged_users < judged,
        "users only: {judged_users}, all: {judged}"
    );

    // Without a Group resource type, RFC 7643 section 4.2 (Group) binds nothing.
    let (_, total_without_groups) = coverage(&["--misbehave", "no-groups"]);
    assert!(
        total_without_groups < total,
        "a target without groups owes nothing to their section: {total_without_groups} of {total}"
    );
}
