//! Executor: ordering, concurrency, captures, cleanup ledger, cancellation.
//!
//! Scenarios start in plan order, `jobs` at a time; an `exclusive` scenario waits until
//! nothing else runs and holds off the others while it runs. Results stream out as
//! events in completion order; the summary lists them in plan order.

mod builder;
mod bulk_cleanup;
mod cleanup;
mod created;
mod decoy;
mod gate;
mod held;
mod ledger;
mod pool;
mod queue;
mod request;
mod rerun;
mod scenario;
mod template;
mod unwind;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::check::SchemaSet;
use crate::client::Client;
use crate::plan::{Plan, Skip};
use crate::result::{
    EarlyStop, RequestCount, RunEvent, RunExchanges, RunInfo, RunSummary, ScenarioResult,
    SkipCause, Totals,
};

pub(crate) use builder::now_rfc3339;
pub use builder::{Discovery, Run, RunBuilder, RunError};
pub(crate) use bulk_cleanup::BulkCleanup;
pub use decoy::decoy_name;
pub use held::Held;
pub use ledger::{CLEANUP_STEP, CleanupLedger};
pub use template::{RenderContext, StepRecord, run_prefix, unique_value};

/// The reason given to scenarios that never started because the run was cancelled.
pub const INTERRUPTED: &str = "run interrupted";

#[derive(Debug, Clone, Default)]
pub(crate) struct ExecuteOptions {
    /// Scenarios running at the same time (at least 1).
    pub jobs: usize,
    /// Keep what the run created (no cleanup), for debugging.
    pub keep: bool,
    /// Run-level variables (`--var`, config file); they override scenario defaults.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// Prefix of every generated value; see `new_run_id`.
    pub run_id: String,
    /// How the caller stops the run early.
    pub stop: Stop,
    /// `--strict`: a `should` failure fails the run instead of warning.
    pub strict: bool,
    /// Facts about the run to repeat in every report (discovery gaps, probed endpoints).
    pub notices: Vec<String>,
    /// `--baseline`: an earlier run whose failures do not fail this one.
    pub baseline: Option<crate::result::Baseline>,
    /// The profiles' product rules applied to every request (dialect, template, fields,
    /// cleanup); the default changes nothing.
    pub adapter: Arc<crate::profile::Adapter>,
    /// What discovery found the target has; the summary's coverage figure counts the
    /// statements that bind it. None: nothing measures coverage.
    pub capabilities: Option<crate::discovery::Capabilities>,
    /// Where the target advertises Bulk: the scenarios' cleanup waits for the end of the
    /// run and deletes everything in Bulk requests (see `bulk_cleanup`).
    pub bulk_cleanup: Option<BulkCleanup>,
}

/// How a run is stopped from outside: the caller keeps a clone and cancels (a signal, a
/// deadline); the run stops starting scenarios, cleans up, and says why in its summary.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    /// Cancelled on Ctrl-C: no new scenario starts, running ones stop after their
    /// current request and clean up.
    pub cancel: CancellationToken,
    /// Cancelled when even cleanup must stop (a deadline's grace is over): what is not
    /// cleaned up yet is listed as left behind.
    pub abandon: CancellationToken,
    /// What the run holds on the target right now, to say what a hard stop leaves behind.
    pub held: Held,
    /// Why `cancel` was cancelled, for the summary (set by whoever cancels).
    pub reason: StopReason,
}

/// Why a run was told to stop early, written once by whoever stops it.
#[derive(Debug, Clone, Default)]
pub struct StopReason(Arc<std::sync::OnceLock<EarlyStop>>);

impl StopReason {
    /// The first reason given wins.
    pub fn set(&self, stop: EarlyStop) {
        let _ = self.0.set(stop);
    }

    pub fn get(&self) -> Option<EarlyStop> {
        self.0.get().cloned()
    }
}

/// A short, recognisable run id: 6 lowercase base-36 characters.
pub fn new_run_id() -> String {
    use rand::Rng;
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..6)
        .map(|_| DIGITS[rng.random_range(0..DIGITS.len())] as char)
        .collect()
}

/// Runs the plan against the client's target and reports every step of the way.
pub(crate) async fn execute(
    plan: &Plan,
    client: Arc<Client>,
    schemas: Arc<SchemaSet>,
    info: RunInfo,
    options: ExecuteOptions,
    events: UnboundedSender<RunEvent>,
) -> RunSummary {
    let started = Instant::now();
    // Whatever the client sent before the scenarios start is discovery.
    let discovery_requests = client.requests_sent();
    let _ = events.send(RunEvent::Started {
        info: info.clone(),
        planned: plan.scenarios.len(),
    });
    let cancel = options.stop.cancel.clone();
    let stop_reason = options.stop.reason.clone();
    let watcher = {
        let cancel = cancel.clone();
        let events = events.clone();
        tokio::spawn(async move {
            cancel.cancelled().await;
            let _ = events.send(RunEvent::Cancelling);
        })
    };
    let pool = pool::Pool::new(&options.run_id, options.stop.held.clone());
    let env = Arc::new(scenario::RunEnv {
        client,
        schemas,
        run_id: options.run_id,
        vars: options.vars,
        keep: options.keep,
        strict: options.strict,
        cancel: cancel.clone(),
        abandon: options.stop.abandon,
        held: options.stop.held,
        adapter: options.adapter,
        counter: AtomicU64::new(0),
        pool,
        deferred: options
            .bulk_cleanup
            .filter(|_| !options.keep)
            .map(|_| std::sync::Mutex::new(Vec::new())),
    });
    let shared_before = env.client.requests_sent();
    let mut decoys = decoy::plant(
        &env.client,
        &env.adapter,
        plan,
        &env.run_id,
        env.held.clone(),
    )
    .await;
    let decoys_planted = decoys.take_exchanges();
    let mut shared_requests = env.client.requests_sent() - shared_before;
    let queue = Arc::new(queue::Queue::new(&plan.scenarios));
    let workers: Vec<_> = (0..options.jobs.clamp(1, plan.scenarios.len().max(1)))
        .map(|_| {
            tokio::spawn(queue::work_through(
                queue.clone(),
                env.clone(),
                events.clone(),
            ))
        })
        .collect();
    for worker in workers {
        // A worker catches its scenarios' panics; one that ends otherwise leaves its
        // scenario without a result, reported below as not run.
        let _ = worker.await;
    }
    // Every worker has ended, so the queue is ours alone; were it not, each scenario
    // would still be listed, as not run.
    let results = Arc::into_inner(queue).map_or_else(
        || vec![None; plan.scenarios.len()],
        queue::Queue::into_results,
    );

    let interrupted = cancel.is_cancelled();
    if interrupted {
        let _ = watcher.await;
    } else {
        watcher.abort();
    }
    let mut results: Vec<ScenarioResult> = plan
        .scenarios
        .iter()
        .zip(results)
        .map(|(planned, result)| {
            result.map(unshared).unwrap_or_else(|| {
                let result = match &planned.skip {
                    Some(skip) => scenario::skipped(planned, skip.clone()),
                    None => {
                        scenario::skipped(planned, Skip::new(INTERRUPTED, SkipCause::Interrupted))
                    }
                };
                let result = Arc::new(result);
                let _ = events.send(RunEvent::ScenarioFinished(Arc::clone(&result)));
                unshared(result)
            })
        })
        .collect();
    let mut notices = options.notices;
    if !interrupted && options.jobs > 1 {
        notices
            .extend(rerun::rerun_after_5xx(plan, &mut results, &env, &events, options.jobs).await);
    }
    let removing = env.client.requests_sent();
    let mut after_scenarios = Vec::new();
    let mut shared_ledger = env.pool.take_ledger();
    if let (Some(bulk), Some(deferred)) = (options.bulk_cleanup, &env.deferred) {
        let deferred = std::mem::take(&mut *scenario::lock_deferred(deferred));
        let (owners, mut ledgers): (Vec<String>, Vec<_>) = deferred.into_iter().unzip();
        let mut settling: Vec<&mut ledger::CleanupLedger> = ledgers.iter_mut().collect();
        settling.push(&mut shared_ledger);
        settling.push(decoys.ledger_mut());
        let settled = bulk_cleanup::settle(&mut settling, &env.client, &env.abandon, bulk).await;
        after_scenarios.extend(settled);
        clean_up_deferred(owners.into_iter().zip(ledgers), &mut results, &env).await;
    }
    let cleanup_done = env.client.requests_sent();
    let shared = if options.keep {
        cleanup::kept(&shared_ledger)
    } else {
        cleanup::clean_up(shared_ledger, &env.client, &env.adapter, &env.abandon).await
    };
    notices.extend(shared.problems);
    after_scenarios.extend(shared.exchanges);
    let (decoy_notices, mut leftovers, removed) = decoys
        .remove(&env.client, &env.adapter, options.keep, &env.abandon)
        .await;
    after_scenarios.extend(removed);
    leftovers.extend(shared.leftovers);
    shared_requests += env.client.requests_sent() - cleanup_done;
    let deferred_cleanup = cleanup_done - removing;
    notices.extend(decoy_notices);
    notices.extend(env.client.rate_advice().map(|advice| advice.sentence()));
    notices.extend(env.adapter.needs_report());
    let baseline = options
        .baseline
        .as_ref()
        .map(|baseline| crate::result::BaselineComparison::of(baseline, &results));
    notices.extend(baseline.as_ref().and_then(|b| b.fixed_notice()));
    // Measured before the Finished event, so the console summary states it too.
    let coverage = options.capabilities.as_ref().and_then(|capabilities| {
        crate::result::Coverage::of_run(&results, |name| {
            crate::vocabulary::Capability::from_name(name).is_some_and(|c| capabilities.has(c))
        })
    });
    let mut summary = RunSummary {
        info,
        results,
        totals: Totals::default(),
        duration: started.elapsed(),
        interrupted,
        stop: interrupted.then(|| stop_reason.get()).flatten(),
        leftovers,
        strict: options.strict,
        notices,
        baseline,
        coverage,
        requests: None,
        run_exchanges: RunExchanges {
            before_scenarios: decoys_planted,
            after_scenarios,
        },
    };
    let total = env.client.requests_sent();
    let cleanup = summary
        .results
        .iter()
        .flat_map(|r| &r.exchanges)
        .filter(|e| e.step == CLEANUP_STEP)
        .count() as u64
        + deferred_cleanup;
    summary.requests = Some(RequestCount {
        total,
        discovery: discovery_requests,
        scenarios: total.saturating_sub(discovery_requests + cleanup + shared_requests),
        cleanup,
        shared: shared_requests,
    });
    summary.totals = Totals::of_run(&summary);
    let _ = events.send(RunEvent::Finished(Box::new(summary.clone())));
    summary
}

/// The scenarios' cleanup at the end of the run, after the Bulk requests settled what
/// they could: what it finds goes into each scenario's result.
async fn clean_up_deferred(
    deferred: impl Iterator<Item = (String, ledger::CleanupLedger)>,
    results: &mut [ScenarioResult],
    env: &scenario::RunEnv,
) {
    for (owner, ledger) in deferred {
        let cleaned = cleanup::clean_up(ledger, &env.client, &env.adapter, &env.abandon).await;
        if let Some(result) = results.iter_mut().find(|r| r.id == owner) {
            result.exchanges.extend(cleaned.exchanges);
            result.cleanup_errors.extend(cleaned.problems);
            result.leftovers.extend(cleaned.leftovers);
        }
    }
}

/// The run's own copy of a result; a copy is made only if a reporter still holds it.
fn unshared(result: Arc<ScenarioResult>) -> ScenarioResult {
    Arc::unwrap_or_clone(result)
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_short_lowercase_base36() {
        let id = new_run_id();
        assert_eq!(id.len(), 6);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        );
        assert_ne!(new_run_id(), new_run_id());
    }
}
