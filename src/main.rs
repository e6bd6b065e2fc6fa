//! The `scimcheck` binary: parse the command line, call the library, exit with its code.

fn main() {
    std::process::exit(scimcheck::cli_main(std::env::args_os()));
}
