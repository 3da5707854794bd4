//! The API's own counters, appended to the caller's metrics as `rampart_api_*`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

use crate::metrics::MetricsWriter;
use crate::routes::AppState;

/// Requests by route template and status, and failed authentications. The keys are bounded:
/// routes come from the router's table (or `unmatched`), statuses from this crate's answers.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    auth_failures: AtomicU64,
}

impl Stats {
    /// Counts one answered request.
    pub(crate) fn request(&self, route: &'static str, status: u16) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route, status)).or_insert(0) += 1;
        }
    }

    /// Counts a missing or wrong token.
    pub(crate) fn auth_failure(&self) {
        self.auth_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes the counters.
    pub(crate) fn write(&self, w: &mut MetricsWriter) {
        let mut family = w.counter(
            "rampart_api_requests_total",
            "Management API requests answered, by route template and status.",
        );
        if let Ok(map) = self.requests.lock() {
            for ((route, status), n) in map.iter() {
                let status = status.to_string();
                family.sample(&[("route", route), ("status", &status)], *n as f64);
            }
        }
        w.counter(
            "rampart_api_auth_failures_total",
            "Management API requests refused for a missing or wrong token.",
        )
        .sample(&[], self.auth_failures.load(Ordering::Relaxed) as f64);
    }
}

/// Middleware: counts every answer by its route template.
pub(crate) async fn count(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| state.route_name(m.as_str()));
    let response = next.run(request).await;
    state.stats.request(route, response.status().as_u16());
    response
}
