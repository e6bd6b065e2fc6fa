//! OAuth2 client credentials from the `--oauth-*` flags over the config file's
//! `auth.oauth2`: each flag replaces its key, `--oauth-param` adds to (or replaces one
//! of) the file's `params`.

use secrecy::SecretString;

use super::{read_file_secret, read_secret};
use crate::cli::Context;
use crate::cli::oauth::{ClientAuthArg, OAuthArgs};
use crate::client::{ClientAuthentication, ClientCredentials, shown_url};
use crate::config::{ClientAuthConfig, HeaderValue, OAuth2Config};

/// Form fields the request sets itself, and the flag that sets each.
const RESERVED_PARAMS: &[(&str, &str)] = &[
    ("grant_type", "it is always client_credentials"),
    ("scope", "use --oauth-scope"),
    ("client_id", "use --oauth-client-id"),
    (
        "client_secret",
        "use --oauth-client-secret-env or --oauth-client-secret-file",
    ),
];

pub(super) fn resolve(
    args: &OAuthArgs,
    config: Option<&OAuth2Config>,
    env: &Context,
) -> Result<ClientCredentials, String> {
    let token_url = args
        .oauth_token_url
        .clone()
        .or_else(|| config.map(|c| c.token_url.clone()))
        .ok_or("the --oauth-* flags need --oauth-token-url (or auth.oauth2 in --config)")?;
    Ok(ClientCredentials {
        token_url: checked_token_url(&token_url)?,
        client_id: client_id(args, config, env)?,
        client_secret: SecretString::from(client_secret(args, config, env)?),
        scope: args
            .oauth_scope
            .clone()
            .or_else(|| config.and_then(|c| c.scope.clone())),
        params: params(args, config)?,
        client_auth: match (args.oauth_client_auth, config.and_then(|c| c.client_auth)) {
            (Some(ClientAuthArg::Form), _) | (None, Some(ClientAuthConfig::Form)) => {
                ClientAuthentication::Form
            }
            _ => ClientAuthentication::Basic,
        },
    })
}

fn client_id(
    args: &OAuthArgs,
    config: Option<&OAuth2Config>,
    env: &Context,
) -> Result<String, String> {
    let id = if let Some(id) = &args.oauth_client_id {
        id.trim().to_owned()
    } else if let Some(var) = &args.oauth_client_id_env {
        from_env("--oauth-client-id-env", var, env)?
    } else {
        match config.map(|c| &c.client_id) {
            Some(HeaderValue::Literal(id)) => id.trim().to_owned(),
            Some(HeaderValue::Secret(secret)) => read_secret("auth.oauth2.client_id", secret, env)?,
            None => {
                return Err("OAuth2 needs a client id: --oauth-client-id ID or \
                            --oauth-client-id-env VAR"
                    .to_owned());
            }
        }
    };
    if id.is_empty() {
        return Err("the OAuth2 client id is empty".to_owned());
    }
    Ok(id)
}

fn client_secret(
    args: &OAuthArgs,
    config: Option<&OAuth2Config>,
    env: &Context,
) -> Result<String, String> {
    if let Some(var) = &args.oauth_client_secret_env {
        return from_env("--oauth-client-secret-env", var, env);
    }
    if let Some(path) = &args.oauth_client_secret_file {
        return read_file_secret("--oauth-client-secret-file", path);
    }
    match config {
        Some(config) => read_secret("auth.oauth2.client_secret", &config.client_secret, env),
        None => Err(
            "OAuth2 needs a client secret: --oauth-client-secret-env VAR or \
             --oauth-client-secret-file FILE (a secret is never given on the command line)"
                .to_owned(),
        ),
    }
}

fn from_env(flag: &str, var: &str, env: &Context) -> Result<String, String> {
    env.var(var)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| format!("{flag} names {var}, but {var} is not set or empty"))
}

/// The file's `params`, then `--oauth-param` (a flag replaces the file's field of the
/// same name).
fn params(
    args: &OAuthArgs,
    config: Option<&OAuth2Config>,
) -> Result<Vec<(String, String)>, String> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut set = |name: &str, value: String, place: &str| -> Result<(), String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("{place}: a form field needs a name"));
        }
        if let Some((_, instead)) = RESERVED_PARAMS
            .iter()
            .find(|(reserved, _)| *reserved == name)
        {
            return Err(format!("{place} cannot set {name}: {instead}"));
        }
        params.retain(|(existing, _)| existing != name);
        params.push((name.to_owned(), value));
        Ok(())
    };
    for (name, value) in config.map(|c| &c.params).into_iter().flatten() {
        let value = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        set(name, value, &format!("auth.oauth2.params.{name}"))?;
    }
    for raw in &args.oauth_params {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| format!("--oauth-param takes name=value, got '{raw}'"))?;
        set(name, value.to_owned(), "--oauth-param")?;
    }
    Ok(params)
}

/// An http(s) URL without credentials in it; the query is kept but never shown.
fn checked_token_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("the OAuth2 token URL {} is not a URL: {e}", shown_url(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the OAuth2 token URL {} must start with https:// (or http://)",
            shown_url(url)
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "the OAuth2 token URL {} carries credentials (user:password@); give the client \
             id and secret with --oauth-client-id and --oauth-client-secret-env",
            shown_url(url)
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Context {
        Context::of(pairs, false)
    }

    fn talkdesk_flags() -> OAuthArgs {
        OAuthArgs {
            oauth_token_url: Some("https://acme.talkdeskid.com/oauth/token".into()),
            oauth_client_id: Some("td-client".into()),
            oauth_client_secret_env: Some("TD_SECRET".into()),
            oauth_scope: Some("scim".into()),
            oauth_params: vec!["token_type=opaque".into(), "expires_in=31556952".into()],
            ..OAuthArgs::default()
        }
    }

    #[test]
    fn the_talkdesk_flags_resolve_to_basic_client_credentials() {
        let credentials =
            resolve(&talkdesk_flags(), None, &env(&[("TD_SECRET", " cs-1 \n")])).unwrap();
        assert_eq!(
            credentials.token_url,
            "https://acme.talkdeskid.com/oauth/token"
        );
        assert_eq!(credentials.client_id, "td-client");
        assert_eq!(credentials.client_secret.expose_secret(), "cs-1");
        assert_eq!(credentials.scope.as_deref(), Some("scim"));
        assert_eq!(
            credentials.params,
            [
                ("token_type".to_owned(), "opaque".to_owned()),
                ("expires_in".to_owned(), "31556952".to_owned())
            ]
        );
        assert_eq!(credentials.client_auth, ClientAuthentication::Basic);
    }

    #[test]
    fn flags_replace_the_files_keys_and_add_to_its_params() {
        let config: OAuth2Config = serde_saphyr::from_str(
            "token_url: https://file.example/token\nclient_id: { env: FILE_ID }\n\
             client_secret: { env: FILE_SECRET }\nscope: file-scope\n\
             params: { expires_in: 60, audience: scim }\nclient_auth: form\n",
        )
        .unwrap();
        let vars = env(&[("FILE_ID", "file-id"), ("FILE_SECRET", "file-secret")]);
        let from_file = resolve(&OAuthArgs::default(), Some(&config), &vars).unwrap();
        assert_eq!(from_file.client_id, "file-id");
        assert_eq!(from_file.client_secret.expose_secret(), "file-secret");
        assert_eq!(from_file.client_auth, ClientAuthentication::Form);
        let flags = OAuthArgs {
            oauth_scope: Some("scim".into()),
            oauth_params: vec!["expires_in=31556952".into()],
            oauth_client_auth: Some(ClientAuthArg::Basic),
            ..OAuthArgs::default()
        };
        let mixed = resolve(&flags, Some(&config), &vars).unwrap();
        assert_eq!(mixed.token_url, "https://file.example/token");
        assert_eq!(mixed.scope.as_deref(), Some("scim"));
        assert_eq!(
            mixed.params,
            [
                ("audience".to_owned(), "scim".to_owned()),
                ("expires_in".to_owned(), "31556952".to_owned())
            ]
        );
        assert_eq!(mixed.client_auth, ClientAuthentication::Basic);
    }

    #[test]
    fn missing_or_misplaced_settings_say_what_to_give() {
        let vars = env(&[("TD_SECRET", "cs-SECRET-1")]);
        let cases: Vec<(OAuthArgs, &str)> = vec![
            (
                OAuthArgs {
                    oauth_token_url: None,
                    ..talkdesk_flags()
                },
                "need --oauth-token-url",
            ),
            (
                OAuthArgs {
                    oauth_client_id: None,
                    ..talkdesk_flags()
                },
                "--oauth-client-id ID",
            ),
            (
                OAuthArgs {
                    oauth_client_secret_env: None,
                    ..talkdesk_flags()
                },
                "never given on the command line",
            ),
            (
                OAuthArgs {
                    oauth_client_secret_env: Some("UNSET".into()),
                    ..talkdesk_flags()
                },
                "UNSET is not set",
            ),
            (
                OAuthArgs {
                    oauth_params: vec!["grant_type=password".into()],
                    ..talkdesk_flags()
                },
                "always client_credentials",
            ),
            (
                OAuthArgs {
                    oauth_params: vec!["client_secret=x".into()],
                    ..talkdesk_flags()
                },
                "--oauth-client-secret-env",
            ),
            (
                OAuthArgs {
                    oauth_params: vec!["expires_in".into()],
                    ..talkdesk_flags()
                },
                "name=value",
            ),
            (
                OAuthArgs {
                    oauth_token_url: Some("https://id:pw@acme.example/token".into()),
                    ..talkdesk_flags()
                },
                "carries credentials",
            ),
            (
                OAuthArgs {
                    oauth_token_url: Some("ftp://acme.example/token".into()),
                    ..talkdesk_flags()
                },
                "https://",
            ),
        ];
        for (args, wanted) in cases {
            let err = resolve(&args, None, &vars).err().unwrap();
            assert!(err.contains(wanted), "{wanted:?} not in: {err}");
            assert!(!err.contains("SECRET") && !err.contains("pw@"), "{err}");
        }
    }
}
