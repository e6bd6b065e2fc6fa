//! The `scimcheck` binary: parse the command line, call the library, exit with its code.

#![deny(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    std::process::exit(scimcheck::cli_main(std::env::args_os()));
}
