//! Schema migrations, applied in order on open. Each entry moves the schema one version up;
//! entries are never edited once released, only appended.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: the inventory and the run log.
    "CREATE TABLE endpoints (
        host TEXT NOT NULL,
        method TEXT NOT NULL,
        template TEXT NOT NULL,
        hits INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        documented INTEGER NOT NULL,
        facts TEXT NOT NULL,
        explanation TEXT NOT NULL,
        PRIMARY KEY (host, method, template)
    ) WITHOUT ROWID;
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        inputs TEXT NOT NULL,
        records INTEGER NOT NULL,
        bad_records INTEGER NOT NULL,
        first_event_ms INTEGER NOT NULL,
        last_event_ms INTEGER NOT NULL,
        endpoints INTEGER NOT NULL
    );",
    // 2: detector alerts, one row per alert (episode), updated as it grows.
    "CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        detector TEXT NOT NULL,
        owasp TEXT NOT NULL,
        severity INTEGER NOT NULL,
        entity_kind TEXT NOT NULL,
        entity_value TEXT NOT NULL,
        actor TEXT,
        endpoint TEXT,
        first_seen_ms INTEGER NOT NULL,
        raised_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX alerts_by_time ON alerts (raised_ms);
    CREATE INDEX alerts_by_entity ON alerts (entity_kind, entity_value);",
    // 3: policy decisions, manual and automatic, one row per decision id. The decision is kept
    // whole as JSON in `body`; the other columns are copies for filtering and indexing.
    "CREATE TABLE decisions (
        id TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        scope_kind TEXT NOT NULL,
        scope_value TEXT NOT NULL,
        reason TEXT NOT NULL,
        origin TEXT NOT NULL,
        mode TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX decisions_by_scope ON decisions (scope_kind, scope_value);
    CREATE INDEX decisions_by_expiry ON decisions (expires_ms);",
    // 4: outside-in scans and their findings. A finding keeps one row per id (kind, target and
    // subject hashed) across scans, with its first and last sighting; `scan_findings` says which
    // scan saw which, so a scan can be compared with the previous one of the same targets.
    "CREATE TABLE scans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        targets_key TEXT NOT NULL,
        targets TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER NOT NULL,
        services INTEGER NOT NULL,
        findings INTEGER NOT NULL
    );
    CREATE INDEX scans_by_key ON scans (targets_key, id);
    CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        severity INTEGER NOT NULL,
        target TEXT NOT NULL,
        title TEXT NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX findings_by_target ON findings (target, kind);
    CREATE TABLE scan_findings (
        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        finding_id TEXT NOT NULL,
        PRIMARY KEY (scan_id, finding_id)
    ) WITHOUT ROWID;",
];

/// Brings the schema of `conn` up to the newest version, each step in its own transaction.
pub(super) fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    apply_to(conn, path, MIGRATIONS.len())
}

/// Brings the schema of `conn` up to version `target` (at most the newest); tests use it to
/// build databases of earlier versions.
pub(super) fn apply_to(
    conn: &mut Connection,
    path: &Path,
    target: usize,
) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: current,
            known,
        });
    }
    let target = target.min(MIGRATIONS.len());
    for (i, sql) in MIGRATIONS[..target]
        .iter()
        .enumerate()
        .skip(current.max(0) as usize)
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
