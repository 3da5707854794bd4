//! JSON Web Token decoding, without verification: only the header and claims are read.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Longest token decoded; longer values are treated as opaque.
pub(crate) const MAX_JWT_LEN: usize = 16 * 1024;

/// A decoded token: its header's `alg` and its claims.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) alg: String,
    pub(crate) claims: Map<String, Value>,
}

fn decode_part(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn parts(token: &str) -> Option<(&str, &str, &str)> {
    if token.len() > MAX_JWT_LEN {
        return None;
    }
    let mut it = token.split('.');
    let (h, p, s) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    Some((h, p, s))
}

/// The header's `alg` when `token` is three base64url parts whose first is a JSON object with
/// an `alg` string.
pub fn header_alg(token: &str) -> Option<String> {
    let (h, _, _) = parts(token)?;
    match decode_part(h)?.get("alg")? {
        Value::String(alg) => Some(alg.clone()),
        _ => None,
    }
}

/// Header and claims of a JWT; `None` for anything else.
pub(crate) fn decode(token: &str) -> Option<Decoded> {
    let (_, p, _) = parts(token)?;
    let alg = header_alg(token)?;
    let claims = decode_part(p)?;
    Some(Decoded { alg, claims })
}
