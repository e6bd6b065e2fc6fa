//! Putting report files on disk: checks before the run, atomic writes after it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ReportError;

/// Checks, before the first request, that a report file can be written at `path`: it is
/// not a directory, and its parent directory exists and is writable or can be created.
/// Nothing is created; a probe file is written and removed in the nearest existing
/// directory.
pub fn check_output_path(path: &Path) -> Result<(), ReportError> {
    if path.as_os_str().is_empty() {
        return Err(ReportError::EmptyPath);
    }
    if names_a_directory(path) {
        return Err(ReportError::IsDirectory { path: path.into() });
    }
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(ReportError::IsDirectory { path: path.into() }),
        Ok(_) => {}
        // Missing, or under a file: the walk below names what is in the way.
        Err(e) if is_missing(&e) => {}
        Err(source) => {
            return Err(ReportError::Io {
                action: "inspect",
                path: path.into(),
                source,
            });
        }
    }
    check_directory_reachable(path, &parent_dir(path))
}

/// Checks, before the first request, that a directory of report files (transcripts) can
/// be written at `dir`: it is a writable directory, or it can be created.
pub fn check_output_dir(dir: &Path) -> Result<(), ReportError> {
    if dir.as_os_str().is_empty() {
        return Err(ReportError::EmptyPath);
    }
    check_directory_reachable(dir, dir)
}

/// Writes `contents` to `path` through a temporary file in the same directory and a
/// rename, so a crash never leaves half a report. Creates missing parent directories.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    write_atomic_with(path, |file| file.write_all(contents))
}

/// Like `write_atomic`, with the contents written by `write` (streamed, not held whole).
pub(crate) fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<(), ReportError> {
    if path.as_os_str().is_empty() {
        return Err(ReportError::EmptyPath);
    }
    if names_a_directory(path) || path.is_dir() {
        return Err(ReportError::IsDirectory { path: path.into() });
    }
    let Some(file_name) = path.file_name() else {
        return Err(ReportError::IsDirectory { path: path.into() });
    };
    let dir = parent_dir(path);
    create_dir(&dir)?;

    let (temp_path, mut file) = create_temp(&dir, &file_name.to_string_lossy())?;
    let written = write(&mut file).and_then(|()| file.sync_all());
    drop(file);
    if let Err(source) = written {
        let _ = fs::remove_file(&temp_path);
        return Err(ReportError::Io {
            action: "write",
            path: path.into(),
            source,
        });
    }
    fs::rename(&temp_path, path).map_err(|source| {
        let _ = fs::remove_file(&temp_path);
        ReportError::Io {
            action: "replace",
            path: path.into(),
            source,
        }
    })
}

pub(crate) fn create_dir(dir: &Path) -> Result<(), ReportError> {
    if let Ok(meta) = fs::metadata(dir)
        && !meta.is_dir()
    {
        return Err(ReportError::NotADirectory { path: dir.into() });
    }
    fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        action: "create directory",
        path: dir.into(),
        source,
    })
}

/// Not there: missing, or a component on the way is a file (found by walking up).
fn is_missing(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// A trailing separator means the user named a directory, even if it does not exist yet.
fn names_a_directory(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.into(),
        _ => PathBuf::from("."),
    }
}

/// Walks up from `dir` to the nearest existing ancestor, which must be a writable
/// directory: then `dir` exists or can be created under it.
fn check_directory_reachable(target: &Path, dir: &Path) -> Result<(), ReportError> {
    let mut current = dir.to_path_buf();
    loop {
        match fs::metadata(&current) {
            Ok(meta) if meta.is_dir() => return probe_writable(target, &current),
            Ok(_) if current == target => {
                return Err(ReportError::NotADirectory { path: current });
            }
            Ok(_) => {
                return Err(ReportError::ParentNotDirectory {
                    path: target.into(),
                    blocker: current,
                });
            }
            Err(e) if is_missing(&e) => {
                current = match current.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.into(),
                    // A relative path whose first component is missing: it hangs off the
                    // working directory.
                    _ if current != Path::new(".") => PathBuf::from("."),
                    _ => {
                        return Err(ReportError::Io {
                            action: "inspect",
                            path: current,
                            source: e,
                        });
                    }
                };
            }
            Err(source) => {
                return Err(ReportError::Io {
                    action: "inspect",
                    path: current,
                    source,
                });
            }
        }
    }
}

fn probe_writable(target: &Path, dir: &Path) -> Result<(), ReportError> {
    match create_temp(dir, "scimcheck-probe") {
        Ok((probe, file)) => {
            drop(file);
            let _ = fs::remove_file(probe);
            Ok(())
        }
        Err(ReportError::Io { source, .. }) => Err(ReportError::NotWritable {
            path: target.into(),
            dir: dir.into(),
            source,
        }),
        Err(other) => Err(other),
    }
}

/// A fresh hidden file next to the final one (same directory, so the rename is atomic).
fn create_temp(dir: &Path, stem: &str) -> Result<(PathBuf, File), ReportError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    let mut last_error = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let candidate = dir.join(format!(".{stem}.{pid}.{n}.tmp"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(source) => {
                return Err(ReportError::Io {
                    action: "create a file in",
                    path: dir.into(),
                    source,
                });
            }
        }
    }
    Err(ReportError::Io {
        action: "create a file in",
        path: dir.into(),
        source: last_error.unwrap_or_else(|| io::Error::other("no free temporary name")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_separator_names_a_directory() {
        assert!(names_a_directory(Path::new("reports/")));
        assert!(!names_a_directory(Path::new("reports/junit.xml")));
    }

    #[test]
    fn a_bare_file_name_lives_in_the_working_directory() {
        assert_eq!(parent_dir(Path::new("junit.xml")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("a/b.xml")), PathBuf::from("a"));
    }
}
