//! Login attempts: which requests are logins, who they try, and whether they failed.
//!
//! A login is recognised by its path (the last literal segment is `login`, `signin`, `token`,
//! `authenticate`, ...) on a `POST`, by a body carrying a password field, or by a configured
//! path. A failure is recognised by status (401, 403) or, for APIs that answer 200 to a failed
//! login, by the body (`"success": false`, "invalid credentials", ...).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use rampart_core::{Exchange, HashTag, KeyedHasher};

mod user_fields;

/// Hash domain of login user names (targets of credential attacks).
pub const LOGIN_TARGET_DOMAIN: &str = "detect.login_target";

/// What a login request tried and how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempt {
    /// Keyed hash of the user name, e-mail or phone number tried, when the body names one.
    pub target: Option<HashTag>,
    /// Whether the attempt failed.
    pub failed: bool,
    /// Whether the outcome is known (a status or a body).
    pub known: bool,
}

const LOGIN_WORDS: &[&str] = &[
    "login",
    "signin",
    "sign-in",
    "sign_in",
    "logon",
    "authenticate",
    "authentication",
    "auth",
    "token",
    "tokens",
    "session",
    "sessions",
    "oauth2",
    "verify-password",
    "password",
];

const USER_FIELDS: &[&str] = &[
    "username",
    "user",
    "login",
    "email",
    "userName",
    "user_name",
    "phone",
    "msisdn",
    "account",
    "user_id",
    "userId",
    "identifier",
    "loginId",
    "mail",
];

const PASSWORD_FIELDS: &[&[u8]] = &[b"\"password\"", b"\"passwd\"", b"\"pwd\"", b"\"pin\""];

const FAILURE_WORDS: &[&[u8]] = &[
    b"invalid credentials",
    b"invalid_grant",
    b"invalid password",
    b"incorrect password",
    b"wrong password",
    b"login failed",
    b"authentication failed",
    b"\"success\":false",
    b"\"success\": false",
    b"unauthorized",
    b"bad credentials",
];

/// Whether a path's last literal segment names a login action.
pub fn is_login_path(path: &str, extra: &[String]) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    if extra.iter().any(|p| p == path) {
        return true;
    }
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    LOGIN_WORDS.iter().any(|w| last.eq_ignore_ascii_case(w))
}

/// The login attempt `ex` makes, if it is one.
pub fn attempt(
    ex: &Exchange,
    extra_paths: &[String],
    hasher: &KeyedHasher,
) -> Option<LoginAttempt> {
    if !ex.method.eq_ignore_ascii_case("POST") {
        return None;
    }
    let body = ex.request_body.as_ref().map(|b| b.bytes.as_slice());
    let by_path = is_login_path(&ex.path, extra_paths);
    if !by_path && !body.is_some_and(has_password_field) {
        return None;
    }
    let target = body.and_then(user_of).map(|u| {
        let norm = u.trim().to_ascii_lowercase();
        hasher.tag(LOGIN_TARGET_DOMAIN, norm.as_bytes())
    });
    let (failed, known) = match ex.status {
        Some(401 | 403) => (true, true),
        Some(s) if (200..300).contains(&s) => {
            // The failure words, in any case, within the first 2 KiB: lower-cased on the stack,
            // so that the search runs case-sensitive (a vectorised prefilter then applies).
            let failed = ex.response_body.as_ref().is_some_and(|b| {
                let mut buf = [0u8; 2048];
                let n = b.bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&b.bytes[..n]);
                buf[..n].make_ascii_lowercase();
                searchers().failure.is_match(&buf[..n])
            });
            (failed, true)
        }
        // 429 and 5xx say nothing about the credentials.
        Some(_) => (false, false),
        None => (false, false),
    };
    Some(LoginAttempt {
        target,
        failed,
        known,
    })
}

/// The searchers of login bodies, built once.
struct Searchers {
    /// `"p`, which every password field starts with.
    quote_p: memchr::memmem::Finder<'static>,
    failure: AhoCorasick,
}

fn searchers() -> &'static Searchers {
    static SEARCHERS: OnceLock<Searchers> = OnceLock::new();
    SEARCHERS.get_or_init(|| Searchers {
        quote_p: memchr::memmem::Finder::new(b"\"p"),
        // Leftmost semantics let the searcher use its vectorised (Teddy) prefilter: only
        // whether a word occurs matters, not which.
        failure: AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(FAILURE_WORDS)
            .expect("fixed patterns build"),
    })
}

/// Whether the first 4 KiB of a body hold a password field (`"password"`, `"pin"`, ...).
fn has_password_field(body: &[u8]) -> bool {
    let hay = &body[..body.len().min(4096)];
    let finder = &searchers().quote_p;
    let mut from = 0;
    while let Some(at) = finder.find(&hay[from..]) {
        let rest = &hay[from + at..];
        if PASSWORD_FIELDS.iter().any(|f| rest.starts_with(f)) {
            return true;
        }
        from += at + 1;
    }
    false
}

/// The user named in a JSON or form body.
fn user_of(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(&body[..body.len().min(4096)]).ok()?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return user_fields::first_user(trimmed);
    }
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        USER_FIELDS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(k))
            .then(|| v.replace("%40", "@"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Body;

    fn login(path: &str, body: &str, status: u16, resp: &str) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: path.into(),
            status: Some(status),
            request_body: Some(Body::sample(
                Some("application/json".into()),
                body.as_bytes(),
            )),
            response_body: Some(Body::sample(
                Some("application/json".into()),
                resp.as_bytes(),
            )),
            ..Exchange::default()
        }
    }

    #[test]
    fn logins_are_found_by_path_or_password_field() {
        let h = KeyedHasher::new([1; 32]);
        let a = attempt(&login("/api/v1/auth/login", "{}", 200, "{}"), &[], &h).unwrap();
        assert!(!a.failed && a.known && a.target.is_none());
        let b = attempt(
            &login("/api/v1/x", r#"{"email":"A@x.io","password":"p"}"#, 401, ""),
            &[],
            &h,
        )
        .unwrap();
        assert!(b.failed);
        assert_eq!(b.target, Some(h.tag(LOGIN_TARGET_DOMAIN, b"a@x.io")));
        assert!(attempt(&login("/api/v1/orders", "{}", 200, ""), &[], &h).is_none());
    }

    #[test]
    fn a_200_with_a_failure_body_is_a_failure() {
        let h = KeyedHasher::new([1; 32]);
        let ex = login(
            "/signin",
            "username=bob&password=x",
            200,
            r#"{"success": false, "error": "Invalid credentials"}"#,
        );
        let a = attempt(&ex, &[], &h).unwrap();
        assert!(a.failed);
        assert_eq!(a.target, Some(h.tag(LOGIN_TARGET_DOMAIN, b"bob")));
    }

    #[test]
    fn configured_paths_count_and_throttling_is_not_a_failure() {
        let h = KeyedHasher::new([1; 32]);
        let ex = login("/partner/connect", "{}", 429, "");
        let a = attempt(&ex, &["/partner/connect".into()], &h).unwrap();
        assert!(!a.failed && !a.known);
    }
}
