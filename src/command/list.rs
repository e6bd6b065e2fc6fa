//! `scimcheck list`: the scenarios a run would consider, for people or machines.

use serde::Serialize;

use crate::cli::EnvSource;
use crate::cli::list::{ListArgs, ListFormat};
use crate::exit;
use crate::plan;

use super::{fail, load};

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

pub fn list(args: ListArgs, _env: &dyn EnvSource) -> i32 {
    let vars = match super::settings::resolve_vars(&args.selection, None) {
        Ok(vars) => vars,
        Err(message) => return fail(exit::USAGE, message),
    };
    let sources = super::settings::resolve_suites(&args.selection, None);
    let suite = match load::suite(sources, &vars) {
        Ok(suite) => suite,
        Err(code) => return code,
    };
    let profile = match load::profile(args.selection.profile.as_deref(), &suite) {
        Ok(profile) => profile,
        Err(code) => return code,
    };
    let selection = super::settings::resolve_selection(&args.selection, None);
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
        ListFormat::Json => match serde_json::to_string_pretty(&listed) {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(exit::USAGE, e),
        },
        ListFormat::Text => print!("{}", render_text(&listed)),
    }
    if listed.is_empty() {
        eprintln!("no scenario matches the selection");
        return exit::NOTHING_SELECTED;
    }
    exit::SUCCESS
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
