//! The [`Source`] implementations: line-based logs and HAR documents.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rampart_core::Exchange;

use crate::client::resolve_client;
use crate::detect::detect;
use crate::har::HarReader;
use crate::input::{wrap, Line, Lines, Opened};
use crate::mapping::FieldMapping;
use crate::nginx::LogFormat;
use crate::{BadRecord, Format, IngestOptions, OpenError, Progress, Source};

/// nginx's `common`-style format, for the `common` nickname.
const COMMON: &str =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent";

/// Opens any reader (already decompressed or not: gzip is detected) as a source.
pub fn open_reader(
    name: &str,
    reader: Box<dyn Read + Send>,
    total: Option<u64>,
    options: &IngestOptions,
) -> Result<Box<dyn Source>, OpenError> {
    open_opened(name, wrap(reader, total), options)
}

pub(crate) fn open_opened(
    name: &str,
    opened: Opened,
    options: &IngestOptions,
) -> Result<Box<dyn Source>, OpenError> {
    let Opened {
        reader,
        bytes_read,
        bytes_total,
        ..
    } = opened;
    let mut lines = Lines::new(reader, options.max_line_bytes);
    let format = match &options.format {
        Format::Auto if options.log_format.is_some() => Format::Nginx,
        Format::Auto => detect(lines.peek()),
        other => other.clone(),
    };
    let parser = match format {
        Format::Har => {
            return Ok(Box::new(HarSource {
                name: name.to_owned(),
                reader: HarReader::new(lines.into_reader()),
                trusted: options.trusted_proxies.clone(),
                bytes_read,
                bytes_total,
                records: 0,
            }));
        }
        Format::Nginx | Format::Auto => {
            LineParser::Text(compile_log_format(options.log_format.as_deref())?)
        }
        Format::OtelJsonl => LineParser::Otel,
        Format::Alb => LineParser::Alb,
        Format::Mapped(m) => LineParser::Mapped(m),
    };
    Ok(Box::new(LineSource {
        name: name.to_owned(),
        lines,
        parser,
        trusted: options.trusted_proxies.clone(),
        bytes_read,
        bytes_total,
        records: 0,
    }))
}

/// Compiles a `log_format` option: nicknames, Apache `LogFormat` strings or nginx strings.
pub(crate) fn compile_log_format(format: Option<&str>) -> Result<LogFormat, OpenError> {
    let f = format.map(str::trim).unwrap_or("combined");
    match f {
        "" | "combined" | "main" => Ok(LogFormat::combined()),
        "common" => LogFormat::compile(COMMON).map_err(|e| OpenError::LogFormat(e.to_string())),
        _ if crate::apache::looks_like_apache(f) => {
            crate::apache::compile_apache(f).map_err(|e| OpenError::LogFormat(e.to_string()))
        }
        _ => LogFormat::compile(f).map_err(|e| OpenError::LogFormat(e.to_string())),
    }
}

enum LineParser {
    Text(LogFormat),
    Alb,
    Otel,
    Mapped(Box<FieldMapping>),
}

impl LineParser {
    fn name(&self) -> &str {
        match self {
            LineParser::Text(_) => "access log",
            LineParser::Alb => "aws alb",
            LineParser::Otel => "otel json lines",
            LineParser::Mapped(_) => "mapped json lines",
        }
    }

    fn parse(&self, line: &[u8]) -> Result<Exchange, String> {
        match self {
            LineParser::Text(f) => f.parse(line).map_err(|e| e.to_string()),
            LineParser::Alb => crate::alb::parse_alb(line).map_err(|e| e.to_string()),
            LineParser::Otel => crate::otel::parse_otel(line).map_err(|e| e.reason),
            LineParser::Mapped(m) => m.parse(line).map_err(|e| e.reason),
        }
    }
}

struct LineSource {
    name: String,
    lines: Lines,
    parser: LineParser,
    trusted: Vec<ipnet::IpNet>,
    bytes_read: Arc<AtomicU64>,
    bytes_total: Option<u64>,
    records: u64,
}

impl Source for LineSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn next(&mut self) -> Option<Result<Exchange, BadRecord>> {
        loop {
            let number = self.lines.number + 1;
            let result = match self.lines.next_line()? {
                Err(e) => Err(format!("input ends here: {}", read_error(&e))),
                Ok(Line::TooLong(n)) => {
                    Err(format!("line of {n} bytes is over the limit; skipped"))
                }
                Ok(Line::Text(t)) => {
                    if t.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.parser.parse(t)
                }
            };
            self.records += 1;
            return Some(match result {
                Ok(mut ex) => {
                    resolve_client(&mut ex, &self.trusted);
                    Ok(ex)
                }
                Err(reason) => Err(BadRecord {
                    source: self.name.clone(),
                    line: number,
                    reason,
                }),
            });
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            records: self.records,
        }
    }

    fn format(&self) -> &str {
        self.parser.name()
    }
}

fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "truncated input (a gzip stream cut short?)".into(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            format!("corrupt input: {e}")
        }
        _ => e.to_string(),
    }
}

struct HarSource {
    name: String,
    reader: HarReader<Box<dyn std::io::BufRead + Send>>,
    trusted: Vec<ipnet::IpNet>,
    bytes_read: Arc<AtomicU64>,
    bytes_total: Option<u64>,
    records: u64,
}

impl Source for HarSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn next(&mut self) -> Option<Result<Exchange, BadRecord>> {
        let item = self.reader.next()?;
        self.records += 1;
        Some(match item {
            Ok(mut ex) => {
                resolve_client(&mut ex, &self.trusted);
                Ok(ex)
            }
            Err(e) => Err(BadRecord {
                source: self.name.clone(),
                line: e.line,
                reason: e.reason,
            }),
        })
    }

    fn progress(&self) -> Progress {
        Progress {
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            records: self.records,
        }
    }

    fn format(&self) -> &str {
        "har"
    }
}
