//! Who the client is, and what the upstream is told about it.
//!
//! The client address is the peer's, unless the peer is a trusted proxy: then it is the
//! rightmost `X-Forwarded-For` hop (or RFC 7239 `Forwarded: for=`) that is not itself trusted.
//! Headers from untrusted peers are replaced, never extended, so a client cannot forge its
//! address. Hop-by-hop headers are stripped in both directions.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// The peer address in canonical form (an IPv4-mapped IPv6 address becomes IPv4).
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Whether `ip` is in one of the trusted networks.
pub(crate) fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = canonical(ip);
    trusted.iter().any(|n| n.contains(&ip))
}

/// The client address after trusted-proxy handling.
pub(crate) fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let mut hops: Vec<&str> = Vec::new();
    for v in headers.get_all(&X_FORWARDED_FOR) {
        if let Ok(v) = v.to_str() {
            hops.extend(v.split(','));
        }
    }
    if hops.is_empty() {
        for v in headers.get_all(header::FORWARDED) {
            if let Ok(v) = v.to_str() {
                hops.extend(v.split(',').filter_map(forwarded_for));
            }
        }
    }
    // Walk from the nearest hop outwards; the first one we do not trust is the client. A hop
    // we cannot read ends the walk: everything left of it may be forged.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip;
                if !is_trusted(ip, trusted) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// The `for=` value of one `Forwarded` element, quotes removed.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("for")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// Reads one hop: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = hop.parse::<SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let inner = hop.strip_prefix('[')?.strip_suffix(']')?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

/// What the proxy knows about the hop it received the request on.
pub(crate) struct Hop<'a> {
    /// The peer's address.
    pub(crate) peer: IpAddr,
    /// Whether the peer is a trusted proxy.
    pub(crate) trusted: bool,
    /// `http` or `https`.
    pub(crate) proto: &'static str,
    /// The host the client asked for, as sent (port included).
    pub(crate) host: Option<&'a str>,
}

/// Sets `X-Forwarded-For`, `Forwarded`, `X-Forwarded-Proto` and `X-Forwarded-Host` on a request
/// going upstream. From a trusted peer the chains are extended and existing proto/host kept;
/// otherwise every incoming value is replaced.
pub(crate) fn apply(headers: &mut HeaderMap, hop: &Hop<'_>) {
    let peer = canonical(hop.peer);
    let mut peer_text = String::with_capacity(48);
    push_ip(&mut peer_text, peer);

    let mut xff = String::new();
    if hop.trusted {
        if let Some(prior) = join(headers, &X_FORWARDED_FOR) {
            xff = prior;
            xff.push_str(", ");
        }
    }
    xff.push_str(&peer_text);
    set_owned(headers, &X_FORWARDED_FOR, xff);

    let mut forwarded = String::with_capacity(64);
    if hop.trusted {
        if let Some(prior) = join(headers, &header::FORWARDED) {
            forwarded = prior;
            forwarded.push_str(", ");
        }
    }
    forwarded.push_str("for=");
    match peer {
        IpAddr::V6(_) => {
            forwarded.push_str("\"[");
            forwarded.push_str(&peer_text);
            forwarded.push_str("]\"");
        }
        IpAddr::V4(_) => forwarded.push_str(&peer_text),
    }
    forwarded.push_str(";proto=");
    forwarded.push_str(hop.proto);
    if let Some(host) = hop.host.filter(|h| !h.contains(['"', '\\'])) {
        forwarded.push_str(";host=\"");
        forwarded.push_str(host);
        forwarded.push('"');
    }
    set_owned(headers, &header::FORWARDED, forwarded);

    if !(hop.trusted && headers.contains_key(&X_FORWARDED_PROTO)) {
        let proto = match hop.proto {
            "https" => HeaderValue::from_static("https"),
            "http" => HeaderValue::from_static("http"),
            other => match HeaderValue::from_str(other) {
                Ok(v) => v,
                Err(_) => HeaderValue::from_static("http"),
            },
        };
        headers.insert(X_FORWARDED_PROTO.clone(), proto);
    }
    if !(hop.trusted && headers.contains_key(&X_FORWARDED_HOST)) {
        match hop.host {
            Some(host) => set(headers, &X_FORWARDED_HOST, host),
            None => {
                headers.remove(&X_FORWARDED_HOST);
            }
        }
    }
}

/// The names [`apply`] sets or removes.
fn forwarding_names() -> [&'static HeaderName; 4] {
    [
        &X_FORWARDED_FOR,
        &header::FORWARDED,
        &X_FORWARDED_PROTO,
        &X_FORWARDED_HOST,
    ]
}

/// The forwarding headers of one connection's untrusted peer. They depend only on the peer,
/// the scheme and the host the request named, which stay the same from one request of a
/// kept-alive connection to the next: built once, they are handed out as shared values.
#[derive(Default)]
pub(crate) struct ForwardCache(Mutex<Option<CachedHop>>);

struct CachedHop {
    host: Option<String>,
    values: [Option<HeaderValue>; 4],
}

/// [`apply`], with the values for an untrusted peer taken from `cache` when the host is the
/// one they were built for. A trusted peer's chains depend on what it sent, so they are built
/// each time.
pub(crate) fn apply_cached(headers: &mut HeaderMap, hop: &Hop<'_>, cache: &ForwardCache) {
    if hop.trusted {
        apply(headers, hop);
        return;
    }
    let mut slot = cache.0.lock().unwrap_or_else(PoisonError::into_inner);
    let fresh = match slot.as_ref() {
        Some(c) => c.host.as_deref() != hop.host,
        None => true,
    };
    if fresh {
        // From an untrusted peer every incoming value is replaced, so what `apply` gives on
        // an empty head is what it gives on any head.
        let mut built = HeaderMap::with_capacity(4);
        apply(&mut built, hop);
        *slot = Some(CachedHop {
            host: hop.host.map(str::to_owned),
            values: forwarding_names().map(|n| built.get(n).cloned()),
        });
    }
    let Some(cached) = slot.as_ref() else { return };
    for (name, value) in forwarding_names().into_iter().zip(&cached.values) {
        match value {
            Some(v) => {
                headers.insert(name.clone(), v.clone());
            }
            None => {
                headers.remove(name);
            }
        }
    }
}

/// Appends an address in its usual text form; IPv4, the common case, without the formatter.
fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(v6) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{v6}");
        }
    }
}

/// All values of a header joined with `, `; `None` when absent or not text.
fn join(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut out: Option<String> = None;
    for v in headers.get_all(name) {
        let Ok(v) = v.to_str() else { return None };
        match &mut out {
            Some(s) => {
                s.push_str(", ");
                s.push_str(v);
            }
            None => out = Some(v.to_owned()),
        }
    }
    out
}

/// [`set`] for a value built here: its buffer becomes the header value without a copy.
fn set_owned(headers: &mut HeaderMap, name: &HeaderName, value: String) {
    match HeaderValue::from_maybe_shared(bytes::Bytes::from(value)) {
        Ok(v) => {
            headers.insert(name.clone(), v);
        }
        Err(_) => {
            headers.remove(name);
        }
    }
}

fn set(headers: &mut HeaderMap, name: &HeaderName, value: &str) {
    match HeaderValue::from_str(value) {
        Ok(v) => {
            headers.insert(name.clone(), v);
        }
        Err(_) => {
            headers.remove(name);
        }
    }
}

/// Removes hop-by-hop headers: `Connection` and the headers it names, `Keep-Alive`, `TE`,
/// `Trailer`, `Transfer-Encoding`, `Upgrade` and every `Proxy-*`. With `keep_upgrade` (a
/// WebSocket handshake) `Upgrade` survives and `Connection: upgrade` is set again.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap, keep_upgrade: bool) {
    // One pass over the names says what there is to strip: most requests carry no hop-by-hop
    // header, and most responses only `Connection: keep-alive`, which is removed without
    // collecting anything.
    let mut connection = false;
    let mut others = false;
    for name in headers.keys() {
        if is_hop_by_hop(name, keep_upgrade) {
            if *name == header::CONNECTION {
                connection = true;
            } else {
                others = true;
                break;
            }
        }
    }
    if !others && !keep_upgrade {
        if !connection {
            return;
        }
        let connection_alone = headers
            .get_all(header::CONNECTION)
            .iter()
            .all(|v| names_no_header(v.as_bytes()));
        if connection_alone {
            headers.remove(header::CONNECTION);
            return;
        }
    }
    strip_listed(headers, keep_upgrade);
}

/// Whether a `Connection` value lists only `keep-alive`, `close` or nothing.
fn names_no_header(value: &[u8]) -> bool {
    value.split(|&b| b == b',').all(|token| {
        let token = token.trim_ascii();
        token.is_empty()
            || token.eq_ignore_ascii_case(b"keep-alive")
            || token.eq_ignore_ascii_case(b"close")
    })
}

/// The general case of [`strip_hop_by_hop`]: collects every hop-by-hop name, those that
/// `Connection` lists included, and removes them.
fn strip_listed(headers: &mut HeaderMap, keep_upgrade: bool) {
    let mut fixed: [Option<HeaderName>; 6] = Default::default();
    let mut found = 0;
    let mut others: Vec<HeaderName> = Vec::new();
    for name in headers.keys() {
        if !is_hop_by_hop(name, keep_upgrade) {
            continue;
        }
        if name.as_str().starts_with("proxy-") {
            others.push(name.clone());
        } else if found < fixed.len() {
            // `keys` names each header once, and six names are hop-by-hop by themselves.
            fixed[found] = Some(name.clone());
            found += 1;
        }
    }
    if fixed[..found]
        .iter()
        .flatten()
        .any(|n| *n == header::CONNECTION)
    {
        for v in headers.get_all(header::CONNECTION) {
            let Ok(v) = v.to_str() else { continue };
            for token in v.split(',') {
                let token = token.trim();
                if token.eq_ignore_ascii_case("keep-alive")
                    || token.eq_ignore_ascii_case("close")
                    || token.is_empty()
                {
                    continue;
                }
                if let Ok(name) = HeaderName::from_bytes(token.as_bytes()) {
                    if !(keep_upgrade && name == header::UPGRADE) {
                        others.push(name);
                    }
                }
            }
        }
    }
    for name in fixed.into_iter().flatten().chain(others) {
        headers.remove(name);
    }
    if keep_upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    }
}

/// Whether a header is hop-by-hop by its name alone (`Connection` may name more).
fn is_hop_by_hop(name: &HeaderName, keep_upgrade: bool) -> bool {
    // Names are lower case; the first letter rules out almost every header at once.
    let s = name.as_str();
    match s.as_bytes().first() {
        Some(b'c') => s == "connection",
        Some(b'k') => s == "keep-alive",
        Some(b't') => s == "te" || s == "trailer" || s == "transfer-encoding",
        Some(b'u') => !keep_upgrade && s == "upgrade",
        Some(b'p') => s.starts_with("proxy-"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn addresses_are_written_as_the_standard_library_writes_them(bits: u32, hi: u128) {
            for ip in [IpAddr::from(bits.to_be_bytes()), IpAddr::from(hi.to_be_bytes())] {
                let mut out = String::new();
                push_ip(&mut out, ip);
                proptest::prop_assert_eq!(out, ip.to_string());
            }
        }
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let h = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(
            client_addr(ip("9.9.9.9"), &h, &nets(&["10.0.0.0/8"])),
            ip("9.9.9.9")
        );
    }

    #[test]
    fn trusted_peers_give_the_rightmost_untrusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 1.2.3.4"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &trusted), ip("1.2.3.4"));
        let all_trusted = headers(&[("x-forwarded-for", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(
            client_addr(ip("10.0.0.1"), &all_trusted, &trusted),
            ip("10.1.1.1")
        );
        let garbage = headers(&[("x-forwarded-for", "1.1.1.1, junk, 10.0.0.3")]);
        assert_eq!(
            client_addr(ip("10.0.0.1"), &garbage, &trusted),
            ip("10.0.0.3")
        );
        let none = HeaderMap::new();
        assert_eq!(client_addr(ip("10.0.0.1"), &none, &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn forwarded_for_is_read_when_there_is_no_xff() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[(
            "forwarded",
            "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.9",
        )]);
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &trusted), ip("2001:db8::1"));
        let h = headers(&[("forwarded", "for=192.0.2.60:80;by=203.0.113.43")]);
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &trusted), ip("192.0.2.60"));
    }

    #[test]
    fn mapped_ipv6_peers_are_seen_as_ipv4() {
        let h = headers(&[("x-forwarded-for", "8.8.8.8")]);
        let trusted = nets(&["127.0.0.0/8"]);
        assert_eq!(
            client_addr(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("8.8.8.8")
        );
    }

    #[test]
    fn untrusted_hops_get_fresh_headers() {
        let mut h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("forwarded", "for=1.1.1.1"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil"),
        ]);
        let hop = Hop {
            peer: ip("9.9.9.9"),
            trusted: false,
            proto: "http",
            host: Some("api.test:8080"),
        };
        apply(&mut h, &hop);
        assert_eq!(h["x-forwarded-for"], "9.9.9.9");
        assert_eq!(
            h["forwarded"],
            "for=9.9.9.9;proto=http;host=\"api.test:8080\""
        );
        assert_eq!(h["x-forwarded-proto"], "http");
        assert_eq!(h["x-forwarded-host"], "api.test:8080");
    }

    #[test]
    fn trusted_hops_extend_the_chains() {
        let mut h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "2.2.2.2"),
            ("forwarded", "for=1.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let hop = Hop {
            peer: ip("::1"),
            trusted: true,
            proto: "http",
            host: None,
        };
        apply(&mut h, &hop);
        assert_eq!(h["x-forwarded-for"], "1.1.1.1, 2.2.2.2, ::1");
        assert_eq!(h["forwarded"], "for=1.1.1.1, for=\"[::1]\";proto=http");
        assert_eq!(h["x-forwarded-proto"], "https");
        assert!(!h.contains_key("x-forwarded-host"));
    }

    #[test]
    fn cached_values_are_the_ones_apply_gives() {
        let cache = ForwardCache::default();
        let forged = [
            ("x-forwarded-for", "6.6.6.6"),
            ("forwarded", "for=6.6.6.6"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "gopher"),
            ("accept", "*/*"),
        ];
        let hosts = [
            Some("shop.example"),
            Some("shop.example"),
            Some("api.example:8443"),
            None,
            Some("shop.example"),
        ];
        for (peer, trusted) in [("203.0.113.9", false), ("10.0.0.1", true)] {
            for host in hosts {
                let hop = Hop {
                    peer: ip(peer),
                    trusted,
                    proto: "https",
                    host,
                };
                let mut expected = headers(&forged);
                apply(&mut expected, &hop);
                let mut got = headers(&forged);
                apply_cached(&mut got, &hop, &cache);
                assert_eq!(got, expected, "peer {peer}, host {host:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn stripping_removes_exactly_the_hop_by_hop_headers(
            picks in proptest::collection::vec((0usize..11, 0usize..6), 0..12),
            keep_upgrade: bool,
        ) {
            const NAMES: [&str; 11] = [
                "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
                "proxy-authorization", "proxy-x", "x-a", "accept", "host",
            ];
            const VALUES: [&str; 6] = ["keep-alive", "close", "x-a", "upgrade, x-a", "accept", ""];
            let pairs: Vec<(&str, &str)> = picks.iter().map(|&(n, v)| (NAMES[n], VALUES[v])).collect();
            let mut got = headers(&pairs);
            strip_hop_by_hop(&mut got, keep_upgrade);
            let listed: Vec<&str> = pairs
                .iter()
                .filter(|(n, _)| *n == "connection")
                .flat_map(|(_, v)| v.split(','))
                .map(str::trim)
                .filter(|t| !t.is_empty() && *t != "keep-alive" && *t != "close")
                .filter(|t| !(keep_upgrade && *t == "upgrade"))
                .collect();
            let hop = |n: &str| {
                ["connection", "keep-alive", "te", "trailer", "transfer-encoding"].contains(&n)
                    || (n == "upgrade" && !keep_upgrade)
                    || n.starts_with("proxy-")
            };
            let mut expected = headers(&pairs);
            for (n, _) in &pairs {
                if hop(n) || listed.contains(n) {
                    expected.remove(*n);
                }
            }
            if keep_upgrade {
                expected.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
            }
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn hop_by_hop_headers_are_stripped() {
        let mut h = headers(&[
            ("connection", "keep-alive, x-secret"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("te", "trailers"),
            ("trailer", "x-t"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "h2c"),
            ("proxy-authorization", "Basic x"),
            ("proxy-connection", "keep-alive"),
            ("accept", "*/*"),
        ]);
        strip_hop_by_hop(&mut h, false);
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!(h["accept"], "*/*");
    }

    #[test]
    fn websocket_keeps_its_upgrade() {
        let mut h = headers(&[
            ("connection", "Upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-key", "k"),
        ]);
        strip_hop_by_hop(&mut h, true);
        assert_eq!(h["upgrade"], "websocket");
        assert_eq!(h["connection"], "upgrade");
        assert_eq!(h["sec-websocket-key"], "k");
    }
}
