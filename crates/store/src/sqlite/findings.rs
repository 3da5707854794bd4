//! Scans and their findings in SQLite.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::{FindingQuery, FindingRecord, ScanRecord, StoreError};

use super::severity_rank;

fn clamp(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

pub(super) fn save_scan(
    conn: &mut Connection,
    scan: &ScanRecord,
    findings: &[FindingRecord],
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO scans (targets_key, targets, started_ms, finished_ms, services, findings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            scan.targets_key,
            serde_json::to_string(&scan.targets).map_err(|e| StoreError::Encode(e.to_string()))?,
            scan.started_ms,
            scan.finished_ms,
            clamp(scan.services),
            clamp(scan.findings)
        ],
    )?;
    let scan_id = tx.last_insert_rowid();
    {
        // A finding seen before keeps its first sighting; everything else is the newest.
        let mut upsert = tx.prepare(
            "INSERT INTO findings (id, kind, severity, target, title, first_seen_ms, last_seen_ms, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET
                kind = excluded.kind,
                severity = excluded.severity,
                target = excluded.target,
                title = excluded.title,
                first_seen_ms = min(findings.first_seen_ms, excluded.first_seen_ms),
                last_seen_ms = max(findings.last_seen_ms, excluded.last_seen_ms),
                body = excluded.body",
        )?;
        let mut link = tx
            .prepare("INSERT OR IGNORE INTO scan_findings (scan_id, finding_id) VALUES (?1, ?2)")?;
        for f in findings {
            upsert.execute(params![
                f.id,
                f.kind,
                severity_rank(f.severity),
                f.target,
                f.title,
                f.first_seen_ms,
                f.last_seen_ms,
                f.body
            ])?;
            link.execute(params![scan_id, f.id])?;
        }
    }
    tx.commit()?;
    Ok(scan_id)
}

fn scan_row(r: &Row<'_>) -> rusqlite::Result<ScanRecord> {
    let targets: String = r.get(2)?;
    Ok(ScanRecord {
        id: r.get(0)?,
        targets_key: r.get(1)?,
        targets: serde_json::from_str(&targets).unwrap_or_default(),
        started_ms: r.get(3)?,
        finished_ms: r.get(4)?,
        services: r.get::<_, i64>(5)?.max(0) as u64,
        findings: r.get::<_, i64>(6)?.max(0) as u64,
    })
}

pub(super) fn last_scan(
    conn: &Connection,
    targets_key: &str,
) -> Result<Option<ScanRecord>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, targets_key, targets, started_ms, finished_ms, services, findings
             FROM scans WHERE targets_key = ?1 ORDER BY id DESC LIMIT 1",
            params![targets_key],
            scan_row,
        )
        .optional()?)
}

fn finding_row(r: &Row<'_>) -> rusqlite::Result<FindingRecord> {
    Ok(FindingRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        severity: super::severity_of(r.get(2)?),
        target: r.get(3)?,
        title: r.get(4)?,
        first_seen_ms: r.get(5)?,
        last_seen_ms: r.get(6)?,
        body: r.get(7)?,
    })
}

const COLUMNS: &str =
    "f.id, f.kind, f.severity, f.target, f.title, f.first_seen_ms, f.last_seen_ms, f.body";

pub(super) fn scan_findings(
    conn: &Connection,
    scan_id: i64,
) -> Result<Vec<FindingRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM findings f JOIN scan_findings s ON s.finding_id = f.id
         WHERE s.scan_id = ?1 ORDER BY f.target, f.severity DESC, f.kind, f.id"
    ))?;
    let rows = stmt.query_map(params![scan_id], finding_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn findings(
    conn: &Connection,
    query: &FindingQuery,
) -> Result<Vec<FindingRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM findings f
         WHERE (?1 IS NULL OR f.target = ?1)
           AND (?2 IS NULL OR f.kind = ?2)
           AND (?3 IS NULL OR f.severity >= ?3)
         ORDER BY f.severity DESC, f.last_seen_ms DESC, f.id
         LIMIT ?4"
    ))?;
    let limit = if query.limit == 0 {
        -1
    } else {
        query.limit.min(i64::MAX as usize) as i64
    };
    let rows = stmt.query_map(
        params![
            query.target,
            query.kind,
            query.min_severity.map(severity_rank),
            limit
        ],
        finding_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
