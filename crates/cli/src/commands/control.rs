//! The management API's view of a running proxy: metrics, inventory, alerts, decisions and
//! reload, over the guard and the proxy.

use std::sync::Arc;

use rampart_api::{AlertFilter, Control, MetricsWriter};
use rampart_core::{Alert, EventTime};
use rampart_defend::{Decision, PolicyHandle};
use rampart_engine::Config;
use rampart_proxy::{Guard, Proxy};

/// [`Control`] over a running guard and proxy.
pub(crate) struct GuardControl {
    guard: Arc<Guard>,
    proxy: Proxy,
    config: Config,
    policy: Arc<PolicyHandle>,
    detectors: Vec<&'static str>,
}

impl GuardControl {
    pub(crate) fn new(
        guard: Arc<Guard>,
        proxy: Proxy,
        config: Config,
        policy: Arc<PolicyHandle>,
        detectors: Vec<&'static str>,
    ) -> Self {
        Self {
            guard,
            proxy,
            config,
            policy,
            detectors,
        }
    }
}

impl Control for GuardControl {
    fn metrics(&self) -> String {
        let p = self.proxy.stats();
        let g = self.guard.stats();
        let mut w = MetricsWriter::new();
        w.counter("rampart_requests_total", "Requests received by the proxy.")
            .sample(&[], p.requests as f64);
        {
            let mut f = w.counter(
                "rampart_responses_total",
                "Responses sent, by status class.",
            );
            for (class, n) in [
                ("1xx", p.responses_1xx),
                ("2xx", p.responses_2xx),
                ("3xx", p.responses_3xx),
                ("4xx", p.responses_4xx),
                ("5xx", p.responses_5xx),
            ] {
                f.sample(&[("class", class)], n as f64);
            }
        }
        {
            let mut f = w.counter(
                "rampart_decisions_total",
                "Requests by the action the policy chose.",
            );
            for (action, n) in &g.verdicts {
                f.sample(&[("action", action)], *n as f64);
            }
        }
        w.counter(
            "rampart_monitor_would_have_total",
            "Outcomes monitor-mode rules would have given had they been enforced.",
        )
        .sample(&[], g.would_have as f64);
        w.counter(
            "rampart_upstream_errors_total",
            "Upstream connection failures (502).",
        )
        .sample(&[], p.upstream_errors as f64);
        w.counter("rampart_timeouts_total", "Timeouts of any kind.")
            .sample(&[], p.timeouts as f64);
        w.counter(
            "rampart_hook_failures_total",
            "Engine or policy failures on the data path (requests went on: fail open).",
        )
        .sample(&[], p.hook_failures as f64);
        w.counter(
            "rampart_engine_dropped_total",
            "Finished exchanges not inspected because the engine queue was full.",
        )
        .sample(&[], p.done_dropped as f64);
        w.counter(
            "rampart_engine_observed_total",
            "Exchanges the engine observed.",
        )
        .sample(&[], g.observed as f64);
        w.gauge("rampart_alerts", "Detector alerts known.")
            .sample(&[], g.alerts as f64);
        w.counter(
            "rampart_decisions_made_total",
            "Decisions made from detector alerts by the policy.",
        )
        .sample(&[], g.decisions_made as f64);
        w.gauge("rampart_active_decisions", "Decisions in force.")
            .sample(&[], g.book.active as f64);
        {
            let mut f = w.counter(
                "rampart_evictions_total",
                "Entries dropped to stay within a bounded structure.",
            );
            f.sample(&[("structure", "decisions")], g.book.evicted as f64);
            f.sample(
                &[("structure", "rate_limit_keys")],
                (g.limiter.evicted_live + g.limiter.evicted_idle) as f64,
            );
            f.sample(&[("structure", "actors")], g.actors_evicted as f64);
        }
        w.gauge("rampart_rate_limit_keys", "Keys the rate limiter tracks.")
            .sample(&[], g.limiter.keys as f64);
        w.gauge("rampart_tarpitted", "Requests held in the tarpit now.")
            .sample(&[], g.tarpit.held as f64);
        w.counter(
            "rampart_store_errors_total",
            "Store reads or writes that failed (the proxy went on).",
        )
        .sample(&[], g.store_errors as f64);
        w.counter(
            "rampart_access_log_errors_total",
            "Access-log writes that failed (the proxy went on).",
        )
        .sample(&[], g.log_errors as f64);
        w.gauge("rampart_active_connections", "Client connections open now.")
            .sample(&[], p.active_connections as f64);
        w.counter(
            "rampart_connections_refused_total",
            "Client connections closed on accept because limits.max_connections were open.",
        )
        .sample(&[], p.connections_refused as f64);
        w.counter("rampart_bytes_in_total", "Bytes received from clients.")
            .sample(&[], p.bytes_in as f64);
        w.counter("rampart_bytes_out_total", "Bytes sent to clients.")
            .sample(&[], p.bytes_out as f64);
        w.gauge("rampart_uptime_seconds", "Seconds since the proxy started.")
            .sample(&[], g.uptime.as_secs_f64());
        w.finish()
    }

    fn ready(&self) -> Result<(), String> {
        Ok(())
    }

    fn inventory(&self) -> serde_json::Value {
        self.guard.inventory_json()
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, String> {
        Ok(self
            .guard
            .alerts()
            .into_iter()
            .filter(|a| filter.detector.as_ref().is_none_or(|d| &a.detector == d))
            .filter(|a| filter.min_severity.is_none_or(|s| a.severity >= s))
            .filter(|a| filter.since.is_none_or(|t| a.last_seen >= t))
            .take(filter.limit)
            .collect())
    }

    fn decisions(&self) -> Vec<Decision> {
        self.guard.decisions(self.now())
    }

    fn add_decision(&self, decision: Decision) -> Result<Decision, String> {
        let now = self.now();
        let added = self.guard.add_decision(decision, now);
        // Written to the store before the answer, not at the next periodic write: a decision
        // the API confirmed survives a crash of the proxy right after.
        self.guard.flush(now);
        Ok(added)
    }

    fn remove_decision(&self, id: &str) -> Result<bool, String> {
        Ok(self.guard.remove_decision(id))
    }

    fn reload(&self) -> Result<String, Vec<String>> {
        let result = super::proxy::reload_policy(&self.config, &self.policy, &self.detectors);
        // Logged like a reload by file change or SIGHUP, so the log tells every one.
        match &result {
            Ok(msg) => eprintln!("rampart: {msg} (management API)"),
            Err(problems) => eprintln!(
                "rampart: the policy was not reloaded through the management API ({} problems;                  the old one stays in force)",
                problems.len()
            ),
        }
        result
    }

    fn now(&self) -> EventTime {
        super::proxy::now()
    }
}
