//! `scimcheck serve`: the embedded reference server on its own.

use clap::Args;

use super::judge::FaultArgs;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Bearer token that clients must send (no authentication when absent)
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_env")]
    pub token: Option<String>,
    /// Name of an environment variable holding the bearer token clients must send
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Path under which the SCIM endpoints are served
    #[arg(long, default_value = "/scim/v2")]
    pub base_path: String,
    /// Deviations from RFC 7643/7644 to switch on, comma-separated (see below)
    #[arg(long, value_name = "LIST")]
    pub misbehave: Option<String>,
    /// Judge every request against the client requirements of RFC 7643/7644 (and the
    /// profile's client rules): each finding is printed as it happens, a summary on Ctrl-C
    #[arg(long)]
    pub judge: bool,
    /// Behave as the vendor product the profile describes (its PATCH dialect, required
    /// fields, documented deviations, rate limit, base path, token endpoint); with --judge,
    /// also judge clients against its client rules
    #[arg(long = "profile", value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Write every request received to FILE, one JSON line each (time in ms, method,
    /// path, query, Content-Type, body; never the Authorization header)
    #[arg(long, value_name = "FILE", conflicts_with = "judge")]
    pub request_log: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub faults: FaultArgs,
    #[command(flatten)]
    pub token_endpoint: super::oauth::TokenEndpointArgs,
}
