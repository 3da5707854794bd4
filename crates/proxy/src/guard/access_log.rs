//! The proxy's access log: one OpenTelemetry JSON line per exchange, in the schema
//! `rampart analyze` reads, with every secret and personal value replaced by its keyed hash.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use rampart_core::auth::scrubbed;
use rampart_core::otel_line::to_otel_json;
use rampart_core::{Exchange, KeyedHasher};

/// An append-only access log file.
#[derive(Debug)]
pub(crate) struct AccessLog {
    out: BufWriter<File>,
}

impl AccessLog {
    /// Opens (creating) `path` for appending; the file is readable by its owner only.
    pub(crate) fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        Ok(Self {
            out: BufWriter::new(options.open(path)?),
        })
    }

    /// Writes `ex` (scrubbed) as one line.
    pub(crate) fn write(&mut self, ex: &Exchange, hasher: &KeyedHasher) -> std::io::Result<()> {
        let line = to_otel_json(&scrubbed(ex, hasher));
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Pushes buffered lines to the file.
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
