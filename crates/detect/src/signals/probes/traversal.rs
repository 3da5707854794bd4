//! Path traversal: `../` in the path or the query, in any of its encodings (`%2e%2e%2f`,
//! `..%2f`, `%252e%252e`, `..\`, overlong UTF-8 `%c0%ae`, IIS `%u002e`, full-width dots), and
//! requests that name the files traversal aims at (`/etc/passwd`, `win.ini`).

use super::decode::decode_all;

/// Prefilter triggers (ASCII case-insensitive): an input without any of these, nor `/etc/` or
/// `/proc/`, cannot match. They all start with `.`, `%` or `\\` (see `prefilter`).
#[cfg(test)]
pub(super) const TRIGGERS: &[&str] = &[
    "..",
    ".ini",
    "%2e",
    "%252e",
    "%c0%ae",
    "%c0%af",
    "%e0%80%ae",
    "%c1%9c",
    "%u002e",
    "%uff0e",
    "%2fetc%2f",
    "%2fproc%2f",
    "\\u002e",
];

/// Files that traversal is used to read; naming one is a probe even without `../`.
const TARGETS: &[&[u8]] = &[
    b"/etc/passwd",
    b"/etc/shadow",
    b"/etc/hosts",
    b"win.ini",
    b"boot.ini",
    b"/proc/self/",
    b"system32/",
];

/// Looks for traversal in `raw`; returns the normalised text around the hit: from a little
/// before it to the end, but never beyond the query parameter it is in (the others may hold
/// tokens).
pub(super) fn find(raw: &[u8]) -> Option<Vec<u8>> {
    let text = normalise(&decode_all(raw));
    let at = find_dotdot(&text).or_else(|| find_target(&text))?;
    let param_start = memchr::memrchr(b'&', &text[..at]).map_or(0, |i| i + 1);
    let start = param_start.max(at.saturating_sub(24));
    let end = memchr::memchr(b'&', &text[at..]).map_or(text.len(), |i| at + i);
    Some(text[start..end].to_vec())
}

/// Maps overlong UTF-8 and look-alike characters to `.` and `/`, `\` to `/`, ASCII to lower
/// case.
fn normalise(decoded: &[u8]) -> Vec<u8> {
    const MAP: &[(&[u8], u8)] = &[
        (b"\xc0\xae", b'.'),
        (b"\xe0\x80\xae", b'.'),
        (b"\xc0\xaf", b'/'),
        (b"\xe0\x80\xaf", b'/'),
        (b"\xc1\x9c", b'/'),
        (b"\xc1\x1c", b'/'),
        ("．".as_bytes(), b'.'),
        ("／".as_bytes(), b'/'),
        ("＼".as_bytes(), b'/'),
        ("∕".as_bytes(), b'/'),
    ];
    let mut out = Vec::with_capacity(decoded.len());
    let mut i = 0;
    'outer: while i < decoded.len() {
        let b = decoded[i];
        if b >= 0x80 {
            for (from, to) in MAP {
                if decoded[i..].starts_with(from) {
                    out.push(*to);
                    i += from.len();
                    continue 'outer;
                }
            }
        }
        out.push(match b {
            b'\\' => b'/',
            _ => b.to_ascii_lowercase(),
        });
        i += 1;
    }
    out
}

/// A `..` that is a whole path element: after the start, `/`, `=`, `&` or `:` and before the
/// end, `/`, `;`, `&`, `?`, `#` or a NUL. `1..10` and `wait...` are not.
fn find_dotdot(text: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(&text[from..], b"..") {
        let at = from + rel;
        let before_ok = at == 0 || matches!(text[at - 1], b'/' | b'=' | b'&' | b':');
        let after_ok = match text.get(at + 2) {
            None => true,
            Some(b) => matches!(b, b'/' | b';' | b'&' | b'?' | b'#' | 0),
        };
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find_target(text: &[u8]) -> Option<usize> {
    TARGETS
        .iter()
        .filter_map(|t| memchr::memmem::find(text, t))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match() {
        for p in [
            "/../../etc/passwd",
            "/static/..%2f..%2fapp.py",
            "/%2e%2e/%2e%2e/x",
            "/%252e%252e%252fsecret",
            "/a/..\\..\\windows\\win.ini",
            "/%c0%ae%c0%ae/%c0%ae%c0%ae/x",
            "/%c0%ae%c0%ae%c0%afx",
            "/x/..;/admin",
            "/a/..",
            "file=../../config",
            "page=%2e%2e%2f%2e%2e%2fboot.ini",
            "f=%u002e%u002e/x",
            "f=\u{ff0e}\u{ff0e}/x",
            "path=/etc/passwd",
            "/cgi-bin/%2e%2e/%2e%2e/bin/sh",
        ] {
            assert!(find(p.as_bytes()).is_some(), "{p}");
        }
    }

    #[test]
    fn evidence_stays_inside_its_parameter() {
        let ev = find(b"token=s3cret&file=../../etc/passwd&key=abc").unwrap();
        assert_eq!(ev, b"file=../../etc/passwd");
    }

    #[test]
    fn look_alikes_do_not_match() {
        for p in [
            "/api/v1/items",
            "range=1..10",
            "q=wait...&page=2",
            "v=1.2..1.4",
            "/files/report..pdf",
            "q=%2e",
            "name=a.b.c",
            "/docs/etc/passwords-policy",
        ] {
            assert_eq!(find(p.as_bytes()), None, "{p}");
        }
    }
}
