//! The error every source returns for one record it could not read.

use std::fmt;

/// Why one record (a log line, a HAR entry) could not be turned into an exchange.
///
/// One-line parsers leave `line` at 0 and the caller that knows the line fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// 1-based line of the input where the record starts; 0 when not yet known.
    pub line: u64,
    /// What is wrong and where inside the record, e.g. ``entry 3: `request.method` missing``.
    pub reason: String,
}

impl RecordError {
    /// An error whose line the caller fills in later.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            line: 0,
            reason: reason.into(),
        }
    }

    /// An error at a known line.
    pub fn at_line(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for RecordError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_and_reason() {
        let e = RecordError::at_line(12, "entry 3: `request.method` missing");
        assert_eq!(e.to_string(), "line 12: entry 3: `request.method` missing");
        assert_eq!(RecordError::new("x").line, 0);
    }
}
