//! nginx access logs in any `log_format`, compiled once into a fast line parser.
//!
//! A format is a sequence of literal text and variables (`$remote_addr`, `${request_time}`).
//! Parsing walks it left to right: each variable's value runs up to the next occurrence of the
//! literal that follows it in the format, the last one to the end of the line. Two variables
//! with nothing between them cannot be split, and are rejected when the format is compiled.
//! Values are unescaped (`\x22` → `"`), and `-` means absent.

mod time;
mod vars;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use memchr::memmem::Finder;
use rampart_core::Exchange;

pub(crate) use time::parse_clf_time as parse_clf;
pub(crate) use vars::{host_only, Var};

/// nginx's predefined `combined` format.
pub const COMBINED: &str = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

/// Why a format string does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset} of the format)")]
pub struct FormatError {
    /// Byte offset in the format string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Why a line does not match its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based byte column where matching failed.
    pub column: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.reason)
    }
}

impl std::error::Error for LineError {}

#[derive(Clone)]
enum Step {
    Literal(Vec<u8>),
    Var {
        var: Var,
        name: String,
        until: Option<Box<Finder<'static>>>,
    },
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Literal(l) => write!(f, "Literal({:?})", String::from_utf8_lossy(l)),
            Step::Var { name, .. } => write!(f, "Var({name})"),
        }
    }
}

/// A compiled log format.
#[derive(Debug, Clone)]
pub struct LogFormat {
    steps: Vec<Step>,
    source: String,
}

impl LogFormat {
    /// Compiles an nginx `log_format` string.
    pub fn compile(format: &str) -> Result<LogFormat, FormatError> {
        let mut parts: Vec<(usize, Part)> = Vec::new();
        let b = format.as_bytes();
        let mut i = 0;
        let mut lit = Vec::new();
        let mut lit_start = 0;
        while i < b.len() {
            if b[i] != b'$' {
                if lit.is_empty() {
                    lit_start = i;
                }
                lit.push(b[i]);
                i += 1;
                continue;
            }
            let start = i;
            let (name, next) = if b.get(i + 1) == Some(&b'{') {
                let close = format[i + 2..].find('}').ok_or(FormatError {
                    offset: i,
                    message: "`${` without a closing `}`".into(),
                })?;
                (&format[i + 2..i + 2 + close], i + 2 + close + 1)
            } else {
                let len = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                (&format[i + 1..i + 1 + len], i + 1 + len)
            };
            if name.is_empty() {
                // A lone `$` is literal text.
                if lit.is_empty() {
                    lit_start = i;
                }
                lit.push(b'$');
                i += 1;
                continue;
            }
            if !lit.is_empty() {
                parts.push((lit_start, Part::Literal(std::mem::take(&mut lit))));
            }
            parts.push((start, Part::Var(name.to_owned(), Var::from_nginx(name))));
            i = next;
        }
        if !lit.is_empty() {
            parts.push((lit_start, Part::Literal(lit)));
        }
        Self::from_parts(format, parts)
    }

    pub(crate) fn from_parts(
        source: &str,
        parts: Vec<(usize, Part)>,
    ) -> Result<LogFormat, FormatError> {
        if !parts.iter().any(|(_, p)| matches!(p, Part::Var(..))) {
            return Err(FormatError {
                offset: 0,
                message: "the format has no variables".into(),
            });
        }
        let mut steps = Vec::with_capacity(parts.len());
        for (idx, (offset, part)) in parts.iter().enumerate() {
            match part {
                Part::Literal(l) => steps.push(Step::Literal(l.clone())),
                Part::Var(name, var) => {
                    let until = match parts.get(idx + 1) {
                        None => None,
                        Some((_, Part::Literal(l))) => Some(Box::new(Finder::new(l).into_owned())),
                        Some((next, Part::Var(other, _))) => {
                            return Err(FormatError {
                                offset: *next,
                                message: format!(
                                    "variables `{name}` and `{other}` have nothing between them, so a line cannot be split; put a separator between them (byte {offset})"
                                ),
                            })
                        }
                    };
                    steps.push(Step::Var {
                        var: var.clone(),
                        name: name.clone(),
                        until,
                    });
                }
            }
        }
        Ok(LogFormat {
            steps,
            source: source.to_owned(),
        })
    }

    /// nginx's predefined `combined` format.
    pub fn combined() -> LogFormat {
        match Self::compile(COMBINED) {
            Ok(f) => f,
            // The constant compiles; this arm only keeps the function total.
            Err(_) => LogFormat {
                steps: Vec::new(),
                source: String::new(),
            },
        }
    }

    /// The variables of the format, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|s| match s {
            Step::Var { name, .. } => Some(name.as_str()),
            Step::Literal(_) => None,
        })
    }

    /// The format string as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Parses one line (without its newline).
    pub fn parse(&self, line: &[u8]) -> Result<Exchange, LineError> {
        let mut ex = Exchange::default();
        // Most lines are valid UTF-8 without an escape: checked once here, their fields are
        // then borrowed as they are.
        let plain = match std::str::from_utf8(line) {
            Ok(text) if memchr::memchr(b'\\', line).is_none() => Some(text),
            _ => None,
        };
        let mut pos = 0;
        for step in &self.steps {
            match step {
                Step::Literal(l) => {
                    if !starts_with(&line[pos..], l) {
                        return Err(LineError {
                            column: pos + 1,
                            reason: format!(
                                "expected `{}`",
                                String::from_utf8_lossy(l).escape_debug()
                            ),
                        });
                    }
                    pos += l.len();
                }
                Step::Var { var, name, until } => {
                    let end = match until {
                        Some(f) => match f.find(&line[pos..]) {
                            Some(i) => pos + i,
                            None => {
                                return Err(LineError {
                                    column: pos + 1,
                                    reason: format!("the line ends inside ${name}"),
                                })
                            }
                        },
                        None => line.len(),
                    };
                    let raw = &line[pos..end];
                    if raw != b"-" && !raw.is_empty() {
                        let text = match plain.and_then(|p| p.get(pos..end)) {
                            Some(field) => Cow::Borrowed(field),
                            None => unescape(raw),
                        };
                        var.apply(&text, &mut ex).map_err(|reason| LineError {
                            column: pos + 1,
                            reason: format!("${name}: {reason}"),
                        })?;
                    }
                    pos = end;
                }
            }
        }
        if ex.method.is_empty() {
            return Err(LineError {
                column: 1,
                reason: "no request method in the line (is the log format right?)".into(),
            });
        }
        if ex.path.is_empty() {
            ex.path = "/".into();
        }
        Ok(ex)
    }
}

/// `hay.starts_with(needle)` for the short separators of log formats, compared in place
/// rather than through a `memcmp` call.
fn starts_with(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay.iter().zip(needle).all(|(a, b)| a == b)
}

/// One piece of a format: literal bytes, or a variable with its name.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Literal(Vec<u8>),
    Var(String, Var),
}

/// nginx writes `"`, `\` and non-printable bytes as `\xHH`; invalid UTF-8 becomes U+FFFD.
fn unescape(raw: &[u8]) -> Cow<'_, str> {
    if !raw.contains(&b'\\') {
        return match std::str::from_utf8(raw) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(raw),
        };
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && raw.get(i + 1) == Some(&b'x') {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                raw.get(i + 2).and_then(|c| hex(*c)),
                raw.get(i + 3).and_then(|c| hex(*c)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 4;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}
