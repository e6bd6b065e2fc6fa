//! The built-in suites are embedded with include_dir, which notices edits to files it
//! embedded but not added or removed files: rebuild whenever suites/ changes.

fn main() {
    println!("cargo:rerun-if-changed=suites");
}
