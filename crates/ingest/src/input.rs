//! Opening inputs: files or stdin, gzip or not, read as lines with a length cap.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

/// Counts the bytes read from the underlying input (compressed bytes for gzip), for progress.
pub(crate) struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: a buffered reader of the decoded bytes, and a counter of raw bytes read.
pub(crate) struct Opened {
    pub(crate) reader: Box<dyn BufRead + Send>,
    pub(crate) bytes_read: Arc<AtomicU64>,
    pub(crate) bytes_total: Option<u64>,
}

/// Opens a path (`-` is stdin).
pub(crate) fn open_path(path: &str) -> io::Result<Opened> {
    if path == "-" {
        return Ok(wrap(Box::new(io::stdin()), None));
    }
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let total = file.metadata().ok().map(|m| m.len());
    Ok(wrap(Box::new(file), total))
}

/// Wraps any reader, detecting gzip by its magic bytes.
pub(crate) fn wrap(reader: Box<dyn Read + Send>, total: Option<u64>) -> Opened {
    let count = Arc::new(AtomicU64::new(0));
    let mut raw = BufReader::with_capacity(
        256 * 1024,
        Counting {
            inner: reader,
            count: Arc::clone(&count),
        },
    );
    let gzip = matches!(raw.fill_buf(), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
    let reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(raw),
        ))
    } else {
        Box::new(raw)
    };
    Opened {
        reader,
        bytes_read: count,
        bytes_total: total,
    }
}

/// One line as read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A line without its end-of-line bytes.
    Text(&'a [u8]),
    /// A line longer than the cap: skipped; carries its length.
    TooLong(u64),
}

/// Reads lines (`\n` or `\r\n`), never holding more than `max` bytes of one line.
pub(crate) struct Lines {
    reader: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    max: usize,
    /// Number of the line last returned (1-based).
    pub(crate) number: u64,
    done: bool,
}

impl Lines {
    pub(crate) fn new(reader: Box<dyn BufRead + Send>, max: usize) -> Self {
        Self {
            reader,
            buf: Vec::with_capacity(4096),
            max: max.max(64),
            number: 0,
            done: false,
        }
    }

    /// The next line, `None` at the end, or the read error that ended the input (a truncated
    /// gzip stream, an I/O error). After an error the input is finished.
    pub(crate) fn next_line(&mut self) -> Option<io::Result<Line<'_>>> {
        if self.done {
            return None;
        }
        self.buf.clear();
        let mut too_long: Option<u64> = None;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if chunk.is_empty() {
                self.done = true;
                if self.buf.is_empty() && too_long.is_none() {
                    return None;
                }
                break;
            }
            let (take, end) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            match &mut too_long {
                Some(n) => *n += take as u64,
                None if self.buf.len() + take > self.max => {
                    too_long = Some((self.buf.len() + take) as u64);
                    self.buf.clear();
                }
                None => self.buf.extend_from_slice(&chunk[..take]),
            }
            let consumed = if end { take + 1 } else { take };
            self.reader.consume(consumed);
            if end {
                break;
            }
        }
        self.number += 1;
        if let Some(n) = too_long {
            return Some(Ok(Line::TooLong(n)));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Some(Ok(Line::Text(&self.buf)))
    }

    /// The reader, for formats that are not line-based.
    pub(crate) fn into_reader(self) -> Box<dyn BufRead + Send> {
        self.reader
    }

    /// A peek at the start of the input without consuming it.
    pub(crate) fn peek(&mut self) -> &[u8] {
        self.reader.fill_buf().unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, u64>> {
        let opened = wrap(Box::new(io::Cursor::new(input.to_vec())), None);
        let mut l = Lines::new(opened.reader, max);
        let mut out = Vec::new();
        while let Some(Ok(line)) = l.next_line() {
            out.push(match line {
                Line::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
                Line::TooLong(n) => Err(n),
            });
        }
        out
    }

    #[test]
    fn splits_lines_and_caps_long_ones() {
        let long = "x".repeat(500);
        let input = format!("a\r\nb\n{long}\nc");
        assert_eq!(
            lines(input.as_bytes(), 100),
            vec![Ok("a".into()), Ok("b".into()), Err(500), Ok("c".into())]
        );
        assert_eq!(lines(b"", 100), vec![]);
        assert_eq!(lines(b"\n", 100), vec![Ok(String::new())]);
    }

    #[test]
    fn gzip_is_detected_and_truncation_is_an_error() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..2000 {
            writeln!(enc, "line {i} with some padding to make it longer").unwrap();
        }
        let gz = enc.finish().unwrap();
        let opened = wrap(Box::new(io::Cursor::new(gz.clone())), None);
        let mut l = Lines::new(opened.reader, 1024);
        let mut n = 0;
        while let Some(Ok(_)) = l.next_line() {
            n += 1;
        }
        assert_eq!(n, 2000);
        let cut = gz[..gz.len() / 2].to_vec();
        let mut l = Lines::new(wrap(Box::new(io::Cursor::new(cut)), None).reader, 1024);
        let mut saw_error = false;
        while let Some(r) = l.next_line() {
            if r.is_err() {
                saw_error = true;
            }
        }
        assert!(saw_error, "a truncated gzip stream must be reported");
    }
}
