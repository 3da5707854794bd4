//! Which credentials a request carries: `Authorization` schemes, API-key headers and query
//! parameters, session cookies, and the JWTs inside any of them.
//!
//! Nothing secret leaves this module in clear: users and credentials are replaced by keyed
//! hashes. Only a JWT's algorithm, issuer, audience and expiry are kept as text, since those are
//! public configuration rather than secrets.

pub mod jwt;
mod locate;
mod scrub;

pub use locate::{cookie_pairs, is_session_cookie};
pub use scrub::scrubbed;

#[cfg(test)]
mod tests;

use crate::redact::escape_for_terminal;
use crate::{Exchange, HashTag, KeyedHasher};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use locate::{Candidate, Place};

/// Hash domain of principals (Basic user names, JWT subjects).
pub const PRINCIPAL_DOMAIN: &str = "auth.principal";
/// Hash domain of credentials themselves.
pub const SECRET_DOMAIN: &str = "auth.secret";
/// Longest issuer or audience kept, in characters.
const MAX_CLAIM_TEXT: usize = 128;

/// How a credential is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// `Authorization: Basic`.
    Basic,
    /// `Authorization: Bearer` with an opaque token.
    Bearer,
    /// A JWT, in a bearer token, a cookie or an API-key header.
    Jwt,
    /// An API key in a header (`x-api-key`, ...).
    ApiKeyHeader,
    /// An API key in a query parameter (`api_key`, ...).
    ApiKeyQuery,
    /// A session cookie.
    SessionCookie,
    /// `Authorization: Digest`.
    Digest,
    /// `Authorization` with another scheme.
    Other,
}

impl CredentialKind {
    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Bearer => "bearer",
            Self::Jwt => "jwt",
            Self::ApiKeyHeader => "api_key_header",
            Self::ApiKeyQuery => "api_key_query",
            Self::SessionCookie => "session_cookie",
            Self::Digest => "digest",
            Self::Other => "other",
        }
    }
}

/// One credential carried by a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// How it is presented.
    pub kind: CredentialKind,
    /// Where: `authorization`, a header name, a query parameter or a cookie name (escaped).
    pub location: String,
    /// Keyed hash of the user (Basic user name, Digest `username`, JWT `sub`).
    pub principal: Option<HashTag>,
    /// Keyed hash of the credential itself, to count distinct tokens.
    pub secret: HashTag,
    /// What the JWT says, when the credential is one.
    pub jwt: Option<JwtInfo>,
}

/// The claims of a JWT that matter for an inventory; the token is not verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtInfo {
    /// The header's `alg` (escaped, at most 32 characters).
    pub alg: String,
    /// `iss`, escaped and cut at 128 characters: issuers are public URLs.
    pub issuer: Option<String>,
    /// Keyed hash of `sub`.
    pub subject: Option<HashTag>,
    /// `exp`, in Unix seconds.
    pub expires: Option<i64>,
    /// `aud` (the first one when it is a list), escaped and cut at 128 characters.
    pub audience: Option<String>,
}

/// Every credential the request carries. Decodes JWTs without verifying them.
pub fn credentials(ex: &Exchange, hasher: &KeyedHasher) -> Vec<Credential> {
    locate::candidates(ex)
        .into_iter()
        .map(|c| credential(c, hasher))
        .collect()
}

/// Who a request says it is, for counting per session and per principal: less than
/// [`credentials`] gives (no locations, no JWT claims beyond the subject), for less work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Identity {
    /// Keyed hash of the session: the first session cookie, else a bearer token or JWT.
    pub session: Option<HashTag>,
    /// Keyed hash of the principal: a JWT subject, Basic or Digest user, else an API key.
    pub principal: Option<HashTag>,
    /// Whether any credential was presented.
    pub has_credential: bool,
}

/// The [`Identity`] of a request. Hashes at most one session and one principal.
pub fn identify(ex: &Exchange, hasher: &KeyedHasher) -> Identity {
    let candidates = locate::candidates(ex);
    let mut id = Identity {
        has_credential: !candidates.is_empty(),
        ..Identity::default()
    };
    let secret = |c: &Candidate<'_>| hasher.tag(SECRET_DOMAIN, c.value.as_bytes());
    let principal_of = |user: &str| hasher.tag(PRINCIPAL_DOMAIN, user.as_bytes());
    // The session cookie is the session; a token stands in for one only without it.
    if let Some(c) = candidates.iter().find(|c| c.place == Place::Cookie) {
        id.session = Some(secret(c));
    }
    for c in &candidates {
        match c.place {
            Place::Bearer | Place::Header | Place::Query if id.principal.is_none() => {
                match jwt::decode(c.value) {
                    Some(d) => {
                        id.session.get_or_insert_with(|| secret(c));
                        id.principal = match d.claims.get("sub") {
                            Some(serde_json::Value::String(s)) => Some(principal_of(s)),
                            Some(v @ serde_json::Value::Number(_)) => {
                                Some(principal_of(&v.to_string()))
                            }
                            _ => None,
                        };
                    }
                    None if c.place == Place::Bearer => {
                        id.session.get_or_insert_with(|| secret(c));
                    }
                    // An API key names who calls.
                    None => id.principal = Some(secret(c)),
                }
            }
            Place::Basic if id.principal.is_none() => {
                id.principal = basic_user(c.value).map(|u| principal_of(&u));
            }
            Place::Digest if id.principal.is_none() => {
                id.principal = digest_user(c.value).map(principal_of);
            }
            _ => {}
        }
    }
    id
}

/// Whether the request carries no credential at all. Does no hashing or decoding.
pub fn is_anonymous(ex: &Exchange) -> bool {
    locate::candidates(ex).is_empty()
}

fn credential(c: Candidate<'_>, hasher: &KeyedHasher) -> Credential {
    let secret = hasher.tag(SECRET_DOMAIN, c.value.as_bytes());
    let location = escape_for_terminal(c.location, 128);
    let principal_of = |user: &str| Some(hasher.tag(PRINCIPAL_DOMAIN, user.as_bytes()));
    if let Some(decoded) = jwt::decode(c.value) {
        let info = jwt_info(&decoded, hasher);
        return Credential {
            kind: CredentialKind::Jwt,
            location,
            principal: info.subject,
            secret,
            jwt: Some(info),
        };
    }
    let (kind, principal) = match c.place {
        Place::Basic => (
            CredentialKind::Basic,
            basic_user(c.value).and_then(|u| principal_of(&u)),
        ),
        Place::Bearer => (CredentialKind::Bearer, None),
        Place::Digest => (
            CredentialKind::Digest,
            digest_user(c.value).and_then(principal_of),
        ),
        Place::OtherScheme => (CredentialKind::Other, None),
        Place::Header => (CredentialKind::ApiKeyHeader, None),
        Place::Query => (CredentialKind::ApiKeyQuery, None),
        Place::Cookie => (CredentialKind::SessionCookie, None),
    };
    Credential {
        kind,
        location,
        principal,
        secret,
        jwt: None,
    }
}

fn jwt_info(d: &jwt::Decoded, hasher: &KeyedHasher) -> JwtInfo {
    let text = |v: &serde_json::Value| v.as_str().map(|s| escape_for_terminal(s, MAX_CLAIM_TEXT));
    let audience = match d.claims.get("aud") {
        Some(serde_json::Value::Array(list)) => list.first().and_then(text),
        Some(v) => text(v),
        None => None,
    };
    let subject = match d.claims.get("sub") {
        Some(serde_json::Value::String(s)) => Some(hasher.tag(PRINCIPAL_DOMAIN, s.as_bytes())),
        Some(v @ serde_json::Value::Number(_)) => {
            Some(hasher.tag(PRINCIPAL_DOMAIN, v.to_string().as_bytes()))
        }
        _ => None,
    };
    let expires = d.claims.get("exp").and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
    });
    JwtInfo {
        alg: escape_for_terminal(&d.alg, 32),
        issuer: d.claims.get("iss").and_then(text),
        subject,
        expires,
        audience,
    }
}

/// The user name of a Basic credential (`base64(user:password)`).
fn basic_user(token: &str) -> Option<String> {
    let bytes = STANDARD.decode(token.trim()).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (user, _) = text.split_once(':')?;
    Some(user.to_owned())
}

/// The `username` parameter of a Digest credential.
fn digest_user(params: &str) -> Option<&str> {
    params.split(',').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("username")
            .then(|| v.trim().trim_matches('"'))
    })
}
