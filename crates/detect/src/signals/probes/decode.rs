//! Undoing the encodings that payloads are wrapped in: percent-encoding (`%XX`, IIS `%uXXXX`),
//! Java/JavaScript escapes (`\uXXXX`, `\xXX`), applied repeatedly for double encoding.
//!
//! Runs only after a prefilter has seen an encoded trigger, so it may allocate.

/// How many decoding rounds are applied at most (single, double and triple encoding).
const MAX_ROUNDS: usize = 4;

/// Decodes until nothing changes, at most [`MAX_ROUNDS`] times.
pub(super) fn decode_all(input: &[u8]) -> Vec<u8> {
    let mut current = input.to_vec();
    let mut next = Vec::with_capacity(input.len());
    for _ in 0..MAX_ROUNDS {
        if !decode_round(&current, &mut next) {
            break;
        }
        std::mem::swap(&mut current, &mut next);
    }
    current
}

/// Decodes one round of every supported escape from `input` into `out` (cleared first).
/// Returns whether anything was decoded. Malformed escapes are copied through unchanged.
pub(super) fn decode_round(input: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut changed = false;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        let decoded = match b {
            b'%' => percent(&input[i + 1..], out),
            b'\\' => backslash(&input[i + 1..], out),
            _ => None,
        };
        match decoded {
            Some(consumed) => {
                changed = true;
                i += 1 + consumed;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    changed
}

/// `%XX` or `%uXXXX` after the `%`; pushes the decoded bytes and returns the bytes consumed.
fn percent(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    if let [b'u' | b'U', a, b, c, d, ..] = rest {
        let cp = hex4(*a, *b, *c, *d)?;
        push_char(cp, out)?;
        return Some(5);
    }
    let [h, l, ..] = rest else { return None };
    out.push(hex(*h)? << 4 | hex(*l)?);
    Some(2)
}

/// `uXXXX` or `xXX` after a backslash.
fn backslash(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    match rest {
        [b'u', a, b, c, d, ..] => {
            let cp = hex4(*a, *b, *c, *d)?;
            push_char(cp, out)?;
            Some(5)
        }
        [b'x', h, l, ..] => {
            out.push(hex(*h)? << 4 | hex(*l)?);
            Some(3)
        }
        _ => None,
    }
}

fn push_char(cp: u32, out: &mut Vec<u8>) -> Option<()> {
    let c = char::from_u32(cp)?;
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    Some(())
}

fn hex4(a: u8, b: u8, c: u8, d: u8) -> Option<u32> {
    Some(
        u32::from(hex(a)?) << 12
            | u32::from(hex(b)?) << 8
            | u32::from(hex(c)?) << 4
            | u32::from(hex(d)?),
    )
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Longest path decoded on the stack by [`percent_decode_path`]; longer ones allocate.
pub(super) const STACK_PATH: usize = 512;

/// Percent-decodes one round only (`%XX`), for paths: used to see through `/%2eenv`. Writes
/// into `buf` (decoding never lengthens) when it is long enough, else allocates.
pub(super) fn percent_decode_path<'a>(
    input: &[u8],
    buf: &'a mut [u8; STACK_PATH],
) -> PathBytes<'a> {
    if input.len() > buf.len() {
        let mut v = vec![0; input.len()];
        let n = percent_decode_into(input, &mut v);
        v.truncate(n);
        return PathBytes::Heap(v);
    }
    let n = percent_decode_into(input, &mut buf[..]);
    PathBytes::Stack(&buf[..n])
}

/// A decoded path, on the stack or (when long) on the heap.
pub(super) enum PathBytes<'a> {
    /// Decoded into the caller's buffer.
    Stack(&'a [u8]),
    /// Too long for the buffer.
    Heap(Vec<u8>),
}

impl std::ops::Deref for PathBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            PathBytes::Stack(s) => s,
            PathBytes::Heap(v) => v,
        }
    }
}

/// Decodes `%XX` from `input` into `out` (at least `input.len()` long); returns the length.
fn percent_decode_into(input: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|&b| hex(b)),
                input.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out[n] = h << 4 | l;
                n += 1;
                i += 3;
                continue;
            }
        }
        out[n] = input[i];
        n += 1;
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_single_double_and_escapes() {
        assert_eq!(decode_all(b"%24%7Bx%7D"), b"${x}");
        assert_eq!(decode_all(b"%2524%257Bx"), b"${x");
        assert_eq!(decode_all(b"\\u0024\\u007b"), b"${");
        assert_eq!(decode_all(b"%5Cu0024{"), b"${");
        assert_eq!(decode_all(b"\\x24{"), b"${");
        assert_eq!(decode_all(b"%u0024%u007B"), b"${");
        assert_eq!(decode_all(b"100%"), b"100%");
        assert_eq!(decode_all(b"%zz%4"), b"%zz%4");
        let mut buf = [0; STACK_PATH];
        assert_eq!(&*percent_decode_path(b"/%2eenv%2", &mut buf), b"/.env%2");
        let long = "/%2e".repeat(200);
        assert_eq!(percent_decode_path(long.as_bytes(), &mut buf).len(), 400);
    }
}
