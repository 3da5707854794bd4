//! Distinct counts that cost little when small: exact up to a few dozen values, then a
//! HyperLogLog.

use rampart_core::Hll;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Values kept exactly before switching to a sketch.
const EXACT: usize = 48;
/// HyperLogLog precision once the sketch is used (1 KiB, about 3% error).
const PRECISION: u8 = 10;

/// A distinct counter over 64-bit hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distinct {
    /// Exactly these hashes (sorted, unique).
    Exact(Vec<u64>),
    /// An estimate.
    Sketch(Hll),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::Exact(Vec::new())
    }
}

impl Distinct {
    /// Adds one hashed value.
    pub fn insert(&mut self, hash: u64) {
        match self {
            Distinct::Exact(v) => {
                if let Err(i) = v.binary_search(&hash) {
                    v.insert(i, hash);
                    if v.len() > EXACT {
                        let mut h = Hll::new(PRECISION);
                        for x in v.iter() {
                            h.insert_hash(*x);
                        }
                        *self = Distinct::Sketch(h);
                    }
                }
            }
            Distinct::Sketch(h) => h.insert_hash(hash),
        }
    }

    /// The (estimated) number of distinct values.
    pub fn count(&self) -> u64 {
        match self {
            Distinct::Exact(v) => v.len() as u64,
            Distinct::Sketch(h) => h.count(),
        }
    }

    /// Adds another counter's values.
    pub fn merge(&mut self, other: &Distinct) {
        match other {
            Distinct::Exact(v) => {
                for x in v {
                    self.insert(*x);
                }
            }
            Distinct::Sketch(o) => match self {
                Distinct::Sketch(h) => h.merge(o),
                Distinct::Exact(v) => {
                    let mut h = o.clone();
                    for x in v.iter() {
                        h.insert_hash(*x);
                    }
                    *self = Distinct::Sketch(h);
                }
            },
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Repr {
    Exact(Vec<u64>),
    Sketch(String),
}

impl Serialize for Distinct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        match self {
            Distinct::Exact(v) => Repr::Exact(v.clone()),
            Distinct::Sketch(h) => {
                Repr::Sketch(base64::engine::general_purpose::STANDARD.encode(h.to_bytes()))
            }
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Distinct {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine;
        match Repr::deserialize(d)? {
            Repr::Exact(mut v) => {
                v.sort_unstable();
                v.dedup();
                let mut out = Distinct::default();
                for x in v {
                    out.insert(x);
                }
                Ok(out)
            }
            Repr::Sketch(text) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(serde::de::Error::custom)?;
                Hll::from_bytes(&bytes)
                    .map(Distinct::Sketch)
                    .ok_or_else(|| serde::de::Error::custom("damaged distinct-count sketch"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_then_sketch_and_round_trip() {
        let mut d = Distinct::default();
        for i in 0..20u64 {
            d.insert(rampart_core::fast_hash(&i.to_le_bytes()));
            d.insert(rampart_core::fast_hash(&i.to_le_bytes()));
        }
        assert_eq!(d.count(), 20);
        for i in 20..5_000u64 {
            d.insert(rampart_core::fast_hash(&i.to_le_bytes()));
        }
        let n = d.count() as f64;
        assert!((n - 5_000.0).abs() / 5_000.0 < 0.1, "{n}");
        let json = serde_json::to_string(&d).unwrap();
        let back: Distinct = serde_json::from_str(&json).unwrap();
        assert_eq!(back.count(), d.count());
    }

    #[test]
    fn merge_mixes_exact_and_sketch() {
        let mut a = Distinct::default();
        let mut b = Distinct::default();
        for i in 0..10u64 {
            a.insert(i * 7919);
        }
        for i in 0..1000u64 {
            b.insert(rampart_core::fast_hash(&i.to_le_bytes()));
        }
        a.merge(&b);
        assert!(a.count() > 900);
    }
}
