//! The embedded SQLite store.

mod findings;
mod migrations;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};

use rampart_core::{Alert, EventTime, Severity};
use rampart_defend::{Decision, Origin, Scope};

use crate::{
    AlertQuery, EndpointRecord, FindingQuery, FindingRecord, RunRecord, ScanRecord, Store,
    StoreError,
};

/// The inventory in one SQLite file (WAL mode).
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens or creates the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // WAL: readers never block the writer, and a killed writer leaves the last committed
        // state. NORMAL sync is durable across process crashes (power loss may drop the last
        // transaction, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
        };
        migrations::apply(&mut store.conn, path)?;
        Ok(store)
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Store for SqliteStore {
    fn endpoints(&self) -> Result<Vec<EndpointRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT host, method, template, hits, first_seen_ms, last_seen_ms, documented, facts, explanation
             FROM endpoints ORDER BY host, template, method",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(EndpointRecord {
                host: r.get(0)?,
                method: r.get(1)?,
                template: r.get(2)?,
                hits: r.get::<_, i64>(3)?.max(0) as u64,
                first_seen_ms: r.get(4)?,
                last_seen_ms: r.get(5)?,
                documented: r.get(6)?,
                facts: r.get(7)?,
                explanation: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_inventory(
        &mut self,
        endpoints: &[EndpointRecord],
        run: &RunRecord,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM endpoints", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO endpoints (host, method, template, hits, first_seen_ms, last_seen_ms, documented, facts, explanation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for e in endpoints {
                insert.execute(params![
                    e.host,
                    e.method,
                    e.template,
                    e.hits.min(i64::MAX as u64) as i64,
                    e.first_seen_ms,
                    e.last_seen_ms,
                    e.documented,
                    e.facts,
                    e.explanation
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO runs (inputs, records, bad_records, first_event_ms, last_event_ms, endpoints)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                serde_json::to_string(&run.inputs).unwrap_or_else(|_| "[]".into()),
                run.records.min(i64::MAX as u64) as i64,
                run.bad_records.min(i64::MAX as u64) as i64,
                run.first_event_ms,
                run.last_event_ms,
                run.endpoints.min(i64::MAX as u64) as i64
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT inputs, records, bad_records, first_event_ms, last_event_ms, endpoints
             FROM runs ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit.min(i64::MAX as usize) as i64], |r| {
            let inputs: String = r.get(0)?;
            Ok(RunRecord {
                inputs: serde_json::from_str(&inputs).unwrap_or_default(),
                records: r.get::<_, i64>(1)?.max(0) as u64,
                bad_records: r.get::<_, i64>(2)?.max(0) as u64,
                first_event_ms: r.get(3)?,
                last_event_ms: r.get(4)?,
                endpoints: r.get::<_, i64>(5)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_alerts(&mut self, alerts: &[Alert]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO alerts (id, detector, owasp, severity, entity_kind, entity_value,
                 actor, endpoint, first_seen_ms, raised_ms, last_seen_ms, requests, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            for a in alerts {
                let body =
                    serde_json::to_string(a).map_err(|e| StoreError::Encode(e.to_string()))?;
                insert.execute(params![
                    a.id,
                    a.detector,
                    a.owasp.id(),
                    severity_rank(a.severity),
                    a.entity.kind.name(),
                    a.entity.value,
                    a.actor,
                    a.endpoint,
                    a.first_seen.as_unix_millis(),
                    a.raised.as_unix_millis(),
                    a.last_seen.as_unix_millis(),
                    a.requests.min(i64::MAX as u64) as i64,
                    body
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT body FROM alerts
             WHERE (?1 IS NULL OR detector = ?1)
               AND (?2 IS NULL OR severity >= ?2)
               AND (?3 IS NULL OR raised_ms >= ?3)
               AND (?4 IS NULL OR entity_value = ?4)
             ORDER BY raised_ms DESC, id
             LIMIT ?5",
        )?;
        let limit = if query.limit == 0 {
            -1
        } else {
            query.limit.min(i64::MAX as usize) as i64
        };
        let rows = stmt.query_map(
            params![
                query.detector,
                query.min_severity.map(severity_rank),
                query.since_ms,
                query.entity,
                limit
            ],
            |r| r.get::<_, String>(0),
        )?;
        let mut out = Vec::new();
        for body in rows {
            let body = body?;
            // A row this build cannot read (written by a newer one) is skipped, not fatal.
            if let Ok(alert) = serde_json::from_str::<Alert>(&body) {
                out.push(alert);
            }
        }
        Ok(out)
    }

    fn save_decisions(&mut self, decisions: &[Decision]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO decisions (id, action, scope_kind, scope_value, reason,
                 origin, mode, created_ms, expires_ms, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for d in decisions {
                let body =
                    serde_json::to_string(d).map_err(|e| StoreError::Encode(e.to_string()))?;
                insert.execute(params![
                    d.id,
                    d.action.name(),
                    d.scope.kind(),
                    scope_value(&d.scope),
                    d.reason,
                    origin_text(&d.origin),
                    d.mode.name(),
                    d.created.as_unix_millis(),
                    d.expires.map(EventTime::as_unix_millis),
                    body
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn decisions(&self, active_at: Option<EventTime>) -> Result<Vec<Decision>, StoreError> {
        self.read_decisions(active_at, false)
    }

    fn manual_decisions(&self, active_at: Option<EventTime>) -> Result<Vec<Decision>, StoreError> {
        self.read_decisions(active_at, true)
    }

    fn remove_decision(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM decisions WHERE id = ?1", params![id])?;
        Ok(n > 0)
    }

    fn remove_expired(&mut self, now: EventTime) -> Result<usize, StoreError> {
        let n = self.conn.execute(
            "DELETE FROM decisions WHERE expires_ms IS NOT NULL AND expires_ms <= ?1",
            params![now.as_unix_millis()],
        )?;
        Ok(n)
    }

    fn save_scan(
        &mut self,
        scan: &ScanRecord,
        findings: &[FindingRecord],
    ) -> Result<i64, StoreError> {
        findings::save_scan(&mut self.conn, scan, findings)
    }

    fn last_scan(&self, targets_key: &str) -> Result<Option<ScanRecord>, StoreError> {
        findings::last_scan(&self.conn, targets_key)
    }

    fn scan_findings(&self, scan_id: i64) -> Result<Vec<FindingRecord>, StoreError> {
        findings::scan_findings(&self.conn, scan_id)
    }

    fn findings(&self, query: &FindingQuery) -> Result<Vec<FindingRecord>, StoreError> {
        findings::findings(&self.conn, query)
    }
}

/// The scope's value alone (`192.0.2.1`, `203.0.113.0/24`, a hash), as the index keeps it.
fn scope_value(scope: &Scope) -> String {
    match scope {
        Scope::Ip(ip) => ip.to_string(),
        Scope::Prefix(net) => net.to_string(),
        Scope::Session(s)
        | Scope::Principal(s)
        | Scope::Fingerprint(s)
        | Scope::Actor(s)
        | Scope::Endpoint(s) => s.clone(),
    }
}

/// Who made the decision: `manual`, `rule:NAME` or `detector:NAME`.
impl SqliteStore {
    /// Stored decisions, newest first: with `active_at`, only those that apply then; with
    /// `manual_only`, only those made by hand.
    fn read_decisions(
        &self,
        active_at: Option<EventTime>,
        manual_only: bool,
    ) -> Result<Vec<Decision>, StoreError> {
        // Active at `now` means `now < expires`, as `Decision::is_active` says.
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM decisions
             WHERE (?1 IS NULL OR expires_ms IS NULL OR expires_ms > ?1)
               AND (?2 = 0 OR origin = 'manual')
             ORDER BY created_ms DESC, id",
        )?;
        let rows = stmt.query_map(
            params![
                active_at.map(EventTime::as_unix_millis),
                i64::from(manual_only)
            ],
            |r| r.get::<_, String>(0),
        )?;
        let mut out = Vec::new();
        for body in rows {
            let body = body?;
            // A row this build cannot read (written by a newer one) is skipped, not fatal.
            if let Ok(decision) = serde_json::from_str::<Decision>(&body) {
                out.push(decision);
            }
        }
        Ok(out)
    }
}

fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Manual => "manual".into(),
        Origin::Rule(name) => format!("rule:{name}"),
        Origin::Detector(name) => format!("detector:{name}"),
    }
}

fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The severity of a stored rank (unknown ranks read as the nearest known one).
fn severity_of(rank: i64) -> Severity {
    match rank {
        i64::MIN..=0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        _ => Severity::Critical,
    }
}

#[cfg(test)]
mod tests;
