//! The plan's scenarios handed out in plan order to `jobs` workers, each running one
//! scenario after another in its own task: a scenario's start needs no hand-off to
//! another thread, which at `--jobs 1` was most of the time between two requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::RwLock;
use tokio::sync::mpsc::UnboundedSender;

use super::scenario::{self, RunEnv};
use super::unwind::{catching_panics, internal_error};
use crate::plan::{PlannedScenario, Skip};
use crate::result::{Outcome, RunEvent, ScenarioResult, SkipCause};

pub(super) struct Queue {
    scenarios: Vec<PlannedScenario>,
    next: AtomicUsize,
    results: Mutex<Vec<Option<Arc<ScenarioResult>>>>,
    /// Readers are ordinary scenarios; an exclusive scenario takes the write side.
    exclusive: Arc<RwLock<()>>,
}

/// Holds a scenario's place: shared with other ordinary scenarios, or alone.
enum Guard {
    Shared(#[allow(dead_code)] tokio::sync::OwnedRwLockReadGuard<()>),
    Alone(#[allow(dead_code)] tokio::sync::OwnedRwLockWriteGuard<()>),
}

impl Queue {
    pub(super) fn new(scenarios: &[PlannedScenario]) -> Queue {
        Queue {
            scenarios: scenarios.to_vec(),
            next: AtomicUsize::new(0),
            results: Mutex::new(vec![None; scenarios.len()]),
            exclusive: Arc::new(RwLock::new(())),
        }
    }

    /// The results in plan order; None for a scenario that never finished.
    pub(super) fn into_results(self) -> Vec<Option<Arc<ScenarioResult>>> {
        self.results
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take(&self) -> Option<(usize, &PlannedScenario)> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        self.scenarios.get(index).map(|planned| (index, planned))
    }

    fn store(&self, index: usize, result: Arc<ScenarioResult>) {
        let mut results = self
            .results
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        results[index] = Some(result);
    }

    async fn turn(&self, exclusive: bool) -> Guard {
        if exclusive {
            Guard::Alone(self.exclusive.clone().write_owned().await)
        } else {
            Guard::Shared(self.exclusive.clone().read_owned().await)
        }
    }
}

/// Runs scenarios from the queue until it is empty or the run is cancelled; a scenario
/// taken but not started is left without a result.
pub(super) async fn work_through(
    queue: Arc<Queue>,
    env: Arc<RunEnv>,
    events: UnboundedSender<RunEvent>,
) {
    while !env.cancel.is_cancelled() {
        let Some((index, planned)) = queue.take() else {
            break;
        };
        if let Some(skip) = &planned.skip {
            let result = Arc::new(scenario::skipped(planned, skip.clone()));
            let _ = events.send(RunEvent::ScenarioFinished(Arc::clone(&result)));
            queue.store(index, result);
            continue;
        }
        let guard = tokio::select! {
            biased;
            () = env.cancel.cancelled() => break,
            guard = queue.turn(planned.scenario.exclusive) => guard,
        };
        let _ = events.send(RunEvent::ScenarioStarted {
            id: planned.scenario.id.clone(),
        });
        let result = match catching_panics(scenario::run(planned, env.clone())).await {
            Ok(result) => result,
            Err(panic) => errored(planned, &panic),
        };
        let result = Arc::new(result);
        let _ = events.send(RunEvent::ScenarioFinished(Arc::clone(&result)));
        // Released only after the event, so the event order shows no overlap.
        drop(guard);
        queue.store(index, result);
    }
}

fn errored(planned: &PlannedScenario, panic: &str) -> ScenarioResult {
    let mut result = scenario::skipped(planned, Skip::new("", SkipCause::Interrupted));
    result.outcome = Outcome::Error {
        message: internal_error(panic),
    };
    result
}
