//! One pass over a JSON document, straight from its bytes, for everything discovery learns from
//! a body: the sensitive-data classifier and the field schema see each value as the parser
//! meets it, with its path, and no tree of the document is built.
//!
//! Two scopes are walked at once, each with its own bound:
//! - **every value**, in document order, at most [`MAX_JSON_VALUES`] values and containers
//!   nested at most [`MAX_JSON_DEPTH`] deep (what the classifier reads);
//! - **the sample**: the first [`SAMPLED_ITEMS`] items of every array, at most
//!   [`MAX_VISITED`] values, at most [`MAX_DEPTH`] deep (what the schema is learned from:
//!   arrays are homogeneous in practice, and a few items tell their shape).
//!
//! A subtree in neither scope is skipped by the parser without being looked at.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::classify::{MAX_JSON_DEPTH, MAX_JSON_VALUES};
use crate::schema::{MAX_DEPTH, MAX_VISITED};

/// Items of each array in the sample.
pub const SAMPLED_ITEMS: usize = 8;
/// Longest object key kept in a path, in characters: keys are chosen by whoever sent the body.
pub const MAX_KEY_CHARS: usize = 64;

/// A value as the walk meets it; containers are met before their contents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNode<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number without fraction or exponent that fits in 64 bits, signed or not.
    Int(i128),
    /// Any other number.
    Float(f64),
    /// A string, unescaped.
    Str(&'a str),
    /// An object, before its members.
    Object,
    /// An array, before its items.
    Array,
}

/// Where a value is.
#[derive(Debug, Clone, Copy)]
pub struct JsonPlace<'a> {
    /// `a.b`, with array items as `a[]` and keys cut at [`MAX_KEY_CHARS`]; empty at the root.
    pub path: &'a str,
    /// The nearest object key, whole (an array item has its array's key).
    pub key: Option<&'a str>,
    /// In the every-value scope.
    pub every: bool,
    /// In the sample.
    pub sampled: bool,
}

/// Walks a JSON document given as bytes. On a syntax error the walk stops there and the error
/// is returned: values before it have been visited.
pub fn walk_bytes(
    bytes: &[u8],
    f: &mut dyn FnMut(&JsonPlace<'_>, JsonNode<'_>),
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut walk = Walk::new(f);
    walk.root(&mut de)?;
    de.end()
}

/// Walks a parsed document the same way.
pub fn walk_value(doc: &Value, f: &mut dyn FnMut(&JsonPlace<'_>, JsonNode<'_>)) {
    let mut walk = Walk::new(f);
    // A `Value` reads back without an error.
    let _ = walk.root(doc);
}

struct Walk<'f> {
    f: &'f mut dyn FnMut(&JsonPlace<'_>, JsonNode<'_>),
    path: String,
    /// The nearest key, whole.
    key: String,
    every_left: usize,
    sample_left: usize,
}

/// Where the next value goes, and in which scopes its parent was.
#[derive(Clone, Copy)]
struct Slot {
    depth: usize,
    every: bool,
    sampled: bool,
    has_key: bool,
}

impl<'f> Walk<'f> {
    fn new(f: &'f mut dyn FnMut(&JsonPlace<'_>, JsonNode<'_>)) -> Self {
        Self {
            f,
            path: String::new(),
            key: String::new(),
            every_left: MAX_JSON_VALUES,
            sample_left: MAX_VISITED,
        }
    }

    fn root<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        let slot = Slot {
            depth: 0,
            every: true,
            sampled: true,
            has_key: false,
        };
        NodeSeed { walk: self, slot }.deserialize(d)
    }
}

/// One value to read, at `slot`.
struct NodeSeed<'w, 'f> {
    walk: &'w mut Walk<'f>,
    slot: Slot,
}

/// The scopes of the value at `slot`, taking its share of the budgets.
struct Scopes {
    every: bool,
    sampled: bool,
}

impl NodeSeed<'_, '_> {
    fn scopes(&mut self) -> Scopes {
        let w = &mut *self.walk;
        let every = self.slot.every && w.every_left > 0;
        if every {
            w.every_left -= 1;
        }
        let sampled = self.slot.sampled && self.slot.depth <= MAX_DEPTH && w.sample_left > 0;
        if sampled {
            w.sample_left -= 1;
        }
        Scopes { every, sampled }
    }

    fn emit(&mut self, scopes: &Scopes, node: JsonNode<'_>) {
        let w = &mut *self.walk;
        let place = JsonPlace {
            path: &w.path,
            key: self.slot.has_key.then_some(w.key.as_str()),
            every: scopes.every,
            sampled: scopes.sampled,
        };
        (w.f)(&place, node);
    }

    fn scalar<E>(mut self, node: JsonNode<'_>) -> Result<(), E> {
        let scopes = self.scopes();
        if scopes.every || scopes.sampled {
            self.emit(&scopes, node);
        }
        Ok(())
    }

    /// The scopes the members of a container at this slot are in.
    fn inner(&self, scopes: &Scopes) -> (bool, bool) {
        (
            scopes.every && self.slot.depth < MAX_JSON_DEPTH,
            scopes.sampled && self.slot.depth < MAX_DEPTH,
        )
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.scalar(JsonNode::Null)
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.scalar(JsonNode::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.scalar(JsonNode::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.scalar(JsonNode::Int(i128::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.scalar(JsonNode::Int(i128::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.scalar(JsonNode::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.scalar(JsonNode::Str(v))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let scopes = self.scopes();
        let (every, sampled) = self.inner(&scopes);
        if scopes.every || scopes.sampled {
            self.emit(&scopes, JsonNode::Object);
        }
        if !every && !sampled {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let w = self.walk;
        let path_len = w.path.len();
        let saved_key = std::mem::take(&mut w.key);
        while map.next_key_seed(KeySeed { walk: &mut *w })?.is_some() {
            // Once the every-value budget is spent and the sample does not reach here, the
            // remaining members are read past.
            let slot = Slot {
                depth: self.slot.depth + 1,
                every: every && w.every_left > 0,
                sampled,
                has_key: true,
            };
            if slot.every || slot.sampled {
                map.next_value_seed(NodeSeed {
                    walk: &mut *w,
                    slot,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            w.path.truncate(path_len);
        }
        w.key = saved_key;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let scopes = self.scopes();
        let (every, sampled) = self.inner(&scopes);
        if scopes.every || scopes.sampled {
            self.emit(&scopes, JsonNode::Array);
        }
        if !every && !sampled {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let w = self.walk;
        let path_len = w.path.len();
        w.path.push_str("[]");
        let mut index = 0usize;
        loop {
            let slot = Slot {
                depth: self.slot.depth + 1,
                every: every && w.every_left > 0,
                sampled: sampled && index < SAMPLED_ITEMS,
                has_key: self.slot.has_key,
            };
            let more = if slot.every || slot.sampled {
                seq.next_element_seed(NodeSeed {
                    walk: &mut *w,
                    slot,
                })?
                .is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                break;
            }
            index += 1;
        }
        w.path.truncate(path_len);
        Ok(())
    }
}

/// Reads an object key into the walk's path and nearest key.
struct KeySeed<'w, 'f> {
    walk: &'w mut Walk<'f>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, k: &str) -> Result<(), E> {
        let w = self.walk;
        // Only the document's own members start the path.
        if !w.path.is_empty() {
            w.path.push('.');
        }
        if k.len() <= MAX_KEY_CHARS {
            w.path.push_str(k);
        } else {
            w.path.extend(k.chars().take(MAX_KEY_CHARS));
        }
        w.key.clear();
        w.key.push_str(k);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nodes(doc: &Value) -> Vec<(String, Option<String>, bool, bool, String)> {
        let text = serde_json::to_vec(doc).unwrap();
        let mut from_bytes = Vec::new();
        walk_bytes(&text, &mut |p, n| {
            from_bytes.push((
                p.path.to_owned(),
                p.key.map(str::to_owned),
                p.every,
                p.sampled,
                format!("{n:?}"),
            ))
        })
        .unwrap();
        let mut from_value = Vec::new();
        walk_value(doc, &mut |p, n| {
            from_value.push((
                p.path.to_owned(),
                p.key.map(str::to_owned),
                p.every,
                p.sampled,
                format!("{n:?}"),
            ))
        });
        assert_eq!(from_bytes, from_value, "bytes and value walks differ");
        from_bytes
    }

    #[test]
    fn paths_keys_and_kinds_in_document_order() {
        let seen =
            nodes(&json!({"user": {"email": "a@b.co", "tags": ["x"]}, "n": [1, 2.5, null, true]}));
        let brief: Vec<(&str, Option<&str>, &str)> = seen
            .iter()
            .map(|(p, k, _, _, n)| (p.as_str(), k.as_deref(), n.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                ("", None, "Object"),
                ("n", Some("n"), "Array"),
                ("n[]", Some("n"), "Int(1)"),
                ("n[]", Some("n"), "Float(2.5)"),
                ("n[]", Some("n"), "Null"),
                ("n[]", Some("n"), "Bool(true)"),
                ("user", Some("user"), "Object"),
                ("user.email", Some("email"), "Str(\"a@b.co\")"),
                ("user.tags", Some("tags"), "Array"),
                ("user.tags[]", Some("tags"), "Str(\"x\")"),
            ]
        );
        assert!(seen
            .iter()
            .all(|(_, _, every, sampled, _)| *every && *sampled));
    }

    #[test]
    fn a_root_array_and_scalars() {
        let seen = nodes(&json!([{"id": 1}]));
        let paths: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(paths, vec!["", "[]", "[].id"]);
        let seen = nodes(&json!("x"));
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "");
    }

    #[test]
    fn the_sample_takes_the_first_items_of_each_array() {
        let items: Vec<Value> = (0..20).map(|i| json!({ "id": i })).collect();
        let seen = nodes(&json!({ "items": items, "total": 20 }));
        let sampled_ids = seen.iter().filter(|s| s.0 == "items[].id" && s.3).count();
        let every_ids = seen.iter().filter(|s| s.0 == "items[].id" && s.2).count();
        assert_eq!(sampled_ids, SAMPLED_ITEMS);
        assert_eq!(every_ids, 20);
        assert!(seen.iter().any(|s| s.0 == "total" && s.2 && s.3));
    }

    #[test]
    fn depth_bounds_each_scope() {
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        let seen = nodes(&deep);
        let deepest_every = seen
            .iter()
            .filter(|s| s.2)
            .map(|s| s.0.matches('a').count())
            .max();
        let deepest_sample = seen
            .iter()
            .filter(|s| s.3)
            .map(|s| s.0.matches('a').count())
            .max();
        assert_eq!(deepest_every, Some(MAX_JSON_DEPTH));
        assert_eq!(deepest_sample, Some(MAX_DEPTH));
    }

    #[test]
    fn budgets_bound_each_scope_and_later_members_still_reach_the_sample() {
        let many: Vec<Value> = (0..MAX_JSON_VALUES + 50).map(|i| json!(i)).collect();
        let seen = nodes(&json!({ "big": many, "tail": "x" }));
        assert_eq!(seen.iter().filter(|s| s.2).count(), MAX_JSON_VALUES);
        let after = seen.iter().find(|s| s.0 == "tail").unwrap();
        assert!(
            !after.2 && after.3,
            "past the every-value budget, in the sample"
        );
    }

    #[test]
    fn long_keys_are_cut_in_the_path_and_whole_in_the_key() {
        let long = "k".repeat(200);
        let seen = nodes(&json!({ long.clone(): 1 }));
        assert_eq!(seen[1].0.chars().count(), MAX_KEY_CHARS);
        assert_eq!(seen[1].1.as_deref(), Some(long.as_str()));
    }

    #[test]
    fn escaped_keys_and_strings_are_unescaped() {
        let mut seen = Vec::new();
        walk_bytes(br#"{"e\u006dail":"a\u0040b.co"}"#, &mut |p, n| {
            if let JsonNode::Str(s) = n {
                seen.push((p.path.to_owned(), s.to_owned()));
            }
        })
        .unwrap();
        assert_eq!(seen, vec![("email".to_owned(), "a@b.co".to_owned())]);
    }

    /// Whether `bytes` is one well-formed JSON document, as serde_json reads it.
    fn is_json(bytes: &[u8]) -> bool {
        serde_json::from_slice::<IgnoredAny>(bytes).is_ok()
    }

    #[test]
    fn malformed_documents_are_errors_and_is_json_says_so() {
        for bad in [
            &b"{\"a\": 1"[..],
            b"[1,]",
            b"{\"a\" 1}",
            b"1 2",
            b"",
            b"\xff",
        ] {
            assert!(!is_json(bad));
            assert!(walk_bytes(bad, &mut |_, _| {}).is_err(), "{bad:?}");
        }
        assert!(is_json(b" {\"a\": [1, {\"b\": null}]} "));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes: Vec<u8>) {
            let mut n = 0usize;
            let ok = walk_bytes(&bytes, &mut |_, _| n += 1).is_ok();
            proptest::prop_assert_eq!(ok, is_json(&bytes));
        }
    }
}
