//! The guard's slow path: which alerts changed, what waits to be stored, the access log, and
//! the decisions made by hand in the store (`rampart decisions add`) while the proxy runs.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rampart_core::{Alert, EventTime, Exchange, KeyedHasher};
use rampart_defend::{Decision, DecisionBook, Origin};
use rampart_store::{SqliteStore, Store};

use super::access_log::AccessLog;
use super::stats::Counters;
use super::GuardOptions;

/// Which slow-path jobs are due.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Due {
    pub(crate) sync: bool,
    pub(crate) persist: bool,
}

/// State of the slow path (behind one lock; only `on_done` and management calls take it).
#[derive(Debug)]
pub(crate) struct SyncState {
    /// The engine's alert cursor at the last pass: alerts touched after it have changed.
    cursor: u64,
    /// Alerts the engine held at the last pass.
    known: usize,
    /// Alerts to store, by id: an alert that grows on every pass is written once per
    /// store write, as it stands then.
    pending_alerts: HashMap<String, Alert>,
    /// Decisions to store, by id: a campaign's decisions are refreshed each time its alert
    /// grows, and only the latest of each needs writing.
    pending_decisions: HashMap<String, Decision>,
    removed: Vec<String>,
    /// Ids of the manual decisions the store held at the last read: one missing from the next
    /// read was removed there by another process.
    stored_manual: HashSet<String>,
    store: Option<SqliteStore>,
    log: Option<AccessLog>,
    options: GuardOptions,
    last_sync: Instant,
    last_persist: Instant,
    last_event_sync: Option<i64>,
    /// Set when the engine stops: from then on every access-log line is flushed at once.
    pub(crate) finished: bool,
}

impl SyncState {
    pub(crate) fn new(
        store: Option<SqliteStore>,
        log: Option<AccessLog>,
        options: &GuardOptions,
    ) -> Self {
        let now = Instant::now();
        Self {
            cursor: 0,
            known: 0,
            pending_alerts: HashMap::new(),
            pending_decisions: HashMap::new(),
            removed: Vec::new(),
            stored_manual: HashSet::new(),
            store,
            log,
            options: options.clone(),
            last_sync: now,
            last_persist: now,
            last_event_sync: None,
            finished: false,
        }
    }

    /// Alerts known at the last pass.
    pub(crate) fn alerts_known(&self) -> usize {
        self.known
    }

    /// Which jobs are due at `now` (and marks them as done).
    pub(crate) fn due(&mut self, now: Instant) -> Due {
        let sync = now.duration_since(self.last_sync) >= self.options.sync_every;
        let persist = now.duration_since(self.last_persist) >= self.options.persist_every;
        if sync {
            self.last_sync = now;
        }
        if persist {
            self.last_persist = now;
        }
        Due { sync, persist }
    }

    /// Whether a sync is due at event time `t` (replays run on event time, not the clock).
    pub(crate) fn due_at(&mut self, t: EventTime) -> bool {
        let every = self.options.sync_every.as_millis() as i64;
        let t = t.as_unix_millis();
        match self.last_event_sync {
            Some(last) if t - last < every => false,
            _ => {
                self.last_event_sync = Some(t);
                true
            }
        }
    }

    /// The cursor to ask the engine for the alerts that are new or grew since the last pass.
    pub(crate) fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Takes the alerts the engine reports as touched since [`SyncState::cursor`], its new
    /// cursor and how many alerts it holds; returns the touched ones.
    pub(crate) fn changed(&mut self, touched: Vec<Alert>, cursor: u64, held: usize) -> Vec<Alert> {
        self.cursor = cursor;
        self.known = held;
        touched
    }

    pub(crate) fn remember_alerts(&mut self, alerts: Vec<Alert>) {
        self.pending_alerts
            .extend(alerts.into_iter().map(|a| (a.id.clone(), a)));
    }

    pub(crate) fn remember_decisions(&mut self, decisions: &[Decision]) {
        self.pending_decisions
            .extend(decisions.iter().map(|d| (d.id.clone(), d.clone())));
    }

    /// Forgets a decision everywhere; whether the store held it.
    pub(crate) fn forget_decision(&mut self, id: &str) -> bool {
        self.pending_decisions.remove(id);
        match &mut self.store {
            Some(s) => s.remove_decision(id).unwrap_or_else(|e| {
                tracing::warn!("decision {id} could not be removed from the store: {e}");
                self.removed.push(id.to_owned());
                false
            }),
            None => false,
        }
    }

    /// Appends `ex` to the access log, if there is one.
    pub(crate) fn log(&mut self, ex: &Exchange, hasher: &KeyedHasher, counters: &Counters) {
        if let Some(log) = &mut self.log {
            let written =
                log.write(ex, hasher).and_then(
                    |()| {
                        if self.finished {
                            log.flush()
                        } else {
                            Ok(())
                        }
                    },
                );
            match written {
                Ok(()) => counters.log_line(),
                Err(e) => {
                    counters.log_error();
                    tracing::warn!("access log write failed: {e}");
                }
            }
        }
    }

    /// Remembers the ids of the manual decisions the store held when the guard started.
    pub(crate) fn note_stored_manual(&mut self, decisions: &[Decision]) {
        self.stored_manual = decisions
            .iter()
            .filter(|d| matches!(d.origin, Origin::Manual))
            .map(|d| d.id.clone())
            .collect();
    }

    /// Writes pending alerts and decisions, drops expired decisions from the store, and reads
    /// back the manual decisions it holds: what another process (`rampart decisions add` or
    /// `remove`) changed there, for [`ManualChanges::take_up`]. Takes no lock on the decision
    /// book, so requests are decided while the store is written.
    pub(crate) fn persist(&mut self, now: EventTime, counters: &Counters) -> Option<ManualChanges> {
        if let Some(log) = &mut self.log {
            if let Err(e) = log.flush() {
                counters.log_error();
                tracing::warn!("access log flush failed: {e}");
            }
        }
        let Some(store) = &mut self.store else {
            self.pending_alerts.clear();
            self.pending_decisions.clear();
            return None;
        };
        let alerts: Vec<Alert> = std::mem::take(&mut self.pending_alerts)
            .into_values()
            .collect();
        if !alerts.is_empty() {
            if let Err(e) = store.save_alerts(&alerts) {
                counters.store_error();
                tracing::warn!("alerts could not be stored: {e}");
            }
        }
        let decisions: Vec<Decision> = std::mem::take(&mut self.pending_decisions)
            .into_values()
            .collect();
        if !decisions.is_empty() {
            if let Err(e) = store.save_decisions(&decisions) {
                counters.store_error();
                tracing::warn!("decisions could not be stored: {e}");
            }
        }
        for id in std::mem::take(&mut self.removed) {
            if store.remove_decision(&id).is_err() {
                counters.store_error();
            }
        }
        if let Err(e) = store.remove_expired(now) {
            counters.store_error();
            tracing::warn!("expired decisions could not be removed: {e}");
        }
        match store.manual_decisions(Some(now)) {
            Ok(stored) => {
                let ids: HashSet<String> = stored.iter().map(|d| d.id.clone()).collect();
                let gone = self
                    .stored_manual
                    .iter()
                    .filter(|id| !ids.contains(*id))
                    .cloned()
                    .collect();
                self.stored_manual = ids;
                Some(ManualChanges { stored, gone })
            }
            Err(e) => {
                counters.store_error();
                tracing::warn!("stored decisions could not be read: {e}");
                None
            }
        }
    }
}

/// The manual decisions a store write read back, and those removed from the store since the
/// previous read.
#[derive(Debug)]
pub(crate) struct ManualChanges {
    stored: Vec<Decision>,
    gone: Vec<String>,
}

impl ManualChanges {
    /// Adds to `book` the stored manual decisions it lacks, and removes those removed from the
    /// store. A decision made by hand in this process and not yet read back is left alone.
    pub(crate) fn take_up(self, book: &mut DecisionBook, now: EventTime) {
        for d in self.stored {
            if book.get(&d.id).is_none() {
                book.insert(d, now);
            }
        }
        for id in self.gone {
            if book
                .get(&id)
                .is_some_and(|d| matches!(d.origin, Origin::Manual))
            {
                book.remove(&id);
            }
        }
    }
}
