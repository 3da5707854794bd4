//! A minimal MaxMind DB (`.mmdb`) writer, for tests: builds a valid file (binary search tree,
//! data section, metadata) for a few networks, so that GeoIP code is tested without a
//! downloaded database. Follows the MaxMind DB format 2.0 specification; 24-bit records.

use ipnet::IpNet;

/// A value in the data section.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Str(String),
    U16(u16),
    U32(u32),
    U64(u64),
    Bool(bool),
    Map(Vec<(String, Value)>),
    Array(Vec<Value>),
}

impl Value {
    /// A map from `(key, value)` pairs.
    pub(crate) fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// A string.
    pub(crate) fn str(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

#[derive(Debug, Clone, Copy)]
enum Record {
    Empty,
    Node(u32),
    Data(u32),
}

/// Builds one database in memory.
#[derive(Debug)]
pub(crate) struct MmdbWriter {
    ip_version: u16,
    database_type: String,
    nodes: Vec<[Record; 2]>,
    data: Vec<u8>,
}

impl MmdbWriter {
    /// An empty IPv4 (`ip_version` 4) or IPv6 (6) database.
    pub(crate) fn new(ip_version: u16, database_type: &str) -> Self {
        assert!(ip_version == 4 || ip_version == 6);
        Self {
            ip_version,
            database_type: database_type.to_owned(),
            nodes: vec![[Record::Empty; 2]],
            data: Vec::new(),
        }
    }

    /// Maps `net` to `value`. Insert wider networks before narrower ones inside them. In an
    /// IPv6 database, IPv4 networks go in the `::/96` subtree, where readers look for them.
    pub(crate) fn insert(&mut self, net: IpNet, value: &Value) {
        let (bits, len): (u128, u8) = match (net.trunc(), self.ip_version) {
            (IpNet::V4(n), 4) => (u128::from(u32::from(n.network())) << 96, n.prefix_len()),
            (IpNet::V4(n), _) => (u128::from(u32::from(n.network())), 96 + n.prefix_len()),
            (IpNet::V6(n), 6) => (u128::from(n.network()), n.prefix_len()),
            (IpNet::V6(_), _) => panic!("IPv6 network in an IPv4 database"),
        };
        assert!(len > 0, "a database cannot map the whole address space");
        let offset = self.data.len() as u32;
        encode(value, &mut self.data);
        let mut node = 0usize;
        for i in 0..len {
            let bit = ((bits >> (127 - i)) & 1) as usize;
            if i == len - 1 {
                self.nodes[node][bit] = Record::Data(offset);
                break;
            }
            node = match self.nodes[node][bit] {
                Record::Node(n) => n as usize,
                other => {
                    // Empty, or a wider network's data: split it one level down.
                    let fill = match other {
                        Record::Data(_) => other,
                        _ => Record::Empty,
                    };
                    self.nodes.push([fill; 2]);
                    let n = self.nodes.len() - 1;
                    self.nodes[node][bit] = Record::Node(n as u32);
                    n
                }
            };
        }
    }

    /// The file's bytes.
    pub(crate) fn build(&self) -> Vec<u8> {
        let count = self.nodes.len() as u32;
        let value = |r: Record| match r {
            Record::Empty => count,
            Record::Node(n) => n,
            Record::Data(off) => count + 16 + off,
        };
        let mut out = Vec::new();
        for [left, right] in &self.nodes {
            out.extend_from_slice(&value(*left).to_be_bytes()[1..]);
            out.extend_from_slice(&value(*right).to_be_bytes()[1..]);
        }
        out.extend_from_slice(&[0; 16]);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
        let metadata = Value::map([
            ("binary_format_major_version", Value::U16(2)),
            ("binary_format_minor_version", Value::U16(0)),
            ("build_epoch", Value::U64(1_796_000_000)),
            ("database_type", Value::str(&self.database_type)),
            (
                "description",
                Value::map([("en", Value::str("Rampart test database"))]),
            ),
            ("ip_version", Value::U16(self.ip_version)),
            ("languages", Value::Array(vec![Value::str("en")])),
            ("node_count", Value::U32(count)),
            ("record_size", Value::U16(24)),
        ]);
        encode(&metadata, &mut out);
        out
    }
}

/// Appends one value in the data-section encoding.
fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Str(s) => {
            control(2, s.len(), out);
            out.extend_from_slice(s.as_bytes());
        }
        Value::U16(n) => uint(5, u64::from(*n), out),
        Value::U32(n) => uint(6, u64::from(*n), out),
        Value::U64(n) => uint(9, *n, out),
        Value::Bool(b) => control(14, usize::from(*b), out),
        Value::Map(pairs) => {
            control(7, pairs.len(), out);
            for (k, v) in pairs {
                encode(&Value::Str(k.clone()), out);
                encode(v, out);
            }
        }
        Value::Array(items) => {
            control(11, items.len(), out);
            for v in items {
                encode(v, out);
            }
        }
    }
}

fn uint(kind: u8, n: u64, out: &mut Vec<u8>) {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    control(kind, 8 - skip, out);
    out.extend_from_slice(&bytes[skip..]);
}

/// The control byte, the extended type byte for types above 7, then the size bytes.
fn control(kind: u8, size: usize, out: &mut Vec<u8>) {
    let (size_bits, extra): (u8, Vec<u8>) = match size {
        0..=28 => (size as u8, vec![]),
        29..=284 => (29, vec![(size - 29) as u8]),
        285..=65_820 => (30, ((size - 285) as u16).to_be_bytes().to_vec()),
        _ => (31, ((size - 65_821) as u32).to_be_bytes()[1..].to_vec()),
    };
    if kind <= 7 {
        out.push(kind << 5 | size_bits);
    } else {
        out.push(size_bits);
        out.push(kind - 7);
    }
    out.extend_from_slice(&extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_accepts_and_verifies_what_is_written() {
        for version in [4, 6] {
            let mut w = MmdbWriter::new(version, "Test-Country");
            w.insert(
                "10.0.0.0/8".parse().unwrap(),
                &Value::map([("country_code", Value::str("US"))]),
            );
            w.insert(
                "10.1.0.0/16".parse().unwrap(),
                &Value::map([("long", Value::str(&"x".repeat(300)))]),
            );
            if version == 6 {
                w.insert(
                    "2001:db8::/32".parse().unwrap(),
                    &Value::map([("flag", Value::Bool(true))]),
                );
            }
            let reader = maxminddb::Reader::from_source(w.build()).unwrap();
            reader.verify().unwrap();
            let r = reader.lookup("10.2.3.4".parse().unwrap()).unwrap();
            let code: Option<String> = r.decode_path(&maxminddb::path!["country_code"]).unwrap();
            assert_eq!(code.as_deref(), Some("US"));
            let r = reader.lookup("10.1.3.4".parse().unwrap()).unwrap();
            let long: Option<String> = r.decode_path(&maxminddb::path!["long"]).unwrap();
            assert_eq!(long.map(|s| s.len()), Some(300));
            assert!(!reader
                .lookup("11.0.0.1".parse().unwrap())
                .unwrap()
                .has_data());
        }
    }
}
