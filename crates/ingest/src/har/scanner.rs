//! A byte-level JSON scanner over a `BufRead`: finds `log.entries` and cuts out one array element
//! at a time without ever holding more than one element in memory.

use std::io::{self, BufRead};

use crate::record_error::RecordError;

/// How scanning one JSON value ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scanned {
    /// The whole value was read (and captured when asked).
    Complete,
    /// The value was read past, but it was larger than the capture limit.
    Oversized,
    /// The input ended inside the value.
    Eof,
}

/// What the scanner expects next inside one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    Container,
    String,
    Scalar,
}

/// Outcome of feeding one byte to [`ValueState`].
enum Step {
    More,
    /// The value ends with this byte.
    DoneIncluding,
    /// The value ended just before this byte.
    DoneBefore,
}

/// String, escape and nesting state while reading past one JSON value.
struct ValueState {
    kind: Kind,
    depth: u64,
    in_string: bool,
    escape: bool,
}

impl ValueState {
    fn new() -> Self {
        Self {
            kind: Kind::Unknown,
            depth: 0,
            in_string: false,
            escape: false,
        }
    }

    /// Returns whether a string that was open has just closed, updating escape state.
    fn string_byte(&mut self, b: u8) -> bool {
        if self.escape {
            self.escape = false;
        } else if b == b'\\' {
            self.escape = true;
        } else if b == b'"' {
            return true;
        }
        false
    }

    fn feed(&mut self, b: u8) -> Step {
        match self.kind {
            Kind::Unknown => {
                self.kind = match b {
                    b'{' | b'[' => {
                        self.depth = 1;
                        Kind::Container
                    }
                    b'"' => Kind::String,
                    // Whatever else starts here is consumed, so the caller always progresses.
                    _ => Kind::Scalar,
                };
                Step::More
            }
            Kind::String => {
                if self.string_byte(b) {
                    Step::DoneIncluding
                } else {
                    Step::More
                }
            }
            Kind::Container => {
                if self.in_string {
                    if self.string_byte(b) {
                        self.in_string = false;
                    }
                    return Step::More;
                }
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            return Step::DoneIncluding;
                        }
                    }
                    _ => {}
                }
                Step::More
            }
            Kind::Scalar => match b {
                b',' | b']' | b'}' | b'"' | b'{' | b'[' => Step::DoneBefore,
                b if b.is_ascii_whitespace() => Step::DoneBefore,
                _ => Step::More,
            },
        }
    }
}

/// Longest object key compared against the names the scanner looks for.
const KEY_LIMIT: usize = 256;

/// Reads a HAR document structurally, counting lines and bytes.
pub(crate) struct Scanner<R> {
    reader: R,
    line: u64,
    bytes_read: u64,
}

impl<R: BufRead> Scanner<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            line: 1,
            bytes_read: 0,
        }
    }

    /// 1-based line of the next unread byte.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        loop {
            match self.reader.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.reader.fill_buf()
    }

    /// The next byte without consuming it.
    pub(crate) fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.fill()?.first().copied())
    }

    /// Consumes one byte already seen with [`Self::peek`].
    pub(crate) fn bump(&mut self, b: u8) {
        self.reader.consume(1);
        self.bytes_read += 1;
        if b == b'\n' {
            self.line += 1;
        }
    }

    /// Skips whitespace and returns the next byte, unconsumed.
    pub(crate) fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => self.bump(b),
                other => return Ok(other),
            }
        }
    }

    /// Reads past one JSON value starting at the next byte (whitespace already skipped). When
    /// `out` is given, the value's bytes are appended to it, unless they exceed `limit`, in
    /// which case `out` is cleared and the rest of the value is only read past.
    pub(crate) fn value(
        &mut self,
        mut out: Option<&mut Vec<u8>>,
        limit: usize,
    ) -> io::Result<Scanned> {
        let mut state = ValueState::new();
        let mut oversized = false;
        loop {
            loop {
                match self.reader.fill_buf() {
                    Ok(_) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(Scanned::Eof);
            }
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                match state.feed(b) {
                    Step::More => used += 1,
                    Step::DoneIncluding => {
                        used += 1;
                        done = true;
                        break;
                    }
                    Step::DoneBefore => {
                        done = true;
                        break;
                    }
                }
            }
            let chunk = &buf[..used];
            let newlines = memchr::memchr_iter(b'\n', chunk).count() as u64;
            if let Some(out) = out.as_deref_mut() {
                if !oversized {
                    if out.len() + used > limit {
                        oversized = true;
                        out.clear();
                    } else {
                        out.extend_from_slice(chunk);
                    }
                }
            }
            self.reader.consume(used);
            self.line += newlines;
            self.bytes_read += used as u64;
            if done {
                return Ok(if oversized {
                    Scanned::Oversized
                } else {
                    Scanned::Complete
                });
            }
        }
    }

    /// Positions the scanner just after the `[` of `log.entries`.
    pub(crate) fn find_entries(&mut self) -> Result<(), RecordError> {
        self.skip_bom().map_err(|e| self.io_error(&e))?;
        match self.skip_ws().map_err(|e| self.io_error(&e))? {
            Some(b'{') => self.bump(b'{'),
            Some(b) => {
                return Err(self.error(format!(
                    "not a HAR file: expected a JSON object, found {}",
                    describe(b)
                )))
            }
            None => return Err(self.error("not a HAR file: the input is empty")),
        }
        self.find_member(b"\"log\"", "not a HAR file: no `log` object")?;
        self.expect_open(b'{', "`log` is not an object")?;
        self.find_member(b"\"entries\"", "not a HAR file: no `log.entries` array")?;
        self.expect_open(b'[', "`log.entries` is not an array")
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        for &b in b"\xEF\xBB\xBF" {
            if self.peek()? != Some(b) {
                break;
            }
            self.bump(b);
        }
        Ok(())
    }

    fn expect_open(&mut self, open: u8, reason: &str) -> Result<(), RecordError> {
        match self.skip_ws().map_err(|e| self.io_error(&e))? {
            Some(b) if b == open => {
                self.bump(b);
                Ok(())
            }
            _ => Err(self.error(reason)),
        }
    }

    /// Inside an object (just after `{`), reads members until the one named `quoted_key`
    /// (given with its quotes) and stops after its `:`.
    fn find_member(&mut self, quoted_key: &[u8], missing: &str) -> Result<(), RecordError> {
        let mut key = Vec::with_capacity(KEY_LIMIT);
        let mut first = true;
        loop {
            let next = self.skip_ws().map_err(|e| self.io_error(&e))?;
            match next {
                Some(b'}') => return Err(self.error(missing)),
                Some(b',') if !first => {
                    self.bump(b',');
                    continue;
                }
                Some(b'"') => {}
                Some(b) => {
                    return Err(self.error(format!(
                        "malformed JSON: expected an object key, found {}",
                        describe(b)
                    )))
                }
                None => return Err(self.truncated()),
            }
            first = false;
            key.clear();
            let scanned = self
                .value(Some(&mut key), KEY_LIMIT)
                .map_err(|e| self.io_error(&e))?;
            if scanned == Scanned::Eof {
                return Err(self.truncated());
            }
            match self.skip_ws().map_err(|e| self.io_error(&e))? {
                Some(b':') => self.bump(b':'),
                Some(b) => {
                    return Err(self.error(format!(
                        "malformed JSON: expected `:` after a key, found {}",
                        describe(b)
                    )))
                }
                None => return Err(self.truncated()),
            }
            if scanned == Scanned::Complete && key == quoted_key {
                return Ok(());
            }
            if self.skip_ws().map_err(|e| self.io_error(&e))?.is_none() {
                return Err(self.truncated());
            }
            if self.value(None, 0).map_err(|e| self.io_error(&e))? == Scanned::Eof {
                return Err(self.truncated());
            }
        }
    }

    pub(crate) fn error(&self, reason: impl Into<String>) -> RecordError {
        RecordError::at_line(self.line, reason)
    }

    pub(crate) fn io_error(&self, e: &io::Error) -> RecordError {
        self.error(format!("read error: {e}"))
    }

    fn truncated(&self) -> RecordError {
        self.error("the file ends before `log.entries` (truncated?)")
    }
}

/// A byte for an error message: printable ASCII in backticks, anything else in hex.
pub(crate) fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}
