//! The policy file as a located tree: every key and value knows its line and column.
//!
//! serde-saphyr reads the text (with its budget against alias bombs and deep nesting) into a
//! tree of [`Node`]s wrapped in [`serde_saphyr::Spanned`]. Reading the policy from that tree
//! rather than straight into structs lets validation go on after the first problem and point at
//! every offending field, where `deny_unknown_fields` would stop at the first.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// Where something is in the source: 1-based line and column, 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub(crate) line: u64,
    pub(crate) column: u64,
}

impl Pos {
    fn of(loc: &Location) -> Self {
        Self {
            line: loc.line(),
            column: loc.column(),
        }
    }
}

/// One value of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) pos: Pos,
}

/// A mapping key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) pos: Pos,
}

/// What a node holds. Scalars other than strings keep their source text, so a field that wants
/// text can take `yes` or `404` as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Null,
    Bool(bool, String),
    Int(i128, String),
    Float(f64, String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// What kind of value this is, in words, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "nothing",
            Kind::Bool(..) => "true/false",
            Kind::Int(..) => "a number",
            Kind::Float(..) => "a number",
            Kind::Str(_) => "text",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The node as text when it is a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            Kind::Bool(_, raw) | Kind::Int(_, raw) | Kind::Float(_, raw) => Some(raw),
            Kind::Null | Kind::Seq(_) | Kind::Map(_) => None,
        }
    }
}

/// The tree as serde gives it, before source text is attached to scalars.
#[derive(Debug)]
enum Raw {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(i128::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Int(i128::from(v)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Int(i128::try_from(v).unwrap_or(i128::MAX)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(Raw::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(entry) = map.next_entry()? {
            out.push(entry);
        }
        Ok(Raw::Map(out))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

/// A YAML syntax problem: where, and what the parser said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

/// Reads `text` into a located tree.
pub(crate) fn read(text: &str) -> Result<Node, SyntaxError> {
    let raw: Spanned<Raw> = serde_saphyr::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| Pos::of(&l)).unwrap_or_default();
        let full = e.to_string();
        let first = full.lines().next().unwrap_or("").trim();
        // serde-saphyr starts its message with "error: line L column C: "; the position is
        // reported separately, so keep only what went wrong.
        let message = match first.split_once(": ") {
            Some((_, rest)) if first.starts_with("error") => rest
                .split_once(": ")
                .filter(|(head, _)| head.starts_with("line "))
                .map(|(_, m)| m)
                .unwrap_or(rest),
            _ => first,
        };
        SyntaxError {
            pos,
            message: message.to_owned(),
        }
    })?;
    Ok(convert(raw, text))
}

fn source_text(text: &str, loc: &Location) -> Option<String> {
    let span = loc.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    text.get(start..start.checked_add(len)?)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn convert(raw: Spanned<Raw>, text: &str) -> Node {
    let pos = Pos::of(&raw.referenced);
    let raw_text = |fallback: String| source_text(text, &raw.referenced).unwrap_or(fallback);
    let kind = match raw.value {
        Raw::Null => Kind::Null,
        Raw::Bool(b) => Kind::Bool(b, raw_text(b.to_string())),
        Raw::Int(i) => Kind::Int(i, raw_text(i.to_string())),
        Raw::Float(f) => Kind::Float(f, raw_text(f.to_string())),
        Raw::Str(s) => Kind::Str(s),
        Raw::Seq(items) => Kind::Seq(items.into_iter().map(|i| convert(i, text)).collect()),
        Raw::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: Pos::of(&k.referenced),
                        name: k.value,
                    };
                    (key, convert(v, text))
                })
                .collect(),
        ),
    };
    Node { kind, pos }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_carry_their_positions() {
        let node = read("rules:\n  - name: a\n    status: 403\n    ok: yes\n").unwrap();
        let Kind::Map(top) = &node.kind else {
            panic!("not a map")
        };
        assert_eq!(top[0].0.name, "rules");
        let Kind::Seq(rules) = &top[0].1.kind else {
            panic!("not a list")
        };
        let Kind::Map(rule) = &rules[0].kind else {
            panic!("not a map")
        };
        assert_eq!(rule[1].0.pos, Pos { line: 3, column: 5 });
        assert_eq!(rule[1].1.kind, Kind::Int(403, "403".into()));
        assert_eq!(rule[2].1.text(), Some("yes"));
    }

    #[test]
    fn syntax_errors_have_a_position_and_a_short_message() {
        let e = read("a: [1, 2\nb: c").unwrap_err();
        assert_eq!(e.pos.line, 2);
        assert!(!e.message.starts_with("error"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }
}
