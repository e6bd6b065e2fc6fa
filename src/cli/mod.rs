//! clap definitions, one file per subcommand.
