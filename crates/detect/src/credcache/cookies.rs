//! The session cookie of a request that carries no other credential, found the way the
//! credential locator of `rampart_core::auth` finds it (same names, same order), but without
//! building its list of candidates: browsers send dozens of cookies, and a new client or a
//! rotated session means reading them all.

use rampart_core::auth::{cookie_pairs, is_session_cookie, Identity, SECRET_DOMAIN};
use rampart_core::{Exchange, KeyedHasher};

/// The identity of a request whose only credentials can be cookies: the first session cookie
/// is the session, any session cookie is a credential, and cookies name no principal.
pub(super) fn cookie_identity(ex: &Exchange, hasher: &KeyedHasher) -> Identity {
    for header in ex.request_headers.get_all("cookie") {
        for (name, value) in cookie_pairs(header) {
            if !is_session_cookie(name.trim()) {
                continue;
            }
            let value = value.trim().trim_matches('"');
            if !value.is_empty() {
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
