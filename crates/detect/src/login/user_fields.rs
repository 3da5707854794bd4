//! The user named by a JSON login body, read without building the document: only the
//! top-level fields that name a user are kept, every other value is skipped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::USER_FIELDS;

/// The first of [`USER_FIELDS`] (in that order) that the top-level object holds as a string;
/// `None` for a body that is not a JSON object. A field given twice counts by its last value.
pub(super) fn first_user(json: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(json);
    let found = de.deserialize_map(Fields).ok()?;
    // The whole text must be one document, as `serde_json::from_str` requires.
    de.end().ok()?;
    found.0.into_iter().flatten().next()
}

/// The string value of each user field, by its index in [`USER_FIELDS`].
struct Found([Option<String>; USER_FIELDS.len()]);

struct Fields;

impl<'de> Visitor<'de> for Fields {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found(Default::default());
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match USER_FIELDS.iter().position(|f| *f == key) {
                Some(i) => found.0[i] = map.next_value::<MaybeString>()?.0,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// A value kept when it is a string, skipped otherwise.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v.to_owned())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<MaybeString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reading it replaces: the whole document as a `serde_json::Value`.
    fn by_value(json: &str) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let obj = value.as_object()?;
        USER_FIELDS
            .iter()
            .find_map(|f| obj.get(*f).and_then(|v| v.as_str()).map(str::to_owned))
    }

    #[test]
    fn the_first_user_field_in_order_wins() {
        for body in [
            r#"{"password":"x","email":"a@x.io","username":"bob"}"#,
            r#"{"user":{"name":"x"},"email":"e\u0041@x.io"}"#,
            r#"{"username":5,"login":"l","username":"late"}"#,
            r#"{"username":"a","username":7}"#,
            r#"{"other":[1,{"username":"nested"}]}"#,
            r#"["username","x"]"#,
            r#"{"username":"x"} trailing"#,
            r#"{"username":"x""#,
            "{}",
        ] {
            assert_eq!(first_user(body), by_value(body), "{body}");
        }
    }

    proptest! {
        #[test]
        fn reads_what_the_document_reads(
            fields in proptest::collection::vec(
                (0usize..USER_FIELDS.len() + 2, prop_oneof![
                    "\"[a-z@.]{0,8}\"".prop_map(|s| s),
                    Just("12".to_string()),
                    Just("null".to_string()),
                    Just("{\"a\":[1,2]}".to_string()),
                ]),
                0..6,
            )
        ) {
            let body = format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(i, v)| {
                        let name = USER_FIELDS.get(*i).copied().unwrap_or("password");
                        format!("\"{name}\":{v}")
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            );
            prop_assert_eq!(first_user(&body), by_value(&body));
        }
    }
}
