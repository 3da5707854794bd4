//! The client's address: the peer, unless the peer is a trusted proxy, in which case the
//! right-most untrusted address of `X-Forwarded-For` / `Forwarded`.

use std::net::IpAddr;

use ipnet::IpNet;
use rampart_core::Exchange;

/// Replaces `ex.client` with the address a trusted proxy forwarded for, when the peer is one.
pub fn resolve_client(ex: &mut Exchange, trusted: &[IpNet]) {
    if trusted.is_empty() {
        return;
    }
    let Some(peer) = ex.client else {
        return;
    };
    if !is_trusted(peer, trusted) {
        return;
    }
    let mut chain: Vec<IpAddr> = Vec::new();
    for v in ex.request_headers.get_all("forwarded") {
        chain.extend(v.split(',').filter_map(forwarded_for));
    }
    if chain.is_empty() {
        for v in ex.request_headers.get_all("x-forwarded-for") {
            chain.extend(v.split(',').filter_map(|s| parse_addr(s.trim())));
        }
    }
    // Right to left: each trusted hop vouches for the one before it.
    if let Some(client) = chain.iter().rev().find(|ip| !is_trusted(**ip, trusted)) {
        ex.client = Some(*client);
    } else if let Some(first) = chain.first() {
        ex.client = Some(*first);
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    trusted.iter().any(|net| net.contains(&ip))
}

/// The `for=` address of one `Forwarded` element (RFC 7239).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("for") {
            return None;
        }
        parse_addr(v.trim().trim_matches('"'))
    })
}

/// An address as written in forwarding headers: `1.2.3.4`, `1.2.3.4:5678`, `[::1]:80`, `::1`.
fn parse_addr(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let (host, _) = s.rsplit_once(':')?;
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(peer: &str, header: (&str, &str)) -> Exchange {
        let mut e = Exchange {
            client: Some(peer.parse().unwrap()),
            ..Exchange::default()
        };
        e.request_headers.push(header.0, header.1);
        e
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_peers() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut a = ex("10.1.1.1", ("x-forwarded-for", "203.0.113.7, 10.2.2.2"));
        resolve_client(&mut a, &trusted);
        assert_eq!(a.client, Some("203.0.113.7".parse().unwrap()));
        let mut spoof = ex("198.51.100.1", ("x-forwarded-for", "1.1.1.1"));
        resolve_client(&mut spoof, &trusted);
        assert_eq!(spoof.client, Some("198.51.100.1".parse().unwrap()));
        // A client-supplied value left of the real one is not believed.
        let mut chain = ex("10.1.1.1", ("x-forwarded-for", "1.1.1.1, 203.0.113.9"));
        resolve_client(&mut chain, &trusted);
        assert_eq!(chain.client, Some("203.0.113.9".parse().unwrap()));
    }

    #[test]
    fn forwarded_rfc7239_is_read() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut a = ex(
            "10.1.1.1",
            (
                "forwarded",
                "for=\"[2001:db8::1]:4711\";proto=https, for=10.3.3.3",
            ),
        );
        resolve_client(&mut a, &trusted);
        assert_eq!(a.client, Some("2001:db8::1".parse().unwrap()));
        let mut b = ex("10.1.1.1", ("forwarded", "for=garbage"));
        resolve_client(&mut b, &trusted);
        assert_eq!(b.client, Some("10.1.1.1".parse().unwrap()));
    }
}
