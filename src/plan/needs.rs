//! The attributes a scenario demands back from the target: those its successful steps
//! check in a resource or a list of resources, filter or sort by, project, or PATCH.
//! What a scenario only sends (a POST body) is not a demand: a server may ignore it.
//!
//! Read from the scenario as written; a hole stands for a value, so `userName eq
//! "{{ unique.email }}"` needs `userName`. What cannot be read (an attribute path made of
//! holes) is no demand.

use crate::scim::{AttrPath, BodyPath, BodyStep, parse_attr_path, parse_filter, parse_patch_path};
use crate::suite::model::{Body, Matcher, Scenario, Step, Template, TemplatePart, TemplateValue};

/// Endpoints whose answers are not resources of a resource type.
const NOT_RESOURCE_TYPES: &[&str] = &[
    ".search",
    "Bulk",
    "Me",
    "ServiceProviderConfig",
    "ResourceTypes",
    "Schemas",
];

/// One attribute of the resources at `endpoint` (`/Users`) that a scenario relies on.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub endpoint: String,
    pub attr: AttrPath,
}

/// What a step's answer is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// One resource: a create, read, replace or patch answer.
    Resource,
    /// A ListResponse: a query or a search.
    List,
}

/// Every attribute the scenario demands, in step order (duplicates possible).
pub fn needs(scenario: &Scenario) -> Vec<Need> {
    let mut needs = Vec::new();
    for step in scenario.steps.iter().filter(|s| expects_success(s)) {
        let Some((endpoint, shape)) = target_of(step) else {
            continue;
        };
        let mut attrs = Vec::new();
        for check in &step.expect.body {
            if !is_negative(&check.matcher) {
                attrs.extend(checked(&check.path.parsed, shape));
            }
        }
        if shape == Shape::List {
            for (name, value) in &step.request.query {
                attrs.extend(query_attributes(name, &literal(value)));
            }
            if let Some(Body::Json(TemplateValue::Object(members))) = &step.request.body {
                for (name, value) in members {
                    if let TemplateValue::String(template) = value {
                        attrs.extend(query_attributes(name, &literal(template)));
                    }
                }
            }
        }
        if step.request.method == "PATCH"
            && let Some(Body::Json(body)) = &step.request.body
        {
            attrs.extend(patched(body));
        }
        needs.extend(attrs.into_iter().map(|attr| Need {
            endpoint: endpoint.clone(),
            attr,
        }));
    }
    needs
}

/// The attributes the scenario expects to find in successful answers: what it checks,
/// not what it only filters, sorts or PATCHes by.
pub fn checked_needs(scenario: &Scenario) -> Vec<Need> {
    let mut needs = Vec::new();
    for step in scenario.steps.iter().filter(|s| expects_success(s)) {
        let Some((endpoint, shape)) = target_of(step) else {
            continue;
        };
        for check in step.expect.body.iter().filter(|c| !is_negative(&c.matcher)) {
            needs.extend(
                checked(&check.path.parsed, shape)
                    .into_iter()
                    .map(|attr| Need {
                        endpoint: endpoint.clone(),
                        attr,
                    }),
            );
        }
    }
    needs
}

/// Steps that expect an error answer check error messages, not resources.
fn expects_success(step: &Step) -> bool {
    step.expect
        .status
        .as_ref()
        .is_none_or(|s| s.any_of.iter().any(|code| (200..300).contains(code)))
}

/// The resource type endpoint a step talks to and the shape of the answer.
fn target_of(step: &Step) -> Option<(String, Shape)> {
    let Some(TemplatePart::Text(text)) = step.request.path.parts.first() else {
        return None;
    };
    // Holes after a `?` are query values (`/Users?filter=userName+eq+...`), not an id.
    let whole = step.request.path.parts.len() == 1 || text.contains('?');
    let text = text.split('?').next().unwrap_or_default();
    let mut segments = text.trim_start_matches('/').split('/');
    let endpoint = segments.next().filter(|s| !s.is_empty())?;
    if NOT_RESOURCE_TYPES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(endpoint))
    {
        return None;
    }
    let rest: Vec<&str> = segments.filter(|s| !s.is_empty()).collect();
    let shape = match (rest.as_slice(), whole) {
        ([".search"], _) => Shape::List,
        ([], true) if step.request.method == "GET" => Shape::List,
        ([], true) if step.request.method == "POST" => Shape::Resource,
        // `/Users/{{ user }}`: one resource.
        ([], false) => Shape::Resource,
        _ => return None,
    };
    Some((format!("/{endpoint}"), shape))
}

/// `absent`, `present: false` and `not: ...` hold when the attribute is missing.
fn is_negative(matcher: &Matcher) -> bool {
    match matcher {
        Matcher::Absent | Matcher::Not(_) => true,
        Matcher::All(all) => all.iter().all(is_negative),
        _ => false,
    }
}

/// The resource attributes a body check path reads.
fn checked(path: &BodyPath, shape: Shape) -> Vec<AttrPath> {
    let mut steps = path.steps();
    let mut attrs = Vec::new();
    if shape == Shape::List {
        match steps {
            [BodyStep::Members(first), rest @ ..] if first.eq_ignore_ascii_case("Resources") => {
                steps = rest;
            }
            // totalResults, itemsPerPage, ...: the message, not a resource.
            _ => return Vec::new(),
        }
        match steps {
            [BodyStep::Filter(filter), rest @ ..] => {
                attrs.extend(filter.attr_paths());
                steps = rest;
            }
            [BodyStep::Index(_), rest @ ..] => steps = rest,
            _ => {}
        }
    }
    attrs.extend(resource_path(steps));
    attrs
}

/// `name.givenName`, `emails[type eq "work"].value`, `urn:...:User:employeeNumber`.
fn resource_path(steps: &[BodyStep]) -> Vec<AttrPath> {
    let [BodyStep::Members(first), rest @ ..] = steps else {
        return Vec::new();
    };
    let Ok(attr) = parse_attr_path(first) else {
        return Vec::new();
    };
    let mut attrs = vec![attr.clone()];
    let sub = |name: &str| AttrPath {
        sub: Some(name.split('.').next().unwrap_or(name).to_owned()),
        ..attr.clone()
    };
    for step in rest {
        match step {
            BodyStep::Filter(filter) if attr.sub.is_none() => {
                attrs.extend(filter.attr_paths().iter().map(|p| sub(&p.name)));
            }
            BodyStep::Members(name) if attr.sub.is_none() => attrs.push(sub(name)),
            _ => {}
        }
    }
    attrs
}

/// The attributes of a query parameter or SearchRequest member.
fn query_attributes(name: &str, value: &str) -> Vec<AttrPath> {
    if name.eq_ignore_ascii_case("filter") {
        return parse_filter(value)
            .map(|f| f.attr_paths())
            .unwrap_or_default();
    }
    let listed = ["sortBy", "attributes", "excludedAttributes"];
    if !listed.iter().any(|l| l.eq_ignore_ascii_case(name)) {
        return Vec::new();
    }
    value
        .split(',')
        .filter_map(|p| parse_attr_path(p.trim()).ok())
        .collect()
}

/// The attributes a PATCH request's operations target.
fn patched(body: &TemplateValue) -> Vec<AttrPath> {
    let TemplateValue::Object(members) = body else {
        return Vec::new();
    };
    let operations = members
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        .map(|(_, v)| v);
    let Some(TemplateValue::Array(operations)) = operations else {
        return Vec::new();
    };
    let mut attrs = Vec::new();
    for operation in operations {
        let TemplateValue::Object(fields) = operation else {
            continue;
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        match (field("path"), field("value")) {
            (Some(TemplateValue::String(path)), _) => {
                if let Ok(path) = parse_patch_path(&literal(path)) {
                    attrs.push(path.attr.clone());
                    if let Some(filter) = &path.filter {
                        attrs.extend(filter.attr_paths().iter().map(|p| AttrPath {
                            sub: Some(p.name.clone()),
                            ..path.attr.clone()
                        }));
                    }
                    if let Some(sub) = &path.sub {
                        attrs.push(AttrPath {
                            sub: Some(sub.clone()),
                            ..path.attr.clone()
                        });
                    }
                }
            }
            (None, Some(TemplateValue::Object(values))) => {
                attrs.extend(
                    values
                        .iter()
                        .filter(|(name, _)| !name.contains(':'))
                        .filter_map(|(name, _)| parse_attr_path(name).ok()),
                );
            }
            _ => {}
        }
    }
    attrs
}

/// The template's text with each hole standing for a value.
fn literal(template: &Template) -> String {
    template
        .parts
        .iter()
        .map(|part| match part {
            TemplatePart::Text(text) => text.as_str(),
            TemplatePart::Expr(_) => "x",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{LoadOptions, load_source};

    fn needs_of(yaml: &str) -> Vec<String> {
        let scenarios = load_source("needs.yaml", yaml, &LoadOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        needs(&scenarios[0])
            .into_iter()
            .map(|n| format!("{} {}", n.endpoint, n.attr))
            .collect()
    }

    #[test]
    fn checks_filters_and_patches_are_demands_but_sent_values_are_not() {
        let needs = needs_of(
            r#"
id: needs.demo
title: demo
steps:
  - name: create
    request:
      method: POST
      path: /Users
      body: { userName: "{{ unique.email }}", nickName: sent-only }
    expect: { status: 201, body: { userName: present, password: absent } }
    capture: { user: body.id }
  - name: patch
    request:
      method: PATCH
      path: "/Users/{{ user }}"
      body:
        Operations:
          - { op: replace, path: 'emails[type eq "work"].value', value: x }
          - { op: add, value: { title: T } }
    expect: { status: 200, body: { name.givenName: present } }
  - name: query
    request:
      method: GET
      path: /Users
      query: { filter: 'displayName eq "{{ unique.name }}"', sortBy: locale }
    expect: { status: 200, body: { totalResults: 1, 'Resources[0].timezone': present } }
  - name: refused
    request: { method: GET, path: /Users, query: { filter: 'profileUrl zz 1' } }
    expect: { status: 400, body: { scimType: invalidFilter } }
"#,
        );
        assert_eq!(
            needs,
            [
                "/Users userName",
                "/Users name.givenName",
                "/Users emails",
                "/Users emails.type",
                "/Users emails.value",
                "/Users title",
                "/Users timezone",
                "/Users displayName",
                "/Users locale",
            ]
        );
    }

    #[test]
    fn holes_in_an_inline_query_leave_the_step_a_query_of_the_collection() {
        let needs = needs_of(
            r#"
id: needs.inline
title: inline query
steps:
  - name: lookup
    request: { method: GET, path: "/Users?filter=userName+eq+%22{{ unique.email }}%22&" }
    expect: { status: 200, body: { totalResults: 1, 'Resources[0].nickName': present } }
"#,
        );
        assert_eq!(needs, ["/Users nickName"]);
    }
}
