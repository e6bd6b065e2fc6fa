//! Gating a plan by what the target declared: scenarios that need a capability it
//! lacks, a schema discovery could not derive, or an attribute it does not declare are
//! marked skipped with the reason. Pure: discovery has already been read.

use crate::check::SchemaSet;
use crate::discovery::{Capabilities, DeclaredAttributes};
use crate::plan::{Plan, Skip, checked_needs, needs};
use crate::result::SkipCause;
use crate::vocabulary::Capability;

/// Marks scenarios whose required capabilities the target does not advertise. A
/// capability discovery could not read at all (`unknown`, with the reason) is a gap of
/// discovery, not a declaration of the target, and is counted as such.
pub fn gate_capabilities(plan: &mut Plan, capabilities: &Capabilities) {
    for planned in plan.scenarios.iter_mut().filter(|p| p.skip.is_none()) {
        let missing: Vec<Capability> = planned
            .scenario
            .requires
            .iter()
            .copied()
            .filter(|c| !capabilities.has(*c))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let unknown: Vec<Capability> = missing
            .iter()
            .copied()
            .filter(|c| capabilities.unknown_because(*c).is_some())
            .collect();
        planned.skip = Some(match unknown.first() {
            Some(first) => Skip::new(
                format!(
                    "capability unknown: {} ({})",
                    names(&unknown),
                    capabilities.unknown_because(*first).unwrap_or_default()
                ),
                SkipCause::Discovery,
            ),
            None => Skip::new(
                format!(
                    "capability not advertised by the target: {}",
                    names(&missing)
                ),
                SkipCause::Declared,
            ),
        });
    }
}

/// Marks scenarios that check a response against the target's own declarations
/// (`declared:<ResourceType>`) when discovery could not read them: a gap in discovery,
/// which the discovery scenarios report, not a failure of the scenario's own feature.
pub fn gate_declared_schemas(plan: &mut Plan, schemas: &SchemaSet) {
    for planned in plan.scenarios.iter_mut().filter(|p| p.skip.is_none()) {
        let gap = planned
            .scenario
            .steps
            .iter()
            .filter_map(|step| step.expect.schema.as_ref())
            .find_map(|schema| Some((&schema.value, schemas.declared_gap(&schema.value)?)));
        if let Some((name, gap)) = gap {
            planned.skip = Some(Skip::new(
                format!("{name} cannot be derived: {gap}"),
                SkipCause::Discovery,
            ));
        }
    }
}

/// Marks scenarios that demand an attribute the target does not declare for that
/// resource type in /Schemas: RFC 7644 section 3.3 lets a server ignore what it does not
/// support, so such a scenario cannot judge its feature on this target.
pub fn gate_undeclared_attributes(plan: &mut Plan, declared: &DeclaredAttributes) {
    for planned in plan.scenarios.iter_mut().filter(|p| p.skip.is_none()) {
        let undeclared = needs(&planned.scenario)
            .into_iter()
            .find(|need| declared.declares(&need.endpoint, &need.attr) == Some(false));
        if let Some(need) = undeclared {
            planned.skip = Some(Skip::new(
                format!(
                    "needs {} at {}, which the target does not declare in /Schemas \
                     (RFC 7644 section 3.3: a server may ignore attributes it does not support)",
                    need.attr, need.endpoint
                ),
                SkipCause::Latitude,
            ));
            continue;
        }
        let withheld = checked_needs(&planned.scenario)
            .into_iter()
            .find(|need| declared.withholds(&need.endpoint, &need.attr));
        if let Some(need) = withheld {
            planned.skip = Some(Skip::new(
                format!(
                    "needs {} at {}, which the target declares returned request or never \
                     (RFC 7643 section 7: such an attribute comes back only when asked for)",
                    need.attr, need.endpoint
                ),
                SkipCause::Latitude,
            ));
        }
    }
}

fn names(capabilities: &[Capability]) -> String {
    capabilities
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
