//! Targets as the user names them: hosts, `host:port`, URLs and CIDR ranges, and the port list.
//!
//! Only what is named is touched: a host is tried on the port list, `host:port` and URLs on
//! their one port, a CIDR range on every address in it (capped by `max_hosts`).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::ScanError;

/// How to speak to a port, when the target says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// Where the addresses of a target come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts {
    /// A host name, resolved when the scan runs.
    Name(String),
    /// One address.
    Addr(IpAddr),
    /// Every address of a range.
    Range(IpNet),
}

/// One target as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The text as given (for messages).
    pub given: String,
    /// Its addresses.
    pub hosts: Hosts,
    /// Its one port, when the target names it (`host:port`, a URL).
    pub port: Option<u16>,
    /// Its scheme, when the target is a URL.
    pub scheme: Option<Scheme>,
}

impl Target {
    /// How many addresses this target covers.
    pub fn address_count(&self) -> u128 {
        match &self.hosts {
            Hosts::Name(_) | Hosts::Addr(_) => 1,
            Hosts::Range(net) => range_size(net),
        }
    }
}

/// Addresses of a range that are scanned (for IPv4 ranges wider than /31, the network and
/// broadcast addresses are left out, as `IpNet::hosts` does).
fn range_size(net: &IpNet) -> u128 {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    let all = if host_bits >= 128 {
        u128::MAX
    } else {
        1u128 << host_bits
    };
    match net {
        IpNet::V4(_) if host_bits >= 2 => all - 2,
        _ => all,
    }
}

/// Reads one target: `host`, `host:port`, `[v6]:port`, `http(s)://host[:port][/path]`, an
/// address, or a CIDR range.
pub fn parse_target(s: &str) -> Result<Target, ScanError> {
    let given = s.trim();
    let bad = |reason: &str| ScanError::Target {
        target: given.to_owned(),
        reason: reason.to_owned(),
    };
    if given.is_empty() {
        return Err(bad("empty"));
    }
    if let Some((scheme, rest)) = given.split_once("://") {
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return Err(bad("only http:// and https:// URLs can be scanned")),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("URLs with credentials are not accepted"));
        }
        let (hosts, port) = host_port(authority).map_err(|r| bad(&r))?;
        let port = port.unwrap_or(match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        });
        return Ok(Target {
            given: given.to_owned(),
            hosts,
            port: Some(port),
            scheme: Some(scheme),
        });
    }
    if given.contains('/') {
        let net: IpNet = given
            .parse()
            .map_err(|_| bad("not a CIDR range (e.g. 192.0.2.0/24)"))?;
        return Ok(Target {
            given: given.to_owned(),
            hosts: Hosts::Range(net.trunc()),
            port: None,
            scheme: None,
        });
    }
    let (hosts, port) = host_port(given).map_err(|r| bad(&r))?;
    Ok(Target {
        given: given.to_owned(),
        hosts,
        port,
        scheme: None,
    })
}

/// Splits `host`, `host:port`, `[v6]` or `[v6]:port`.
fn host_port(s: &str) -> Result<(Hosts, Option<u16>), String> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok((Hosts::Addr(ip), None));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed [ in an IPv6 address".to_owned())?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| "expected :port after ]".to_owned())?,
            ),
        };
        (h, port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("bad port {p:?}"))?,
        ),
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok((Hosts::Addr(ip), port));
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !valid {
        return Err("not a host name, address, URL or CIDR range".into());
    }
    Ok((Hosts::Name(name), port))
}

/// Reads a port list: `80,443,8000-8100`. Duplicates are dropped; order is kept.
pub fn parse_ports(spec: &str) -> Result<Vec<u16>, ScanError> {
    let bad = |reason: String| ScanError::Ports {
        spec: spec.to_owned(),
        reason,
    };
    let mut seen = vec![false; 65536];
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let num = |p: &str| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(format!("{p:?} is not a port (1-65535)")))
        };
        let (lo, hi) = (num(lo)?, num(hi)?);
        if lo > hi {
            return Err(bad(format!("range {part} runs backwards")));
        }
        for p in lo..=hi {
            if !seen[usize::from(p)] {
                seen[usize::from(p)] = true;
                out.push(p);
            }
        }
    }
    if out.is_empty() {
        return Err(bad("no ports".into()));
    }
    Ok(out)
}

/// The default port list: 80, 443, 8080, 8443.
pub const DEFAULT_PORTS: &[u16] = &[80, 443, 8080, 8443];

/// Reads a targets file: one target per line; blank lines and `#` comments are skipped.
pub fn parse_targets_file(text: &str) -> Result<Vec<Target>, ScanError> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(parse_target)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_every_target_form() {
        let t = parse_target("127.0.0.1").unwrap();
        assert_eq!(t.hosts, Hosts::Addr("127.0.0.1".parse().unwrap()));
        assert_eq!(t.port, None);
        let t = parse_target("127.0.0.1:8443").unwrap();
        assert_eq!(t.port, Some(8443));
        let t = parse_target("Api.Example.com").unwrap();
        assert_eq!(t.hosts, Hosts::Name("api.example.com".into()));
        let t = parse_target("https://api.example.com/v1?x").unwrap();
        assert_eq!((t.port, t.scheme), (Some(443), Some(Scheme::Https)));
        let t = parse_target("http://[::1]:8080/").unwrap();
        assert_eq!(t.hosts, Hosts::Addr("::1".parse().unwrap()));
        assert_eq!(t.port, Some(8080));
        let t = parse_target("10.0.0.7/24").unwrap();
        assert_eq!(t.hosts, Hosts::Range("10.0.0.0/24".parse().unwrap()));
        assert_eq!(t.address_count(), 254);
        assert_eq!(parse_target("10.0.0.1/32").unwrap().address_count(), 1);
        assert_eq!(parse_target("::1").unwrap().port, None);
    }

    #[test]
    fn refuses_what_is_not_a_target() {
        for bad in [
            "",
            "ftp://x",
            "http://user:pw@x/",
            "a b",
            "host:0",
            "host:99999",
            "10.0.0.0/33",
            "[::1",
        ] {
            assert!(parse_target(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn port_lists_and_ranges() {
        assert_eq!(parse_ports("80, 443,80").unwrap(), vec![80, 443]);
        assert_eq!(
            parse_ports("20000-20002").unwrap(),
            vec![20000, 20001, 20002]
        );
        assert_eq!(parse_ports("1-65535").unwrap().len(), 65535);
        assert!(parse_ports("9-1").is_err());
        assert!(parse_ports("0").is_err());
        assert!(parse_ports("").is_err());
    }

    #[test]
    fn targets_file_skips_comments() {
        let t = parse_targets_file("# estate\n127.0.0.1:80\n\nhttps://localhost # tls\n").unwrap();
        assert_eq!(t.len(), 2);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = parse_target(&s);
            let _ = parse_ports(&s);
        }
    }
}
