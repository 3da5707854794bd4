//! Route matching: by host (exact, then `*.` wildcard, then routes without a host), then the
//! longest path prefix within that group. A host group whose prefixes all miss falls through to
//! the next group, so a catch-all route without a host still serves unknown paths.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Route;

/// A route after compilation.
#[derive(Debug)]
pub(crate) struct CompiledRoute {
    /// Position in `routes:` of the config.
    pub(crate) index: usize,
    /// Path prefix.
    pub(crate) prefix: String,
    /// Index of the pool in [`crate::upstream::Upstreams`].
    pub(crate) pool: usize,
    /// Name of the pool, shared with the request context without a copy.
    pub(crate) upstream: Arc<str>,
}

/// Routes grouped by host, each group sorted by prefix length, longest first.
#[derive(Debug, Default)]
pub(crate) struct Router {
    exact: HashMap<String, Vec<CompiledRoute>>,
    /// Suffix (`.example.com`) and its routes, longest suffix first.
    wildcard: Vec<(String, Vec<CompiledRoute>)>,
    any: Vec<CompiledRoute>,
}

impl Router {
    /// Compiles routes; `pool_of` maps an upstream name to its pool index (validated before).
    pub(crate) fn new(routes: &[Route], pool_of: impl Fn(&str) -> Option<usize>) -> Self {
        let mut router = Router::default();
        for (index, r) in routes.iter().enumerate() {
            let Some(pool) = pool_of(&r.upstream) else {
                continue;
            };
            let compiled = CompiledRoute {
                index,
                prefix: r.path_prefix.clone(),
                pool,
                upstream: Arc::from(r.upstream.as_str()),
            };
            match r.host.as_deref().map(normalize_pattern) {
                None => router.any.push(compiled),
                Some(host) => match host.strip_prefix('*') {
                    Some(suffix) => match router.wildcard.iter_mut().find(|(s, _)| s == suffix) {
                        Some((_, group)) => group.push(compiled),
                        None => router.wildcard.push((suffix.to_owned(), vec![compiled])),
                    },
                    None => router.exact.entry(host).or_default().push(compiled),
                },
            }
        }
        let by_len = |g: &mut Vec<CompiledRoute>| {
            g.sort_by(|a, b| {
                b.prefix
                    .len()
                    .cmp(&a.prefix.len())
                    .then(a.index.cmp(&b.index))
            })
        };
        router.exact.values_mut().for_each(by_len);
        router.wildcard.iter_mut().for_each(|(_, g)| by_len(g));
        router
            .wildcard
            .sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        by_len(&mut router.any);
        router
    }

    /// The route for a normalised host (lower case, no port) and a path.
    pub(crate) fn find(&self, host: Option<&str>, path: &str) -> Option<&CompiledRoute> {
        if let Some(host) = host {
            if let Some(r) = self.exact.get(host).and_then(|g| longest(g, path)) {
                return Some(r);
            }
            for (suffix, group) in &self.wildcard {
                if host.len() > suffix.len() && host.ends_with(suffix.as_str()) {
                    if let Some(r) = longest(group, path) {
                        return Some(r);
                    }
                }
            }
        }
        longest(&self.any, path)
    }
}

/// The first route of a group (sorted longest prefix first) whose prefix starts `path`.
fn longest<'a>(group: &'a [CompiledRoute], path: &str) -> Option<&'a CompiledRoute> {
    group.iter().find(|r| path.starts_with(&r.prefix))
}

fn normalize_pattern(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Normalises a request host: lower case, port and trailing dot removed. IPv6 literals keep
/// their brackets. Returns `None` for an empty host.
pub(crate) fn normalize_host(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let host = if raw.starts_with('[') {
        match raw.find(']') {
            Some(end) => &raw[..=end],
            None => raw,
        }
    } else {
        match raw.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => raw,
        }
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: Option<&str>, prefix: &str, upstream: &str) -> Route {
        Route {
            host: host.map(str::to_owned),
            path_prefix: prefix.to_owned(),
            upstream: upstream.to_owned(),
        }
    }

    fn router() -> Router {
        let routes = [
            route(None, "/", "default"),
            route(Some("API.example.com"), "/", "api"),
            route(Some("api.example.com"), "/v2", "api-v2"),
            route(Some("*.example.com"), "/", "wild"),
            route(Some("*.eu.example.com"), "/", "eu"),
            route(Some("static.example.com"), "/assets", "static"),
            route(None, "/health", "health"),
        ];
        let names = ["default", "api", "api-v2", "wild", "eu", "static", "health"];
        Router::new(&routes, |n| names.iter().position(|x| *x == n))
    }

    fn hit(r: &Router, host: Option<&str>, path: &str) -> Option<String> {
        r.find(host, path).map(|r| r.upstream.to_string())
    }

    #[test]
    fn exact_host_then_longest_prefix() {
        let r = router();
        assert_eq!(
            hit(&r, Some("api.example.com"), "/v2/users").as_deref(),
            Some("api-v2")
        );
        assert_eq!(
            hit(&r, Some("api.example.com"), "/v1/users").as_deref(),
            Some("api")
        );
    }

    #[test]
    fn wildcards_match_subdomains_most_specific_first() {
        let r = router();
        assert_eq!(
            hit(&r, Some("www.example.com"), "/").as_deref(),
            Some("wild")
        );
        assert_eq!(
            hit(&r, Some("a.b.example.com"), "/").as_deref(),
            Some("wild")
        );
        assert_eq!(
            hit(&r, Some("x.eu.example.com"), "/").as_deref(),
            Some("eu")
        );
        assert_eq!(
            hit(&r, Some("example.com"), "/").as_deref(),
            Some("default")
        );
    }

    #[test]
    fn a_host_group_that_misses_falls_through() {
        let r = router();
        assert_eq!(
            hit(&r, Some("static.example.com"), "/assets/a.css").as_deref(),
            Some("static")
        );
        assert_eq!(
            hit(&r, Some("static.example.com"), "/other").as_deref(),
            Some("wild")
        );
        assert_eq!(hit(&r, None, "/health").as_deref(), Some("health"));
        assert_eq!(
            hit(&r, Some("unknown.org"), "/x").as_deref(),
            Some("default")
        );
    }

    #[test]
    fn no_route_without_catch_all() {
        let routes = [route(Some("a.test"), "/api", "a")];
        let r = Router::new(&routes, |_| Some(0));
        assert!(r.find(Some("a.test"), "/other").is_none());
        assert!(r.find(Some("b.test"), "/api").is_none());
    }

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            normalize_host("API.Example.COM:8443").as_deref(),
            Some("api.example.com")
        );
        assert_eq!(
            normalize_host("example.com.").as_deref(),
            Some("example.com")
        );
        assert_eq!(normalize_host("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(normalize_host("[::1").as_deref(), Some("[::1"));
        assert_eq!(normalize_host(":80"), None);
        assert_eq!(normalize_host(""), None);
    }
}
