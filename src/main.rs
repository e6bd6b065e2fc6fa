//! The `scimcheck` binary: parse the command line, call the library, exit with its code.

fn main() {
    let code = scimcheck::command::main(std::env::args_os(), &scimcheck::cli::ProcessEnv);
    std::process::exit(code);
}
