//! Several profiles in one run (`--profile entra-id,talentech`): typically an IdP, whose
//! needs raise severities, and the vendor product it provisions, whose documented
//! behaviour becomes known deviations. They apply in the order given, so a later profile
//! overrides an earlier one where both decide the same thing for a scenario.

use std::num::NonZeroU32;

use crate::plan::{Plan, Skip};
use crate::result::SkipCause;
use crate::suite::model::{Scenario, Suite};
use crate::vocabulary::Severity;

use super::{Effect, Profile, Rule};

/// The profiles of a run, in the order they apply. Empty when none was named.
#[derive(Debug, Clone, Default)]
pub struct Profiles(Vec<Profile>);

/// One thing a profile decided for a scenario, and what earlier profiles had decided
/// about it before this one overrode them.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<T> {
    pub profile: String,
    pub value: T,
    /// (profile, value) of earlier profiles that decided otherwise, replaced by this one.
    pub overrides: Vec<(String, T)>,
}

/// What the profiles decided for one scenario: its severity, whether a failure is a known
/// deviation (the reason), and whether it is excluded (the reason).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    pub severity: Option<Decision<Severity>>,
    pub deviation: Option<Decision<String>>,
    pub exclusion: Option<Decision<String>>,
}

impl Profiles {
    pub fn new(profiles: Vec<Profile>) -> Self {
        Profiles(profiles)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.0.iter()
    }

    /// The suites of the profiles' own scenarios (`scenarios:`): a built-in profile's
    /// folder is built in, a profile file's paths are relative to the file. The error
    /// names a folder that does not exist.
    pub fn scenario_sources(&self) -> Result<Vec<crate::suite::SuiteSource>, String> {
        use crate::suite::SuiteSource;
        let mut sources = Vec::new();
        for profile in &self.0 {
            for folder in &profile.product.scenarios {
                let trimmed = folder.trim_end_matches('/');
                let source = match &profile.dir {
                    Some(dir) => SuiteSource::Path(dir.join(trimmed)),
                    None => SuiteSource::Builtin(
                        super::builtin::scenario_source(trimmed).ok_or_else(|| {
                            format!(
                                "profile {} names scenarios '{folder}', which it does not have",
                                profile.name
                            )
                        })?,
                    ),
                };
                sources.push(source);
            }
        }
        Ok(sources)
    }

    /// The profile names in order, as reports show them.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|p| p.name.clone()).collect()
    }

    /// The rate to keep to when the user gives none, and the profile it comes from. The
    /// lowest wins: every profile's limit is what its product allows, and the one server
    /// a run talks to is each of them, so only the lowest keeps within all of them.
    pub fn rate_limit(&self) -> Option<(NonZeroU32, &str)> {
        self.0
            .iter()
            .filter_map(|p| Some((p.rate_limit?, p.name.as_str())))
            .min_by_key(|(rate, _)| *rate)
    }

    /// What the profiles decide for `scenario`. Within a profile a later rule wins over
    /// an earlier one; across profiles a later profile wins over an earlier one.
    pub fn decide(&self, scenario: &Scenario) -> Decisions {
        let mut decisions = Decisions::default();
        for profile in &self.0 {
            let own = profile.decide(scenario);
            overrule(&mut decisions.severity, own.severity);
            overrule(&mut decisions.deviation, own.deviation);
            overrule(&mut decisions.exclusion, own.exclusion);
        }
        decisions
    }

    /// Applies the decisions to the plan, and returns them per planned scenario. A
    /// scenario that is already skipped (by `--skip-tag`) stays skipped with its own
    /// reason, so no exclusion is returned for it.
    pub fn apply(&self, plan: &mut Plan) -> Vec<Decisions> {
        let mut applied = Vec::with_capacity(plan.scenarios.len());
        for planned in &mut plan.scenarios {
            let mut decisions = self.decide(&planned.scenario);
            if let Some(severity) = &decisions.severity {
                planned.severity = severity.value;
            }
            if let Some(deviation) = &decisions.deviation {
                planned.known_deviation = Some(format!(
                    "known behaviour ({} profile): {}",
                    deviation.profile, deviation.value
                ));
            }
            match &decisions.exclusion {
                Some(exclusion) if planned.skip.is_none() => {
                    planned.skip = Some(Skip::new(
                        format!(
                            "excluded by profile {}: {}",
                            exclusion.profile, exclusion.value
                        ),
                        SkipCause::Selection,
                    ));
                }
                _ => decisions.exclusion = None,
            }
            applied.push(decisions);
        }
        applied
    }

    /// Rules that match no scenario of the suite (most likely a typo), with their profile.
    pub fn unmatched_rules<'a>(&'a self, suite: &Suite) -> Vec<(&'a Profile, &'a Rule)> {
        self.0
            .iter()
            .flat_map(|profile| {
                profile
                    .unmatched_rules(suite)
                    .into_iter()
                    .map(move |rule| (profile, rule))
            })
            .collect()
    }
}

impl Profile {
    /// This profile's own decisions for `scenario`: the last matching rule of each kind.
    fn decide(&self, scenario: &Scenario) -> Decisions {
        let mut decisions = Decisions::default();
        for rule in self.rules.iter().filter(|r| r.scope.matches(scenario)) {
            match &rule.effect {
                Effect::Severity(severity) => decisions.severity = self.decided(*severity),
                Effect::Deviation(reason) => decisions.deviation = self.decided(reason.clone()),
                Effect::Exclude(reason) => decisions.exclusion = self.decided(reason.clone()),
            }
        }
        decisions
    }

    fn decided<T>(&self, value: T) -> Option<Decision<T>> {
        Some(Decision {
            profile: self.name.clone(),
            value,
            overrides: Vec::new(),
        })
    }
}

/// A later profile's decision replaces an earlier one, which is remembered as overridden
/// when it decided otherwise.
fn overrule<T: PartialEq>(current: &mut Option<Decision<T>>, later: Option<Decision<T>>) {
    let Some(mut later) = later else {
        return;
    };
    if let Some(earlier) = current.take() {
        later.overrides = earlier.overrides;
        if earlier.value != later.value {
            later.overrides.push((earlier.profile, earlier.value));
        }
    }
    *current = Some(later);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlannedScenario;
    use crate::profile::parse;

    fn profile(text: &str) -> Profile {
        parse("p.profile.yaml", text).unwrap_or_else(|d| panic!("{}", d.render(false)))
    }

    fn planned(ids: &[&str]) -> Plan {
        let suite = crate::suite::load_sources(
            &[crate::suite::SuiteSource::Builtin("core")],
            &crate::suite::LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{} errors", d.len()));
        let scenarios = ids
            .iter()
            .map(|id| {
                let found = suite.scenarios.iter().find(|s| s.id == *id);
                PlannedScenario::new(found.unwrap_or_else(|| panic!("{id}")).clone())
            })
            .collect();
        Plan { scenarios }
    }

    #[test]
    fn a_later_profile_overrides_an_earlier_one_and_remembers_it() {
        let idp = profile(
            "name: idp\ntitle: IdP\nrules:\n  - tag: users\n    severity: must\n  - scenario: users.delete.basic\n    deviation: soft delete\n",
        );
        let vendor = profile(
            "name: vendor\ntitle: Vendor\nrules:\n  - scenario: users.delete.basic\n    severity: should\n",
        );
        let both = Profiles::new(vec![idp.clone(), vendor.clone()]);
        let mut plan = planned(&["users.delete.basic", "users.create.basic"]);
        let decided = both.decide(&plan.scenarios[0].scenario);
        let severity = decided.severity.unwrap();
        assert_eq!(severity.profile, "vendor");
        assert_eq!(severity.value, Severity::Should);
        assert_eq!(severity.overrides, vec![("idp".to_owned(), Severity::Must)]);
        assert_eq!(decided.deviation.unwrap().profile, "idp");
        both.apply(&mut plan);
        assert_eq!(plan.scenarios[0].severity, Severity::Should);
        assert_eq!(plan.scenarios[1].severity, Severity::Must);
        // The other order: the IdP comes last and wins.
        let reversed = Profiles::new(vec![vendor.clone(), idp]);
        let decided = reversed.decide(&plan.scenarios[0].scenario);
        assert_eq!(decided.severity.unwrap().value, Severity::Must);
        // Deciding the same again is no override.
        let again = Profiles::new(vec![vendor.clone(), vendor]);
        let decided = again.decide(&plan.scenarios[0].scenario).severity.unwrap();
        assert!(decided.overrides.is_empty(), "{decided:?}");
    }

    #[test]
    fn the_lowest_rate_limit_wins_whatever_the_order() {
        let slow = profile("name: slow\ntitle: Slow\nrate_limit: 2\n");
        let fast = profile("name: fast\ntitle: Fast\nrate_limit: 10\n");
        let none = profile("name: none\ntitle: No limit\n");
        for order in [
            vec![slow.clone(), fast.clone(), none.clone()],
            vec![none.clone(), fast.clone(), slow.clone()],
        ] {
            let profiles = Profiles::new(order);
            let (rate, from) = profiles.rate_limit().unwrap();
            assert_eq!((rate.get(), from), (2, "slow"));
        }
        assert!(Profiles::new(vec![none]).rate_limit().is_none());
    }

    #[test]
    fn each_effect_is_decided_on_its_own() {
        let idp = profile(
            "name: idp\ntitle: IdP\nrules:\n  - scenario: users.delete.basic\n    exclude: not offered\n",
        );
        let vendor = profile(
            "name: vendor\ntitle: Vendor\nrules:\n  - scenario: users.delete.basic\n    severity: should\n",
        );
        let mut plan = planned(&["users.delete.basic"]);
        Profiles::new(vec![idp, vendor]).apply(&mut plan);
        let skip = plan.scenarios[0].skip.as_ref().map(|s| s.reason.as_str());
        assert_eq!(skip, Some("excluded by profile idp: not offered"));
        assert_eq!(plan.scenarios[0].severity, Severity::Should);
    }

    #[test]
    fn an_exclusion_keeps_a_skip_the_user_asked_for() {
        let vendor = profile(
            "name: vendor\ntitle: Vendor\nrules:\n  - tag: users\n    exclude: not offered\n",
        );
        let mut plan = planned(&["users.create.basic"]);
        plan.scenarios[0].skip = Some(Skip::new("--skip-tag users", SkipCause::Selection));
        let decided = Profiles::new(vec![vendor]).apply(&mut plan);
        let skip = plan.scenarios[0].skip.as_ref().unwrap();
        assert_eq!(skip.reason, "--skip-tag users");
        assert_eq!(decided[0].exclusion, None);
    }
}
