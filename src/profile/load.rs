//! Reading a profile from YAML (built-in by name, or a file), with file:line:col errors.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::suite::PROFILE_SUFFIX;
use crate::suite::reader::Reader;
use crate::suite::yaml::{self, Node, NodeKind, Pos};
use crate::vocabulary::{Loc, Severity, SourceFile};

use super::client_rules::read_client_rules;
use super::product::read_product;
use super::{Effect, Profile, Profiles, Rule, RuleScope, builtin};

const TOP_KEYS: &[&str] = &[
    "name",
    "title",
    "source",
    "rate_limit",
    "rules",
    "client_rules",
    "dialect",
    "create_template",
    "vars",
    "fields",
    "cleanup",
    "capabilities",
    "scenarios",
    "emulate",
];
const RULE_KEYS: &[&str] = &[
    "tag",
    "scenario",
    "exclude",
    "deviation",
    "severity",
    "quote",
];

/// A built-in profile by name, or a profile file by path. The error is ready to print.
pub fn load(spec: &str) -> Result<Profile, String> {
    if let Some(text) = builtin::text(spec) {
        return parse(&format!("builtin:profiles/{spec}{PROFILE_SUFFIX}"), text)
            .map_err(|d| d.render(false));
    }
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read profile {spec}: {e}"))?;
        let mut profile = parse(spec, &text)
            .map_err(|d| format!("profile file {spec} has errors:\n{}", d.render(false)))?;
        profile.dir = path.parent().map(Path::to_path_buf);
        return Ok(profile);
    }
    let names = builtin::names();
    let hint = did_you_mean(spec, names.iter().copied())
        .map(|best| format!("; did you mean '{best}'?"))
        .unwrap_or_default();
    Err(format!(
        "unknown profile '{spec}'{hint} (built-in: {}; or the path of a profile file)",
        names.join(", ")
    ))
}

/// The profiles `specs` name, in order; each spec may itself be a comma-separated list
/// (`entra-id,talentech`). The error is ready to print.
pub fn load_all<S: AsRef<str>>(specs: &[S]) -> Result<Profiles, String> {
    let mut profiles = Vec::new();
    for spec in specs.iter().flat_map(|spec| spec.as_ref().split(',')) {
        let spec = spec.trim();
        if spec.is_empty() {
            continue;
        }
        let profile = load(spec)?;
        if profiles.iter().any(|p: &Profile| p.name == profile.name) {
            let alias = if spec == profile.name {
                String::new()
            } else {
                format!(" (the second time as '{spec}')")
            };
            return Err(format!(
                "profile '{}' is named twice{alias}; each profile applies once",
                profile.name
            ));
        }
        profiles.push(profile);
    }
    Ok(Profiles::new(profiles))
}

/// Parses profile text; `name` is how the file is shown in errors.
pub fn parse(name: &str, text: &str) -> Result<Profile, Diagnostics> {
    let file = Arc::new(SourceFile {
        name: name.to_owned(),
        text: text.to_owned(),
    });
    let whole_file = |message: String| {
        Diagnostics(vec![Diagnostic::error(
            Loc {
                file: Arc::clone(&file),
                line: 0,
                col: 0,
            },
            message,
        )])
    };
    let mut documents = match yaml::parse_documents(text) {
        Ok(documents) => documents,
        Err(e) => {
            let pos = e.pos.unwrap_or(Pos {
                line: 0,
                col: 0,
                byte: None,
            });
            let mut reader = Reader::new(Arc::clone(&file));
            reader.error(pos, e.message);
            return Err(Diagnostics(reader.diags));
        }
    };
    if documents.len() != 1 {
        return Err(whole_file(format!(
            "a profile file holds exactly one YAML document, found {}",
            documents.len()
        )));
    }
    let document = documents.remove(0);
    let mut reader = Reader::new(Arc::clone(&file));
    let profile = read_profile(&mut reader, &document);
    match profile {
        Some(profile) if reader.diags.is_empty() => Ok(profile),
        _ => Err(Diagnostics(reader.diags)),
    }
}

fn read_profile(r: &mut Reader, node: &Node) -> Option<Profile> {
    let top = r.mapping(node, "profile", TOP_KEYS)?;
    let name = r.required(&top, "name").and_then(|n| r.string(n, "name"));
    let title = r.required(&top, "title").and_then(|n| r.string(n, "title"));
    let source = top.get("source").and_then(|n| r.string(n, "source"));
    let rate_limit = top.get("rate_limit").and_then(|n| rate(r, n));
    let rules = match top.get("rules") {
        None => Vec::new(),
        Some(Node {
            kind: NodeKind::Seq(items),
            ..
        }) => items.iter().filter_map(|item| read_rule(r, item)).collect(),
        Some(other) => {
            r.wrong_type(other, "a list of rules", "rules");
            Vec::new()
        }
    };
    let client_rules = top
        .get("client_rules")
        .map(|n| read_client_rules(r, n))
        .unwrap_or_default();
    let product = read_product(r, |key| top.get(key));
    Some(Profile {
        product,
        dir: None,
        name: name?.to_owned(),
        title: title?.to_owned(),
        source: source.map(str::to_owned),
        rate_limit,
        rules,
        client_rules,
    })
}

fn rate(r: &mut Reader, node: &Node) -> Option<NonZeroU32> {
    let value = match node.kind {
        NodeKind::Int(n) => u32::try_from(n).ok().and_then(NonZeroU32::new),
        _ => None,
    };
    if value.is_none() {
        r.wrong_type(
            node,
            "a whole number of requests per second (1 or more)",
            "rate_limit",
        );
    }
    value
}

fn read_rule(r: &mut Reader, node: &Node) -> Option<Rule> {
    let rule = r.mapping(node, "profile rule", RULE_KEYS)?;
    let place = r.loc(node.pos).to_string();
    let quote = rule.get("quote").and_then(|n| r.string(n, "quote"));
    if quote.is_some() && rule.get("deviation").is_none() {
        r.error(
            node.pos,
            "a 'quote' goes with a 'deviation': the vendor's words for it",
        );
    }
    let scopes: Vec<RuleScope> = [
        rule.get("tag")
            .and_then(|n| r.string(n, "tag"))
            .map(|t| RuleScope::Tag(t.to_owned())),
        rule.get("scenario")
            .and_then(|n| r.string(n, "scenario"))
            .map(|s| RuleScope::Scenario(s.to_owned())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let effects: Vec<Effect> = [
        rule.get("exclude")
            .and_then(|n| r.string(n, "exclude reason"))
            .map(|s| Effect::Exclude(s.to_owned())),
        rule.get("deviation")
            .and_then(|n| r.string(n, "deviation reason"))
            .map(|s| Effect::Deviation(with_quote(s, quote))),
        rule.get("severity")
            .and_then(|n| r.choice(n, "severity", &["must", "should", "may"], false))
            .map(|s| Effect::Severity(severity(s))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if scopes.len() != 1 {
        r.error(
            node.pos,
            "a profile rule names exactly one of 'tag' or 'scenario'",
        );
    }
    if effects.len() != 1 {
        r.error(
            node.pos,
            "a profile rule has exactly one of 'exclude', 'deviation' or 'severity'",
        );
    }
    let (Ok([scope]), Ok([effect])) = (
        <[RuleScope; 1]>::try_from(scopes),
        <[Effect; 1]>::try_from(effects),
    ) else {
        return None;
    };
    Some(Rule {
        scope,
        effect,
        place,
    })
}

/// A deviation's reason followed by the vendor document's own sentence, quoted.
fn with_quote(reason: &str, quote: Option<&str>) -> String {
    match quote {
        Some(quote) => format!("{reason} (the vendor's document: \"{}\")", quote.trim()),
        None => reason.to_owned(),
    }
}

fn severity(word: &str) -> Severity {
    match word {
        "must" => Severity::Must,
        "should" => Severity::Should,
        _ => Severity::May,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_profile_parses() {
        for name in builtin::names() {
            if let Err(d) = load(name) {
                panic!("{name}: {d}");
            }
        }
    }

    #[test]
    fn a_rule_with_two_effects_and_an_unknown_key_is_pointed_at() {
        let text = "name: x\ntitle: X\nrules:\n  - tag: users\n    exclude: no\n    deviation: yes\n  - scenrio: a\n    exclude: b\n";
        let rendered = parse("p.yaml", text).unwrap_err().render(false);
        assert!(rendered.contains("p.yaml:4:5"), "{rendered}");
        assert!(rendered.contains("exactly one of 'exclude'"), "{rendered}");
        assert!(rendered.contains("p.yaml:7:5"), "{rendered}");
        assert!(rendered.contains("did you mean 'scenario'?"), "{rendered}");
    }

    #[test]
    fn an_unknown_profile_name_lists_the_built_in_ones() {
        let message = load("entra_id").unwrap_err();
        assert!(message.contains("did you mean 'entra-id'?"), "{message}");
        assert!(message.contains("talkdesk"), "{message}");
    }

    #[test]
    fn client_rules_are_read_with_their_quote_and_check() {
        let text = "name: acme\ntitle: Acme\nclient_rules:\n  - id: ACME-patch-ops\n    level: must\n    quote: Only Replace and Add are supported\n    patch_ops: [Replace, Add]\n  - id: ACME-new-user-active\n    level: should\n    quote: For a new user true is expected\n    on_create: { resource: User, attribute: active, equals: true }\n";
        let profile = parse("p.yaml", text).unwrap_or_else(|d| panic!("{}", d.render(false)));
        assert_eq!(profile.client_rules.len(), 2);
        let ops = &profile.client_rules[0];
        assert_eq!(ops.id, "ACME-patch-ops");
        assert_eq!(ops.level, crate::catalog::Level::Must);
        assert_eq!(
            ops.check,
            super::super::ClientCheck::PatchOps(vec!["Replace".into(), "Add".into()])
        );
        assert!(ops.place.starts_with("p.yaml:4:"), "{}", ops.place);
        assert_eq!(
            profile.client_rules[1].check,
            super::super::ClientCheck::OnCreate {
                resource: "User".into(),
                attribute: "active".into(),
                equals: Some(serde_json::Value::Bool(true)),
            }
        );
    }

    #[test]
    fn a_client_rule_in_a_catalog_namespace_or_with_two_checks_is_pointed_at() {
        let text = "name: x\ntitle: X\nclient_rules:\n  - id: RFC7644-mine\n    level: must\n    quote: q\n    patch_ops: [Add]\n  - id: X-two\n    level: must\n    quote: q\n    patch_ops: [Add]\n    patch_members: [path]\n";
        let rendered = parse("p.yaml", text).unwrap_err().render(false);
        assert!(rendered.contains("p.yaml:4:9"), "{rendered}");
        assert!(rendered.contains("namespace RFC7644-"), "{rendered}");
        assert!(rendered.contains("p.yaml:8:5"), "{rendered}");
        assert!(rendered.contains("exactly one check"), "{rendered}");
    }

    #[test]
    fn a_rate_limit_must_be_positive() {
        let rendered = parse("p.yaml", "name: x\ntitle: X\nrate_limit: 0\n")
            .unwrap_err()
            .render(false);
        assert!(rendered.contains("p.yaml:3:13"), "{rendered}");
    }
}
