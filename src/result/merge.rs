//! One run out of the slices of a partitioned one (`--partition k/n` on n machines):
//! the scenarios of every slice, the run-level facts they share, and the figures
//! (totals, coverage, verdict) counted again over the whole. Slices that cannot be one
//! run are refused: another tool version, target, profile or selection, a slice given
//! twice or missing, or a scenario in two slices.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    BaselineComparison, Changes, Coverage, PlanRecord, RequestCount, RunInfo, RunSummary, Totals,
};
use crate::vocabulary::Partition;

/// A slice as read from its report, with the name its errors use.
pub struct Slice {
    pub file: String,
    pub summary: RunSummary,
}

/// The run the `slices` were parts of; an error says which file does not fit and why.
pub fn merge(slices: Vec<Slice>) -> Result<RunSummary, String> {
    let Some(first) = slices.first() else {
        return Err("nothing to merge: name the JSON reports of the slices".to_owned());
    };
    let plan = plan_of(first)?.clone();
    let of = plan.partition.map_or(1, |p| p.of);
    let mut seen_slices: BTreeMap<u32, &str> = BTreeMap::new();
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for slice in &slices {
        same_run(first, slice)?;
        let record = plan_of(slice)?;
        if record.fingerprint != plan.fingerprint || record.scenarios != plan.scenarios {
            return Err(format!(
                "{} ran another selection of scenarios than {} ({} scenarios, {}; {} \
                 scenarios, {}): the slices of one run share --suite, --tag, --filter and \
                 the profiles",
                slice.file,
                first.file,
                record.scenarios,
                record.fingerprint,
                plan.scenarios,
                plan.fingerprint
            ));
        }
        let partition = record.partition.unwrap_or(Partition { slice: 1, of: 1 });
        if partition.of != of {
            return Err(format!(
                "{} is slice {partition} and {} is a slice of {of}: the slices of one run \
                 share n",
                slice.file, first.file
            ));
        }
        if let Some(other) = seen_slices.insert(partition.slice, &slice.file) {
            return Err(format!(
                "{other} and {} are both slice {partition}",
                slice.file
            ));
        }
        for result in &slice.summary.results {
            if let Some(other) = owner.insert(&result.id, &slice.file) {
                return Err(format!(
                    "scenario {} is in both {other} and {}",
                    result.id, slice.file
                ));
            }
        }
    }
    let missing: Vec<String> = (1..=of)
        .filter(|k| !seen_slices.contains_key(k))
        .map(|k| format!("{k}/{of}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "slice {} missing: a merged report must hold every slice, or it would pass \
             scenarios nobody ran",
            missing.join(", ")
        ));
    }
    if owner.len() != plan.scenarios {
        return Err(format!(
            "the slices hold {} scenarios, but their selection had {}",
            owner.len(),
            plan.scenarios
        ));
    }
    Ok(combine(slices, plan))
}

fn plan_of(slice: &Slice) -> Result<&PlanRecord, String> {
    slice.summary.info.plan.as_ref().ok_or_else(|| {
        format!(
            "{} does not record its selection (`run.plan`): it was written by a scimcheck \
             without --partition; run the slices again",
            slice.file
        )
    })
}

/// The facts that must agree for two reports to be slices of one run.
fn same_run(first: &Slice, other: &Slice) -> Result<(), String> {
    let (a, b) = (&first.summary, &other.summary);
    let differ = |what: &str, x: &dyn std::fmt::Debug, y: &dyn std::fmt::Debug| {
        format!(
            "{} and {} are not slices of one run: {what} differs ({x:?} and {y:?})",
            first.file, other.file
        )
    };
    if a.info.tool_version != b.info.tool_version {
        return Err(differ(
            "the scimcheck version",
            &a.info.tool_version,
            &b.info.tool_version,
        ));
    }
    if target(&a.info) != target(&b.info) {
        return Err(differ("the target", &target(&a.info), &target(&b.info)));
    }
    if a.info.profiles != b.info.profiles {
        return Err(differ("the profiles", &a.info.profiles, &b.info.profiles));
    }
    if a.strict != b.strict {
        return Err(differ("--strict", &a.strict, &b.strict));
    }
    if a.info.capabilities != b.info.capabilities {
        return Err(differ(
            "what discovery found the target has",
            &a.info.capabilities,
            &b.info.capabilities,
        ));
    }
    let baseline = |s: &RunSummary| s.baseline.as_ref().map(|b| b.file.clone());
    if baseline(a) != baseline(b) {
        return Err(differ("the baseline", &baseline(a), &baseline(b)));
    }
    Ok(())
}

/// The embedded server listens on another port in every run: it is one target.
fn target(info: &RunInfo) -> &str {
    info.embedded.as_deref().unwrap_or(&info.target_url)
}

fn combine(slices: Vec<Slice>, plan: PlanRecord) -> RunSummary {
    let files: Vec<String> = slices.iter().map(|s| s.file.clone()).collect();
    let (start, end) = span(&slices);
    let mut slices: Vec<RunSummary> = slices.into_iter().map(|s| s.summary).collect();
    slices.sort_by_key(|s| {
        s.info
            .plan
            .as_ref()
            .and_then(|p| p.partition)
            .map(|p| p.slice)
    });
    let first = &slices[0];
    let mut info = RunInfo {
        run_id: slices
            .iter()
            .map(|s| s.info.run_id.as_str())
            .collect::<Vec<_>>()
            .join("+"),
        plan: Some(PlanRecord {
            partition: None,
            ..plan
        }),
        ..first.info.clone()
    };
    if let Some(start) = start {
        info.started_at = start.format(&Rfc3339).unwrap_or(info.started_at);
    }
    let strict = first.strict;
    let baseline_file = first.baseline.as_ref().map(|b| b.file.clone());
    let mut merged = RunSummary {
        info,
        results: Vec::new(),
        totals: Totals::default(),
        duration: match (start, end) {
            (Some(start), Some(end)) => (end - start).try_into().unwrap_or_default(),
            _ => slices.iter().map(|s| s.duration).max().unwrap_or_default(),
        },
        interrupted: false,
        stop: None,
        leftovers: Vec::new(),
        strict,
        notices: Vec::new(),
        baseline: None,
        coverage: None,
        requests: None,
        run_exchanges: Default::default(),
    };
    let mut changes = Changes::default();
    let mut notices = BTreeSet::new();
    let mut every_slice_measured = true;
    let mut requests = Some(RequestCount::default());
    for slice in slices {
        merged.results.extend(slice.results);
        merged.leftovers.extend(slice.leftovers);
        if slice.interrupted && !merged.interrupted {
            merged.interrupted = true;
            merged.stop = slice.stop;
        }
        for notice in slice.notices {
            if notices.insert(notice.clone()) {
                merged.notices.push(notice);
            }
        }
        every_slice_measured &= slice.coverage.is_some();
        requests = match (requests, slice.requests) {
            (Some(mut sum), Some(counted)) => {
                sum += counted;
                Some(sum)
            }
            _ => None,
        };
        if let Some(baseline) = slice.baseline {
            let theirs = baseline.changes;
            changes.new_failures.extend(theirs.new_failures);
            changes.known_failures.extend(theirs.known_failures);
            changes.fixed.extend(theirs.fixed);
            changes.skips.extend(theirs.skips);
        }
    }
    // The order of a plan is not recorded; by file, then id, reads the same every time.
    merged
        .results
        .sort_by(|a, b| (&a.file, &a.id).cmp(&(&b.file, &b.id)));
    if let Some(file) = baseline_file {
        changes.new_failures.sort_by(|a, b| a.id.cmp(&b.id));
        changes.known_failures.sort();
        changes.fixed.sort_by(|a, b| a.id.cmp(&b.id));
        changes.skips.sort_by(|a, b| a.id.cmp(&b.id));
        merged.baseline = Some(BaselineComparison { file, changes });
    }
    if every_slice_measured && let Some(capabilities) = &merged.info.capabilities {
        merged.coverage = Coverage::of_run(&merged.results, |name| {
            capabilities.iter().any(|c| c == name)
        });
    }
    merged.requests = requests;
    merged.totals = Totals::of(&merged.results);
    merged.notices.push(format!(
        "merged from {} slices: {}",
        files.len(),
        files.join(", ")
    ));
    merged
}

/// From the earliest start to the latest end of the slices, when their start times read.
fn span(slices: &[Slice]) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let mut start: Option<OffsetDateTime> = None;
    let mut end: Option<OffsetDateTime> = None;
    for slice in slices {
        let Ok(began) = OffsetDateTime::parse(&slice.summary.info.started_at, &Rfc3339) else {
            return (None, None);
        };
        let ended = began + slice.summary.duration;
        start = Some(start.map_or(began, |s| s.min(began)));
        end = Some(end.map_or(ended, |e| e.max(ended)));
    }
    (start, end)
}
