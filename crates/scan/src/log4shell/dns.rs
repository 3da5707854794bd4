//! Just enough DNS (RFC 1035) to read the name a query asks for and answer NXDOMAIN, for the
//! callback listener: JNDI's `dns:` provider and resolvers looking up a token-bearing name both
//! send one. Compressed names are refused in questions (queries never use them).

/// Largest datagram read.
pub(crate) const MAX_DATAGRAM: usize = 1500;

/// One question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    /// The query id.
    pub(crate) id: u16,
    /// The name asked for, lower case, dot-separated; non-printable bytes become `?`.
    pub(crate) name: String,
    /// Where the question ends in the datagram.
    question_end: usize,
}

/// Reads a query's first question; `None` for anything else.
pub(crate) fn parse_query(pkt: &[u8]) -> Option<Query> {
    if pkt.len() < 12 || pkt.len() > MAX_DATAGRAM {
        return None;
    }
    let id = u16::from_be_bytes([pkt[0], pkt[1]]);
    let is_response = pkt[2] & 0x80 != 0;
    let qdcount = u16::from_be_bytes([pkt[4], pkt[5]]);
    if is_response || qdcount == 0 {
        return None;
    }
    let mut i = 12;
    let mut name = String::new();
    loop {
        let len = usize::from(*pkt.get(i)?);
        i += 1;
        if len == 0 {
            break;
        }
        if len & 0xc0 != 0 {
            return None;
        }
        let label = pkt.get(i..i + len)?;
        if !name.is_empty() {
            name.push('.');
        }
        name.extend(label.iter().map(|b| {
            let c = b.to_ascii_lowercase();
            if c.is_ascii_graphic() {
                c as char
            } else {
                '?'
            }
        }));
        if name.len() > 255 {
            return None;
        }
        i += len;
    }
    // qtype and qclass.
    pkt.get(i..i + 4)?;
    Some(Query {
        id,
        name,
        question_end: i + 4,
    })
}

/// An NXDOMAIN answer echoing the question, so the asker stops rather than retries.
pub(crate) fn nxdomain(pkt: &[u8], q: &Query) -> Vec<u8> {
    let rd = pkt.get(2).map_or(0, |b| b & 0x01);
    let mut out = Vec::with_capacity(q.question_end);
    out.extend_from_slice(&q.id.to_be_bytes());
    out.push(0x80 | 0x04 | rd); // response, authoritative, recursion desired as asked
    out.push(0x80 | 0x03); // recursion available, NXDOMAIN
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&pkt[12..q.question_end]);
    out
}

/// A query for `name` (for tests).
#[cfg(test)]
pub(crate) fn query(id: u16, name: &str) -> Vec<u8> {
    let mut out = id.to_be_bytes().to_vec();
    out.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.extend_from_slice(&[0, 0, 1, 0, 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_a_query_and_answers_nxdomain() {
        let q = query(0x1234, "RMP0123456789abcdef.callback.example");
        let parsed = parse_query(&q).unwrap();
        assert_eq!(parsed.id, 0x1234);
        assert_eq!(parsed.name, "rmp0123456789abcdef.callback.example");
        let a = nxdomain(&q, &parsed);
        assert_eq!(&a[..2], &[0x12, 0x34]);
        assert_eq!(a[3] & 0x0f, 3);
        assert_eq!(&a[12..], &q[12..]);
        assert!(parse_query(&a).is_none(), "answers are not queries");
    }

    #[test]
    fn refuses_compression_and_truncation() {
        let mut q = query(1, "a.b");
        q[12] = 0xc0;
        assert!(parse_query(&q).is_none());
        let q = query(1, "a.b");
        assert!(parse_query(&q[..q.len() - 2]).is_none());
        assert!(parse_query(&[0; 5]).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Some(q) = parse_query(&bytes) {
                let _ = nxdomain(&bytes, &q);
            }
        }

        #[test]
        fn names_round_trip(labels in proptest::collection::vec("[a-z0-9-]{1,20}", 1..5)) {
            let name = labels.join(".");
            prop_assert_eq!(parse_query(&query(9, &name)).unwrap().name, name);
        }
    }
}
