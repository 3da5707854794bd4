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
pub const ALL: [SegmentKind; 12] = [
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
];
