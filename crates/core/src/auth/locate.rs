//! Where credentials hide in a request, found by name alone (no decoding, no hashing).

use crate::Exchange;

/// How a raw credential was presented, before any decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Basic,
    Bearer,
    Digest,
    OtherScheme,
    Header,
    Query,
    Cookie,
}

/// A raw credential, borrowed from the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate<'a> {
    pub(crate) place: Place,
    pub(crate) location: &'a str,
    pub(crate) value: &'a str,
}

/// Header names that carry an API key or token.
const KEY_HEADERS: &[&str] = &[
    "x-api-key",
    "api-key",
    "apikey",
    "x-auth-token",
    "x-access-token",
    "x-apikey",
    "x-key",
    "x-token",
    "ocp-apim-subscription-key",
    "x-goog-api-key",
    "x-functions-key",
];
/// Words in a header or cookie name that mark it as something other than a credential, even
/// when it ends like one (`x-csrf-token`, `sec-websocket-key`, `idempotency-key`).
const NOT_CREDENTIAL: &[&str] = &[
    "csrf",
    "xsrf",
    "websocket",
    "idempotency",
    "cache",
    "request-id",
    "correlation",
    "trace",
    "consent",
    "locale",
    "theme",
];
/// Query parameter names (lower case, `_` and `-` removed) that carry a key or token.
const KEY_PARAMS: &[&str] = &[
    "apikey",
    "key",
    "token",
    "accesstoken",
    "auth",
    "clientsecret",
];
/// Cookie names (lower case) that carry a session or token.
const SESSION_COOKIES: &[&str] = &[
    "session",
    "sessionid",
    "session_id",
    "session-id",
    "sessid",
    "sid",
    "connect.sid",
    "jsessionid",
    "phpsessid",
    "asp.net_sessionid",
    ".aspxauth",
    "auth",
    "auth_token",
    "authtoken",
    "token",
    "jwt",
    "access_token",
    "accesstoken",
    "id_token",
    "refresh_token",
];
const SESSION_SUFFIXES: &[&str] = &[
    "_session",
    "-session",
    ".session",
    "sessionid",
    "_sess",
    "_sid",
    ".sid",
];
const SESSION_PREFIXES: &[&str] = &[
    "remember_",
    "remember-",
    "wordpress_logged_in",
    "aspsessionid",
];

fn excluded(name_lower: &str) -> bool {
    NOT_CREDENTIAL.iter().any(|w| name_lower.contains(w))
}

/// Whether a (lower-case) header name carries an API key or token.
pub(crate) fn is_key_header(name: &str) -> bool {
    if name == "authorization" || name == "proxy-authorization" {
        return false;
    }
    let named = KEY_HEADERS.contains(&name)
        || name.ends_with("-api-key")
        || name.ends_with("-token")
        || name.ends_with("-key");
    named && !excluded(name)
}

/// Whether a query parameter name carries an API key or token.
pub(crate) fn is_key_param(name: &str) -> bool {
    if name.len() > 64 {
        return false;
    }
    let norm: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    KEY_PARAMS.contains(&norm.as_str())
}

/// Whether a name holds, in any case, a word that every listed name, suffix and prefix holds
/// ("sess", "sid", "auth", "token", "jwt", "remember", "logged_in"): a browser's dozens of
/// analytics and preference cookies are passed over after one look at each byte, before
/// anything is copied or lower-cased.
fn has_session_word(name: &[u8]) -> bool {
    let holds = |rest: &[u8], word: &[u8]| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word)
    };
    (0..name.len()).any(|i| {
        let rest = &name[i..];
        match name[i].to_ascii_lowercase() {
            b's' => holds(rest, b"sess") || holds(rest, b"sid"),
            b'a' => holds(rest, b"auth"),
            b't' => holds(rest, b"token"),
            b'j' => holds(rest, b"jwt"),
            b'r' => holds(rest, b"remember"),
            b'l' => holds(rest, b"logged_in"),
            _ => false,
        }
    })
}

/// Whether a cookie name carries a session or token: one of the usual session names
/// (`session`, `sid`, `jsessionid`, `token`, ...), suffixes (`_session`, `.sid`, ...) or
/// prefixes (`remember_`, `wordpress_logged_in`, ...), case-insensitive, after a `__Host-` or
/// `__Secure-` prefix, and holding none of the words that mark a name as something else
/// (`csrf`, `consent`, `theme`, ...).
pub fn is_session_cookie(name: &str) -> bool {
    if name.len() > 128 || !has_session_word(name.as_bytes()) {
        return false;
    }
    // Browsers send dozens of cookies per request: lower-case on the stack, and test the
    // (rare) positive names before the exclusions.
    let mut buf = [0u8; 128];
    let bytes = &mut buf[..name.len()];
    bytes.copy_from_slice(name.as_bytes());
    bytes.make_ascii_lowercase();
    let Ok(lower) = std::str::from_utf8(bytes) else {
        return false;
    };
    let bare = lower
        .strip_prefix("__host-")
        .or_else(|| lower.strip_prefix("__secure-"))
        .unwrap_or(lower);
    let named = SESSION_COOKIES.contains(&bare)
        || SESSION_SUFFIXES.iter().any(|s| bare.ends_with(s))
        || SESSION_PREFIXES.iter().any(|p| bare.starts_with(p));
    named && !excluded(bare)
}

/// Every raw credential of the request, in order: `Authorization`, key headers, query, cookies.
pub(crate) fn candidates(ex: &Exchange) -> Vec<Candidate<'_>> {
    let mut out = Vec::new();
    for (name, value) in ex.request_headers.iter() {
        if name == "authorization" {
            if let Some(c) = authorization(value) {
                out.push(c);
            }
        } else if name == "cookie" {
            cookies(value, &mut out);
        } else if is_key_header(name) {
            let v = strip_bearer(value.trim());
            if !v.is_empty() {
                out.push(Candidate {
                    place: Place::Header,
                    location: name,
                    value: v,
                });
            }
        }
    }
    for (name, value) in ex.query_pairs() {
        if !value.is_empty() && is_key_param(name) {
            out.push(Candidate {
                place: Place::Query,
                location: name,
                value,
            });
        }
    }
    out
}

fn strip_bearer(v: &str) -> &str {
    match v.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => v,
    }
}

fn authorization(value: &str) -> Option<Candidate<'_>> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    let place = if scheme.eq_ignore_ascii_case("basic") {
        Place::Basic
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Place::Bearer
    } else if scheme.eq_ignore_ascii_case("digest") {
        Place::Digest
    } else {
        Place::OtherScheme
    };
    let v = if place == Place::OtherScheme {
        value
    } else {
        rest
    };
    (!v.is_empty()).then_some(Candidate {
        place,
        location: "authorization",
        value: v,
    })
}

/// The session cookies of one `Cookie` header, in order.
fn cookies<'a>(header: &'a str, out: &mut Vec<Candidate<'a>>) {
    for (name, value) in cookie_pairs(header) {
        let name = name.trim();
        if !is_session_cookie(name) {
            continue;
        }
        let value = value.trim().trim_matches('"');
        if !value.is_empty() {
            out.push(Candidate {
                place: Place::Cookie,
                location: name,
                value,
            });
        }
    }
}

/// The `name=value` pairs of a `Cookie` header, untrimmed, skipping pieces without a `=`.
/// `;` and `=` are ASCII, so every cut falls on a character boundary.
pub fn cookie_pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut start = 0;
    memchr::memchr_iter(b';', header.as_bytes())
        .chain([header.len()])
        .filter_map(move |end| {
            let pair = &header[start..end];
            start = end + 1;
            memchr::memchr(b'=', pair.as_bytes()).map(|eq| (&pair[..eq], &pair[eq + 1..]))
        })
}

#[cfg(test)]
mod cookie_tests {
    use super::*;

    #[test]
    fn every_listed_name_holds_a_session_word() {
        let listed = SESSION_COOKIES
            .iter()
            .chain(SESSION_SUFFIXES)
            .chain(SESSION_PREFIXES);
        for name in listed {
            assert!(has_session_word(name.as_bytes()), "{name}");
            let upper = name.to_ascii_uppercase();
            assert!(has_session_word(upper.as_bytes()), "{upper}");
            assert!(is_session_cookie(&format!("__Secure-{upper}")), "{upper}");
        }
        assert!(!has_session_word(b"_ga_Q1W2E3"));
        assert!(!is_session_cookie("_ga"));
    }

    proptest::proptest! {
        /// The same pairs as splitting on `;` and then at the first `=`.
        #[test]
        fn cookie_pairs_split_like_the_standard_library(header in "[a-z=; \"é]{0,40}") {
            let want: Vec<(&str, &str)> =
                header.split(';').filter_map(|p| p.split_once('=')).collect();
            let got: Vec<(&str, &str)> = cookie_pairs(&header).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
