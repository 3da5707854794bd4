//! Object ids handed out in JSON responses (`"id": 42`, `"userId": "u_81"`), so enumeration can
//! tell ids a client was given from ids it guessed.

use std::sync::OnceLock;

use rampart_core::{fast_hash, Body};

/// Most ids read from one response.
const MAX_IDS: usize = 256;
/// Longest id value read.
const MAX_ID_LEN: usize = 64;

/// Pushes the hash of every id-named value in `json` (fields named `id` or ending in `Id` or
/// `_id`), at most 256. Values are hashed lower-cased, as request objects are.
pub fn handed_ids(json: &[u8], out: &mut Vec<u64>) {
    let mut i = 0;
    while let Some(pos) = memchr_id(&json[i..]) {
        let at = i + pos;
        i = at + 3;
        // `id"` must end a key: the byte before `id` is `"`, `_` or the key is camelCase `...Id`.
        let before = at.checked_sub(1).map(|b| json[b]);
        let key_ok = matches!(before, Some(b'"' | b'_')) || json[at] == b'I';
        if !key_ok {
            continue;
        }
        let mut j = i;
        while j < json.len() && json[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= json.len() || json[j] != b':' {
            continue;
        }
        j += 1;
        while j < json.len() && json[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = if j < json.len() && json[j] == b'"' {
            let start = j + 1;
            let end = json[start..]
                .iter()
                .position(|&b| b == b'"')
                .map(|p| start + p);
            end.map(|e| &json[start..e])
        } else {
            let end = json[j..]
                .iter()
                .position(|b| !b.is_ascii_digit() && *b != b'-')
                .map_or(json.len(), |p| j + p);
            Some(&json[j..end])
        };
        if let Some(v) = value.filter(|v| !v.is_empty() && v.len() <= MAX_ID_LEN) {
            // Lower-cased on the stack: values are at most MAX_ID_LEN bytes.
            let mut buf = [0u8; MAX_ID_LEN];
            let lower = &mut buf[..v.len()];
            lower.copy_from_slice(v);
            lower.make_ascii_lowercase();
            out.push(fast_hash(lower));
            if out.len() >= MAX_IDS {
                return;
            }
        }
    }
}

/// Whether the media type says JSON (`application/json`, `application/*+json`, `text/json`),
/// or, without one, the body starts like JSON. As [`Body::is_json`], without allocating.
pub fn is_json(body: &Body) -> bool {
    match body.content_type.as_deref() {
        Some(ct) => {
            let ct = ct.split(';').next().unwrap_or("").trim().as_bytes();
            ct.eq_ignore_ascii_case(b"application/json")
                || ct.eq_ignore_ascii_case(b"text/json")
                || (ct.len() >= 5 && ct[ct.len() - 5..].eq_ignore_ascii_case(b"+json"))
        }
        None => matches!(
            body.bytes.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        ),
    }
}

/// Position of the next `id"` or `Id"`.
fn memchr_id(hay: &[u8]) -> Option<usize> {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(b"d\""));
    let mut from = 0;
    while let Some(p) = finder.find(&hay[from..]) {
        let d = from + p;
        if d > 0 && matches!(hay[d - 1], b'i' | b'I') {
            return Some(d - 1);
        }
        from = d + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_id_fields_of_every_style() {
        let mut out = Vec::new();
        handed_ids(
            br#"{"items":[{"id": 41,"name":"a"},{"id":"AB12"}],"ownerId":7,"user_id":"x9","valid":true}"#,
            &mut out,
        );
        let want: Vec<u64> = ["41", "ab12", "7", "x9"]
            .iter()
            .map(|s| fast_hash(s.as_bytes()))
            .collect();
        assert_eq!(out, want);
    }

    #[test]
    fn json_is_recognised_as_the_body_says() {
        for (ct, bytes) in [
            (Some("application/json; charset=utf-8"), &b"x"[..]),
            (Some("application/problem+JSON"), b"x"),
            (Some("text/html"), b"{}"),
            (Some("é+json"), b"x"),
            (Some("json"), b"x"),
            (None, b"  [1]"),
            (None, b"<html>"),
        ] {
            let b = Body::sample(ct.map(str::to_owned), bytes);
            assert_eq!(is_json(&b), b.is_json(), "{ct:?}");
        }
    }

    #[test]
    fn words_ending_in_id_are_not_ids() {
        let mut out = Vec::new();
        handed_ids(br#"{"paid": 5, "valid": 1, "squid": "x"}"#, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    proptest! {
        #[test]
        fn never_panics_and_is_bounded(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut out = Vec::new();
            handed_ids(&bytes, &mut out);
            prop_assert!(out.len() <= MAX_IDS);
        }
    }
}
