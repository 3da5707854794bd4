//! The online shape of a path: id-like segments replaced by `{}` in one pass, without the
//! sibling analysis of the inventory, so detectors can group requests by endpoint the moment
//! they arrive. The last id-like segment is the request's *object*, the target of enumeration.

/// Longest path, in bytes, that is shaped; longer paths are cut (attackers choose paths).
const MAX_PATH: usize = 512;
/// Most segments kept in a shape.
const MAX_SEGMENTS: usize = 16;

/// A path's shape and the object it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape<'a> {
    /// The path with id-like segments replaced by `{}` (query removed, at most 16 segments).
    pub template: String,
    /// The last id-like segment, as received.
    pub object: Option<&'a str>,
    /// What the object looks like.
    pub object_kind: Option<IdKind>,
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

/// Shapes `path`: `/api/v1/users/8812/orders` → (`/api/v1/users/{}/orders`, object `8812`).
pub fn shape(path: &str) -> Shape<'_> {
    let path = cut(path, MAX_PATH);
    let mut template = String::with_capacity(path.len().min(64));
    let mut object = None;
    let mut object_kind = None;
    for (i, seg) in path.split('/').filter(|s| !s.is_empty()).enumerate() {
        if i == MAX_SEGMENTS {
            template.push_str("/…");
            break;
        }
        template.push('/');
        match id_kind(seg) {
            Some(kind) => {
                template.push_str("{}");
                object = Some(seg);
                object_kind = Some(kind);
            }
            None => template.push_str(seg),
        }
    }
    if template.is_empty() {
        template.push('/');
    }
    Shape {
        template,
        object,
        object_kind,
    }
}

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
    if b.iter().all(u8::is_ascii_digit) {
        return Some(IdKind::Integer);
    }
    let decoded_plus = seg.strip_prefix('+').or_else(|| seg.strip_prefix("%2B"));
    if let Some(rest) = decoded_plus {
        if (7..=15).contains(&rest.len()) && rest.bytes().all(|c| c.is_ascii_digit()) {
            return Some(IdKind::Phone);
        }
    }
    if (seg.contains('@') || seg.contains("%40")) && seg.contains('.') {
        return Some(IdKind::Email);
    }
    let hex = b.iter().filter(|c| c.is_ascii_hexdigit()).count();
    let dashes = b.iter().filter(|&&c| c == b'-').count();
    if b.len() >= 8 && hex + dashes == b.len() && b.iter().any(u8::is_ascii_digit) {
        return Some(IdKind::Hex);
    }
    // A number with a unit or extension (`8812.pdf`) is still the object.
    if let Some((stem, ext)) = seg.rsplit_once('.') {
        if !stem.is_empty()
            && stem.bytes().all(|c| c.is_ascii_digit())
            && ext.bytes().all(|c| c.is_ascii_alphanumeric())
        {
            return Some(IdKind::Integer);
        }
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
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
        assert_eq!(s.template, "/api/v1/users/{}/orders/{}");
        assert_eq!(s.object, Some("ab12cd34ef"));
        let s = shape("/api/v1/numbers/+15551234567/portability");
        assert_eq!(s.template, "/api/v1/numbers/{}/portability");
        assert_eq!(s.object_kind, Some(IdKind::Phone));
    }

    #[test]
    fn words_versions_and_root_stay_literal() {
        assert_eq!(shape("/api/v2/users/me").template, "/api/v2/users/me");
        assert_eq!(shape("/").template, "/");
        assert_eq!(shape("").template, "/");
        assert_eq!(shape("/static/app.js").object, None);
        assert_eq!(shape("/reports/12.pdf").template, "/reports/{}");
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
        assert!(s.template.len() < 64, "{}", s.template);
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(path in "\\PC{0,600}") {
            let s = shape(&path);
            prop_assert!(s.template.len() <= MAX_PATH + 8);
            prop_assert!(s.template.starts_with('/'));
        }
    }
}
