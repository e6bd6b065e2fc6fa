//! `scimcheck diff`: what changed between two runs, from their JSON reports.

use crate::cli::diff::DiffArgs;
use crate::exit;
use crate::report;
use crate::result::Changes;

use super::fail;

pub fn diff(args: DiffArgs) -> i32 {
    let read = |path| report::read_report(path).map_err(|e| fail(exit::USAGE, e));
    let (before, after) = match (read(&args.before), read(&args.after)) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let changes = Changes::between(&before, &after);
    let text = report::diff::render(
        &args.before.display().to_string(),
        &args.after.display().to_string(),
        &changes,
    );
    // Ids and skip reasons come from files: shown with their control characters escaped.
    print!("{}", crate::printable::escape_controls(&text));
    if changes.new_failures.is_empty() {
        exit::SUCCESS
    } else {
        exit::CONFORMANCE_FAILURE
    }
}
