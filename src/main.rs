//! The `scimcheck` binary: parse the command line, call the library, exit with its code.

#![deny(clippy::unwrap_used, clippy::expect_used)]

/// mimalloc: see Cargo.toml (glibc's malloc cost an eighth of a run's CPU time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(scimcheck::cli_main(std::env::args_os()));
}
