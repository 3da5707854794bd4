//! Log4Shell against real servers: one performs a JNDI-style lookup of a header value (it reads
//! `${jndi:ldap://host:port/token}` from X-Api-Version and sends an LDAP BindRequest and
//! SearchRequest there), one does not. Only the first gets a finding, naming the header.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rampart_core::Severity;
use rampart_scan::FindingKind;

/// BER: tag, short or two-byte length, value.
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if value.len() < 0x80 {
        out.push(value.len() as u8);
    } else {
        out.extend_from_slice(&[0x82, (value.len() >> 8) as u8, value.len() as u8]);
    }
    out.extend_from_slice(value);
    out
}

fn message(id: u8, op: Vec<u8>) -> Vec<u8> {
    let mut body = tlv(0x02, &[id]);
    body.extend(op);
    tlv(0x30, &body)
}

/// What a vulnerable JNDI client does with `ldap://host:port/dn`: bind anonymously, then search
/// for the DN as the base object; each answer is read before going on.
fn jndi_lookup(value: &str) -> bool {
    let Some(start) = value.find("${jndi:ldap://") else {
        return false;
    };
    let rest = &value[start + "${jndi:ldap://".len()..];
    let Some(end) = rest.find('}') else {
        return false;
    };
    let Some((hostport, dn)) = rest[..end].split_once('/') else {
        return false;
    };
    let Ok(mut s) = TcpStream::connect(hostport) else {
        return false;
    };
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut bind = tlv(0x02, &[3]);
    bind.extend(tlv(0x04, b""));
    bind.extend(tlv(0x80, b""));
    s.write_all(&message(1, tlv(0x60, &bind))).unwrap();
    let mut answer = [0u8; 64];
    let n = s.read(&mut answer).unwrap_or(0);
    assert!(answer[..n].contains(&0x61), "a BindResponse");
    let mut search = tlv(0x04, dn.as_bytes());
    search.extend(tlv(0x0a, &[0]));
    search.extend(tlv(0x0a, &[0]));
    search.extend(tlv(0x02, &[0]));
    search.extend(tlv(0x02, &[0]));
    search.extend(tlv(0x01, &[0]));
    search.extend(tlv(0x87, b"objectClass"));
    search.extend(tlv(0x30, b""));
    s.write_all(&message(2, tlv(0x63, &search))).unwrap();
    let n = s.read(&mut answer).unwrap_or(0);
    n > 0 && answer[..n].contains(&0x65)
}

#[tokio::test]
async fn only_the_server_that_looks_up_the_payload_is_reported() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let vulnerable = serve(Arc::new(move |r: &Seen| {
        if let Some(v) = r.headers.get("x-api-version").and_then(|v| v.to_str().ok()) {
            if jndi_lookup(v) {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }
        Reply::new(200, "text/plain", "ok")
    }))
    .await;
    let seen_payloads = Arc::new(AtomicUsize::new(0));
    let seen = seen_payloads.clone();
    let safe = serve(Arc::new(move |r: &Seen| {
        if r.headers
            .values()
            .any(|v| v.to_str().unwrap_or("").contains("${jndi:"))
            || r.path.contains("jndi")
        {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        Reply::new(200, "text/plain", "ok")
    }))
    .await;

    let mut opts = options();
    opts.log4shell.enabled = true;
    let report = scan(&[vulnerable, safe], opts).await;
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "the listener answered the lookup"
    );
    assert_eq!(
        seen_payloads.load(Ordering::SeqCst),
        7,
        "five headers, a query, a dns payload"
    );
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Log4shell)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.target, vulnerable.to_string());
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.evidence.len(), 1);
    assert!(
        f.evidence[0].starts_with("header X-Api-Version carried ${jndi:ldap://127.0.0.1:"),
        "{:?}",
        f.evidence
    );
    assert!(
        f.evidence[0].contains("LDAP listener received a SearchRequest"),
        "{:?}",
        f.evidence
    );
    assert_eq!(report.log4shell_payloads, 14);
    assert_eq!(report.callbacks, 1);
}

#[tokio::test]
async fn no_log4shell_sends_no_payload() {
    let seen_payloads = Arc::new(AtomicUsize::new(0));
    let seen = seen_payloads.clone();
    let addr = serve(Arc::new(move |r: &Seen| {
        if r.headers
            .values()
            .any(|v| v.to_str().unwrap_or("").contains("jndi"))
        {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        Reply::new(200, "text/plain", "ok")
    }))
    .await;
    let report = scan(&[addr], options()).await;
    assert_eq!(seen_payloads.load(Ordering::SeqCst), 0);
    assert_eq!(report.log4shell_payloads, 0);
}
