//! OAuth2 client-credentials flags: how `run` and `discover` get a token, and how
//! `serve` issues them. Secrets only by environment variable or file.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Where the bearer token comes from when an OAuth2 token endpoint issues it.
#[derive(Debug, Clone, Default, Args)]
pub struct OAuthArgs {
    /// OAuth2 token endpoint: the bearer token is asked for there with the
    /// client-credentials grant, and asked for again before it expires or when a
    /// request is answered 401
    #[arg(long, value_name = "URL", conflicts_with_all = ["token", "token_env", "token_file"])]
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id (not a secret)
    #[arg(long, value_name = "ID", conflicts_with = "oauth_client_id_env")]
    pub oauth_client_id: Option<String>,
    /// Name of an environment variable holding the OAuth2 client id
    #[arg(long, value_name = "VAR")]
    pub oauth_client_id_env: Option<String>,
    /// Name of an environment variable holding the OAuth2 client secret
    #[arg(long, value_name = "VAR", conflicts_with = "oauth_client_secret_file")]
    pub oauth_client_secret_env: Option<String>,
    /// File holding the OAuth2 client secret (surrounding whitespace is ignored)
    #[arg(long, value_name = "FILE")]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// Scope to ask for, e.g. scim
    #[arg(long, value_name = "SCOPE")]
    pub oauth_scope: Option<String>,
    /// Extra form field of the token request, e.g. token_type=opaque (repeatable)
    #[arg(long = "oauth-param", value_name = "NAME=VALUE")]
    pub oauth_params: Vec<String>,
    /// How the client authenticates to the token endpoint: basic (Authorization header,
    /// the default) or form (client_id and client_secret in the request body)
    #[arg(long, value_name = "METHOD", value_enum)]
    pub oauth_client_auth: Option<ClientAuthArg>,
}

impl OAuthArgs {
    /// True when any OAuth2 flag is given.
    pub fn any(&self) -> bool {
        self.oauth_token_url.is_some()
            || self.oauth_client_id.is_some()
            || self.oauth_client_id_env.is_some()
            || self.oauth_client_secret_env.is_some()
            || self.oauth_client_secret_file.is_some()
            || self.oauth_scope.is_some()
            || !self.oauth_params.is_empty()
            || self.oauth_client_auth.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientAuthArg {
    Basic,
    Form,
}

/// `serve`'s token endpoint: `POST /oauth/token` issues tokens to one client, and the
/// SCIM endpoints then take only tokens it issued (or `--token`).
#[derive(Debug, Clone, Default, Args)]
pub struct TokenEndpointArgs {
    /// Serve an OAuth2 token endpoint (POST /oauth/token, client-credentials grant) for
    /// this client id; SCIM requests then need a token it issued
    #[arg(
        long = "oauth-client-id",
        value_name = "ID",
        requires = "issuer_secret_env"
    )]
    pub issuer_client_id: Option<String>,
    /// Name of an environment variable holding that client's secret (the client id may
    /// come from a --profile whose product has a token endpoint)
    #[arg(
        id = "issuer_secret_env",
        long = "oauth-client-secret-env",
        value_name = "VAR"
    )]
    pub issuer_secret_env: Option<String>,
    /// Longest an issued token lives, in seconds (a token request's expires_in may ask for
    /// less)
    #[arg(long, value_name = "SECONDS", requires = "issuer_secret_env")]
    pub token_lifetime: Option<u64>,
}
