//! Large synthetic access logs for throughput benchmarks, streamed without building exchanges.

use std::fmt::Write as _;
use std::io::{self, Write};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::write::time_local;
use rampart_core::EventTime;

/// Path shape variables of the benchmark API.
#[derive(Clone, Copy)]
enum Var {
    Int,
    Uuid,
    Hex,
    Slug,
}

/// `(method, literal pieces, variables)`: the path is `pieces[0] var0 pieces[1] var1 ...`.
const ENDPOINTS: &[(&str, &[&str], &[Var])] = &[
    ("GET", &["/api/v1/users"], &[]),
    ("POST", &["/api/v1/users"], &[]),
    ("GET", &["/api/v1/users/", ""], &[Var::Int]),
    ("PATCH", &["/api/v1/users/", ""], &[Var::Int]),
    ("DELETE", &["/api/v1/users/", ""], &[Var::Int]),
    ("GET", &["/api/v1/users/me"], &[]),
    ("GET", &["/api/v1/users/", "/orders"], &[Var::Int]),
    ("GET", &["/api/v1/users/", "/addresses"], &[Var::Int]),
    (
        "GET",
        &["/api/v1/users/", "/addresses/", ""],
        &[Var::Int, Var::Int],
    ),
    ("GET", &["/api/v1/orders"], &[]),
    ("POST", &["/api/v1/orders"], &[]),
    ("GET", &["/api/v1/orders/", ""], &[Var::Uuid]),
    ("PUT", &["/api/v1/orders/", ""], &[Var::Uuid]),
    ("GET", &["/api/v1/orders/", "/items"], &[Var::Uuid]),
    (
        "GET",
        &["/api/v1/orders/", "/items/", ""],
        &[Var::Uuid, Var::Int],
    ),
    ("POST", &["/api/v1/orders/", "/cancel"], &[Var::Uuid]),
    ("GET", &["/api/v1/products"], &[]),
    ("GET", &["/api/v1/products/", ""], &[Var::Int]),
    ("GET", &["/api/v1/products/", "/reviews"], &[Var::Int]),
    ("POST", &["/api/v1/products/", "/reviews"], &[Var::Int]),
    (
        "GET",
        &["/api/v1/products/", "/images/", ".jpg"],
        &[Var::Int, Var::Hex],
    ),
    ("GET", &["/api/v1/categories/", "/products"], &[Var::Slug]),
    ("GET", &["/api/v1/carts/", ""], &[Var::Hex]),
    ("POST", &["/api/v1/carts/", "/items"], &[Var::Hex]),
    (
        "DELETE",
        &["/api/v1/carts/", "/items/", ""],
        &[Var::Hex, Var::Int],
    ),
    ("POST", &["/api/v1/payments"], &[]),
    ("GET", &["/api/v1/payments/", ""], &[Var::Uuid]),
    ("POST", &["/api/v1/payments/", "/refund"], &[Var::Uuid]),
    ("GET", &["/api/v1/invoices/", ".pdf"], &[Var::Hex]),
    ("GET", &["/api/v1/shipments/", "/tracking"], &[Var::Hex]),
    ("POST", &["/api/v1/auth/login"], &[]),
    ("POST", &["/api/v1/auth/refresh"], &[]),
    ("POST", &["/api/v1/auth/logout"], &[]),
    ("GET", &["/api/v1/search"], &[]),
    ("GET", &["/api/v1/stores/", "/inventory"], &[Var::Slug]),
    (
        "GET",
        &["/api/v1/stores/", "/inventory/", ""],
        &[Var::Slug, Var::Int],
    ),
    ("GET", &["/api/v2/users/", ""], &[Var::Uuid]),
    ("GET", &["/api/v2/orders/", "/status"], &[Var::Uuid]),
    ("POST", &["/api/v1/webhooks/", ""], &[Var::Slug]),
    ("GET", &["/health"], &[]),
];

const SLUGS: &[&str] = &[
    "electronics",
    "books",
    "garden",
    "toys",
    "sports",
    "home-kitchen",
    "beauty",
    "outdoor",
    "acme-store",
    "downtown",
    "north-mall",
    "airport",
    "stripe",
    "shopify",
    "github",
];

const AGENTS: &[&str] = &[
    "AcmeApp/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)",
    "okhttp/4.12.0",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
];

/// Public-looking first octets, so that addresses never fall in private ranges.
const FIRST_OCTETS: &[u8] = &[23, 31, 45, 52, 66, 73, 81, 94, 104, 151, 172, 185, 203, 212];

const FLUSH_AT: usize = 60 * 1024;
const HOST: &str = "shop.example.com";

/// One benchmark request, rendered into reusable buffers.
struct LineGen {
    rng: SmallRng,
    clients: u32,
    seed: u64,
    line: u64,
    time_ms: i64,
    second: i64,
    time_local: String,
    rfc3339_second: String,
    ip: String,
    path: String,
}

impl LineGen {
    fn new(clients: u32, seed: u64) -> Self {
        Self {
            rng: SmallRng::seed_from_u64(seed),
            clients: clients.max(1),
            seed,
            line: 0,
            time_ms: EventTime::from_civil(2024, 5, 1, 0, 0, 0, 0).as_unix_millis(),
            second: i64::MIN,
            time_local: String::new(),
            rfc3339_second: String::new(),
            ip: String::with_capacity(40),
            path: String::with_capacity(96),
        }
    }

    /// Advances to the next request; returns (method, user agent index, status, size, ms).
    fn advance(&mut self) -> (&'static str, usize, u16, u32, u32) {
        self.time_ms += i64::from(self.rng.random_range(0..20u32));
        let second = self.time_ms.div_euclid(1000);
        if second != self.second {
            self.second = second;
            let t = EventTime::from_unix_millis(second * 1000);
            self.time_local = time_local(t);
            let full = t.to_rfc3339();
            self.rfc3339_second = full.get(..19).unwrap_or(&full).to_owned();
        }
        // Every client appears once before the skewed mix starts, so `clients` distinct
        // addresses show up whenever there are at least that many lines.
        let client = if self.line < u64::from(self.clients) {
            self.line as u32
        } else if self.rng.random_bool(0.5) {
            let u: f64 = self.rng.random();
            ((u * u * u) * f64::from(self.clients)) as u32
        } else {
            self.rng.random_range(0..self.clients)
        };
        self.line += 1;
        self.write_ip(client);

        let weight_pick: f64 = self.rng.random();
        let idx = ((weight_pick * weight_pick) * ENDPOINTS.len() as f64) as usize;
        let (method, pieces, vars) =
            ENDPOINTS
                .get(idx)
                .copied()
                .unwrap_or(("GET", &["/health"], &[]));
        self.path.clear();
        for (i, piece) in pieces.iter().enumerate() {
            self.path.push_str(piece);
            if let Some(var) = vars.get(i) {
                self.push_var(*var);
            }
        }
        let status = match self.rng.random_range(0..1000) {
            0..=849 => match method {
                "POST" => 201,
                "DELETE" => 204,
                _ => 200,
            },
            850..=869 => 304,
            870..=889 => 400,
            890..=914 => 401,
            915..=929 => 403,
            930..=979 => 404,
            980..=989 => 429,
            990..=995 => 500,
            996..=997 => 502,
            _ => 503,
        };
        let size = if status == 204 || status == 304 {
            0
        } else {
            self.rng.random_range(40..9_000)
        };
        let mixed = (u64::from(client) ^ self.seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let agent = (mixed >> 40) as usize % AGENTS.len();
        let ms = self.rng.random_range(1..400);
        (method, agent, status, size, ms)
    }

    fn write_ip(&mut self, client: u32) {
        // An odd multiplier is a bijection modulo 2^24: distinct clients, distinct addresses.
        let salt = (self.seed as u32) & 0xFF_FFFF;
        let x = (client.wrapping_mul(0x9E_3779) ^ salt) & 0xFF_FFFF;
        self.ip.clear();
        if client % 10 == 9 {
            let _ = write!(self.ip, "2600:1f18:{:x}:{:x}::1", x >> 12, x & 0xFFF);
        } else {
            let first = FIRST_OCTETS
                .get(client as usize % FIRST_OCTETS.len())
                .copied()
                .unwrap_or(23);
            let _ = write!(
                self.ip,
                "{first}.{}.{}.{}",
                x >> 16,
                (x >> 8) & 0xFF,
                x & 0xFF
            );
        }
    }

    fn push_var(&mut self, var: Var) {
        let rng = &mut self.rng;
        let _ = match var {
            Var::Int => {
                let u: f64 = rng.random();
                write!(self.path, "{}", 1 + (u * u * 200_000.0) as u64)
            }
            Var::Uuid => {
                let a: u128 = rng.random();
                let h = format!("{a:032x}");
                write!(
                    self.path,
                    "{}-{}-4{}-a{}-{}",
                    h.get(0..8).unwrap_or(""),
                    h.get(8..12).unwrap_or(""),
                    h.get(13..16).unwrap_or(""),
                    h.get(17..20).unwrap_or(""),
                    h.get(20..32).unwrap_or("")
                )
            }
            Var::Hex => write!(self.path, "{:016x}", rng.random::<u64>()),
            Var::Slug => {
                let slug = SLUGS
                    .get(rng.random_range(0..SLUGS.len()))
                    .copied()
                    .unwrap_or("books");
                self.path.push_str(slug);
                Ok(())
            }
        };
    }
}

/// Writes `lines` nginx `combined` lines for a shop API of about 40 endpoints with id segments,
/// from `clients` distinct addresses (all of them once `lines >= clients`), with realistic user
/// agents and a status mix.
pub fn write_bench_combined(
    out: &mut dyn Write,
    lines: u64,
    clients: u32,
    seed: u64,
) -> io::Result<()> {
    let mut gen = LineGen::new(clients, seed);
    let mut buf = String::with_capacity(FLUSH_AT + 1024);
    for _ in 0..lines {
        let (method, agent, status, size, _) = gen.advance();
        let query = if method == "GET" && gen.path.ends_with('s') && gen.rng.random_bool(0.3) {
            "?page=2&limit=50"
        } else {
            ""
        };
        let _ = writeln!(
            buf,
            "{} - - [{}] \"{method} {}{query} HTTP/1.1\" {status} {size} \"-\" \"{}\"",
            gen.ip,
            gen.time_local,
            gen.path,
            AGENTS.get(agent).copied().unwrap_or("-")
        );
        if buf.len() >= FLUSH_AT {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    out.flush()
}

/// Writes `lines` OpenTelemetry JSON lines for the same traffic as [`write_bench_combined`].
pub fn write_bench_otel(
    out: &mut dyn Write,
    lines: u64,
    clients: u32,
    seed: u64,
) -> io::Result<()> {
    let mut gen = LineGen::new(clients, seed);
    let mut buf = String::with_capacity(FLUSH_AT + 2048);
    for _ in 0..lines {
        let (method, agent, status, size, ms) = gen.advance();
        let millis = gen.time_ms.rem_euclid(1000);
        // Every generated string is plain ASCII without quotes or backslashes, so no escaping.
        let _ = write!(
            buf,
            "{{\"timestamp\":\"{}.{millis:03}Z\",\"client.address\":\"{}\",\"http.request.method\":\"{method}\",\"url.scheme\":\"https\",\"server.address\":\"{HOST}\",\"url.path\":\"{}\",\"http.response.status_code\":{status},\"user_agent.original\":\"{}\",\"http.response.body.size\":{size},\"http.server.request.duration\":{}.{:03}}}",
            gen.rfc3339_second,
            gen.ip,
            gen.path,
            AGENTS.get(agent).copied().unwrap_or("-"),
            ms / 1000,
            ms % 1000
        );
        buf.push('\n');
        if buf.len() >= FLUSH_AT {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn combined_lines_count_clients_and_shape() {
        let mut out = Vec::new();
        write_bench_combined(&mut out, 30_000, 10_000, 7).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 30_000);
        let re = regex::Regex::new(
            r#"^\S+ - - \[\d{2}/May/2024:\d{2}:\d{2}:\d{2} \+0000\] "[A-Z]+ /\S* HTTP/1\.1" \d{3} \d+ "-" "[^"]+"$"#,
        )
        .unwrap();
        assert!(lines.iter().all(|l| re.is_match(l)), "{}", lines[0]);
        let ips: HashSet<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
        assert_eq!(ips.len(), 10_000);
        assert!(ips.iter().any(|ip| ip.contains(':')));
        let templates: HashSet<&str> = lines.iter().filter_map(|l| l.split(' ').nth(6)).collect();
        assert!(templates.len() > 1_000);
        let statuses: HashSet<&str> = lines.iter().filter_map(|l| l.split(' ').nth(8)).collect();
        assert!(statuses.contains("404") && statuses.contains("200") && statuses.contains("401"));
    }

    #[test]
    fn hundred_thousand_clients_are_distinct() {
        let mut out = Vec::new();
        write_bench_combined(&mut out, 120_000, 100_000, 1).unwrap();
        let text = String::from_utf8(out).unwrap();
        let ips: HashSet<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
        assert_eq!(ips.len(), 100_000);
    }

    #[test]
    fn otel_lines_are_json_and_deterministic() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_bench_otel(&mut a, 2_000, 50, 3).unwrap();
        write_bench_otel(&mut b, 2_000, 50, 3).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        let mut ips = HashSet::new();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v["url.path"].as_str().unwrap().starts_with('/'));
            assert!(v["http.response.status_code"].is_u64());
            assert!(EventTime::parse_rfc3339(v["timestamp"].as_str().unwrap()).is_ok());
            ips.insert(v["client.address"].as_str().unwrap().to_owned());
        }
        assert_eq!(text.lines().count(), 2_000);
        assert_eq!(ips.len(), 50);
    }
}
