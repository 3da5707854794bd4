//! Rate-limit recommendations: per endpoint, the per-client rate that normal clients never
//! exceed, learned from the traffic, for the defend step to use as its default.
//!
//! Every (client, endpoint, minute) is counted; when the minute ends, its count goes into the
//! endpoint's histogram unless an alert names the client by then. The recommendation is the
//! 99.9th percentile of those counts with 50 % headroom, rounded up, never below the busiest
//! normal minute seen. Memory: 24 bytes per active (client, endpoint) pair and 256 bytes per
//! endpoint, both capped.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::keyed::Keyed;
use crate::request::Request;

/// Buckets of the per-minute count histogram: 1, 2, 3, 4, 5-6, 7-8, ... (about 19 % apart).
const BUCKETS: usize = 64;

/// One address in `SAMPLE` is counted.
const SAMPLE: u64 = 4;

/// Most endpoints with a histogram.
const MAX_ENDPOINTS: usize = 10_000;

/// A recommended per-client rate limit for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRecommendation {
    /// The endpoint (`METHOD host/shape`).
    pub endpoint: String,
    /// Recommended limit: requests per minute per client address.
    pub per_minute: u64,
    /// Median requests per minute of a normal client that used the endpoint in that minute.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// The busiest minute of a normal client.
    pub max: u64,
    /// (client, minute) pairs the figures are based on.
    pub client_minutes: u64,
}

#[derive(Debug, Clone, Default)]
struct Minute {
    minute: i64,
    count: u32,
    ip: Option<IpAddr>,
    endpoint: u64,
}

#[derive(Debug, Clone)]
struct Histogram {
    name: String,
    buckets: [u32; BUCKETS],
    max: u32,
}

/// Learns per-endpoint rate limits.
#[derive(Debug)]
pub struct Recommender {
    minutes: Keyed<Minute>,
    endpoints: HashMap<u64, Histogram>,
}

fn bucket_of(n: u32) -> usize {
    if n <= 4 {
        return n.saturating_sub(1) as usize;
    }
    let b = 4.0 + (f64::from(n) / 4.0).ln() / 1.19f64.ln();
    (b as usize).min(BUCKETS - 1)
}

fn bucket_top(b: usize) -> u64 {
    if b < 4 {
        return b as u64 + 1;
    }
    (4.0 * 1.19f64.powf(b as f64 - 3.0)).ceil() as u64
}

impl Recommender {
    /// A recommender tracking at most `max_pairs` active (client, endpoint) pairs.
    pub fn new(max_pairs: usize) -> Self {
        Self {
            minutes: Keyed::new(max_pairs, 120_000),
            endpoints: HashMap::new(),
        }
    }

    /// Counts the request; `flagged` says whether an alert names a client address.
    pub fn observe(&mut self, req: &Request<'_>, flagged: impl Fn(IpAddr) -> bool) {
        let Some(ip) = req.ip else {
            return;
        };
        // One address in four (by hash) is enough for the distribution, at a quarter of the
        // memory.
        if !req.ip_key.is_multiple_of(SAMPLE) {
            return;
        }
        let minute = req.time.div_euclid(60_000);
        let key = req.ip_key.rotate_left(17) ^ req.endpoint_key;
        let m = self.minutes.entry(key, req.time);
        if m.count > 0 && m.minute != minute {
            let done = std::mem::take(m);
            self.close(&done, &flagged);
        }
        let m = self.minutes.entry(key, req.time);
        if m.count == 0 {
            m.minute = minute;
            m.ip = Some(ip);
            m.endpoint = req.endpoint_key;
        }
        m.count += 1;
        if !self.endpoints.contains_key(&req.endpoint_key) && self.endpoints.len() < MAX_ENDPOINTS {
            self.endpoints.insert(
                req.endpoint_key,
                Histogram {
                    name: req.endpoint(),
                    buckets: [0; BUCKETS],
                    max: 0,
                },
            );
        }
    }

    fn close(&mut self, m: &Minute, flagged: &impl Fn(IpAddr) -> bool) {
        if m.ip.is_some_and(flagged) {
            return;
        }
        if let Some(h) = self.endpoints.get_mut(&m.endpoint) {
            h.buckets[bucket_of(m.count)] += 1;
            h.max = h.max.max(m.count);
        }
    }

    /// Approximate bytes held.
    pub fn approx_bytes(&self) -> usize {
        self.minutes.approx_bytes() + self.endpoints.len() * (std::mem::size_of::<Histogram>() + 64)
    }

    /// The recommendations, busiest endpoints first, closing the minutes still open.
    pub fn recommendations(&self, flagged: impl Fn(IpAddr) -> bool) -> Vec<RateRecommendation> {
        let mut endpoints = self.endpoints.clone();
        for (_, m) in self.minutes.iter() {
            if m.count == 0 || m.ip.is_some_and(&flagged) {
                continue;
            }
            if let Some(h) = endpoints.get_mut(&m.endpoint) {
                h.buckets[bucket_of(m.count)] += 1;
                h.max = h.max.max(m.count);
            }
        }
        let mut out: Vec<RateRecommendation> = endpoints
            .into_values()
            .filter_map(|h| {
                let total: u64 = h.buckets.iter().map(|&b| u64::from(b)).sum();
                if total == 0 {
                    return None;
                }
                let quantile = |q: f64| {
                    let want = (total as f64 * q).ceil() as u64;
                    let mut seen = 0u64;
                    for (i, &b) in h.buckets.iter().enumerate() {
                        seen += u64::from(b);
                        if seen >= want {
                            return bucket_top(i).min(u64::from(h.max));
                        }
                    }
                    u64::from(h.max)
                };
                let p999 = quantile(0.999);
                let per_minute = ((p999 as f64 * 1.5).ceil() as u64)
                    .max(u64::from(h.max))
                    .max(5);
                Some(RateRecommendation {
                    endpoint: h.name,
                    per_minute,
                    p50: quantile(0.5),
                    p99: quantile(0.99),
                    max: u64::from(h.max),
                    client_minutes: total,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.client_minutes
                .cmp(&a.client_minutes)
                .then(a.endpoint.cmp(&b.endpoint))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{DeriveConfig, EndpointFacts};
    use crate::testing::{get, hasher, pool_ip};

    #[test]
    fn buckets_are_monotonic_and_cover_their_values() {
        let mut last = 0;
        for n in 1..100_000u32 {
            let b = bucket_of(n);
            assert!(b >= last);
            last = b;
            if b < BUCKETS - 1 {
                assert!(
                    bucket_top(b) >= u64::from(n),
                    "{n} in bucket {b} topping {}",
                    bucket_top(b)
                );
            }
        }
    }

    #[test]
    fn normal_clients_set_the_limit_and_flagged_ones_do_not() {
        let h = hasher();
        let mut r = Recommender::new(10_000);
        let bot = "203.0.113.200";
        // 200 users making 1 to 6 requests a minute for 10 minutes; one bot making 300.
        let flagged = |ip: IpAddr| ip.to_string() == bot;
        let feed = |r: &mut Recommender, secs: f64, ip: &str| {
            let ex = get(secs, ip, "/api/v1/products", 200);
            let req = Request::derive(
                &ex.0,
                &DeriveConfig::default(),
                &h,
                EndpointFacts::default(),
            );
            r.observe(&req, flagged);
        };
        for minute in 0..10u32 {
            for u in 0..200u32 {
                for k in 0..(1 + u % 6) {
                    feed(&mut r, f64::from(minute * 60 + k), &pool_ip(u));
                }
            }
            for k in 0..300u32 {
                feed(&mut r, f64::from(minute * 60) + f64::from(k) * 0.1, bot);
            }
        }
        let recs = r.recommendations(|ip| ip.to_string() == bot);
        assert_eq!(recs.len(), 1);
        let rec = &recs[0];
        assert_eq!(rec.max, 6);
        assert!(rec.per_minute >= 6 && rec.per_minute <= 12, "{rec:?}");
        // One address in four is sampled.
        assert!((300..=700).contains(&rec.client_minutes), "{rec:?}");
    }
}
