//! From a spec to realistic traffic and the truth of what was served.

use std::collections::HashSet;

use rampart_core::{Body, EventTime, Exchange, Headers};
use rampart_discover::spec::{ParamIn, Spec};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::bodies::{body_from_schema, error_body, small_object};
use crate::clients::{make_clients, public_ipv4, Client, Credential, SCANNER_AGENTS};
use crate::config::{TrafficConfig, MAX_REQUESTS};
use crate::endpoint::Endpoint;
use crate::noise::{probe, shadow_endpoints};
use crate::template::normalize_template;
use crate::truth::{mark_static_siblings, GroundTruth, TruthEndpoint};
use crate::values::{percent_encode, query_value};
use crate::zipf::Zipf;

const DEFAULT_HOST: &str = "api.example.com";
const PROBE_SLOT: u32 = u32::MAX;
const MAX_CLIENTS: usize = 1_000_000;

/// Generates traffic for `spec` and the ground truth of what it served.
///
/// Every documented operation (one per method and normalised template) is requested at least
/// once with a 2xx answer; popularity is skewed so that a few endpoints are hot and many are seen
/// only a handful of times. Shadow endpoints and scanner probes are mixed in. The same spec and
/// config always give the same output.
pub fn generate(spec: &Spec, config: &TrafficConfig) -> (Vec<Exchange>, GroundTruth) {
    let mut rng = SmallRng::seed_from_u64(config.seed);
    let host = spec
        .hosts
        .first()
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| DEFAULT_HOST.to_owned());

    let mut seen = HashSet::new();
    let documented: Vec<(String, String, usize)> = spec
        .operations
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let method = op.method.trim().to_ascii_uppercase();
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return None;
            }
            let path = if op.path.starts_with('/') {
                op.path.clone()
            } else {
                format!("/{}", op.path)
            };
            seen.insert((method.clone(), normalize_template(&path)))
                .then_some((method, path, i))
        })
        .collect();
    let doc_pairs: Vec<(String, String)> = documented
        .iter()
        .map(|(m, t, _)| (m.clone(), t.clone()))
        .collect();
    let shadows = shadow_endpoints(&doc_pairs, config.shadow_endpoints.min(1_000), &mut rng);

    let total = config.requests.min(MAX_REQUESTS) as u64;
    let probes = (total as f64 * config.probe_share.clamp(0.0, 1.0)).round() as u64;
    let shadow_counts: Vec<u64> = shadows.iter().map(|_| rng.random_range(2..=50)).collect();
    let spread = total
        .saturating_sub(probes)
        .saturating_sub(shadow_counts.iter().sum())
        .saturating_sub(documented.len() as u64);
    let mut doc_counts = vec![1u64; documented.len()];
    if !documented.is_empty() {
        let mut order: Vec<usize> = (0..documented.len()).collect();
        order.shuffle(&mut rng);
        // Zipf over a random order, with the last quarter or so of the ranks (admin and
        // maintenance operations) much rarer still: real APIs have a long tail seen a handful of
        // times.
        let exponent = rng.random_range(1.2..1.6);
        let rare_from = order.len() - order.len() * rng.random_range(20..35) / 100;
        let weights: Vec<f64> = (0..order.len())
            .map(|rank| {
                let w = 1.0 / ((rank + 1) as f64).powf(exponent);
                if rank >= rare_from {
                    w * 0.02
                } else {
                    w
                }
            })
            .collect();
        let zipf = Zipf::from_weights(&weights);
        for _ in 0..spread {
            if let Some(slot) = order
                .get(zipf.sample(&mut rng))
                .and_then(|&i| doc_counts.get_mut(i))
            {
                *slot += 1;
            }
        }
    }

    let mut endpoints: Vec<Endpoint<'_>> = Vec::with_capacity(documented.len() + shadows.len());
    for ((method, path, i), count) in documented.into_iter().zip(doc_counts) {
        let op = spec.operations.get(i);
        endpoints.push(Endpoint::new(method, path, op, false, count, &mut rng));
    }
    for ((method, path), count) in shadows.into_iter().zip(shadow_counts) {
        // An old version left running takes the same parameters as the documented one.
        let donor = spec
            .operations
            .iter()
            .find(|o| o.method == method && crate::noise::older_version(&o.path) == path);
        endpoints.push(Endpoint::new(method, path, donor, true, count, &mut rng));
    }

    let mut truth_endpoints: Vec<TruthEndpoint> = endpoints
        .iter()
        .map(|e| TruthEndpoint {
            method: e.method.clone(),
            template: e.template.clone(),
            shadow: e.shadow,
            static_sibling: false,
            requests: e.requests,
        })
        .collect();
    mark_static_siblings(&mut truth_endpoints);

    let mut slots: Vec<u32> = Vec::new();
    for (i, e) in endpoints.iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(PROBE_SLOT - 1);
        slots.extend(std::iter::repeat_n(
            id,
            usize::try_from(e.requests).unwrap_or(0),
        ));
    }
    slots.extend(std::iter::repeat_n(
        PROBE_SLOT,
        usize::try_from(probes).unwrap_or(0),
    ));
    slots.shuffle(&mut rng);
    let span_ms = i64::try_from(config.duration_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    let mut offsets: Vec<i64> = slots
        .iter()
        .map(|_| {
            if span_ms > 0 {
                rng.random_range(0..span_ms)
            } else {
                0
            }
        })
        .collect();
    offsets.sort_unstable();

    let clients = make_clients(config.clients.clamp(1, MAX_CLIENTS), &host, &mut rng);
    let client_zipf = Zipf::new(clients.len(), 0.9);
    let scanners: Vec<Client> = (0..rng.random_range(2..=5))
        .map(|i| Client {
            ip: public_ipv4(&mut rng),
            user_agent: SCANNER_AGENTS
                .get(i % SCANNER_AGENTS.len())
                .copied()
                .unwrap_or("curl/8.5.0"),
            credential: Credential::Anonymous,
        })
        .collect();

    let mut remaining: Vec<u64> = endpoints.iter().map(|e| e.requests).collect();
    let mut answered_ok = vec![false; endpoints.len()];
    let mut exchanges = Vec::with_capacity(slots.len());
    for (slot, offset) in slots.iter().zip(offsets) {
        let time =
            EventTime::from_unix_millis(config.start.as_unix_millis().saturating_add(offset));
        let idx = *slot as usize;
        let Some(endpoint) = endpoints.get(idx) else {
            let scanner = scanners.get(rng.random_range(0..scanners.len().max(1)));
            exchanges.push(probe_exchange(time, &host, scanner, &mut rng));
            continue;
        };
        let left = remaining.get_mut(idx).map(|r| {
            *r = r.saturating_sub(1);
            *r
        });
        let must_succeed = left == Some(0) && !answered_ok.get(idx).copied().unwrap_or(true);
        let ex = request(
            endpoint,
            &clients,
            &client_zipf,
            must_succeed,
            time,
            &host,
            config.bodies,
            &mut rng,
        );
        if ex.status.is_some_and(|s| (200..300).contains(&s)) {
            if let Some(flag) = answered_ok.get_mut(idx) {
                *flag = true;
            }
        }
        exchanges.push(ex);
    }

    let truth = GroundTruth {
        host,
        endpoints: truth_endpoints,
        probes,
    };
    (exchanges, truth)
}

/// The documented success status: the first 2xx listed, else what the method usually answers.
fn ok_status(endpoint: &Endpoint<'_>) -> u16 {
    let documented = endpoint.op.and_then(|op| {
        op.responses.iter().find_map(|r| {
            let s = r.status.trim();
            if s.eq_ignore_ascii_case("2XX") {
                Some(200)
            } else {
                s.parse::<u16>().ok().filter(|c| (200..300).contains(c))
            }
        })
    });
    documented.unwrap_or(match endpoint.method.as_str() {
        "POST" => 201,
        "DELETE" => 204,
        _ => 200,
    })
}

/// Whether an endpoint forgets to check credentials: shadow endpoints (left over, never
/// reviewed) do, deprecated ones often do, and about one in twelve others.
fn auth_broken(endpoint: &Endpoint<'_>) -> bool {
    if endpoint.shadow {
        return true;
    }
    let deprecated = endpoint.op.is_some_and(|o| o.deprecated);
    let h =
        rampart_core::fast_hash(format!("{} {}", endpoint.method, endpoint.template).as_bytes());
    if deprecated {
        h.is_multiple_of(2)
    } else {
        h.is_multiple_of(12)
    }
}

fn status_for<R: Rng + ?Sized>(endpoint: &Endpoint<'_>, authenticated: bool, rng: &mut R) -> u16 {
    if !authenticated && !endpoint.is_public() && !auth_broken(endpoint) {
        return 401;
    }
    let r: f64 = rng.random();
    match r {
        _ if r < 0.035 && endpoint.has_path_params() => 404,
        _ if r < 0.05 => {
            if matches!(endpoint.method.as_str(), "POST" | "PUT" | "PATCH") && rng.random_bool(0.4)
            {
                422
            } else {
                400
            }
        }
        _ if r < 0.058 => 403,
        _ if r < 0.062 => 401,
        _ if r < 0.065 => 429,
        _ if r < 0.068 => [500, 502, 503, 504][rng.random_range(0..4)],
        _ => ok_status(endpoint),
    }
}

#[allow(clippy::too_many_arguments)]
fn request<R: Rng + ?Sized>(
    endpoint: &Endpoint<'_>,
    clients: &[Client],
    client_zipf: &Zipf,
    must_succeed: bool,
    time: EventTime,
    host: &str,
    bodies: bool,
    rng: &mut R,
) -> Exchange {
    let public = endpoint.is_public();
    let mut client = clients.get(client_zipf.sample(rng));
    if must_succeed && !public {
        // A protected endpoint's one guaranteed success comes from a signed-in client.
        for _ in 0..20 {
            if client.is_some_and(|c| !matches!(c.credential, Credential::Anonymous)) {
                break;
            }
            client = clients.get(client_zipf.sample(rng));
        }
    }
    let mut headers = Headers::new();
    let mut authenticated = false;
    if let Some(c) = client {
        headers.push("user-agent", c.user_agent);
        headers.push(
            "accept",
            if c.user_agent.starts_with("curl") {
                "*/*"
            } else {
                "application/json"
            },
        );
        let send = !(public && rng.random_bool(0.5));
        match &c.credential {
            Credential::Bearer(token) if send => {
                headers.push("authorization", format!("Bearer {token}"));
                authenticated = true;
            }
            Credential::ApiKey(key) if send => {
                headers.push("x-api-key", key.clone());
                authenticated = true;
            }
            _ => {}
        }
    }
    for (name, schema) in endpoint.pick_params(ParamIn::Header, rng) {
        let lower = name.to_ascii_lowercase();
        if !matches!(
            lower.as_str(),
            "authorization" | "content-type" | "accept" | "user-agent" | "host"
        ) {
            headers.push(name, query_value(name, schema, rng));
        }
    }
    let status = if endpoint.shadow || must_succeed {
        ok_status(endpoint)
    } else {
        status_for(endpoint, authenticated, rng)
    };
    let path = endpoint.render_path(rng);
    let query: Vec<String> = endpoint
        .pick_params(ParamIn::Query, rng)
        .into_iter()
        .map(|(name, schema)| {
            format!(
                "{}={}",
                percent_encode(name),
                query_value(name, schema, rng)
            )
        })
        .collect();

    let mut request_body = None;
    let mut request_size = None;
    if matches!(endpoint.method.as_str(), "POST" | "PUT" | "PATCH") {
        let schema = endpoint.op.and_then(|o| o.request_schema.as_ref());
        if bodies {
            let bytes = match schema {
                Some(s) => body_from_schema(s, rng),
                None => small_object(rng),
            };
            request_size = Some(bytes.len() as u64);
            headers.push("content-type", "application/json");
            request_body = Some(Body::sample(Some("application/json".into()), &bytes));
        } else {
            request_size = Some(rng.random_range(20..1_500));
            headers.push("content-type", "application/json");
        }
    }

    let ok = (200..300).contains(&status);
    let empty = status == 204 || endpoint.method == "HEAD";
    let mut response_headers = Headers::new();
    let mut response_body = None;
    let response_size = if empty {
        0
    } else {
        response_headers.push("content-type", "application/json");
        if bodies {
            let bytes = if ok {
                match documented_schema(endpoint, status) {
                    Some(schema) => body_from_schema(schema, rng),
                    None => small_object(rng),
                }
            } else {
                error_body(status, rng)
            };
            let size = bytes.len() as u64;
            response_body = Some(Body::sample(Some("application/json".into()), &bytes));
            size
        } else if ok {
            rng.random_range(60..6_000)
        } else {
            rng.random_range(40..200)
        }
    };
    let slow = if status >= 500 { 8.0 } else { 1.0 };
    let spread = 0.5 + rng.random::<f64>().powi(4) * 9.0;
    let duration = endpoint.base_latency_ms * spread * slow;

    Exchange {
        time,
        client: client.map(|c| c.ip),
        method: endpoint.method.clone(),
        scheme: Some("https".into()),
        host: Some(host.to_owned()),
        path,
        query: (!query.is_empty()).then(|| query.join("&")),
        status: Some(status),
        request_headers: headers,
        response_headers,
        request_body,
        response_body,
        request_size,
        response_size: Some(response_size),
        duration_ms: Some((duration * 1000.0).round() / 1000.0),
        extra: Vec::new(),
    }
}

fn documented_schema<'a>(endpoint: &Endpoint<'a>, status: u16) -> Option<&'a serde_json::Value> {
    let responses = &endpoint.op?.responses;
    let code = status.to_string();
    responses
        .iter()
        .find(|r| r.status.trim() == code)
        .or_else(|| {
            responses
                .iter()
                .find(|r| r.status.trim().eq_ignore_ascii_case("2XX"))
        })
        .or_else(|| responses.iter().find(|r| r.status.trim() == "default"))
        .and_then(|r| r.schema.as_ref())
}

fn probe_exchange<R: Rng + ?Sized>(
    time: EventTime,
    host: &str,
    scanner: Option<&Client>,
    rng: &mut R,
) -> Exchange {
    let p = probe(rng);
    let mut headers = Headers::new();
    if let Some(s) = scanner {
        headers.push("user-agent", s.user_agent);
    }
    headers.push("accept", "*/*");
    let mut response_headers = Headers::new();
    response_headers.push("content-type", "text/html");
    Exchange {
        time,
        client: scanner.map(|s| s.ip),
        method: p.method.to_owned(),
        scheme: Some("https".into()),
        host: Some(host.to_owned()),
        path: p.path,
        query: None,
        status: Some(p.status),
        request_headers: headers,
        response_headers,
        request_size: Some(0),
        response_size: Some(rng.random_range(150..600)),
        duration_ms: Some(f64::from(rng.random_range(1..40u32)) / 10.0),
        ..Exchange::default()
    }
}
