//! `scimcheck list`: the scenarios a run would consider, for people or machines, without
//! a network.

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::Context;
use super::settings::{self, SelectionArgs};
use super::{CliError, CommandResult, load};
use crate::catalog::Catalog;
use crate::exit;
use crate::plan::{self, Plan};
use crate::profile::{Decision, Decisions, Profiles};
use crate::report::coverage_line;
use crate::result::{CitingScenario, Coverage, Tally};
use crate::vocabulary::Partition;

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Instead of the scenarios, how many of the requirement catalog's server statements
    /// the selected scenarios check, per area and overall, and the MUSTs no must scenario
    /// checks
    #[arg(long)]
    pub coverage: bool,
    /// List only the scenarios `run --partition K/N` would run
    #[arg(long, value_name = "K/N", value_parser = Partition::parse)]
    pub partition: Option<Partition>,
}

/// Text for people, JSON for machines (`list` and `discover`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    title: &'a str,
    area: &'a str,
    severity: &'a str,
    requirement: &'a [String],
    tags: &'a [String],
    requires: Vec<&'static str>,
    file: &'a str,
    skip: Option<&'a str>,
    known_deviation: Option<&'a str>,
    /// With profiles: which one decided each thing they changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<DecidedBy>,
}

/// Per effect, the profile whose rule decided it and the earlier profiles it overrode.
#[derive(Serialize)]
struct DecidedBy {
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<Decider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    known_deviation: Option<Decider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exclusion: Option<Decider>,
}

#[derive(Serialize)]
struct Decider {
    profile: String,
    /// Earlier profiles that decided otherwise, with the severity they gave.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overrides: Vec<Overridden>,
}

#[derive(Serialize)]
struct Overridden {
    profile: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
}

impl DecidedBy {
    fn of(decisions: Decisions) -> Option<DecidedBy> {
        let severity = decisions.severity.map(|d| {
            let overrides = d
                .overrides
                .iter()
                .map(|(profile, severity)| Overridden {
                    profile: profile.clone(),
                    severity: Some(severity.as_str()),
                })
                .collect();
            Decider {
                profile: d.profile,
                overrides,
            }
        });
        let decided = DecidedBy {
            severity,
            known_deviation: decisions.deviation.map(Decider::of_reason),
            exclusion: decisions.exclusion.map(Decider::of_reason),
        };
        let any = decided.severity.is_some()
            || decided.known_deviation.is_some()
            || decided.exclusion.is_some();
        any.then_some(decided)
    }
}

impl Decider {
    fn of_reason(decision: Decision<String>) -> Decider {
        Decider {
            profile: decision.profile,
            overrides: decision
                .overrides
                .into_iter()
                .map(|(profile, _)| Overridden {
                    profile,
                    severity: None,
                })
                .collect(),
        }
    }

    /// ` (overriding okta, entra-id: must)` or nothing.
    fn overriding(&self) -> String {
        if self.overrides.is_empty() {
            return String::new();
        }
        let earlier: Vec<String> = self
            .overrides
            .iter()
            .map(|o| match o.severity {
                Some(severity) => format!("{}: {severity}", o.profile),
                None => o.profile.clone(),
            })
            .collect();
        format!(" (overriding {})", earlier.join(", "))
    }
}

pub fn list(args: ListArgs, ctx: &Context) -> CommandResult {
    let vars = settings::resolve_vars(&args.selection, None).map_err(CliError::usage)?;
    let profiles = load::named_profiles(&settings::resolve_profiles(&args.selection, None, ctx))?;
    // The products' own scenarios are listed with the suites, as a run loads them.
    let sources = settings::resolve_suites(&args.selection, None).and_then(|mut s| {
        s.extend(profiles.scenario_sources()?);
        Ok(s)
    });
    let suite = load::suite(sources, &vars)?;
    load::warn_unmatched(&profiles, &suite);
    let selection = settings::resolve_selection(&args.selection, None);
    let mut plan = plan::select(&suite, &selection);
    let decisions = profiles.apply(&mut plan);
    if args.coverage {
        return list_coverage(&plan, &profiles, args.format);
    }
    let selected = plan.scenarios.len();
    let listed: Vec<Listed> = plan
        .scenarios
        .iter()
        .zip(decisions)
        .filter(|(p, _)| args.partition.is_none_or(|k| k.contains(&p.scenario.id)))
        .map(|(p, decisions)| {
            let s = &p.scenario;
            Listed {
                id: &s.id,
                title: &s.title,
                area: &s.area,
                severity: p.severity.as_str(),
                requirement: &s.requirement,
                tags: &s.tags,
                requires: s.requires.iter().map(|c| c.as_str()).collect(),
                file: &s.loc.file.name,
                skip: p.skip.as_ref().map(|s| s.reason.as_str()),
                known_deviation: p.known_deviation.as_deref(),
                decided_by: DecidedBy::of(decisions),
            }
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            let text = serde_json::to_string_pretty(&listed).map_err(CliError::usage)?;
            println!("{text}");
        }
        ListFormat::Text => print!("{}{}", profiles_header(&profiles), render_text(&listed)),
    }
    if selected == 0 {
        eprintln!("no scenario matches the selection");
        return Ok(exit::NOTHING_SELECTED);
    }
    if let Some(partition) = args.partition.filter(|_| listed.is_empty()) {
        eprintln!("slice {partition} of the {selected} selected scenarios is empty");
    }
    Ok(exit::SUCCESS)
}

/// `list --coverage`: what the selection checks, with every capability counted (no target
/// is known). Scenarios a profile excludes check nothing.
fn list_coverage(plan: &Plan, profiles: &Profiles, format: ListFormat) -> CommandResult {
    let catalog = Catalog::builtin()
        .map_err(|e| CliError::usage(format!("the built-in requirement catalog: {e}")))?;
    let counted: Vec<CitingScenario> = plan
        .scenarios
        .iter()
        .filter(|p| p.skip.is_none())
        .map(|p| CitingScenario {
            requirement: &p.scenario.requirement,
            severity: p.severity,
        })
        .collect();
    let scenarios = counted.len();
    let coverage = Coverage::of(catalog, counted, |_| true);
    match format {
        ListFormat::Json => {
            let document = CoverageDocument {
                scenarios,
                coverage: &coverage,
            };
            let text = serde_json::to_string_pretty(&document).map_err(CliError::usage)?;
            println!("{text}");
        }
        ListFormat::Text => print!(
            "{}{}",
            profiles_header(profiles),
            render_coverage(&coverage, scenarios)
        ),
    }
    if plan.scenarios.is_empty() {
        eprintln!("no scenario matches the selection");
        return Ok(exit::NOTHING_SELECTED);
    }
    Ok(exit::SUCCESS)
}

#[derive(Serialize)]
struct CoverageDocument<'a> {
    /// The selected scenarios that count (not excluded by a profile).
    scenarios: usize,
    #[serde(flatten)]
    coverage: &'a Coverage,
}

/// A table per area, the overall line (the words of the run reports), then the MUSTs
/// without a must scenario.
fn render_coverage(coverage: &Coverage, scenarios: usize) -> String {
    let mut out = format!(
        "Server statements of the requirement catalog checked by {scenarios} scenario(s)\n\n"
    );
    out.push_str(&format!(
        "{:<12} {:>10} {:>14} {:>6} {:>14}\n",
        "area", "statements", "checked", "MUSTs", "at must"
    ));
    let row = |name: &str, t: &Tally| {
        format!(
            "{:<12} {:>10} {:>14} {:>6} {:>14}\n",
            name,
            t.statements,
            format!("{} ({} %)", t.checked, t.percent()),
            t.musts,
            format!("{} ({} %)", t.musts_at_must, t.must_percent())
        )
    };
    for area in &coverage.areas {
        out.push_str(&row(&area.area, &area.tally));
    }
    out.push_str(&row("all", &coverage.overall));
    out.push_str(&format!(
        "\noverall: {}\n",
        coverage_line(&coverage.overall)
    ));
    let unchecked = &coverage.musts_not_at_must;
    if !unchecked.is_empty() {
        out.push_str(&format!(
            "\nServer MUSTs no must scenario checks ({}):\n",
            unchecked.len()
        ));
        for u in unchecked {
            out.push_str(&format!("  {}  {}\n", u.id, u.text));
        }
    }
    out
}

fn render_text(listed: &[Listed]) -> String {
    let width = listed.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for l in listed {
        out.push_str(&format!(
            "{:<width$}  {:<6}  {}\n",
            l.id, l.severity, l.title
        ));
        let mut facts = vec![format!("requirement: {}", join_or_dash(l.requirement))];
        facts.push(format!("tags: {}", join_or_dash(l.tags)));
        if !l.requires.is_empty() {
            facts.push(format!("requires: {}", l.requires.join(", ")));
        }
        let decided = l.decided_by.as_ref();
        if let Some(severity) = decided.and_then(|d| d.severity.as_ref()) {
            facts.push(format!(
                "severity {} from profile {}{}",
                l.severity,
                severity.profile,
                severity.overriding()
            ));
        }
        if let Some(reason) = l.skip {
            let overriding = decided
                .and_then(|d| d.exclusion.as_ref())
                .map(Decider::overriding)
                .unwrap_or_default();
            facts.push(format!("skipped: {reason}{overriding}"));
        }
        if let Some(reason) = l.known_deviation {
            let overriding = decided
                .and_then(|d| d.known_deviation.as_ref())
                .map(Decider::overriding)
                .unwrap_or_default();
            facts.push(format!("a failure is a deviation: {reason}{overriding}"));
        }
        out.push_str(&format!("{:width$}  {}\n", "", facts.join("  ")));
    }
    out.push_str(&format!("{} scenario(s)\n", listed.len()));
    out
}

/// The profiles in the order they apply, and the rate limit they set, before the list.
fn profiles_header(profiles: &Profiles) -> String {
    if profiles.is_empty() {
        return String::new();
    }
    let names = profiles.names();
    let mut out = if names.len() == 1 {
        format!("profile: {}\n", names.join(""))
    } else {
        format!(
            "profiles: {} (applied in this order; a later one overrides an earlier one)\n",
            names.join(", ")
        )
    };
    if let Some((rate, from)) = profiles.rate_limit() {
        out.push_str(&format!(
            "rate limit: {rate} requests per second, from profile {from} (the lowest any profile \
             sets; --rate-limit overrides it)\n"
        ));
    }
    out.push('\n');
    out
}

fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}
