//! Rate limiting with GCRA (the generic cell rate algorithm) over a bounded map of hashed keys.
//!
//! Each key costs one theoretical arrival time (TAT), 8 bytes, under a 16-byte key made of the
//! hashed limiter name (the rule) and the hashed key value (an address, a session, ...). The map
//! is bounded in two generations: new keys go into the current one; when it is full, the
//! previous generation is dropped whole and the current one becomes the previous. A key found in
//! the previous generation moves back. Dropping a key whose TAT lies in the past loses nothing
//! (an absent key is a full bucket); dropping a live one gives it a fresh burst, and is counted.
//!
//! Time is event time, so a replayed log is limited exactly as live traffic was. State is keyed
//! by rule name, so it survives a policy reload for every rule that keeps its name.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use rampart_core::{fast_hash, EventTime};
use serde::{Deserialize, Serialize};

use crate::history::History;

/// A sustained rate: `count` requests per `period_ms` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rate {
    /// Requests per period (at least 1).
    pub count: u32,
    /// The period, in milliseconds (at least 1).
    pub period_ms: u64,
}

impl Rate {
    /// `count` requests per `period`.
    pub fn new(count: u32, period: Duration) -> Self {
        Self {
            count: count.max(1),
            period_ms: u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1),
        }
    }

    /// The GCRA emission interval, in microseconds: the spacing of requests at this rate.
    pub fn interval_micros(self) -> i64 {
        let micros = i128::from(self.period_ms) * 1000 / i128::from(self.count.max(1));
        i64::try_from(micros.max(1)).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.period_ms {
            1000 => "s".to_owned(),
            60_000 => "min".to_owned(),
            3_600_000 => "hour".to_owned(),
            86_400_000 => "day".to_owned(),
            ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
            ms => format!("{ms}ms"),
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// Counters of the limiter, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimiterStats {
    /// Keys tracked now.
    pub keys: usize,
    /// Keys dropped while their limit was still in effect (each got a fresh burst).
    pub evicted_live: u64,
    /// Keys dropped after their limit had lapsed (no effect).
    pub evicted_idle: u64,
    /// Requests checked.
    pub checked: u64,
    /// Requests limited.
    pub limited: u64,
}

/// GCRA limiters for every rule, over one bounded map; beside them, the clients' histories
/// that `history` conditions read (bounded by the same number). Together they are all the
/// state the verdict keeps between requests.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    current: HashMap<(u64, u64), i64>,
    previous: HashMap<(u64, u64), i64>,
    generation_cap: usize,
    latest: i64,
    stats: LimiterStats,
    history: History,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl RateLimiter {
    /// A limiter keeping at most `max_keys` keys (at least 2).
    pub fn new(max_keys: usize) -> Self {
        Self {
            current: HashMap::new(),
            previous: HashMap::new(),
            generation_cap: (max_keys / 2).max(1),
            latest: i64::MIN,
            stats: LimiterStats::default(),
            history: History::new(max_keys),
        }
    }

    /// The clients' histories.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The clients' histories, to record a served request in.
    pub fn history_mut(&mut self) -> &mut History {
        &mut self.history
    }

    /// The most keys kept.
    pub fn max_keys(&self) -> usize {
        self.generation_cap * 2
    }

    /// Changes the bound; keys over it are dropped at the next generation change.
    pub fn set_max_keys(&mut self, max_keys: usize) {
        self.generation_cap = (max_keys / 2).max(1);
        self.history.set_max_clients(max_keys);
    }

    /// The namespace of a limiter name (a rule name): the first half of every key.
    pub fn namespace(name: &str) -> u64 {
        fast_hash(name.as_bytes())
    }

    /// Counts one request of `key` under limiter `namespace` at `now`: `Ok` when it conforms
    /// to `rate` with `burst`, or `Err(retry_after)` when it is over.
    ///
    /// A request that is over the limit does not move the key's state, so a client that keeps
    /// hammering is told the same time to come back rather than being pushed further out.
    pub fn check(
        &mut self,
        namespace: u64,
        key: u64,
        rate: Rate,
        burst: u32,
        now: EventTime,
    ) -> Result<(), Duration> {
        self.stats.checked += 1;
        let now_us = now.as_unix_millis().saturating_mul(1000);
        self.latest = self.latest.max(now_us);
        let interval = rate.interval_micros();
        let tolerance = interval.saturating_mul(i64::from(burst.max(1)) - 1);
        let k = (namespace, key);
        let tat = match self.current.get(&k) {
            Some(t) => Some(*t),
            None => self.previous.remove(&k),
        };
        let start = tat.map_or(now_us, |t| t.max(now_us));
        let ahead = start.saturating_sub(now_us);
        if ahead > tolerance {
            self.stats.limited += 1;
            if let Some(t) = tat {
                self.insert(k, t);
            }
            let wait_us = ahead - tolerance;
            return Err(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)));
        }
        self.insert(k, start.saturating_add(interval));
        Ok(())
    }

    fn insert(&mut self, k: (u64, u64), tat: i64) {
        if !self.current.contains_key(&k) && self.current.len() >= self.generation_cap {
            let latest = self.latest;
            for t in self.previous.values() {
                if *t > latest {
                    self.stats.evicted_live += 1;
                } else {
                    self.stats.evicted_idle += 1;
                }
            }
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(k, tat);
    }

    /// Drops the state of every limiter whose namespace `keep` rejects (rules removed from
    /// the policy). Dropped keys are not counted as evictions.
    pub fn retain_namespaces(&mut self, keep: impl Fn(u64) -> bool) {
        self.current.retain(|(ns, _), _| keep(*ns));
        self.previous.retain(|(ns, _), _| keep(*ns));
    }

    /// The counters.
    pub fn stats(&self) -> LimiterStats {
        LimiterStats {
            keys: self.current.len() + self.previous.len(),
            ..self.stats
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> EventTime {
        EventTime::from_unix_millis(ms)
    }

    #[test]
    fn burst_then_limit_then_recover() {
        let mut l = RateLimiter::new(100);
        let rate = Rate::new(10, Duration::from_secs(60));
        for _ in 0..5 {
            assert!(l.check(1, 7, rate, 5, at(0)).is_ok());
        }
        let wait = l.check(1, 7, rate, 5, at(0)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(6));
        assert!(l.check(1, 7, rate, 5, at(5_999)).is_err());
        assert!(l.check(1, 7, rate, 5, at(6_000)).is_ok());
        // Another key is independent.
        assert!(l.check(1, 8, rate, 5, at(0)).is_ok());
        assert_eq!(l.stats().limited, 2);
    }

    #[test]
    fn keys_are_bounded_and_evictions_counted() {
        let mut l = RateLimiter::new(10);
        let rate = Rate::new(1, Duration::from_secs(3600));
        for key in 0..100 {
            let _ = l.check(1, key, rate, 1, at(0));
        }
        let s = l.stats();
        assert!(s.keys <= 10, "{s:?}");
        assert!(s.evicted_live > 0, "{s:?}");
    }

    #[test]
    fn rate_displays_as_written() {
        assert_eq!(Rate::new(10, Duration::from_secs(60)).to_string(), "10/min");
        assert_eq!(Rate::new(5, Duration::from_secs(10)).to_string(), "5/10s");
        assert_eq!(
            Rate::new(3, Duration::from_secs(1)).interval_micros(),
            333_333
        );
    }
}
