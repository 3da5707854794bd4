//! What is known of one endpoint: traffic, clients, statuses, latency, parameters and body
//! fields with their types, the credentials seen and the sensitive data that passed.
//!
//! Everything here is bounded (maps keyed by traffic have caps, distinct counts are sketches)
//! and holds no secret: credentials are reduced to their kind, JWT algorithm and issuer and
//! keyed hashes; sensitive values to their class and a redacted example.

mod distinct;
mod latency;
mod sensitive;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use rampart_core::{fast_hash, EventTime, Exchange, KeyedHasher};
use serde::{Deserialize, Serialize};

pub use distinct::Distinct;
pub use latency::Latency;
pub use sensitive::{SensitiveFacts, Side};

use crate::auth::{credentials, CredentialKind};
use crate::classify::Classifier;
use crate::json_walk::{self, JsonNode};
use crate::schema::FieldFacts;

/// Caps on what one endpoint keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FactLimits {
    /// Most query parameters kept per endpoint.
    pub max_query_params: usize,
    /// Most JSON body fields kept per endpoint and direction.
    pub max_body_fields: usize,
    /// Most response status codes whose body fields are kept.
    pub max_body_statuses: usize,
    /// Most distinct content types, JWT issuers and credential locations kept.
    pub max_labels: usize,
    /// Inspect bodies of at most one request in this many (1 = every request).
    pub body_sample_every: u64,
}

impl Default for FactLimits {
    fn default() -> Self {
        Self {
            max_query_params: 64,
            max_body_fields: 256,
            max_body_statuses: 8,
            max_labels: 16,
            body_sample_every: 1,
        }
    }
}

/// What facts need besides the exchange.
#[derive(Debug, Clone, Copy)]
pub struct FactsContext<'a> {
    /// For credential and principal hashes.
    pub hasher: &'a KeyedHasher,
    /// For sensitive data.
    pub classifier: &'a Classifier,
    /// Caps.
    pub limits: &'a FactLimits,
}

/// Credentials seen on an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthFacts {
    /// Requests per credential kind.
    pub kinds: BTreeMap<CredentialKind, u64>,
    /// Where credentials were carried (`header authorization`, `query api_key`, `cookie sid`).
    pub locations: BTreeSet<String>,
    /// Requests with no credential at all.
    pub anonymous: u64,
    /// 2xx answers to requests with no credential.
    pub unauthenticated_success: u64,
    /// JWT signing algorithms seen (`RS256`, `none`, ...), with counts.
    pub jwt_algs: BTreeMap<String, u64>,
    /// JWT issuers seen, escaped and cut, with counts.
    pub jwt_issuers: BTreeMap<String, u64>,
    /// Distinct principals (keyed hashes of Basic users and JWT subjects).
    pub principals: Distinct,
    /// Distinct credentials (keyed hashes).
    pub credentials: Distinct,
}

/// Everything observed about one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EndpointFacts {
    /// Requests.
    pub hits: u64,
    /// Earliest event time, unix milliseconds.
    pub first_seen_ms: Option<i64>,
    /// Latest event time, unix milliseconds.
    pub last_seen_ms: Option<i64>,
    /// Distinct client addresses.
    pub clients: Distinct,
    /// Requests per response status (0 when the source had none).
    pub statuses: BTreeMap<u16, u64>,
    /// Time to serve, when the source has it.
    pub latency: Latency,
    /// Query parameters by name.
    pub query: BTreeMap<String, FieldFacts>,
    /// JSON request body fields by path (`$`, `user.email`, `items[].id`).
    pub request_fields: BTreeMap<String, FieldFacts>,
    /// JSON response body fields by status code, then path.
    pub response_fields: BTreeMap<u16, BTreeMap<String, FieldFacts>>,
    /// Request media types with counts.
    pub request_content_types: BTreeMap<String, u64>,
    /// Response media types with counts.
    pub response_content_types: BTreeMap<String, u64>,
    /// Credentials.
    pub auth: AuthFacts,
    /// Sensitive data by class.
    pub sensitive: BTreeMap<crate::classify::SensitiveClass, SensitiveFacts>,
    /// Parameters, fields and labels not kept because a cap was reached.
    pub dropped: u64,
}

impl EndpointFacts {
    /// Takes one exchange into account.
    pub fn observe(&mut self, ex: &Exchange, ctx: &FactsContext<'_>) {
        self.hits += 1;
        let t = ex.time.as_unix_millis();
        self.first_seen_ms = Some(self.first_seen_ms.map_or(t, |f| f.min(t)));
        self.last_seen_ms = Some(self.last_seen_ms.map_or(t, |l| l.max(t)));
        if let Some(ip) = ex.client {
            let h = match ip {
                std::net::IpAddr::V4(v4) => fast_hash(&v4.octets()),
                std::net::IpAddr::V6(v6) => fast_hash(&v6.octets()),
            };
            self.clients.insert(h);
        }
        let status = ex.status.filter(|s| (100..=599).contains(s)).unwrap_or(0);
        *self.statuses.entry(status).or_default() += 1;
        if let Some(ms) = ex.duration_ms {
            self.latency.record(ms);
        }
        self.observe_query(ex, ctx);
        self.observe_auth(ex, ctx, status);
        let inspect_bodies =
            ctx.limits.body_sample_every <= 1 || self.hits % ctx.limits.body_sample_every == 1;
        if inspect_bodies {
            self.observe_bodies(ex, ctx, status);
        }
    }

    fn observe_query(&mut self, ex: &Exchange, ctx: &FactsContext<'_>) {
        if ex.query.as_deref().is_none_or(str::is_empty) {
            return;
        }
        let mut findings = Vec::new();
        for (name, value) in ex.query_pairs() {
            let name = decode(name);
            let value = decode(value);
            if let Some(f) = self.query.get_mut(name.as_ref()) {
                f.observe_text(&value);
            } else if self.query.len() < ctx.limits.max_query_params {
                let mut f = FieldFacts::default();
                f.observe_text(&value);
                self.query.insert(clip(&name, 64), f);
            } else {
                self.dropped += 1;
            }
            ctx.classifier
                .classify_field(Some(&name), &value, &mut findings);
        }
        self.add_findings(findings, Side::Request, "query", ctx.limits);
    }

    fn observe_auth(&mut self, ex: &Exchange, ctx: &FactsContext<'_>, status: u16) {
        let creds = if may_carry_credentials(ex) {
            credentials(ex, ctx.hasher)
        } else {
            Vec::new()
        };
        let auth = &mut self.auth;
        if creds.is_empty() {
            auth.anonymous += 1;
            if (200..300).contains(&status) {
                auth.unauthenticated_success += 1;
            }
            return;
        }
        for c in creds {
            *auth.kinds.entry(c.kind).or_default() += 1;
            auth.credentials.insert(c.secret.0 as u64);
            if let Some(p) = c.principal {
                auth.principals.insert(p.0 as u64);
            }
            let location = clip(&format!("{} {}", location_kind(c.kind), c.location), 80);
            add_label(
                &mut auth.locations,
                location,
                ctx.limits.max_labels,
                &mut self.dropped,
            );
            if let Some(jwt) = c.jwt {
                if let Some(s) = jwt.subject {
                    auth.principals.insert(s.0 as u64);
                }
                count_label(
                    &mut auth.jwt_algs,
                    &jwt.alg,
                    ctx.limits.max_labels,
                    &mut self.dropped,
                );
                if let Some(iss) = jwt.issuer {
                    count_label(
                        &mut auth.jwt_issuers,
                        &iss,
                        ctx.limits.max_labels,
                        &mut self.dropped,
                    );
                }
            }
        }
    }

    fn observe_bodies(&mut self, ex: &Exchange, ctx: &FactsContext<'_>, status: u16) {
        if let Some(ct) = ex.request_content_type() {
            count_label(
                &mut self.request_content_types,
                ct,
                ctx.limits.max_labels,
                &mut self.dropped,
            );
        }
        if let Some(ct) = ex.response_content_type() {
            count_label(
                &mut self.response_content_types,
                ct,
                ctx.limits.max_labels,
                &mut self.dropped,
            );
        }
        if let Some(body) = ex.request_body.as_ref().filter(|b| !b.bytes.is_empty()) {
            let findings = self.observe_body(&body.bytes, body.is_json(), None, ctx);
            self.add_findings(findings, Side::Request, "body", ctx.limits);
        }
        if let Some(body) = ex.response_body.as_ref().filter(|b| !b.bytes.is_empty()) {
            let findings = self.observe_body(&body.bytes, body.is_json(), Some(status), ctx);
            self.add_findings(findings, Side::Response, "body", ctx.limits);
        }
        let mut findings = Vec::new();
        for (name, value) in ex.request_headers.iter() {
            if !worth_scanning(name, value) {
                continue;
            }
            ctx.classifier
                .classify_field(Some(name), value, &mut findings);
        }
        self.add_findings(findings, Side::Request, "header", ctx.limits);
        let mut findings = Vec::new();
        for (name, value) in ex.response_headers.iter() {
            if name == "set-cookie" || !worth_scanning(name, value) {
                continue;
            }
            ctx.classifier
                .classify_field(Some(name), value, &mut findings);
        }
        self.add_findings(findings, Side::Response, "header", ctx.limits);
    }

    fn observe_body(
        &mut self,
        bytes: &[u8],
        json: bool,
        status: Option<u16>,
        ctx: &FactsContext<'_>,
    ) -> Vec<crate::classify::Finding> {
        let mut findings = Vec::new();
        if !json {
            let text = String::from_utf8_lossy(bytes);
            ctx.classifier.classify_text(&text, &mut findings);
            return findings;
        }
        let max = ctx.limits.max_body_fields;
        let mut fields = match status {
            None => Some(&mut self.request_fields),
            Some(s) => {
                if !self.response_fields.contains_key(&s)
                    && self.response_fields.len() >= ctx.limits.max_body_statuses
                {
                    self.dropped += 1;
                    None
                } else {
                    Some(self.response_fields.entry(s).or_default())
                }
            }
        };
        let mut dropped = 0;
        let mut learn = |path: &str, node: JsonNode<'_>| {
            let Some(fields) = fields.as_deref_mut() else {
                return;
            };
            let path = if path.is_empty() { "$" } else { path };
            if let Some(f) = fields.get_mut(path) {
                f.observe(node);
            } else if fields.len() < max {
                let mut f = FieldFacts::default();
                f.observe(node);
                fields.insert(path.to_owned(), f);
            } else {
                dropped += 1;
            }
        };
        // The parser stops at the first syntax error. The values before it have taught the
        // schema (a body cut at the inspection limit still shows the shape of its first items);
        // the classification starts again on the whole body as text, so that nothing after the
        // error goes unscanned.
        let parsed = json_walk::walk_bytes(bytes, &mut |place, node| {
            ctx.classifier
                .classify_json_node(place, node, &mut findings);
            if place.sampled {
                learn(place.path, node);
            }
        });
        if parsed.is_err() {
            findings.clear();
            let text = String::from_utf8_lossy(bytes);
            ctx.classifier.classify_text(&text, &mut findings);
        }
        // A status whose body taught nothing gets no schema.
        if let Some(s) = status {
            if self.response_fields.get(&s).is_some_and(BTreeMap::is_empty) {
                self.response_fields.remove(&s);
            }
        }
        self.dropped += dropped;
        findings
    }

    fn add_findings(
        &mut self,
        findings: Vec<crate::classify::Finding>,
        side: Side,
        place: &str,
        limits: &FactLimits,
    ) {
        for f in findings {
            self.sensitive
                .entry(f.class)
                .or_default()
                .add(&f, side, place, limits.max_labels);
        }
    }

    /// Adds another endpoint's facts (an earlier run, or an endpoint folded into this one).
    pub fn merge(&mut self, other: &EndpointFacts) {
        self.hits += other.hits;
        self.first_seen_ms = min_opt(self.first_seen_ms, other.first_seen_ms);
        self.last_seen_ms = max_opt(self.last_seen_ms, other.last_seen_ms);
        self.clients.merge(&other.clients);
        add_counts(&mut self.statuses, &other.statuses);
        self.latency.merge(&other.latency);
        merge_fields(&mut self.query, &other.query, 64, &mut self.dropped);
        merge_fields(
            &mut self.request_fields,
            &other.request_fields,
            256,
            &mut self.dropped,
        );
        for (status, fields) in &other.response_fields {
            let mine = self.response_fields.entry(*status).or_default();
            merge_fields(mine, fields, 256, &mut self.dropped);
        }
        add_counts(
            &mut self.request_content_types,
            &other.request_content_types,
        );
        add_counts(
            &mut self.response_content_types,
            &other.response_content_types,
        );
        let (a, b) = (&mut self.auth, &other.auth);
        add_counts(&mut a.kinds, &b.kinds);
        a.locations.extend(b.locations.iter().cloned());
        a.anonymous += b.anonymous;
        a.unauthenticated_success += b.unauthenticated_success;
        add_counts(&mut a.jwt_algs, &b.jwt_algs);
        add_counts(&mut a.jwt_issuers, &b.jwt_issuers);
        a.principals.merge(&b.principals);
        a.credentials.merge(&b.credentials);
        for (class, s) in &other.sensitive {
            self.sensitive.entry(*class).or_default().merge(s);
        }
        self.dropped += other.dropped;
    }

    /// Requests.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Distinct clients (estimated past a few dozen).
    pub fn distinct_clients(&self) -> u64 {
        self.clients.count()
    }

    /// Earliest event time (the epoch when nothing was seen).
    pub fn first_seen(&self) -> EventTime {
        EventTime::from_unix_millis(self.first_seen_ms.unwrap_or(0))
    }

    /// Latest event time (the epoch when nothing was seen).
    pub fn last_seen(&self) -> EventTime {
        EventTime::from_unix_millis(self.last_seen_ms.unwrap_or(0))
    }

    /// Requests per status code, lowest code first.
    pub fn statuses(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.statuses.iter().map(|(s, n)| (*s, *n))
    }

    /// Credential kinds seen with their request counts.
    pub fn credential_kinds(&self) -> Vec<(CredentialKind, u64)> {
        self.auth.kinds.iter().map(|(k, n)| (*k, *n)).collect()
    }

    /// 2xx answers to requests carrying no credential.
    pub fn unauthenticated_success(&self) -> u64 {
        self.auth.unauthenticated_success
    }

    /// Whether a response of this endpoint carried a sensitive class.
    pub fn serves_sensitive_data(&self) -> bool {
        self.sensitive.values().any(|s| s.in_response > 0)
    }

    /// Whether any sensitive class was seen.
    pub fn is_sensitive(&self) -> bool {
        !self.sensitive.is_empty()
    }
}

/// A cheap first look: requests whose headers are all protocol headers and that have no
/// query string carry no credential (most lines of an access log).
fn may_carry_credentials(ex: &Exchange) -> bool {
    ex.query.as_deref().is_some_and(|q| !q.is_empty())
        || ex.request_headers.iter().any(|(name, _)| {
            !matches!(
                name,
                "user-agent"
                    | "referer"
                    | "accept"
                    | "accept-encoding"
                    | "accept-language"
                    | "content-type"
                    | "content-length"
                    | "host"
                    | "connection"
                    | "x-forwarded-for"
                    | "x-forwarded-proto"
                    | "x-real-ip"
                    | "origin"
                    | "cache-control"
            )
        })
}

/// Whether a header can carry sensitive data worth a scan. Credentials are accounted for as
/// auth, not as leaked data; standard headers hold protocol values; a referer matters only
/// when it carries a query string.
fn worth_scanning(name: &str, value: &str) -> bool {
    match name {
        "authorization"
        | "proxy-authorization"
        | "cookie"
        | "user-agent"
        | "accept"
        | "accept-encoding"
        | "accept-language"
        | "content-type"
        | "content-length"
        | "content-encoding"
        | "host"
        | "connection"
        | "cache-control"
        | "pragma"
        | "etag"
        | "if-none-match"
        | "if-modified-since"
        | "last-modified"
        | "date"
        | "vary"
        | "server"
        | "transfer-encoding"
        | "x-request-id"
        | "traceparent"
        | "tracestate"
        | "origin"
        | "x-forwarded-proto"
        | "x-forwarded-port"
        | "upgrade-insecure-requests" => false,
        "referer" => value.contains('?') || value.contains('@'),
        _ => !value.is_empty() && value != "-",
    }
}

fn location_kind(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::ApiKeyQuery => "query",
        CredentialKind::SessionCookie => "cookie",
        _ => "header",
    }
}

/// Percent-decodes a query component (`+` is a space); invalid sequences are kept as written.
fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn count_label(map: &mut BTreeMap<String, u64>, label: &str, max: usize, dropped: &mut u64) {
    if let Some(n) = map.get_mut(label) {
        *n += 1;
    } else if map.len() < max {
        map.insert(clip(label, 128), 1);
    } else {
        *dropped += 1;
    }
}

fn add_label(set: &mut BTreeSet<String>, label: String, max: usize, dropped: &mut u64) {
    if set.contains(&label) {
        return;
    }
    if set.len() < max {
        set.insert(label);
    } else {
        *dropped += 1;
    }
}

fn add_counts<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, n) in from {
        *into.entry(k.clone()).or_default() += n;
    }
}

fn merge_fields(
    into: &mut BTreeMap<String, FieldFacts>,
    from: &BTreeMap<String, FieldFacts>,
    max: usize,
    dropped: &mut u64,
) {
    for (k, f) in from {
        if let Some(mine) = into.get_mut(k) {
            mine.merge(f);
        } else if into.len() < max {
            into.insert(k.clone(), f.clone());
        } else {
            *dropped += 1;
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
