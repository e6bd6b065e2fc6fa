//! Telling concurrency trouble from conformance failures: a scenario that got a 5xx
//! while others ran beside it is run again alone at the end. When the 5xx does not come
//! back, the run says that its failures depended on concurrency instead of listing them
//! as conformance failures. Either way the verdict is the one from running alone.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::ledger::CLEANUP_STEP;
use super::scenario::{self, RunEnv};
use crate::plan::Plan;
use crate::result::{Outcome, RunEvent, ScenarioResult};

/// How many scenario ids the notice names before counting the rest.
const SHOWN_IDS: usize = 10;

/// Re-runs, one at a time, the unsettled scenarios that answered 5xx under `jobs`
/// concurrent scenarios; returns the notices for the run.
pub async fn rerun_after_5xx(
    plan: &Plan,
    results: &mut [ScenarioResult],
    env: &Arc<RunEnv>,
    events: &UnboundedSender<RunEvent>,
    jobs: usize,
) -> Vec<String> {
    let suspects: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(index, r)| {
            unsettled(r)
                && (answered_5xx(r) || env.pool.failed_for(&plan.scenarios[*index].scenario))
        })
        .map(|(index, _)| index)
        .collect();
    // A shared fixture answered 5xx under load is sent again by the first re-run use.
    env.pool.forget_failures();
    if suspects.is_empty() {
        return Vec::new();
    }
    let _ = events.send(RunEvent::Notice(format!(
        "{} scenario(s) got a 5xx answer while {jobs} ran at once; running them again one at a time",
        suspects.len()
    )));
    let mut alone_fine = Vec::new();
    for index in suspects {
        if env.cancel.is_cancelled() {
            break;
        }
        let mut again = scenario::run(&plan.scenarios[index], env.clone()).await;
        // Alone, nothing else can disturb it: that verdict stands either way.
        if answered_5xx(&again) {
            again.notes.push(
                "it got a 5xx answer while other scenarios ran at the same time, and again \
                 when run alone: this verdict is from running alone"
                    .to_owned(),
            );
        } else {
            again.notes.push(format!(
                "it got a 5xx answer while {jobs} scenarios ran at once, and none when run \
                 alone: this verdict is from running alone"
            ));
            alone_fine.push(again.id.clone());
        }
        let _ = events.send(RunEvent::ScenarioFinished(std::sync::Arc::new(
            again.clone(),
        )));
        results[index] = again;
    }
    if alone_fine.is_empty() {
        return Vec::new();
    }
    let mut named = alone_fine
        .iter()
        .take(SHOWN_IDS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if alone_fine.len() > SHOWN_IDS {
        named.push_str(&format!(" and {} more", alone_fine.len() - SHOWN_IDS));
    }
    vec![format!(
        "failures depend on concurrency: retry with --jobs 1 ({} scenario(s) got 5xx answers \
         with --jobs {jobs} and none when run alone: {named})",
        alone_fine.len()
    )]
}

/// Outcomes a 5xx may have caused.
fn unsettled(result: &ScenarioResult) -> bool {
    matches!(
        result.outcome,
        Outcome::Fail { .. }
            | Outcome::Warn { .. }
            | Outcome::Error { .. }
            | Outcome::Blocked { .. }
    )
}

/// A server error answered one of the scenario's own steps (cleanup aside).
fn answered_5xx(result: &ScenarioResult) -> bool {
    result
        .exchanges
        .iter()
        .any(|e| e.step != CLEANUP_STEP && e.status.is_some_and(|s| s >= 500))
}
