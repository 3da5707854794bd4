//! The store's error type.

use std::path::PathBuf;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open the database {path}: {source}")]
    Open {
        /// The database path.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer Rampart.
    #[error("the database {path} has schema version {found}; this Rampart knows up to {known}: upgrade Rampart or use another --db")]
    TooNew {
        /// The database path.
        path: PathBuf,
        /// Schema version found in the file.
        found: i64,
        /// Highest schema version this build knows.
        known: i64,
    },
    /// A record could not be encoded for storage.
    #[error("cannot encode a record: {0}")]
    Encode(String),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}
