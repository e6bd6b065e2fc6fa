//! Finding and reading scenario files on disk.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::CATALOG_SUFFIX;
use crate::diag::Diagnostic;
use crate::suite::yaml::MAX_FILE_BYTES;
use crate::vocabulary::{Loc, SourceFile};

/// Folders deeper than this are not searched (guards against symlink loops).
const MAX_FOLDER_DEPTH: usize = 32;

/// A scenario file read from disk.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// An error about a file as a whole (no line to show).
pub fn whole_file_error(name: &str, message: impl Into<String>) -> Diagnostic {
    let file = Arc::new(SourceFile {
        name: name.to_owned(),
        text: String::new(),
    });
    Diagnostic::error(
        Loc {
            file,
            line: 0,
            col: 0,
        },
        message,
    )
}

fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// Reads every file named or found under a named folder, once each, in the order given;
/// a path that cannot be read gives its error at its place in that order.
pub fn gather(paths: &[PathBuf]) -> Vec<Result<Source, Diagnostic>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let name = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.push(Err(whole_file_error(
                    &name,
                    format!("cannot read: {}", io_message(&e)),
                )));
                continue;
            }
        };
        let files = if meta.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = walk(path, 0, is_scenario_file, &mut found) {
                out.push(Err(whole_file_error(
                    &name,
                    format!("cannot list folder: {}", io_message(&e)),
                )));
                continue;
            }
            if found.is_empty() {
                out.push(Err(whole_file_error(
                    &name,
                    "no scenario files (*.yaml, *.yml) in this folder",
                )));
            }
            found
        } else {
            vec![path.clone()]
        };
        for file in files {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.insert(key) {
                out.push(read(&file));
            }
        }
    }
    out
}

/// Profiles live beside scenarios (`suites/profiles/`) but are not scenarios.
pub const PROFILE_SUFFIX: &str = ".profile.yaml";

fn is_profile_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(PROFILE_SUFFIX))
}

/// The requirement catalog (`suites/requirements.catalog.yaml`) is data, not scenarios.
fn is_catalog_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(CATALOG_SUFFIX))
}

/// Final-state expectations of one integration (`scimcheck judge --expect FILE`) are in
/// the scenario format but check that integration's data, not a server: they are only
/// read when named.
pub const EXPECT_SUFFIX: &str = ".expect.yaml";

fn is_expect_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(EXPECT_SUFFIX))
}

fn is_scenario_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    ) && !is_profile_file(path)
        && !is_catalog_file(path)
        && !is_expect_file(path)
}

/// Splits what the user named into profile files (named, or found under a named folder)
/// and the paths to read as scenarios. A folder that holds profiles but no scenarios is
/// not a scenario path, so it does not count as "no scenario files".
pub fn split_profiles(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut profiles = Vec::new();
    let mut scenario_paths = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            let mut scenarios = Vec::new();
            let listed = walk(path, 0, is_profile_file, &mut found).is_ok()
                && walk(path, 0, is_scenario_file, &mut scenarios).is_ok();
            if !listed || !scenarios.is_empty() || found.is_empty() {
                scenario_paths.push(path.clone());
            }
            profiles.extend(found);
        } else if is_profile_file(path) {
            profiles.push(path.clone());
        } else {
            scenario_paths.push(path.clone());
        }
    }
    (profiles, scenario_paths)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Files under `dir` that `wanted` accepts, sorted by path, hidden entries skipped.
fn walk(
    dir: &Path,
    depth: usize,
    wanted: fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> io::Result<()> {
    if depth > MAX_FOLDER_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !is_hidden(p))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, depth + 1, wanted, out)?;
        } else if wanted(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Source, Diagnostic> {
    let name = path.display().to_string();
    let too_big = |len: u64| {
        whole_file_error(
            &name,
            format!("file is {len} bytes, larger than the limit of {MAX_FILE_BYTES} bytes"),
        )
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| whole_file_error(&name, format!("cannot read: {}", io_message(&e))))?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(too_big(meta.len()));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| whole_file_error(&name, format!("cannot read: {}", io_message(&e))))?;
    let text =
        String::from_utf8(bytes).map_err(|_| whole_file_error(&name, "file is not UTF-8 text"))?;
    Ok(Source { name, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_walk_reads_scenarios_but_not_profiles_or_the_requirement_catalog() {
        assert!(is_scenario_file(Path::new("suites/core/users-create.yaml")));
        assert!(is_scenario_file(Path::new("mine/checks.yml")));
        assert!(!is_scenario_file(Path::new(
            "suites/profiles/okta.profile.yaml"
        )));
        assert!(!is_scenario_file(Path::new(
            "suites/requirements.catalog.yaml"
        )));
        assert!(!is_scenario_file(Path::new(
            "suites/examples/integration/people.expect.yaml"
        )));
        assert!(!is_scenario_file(Path::new("notes.txt")));
    }
}
