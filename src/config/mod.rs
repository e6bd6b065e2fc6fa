//! The target configuration file (`--config FILE`): a target described once, with
//! secrets only by reference to environment variables or files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::suite::SuiteSource;

/// Largest config file read; anything bigger is surely not a config file.
const MAX_CONFIG_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub url: Option<String>,
    pub auth: Option<AuthConfig>,
    /// Extra request headers: a literal value or a secret reference.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderValue>,
    /// Built-in profile names or profile files relative to the config file, in the order
    /// they apply: one (`profile: okta`), a list (`profile: [entra-id, talentech]`), or a
    /// comma-separated list (`profile: entra-id,talentech`).
    #[serde(default, deserialize_with = "profile_names")]
    pub profile: ProfileNames,
    /// Scenario files or folders, relative to the config file, or `builtin:NAME`; added
    /// to the built-in suite unless `no_builtin`.
    #[serde(default)]
    pub suites: Vec<PathBuf>,
    pub no_builtin: Option<bool>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub skip_tags: Vec<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, serde_json::Value>,
    /// Seconds.
    pub timeout: Option<f64>,
    /// The whole run's limit: seconds, or text such as `30m`.
    pub deadline: Option<DurationText>,
    pub jobs: Option<usize>,
    pub rate_limit: Option<u32>,
    pub retries: Option<u32>,
    pub strict: Option<bool>,
    pub insecure: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum AuthConfig {
    Bearer {
        token: SecretRef,
    },
    Basic {
        username: String,
        password: SecretRef,
    },
    /// OAuth2 client credentials: the bearer token comes from a token endpoint.
    Oauth2(OAuth2Config),
}

/// `auth: { oauth2: ... }`: how to get a token with the client-credentials grant
/// (RFC 6749 §4.4).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    pub token_url: String,
    /// Not a secret, so it may be written here; a secret reference works too.
    pub client_id: HeaderValue,
    pub client_secret: SecretRef,
    pub scope: Option<String>,
    /// Extra form fields of the token request (a string, number or boolean each).
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// `basic` (the default) or `form`.
    pub client_auth: Option<ClientAuthConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthConfig {
    Basic,
    Form,
}

/// Where a secret lives. A secret written into the file itself is refused, and the
/// refusal never repeats the value.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSecretRef")]
pub struct SecretRef {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSecretRef {
    Reference {
        env: Option<String>,
        file: Option<PathBuf>,
    },
    Inline(serde::de::IgnoredAny),
}

impl TryFrom<RawSecretRef> for SecretRef {
    type Error = &'static str;

    fn try_from(raw: RawSecretRef) -> Result<Self, Self::Error> {
        match raw {
            RawSecretRef::Reference { env, file } => Ok(SecretRef { env, file }),
            RawSecretRef::Inline(_) => Err(
                "a secret is never written into the config file: use `{ env: VAR }` or `{ file: PATH }`",
            ),
        }
    }
}

/// A duration as a number of seconds or as text with a unit (`90s`, `30m`, `2h`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DurationText {
    Seconds(f64),
    Text(String),
}

impl DurationText {
    pub fn text(&self) -> String {
        match self {
            DurationText::Seconds(secs) => secs.to_string(),
            DurationText::Text(text) => text.clone(),
        }
    }
}

/// The profiles a config file names, and where: an unknown one is reported there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileNames {
    pub names: Vec<String>,
    /// `FILE:LINE` of the `profile:` value, once the file is parsed.
    pub at: String,
    line: u64,
}

impl<const N: usize> PartialEq<[&str; N]> for ProfileNames {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.names == other
    }
}

fn profile_names<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<ProfileNames, D::Error> {
    let spanned = serde_saphyr::Spanned::<OneOrMany>::deserialize(deserializer)?;
    Ok(ProfileNames {
        names: spanned.value.0,
        at: String::new(),
        line: spanned.referenced.line(),
    })
}

/// One name, a comma-separated list, or a YAML list of names.
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Names).map(OneOrMany)
    }
}

struct Names;

impl<'de> serde::de::Visitor<'de> for Names {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a profile name or file, a comma-separated list, or a list of them")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(split_names(text))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        while let Some(text) = seq.next_element::<String>()? {
            names.extend(split_names(&text));
        }
        Ok(names)
    }
}

fn split_names(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HeaderValue {
    Literal(String),
    Secret(SecretRef),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is larger than {MAX_CONFIG_BYTES} bytes")]
    TooLarge { path: String },
    #[error("{0}")]
    Invalid(String),
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        use std::io::Read as _;
        let mut bytes = Vec::new();
        // Bounded, so a device such as /dev/zero is not read until memory runs out.
        std::fs::File::open(path)
            .and_then(|file| {
                file.take(MAX_CONFIG_BYTES as u64 + 1)
                    .read_to_end(&mut bytes)
            })
            .map_err(|source| ConfigError::Read {
                path: display.clone(),
                source,
            })?;
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge { path: display });
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ConfigError::Invalid(format!("{display}: not UTF-8 text")))?;
        let mut config = Self::parse(&display, &text)?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_relative_paths(base);
        Ok(config)
    }

    /// Parses config text; `name` is used in error messages.
    pub fn parse(name: &str, text: &str) -> Result<Self, ConfigError> {
        let mut config: ConfigFile = serde_saphyr::from_str(text)
            .map_err(|e| ConfigError::Invalid(format!("{name}: {}", without_values(&e))))?;
        config.validate(name)?;
        config.profile.at = format!("{name}:{}", config.profile.line);
        Ok(config)
    }

    fn validate(&self, name: &str) -> Result<(), ConfigError> {
        let mut refs: Vec<(&str, &SecretRef)> = Vec::new();
        match &self.auth {
            Some(AuthConfig::Bearer { token }) => refs.push(("auth.bearer.token", token)),
            Some(AuthConfig::Basic { password, .. }) => {
                refs.push(("auth.basic.password", password))
            }
            Some(AuthConfig::Oauth2(oauth)) => {
                refs.push(("auth.oauth2.client_secret", &oauth.client_secret));
                if let HeaderValue::Secret(id) = &oauth.client_id {
                    refs.push(("auth.oauth2.client_id", id));
                }
                for (param, value) in &oauth.params {
                    if !(value.is_string() || value.is_number() || value.is_boolean()) {
                        return Err(ConfigError::Invalid(format!(
                            "{name}: auth.oauth2.params.{param} must be a string, number or \
                             boolean"
                        )));
                    }
                }
            }
            None => {}
        }
        for (header, value) in &self.headers {
            if let HeaderValue::Secret(secret) = value {
                refs.push((header, secret));
            }
        }
        for (field, secret) in refs {
            match (&secret.env, &secret.file) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "{name}: {field} must name exactly one of `env: VAR` or `file: PATH` \
                         (secrets are never written into the config file)"
                    )));
                }
            }
        }
        Ok(())
    }

    fn resolve_relative_paths(&mut self, base: &Path) {
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        self.suites
            .iter_mut()
            .filter(|p| SuiteSource::parse(p).is_ok_and(|s| matches!(s, SuiteSource::Path(_))))
            .for_each(rebase);
        // A profile file is found like the suites are. A bare word that is no file is
        // left as it is: most likely a misspelt built-in name, which the loader suggests.
        for profile in &mut self.profile.names {
            let mut path = PathBuf::from(&*profile);
            let bare_word = path.components().count() == 1 && path.extension().is_none();
            rebase(&mut path);
            let misspelt = bare_word && !path.is_file();
            if !crate::profile::builtin_names().contains(&profile.as_str()) && !misspelt {
                *profile = path.to_string_lossy().into_owned();
            }
        }
        let mut secret_refs: Vec<&mut SecretRef> = self
            .headers
            .values_mut()
            .filter_map(|h| match h {
                HeaderValue::Secret(s) => Some(s),
                HeaderValue::Literal(_) => None,
            })
            .collect();
        match &mut self.auth {
            Some(AuthConfig::Bearer { token }) => secret_refs.push(token),
            Some(AuthConfig::Basic { password, .. }) => secret_refs.push(password),
            Some(AuthConfig::Oauth2(oauth)) => {
                secret_refs.push(&mut oauth.client_secret);
                if let HeaderValue::Secret(id) = &mut oauth.client_id {
                    secret_refs.push(id);
                }
            }
            None => {}
        }
        for secret in secret_refs {
            if let Some(file) = &mut secret.file {
                rebase(file);
            }
        }
    }
}

/// The parser's message with no value from the file in it. No source snippet: the
/// offending line may hold a secret the user pasted in. And no quoted value: a token
/// written where a key word belongs (`auth: <token>`, `auth: Bearer <token>`) comes back
/// as an "unknown variant", and serde quotes what it did not expect.
fn without_values(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error;
    let error = error.without_snippet();
    let text = error.to_string();
    match error {
        Error::SerdeUnknownVariant { variant, .. } => {
            text.replacen(&format!("`{variant}`"), "(value not shown)", 1)
        }
        Error::SerdeInvalidType { unexpected, .. }
        | Error::SerdeInvalidValue { unexpected, .. } => {
            text.replacen(unexpected.as_str(), "a value (not shown)", 1)
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_with_a_token_from_the_environment_loads() {
        let config = ConfigFile::parse(
            "t.yaml",
            "url: https://acme.example/scim/v2\nauth:\n  bearer:\n    token: { env: ACME_TOKEN }\n\
             profile: entra-id\nvars:\n  department: Sales\n",
        )
        .unwrap();
        assert_eq!(config.url.as_deref(), Some("https://acme.example/scim/v2"));
        match config.auth {
            Some(AuthConfig::Bearer { token }) => {
                assert_eq!(token.env.as_deref(), Some("ACME_TOKEN"))
            }
            other => panic!("unexpected auth {other:?}"),
        }
        assert_eq!(config.vars["department"], serde_json::json!("Sales"));
    }

    #[test]
    fn a_token_written_into_the_file_is_refused() {
        let err = ConfigFile::parse("t.yaml", "auth:\n  bearer:\n    token: s3cr3t\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("t.yaml"), "{text}");
        assert!(
            !text.contains("s3cr3t"),
            "the secret leaked into the error: {text}"
        );
    }

    #[test]
    fn a_token_written_where_the_auth_kind_belongs_is_not_repeated() {
        for text in ["auth: s3cr3t\n", "auth:\n  Bearer s3cr3t\n"] {
            let err = ConfigFile::parse("t.yaml", text).unwrap_err().to_string();
            assert!(!err.contains("s3cr3t"), "the secret leaked: {err}");
            assert!(
                err.contains("expected one of bearer, basic") && err.contains("line"),
                "{err}"
            );
        }
    }

    #[test]
    fn an_unknown_key_names_the_file_and_line() {
        let err = ConfigFile::parse("t.yaml", "url: http://x\nprofil: okta\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("t.yaml") && text.contains("profil"), "{text}");
        assert!(text.contains('2'), "no line number in: {text}");
    }

    #[test]
    fn suite_paths_are_relative_to_the_config_file_but_builtin_names_are_not_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scimcheck.yaml");
        std::fs::write(&path, "suites: [builtin:core, mine/]\nno_builtin: true\n").unwrap();
        let config = ConfigFile::load(&path).unwrap();
        assert_eq!(
            config.suites,
            [PathBuf::from("builtin:core"), dir.path().join("mine/")]
        );
        assert_eq!(config.no_builtin, Some(true));
    }

    #[test]
    fn a_profile_file_is_relative_to_the_config_file_and_a_built_in_name_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scimcheck.yaml");
        std::fs::write(&path, "profile: acme.profile.yaml\n").unwrap();
        let config = ConfigFile::load(&path).unwrap();
        let expected = dir.path().join("acme.profile.yaml");
        assert_eq!(config.profile.names, [expected.to_string_lossy()]);
        std::fs::write(&path, "profile: okta\n").unwrap();
        let config = ConfigFile::load(&path).unwrap();
        assert_eq!(config.profile, ["okta"]);
        // A misspelt name stays a name, so the error can suggest the built-in one;
        // a bare file name that exists beside the config file is that file.
        std::fs::write(&path, "profile: [oktaa, mine]\n").unwrap();
        std::fs::write(dir.path().join("mine"), "").unwrap();
        let config = ConfigFile::load(&path).unwrap();
        let mine = dir.path().join("mine");
        assert_eq!(config.profile.names[0], "oktaa");
        assert_eq!(config.profile.names[1], mine.to_string_lossy());
    }

    #[test]
    fn profiles_are_a_list_or_a_comma_separated_list_in_order() {
        for text in [
            "profile: [entra-id, talentech]\n",
            "profile: entra-id, talentech\n",
            "profile:\n  - entra-id\n  - talentech\n",
        ] {
            let config = ConfigFile::parse("t.yaml", text).unwrap();
            assert_eq!(config.profile, ["entra-id", "talentech"], "{text}");
        }
        assert!(
            ConfigFile::parse("t.yaml", "url: x\n")
                .unwrap()
                .profile
                .names
                .is_empty()
        );
        let config = ConfigFile::parse("t.yaml", "url: x\n\nprofile:\n  - okta\n").unwrap();
        assert_eq!(
            config.profile.at, "t.yaml:4",
            "where an unknown one is reported"
        );
        let err = ConfigFile::parse("t.yaml", "profile: { name: okta }\n").unwrap_err();
        assert!(err.to_string().contains("a profile name or file"), "{err}");
    }

    #[test]
    fn oauth2_client_credentials_load_with_the_secret_by_reference() {
        let config = ConfigFile::parse(
            "t.yaml",
            "auth:\n  oauth2:\n    token_url: https://acme.talkdeskid.com/oauth/token\n\
             \x20   client_id: { env: TD_ID }\n    client_secret: { file: td-secret }\n\
             \x20   scope: scim\n    params: { token_type: opaque, expires_in: 31556952 }\n\
             \x20   client_auth: form\n",
        )
        .unwrap();
        let Some(AuthConfig::Oauth2(oauth)) = config.auth else {
            panic!("not oauth2: {:?}", config.auth);
        };
        assert!(
            matches!(&oauth.client_id, HeaderValue::Secret(id) if id.env.as_deref() == Some("TD_ID"))
        );
        assert_eq!(oauth.client_secret.file, Some(PathBuf::from("td-secret")));
        assert_eq!(oauth.params["expires_in"], serde_json::json!(31556952));
        assert_eq!(oauth.client_auth, Some(ClientAuthConfig::Form));
    }

    #[test]
    fn an_oauth2_client_secret_written_into_the_file_is_refused_unrepeated() {
        let err = ConfigFile::parse(
            "t.yaml",
            "auth:\n  oauth2:\n    token_url: https://x/oauth/token\n    client_id: td\n\
             \x20   client_secret: cs-s3cr3t\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("t.yaml") && err.contains("line"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        let err = ConfigFile::parse(
            "t.yaml",
            "auth:\n  oauth2:\n    token_url: https://x\n    client_id: td\n\
             \x20   client_secret: { env: S }\n    params: { a: [1] }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("auth.oauth2.params.a"), "{err}");
    }

    #[test]
    fn a_secret_reference_needs_exactly_one_source() {
        let err = ConfigFile::parse(
            "t.yaml",
            "auth:\n  bearer:\n    token: { env: A, file: b }\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("exactly one"), "{err}");
    }
}
