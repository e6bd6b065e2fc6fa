fn main() {
    std::process::exit(scimcheck::exit::SUCCESS);
}
