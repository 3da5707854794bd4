//! The population of clients: addresses, user agents and credentials.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::values::random_chars;

const USER_AGENTS: &[&str] = &[
    "AcmeApp/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)",
    "AcmeApp/5.11.2 (iPhone; iOS 16.7.5; Scale/3.00)",
    "okhttp/4.12.0",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "axios/1.6.8",
    "PostmanRuntime/7.37.3",
];

/// How a client authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// `authorization: Bearer <jwt>`.
    Bearer(String),
    /// `x-api-key: <key>`.
    ApiKey(String),
    /// Nothing.
    Anonymous,
}

/// One client.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) ip: IpAddr,
    pub(crate) user_agent: &'static str,
    pub(crate) credential: Credential,
}

/// `count` clients (at least one), about one in seven on IPv6.
pub(crate) fn make_clients<R: Rng + ?Sized>(count: usize, host: &str, rng: &mut R) -> Vec<Client> {
    let mut seen = std::collections::HashSet::new();
    let mut clients = Vec::with_capacity(count.max(1));
    while clients.len() < count.max(1) {
        let ip = if rng.random_bool(0.15) {
            ipv6(rng)
        } else {
            public_ipv4(rng)
        };
        if !seen.insert(ip) {
            continue;
        }
        let credential = match rng.random_range(0..100) {
            0..=79 => Credential::Bearer(fake_jwt(host, rng)),
            80..=91 => Credential::ApiKey(format!(
                "ak_live_{}",
                random_chars(
                    rng,
                    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    32
                )
            )),
            _ => Credential::Anonymous,
        };
        clients.push(Client {
            ip,
            user_agent: USER_AGENTS.choose(rng).copied().unwrap_or("curl/8.5.0"),
            credential,
        });
    }
    clients
}

/// A public-looking IPv4 address (no private, loopback or multicast ranges).
pub(crate) fn public_ipv4<R: Rng + ?Sized>(rng: &mut R) -> IpAddr {
    loop {
        let a = rng.random_range(1..224u8);
        let b = rng.random::<u8>();
        if a == 10
            || a == 127
            || a == 0
            || (a == 172 && (16..32).contains(&b))
            || (a == 192 && b == 168)
            || (a == 100 && (64..128).contains(&b))
            || (a == 169 && b == 254)
        {
            continue;
        }
        return IpAddr::V4(Ipv4Addr::new(a, b, rng.random(), rng.random_range(1..255)));
    }
}

fn ipv6<R: Rng + ?Sized>(rng: &mut R) -> IpAddr {
    let prefixes: [u16; 4] = [0x2600, 0x2a02, 0x2001, 0x2409];
    let first = prefixes.choose(rng).copied().unwrap_or(0x2600);
    IpAddr::V6(Ipv6Addr::new(
        first,
        rng.random(),
        rng.random(),
        rng.random(),
        rng.random(),
        rng.random(),
        rng.random(),
        rng.random_range(1..u16::MAX),
    ))
}

/// A token shaped like a JWT: RS256 header, a payload with `sub`, `iss`, `exp`, `iat`, and a
/// signature of random bytes.
pub(crate) fn fake_jwt<R: Rng + ?Sized>(host: &str, rng: &mut R) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let iat = 1_714_500_000 + rng.random_range(0..86_400i64);
    let payload = serde_json::json!({
        "sub": format!("usr_{}", random_chars(rng, b"0123456789abcdefghijklmnopqrstuvwxyz", 12)),
        "iss": format!("https://auth.{host}/"),
        "aud": host,
        "iat": iat,
        "exp": iat + 3600,
        "scope": "read write",
    });
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signature: Vec<u8> = (0..256).map(|_| rng.random()).collect();
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Scanner addresses and tools.
pub(crate) const SCANNER_AGENTS: &[&str] = &[
    "Mozilla/5.0 zgrab/0.x",
    "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
    "sqlmap/1.8#stable (https://sqlmap.org)",
    "python-requests/2.28.1",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:34.0) Gecko/20100101 Firefox/34.0",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};

    #[test]
    fn jwt_has_three_decodable_parts() {
        let mut rng = SmallRng::seed_from_u64(1);
        let token = fake_jwt("api.example.com", &mut rng);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
        assert_eq!(header, br#"{"alg":"RS256","typ":"JWT"}"#);
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert!(payload["sub"].is_string() && payload["exp"].is_i64());
        assert_eq!(payload["iss"], "https://auth.api.example.com/");
    }

    #[test]
    fn clients_are_distinct_and_mixed() {
        let mut rng = SmallRng::seed_from_u64(2);
        let clients = make_clients(400, "h", &mut rng);
        assert_eq!(clients.len(), 400);
        let v6 = clients.iter().filter(|c| c.ip.is_ipv6()).count();
        assert!(v6 > 20 && v6 < 150, "{v6}");
        let ips: std::collections::HashSet<_> = clients.iter().map(|c| c.ip).collect();
        assert_eq!(ips.len(), 400);
    }
}
