//! The run's shared fixtures (`shared: true` in a fixtures file): each is created once, on
//! the first use in the run, under a once-cell, so scenarios running at the same time wait
//! for that one create instead of sending their own. Every use checks and captures from
//! the one answer. What they created is deleted at the end of the run, like the decoys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::OnceCell;

use super::held::Held;
use super::ledger::CleanupLedger;
use super::request;
use super::scenario::RunEnv;
use super::template::{RenderContext, run_prefix};
use crate::check::ResponseBody;
use crate::client::{HttpRequest, HttpResponse};
use crate::result::Exchange;
use crate::suite::model::{Scenario, Step};

/// What the one create of a shared fixture gave.
// One per shared fixture and run, behind an Arc: its size costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Made {
    Answered {
        request: HttpRequest,
        body_value: Option<Arc<Value>>,
        response: HttpResponse,
        body: ResponseBody,
        /// Its record shows it holds no secret (`recorded_without_secrets`).
        screened: bool,
    },
    /// The product cannot take the request (the profile's dialect refuses it).
    Refused(String),
    /// No answer to judge: the request could not be rendered or sent.
    Failed(String),
}

/// The shared fixtures of one run.
#[derive(Debug)]
pub struct Pool {
    cells: Mutex<HashMap<String, Arc<OnceCell<Arc<Made>>>>>,
    ledger: Mutex<CleanupLedger>,
}

/// Locks, taking the value of a lock a panicking holder poisoned (a ledger stays usable).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Pool {
    pub fn new(run_id: &str, held: Held) -> Pool {
        Pool {
            cells: Mutex::new(HashMap::new()),
            ledger: Mutex::new(CleanupLedger::new(run_prefix(run_id), held)),
        }
    }

    /// The answer to the shared fixture `step` uses, creating it on the first call of
    /// the run. The exchanges come back only to the caller that sent them.
    pub async fn made(&self, name: &str, step: &Step, env: &RunEnv) -> (Arc<Made>, Vec<Exchange>) {
        let cell = lock(&self.cells)
            .entry(name.to_owned())
            .or_default()
            .clone();
        let mut exchanges = Vec::new();
        let made = cell
            .get_or_init(|| async {
                let (made, sent) = self.create(name, step, env).await;
                exchanges = sent;
                Arc::new(made)
            })
            .await
            .clone();
        (made, exchanges)
    }

    async fn create(&self, name: &str, step: &Step, env: &RunEnv) -> (Made, Vec<Exchange>) {
        // Its own context: the unique values are the fixture's, not the first user's.
        let ctx = RenderContext::new(&env.run_id, &env.counter, &env.vars);
        let mut rendered = match request::render(step, &ctx, env.client.base_url()) {
            Ok(rendered) => rendered,
            Err(problem) => return (Made::Failed(problem), Vec::new()),
        };
        let needs = match request::adapt(&mut rendered, step, &env.adapter) {
            Ok(needs) => needs,
            Err(reason) => return (Made::Refused(reason), Vec::new()),
        };
        rendered.request.step = format!("shared {name}");
        let sent = super::scenario::send_tallying(env, &rendered.request, &needs).await;
        let screened = sent
            .exchanges
            .last()
            .is_some_and(crate::client::recorded_without_secrets);
        let answer = sent.outcome.map(|response| {
            let body = ResponseBody::parse(&response).normalized();
            (response, body)
        });
        lock(&self.ledger).record(
            &env.client,
            &rendered.request,
            rendered.body_value.as_deref(),
            answer.as_ref().map(|(response, body)| (response, body)),
        );
        let made = match answer {
            Ok((response, body)) => Made::Answered {
                request: rendered.request,
                body_value: rendered.body_value,
                response,
                body,
                screened,
            },
            Err(e) => Made::Failed(format!(
                "{} {}: {e}",
                rendered.request.method, rendered.request.path
            )),
        };
        (made, sent.exchanges)
    }

    /// Forgets the shared fixtures whose one answer was a server error or none at all,
    /// so that the scenarios run again alone (after 5xx answers under load) send them
    /// again instead of being blocked by the first answer.
    pub fn forget_failures(&self) {
        lock(&self.cells).retain(|_, cell| match cell.get().map(|made| &**made) {
            Some(Made::Answered { response, .. }) => response.status < 500,
            Some(Made::Failed(_)) => false,
            _ => true,
        });
    }

    /// Whether `scenario` uses a shared fixture whose one answer was a server error or
    /// none at all.
    pub fn failed_for(&self, scenario: &Scenario) -> bool {
        let cells = lock(&self.cells);
        scenario
            .steps
            .iter()
            .filter_map(|step| step.shared.as_ref())
            .filter_map(|name| cells.get(name).and_then(|cell| cell.get()))
            .any(|made| match &**made {
                Made::Answered { response, .. } => response.status >= 500,
                Made::Failed(_) => true,
                Made::Refused(_) => false,
            })
    }

    /// What the shared fixtures created, for the cleanup at the end of the run.
    pub fn take_ledger(&self) -> CleanupLedger {
        std::mem::take(&mut *lock(&self.ledger))
    }
}
