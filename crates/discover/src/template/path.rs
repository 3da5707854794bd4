//! Splitting request paths into segments, the way templating sees them.

/// File extensions kept literally in templates (`/reports/{id}.pdf`).
const EXTENSIONS: &[&str] = &[
    "json", "xml", "csv", "pdf", "png", "jpg", "jpeg", "gif", "webp", "svg", "txt", "html", "htm",
    "zip", "gz", "tar", "yaml", "yml", "mp3", "mp4", "wav", "ics", "vcf", "xlsx", "docx", "ico",
    "js", "css", "map", "atom", "rss",
];

/// Most segments read from one path, whatever the configuration says.
pub(crate) const MAX_SEGMENTS: usize = 64;

/// Like [`segments`], into a caller's array (no allocation); returns how many were written.
pub(crate) fn segments_into<'p>(
    path: &'p str,
    max_depth: usize,
    out: &mut [&'p str; MAX_SEGMENTS],
) -> usize {
    let max_depth = max_depth.clamp(1, MAX_SEGMENTS);
    // Bytes, not chars: `?`, `#` and `/` are ASCII, so every cut is on a char boundary.
    let bytes = path.as_bytes();
    let path = match memchr::memchr2(b'?', b'#', bytes) {
        Some(end) => &path[..end],
        None => path,
    };
    let bytes = path.as_bytes();
    let mut n = 0;
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && bytes[at] == b'/' {
            at += 1;
        }
        if at >= bytes.len() {
            break;
        }
        if n + 1 >= max_depth {
            out[n] = cut(path[at..].trim_end_matches('/'));
            n += 1;
            break;
        }
        // Segments are short: a plain scan beats memchr's setup.
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'/')
            .map_or(bytes.len(), |e| at + e);
        out[n] = cut(&path[at..end]);
        n += 1;
        at = end;
    }
    n
}

/// The segments of a path: empty segments (`//`, a trailing `/`) dropped, at most `max_depth`
/// of them (the rest joined into the last), each cut at 512 bytes.
pub(crate) fn segments(path: &str, max_depth: usize) -> Vec<&str> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut out: Vec<&str> = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        rest = rest.trim_start_matches('/');
        if rest.is_empty() {
            break;
        }
        if out.len() + 1 >= max_depth.max(1) {
            out.push(cut(rest.trim_end_matches('/')));
            break;
        }
        let end = rest.find('/').unwrap_or(rest.len());
        out.push(cut(&rest[..end]));
        rest = &rest[end..];
    }
    out
}

fn cut(seg: &str) -> &str {
    if seg.len() <= 512 {
        return seg;
    }
    let mut end = 512;
    while !seg.is_char_boundary(end) {
        end -= 1;
    }
    &seg[..end]
}

/// A segment's stem and known file extension (`report.pdf` → `("report", Some("pdf"))`).
pub(crate) fn split_extension(seg: &str) -> (&str, Option<&str>) {
    if let Some((stem, ext)) = seg.rsplit_once('.') {
        if !stem.is_empty() && EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)) {
            return (stem, Some(ext));
        }
    }
    (seg, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_drop_empties_and_query() {
        assert_eq!(segments("/a//b/c/?x=1", 24), vec!["a", "b", "c"]);
        assert_eq!(segments("/", 24), Vec::<&str>::new());
        assert_eq!(segments("", 24), Vec::<&str>::new());
        assert_eq!(segments("/a/b/c/d", 3), vec!["a", "b", "c/d"]);
    }

    #[test]
    fn segments_into_agrees_with_segments() {
        for (p, d) in [("/a//b/c/?x=1", 24), ("/", 24), ("/a/b/c/d", 3), ("x/y", 1)] {
            let mut arr = [""; MAX_SEGMENTS];
            let n = segments_into(p, d, &mut arr);
            assert_eq!(&arr[..n], segments(p, d).as_slice(), "{p}");
        }
    }

    #[test]
    fn extensions_split_only_when_known() {
        assert_eq!(split_extension("1234.pdf"), ("1234", Some("pdf")));
        assert_eq!(split_extension("v1.2"), ("v1.2", None));
        assert_eq!(split_extension(".json"), (".json", None));
    }
}
