//! Decisions as JSON lines, one decision per line, flushed after each.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{ExportError, Exporter};
use crate::decision::Decision;

/// Appends each decision as one line of JSON (the serde form of [`Decision`]).
#[derive(Debug)]
pub struct JsonLinesExporter<W: Write = BufWriter<File>> {
    out: W,
    written: u64,
}

impl JsonLinesExporter {
    /// Appends to the file at `path`, creating it.
    pub fn append(path: &Path) -> Result<Self, ExportError> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::new(BufWriter::new(file)))
    }
}

impl<W: Write> JsonLinesExporter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self { out, written: 0 }
    }

    /// Lines written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Exporter for JsonLinesExporter<W> {
    fn publish(&mut self, decision: &Decision) -> Result<(), ExportError> {
        let line =
            serde_json::to_string(decision).map_err(|e| ExportError::Encode(e.to_string()))?;
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        self.written += 1;
        Ok(())
    }
}
