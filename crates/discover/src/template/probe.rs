//! What scanners ask for: paths that no API serves but vulnerability scanners always try.

/// Fragments of paths that scanners request (`/.env`, `/wp-login.php`, `/actuator/env`).
const SCANNER_FRAGMENTS: &[&str] = &[
    "/.",
    ".php",
    ".asp",
    ".jsp",
    ".cgi",
    ".env",
    ".sql",
    ".bak",
    ".old",
    ".swp",
    ".ini",
    ".log",
    "wp-",
    "phpmyadmin",
    "cgi-bin",
    "actuator",
    "server-status",
    "server-info",
    "..",
    "%2e",
    "etc/passwd",
    "hnap1",
    "/owa/",
    "/solr/",
    "/vendor/",
    ";",
    "/boaform",
    "formlogin",
    "/console",
    "/manager/html",
    "/jmx",
    "/telescope",
    "/_ignition",
    "/.well-known/security.txt",
    "/autodiscover",
    "/ecp/",
    "/remote/",
    "/sdk",
    "/geoserver",
    "/druid",
    "/nacos",
];

/// Whether a path (or template) looks like a scanner's probe.
pub(crate) fn looks_like_scan(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    SCANNER_FRAGMENTS.iter().any(|f| lower.contains(f))
}

/// Whether a response status says the path is served (it answered, or asked for credentials).
pub(crate) fn is_served(status: Option<u16>) -> bool {
    match status {
        None => true,
        Some(s) => (100..400).contains(&s) || s == 401,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_paths() {
        for p in [
            "/.env",
            "/wp-login.php",
            "/.git/config",
            "/actuator/env",
            "/cgi-bin/luci/;stok=/locale",
        ] {
            assert!(looks_like_scan(p), "{p}");
        }
        for p in ["/v1/users/{id}", "/reports/{id}.pdf", "/api/orders"] {
            assert!(!looks_like_scan(p), "{p}");
        }
        assert!(is_served(Some(204)) && is_served(Some(401)) && is_served(None));
        assert!(!is_served(Some(404)) && !is_served(Some(403)) && !is_served(Some(500)));
    }
}
