//! The TLS 1.0 / 1.1 probe. rustls cannot speak these versions, so acceptance is detected by
//! hand: a ClientHello offering exactly one old version (and the CBC, 3DES and RC4 suites such
//! servers choose from) is sent over a plain TCP stream, and the first record of the answer is
//! read. A ServerHello choosing that version (or an older one) means the version is accepted;
//! an alert or a closed connection means it is refused. No handshake is completed, and no
//! application data is sent.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// TLS 1.0's version number on the wire.
pub const TLS1_0: u16 = 0x0301;
/// TLS 1.1's version number on the wire.
pub const TLS1_1: u16 = 0x0302;

/// The suites offered: what TLS 1.0 / 1.1 servers pick from (ECDHE and RSA key exchange with
/// AES-CBC, 3DES, RC4) and the renegotiation SCSV.
const SUITES: &[u16] = &[
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a, 0x0005, 0x0004, 0x00ff,
];

/// Most bytes read from the answer.
const MAX_ANSWER: usize = 16 * 1024;

/// A version's usual name.
pub fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSL 3.0",
        TLS1_0 => "TLS 1.0",
        TLS1_1 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        _ => "an unknown version",
    }
}

/// A ClientHello record offering only `version`, with the SNI extension when `sni` is a host
/// name (never for an address), supported groups, point formats and renegotiation info.
pub fn client_hello(version: u16, sni: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(name) = sni.filter(|n| n.parse::<std::net::IpAddr>().is_err() && !n.is_empty()) {
        let name = &name.as_bytes()[..name.len().min(255)];
        let list_len = name.len() + 3;
        push16(&mut ext, 0x0000);
        push16(&mut ext, (list_len + 2) as u16);
        push16(&mut ext, list_len as u16);
        ext.push(0); // host_name
        push16(&mut ext, name.len() as u16);
        ext.extend_from_slice(name);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    ext.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18,
    ]);
    // ec_point_formats: uncompressed.
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // renegotiation_info, empty.
    ext.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);

    let mut body = Vec::new();
    push16(&mut body, version);
    body.extend_from_slice(&random);
    body.push(0); // no session id
    push16(&mut body, (SUITES.len() * 2) as u16);
    for s in SUITES {
        push16(&mut body, *s);
    }
    body.extend_from_slice(&[0x01, 0x00]); // compression: null only
    push16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);

    let mut hs = vec![0x01];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);

    let mut record = vec![0x16];
    // The record layer says TLS 1.0 for compatibility, as clients do.
    push16(&mut record, TLS1_0);
    push16(&mut record, hs.len() as u16);
    record.extend_from_slice(&hs);
    record
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// How the server answered the old ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello choosing this version.
    ServerHello {
        /// The version the server chose.
        version: u16,
    },
    /// An alert (level, description), e.g. protocol_version (70) or handshake_failure (40).
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// The alert's code.
        description: u8,
    },
    /// Something that is not TLS, or a handshake message other than ServerHello.
    NotTls,
}

/// Reads the first record of an answer: `None` while more bytes are needed.
pub fn parse_answer(buf: &[u8]) -> Option<Answer> {
    if buf.len() < 5 {
        return None;
    }
    let (kind, major, len) = (
        buf[0],
        buf[1],
        u16::from_be_bytes([buf[3], buf[4]]) as usize,
    );
    if major != 3 || len == 0 || len > 18_432 {
        return Some(Answer::NotTls);
    }
    let payload = &buf[5..];
    match kind {
        0x15 => {
            if payload.len() < 2 {
                return None;
            }
            Some(Answer::Alert {
                level: payload[0],
                description: payload[1],
            })
        }
        0x16 => {
            // handshake type (1), length (3), server_version (2).
            if payload.len() < 6 {
                return if len < 6 { Some(Answer::NotTls) } else { None };
            }
            if payload[0] != 0x02 {
                return Some(Answer::NotTls);
            }
            Some(Answer::ServerHello {
                version: u16::from_be_bytes([payload[4], payload[5]]),
            })
        }
        _ => Some(Answer::NotTls),
    }
}

/// Whether `answer` means the offered `version` is accepted.
pub fn accepts(answer: &Answer, offered: u16) -> bool {
    matches!(answer, Answer::ServerHello { version } if *version <= offered && *version >= 0x0300)
}

/// Sends the old ClientHello over `tcp` and reads the answer (a closed connection or EOF
/// before a whole record reads as a refusal).
pub(crate) async fn probe(
    mut tcp: TcpStream,
    version: u16,
    sni: Option<&str>,
    random: [u8; 32],
) -> std::io::Result<Answer> {
    tcp.write_all(&client_hello(version, sni, random)).await?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Answer::Alert {
                level: 2,
                description: 0,
            });
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(answer) = parse_answer(&buf) {
            return Ok(answer);
        }
        if buf.len() >= MAX_ANSWER {
            return Ok(Answer::NotTls);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hello_is_well_formed() {
        let h = client_hello(TLS1_1, Some("api.example.com"), [7; 32]);
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        let rec_len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(rec_len, h.len() - 5);
        assert_eq!(h[5], 0x01, "client_hello");
        let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
        assert_eq!(hs_len, h.len() - 9);
        assert_eq!(&h[9..11], &[0x03, 0x02], "offers TLS 1.1");
        assert_eq!(&h[11..43], &[7; 32]);
        assert_eq!(h[43], 0, "no session id");
        let suites_len = u16::from_be_bytes([h[44], h[45]]) as usize;
        assert_eq!(suites_len, SUITES.len() * 2);
        let after = 46 + suites_len;
        assert_eq!(&h[after..after + 2], &[0x01, 0x00]);
        let ext_len = u16::from_be_bytes([h[after + 2], h[after + 3]]) as usize;
        assert_eq!(ext_len, h.len() - after - 4);
        let ext = &h[after + 4..];
        assert_eq!(&ext[..2], &[0, 0], "SNI first");
        assert!(ext.windows(15).any(|w| w == b"api.example.com"));
    }

    #[test]
    fn no_sni_for_addresses() {
        let h = client_hello(TLS1_0, Some("127.0.0.1"), [0; 32]);
        assert!(!h.windows(9).any(|w| w == b"127.0.0.1"));
        assert_eq!(&h[9..11], &[0x03, 0x01]);
    }

    #[test]
    fn reads_server_hello_and_alerts() {
        let hello = [
            0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01, 0xaa,
        ];
        assert_eq!(
            parse_answer(&hello),
            Some(Answer::ServerHello { version: TLS1_0 })
        );
        assert!(accepts(&parse_answer(&hello).unwrap(), TLS1_0));
        assert!(!accepts(&Answer::ServerHello { version: 0x0303 }, TLS1_1));
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
        assert_eq!(
            parse_answer(&alert),
            Some(Answer::Alert {
                level: 2,
                description: 70
            })
        );
        assert_eq!(parse_answer(&alert[..4]), None);
        assert_eq!(
            parse_answer(b"HTTP/1.1 400 Bad Request\r\n"),
            Some(Answer::NotTls)
        );
        assert_eq!(
            parse_answer(&[0x16, 0x03, 0x01, 0x00, 0x10, 0x02, 0x00]),
            None
        );
    }

    proptest! {
        #[test]
        fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_answer(&bytes);
        }

        #[test]
        fn hello_lengths_agree(name in "[a-z0-9.-]{0,300}", v in prop_oneof![Just(TLS1_0), Just(TLS1_1)]) {
            let h = client_hello(v, Some(&name), [1; 32]);
            prop_assert_eq!(u16::from_be_bytes([h[3], h[4]]) as usize, h.len() - 5);
        }
    }
}
