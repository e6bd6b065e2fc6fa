//! Where a run's scenarios come from: the suites built into the binary, by default or
//! by name (`builtin:core`), and the files and folders the user adds.

use std::path::{Path, PathBuf};

use crate::diag::did_you_mean;

use super::builtin::SUITE_NAMES;

/// What names a built-in suite where a path is expected: `builtin:core`.
pub const BUILTIN_PREFIX: &str = "builtin:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuiteSource {
    /// A suite compiled into the binary, by name.
    Builtin(&'static str),
    /// A scenario file or a folder of them.
    Path(PathBuf),
}

impl SuiteSource {
    /// `builtin:NAME` names a built-in suite, anything else is a path. An unknown
    /// built-in name is an error that suggests the closest one.
    pub fn parse(spec: &Path) -> Result<SuiteSource, String> {
        let Some(name) = spec.to_str().and_then(|s| s.strip_prefix(BUILTIN_PREFIX)) else {
            return Ok(SuiteSource::Path(spec.to_path_buf()));
        };
        if let Some(known) = SUITE_NAMES.iter().find(|known| **known == name) {
            return Ok(SuiteSource::Builtin(known));
        }
        let listed: Vec<String> = SUITE_NAMES
            .iter()
            .map(|n| format!("{BUILTIN_PREFIX}{n}"))
            .collect();
        let hint = match did_you_mean(name, SUITE_NAMES.iter().copied()) {
            Some(close) => format!("; did you mean '{BUILTIN_PREFIX}{close}'?"),
            None => String::new(),
        };
        Err(format!(
            "unknown built-in suite '{BUILTIN_PREFIX}{name}'{hint} (built-in suites: {})",
            listed.join(", ")
        ))
    }
}

/// The sources of a run: every built-in suite unless `no_builtin`, then each of `specs`
/// in order, each source once. Naming a built-in suite brings it back after `no_builtin`.
pub fn resolve(specs: &[PathBuf], no_builtin: bool) -> Result<Vec<SuiteSource>, String> {
    let mut sources: Vec<SuiteSource> = Vec::new();
    if !no_builtin {
        sources.extend(SUITE_NAMES.iter().map(|n| SuiteSource::Builtin(n)));
    }
    for spec in specs {
        let source = SuiteSource::parse(spec)?;
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    if sources.is_empty() {
        return Err(
            "--no-builtin leaves no scenarios: add --suite PATH (or --suite builtin:NAME)".into(),
        );
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(specs: &[&str]) -> Vec<PathBuf> {
        specs.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn a_suite_path_is_added_to_the_built_in_suite() {
        assert_eq!(
            resolve(&paths(&["mine/"]), false).unwrap(),
            [
                SuiteSource::Builtin("core"),
                SuiteSource::Path("mine/".into())
            ]
        );
    }

    #[test]
    fn no_builtin_leaves_only_what_is_named() {
        assert_eq!(
            resolve(&paths(&["mine/"]), true).unwrap(),
            [SuiteSource::Path("mine/".into())]
        );
        assert_eq!(
            resolve(&paths(&["builtin:core", "mine/"]), true).unwrap(),
            [
                SuiteSource::Builtin("core"),
                SuiteSource::Path("mine/".into())
            ]
        );
    }

    #[test]
    fn naming_the_built_in_suite_does_not_load_it_twice() {
        assert_eq!(
            resolve(&paths(&["builtin:core"]), false).unwrap(),
            [SuiteSource::Builtin("core")]
        );
    }

    #[test]
    fn an_unknown_built_in_suite_is_refused_with_the_closest_name() {
        let err = resolve(&paths(&["builtin:cor"]), false).unwrap_err();
        assert!(err.contains("'builtin:cor'"), "{err}");
        assert!(err.contains("did you mean 'builtin:core'?"), "{err}");
        let err = resolve(&paths(&["builtin:zzzzzz"]), false).unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("built-in suites: builtin:core"), "{err}");
    }

    #[test]
    fn no_builtin_with_nothing_named_is_refused() {
        let err = resolve(&[], true).unwrap_err();
        assert!(err.contains("--suite"), "{err}");
    }
}
