//! Splitting URLs and authorities into the pieces an exchange stores.

/// The parts of an absolute URL that an exchange keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts {
    pub(crate) scheme: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
}

/// Splits `scheme://user@host:port/path?query#fragment`. A value without `://` is taken as a
/// path with an optional query (some exporters write relative URLs).
pub(crate) fn split_url(url: &str) -> UrlParts {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let Some((scheme, rest)) = url.split_once("://").filter(|(s, _)| is_scheme(s)) else {
        let (path, query) = split_path_and_query(url);
        return UrlParts {
            scheme: None,
            host: None,
            path,
            query,
        };
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (path, query) = split_path_and_query(tail);
    UrlParts {
        scheme: Some(scheme.to_ascii_lowercase()),
        host: host_from_authority(authority),
        path,
        query,
    }
}

fn is_scheme(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Splits `path?query` into the path (`/` when empty) and the query without `?`.
pub(crate) fn split_path_and_query(s: &str) -> (String, Option<String>) {
    match s.split_once('?') {
        Some((path, query)) => (non_empty_path(path), Some(query.to_owned())),
        None => (non_empty_path(s), None),
    }
}

fn non_empty_path(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// The host of an authority (`user@Host:port`, `[::1]:8080`), lower case, without port.
pub(crate) fn host_from_authority(authority: &str) -> Option<String> {
    let authority = authority.trim();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split_once(']').map_or(bracketed, |(h, _)| h)
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_url_is_split_and_host_normalised() {
        let p = split_url("HTTPS://user:pw@API.Example.com:8443/v1/users?id=3&x=1#frag");
        assert_eq!(p.scheme.as_deref(), Some("https"));
        assert_eq!(p.host.as_deref(), Some("api.example.com"));
        assert_eq!(p.path, "/v1/users");
        assert_eq!(p.query.as_deref(), Some("id=3&x=1"));
    }

    #[test]
    fn url_without_path_gets_root_and_ipv6_host_loses_brackets() {
        let p = split_url("http://[2001:db8::1]:8080?q");
        assert_eq!(p.host.as_deref(), Some("2001:db8::1"));
        assert_eq!(p.path, "/");
        assert_eq!(p.query.as_deref(), Some("q"));
    }

    #[test]
    fn relative_url_is_path_and_query() {
        let p = split_url("/a/b?c=d");
        assert_eq!((p.scheme, p.host), (None, None));
        assert_eq!(p.path, "/a/b");
        assert_eq!(p.query.as_deref(), Some("c=d"));
    }
}
