//! Typing of single path segments: what a segment's text says it is.
//!
//! The placeholder names used in learned templates come from here (`{id}`, `{uuid}`, ...), and
//! so does the OpenAPI schema of a learned path parameter.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The type of a path segment's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Plain text that is part of the API's vocabulary (`users`, `me`, `export`).
    Literal,
    /// Decimal integer (`8812`).
    Integer,
    /// RFC 4122 UUID in any version.
    Uuid,
    /// ULID (26 Crockford base32 characters).
    Ulid,
    /// MongoDB ObjectId (24 hex digits).
    ObjectId,
    /// Hex digest or hex id (sha1, sha256, md5, ... ; at least 16 hex digits).
    Hex,
    /// Opaque base64/base64url/base62 token or id with mixed letters and digits.
    Token,
    /// E-mail address.
    Email,
    /// Phone number (E.164 or national digits with separators).
    Phone,
    /// Calendar date (`2024-05-01`, `20240501`).
    Date,
    /// An identifier that mixes a prefix and digits (`ISa1b2...`, `ord_8812`, `v1.2.3`-like ids).
    PrefixedId,
    /// A high-cardinality literal (slug, username, SKU, ZIP code) found by sibling cardinality.
    Slug,
    /// A dotted version number with three or more parts (`4.17.21`, `v1.2.3`).
    Version,
}

impl SegmentKind {
    /// The placeholder name used in learned templates (`id` gives `{id}`).
    pub fn placeholder(self) -> &'static str {
        match self {
            SegmentKind::Literal => "literal",
            SegmentKind::Integer => "id",
            SegmentKind::Uuid => "uuid",
            SegmentKind::Ulid => "ulid",
            SegmentKind::ObjectId => "objectId",
            SegmentKind::Hex => "hash",
            SegmentKind::Token => "token",
            SegmentKind::Email => "email",
            SegmentKind::Phone => "phone",
            SegmentKind::Date => "date",
            SegmentKind::PrefixedId => "key",
            SegmentKind::Slug => "name",
            SegmentKind::Version => "version",
        }
    }

    /// The kind named by a placeholder, ignoring a numeric suffix (`id2` → `Integer`).
    /// Unknown names (from a supplied spec) give `None`.
    pub fn from_placeholder(name: &str) -> Option<Self> {
        let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
        ALL.iter()
            .copied()
            .find(|k| *k != SegmentKind::Literal && k.placeholder() == base)
    }

    /// The OpenAPI schema of a path parameter of this kind.
    pub fn openapi_schema(self) -> Value {
        match self {
            SegmentKind::Integer => json!({"type": "integer", "format": "int64"}),
            SegmentKind::Uuid => json!({"type": "string", "format": "uuid"}),
            SegmentKind::Email => json!({"type": "string", "format": "email"}),
            SegmentKind::Date => json!({"type": "string", "format": "date"}),
            SegmentKind::ObjectId => json!({"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}),
            SegmentKind::Hex => json!({"type": "string", "pattern": "^[0-9a-fA-F]+$"}),
            SegmentKind::Ulid => json!({"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}),
            _ => json!({"type": "string"}),
        }
    }
}

/// Every kind, in declaration order.
pub const ALL: [SegmentKind; 13] = [
    SegmentKind::Literal,
    SegmentKind::Integer,
    SegmentKind::Uuid,
    SegmentKind::Ulid,
    SegmentKind::ObjectId,
    SegmentKind::Hex,
    SegmentKind::Token,
    SegmentKind::Email,
    SegmentKind::Phone,
    SegmentKind::Date,
    SegmentKind::PrefixedId,
    SegmentKind::Slug,
    SegmentKind::Version,
];

/// Longest segment typed by its text; longer segments are opaque tokens.
const LONG_SEGMENT: usize = 48;

/// The kind of one path segment (already split on `/`, still percent-encoded), judged from its
/// text alone. `Literal` means the text could be part of the API's vocabulary; whether a literal
/// is really a value (a slug, a username) is decided later from its siblings.
pub fn classify(seg: &str) -> SegmentKind {
    let b = seg.as_bytes();
    if b.is_empty() {
        return SegmentKind::Literal;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return if b.len() <= 20 {
            SegmentKind::Integer
        } else {
            SegmentKind::Token
        };
    }
    if is_uuid(b) {
        return SegmentKind::Uuid;
    }
    if is_date(b) {
        return SegmentKind::Date;
    }
    if b.iter().all(u8::is_ascii_hexdigit) {
        let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
        if b.len() == 24 && digits > 0 {
            return SegmentKind::ObjectId;
        }
        if b.len() >= 16 && digits > 0 {
            return SegmentKind::Hex;
        }
    }
    if b.len() == 26 && is_ulid(b) {
        return SegmentKind::Ulid;
    }
    if is_email(seg) {
        return SegmentKind::Email;
    }
    if is_phone(b) {
        return SegmentKind::Phone;
    }
    if is_version(b) {
        return SegmentKind::Version;
    }
    if is_decimal(b) {
        return SegmentKind::Integer;
    }
    if b.len() > LONG_SEGMENT {
        return SegmentKind::Token;
    }
    if is_prefixed_id(b) {
        return SegmentKind::PrefixedId;
    }
    if is_token(b) {
        return SegmentKind::Token;
    }
    SegmentKind::Literal
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = std::str::from_utf8(b.get(r)?).ok()?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(d))
        if (1900..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

fn is_ulid(b: &[u8]) -> bool {
    // Crockford base32: no I, L, O, U; the first character is at most 7.
    let ok = |c: u8| {
        let c = c.to_ascii_uppercase();
        c.is_ascii_digit() || (c.is_ascii_uppercase() && !matches!(c, b'I' | b'L' | b'O' | b'U'))
    };
    let upper = b.iter().all(|c| !c.is_ascii_lowercase());
    let lower = b.iter().all(|c| !c.is_ascii_uppercase());
    (upper || lower)
        && b[0] <= b'7'
        && b[0].is_ascii_digit()
        && b.iter().all(|c| ok(*c))
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 4
}

fn is_email(s: &str) -> bool {
    // An escaped `@` (`%40`) counts as one; the copy is made only when there is one.
    let s = if s.contains("%40") {
        std::borrow::Cow::Owned(s.replace("%40", "@"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
}

fn is_phone(b: &[u8]) -> bool {
    let rest = if let Some(r) = b.strip_prefix(b"+") {
        r
    } else if let Some(r) = b.strip_prefix(b"%2B").or_else(|| b.strip_prefix(b"%2b")) {
        r
    } else {
        return false;
    };
    let digits = rest.iter().filter(|c| c.is_ascii_digit()).count();
    (8..=15).contains(&digits)
        && rest
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'.' | b' '))
}

fn is_version(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"v").unwrap_or(b);
    let core_end = b
        .iter()
        .position(|c| *c == b'-' || *c == b'+')
        .unwrap_or(b.len());
    let parts: Vec<&[u8]> = b[..core_end].split(|c| *c == b'.').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 9 && p.iter().all(u8::is_ascii_digit))
}

/// `cus_8Jk2aB9x`, `ord-12345`, `IS0123456789abcdef0123456789abcdef` (a letter prefix and a
/// body with digits).
fn is_prefixed_id(b: &[u8]) -> bool {
    if let Some(sep) = b
        .iter()
        .position(|c| *c == b'_' || *c == b'-' || *c == b':')
    {
        let (prefix, body) = (&b[..sep], &b[sep + 1..]);
        if (1..=8).contains(&prefix.len())
            && prefix.iter().all(u8::is_ascii_alphabetic)
            && body.len() >= 4
            && body.iter().all(u8::is_ascii_alphanumeric)
        {
            let digits = body.iter().filter(|c| c.is_ascii_digit()).count();
            // A body that is all digits (`ord-12345`), or a random mix (`cus_8Jk2aB9x`,
            // `ite_FCibeQGQFEQMOR0Rbw`): digits, or capitals side by side as random text has.
            let has_upper = body.iter().any(u8::is_ascii_uppercase);
            let has_lower = body.iter().any(u8::is_ascii_lowercase);
            return digits == body.len()
                || (digits >= 2 && body.len() >= 8)
                || (body.len() >= 10
                    && (digits >= 1
                        || (has_upper && has_lower && !camel_shaped(body))
                        || is_token(body)));
        }
        return false;
    }
    // Twilio-style SIDs: two capital letters and 32 hex digits.
    b.len() == 34
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2..].iter().all(u8::is_ascii_hexdigit)
}

/// Neighbouring capital letters: random text has many, words in camelCase none.
fn upper_pairs(b: &[u8]) -> usize {
    b.windows(2)
        .filter(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
        .count()
}

/// Whether capitals only start words, the way camelCase and PascalCase write them: each is
/// followed by a lower-case letter, or by digits to the end (`ListObjectsV2`).
fn camel_shaped(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| {
        if !c.is_ascii_uppercase() {
            return true;
        }
        match b.get(i + 1) {
            Some(n) if n.is_ascii_lowercase() => true,
            Some(n) if n.is_ascii_digit() => b[i + 1..].iter().all(u8::is_ascii_digit),
            _ => false,
        }
    })
}

/// Two-letter words that camelCase names use (`getUserById`, `sendToAll`).
const TWO_LETTER_WORDS: &str =
    "an as at be by do go id if in is it me my no of ok on or to up us we";

/// Whether the capitals of `b` start words the way camelCase, PascalCase and acronyms write
/// them (`idList`, `callbackURL`, `HTTPResponse`, `my_fieldName`): every run of lower-case
/// letters after a capital, and a leading one, is at least two letters long, and a run of
/// capitals alone is an acronym of at least two, with one acronym at most.
pub(crate) fn cased_like_words(b: &[u8]) -> bool {
    let mut acronyms = 0;
    b.split(|c| !c.is_ascii_alphabetic())
        .filter(|part| !part.is_empty())
        .all(|part| {
            let mut i = 0;
            let mut first = true;
            while i < part.len() {
                let caps = part[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_uppercase())
                    .count();
                let lower = part[i + caps..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                let ok = match (caps, lower) {
                    // A leading lower-case word: `id` in `idList`.
                    (0, n) => !first || n >= 2 || part.len() == n,
                    // An acronym on its own (`URL`) or before a word (`HTTPResponse`).
                    (c, 0) => c >= 2 || part.len() == 1,
                    // A plural acronym: `URLs`.
                    (c, 1) if c >= 2 => part[i + c] == b's',
                    // An acronym before a word: `HTTPResponse`, `XMLHttpRequest`.
                    (c, n) if c >= 2 => n >= 3,
                    // `By`, `Id`, `To` in `getUserById`: two-letter words.
                    (1, 1) => TWO_LETTER_WORDS
                        .split(' ')
                        .any(|w| w.as_bytes().eq_ignore_ascii_case(&part[i..i + 2])),
                    (_, n) => n >= 2,
                };
                // One acronym per name (`XMLHttpRequest`); random text has capitals in runs
                // here and there (`IISLdqdhupuwyBJ`).
                acronyms += usize::from(caps >= 2);
                if !ok || acronyms > 1 {
                    return false;
                }
                first = false;
                i += caps + lower;
            }
            true
        })
}

/// A decimal number (`100.22`).
fn is_decimal(b: &[u8]) -> bool {
    let Some(dot) = b.iter().position(|c| *c == b'.') else {
        return false;
    };
    let (int, frac) = (&b[..dot], &b[dot + 1..]);
    (1..=12).contains(&int.len())
        && (1..=9).contains(&frac.len())
        && int.iter().all(u8::is_ascii_digit)
        && frac.iter().all(u8::is_ascii_digit)
}

/// Opaque ids: base62 / base64url text long enough, mixing letters and digits, or long and
/// mixing cases the way random text does.
fn is_token(b: &[u8]) -> bool {
    if b.len() < 8
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'=' | b'~' | b'.'))
    {
        return false;
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = b.iter().filter(|c| c.is_ascii_lowercase()).count();
    let vowels = b
        .iter()
        .filter(|c| matches!(c.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u'))
        .count();
    // Both cases with many digits (`EF52042dXM`), or with letters that no word would
    // spell, almost without vowels (`ydfrlLVJ5ll`): random text.
    if upper >= 1 && lower >= 1 && (digits >= 4 || (letters >= 8 && vowels * 5 < letters)) {
        return true;
    }
    // Case changes between neighbouring letters: words in camelCase change case once per word,
    // random text changes case often.
    let flips = b
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase()
        })
        .count();
    let digit_runs = b
        .split(|c| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .count();
    if digits >= 2 && letters >= 2 && (digit_runs >= 2 || (b.len() >= 12 && digits * 5 >= b.len()))
    {
        return true;
    }
    // Random base62 (`QDKNgAMk6vh`, `IISLdqdhupuwyBJ`): both cases, capitals side by side.
    let alnum = b.iter().all(u8::is_ascii_alphanumeric);
    if alnum && b.len() >= 10 && upper >= 2 && lower >= 2 {
        // Words have vowels; random letters mostly do not (5 of 26).
        if (upper_pairs(b) >= 2 && !cased_like_words(b))
            || (vowels * 4 < letters && flips >= 3)
            || (flips >= 4 && !camel_shaped(b))
            || !cased_like_words(b)
        {
            return true;
        }
    }
    b.len() >= 16 && upper >= 3 && lower >= 3 && flips >= 4 && upper_pairs(b) >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn segments_are_typed_by_their_text() {
        let cases = [
            ("8812", SegmentKind::Integer),
            ("5e8f8f8f-1c2d-4e5f-8a9b-0c1d2e3f4a5b", SegmentKind::Uuid),
            ("507f1f77bcf86cd799439011", SegmentKind::ObjectId),
            ("9fceb02d0ae598e95dc970b74767f19372d61af8", SegmentKind::Hex),
            ("01ARZ3NDEKTSV4RRFFQ69G5FAV", SegmentKind::Ulid),
            ("alice@example.com", SegmentKind::Email),
            ("alice%40example.com", SegmentKind::Email),
            ("+14155550100", SegmentKind::Phone),
            ("2024-05-01", SegmentKind::Date),
            ("4.17.21", SegmentKind::Version),
            ("cus_8Jk2aB9xQ1", SegmentKind::PrefixedId),
            ("ord-12345", SegmentKind::PrefixedId),
            (
                "IS0123456789abcdef0123456789abcdef",
                SegmentKind::PrefixedId,
            ),
            ("0TnOYISbd1XYRBk9myaseg", SegmentKind::Token),
            ("abc123def456", SegmentKind::Token),
            ("IISLdqdhupuwyBJ", SegmentKind::Token),
            ("QDKNgAMk6vh", SegmentKind::Token),
            ("ChOcdWTt2u", SegmentKind::Token),
            ("aRdrCekreR", SegmentKind::Token),
            ("6znsiIOrMtx", SegmentKind::Token),
            ("fMoteWjAkjP3", SegmentKind::Token),
            ("pxZvuUtYr3u", SegmentKind::Token),
            ("ydfrlLVJ5ll", SegmentKind::Token),
            ("EF52042dXM", SegmentKind::Token),
            ("o37GZPATguYrk", SegmentKind::Token),
            ("unKV2EOAWH", SegmentKind::Token),
            ("idm_bsyryOhsypmPvt", SegmentKind::PrefixedId),
            ("pla_TJaxzaDqodvggeOr", SegmentKind::PrefixedId),
            ("ite_FCibeQGQFEQMOR0Rbw", SegmentKind::PrefixedId),
            ("100.22", SegmentKind::Integer),
        ];
        for (seg, kind) in cases {
            assert_eq!(classify(seg), kind, "{seg}");
        }
    }

    #[test]
    fn vocabulary_stays_literal() {
        for seg in [
            "users",
            "me",
            "v1",
            "v2beta1",
            "oauth2",
            "x509-certificates",
            "sha256sum",
            "featured-playlists",
            "info.0",
            "_ping",
            "base64url",
            "getUserById",
            "markAssociatedNotificationsRead",
            "idAttachmentCover",
            "callbackURL",
        ] {
            assert_eq!(classify(seg), SegmentKind::Literal, "{seg}");
        }
    }

    #[test]
    fn placeholders_round_trip() {
        for k in ALL.iter().filter(|k| **k != SegmentKind::Literal) {
            assert_eq!(SegmentKind::from_placeholder(k.placeholder()), Some(*k));
        }
        assert_eq!(
            SegmentKind::from_placeholder("id2"),
            Some(SegmentKind::Integer)
        );
        assert_eq!(SegmentKind::from_placeholder("userName"), None);
    }

    proptest! {
        #[test]
        fn classify_never_panics(s in ".{0,80}") {
            let _ = classify(&s);
        }
    }
}
