//! The suites and JSON Schemas compiled into the binary from `suites/`.

use include_dir::{Dir, File, include_dir};

static CORE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites/core");
static SCHEMAS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites/schemas");
/// Profiles and their own scenario folders; `profile` reads the profiles from here.
pub(crate) static PROFILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites/profiles");

/// The JSON Schema of the scenario format itself (not usable with `expect.schema`).
pub const SCENARIO_SCHEMA_FILE: &str = "scenario.schema.json";

/// Names usable with `expect.schema` (file stems in `suites/schemas/`), sorted.
pub fn schema_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SCHEMAS
        .files()
        .filter_map(|f| {
            let name = f.path().to_str()?;
            if name == SCENARIO_SCHEMA_FILE {
                return None;
            }
            name.strip_suffix(".json")
        })
        .collect();
    names.sort_unstable();
    names
}

/// The JSON text of a named schema (`User`, `ListResponse`, ...).
pub fn schema(name: &str) -> Option<&'static str> {
    if name.contains(['/', '\\']) || format!("{name}.json") == SCENARIO_SCHEMA_FILE {
        return None;
    }
    SCHEMAS.get_file(format!("{name}.json"))?.contents_utf8()
}

/// The JSON Schema of the scenario format.
pub fn scenario_schema() -> &'static str {
    SCHEMAS
        .get_file(SCENARIO_SCHEMA_FILE)
        .and_then(File::contents_utf8)
        .unwrap_or("{}")
}

/// The suites compiled into the binary, by name (`builtin:NAME`). A run includes every
/// one of them unless `--no-builtin` says otherwise.
pub const SUITE_NAMES: &[&str] = &["core"];

/// The folder of a built-in profile's own scenarios (`talentech` for
/// `suites/profiles/talentech/`).
pub(crate) fn profile_scenarios(folder: &str) -> Option<&'static Dir<'static>> {
    if folder.contains(['/', '\\']) {
        return None;
    }
    PROFILES.get_dir(folder)
}

/// Every scenario file of a built-in suite as (`builtin:<suite>/<path>`, bytes), sorted
/// by path; None for a name that is not built in.
pub(crate) fn suite_files(name: &str) -> Option<Vec<(String, &'static [u8])>> {
    let (dir, prefix) = match name {
        "core" => (&CORE, format!("builtin:{name}")),
        // A built-in profile's own scenarios (`profiles/talentech`).
        _ => (
            profile_scenarios(name.strip_prefix("profiles/")?)?,
            "builtin:profiles".to_owned(),
        ),
    };
    let mut out = Vec::new();
    collect(dir, &prefix, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out)
}

/// The fixtures files of a built-in suite as (`builtin:<suite>/<path>`, bytes).
pub(crate) fn fixture_files(name: &str) -> Vec<(String, &'static [u8])> {
    let dir = match name {
        "core" => &CORE,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    collect_where(dir, &format!("builtin:{name}"), &mut out, true);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(dir: &'static Dir<'static>, prefix: &str, out: &mut Vec<(String, &'static [u8])>) {
    collect_where(dir, prefix, out, false);
}

/// Scenario files, or with `fixtures` the fixtures files.
fn collect_where(
    dir: &'static Dir<'static>,
    prefix: &str,
    out: &mut Vec<(String, &'static [u8])>,
    fixtures: bool,
) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if (path.ends_with(".yaml") || path.ends_with(".yml"))
            && crate::suite::fixture::is_fixtures_file(file.path()) == fixtures
        {
            out.push((format!("{prefix}/{path}"), file.contents()));
        }
    }
    for sub in dir.dirs() {
        collect_where(sub, prefix, out, fixtures);
    }
}
