//! The front door: the one place that assembles a run. The CLI, the libtest harness,
//! the benches, the engine tests and the judge's `--expect` all go through here.
//!
//! `RunBuilder` takes a plan and a target (or a client another run uses) and the run's
//! options; `build` compiles the schemas the plan names and makes the client, so what
//! can be refused is refused before any request. `Run::discover` reads what the target
//! declares and gates the plan by it; `Run::execute` runs it, streaming events.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::gate;
use super::{ExecuteOptions, Stop, execute, new_run_id};
use crate::check::SchemaSet;
use crate::client::{Auth, Client, Target};
use crate::discovery::{self, Capabilities, Discovered};
use crate::plan::{self, Plan};
use crate::profile::{Adapter, Profiles};
use crate::result::{PlanRecord, RunEvent, RunInfo, RunSummary};
use crate::vocabulary::{Capability, Partition};

/// Why a run could not be assembled or started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The run is malformed (a schema the plan names does not compile, the target
    /// description is invalid): nothing was sent.
    Invalid(String),
    /// The target gave no usable answer to discovery: the run cannot start. `message`
    /// is redacted.
    Discovery { target_url: String, message: String },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Invalid(message) => f.write_str(message),
            RunError::Discovery {
                target_url,
                message,
            } => write!(f, "cannot start the run against {target_url}: {message}"),
        }
    }
}

impl std::error::Error for RunError {}

/// What a target declared about itself, read once and shareable between runs against
/// it (the harness runs each scenario as a run of its own).
#[derive(Debug, Clone)]
pub struct Discovery {
    found: Arc<Discovered>,
    /// The target's capabilities, with `auth` when the client has credentials.
    capabilities: Capabilities,
    /// Discovery's findings, redacted: gaps, probed endpoints, odd declarations.
    warnings: Vec<String>,
}

impl Discovery {
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// Whether a run reads the target's discovery endpoints before it starts.
#[derive(Debug, Clone)]
enum DiscoveryMode {
    /// Read them and gate the plan by what they say (the default).
    Read,
    /// Gate the plan by what an earlier run read.
    Given(Discovery),
    /// Run the plan as it is: no discovery, no gating (engine tests of the executor).
    Skip,
}

enum Connection {
    None,
    Target(Box<Target>),
    Client(Arc<Client>),
}

/// Assembles a run; see the module documentation.
///
/// ```no_run
/// # async fn example() -> Result<(), scimcheck::RunError> {
/// use scimcheck::{RunBuilder, client::Target, plan, suite};
///
/// let suite = suite::load_builtin(&suite::LoadOptions::default()).expect("built-in suite");
/// let plan = plan::select(&suite, &plan::Selection::default());
/// let run = RunBuilder::new(plan)
///     .target(Target::new("https://acme.example/scim/v2"))
///     .jobs(4)
///     .build()?;
/// let summary = run.execute_with(|event| println!("{event:?}")).await?;
/// println!("{} scenarios", summary.results.len());
/// # Ok(())
/// # }
/// ```
pub struct RunBuilder {
    plan: Plan,
    connection: Connection,
    discovery: DiscoveryMode,
    profiles: Vec<String>,
    /// The profiles' request rate, for a target that sets none.
    profile_rate: Option<NonZeroU32>,
    options: ExecuteOptions,
    events: Option<UnboundedSender<RunEvent>>,
    /// What reports record of the selection (see `partition`).
    plan_record: PlanRecord,
    /// See `embedded`.
    embedded: Option<String>,
}

impl RunBuilder {
    /// A run of `plan`, one scenario at a time, with a fresh run id.
    pub fn new(plan: Plan) -> RunBuilder {
        let plan_record =
            PlanRecord::of(plan.scenarios.iter().map(|p| p.scenario.id.as_str()), None);
        RunBuilder {
            plan_record,
            embedded: None,
            plan,
            connection: Connection::None,
            discovery: DiscoveryMode::Read,
            profiles: Vec::new(),
            profile_rate: None,
            options: ExecuteOptions {
                jobs: 1,
                run_id: new_run_id(),
                ..ExecuteOptions::default()
            },
            events: None,
        }
    }

    /// The target to run against; `build` makes its client.
    pub fn target(mut self, target: Target) -> Self {
        self.connection = Connection::Target(Box::new(target));
        self
    }

    /// A client another run (or the caller) also uses: its rate limit and deadline are
    /// shared.
    pub fn client(mut self, client: Arc<Client>) -> Self {
        self.connection = Connection::Client(client);
        self
    }

    /// Applies `profiles` in order to the plan (severities, exclusions, known
    /// deviations), names them in the reports, and lends their lowest request rate to a
    /// target that sets none.
    pub fn profiles(mut self, profiles: &Profiles) -> Self {
        profiles.apply(&mut self.plan);
        self.profile_rate = profiles.rate_limit().map(|(rate, _)| rate);
        self.profiles = profiles.names();
        self
    }

    /// Scenarios that will send requests, as the plan stands now.
    pub fn runnable(&self) -> usize {
        self.plan.runnable()
    }

    /// Scenarios running at the same time (at least 1).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.options.jobs = jobs.max(1);
        self
    }

    /// Leaves what the run created on the target (no cleanup).
    pub fn keep(mut self, keep: bool) -> Self {
        self.options.keep = keep;
        self
    }

    /// The profiles' product rules (dialect, create template, field allow-list, cleanup,
    /// declared capabilities): scenarios the allow-list cannot serve are skipped now.
    pub fn adapter(mut self, adapter: Adapter) -> Self {
        adapter.gate(&mut self.plan);
        self.options.adapter = Arc::new(adapter);
        self
    }

    /// An earlier run's failures: only failures not among them fail this run.
    pub fn baseline(mut self, baseline: Option<crate::result::Baseline>) -> Self {
        self.options.baseline = baseline;
        self
    }

    /// Lets a `should` failure fail the run.
    pub fn strict(mut self, strict: bool) -> Self {
        self.options.strict = strict;
        self
    }

    /// Run-level variables (`--var`, the config file): they override scenario defaults.
    pub fn vars(mut self, vars: BTreeMap<String, serde_json::Value>) -> Self {
        self.options.vars = vars;
        self
    }

    /// The prefix of every value the run generates, instead of a fresh one.
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.options.run_id = run_id.into();
        self
    }

    /// How the caller stops the run early (signals, a deadline).
    pub fn stop(mut self, stop: Stop) -> Self {
        self.options.stop = stop;
        self
    }

    /// Gates the plan by an earlier run's discovery instead of reading it again.
    pub fn discovered(mut self, discovery: Discovery) -> Self {
        self.discovery = DiscoveryMode::Given(discovery);
        self
    }

    /// Runs the plan as it is, without reading discovery or gating by it.
    pub fn without_discovery(mut self) -> Self {
        self.discovery = DiscoveryMode::Skip;
        self
    }

    /// Runs only slice `partition` of the plan (`--partition k/n`); reports record the
    /// whole selection and the slice, so `merge` can put the slices together again.
    pub fn partition(mut self, partition: Partition) -> Self {
        let (plan, record) = plan::partition(std::mem::take(&mut self.plan), Some(partition));
        self.plan = plan;
        self.plan_record = record;
        self
    }

    /// Names the target as the embedded reference server (`description` says how it was
    /// switched), so reports of runs against it agree whatever port it listened on.
    pub fn embedded(mut self, description: impl Into<String>) -> Self {
        self.embedded = Some(description.into());
        self
    }

    /// Where events go; a client the builder makes also announces its waits there.
    pub fn events(mut self, events: UnboundedSender<RunEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// Compiles the schemas the plan names and makes the client: a run that cannot be
    /// assembled is refused before any request.
    pub fn build(self) -> Result<Run, RunError> {
        let schemas =
            SchemaSet::for_plan(&self.plan).map_err(|e| RunError::Invalid(e.to_string()))?;
        let (client, target_url, has_credentials) = match self.connection {
            Connection::None => {
                return Err(RunError::Invalid("a run needs a target".to_owned()));
            }
            Connection::Target(mut target) => {
                let has_credentials = !matches!(target.auth, Auth::None);
                // Reports name the target as the user wrote it.
                let target_url = target.base_url.clone();
                if target.rate_limit.is_none() {
                    target.rate_limit = self.profile_rate;
                }
                let client =
                    Arc::new(Client::new(*target).map_err(|e| RunError::Invalid(e.to_string()))?);
                if let Some(events) = &self.events {
                    // Weak: the stream ends when the run's own sender is dropped.
                    let notices = events.downgrade();
                    client.set_notices(move |text| match notices.upgrade() {
                        Some(events) => {
                            let _ = events.send(RunEvent::Notice(text));
                        }
                        None => eprintln!("note: {text}"),
                    });
                }
                (client, target_url, has_credentials)
            }
            Connection::Client(client) => {
                let has_credentials = client.has_credentials();
                let target_url = client.base_url().to_owned();
                (client, target_url, has_credentials)
            }
        };
        Ok(Run {
            plan: self.plan,
            client,
            target_url,
            has_credentials,
            schemas,
            discovery: self.discovery,
            profiles: self.profiles,
            capabilities: None,
            options: self.options,
            events: self.events,
            plan_record: self.plan_record,
            embedded: self.embedded,
        })
    }
}

/// A run assembled and ready: discover, then execute.
pub struct Run {
    plan: Plan,
    client: Arc<Client>,
    target_url: String,
    has_credentials: bool,
    schemas: SchemaSet,
    discovery: DiscoveryMode,
    profiles: Vec<String>,
    /// What discovery found the target has, for the coverage figure.
    capabilities: Option<Capabilities>,
    options: ExecuteOptions,
    events: Option<UnboundedSender<RunEvent>>,
    plan_record: PlanRecord,
    embedded: Option<String>,
}

impl Run {
    /// The client the run sends with (to set a deadline, or to look at the target).
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    pub fn run_id(&self) -> &str {
        &self.options.run_id
    }

    /// The plan as it stands: after `discover`, with what the target lacks skipped.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Reads what the target declares (unless an earlier run's discovery was given, or
    /// discovery is off) and gates the plan by it: scenarios needing what the target
    /// lacks are skipped with the reason. Discovery's warnings are repeated in every
    /// report.
    pub async fn discover(&mut self) -> Result<Option<Discovery>, RunError> {
        let discovery = match std::mem::replace(&mut self.discovery, DiscoveryMode::Skip) {
            DiscoveryMode::Skip => return Ok(None),
            DiscoveryMode::Given(discovery) => discovery,
            DiscoveryMode::Read => {
                self.client
                    .authorize()
                    .await
                    .map_err(|e| RunError::Discovery {
                        target_url: self.target_url.clone(),
                        message: self.client.redactor().text(&e.to_string()),
                    })?;
                let found =
                    discovery::discover(&self.client)
                        .await
                        .map_err(|e| RunError::Discovery {
                            target_url: self.target_url.clone(),
                            message: self.client.redactor().text(&e.to_string()),
                        })?;
                let mut capabilities = found.capabilities.clone();
                if self.has_credentials {
                    capabilities.insert(Capability::Auth);
                }
                // What a product without discovery endpoints has, as its profile declares.
                for declared in self.options.adapter.capabilities.iter() {
                    if let Some(capability) = Capability::from_name(declared)
                        && capabilities.unknown_because(capability).is_some()
                    {
                        capabilities.insert(capability);
                    }
                }
                let warnings: Vec<String> = found
                    .warnings
                    .iter()
                    .map(|w| self.client.redactor().text(w))
                    .collect();
                self.options.notices.extend_from_slice(&warnings);
                Discovery {
                    found: Arc::new(found),
                    capabilities,
                    warnings,
                }
            }
        };
        self.capabilities = Some(discovery.capabilities.clone());
        self.schemas.add_declared(&discovery.found.declared);
        gate::gate_capabilities(&mut self.plan, &discovery.capabilities);
        gate::gate_declared_schemas(&mut self.plan, &self.schemas);
        gate::gate_undeclared_attributes(&mut self.plan, &discovery.found.attributes);
        Ok(Some(discovery))
    }

    /// Runs the plan (discovering first if `discover` was not called) and returns the
    /// summary; events go where `RunBuilder::events` said.
    pub async fn execute(mut self) -> Result<RunSummary, RunError> {
        self.discover().await?;
        if let Some(capabilities) = &self.capabilities
            && self.options.adapter.cleanup == crate::profile::Cleanup::Delete
            // A Bulk request is not written in a product's dialect (its content type) and
            // carries more than a field allow-list lets through.
            && self.options.adapter.dialect.content_type.is_none()
            && self.options.adapter.fields.is_empty()
        {
            self.options.bulk_cleanup =
                capabilities
                    .bulk_max_operations()
                    .map(|max_operations| super::BulkCleanup {
                        max_operations,
                        can_filter: capabilities.has(Capability::Filter),
                    });
        }
        let events = match self.events.take() {
            Some(events) => events,
            // Nobody listens: the receiver is dropped and sends are ignored.
            None => tokio::sync::mpsc::unbounded_channel().0,
        };
        let info = RunInfo {
            target_url: self.target_url,
            profiles: self.profiles,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            run_id: self.options.run_id.clone(),
            started_at: now_rfc3339(),
            plan: Some(self.plan_record),
            embedded: self.embedded,
            capabilities: self
                .capabilities
                .as_ref()
                .map(|c| c.names().into_iter().map(str::to_owned).collect()),
        };
        self.options.capabilities = self.capabilities;
        let summary = execute(
            &self.plan,
            self.client,
            Arc::new(self.schemas),
            info,
            self.options,
            events,
        )
        .await;
        Ok(summary)
    }

    /// Like `execute`, handing each event to `on_event` as it happens.
    pub async fn execute_with(
        mut self,
        mut on_event: impl FnMut(RunEvent),
    ) -> Result<RunSummary, RunError> {
        let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
        self.events = Some(events);
        let run = self.execute();
        let listen = async {
            while let Some(event) = received.recv().await {
                on_event(event);
            }
        };
        let (summary, ()) = tokio::join!(run, listen);
        summary
    }
}

/// Now, RFC 3339, for reports.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
