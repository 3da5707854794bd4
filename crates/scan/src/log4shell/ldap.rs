//! Just enough BER to read an LDAP BindRequest or SearchRequest (RFC 4511) and answer it: the
//! bind DN and the search base (where a JNDI lookup puts the token), and a success answer so
//! the client does not hang. Lengths are capped; indefinite lengths are refused.

/// Largest LDAP message read.
pub(crate) const MAX_MESSAGE: usize = 64 * 1024;

/// A protocol operation, as far as the listener needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// BindRequest (`[APPLICATION 0]`) with its DN.
    Bind {
        /// The DN bound as.
        name: Vec<u8>,
    },
    /// SearchRequest (`[APPLICATION 3]`) with its base object.
    Search {
        /// The base DN searched.
        base: Vec<u8>,
    },
    /// UnbindRequest (`[APPLICATION 2]`).
    Unbind,
    /// Anything else, by tag.
    Other(u8),
}

/// One LDAP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    /// The message id.
    pub(crate) id: u32,
    /// The operation.
    pub(crate) op: Op,
}

/// Why bytes are not an LDAP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BerError {
    /// Not BER, or not LDAP.
    Malformed(&'static str),
    /// Longer than [`MAX_MESSAGE`].
    TooLarge,
}

/// A tag, its value and the bytes the whole element used.
type Tlv<'a> = (u8, &'a [u8], usize);

/// One tag-length-value: `None` while incomplete.
fn tlv(buf: &[u8]) -> Result<Option<Tlv<'_>>, BerError> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let tag = buf[0];
    let first = buf[1];
    let (len, head) = match first {
        0..=0x7f => (usize::from(first), 2),
        0x80 => return Err(BerError::Malformed("indefinite length")),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            if buf.len() < 2 + n {
                return Ok(None);
            }
            let len = buf[2..2 + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, 2 + n)
        }
        _ => return Err(BerError::TooLarge),
    };
    if len > MAX_MESSAGE {
        return Err(BerError::TooLarge);
    }
    if buf.len() < head + len {
        return Ok(None);
    }
    Ok(Some((tag, &buf[head..head + len], head + len)))
}

/// A TLV that must be complete (inside a complete message).
fn inner(buf: &[u8]) -> Result<Tlv<'_>, BerError> {
    tlv(buf)?.ok_or(BerError::Malformed("truncated element"))
}

/// Reads the first message of `buf`: the message and the bytes it used, or `None` while more
/// bytes are needed.
pub(crate) fn parse_message(buf: &[u8]) -> Result<Option<(Message, usize)>, BerError> {
    if let Some(&tag) = buf.first() {
        if tag != 0x30 {
            return Err(BerError::Malformed("not a SEQUENCE"));
        }
    }
    let Some((_, body, used)) = tlv(buf)? else {
        return Ok(None);
    };
    let (tag, id_bytes, n) = inner(body)?;
    if tag != 0x02 || id_bytes.is_empty() || id_bytes.len() > 4 {
        return Err(BerError::Malformed("bad message id"));
    }
    let id = id_bytes
        .iter()
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    let (op_tag, op_body, _) = inner(&body[n..])?;
    let op = match op_tag {
        0x60 => {
            let (t, _, n) = inner(op_body)?;
            if t != 0x02 {
                return Err(BerError::Malformed("bind without version"));
            }
            let (t, name, _) = inner(&op_body[n..])?;
            if t != 0x04 {
                return Err(BerError::Malformed("bind without name"));
            }
            Op::Bind {
                name: name.to_vec(),
            }
        }
        0x63 => {
            let (t, base, _) = inner(op_body)?;
            if t != 0x04 {
                return Err(BerError::Malformed("search without base"));
            }
            Op::Search {
                base: base.to_vec(),
            }
        }
        0x42 => Op::Unbind,
        other => Op::Other(other),
    };
    Ok(Some((Message { id, op }, used)))
}

/// A minimal INTEGER's content octets.
fn int_bytes(v: u32) -> Vec<u8> {
    let mut b: Vec<u8> = v.to_be_bytes().to_vec();
    while b.len() > 1 && b[0] == 0 && b[1] & 0x80 == 0 {
        b.remove(0);
    }
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

/// An LDAPResult of success (no matched DN, no message) under `tag`.
fn result(id: u32, tag: u8) -> Vec<u8> {
    let id = int_bytes(id);
    let mut seq = vec![0x02, id.len() as u8];
    seq.extend_from_slice(&id);
    seq.extend_from_slice(&[tag, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
    let mut out = vec![0x30, seq.len() as u8];
    out.extend_from_slice(&seq);
    out
}

/// BindResponse (`[APPLICATION 1]`), success.
pub(crate) fn bind_response(id: u32) -> Vec<u8> {
    result(id, 0x61)
}

/// SearchResultDone (`[APPLICATION 5]`), success with no entries: the lookup finds nothing and
/// nothing is loaded.
pub(crate) fn search_done(id: u32) -> Vec<u8> {
    result(id, 0x65)
}

/// Encodes a BindRequest (version 3, simple, empty password) as clients send it (for tests).
#[cfg(test)]
pub(crate) fn bind_request(id: u32, name: &[u8]) -> Vec<u8> {
    let mut op = vec![0x02, 0x01, 0x03, 0x04];
    push_len(&mut op, name.len());
    op.extend_from_slice(name);
    op.extend_from_slice(&[0x80, 0x00]);
    wrap(id, 0x60, &op)
}

/// Encodes a SearchRequest for `base` (for tests).
#[cfg(test)]
pub(crate) fn search_request(id: u32, base: &[u8]) -> Vec<u8> {
    let mut op = vec![0x04];
    push_len(&mut op, base.len());
    op.extend_from_slice(base);
    // scope base, derefAliases never, sizeLimit 0, timeLimit 0, typesOnly false,
    // filter (objectClass=*), no attributes.
    op.extend_from_slice(&[
        0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00,
        0x87, 0x0b,
    ]);
    op.extend_from_slice(b"objectClass");
    op.extend_from_slice(&[0x30, 0x00]);
    wrap(id, 0x63, &op)
}

#[cfg(test)]
fn wrap(id: u32, tag: u8, op: &[u8]) -> Vec<u8> {
    let id = int_bytes(id);
    let mut seq = vec![0x02, id.len() as u8];
    seq.extend_from_slice(&id);
    seq.push(tag);
    push_len(&mut seq, op.len());
    seq.extend_from_slice(op);
    let mut out = vec![0x30];
    push_len(&mut out, seq.len());
    out.extend_from_slice(&seq);
    out
}

#[cfg(test)]
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_bind_and_search() {
        let b = bind_request(1, b"");
        let (m, used) = parse_message(&b).unwrap().unwrap();
        assert_eq!(used, b.len());
        assert_eq!(
            m,
            Message {
                id: 1,
                op: Op::Bind { name: vec![] }
            }
        );
        let s = search_request(2, b"rmp0123456789abcdef");
        let mut both = b.clone();
        both.extend_from_slice(&s);
        let (_, used) = parse_message(&both).unwrap().unwrap();
        let (m, _) = parse_message(&both[used..]).unwrap().unwrap();
        assert_eq!(
            m.op,
            Op::Search {
                base: b"rmp0123456789abcdef".to_vec()
            }
        );
        assert_eq!(parse_message(&s[..s.len() - 1]).unwrap(), None);
        assert_eq!(parse_message(&[]).unwrap(), None);
        let long = search_request(300, &[b'a'; 200]);
        assert_eq!(parse_message(&long).unwrap().unwrap().0.id, 300);
    }

    #[test]
    fn refuses_what_is_not_ldap() {
        assert!(parse_message(b"GET / HTTP/1.1\r\n").is_err());
        assert!(parse_message(&[0x30, 0x80]).is_err());
        assert_eq!(
            parse_message(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            Err(BerError::TooLarge)
        );
        assert!(parse_message(&[0x30, 0x03, 0x02, 0x05, 0x01]).is_err());
    }

    #[test]
    fn answers_are_ldap_results() {
        assert_eq!(
            bind_response(1),
            vec![
                0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
            ]
        );
        assert_eq!(search_done(200)[2..6], [0x02, 0x02, 0x00, 0xc8]);
        let (m, _) = parse_message(&search_done(7)).unwrap().unwrap();
        assert_eq!(
            m,
            Message {
                id: 7,
                op: Op::Other(0x65)
            }
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_message(&bytes);
        }

        #[test]
        fn never_panics_on_ber_looking_bytes(mut bytes in proptest::collection::vec(any::<u8>(), 2..100)) {
            bytes[0] = 0x30;
            bytes[1] = (bytes.len() - 2).min(0x7f) as u8;
            let _ = parse_message(&bytes);
        }

        #[test]
        fn round_trips_search_bases(base in proptest::collection::vec(any::<u8>(), 0..120), id in 0u32..100_000) {
            let (m, _) = parse_message(&search_request(id, &base)).unwrap().unwrap();
            prop_assert_eq!(m, Message { id, op: Op::Search { base } });
        }
    }
}
