//! Checks on what every answer says about itself: whether the service speaks an API, version
//! banners, security headers on API responses, CORS, and HTTP without TLS.

use rampart_core::Severity;

use crate::finding::{Finding, FindingKind};
use crate::http::Response;

/// The origin sent with the first request, to see whether CORS reflects any origin.
pub(crate) const PROBE_ORIGIN: &str = "https://rampart-scan.invalid";

/// Headers that name software, and whether a version number must be present to count.
const BANNERS: &[(&str, bool)] = &[
    ("server", true),
    ("x-powered-by", true),
    ("x-aspnet-version", false),
    ("x-aspnetmvc-version", false),
    ("x-generator", true),
    ("x-runtime-version", false),
];

/// Why a service looks like an API, from one answer (empty: nothing API-like in it).
pub(crate) fn api_signs(resp: &Response, what: &str) -> Vec<String> {
    let mut signs = Vec::new();
    let mt = resp.media_type();
    if resp.is_json() {
        signs.push(format!("{what} answered {} with JSON ({mt})", resp.status));
    } else if resp.is_xml() {
        signs.push(format!("{what} answered {} with XML ({mt})", resp.status));
    }
    if mt == "application/problem+json" || mt == "application/problem+xml" {
        signs.push(format!("{what} answered an RFC 9457 problem document"));
    }
    if resp.header("access-control-allow-origin").is_some() {
        signs.push(format!("{what} sent CORS headers"));
    }
    signs
}

/// Whether a header value carries a version number (`nginx/1.22.1`, `PHP/8.1`, `4.0.30319`).
pub(crate) fn has_version(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
}

/// Version banners in an answer.
pub(crate) fn version_disclosure(resp: &Response, target: &str, now: i64) -> Option<Finding> {
    let shown: Vec<String> = BANNERS
        .iter()
        .filter_map(|(name, needs_version)| {
            let v = resp.header(name)?;
            (!needs_version || has_version(v)).then(|| format!("{name}: {v}"))
        })
        .collect();
    if shown.is_empty() {
        return None;
    }
    Some(Finding::new(
        FindingKind::VersionDisclosure,
        Severity::Low,
        target,
        "",
        "response headers disclose software versions",
        shown,
        now,
    ))
}

/// Missing security headers on an API (JSON) answer.
pub(crate) fn missing_headers(
    resp: &Response,
    path: &str,
    tls: bool,
    target: &str,
    now: i64,
) -> Option<Finding> {
    let mut missing = Vec::new();
    if tls && resp.header("strict-transport-security").is_none() {
        missing.push("Strict-Transport-Security (HSTS) on a TLS service".to_owned());
    }
    if !resp
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
    {
        missing.push("X-Content-Type-Options: nosniff".to_owned());
    }
    if resp.is_json() && resp.header("cache-control").is_none() {
        missing.push("Cache-Control on a JSON response".to_owned());
    }
    if missing.is_empty() {
        return None;
    }
    let mut evidence = vec![format!(
        "GET {path} answered {} with {}",
        resp.status,
        resp.media_type()
    )];
    evidence.extend(missing.into_iter().map(|m| format!("missing: {m}")));
    Some(Finding::new(
        FindingKind::MissingSecurityHeaders,
        Severity::Low,
        target,
        "",
        "API responses lack security headers",
        evidence,
        now,
    ))
}

/// CORS that lets any origin read answers with the user's credentials: `*` with credentials
/// allowed, or the probe origin reflected with credentials allowed.
pub(crate) fn cors(resp: &Response, target: &str, now: i64) -> Option<Finding> {
    let origin = resp.header("access-control-allow-origin")?.trim();
    let creds = resp
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !creds {
        return None;
    }
    let (severity, why) = if origin == "*" {
        (
            Severity::Medium,
            "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true".to_owned(),
        )
    } else if origin.eq_ignore_ascii_case(PROBE_ORIGIN) {
        (Severity::High, format!("the unknown origin {PROBE_ORIGIN} was reflected with Access-Control-Allow-Credentials: true"))
    } else if origin == "null" {
        (
            Severity::Medium,
            "Access-Control-Allow-Origin: null with credentials".to_owned(),
        )
    } else {
        return None;
    };
    Some(Finding::new(
        FindingKind::CorsMisconfigured,
        severity,
        target,
        "",
        "CORS lets other sites read responses with the user's credentials",
        vec![why],
        now,
    ))
}

/// HTTP without TLS: medium for an API, low for anything else; nothing when the answer only
/// redirects to https.
pub(crate) fn plaintext(root: &Response, api: bool, target: &str, now: i64) -> Option<Finding> {
    let redirects_to_tls = (300..400).contains(&root.status)
        && root
            .header("location")
            .is_some_and(|l| l.trim().to_ascii_lowercase().starts_with("https://"));
    if redirects_to_tls {
        return None;
    }
    let (severity, title) = if api {
        (Severity::Medium, "API served over plain HTTP (no TLS)")
    } else {
        (Severity::Low, "HTTP served without TLS")
    };
    Some(Finding::new(
        FindingKind::PlaintextHttp,
        severity,
        target,
        "",
        title,
        vec![format!("GET / answered {} over plain HTTP", root.status)],
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    #[test]
    fn banners_need_versions() {
        let r = resp(
            &[("server", "nginx/1.22.1"), ("x-powered-by", "Express")],
            "",
        );
        let f = version_disclosure(&r, "h:80", 0).unwrap();
        assert_eq!(f.evidence, vec!["server: nginx/1.22.1".to_owned()]);
        assert!(version_disclosure(&resp(&[("server", "nginx")], ""), "h:80", 0).is_none());
        assert!(
            version_disclosure(&resp(&[("x-aspnet-version", "4.0.30319")], ""), "h:80", 0)
                .is_some()
        );
    }

    #[test]
    fn cors_and_headers() {
        let r = resp(
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
            ],
            "{}",
        );
        assert!(cors(&r, "h", 0).is_some());
        let r = resp(&[("access-control-allow-origin", "*")], "{}");
        assert!(cors(&r, "h", 0).is_none());
        let r = resp(&[("content-type", "application/json")], "{}");
        let f = missing_headers(&r, "/", true, "h", 0).unwrap();
        assert_eq!(f.evidence.len(), 4, "{:?}", f.evidence);
        let r = resp(
            &[
                ("content-type", "application/json"),
                ("x-content-type-options", "nosniff"),
                ("cache-control", "no-store"),
                ("strict-transport-security", "max-age=1"),
            ],
            "{}",
        );
        assert!(missing_headers(&r, "/", true, "h", 0).is_none());
        assert!(!api_signs(
            &resp(&[("content-type", "application/json")], "{}"),
            "GET /"
        )
        .is_empty());
        assert!(api_signs(&resp(&[("content-type", "text/html")], "<html>"), "GET /").is_empty());
    }
}
