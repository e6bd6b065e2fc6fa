//! The run's decoys: one User (and one Group) that no scenario's filter matches, created
//! before the scenarios and deleted after them. Scenarios scope their queries to their own
//! data; the decoy makes sure a filtered list always has something to leave out, so a
//! server that ignores a filter fails the same scenarios whether they run one at a time
//! (and see nothing else) or beside others.

use serde_json::json;

use tokio_util::sync::CancellationToken;

use super::cleanup::{self, Cleaned};
use super::held::Held;
use super::ledger::CleanupLedger;
use crate::check::ResponseBody;
use crate::client::{AuthMode, Client, HttpRequest};
use crate::plan::Plan;
use crate::profile::{Adapter, Outgoing};
use crate::result::{Exchange, Leftover};
use crate::vocabulary::Capability;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The decoys that were created, and what went wrong on the way.
#[derive(Debug, Default)]
pub struct Decoys {
    ledger: CleanupLedger,
    pub notices: Vec<String>,
    /// The creates, for the run's record of its own requests.
    exchanges: Vec<Exchange>,
}

/// `scimcheck-decoy-<run id>`: recognisable as this run's, yet outside the run prefix
/// (`scimcheck-<run id>-`) that scenario values start with.
pub fn decoy_name(run_id: &str) -> String {
    format!("scimcheck-decoy-{run_id}")
}

/// Creates a decoy for each resource type the plan's runnable scenarios use.
pub async fn plant(
    client: &Client,
    adapter: &Adapter,
    plan: &Plan,
    run_id: &str,
    held: Held,
) -> Decoys {
    let name = decoy_name(run_id);
    let mut decoys = Decoys {
        // A decoy create whose answer is lost is searched for by its own name.
        ledger: CleanupLedger::new(name.clone(), held),
        notices: Vec::new(),
        exchanges: Vec::new(),
    };
    let needs = |capability: Capability| {
        plan.scenarios
            .iter()
            .filter(|p| p.skip.is_none())
            .any(|p| p.scenario.requires.contains(&capability))
    };
    let mut wanted = Vec::new();
    if needs(Capability::Users) {
        wanted.push((
            "/Users",
            json!({"schemas": [USER_SCHEMA], "userName": format!("{name}@example.com")}),
        ));
    }
    if needs(Capability::Groups) {
        wanted.push((
            "/Groups",
            json!({"schemas": [GROUP_SCHEMA], "displayName": name}),
        ));
    }
    for (path, mut body) in wanted {
        let mut request = HttpRequest {
            step: "decoy".to_owned(),
            method: "POST".to_owned(),
            path: path.to_owned(),
            auth: AuthMode::Default,
            ..HttpRequest::default()
        };
        // The product's dialect and create template apply to decoys as to any create.
        let _ = adapter.apply(Outgoing {
            method: "POST",
            path,
            query: &mut request.query,
            headers: &mut request.headers,
            body: Some(&mut body),
            setup: true,
        });
        request.body = Some(crate::client::json_bytes(&body));
        let sent = client.send(&request).await;
        decoys.exchanges.extend(sent.exchanges);
        let answer = sent.outcome.map(|response| {
            let parsed = ResponseBody::parse(&response);
            (response, parsed)
        });
        decoys.ledger.record(
            client,
            &request,
            Some(&body),
            answer.as_ref().map(|(response, parsed)| (response, parsed)),
        );
        match answer {
            Ok((response, _)) if (200..300).contains(&response.status) => {}
            Ok((response, _)) => decoys.notices.push(format!(
                "the decoy for {path} could not be created (POST answered {}): a server that \
                 ignores filters may give different results at different --jobs",
                response.status
            )),
            Err(e) => decoys.notices.push(format!(
                "the decoy for {path} could not be created ({e}): a server that ignores \
                 filters may give different results at different --jobs"
            )),
        }
    }
    decoys
}

impl Decoys {
    /// The creates' exchanges, handed over once for the run's record.
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.exchanges)
    }

    /// For the run's Bulk cleanup, which may settle the decoys with everything else.
    pub fn ledger_mut(&mut self) -> &mut CleanupLedger {
        &mut self.ledger
    }

    /// Deletes the decoys (unless `keep`): the notices about them, what stays, and the
    /// requests sent.
    pub async fn remove(
        self,
        client: &Client,
        adapter: &Adapter,
        keep: bool,
        abandon: &CancellationToken,
    ) -> (Vec<String>, Vec<Leftover>, Vec<Exchange>) {
        let cleaned = if keep {
            cleanup::kept(&self.ledger)
        } else {
            cleanup::clean_up(self.ledger, client, adapter, abandon).await
        };
        let Cleaned {
            problems,
            leftovers,
            exchanges,
        } = cleaned;
        let mut notices = self.notices;
        notices.extend(problems.into_iter().map(|p| format!("decoy cleanup: {p}")));
        (notices, leftovers, exchanges)
    }
}
