//! The profiles compiled into the binary from `suites/profiles/`.

use include_dir::{Dir, include_dir};

use crate::suite::PROFILE_SUFFIX;

static PROFILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites/profiles");

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
