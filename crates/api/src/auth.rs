//! Bearer-token authentication: the [`Token`], its constant-time check, and the middleware
//! that guards every endpoint but the public ones.
//!
//! Only a BLAKE3 digest of the token is kept. A presented token is hashed the same way and the
//! two 32-byte digests are compared with a loop that looks at every byte whatever it finds, so
//! the time taken says nothing about the token, not even its length. The token is never
//! logged, never echoed back, and its `Debug` form is redacted.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};

use crate::error::{ApiError, HttpError};
use crate::routes::AppState;

/// Shortest token accepted.
const MIN_TOKEN_LEN: usize = 16;
/// Longest token accepted (and longest `Authorization` value looked at).
const MAX_TOKEN_LEN: usize = 512;

/// The management API's bearer token, kept only as a digest.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    digest: [u8; 32],
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl Token {
    /// A token from its text: 16 to 512 characters of RFC 6750 token characters (letters,
    /// digits, `-._~+/`, trailing `=`). `source_name` says where it came from, for the error.
    pub fn new(text: &str, source_name: &str) -> Result<Self, ApiError> {
        let bad = |reason: &str| ApiError::BadToken {
            source_name: source_name.to_owned(),
            reason: reason.to_owned(),
        };
        if text.len() < MIN_TOKEN_LEN {
            return Err(bad("the token is shorter than 16 characters"));
        }
        if text.len() > MAX_TOKEN_LEN {
            return Err(bad("the token is longer than 512 characters"));
        }
        if !is_b64token(text) {
            return Err(bad(
                "the token has characters that cannot be sent in an Authorization header",
            ));
        }
        Ok(Self {
            digest: digest(text.as_bytes()),
        })
    }

    /// Whether `presented` is this token, in time that does not depend on either.
    pub fn verify(&self, presented: &str) -> bool {
        constant_time_eq(&self.digest, &digest(presented.as_bytes()))
    }
}

/// The digest tokens are compared by.
fn digest(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// Compares two digests without an early exit.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for i in 0..32 {
        diff |= a[i] ^ b[i];
    }
    std::hint::black_box(diff) == 0
}

/// RFC 6750 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// The token presented in `Authorization: Bearer <token>`, if exactly one header carries one.
fn presented(request: &Request) -> Option<&str> {
    let mut values = request.headers().get_all(header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() || value.len() > MAX_TOKEN_LEN + 16 {
        return None;
    }
    let text = value.to_str().ok()?;
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim_matches(' ');
    (!token.is_empty()).then_some(token)
}

/// Middleware: public routes pass; the rest need the token. Without a configured token they
/// answer 403 with how to set one.
pub(crate) async fn require_token(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if state.is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let Some(token) = &state.token else {
        return HttpError::new(
            StatusCode::FORBIDDEN,
            "the management API has no token configured, so it answers only /healthz and /readyz",
            "set api.token_file (Rampart creates it with a random token, mode 0600) or \
             api.token, restart, and send `Authorization: Bearer <token>`",
        )
        .into_response();
    };
    match presented(&request) {
        Some(p) if token.verify(p) => next.run(request).await,
        _ => {
            state.stats.auth_failure();
            tracing::debug!(path = %request.uri().path(), "management API: missing or wrong token");
            HttpError::unauthorized().into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_and_compared() {
        let t = Token::new("0123456789abcdef", "api.token").unwrap();
        assert!(t.verify("0123456789abcdef"));
        assert!(!t.verify("0123456789abcdeF"));
        assert!(!t.verify("0123456789abcdef0"));
        assert!(!t.verify(""));
        assert!(Token::new("short", "api.token").is_err());
        assert!(Token::new("has a space in it ok", "api.token").is_err());
        assert!(Token::new("abcdefghijklmnop==", "api.token").is_ok());
        assert!(Token::new("================", "api.token").is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = Token::new("0123456789abcdef", "api.token").unwrap();
        assert_eq!(format!("{t:?}"), "Token([redacted])");
    }

    #[test]
    fn constant_time_eq_sees_every_byte() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
        b[31] ^= 1;
        b[0] ^= 0x80;
        assert!(!constant_time_eq(&a, &b));
    }

    #[test]
    fn bearer_header_is_parsed_strictly() {
        let req = |v: &str| {
            Request::builder()
                .header(header::AUTHORIZATION, v)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(presented(&req("Bearer abc")), Some("abc"));
        assert_eq!(presented(&req("bearer  abc")), Some("abc"));
        assert_eq!(presented(&req("Basic abc")), None);
        assert_eq!(presented(&req("Bearer ")), None);
        assert_eq!(presented(&req("Bearerabc")), None);
        let two = Request::builder()
            .header(header::AUTHORIZATION, "Bearer a")
            .header(header::AUTHORIZATION, "Bearer b")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(presented(&two), None);
    }
}
