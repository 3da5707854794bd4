//! The session cookie of a request that carries no other credential, found the way the
//! credential locator of `rampart_core::auth` finds it (same names, same order), but without
//! building its list of candidates: browsers send dozens of cookies, and a new client or a
//! rotated session means reading them all.

use rampart_core::auth::{Identity, SECRET_DOMAIN};
use rampart_core::{Exchange, KeyedHasher};

/// Cookie names (lower case) that carry a session or token.
const SESSION_COOKIES: &[&[u8]] = &[
    b"session",
    b"sessionid",
    b"session_id",
    b"session-id",
    b"sessid",
    b"sid",
    b"connect.sid",
    b"jsessionid",
    b"phpsessid",
    b"asp.net_sessionid",
    b".aspxauth",
    b"auth",
    b"auth_token",
    b"authtoken",
    b"token",
    b"jwt",
    b"access_token",
    b"accesstoken",
    b"id_token",
    b"refresh_token",
];
const SESSION_SUFFIXES: &[&[u8]] = &[
    b"_session",
    b"-session",
    b".session",
    b"sessionid",
    b"_sess",
    b"_sid",
    b".sid",
];
const SESSION_PREFIXES: &[&[u8]] = &[
    b"remember_",
    b"remember-",
    b"wordpress_logged_in",
    b"aspsessionid",
];
/// Words that mark a name as something other than a credential.
const NOT_CREDENTIAL: &[&[u8]] = &[
    b"csrf",
    b"xsrf",
    b"websocket",
    b"idempotency",
    b"cache",
    b"request-id",
    b"correlation",
    b"trace",
    b"consent",
    b"locale",
    b"theme",
];

/// Whether a cookie name carries a session or token.
pub(super) fn is_session_cookie(name: &str) -> bool {
    if name.len() > 128 {
        return false;
    }
    let mut buf = [0u8; 128];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    if std::str::from_utf8(lower).is_err() {
        return false;
    }
    let bare = lower
        .strip_prefix(b"__host-")
        .or_else(|| lower.strip_prefix(b"__secure-"))
        .unwrap_or(lower);
    let named = SESSION_COOKIES.contains(&bare)
        || SESSION_SUFFIXES.iter().any(|s| bare.ends_with(s))
        || SESSION_PREFIXES.iter().any(|p| bare.starts_with(p));
    named
        && !NOT_CREDENTIAL
            .iter()
            .any(|w| memchr::memmem::find(bare, w).is_some())
}

/// The identity of a request whose only credentials can be cookies: the first session cookie
/// is the session, any session cookie is a credential, and cookies name no principal.
pub(super) fn cookie_identity(ex: &Exchange, hasher: &KeyedHasher) -> Identity {
    for header in ex.request_headers.get_all("cookie") {
        for pair in header.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            if !value.is_empty() && is_session_cookie(name.trim()) {
                return Identity {
                    session: Some(hasher.tag(SECRET_DOMAIN, value.as_bytes())),
                    principal: None,
                    has_credential: true,
                };
            }
        }
    }
    Identity::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rampart_core::auth::identify;
    use rampart_core::Headers;

    const NAMES: &[&str] = &[
        "sid",
        "SID",
        "__Host-session",
        "__Secure-sid",
        "theme_session",
        "csrf_token",
        "x_sid",
        "Remember_me",
        "wordpress_logged_in_abc",
        "_ga",
        "cart",
        "auth",
        "my.sid",
        "jwt",
        "session-id",
        "consent_sess",
        "ASPSESSIONIDQQ",
        "token",
        "é_sid",
        "",
    ];

    proptest! {
        #[test]
        fn finds_what_the_locator_finds(
            cookies in proptest::collection::vec((0..NAMES.len(), "[a-z0-9\" ]{0,6}"), 0..8),
            split in 0usize..8,
        ) {
            let pairs: Vec<String> = cookies
                .iter()
                .map(|(n, v)| format!("{}={v}", NAMES[*n]))
                .collect();
            let mut h = Headers::new();
            let cut = split.min(pairs.len());
            h.push("cookie", pairs[..cut].join("; "));
            h.push("user-agent", "x");
            h.push("cookie", pairs[cut..].join(";"));
            let ex = Exchange { request_headers: h, ..Exchange::default() };
            let hasher = KeyedHasher::new([3; 32]);
            prop_assert_eq!(cookie_identity(&ex, &hasher), identify(&ex, &hasher));
        }
    }
}
