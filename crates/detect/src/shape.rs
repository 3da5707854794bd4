//! The online shape of a path: id-like segments replaced by `{}` in one pass, without the
//! sibling analysis of the inventory, so detectors can group requests by endpoint the moment
//! they arrive. The last id-like segment is the request's *object*, the target of enumeration.
//!
//! The shape borrows the path: which segments are ids is a bit mask, and the template text
//! (`/api/v1/users/{}`) is written only when an alert names the endpoint.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Longest path, in bytes, that is shaped; longer paths are cut (attackers choose paths).
const MAX_PATH: usize = 512;
/// Most segments kept in a shape.
const MAX_SEGMENTS: usize = 16;

/// A path's shape and the object it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape<'a> {
    /// The path, cut at 512 bytes.
    path: &'a str,
    /// Bit `i` is set when the `i`-th non-empty segment is an id.
    ids: u16,
    /// Non-empty segments kept (at most 16).
    kept: u8,
    /// Whether segments beyond the 16th were dropped.
    truncated: bool,
    /// The last id-like segment, as received.
    pub object: Option<&'a str>,
    /// What the object looks like.
    pub object_kind: Option<IdKind>,
}

/// One segment of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A literal segment, as received.
    Literal(&'a str),
    /// An id-like segment (`{}` in the template).
    Id,
}

/// Shapes `path`: `/api/v1/users/8812/orders` → (`/api/v1/users/{}/orders`, object `8812`).
pub fn shape(path: &str) -> Shape<'_> {
    shape_keyed(path, 0).0
}

/// [`shape`] and [`Shape::hash`] with `seed`, in one pass over the path.
pub fn shape_keyed(path: &str, seed: u64) -> (Shape<'_>, u64) {
    let path = cut(path, MAX_PATH);
    let mut s = Shape {
        path,
        ids: 0,
        kept: 0,
        truncated: false,
        object: None,
        object_kind: None,
    };
    let mut h = seed;
    for (i, seg) in Segments(path).enumerate() {
        if i == MAX_SEGMENTS {
            s.truncated = true;
            h = xxh3_64_with_seed(b"...", h ^ ID_MARK);
            break;
        }
        s.kept += 1;
        if let Some(kind) = id_kind(seg) {
            s.ids |= 1 << i;
            s.object = Some(seg);
            s.object_kind = Some(kind);
            h = xxh3_64_with_seed(b"{}", h ^ ID_MARK);
        } else {
            h = xxh3_64_with_seed(seg.as_bytes(), h);
        }
    }
    (s, h)
}

/// The non-empty segments of a path, split at `/` by a plain byte scan (paths are short, and
/// a vectorised search costs more to set up than it saves).
#[derive(Debug, Clone)]
struct Segments<'a>(&'a str);

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let b = self.0.as_bytes();
        let start = b.iter().position(|&c| c != b'/')?;
        let len = b[start..]
            .iter()
            .position(|&c| c == b'/')
            .unwrap_or(b.len() - start);
        // `/` is ASCII, so both cuts fall on character boundaries.
        let seg = &self.0[start..start + len];
        self.0 = &self.0[start + len..];
        Some(seg)
    }
}

impl<'a> Shape<'a> {
    /// The segments of the template, in order (at most 16).
    pub fn segments(&self) -> impl Iterator<Item = Segment<'a>> + '_ {
        let ids = self.ids;
        Segments(self.path)
            .take(usize::from(self.kept))
            .enumerate()
            .map(move |(i, seg)| {
                if ids & (1 << i) != 0 {
                    Segment::Id
                } else {
                    Segment::Literal(seg)
                }
            })
    }

    /// The literal segments (the words of the template, without its ids).
    pub fn literals(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.segments().filter_map(|s| match s {
            Segment::Literal(l) => Some(l),
            Segment::Id => None,
        })
    }

    /// The path with id-like segments replaced by `{}` (query removed, at most 16 segments):
    /// `/api/v1/users/{}/orders`.
    pub fn template(&self) -> String {
        let mut out = String::with_capacity(self.path.len().min(64) + 4);
        self.write_template(&mut out);
        out
    }

    /// Appends [`Shape::template`] to `out`.
    pub fn write_template(&self, out: &mut String) {
        let start = out.len();
        for seg in self.segments() {
            out.push('/');
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Id => out.push_str("{}"),
            }
        }
        if self.truncated {
            out.push_str("/…");
        }
        if out.len() == start {
            out.push('/');
        }
    }

    /// A hash of the template, seeded with `seed` (the method and host): the same for every
    /// path of one shape, without writing the template.
    pub fn hash(&self, seed: u64) -> u64 {
        let mut h = seed;
        for seg in self.segments() {
            h = match seg {
                Segment::Literal(l) => xxh3_64_with_seed(l.as_bytes(), h),
                Segment::Id => xxh3_64_with_seed(b"{}", h ^ ID_MARK),
            };
        }
        if self.truncated {
            h = xxh3_64_with_seed(b"...", h ^ ID_MARK);
        }
        h
    }
}

/// The kind of an id-like segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Decimal digits.
    Integer,
    /// A phone number (`+` and 7 to 15 digits).
    Phone,
    /// An e-mail address.
    Email,
    /// A UUID, hex digest or other long hex string.
    Hex,
    /// A random-looking token mixing letters and digits.
    Token,
}

/// Mixed into the hash for an id segment, so `{}` as a literal segment stays distinct.
const ID_MARK: u64 = 0x5bd1_e995_0000_0001;

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What kind of id `seg` is, if it looks like one. Version prefixes (`v1`), words and
/// file names with a word stem stay literal.
pub fn id_kind(seg: &str) -> Option<IdKind> {
    let b = seg.as_bytes();
    if b.is_empty() {
        return None;
    }
    // Words (most literal segments) have no digit, and without one only an e-mail address is
    // an id. One pass counts what the common cases need.
    let (mut digits, mut at, mut dot) = (0usize, false, false);
    for &c in b {
        digits += usize::from(c.is_ascii_digit());
        at |= c == b'@';
        dot |= c == b'.';
    }
    if digits == 0 {
        return (at && dot).then_some(IdKind::Email);
    }
    if digits == b.len() {
        return Some(IdKind::Integer);
    }
    let decoded_plus = seg.strip_prefix('+').or_else(|| seg.strip_prefix("%2B"));
    if let Some(rest) = decoded_plus {
        if (7..=15).contains(&rest.len()) && rest.bytes().all(|c| c.is_ascii_digit()) {
            return Some(IdKind::Phone);
        }
    }
    if dot && (at || b.windows(3).any(|w| w == b"%40")) {
        return Some(IdKind::Email);
    }
    let hex = b.iter().filter(|c| c.is_ascii_hexdigit()).count();
    let dashes = b.iter().filter(|&&c| c == b'-').count();
    if b.len() >= 8 && hex + dashes == b.len() {
        return Some(IdKind::Hex);
    }
    // A number with a unit or extension (`8812.pdf`) is still the object.
    if let Some((stem, ext)) = seg.rsplit_once('.').filter(|_| dot) {
        if !stem.is_empty()
            && stem.bytes().all(|c| c.is_ascii_digit())
            && ext.bytes().all(|c| c.is_ascii_alphanumeric())
        {
            return Some(IdKind::Integer);
        }
    }
    let alnum = b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-');
    if alnum && b.len() >= 6 && digits >= 2 && !is_version(seg) {
        return Some(IdKind::Token);
    }
    None
}

fn is_version(seg: &str) -> bool {
    let rest = seg
        .strip_prefix('v')
        .or_else(|| seg.strip_prefix('V'))
        .unwrap_or("");
    !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_digit() || c == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_become_placeholders_and_the_last_is_the_object() {
        let s = shape("/api/v1/users/8812/orders/ab12cd34ef");
        assert_eq!(s.template(), "/api/v1/users/{}/orders/{}");
        assert_eq!(s.object, Some("ab12cd34ef"));
        let s = shape("/api/v1/numbers/+15551234567/portability");
        assert_eq!(s.template(), "/api/v1/numbers/{}/portability");
        assert_eq!(s.object_kind, Some(IdKind::Phone));
    }

    #[test]
    fn words_versions_and_root_stay_literal() {
        assert_eq!(shape("/api/v2/users/me").template(), "/api/v2/users/me");
        assert_eq!(shape("/").template(), "/");
        assert_eq!(shape("").template(), "/");
        assert_eq!(shape("/static/app.js").object, None);
        assert_eq!(shape("/reports/12.pdf").template(), "/reports/{}");
    }

    #[test]
    fn uuids_emails_and_tokens_are_ids() {
        assert_eq!(
            id_kind("3f2b9c1e-8a4d-4e2f-9b1a-0c6d5e7f8a9b"),
            Some(IdKind::Hex)
        );
        assert_eq!(id_kind("ann%40example.com"), Some(IdKind::Email));
        assert_eq!(id_kind("cus_9aZk2LmQ"), Some(IdKind::Token));
        assert_eq!(id_kind("SKU-1234"), Some(IdKind::Token));
        assert_eq!(id_kind("orders"), None);
        assert_eq!(id_kind("v1.2"), None);
    }

    #[test]
    fn long_paths_are_bounded() {
        let long = "/a".repeat(5000);
        let s = shape(&long);
        assert!(s.template().len() < 64, "{}", s.template());
    }

    #[test]
    fn one_shape_one_hash() {
        let a = shape("/api/v1/users/8812/orders");
        let b = shape("//api/v1/users/77/orders/");
        assert_eq!(a.hash(1), b.hash(1));
        assert_ne!(a.hash(1), a.hash(2));
        assert_ne!(a.hash(1), shape("/api/v1/users/8812").hash(1));
        assert_ne!(shape("/a/{}").hash(1), shape("/a/12").hash(1));
        assert_eq!(
            a.literals().collect::<Vec<_>>(),
            ["api", "v1", "users", "orders"]
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(path in "\\PC{0,600}") {
            let s = shape(&path);
            let t = s.template();
            prop_assert!(t.len() <= MAX_PATH + 8);
            prop_assert!(t.starts_with('/'));
        }
    }
}
