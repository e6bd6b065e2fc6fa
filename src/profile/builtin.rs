//! The profiles compiled into the binary from `suites/profiles/`.

use include_dir::Dir;

use crate::suite::PROFILE_SUFFIX;
use crate::suite::builtin::{PROFILES, profile_scenarios};

/// Names of the built-in profiles (file stems), sorted.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PROFILES
        .files()
        .filter_map(|f| f.path().to_str()?.strip_suffix(PROFILE_SUFFIX))
        .collect();
    names.sort_unstable();
    names
}

/// The text of a built-in profile.
pub fn text(name: &str) -> Option<&'static str> {
    if name.contains(['/', '\\']) {
        return None;
    }
    PROFILES
        .get_file(format!("{name}{PROFILE_SUFFIX}"))?
        .contents_utf8()
}

/// The folder of a built-in profile's own scenarios (`talentech` for
/// `suites/profiles/talentech/`), with its static name for `SuiteSource::Builtin`.
pub fn scenarios(folder: &str) -> Option<&'static Dir<'static>> {
    profile_scenarios(folder)
}

/// The static name `profiles/<folder>` of a built-in profile scenario folder.
pub fn scenario_source(folder: &str) -> Option<&'static str> {
    let dir = scenarios(folder)?;
    let name = dir.path().to_str()?;
    // Leaked once per named profile folder: a run names a handful at most.
    Some(Box::leak(format!("profiles/{name}").into_boxed_str()))
}
