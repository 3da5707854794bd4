//! Kinds of values seen at a parameter node, as a bit set, and the names they give.

use crate::segment::{SegmentKind, ALL};

/// The bit of `kind` in a node's set of kinds seen.
pub(crate) fn kind_bit(kind: SegmentKind) -> u16 {
    ALL.iter().position(|k| *k == kind).map_or(0, |i| 1u16 << i)
}

/// How a kind is named in explanations (`values typed as integer`).
pub(crate) fn kind_name(kind: SegmentKind) -> &'static str {
    match kind {
        SegmentKind::Integer => "integer",
        SegmentKind::Uuid => "UUID",
        SegmentKind::Ulid => "ULID",
        SegmentKind::ObjectId => "ObjectId",
        SegmentKind::Hex => "hex digest",
        SegmentKind::Token => "opaque token",
        SegmentKind::Email => "e-mail address",
        SegmentKind::Phone => "phone number",
        SegmentKind::Date => "date",
        SegmentKind::PrefixedId => "prefixed id",
        SegmentKind::Slug => "name",
        SegmentKind::Version => "version number",
        SegmentKind::Literal => "literal",
    }
}

/// The placeholder name of a parameter that saw `kinds`.
pub(crate) fn placeholder(kinds: u16) -> &'static str {
    let seen: Vec<SegmentKind> = ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| kinds & (1 << i) != 0)
        .map(|(_, k)| *k)
        .collect();
    match seen.as_slice() {
        [one] => one.placeholder(),
        [] => "param",
        _ => "id",
    }
}

/// The kind a parameter node stands for (for OpenAPI export).
pub(crate) fn node_kind(kinds: u16) -> SegmentKind {
    let seen: Vec<SegmentKind> = ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| kinds & (1 << i) != 0)
        .map(|(_, k)| *k)
        .collect();
    match seen.as_slice() {
        [one] => *one,
        _ => SegmentKind::Token,
    }
}
