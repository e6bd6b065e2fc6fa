//! `scimcheck list`: the scenarios a run would consider, for people or machines, without
//! a network.

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::settings::{self, SelectionArgs};
use super::{CliError, CommandResult, load};
use crate::exit;
use crate::plan;

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
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
}

pub fn list(args: ListArgs) -> CommandResult {
    let vars = settings::resolve_vars(&args.selection, None).map_err(CliError::usage)?;
    let sources = settings::resolve_suites(&args.selection, None);
    let suite = load::suite(sources, &vars)?;
    let profile = load::profile(args.selection.profile.as_deref(), &suite)?;
    let selection = settings::resolve_selection(&args.selection, None);
    let mut plan = plan::select(&suite, &selection);
    if let Some(profile) = &profile {
        profile.apply(&mut plan);
    }
    let listed: Vec<Listed> = plan
        .scenarios
        .iter()
        .map(|p| {
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
            }
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            let text = serde_json::to_string_pretty(&listed).map_err(CliError::usage)?;
            println!("{text}");
        }
        ListFormat::Text => print!("{}", render_text(&listed)),
    }
    if listed.is_empty() {
        eprintln!("no scenario matches the selection");
        return Ok(exit::NOTHING_SELECTED);
    }
    Ok(exit::SUCCESS)
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
        if let Some(reason) = l.skip {
            facts.push(format!("skipped: {reason}"));
        }
        if let Some(reason) = l.known_deviation {
            facts.push(format!("a failure is a deviation: {reason}"));
        }
        out.push_str(&format!("{:width$}  {}\n", "", facts.join("  ")));
    }
    out.push_str(&format!("{} scenario(s)\n", listed.len()));
    out
}

fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}
