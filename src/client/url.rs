//! Joining request paths to the target's base URL, and telling whether a URL is inside it.

use reqwest::Url;

/// The target's base URL; every URL the client sends to lies under it.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    url: Url,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let url = Url::parse(text).map_err(|e| e.to_string())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("scheme `{}` is not http or https", url.scheme()));
        }
        if url.host_str().is_none() {
            return Err("no host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("a base URL cannot have a query or a fragment".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("credentials in the URL are not supported; use the auth options".into());
        }
        Ok(BaseUrl { url })
    }

    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The base path without a trailing slash ("" for the root).
    fn base_path(&self) -> &str {
        self.url.path().trim_end_matches('/')
    }

    /// `path` relative to the base (with or without a leading slash, optionally with a
    /// `?query`), or an absolute URL that must lie under the base; then `query` appended.
    pub fn join(&self, path: &str, query: &[(String, String)]) -> Result<Url, String> {
        let mut url = if let Some(below) = self.plainly_below(path) {
            let mut url = self.url.clone();
            url.set_path(&format!("{}{below}", self.base_path()));
            url
        } else if path.starts_with("http://") || path.starts_with("https://") {
            let url = Url::parse(path).map_err(|e| format!("invalid URL `{path}`: {e}"))?;
            if !self.contains(&url) {
                return Err(format!(
                    "refusing to send a request to `{url}`: it is outside the target `{}`",
                    self.url
                ));
            }
            url
        } else {
            let (path, raw_query) = match path.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (path, None),
            };
            let mut url = self.url.clone();
            let relative = path.trim_start_matches('/');
            let joined = if relative.is_empty() {
                format!("{}/", self.base_path())
            } else {
                format!("{}/{relative}", self.base_path())
            };
            url.set_path(&joined);
            url.set_query(raw_query);
            url
        };
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// The path after the base in `url` when `url` spells the base exactly and goes on
    /// with a plain path: letters, digits, `-._~/`, no `.` or `..` segment, no query.
    /// Parsing such a URL whole would give the same URL (a `location` from the server,
    /// most often), but costs more than the request's own formatting.
    fn plainly_below<'u>(&self, url: &'u str) -> Option<&'u str> {
        let rest = url.strip_prefix(self.url.as_str().trim_end_matches('/'))?;
        let plain = rest.starts_with('/')
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
            && !rest
                .split('/')
                .any(|segment| segment == "." || segment == "..");
        plain.then_some(rest)
    }

    /// True when `url` has the base's scheme, host and port and a path under its path.
    pub fn contains(&self, url: &Url) -> bool {
        if !same_origin(url, &self.url) {
            return false;
        }
        let base = self.base_path();
        let path = url.path();
        base.is_empty() || path == base || path.starts_with(&format!("{base}/"))
    }

    /// True when `other` has this base's scheme, host and port.
    pub fn same_origin(&self, other: &BaseUrl) -> bool {
        same_origin(&other.url, &self.url)
    }

    /// A `Location` header resolved against the request URL; an error when it points
    /// outside the target.
    pub fn resolve_location(&self, request_url: &str, location: &str) -> Result<Url, String> {
        let request = Url::parse(request_url)
            .map_err(|e| format!("invalid request URL `{request_url}`: {e}"))?;
        let url = request
            .join(location.trim())
            .map_err(|e| format!("invalid Location `{location}`: {e}"))?;
        if self.contains(&url) {
            Ok(url)
        } else {
            Err(format!(
                "Location `{url}` is outside the target `{}`; not followed",
                self.url
            ))
        }
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `value` as one path segment (or one query value): every byte but the unreserved
/// ones (RFC 3986 section 2.3) percent-encoded, so `/`, `?`, `#` and `%` in a value the
/// server chose can never add a segment, start a query, or smuggle an escape.
pub fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// True when `a` and `b` name the same resource: same scheme, host, port and path
/// (ignoring a trailing slash), whatever the query.
pub fn same_resource(a: &str, b: &str) -> bool {
    match (resource_key(a), resource_key(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// What `same_resource` compares of a URL (scheme, host in lower case, port, path
/// without a trailing slash), for matching many URLs against many without parsing each
/// again for every pair. None when `url` does not parse.
pub fn resource_key(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    Some(format!(
        "{}://{}:{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default()
            .map_or(String::new(), |p| p.to_string()),
        url.path().trim_end_matches('/')
    ))
}

/// A URL as it may be shown in a message: without user info, query or fragment, which
/// may hold secrets. Text that does not parse as a URL is cut the same way.
pub fn shown_url(text: &str) -> String {
    if let Ok(mut url) = Url::parse(text.trim()) {
        if url.has_host() {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        url.set_query(None);
        url.set_fragment(None);
        return url.to_string();
    }
    let text = text.trim();
    let text = text.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), text),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{scheme}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_value_stays_one_segment() {
        let base = BaseUrl::parse("http://h/scim/v2").unwrap();
        for (id, path) in [
            ("../Groups/g1", "/scim/v2/Users/..%2FGroups%2Fg1"),
            ("a?b=c", "/scim/v2/Users/a%3Fb%3Dc"),
            ("a#b", "/scim/v2/Users/a%23b"),
            ("%2e%2e", "/scim/v2/Users/%252e%252e"),
            ("é 1", "/scim/v2/Users/%C3%A9%201"),
        ] {
            let url = base
                .join(&format!("/Users/{}", encode_segment(id)), &[])
                .unwrap();
            assert_eq!(url.path(), path, "{id}");
            assert_eq!(url.query(), None, "{id}");
            assert_eq!(url.fragment(), None, "{id}");
        }
    }

    #[test]
    fn an_absolute_url_joins_as_a_whole_parse_would() {
        for base in [
            "http://h/scim/v2",
            "http://h/scim/v2/",
            "https://h:8443/",
            "http://h",
        ] {
            let base = BaseUrl::parse(base).unwrap();
            let root = base.as_str().trim_end_matches('/');
            for rest in [
                "/Users/2819c223-7f76",
                "/Users/a.b~c_d",
                "//Users//1/",
                "/Users/./1",
                "/Users/../Groups/1",
                "/Users/%2e%2e",
                "/Users/1?attributes=id",
                "/Users/é",
                "/Users/1#top",
            ] {
                let absolute = format!("{root}{rest}");
                let joined = base.join(&absolute, &[]);
                let parsed = Url::parse(&absolute).unwrap();
                if base.contains(&parsed) {
                    assert_eq!(joined.unwrap(), parsed, "{absolute}");
                } else {
                    assert!(joined.is_err(), "{absolute} is outside {}", base.as_str());
                }
            }
        }
    }

    #[test]
    fn same_resource_ignores_query_case_of_host_and_trailing_slash() {
        assert!(same_resource(
            "http://H:80/v2/Users/1?x=1",
            "http://h/v2/Users/1/"
        ));
        assert!(!same_resource(
            "http://h/v2/Users/1",
            "http://h/v2/Users/10"
        ));
        assert!(!same_resource(
            "http://h/v2/Users/1",
            "https://h/v2/Users/1"
        ));
    }

    #[test]
    fn shown_urls_lose_credentials_query_and_fragment() {
        for (given, shown) in [
            (
                "https://ada:pw-SECRET@h.example/scim?token=t-SECRET#x",
                "https://h.example/scim",
            ),
            ("http://u@h:8/v2", "http://h:8/v2"),
            ("http://u:pw-SECRET@bad host/x?k=v", "http://bad host/x"),
            ("pw-SECRET@h/x", "h/x"),
            ("https://h/scim/v2", "https://h/scim/v2"),
        ] {
            assert_eq!(shown_url(given), shown, "{given}");
        }
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn joins_with_or_without_slashes() {
        for base in ["http://h:8080/scim/v2", "http://h:8080/scim/v2/"] {
            let base = BaseUrl::parse(base).unwrap();
            for path in ["/Users", "Users"] {
                assert_eq!(
                    base.join(path, &[]).unwrap().as_str(),
                    "http://h:8080/scim/v2/Users"
                );
            }
            assert_eq!(
                base.join("", &[]).unwrap().as_str(),
                "http://h:8080/scim/v2/"
            );
        }
        let root = BaseUrl::parse("http://h").unwrap();
        assert_eq!(
            root.join("/Users/1", &[]).unwrap().as_str(),
            "http://h/Users/1"
        );
    }

    #[test]
    fn encodes_path_and_query() {
        let base = BaseUrl::parse("http://h/v2").unwrap();
        let url = base
            .join(
                "/Users",
                &q(&[("filter", "userName eq \"a b\""), ("count", "0")]),
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://h/v2/Users?filter=userName+eq+%22a+b%22&count=0"
        );
        let inline = base.join("/Users?filter=userName eq \"x\"", &[]).unwrap();
        assert_eq!(
            inline.as_str(),
            "http://h/v2/Users?filter=userName%20eq%20%22x%22"
        );
        let spaced = base.join("/Users/a b", &[]).unwrap();
        assert_eq!(spaced.as_str(), "http://h/v2/Users/a%20b");
    }

    #[test]
    fn absolute_urls_must_be_under_the_base() {
        let base = BaseUrl::parse("http://h:1/scim").unwrap();
        assert!(base.join("http://h:1/scim/Users/1", &[]).is_ok());
        for outside in [
            "http://h:1/scimx/Users",
            "http://h:2/scim/Users",
            "https://h:1/scim/Users",
            "http://evil:1/scim/Users",
            "http://h:1/other",
        ] {
            let err = base.join(outside, &[]).unwrap_err();
            assert!(err.contains("outside the target"), "{outside}: {err}");
        }
    }

    #[test]
    fn resolves_relative_locations_and_refuses_foreign_ones() {
        let base = BaseUrl::parse("http://h/scim/v2").unwrap();
        let req = "http://h/scim/v2/Users";
        assert_eq!(
            base.resolve_location(req, "/scim/v2/Users/42")
                .unwrap()
                .as_str(),
            "http://h/scim/v2/Users/42"
        );
        assert_eq!(
            base.resolve_location(req, "http://h/scim/v2/Users/42")
                .unwrap()
                .as_str(),
            "http://h/scim/v2/Users/42"
        );
        assert!(
            base.resolve_location(req, "http://elsewhere/scim/v2/Users/42")
                .is_err()
        );
        assert!(base.resolve_location(req, "/admin/Users/42").is_err());
    }

    #[test]
    fn rejects_unusable_base_urls() {
        for bad in ["ftp://h/", "not a url", "http://u:p@h/", "http://h/?x=1"] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
