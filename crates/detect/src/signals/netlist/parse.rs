//! Reading list files: format detection and one line at a time.

use std::net::IpAddr;

use ipnet::IpNet;
use rampart_core::redact::escape_for_terminal;

use super::{Builder, ParsedList};

/// How many bad lines are kept with their text; the rest are only counted.
pub const MAX_ERRORS_KEPT: usize = 20;

/// Longest bad-line text kept, in characters.
const ERROR_TEXT_MAX: usize = 80;

/// How many non-blank lines format detection looks at.
const SNIFF_LINES: usize = 64;

/// The formats a list can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListFormat {
    /// One IP, CIDR or `first-last` range per line; `#` and `;` start comments; blank lines
    /// are skipped. Tor's bulk exit list (one IP per line) is this format.
    Plain,
    /// FireHOL `.netset` / `.ipset`: plain lines under a `#` header that names the list.
    FireHol,
    /// Tor's `exit-addresses` document: `ExitNode`, `Published`, `LastStatus` and
    /// `ExitAddress 1.2.3.4 2026-11-30 12:00:00` lines; only the addresses are kept.
    TorExitAddresses,
}

impl ListFormat {
    /// Guesses the format from the first lines: `ExitNode`/`ExitAddress` lines mean Tor, a
    /// comment that mentions FireHOL or ipset means FireHOL, anything else is plain.
    pub fn detect(text: &str) -> Self {
        let mut firehol = false;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(SNIFF_LINES)
        {
            if line.starts_with("ExitNode ") || line.starts_with("ExitAddress ") {
                return ListFormat::TorExitAddresses;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let lower = comment.to_ascii_lowercase();
                firehol |= lower.contains("firehol") || lower.contains("ipset");
            }
        }
        if firehol {
            ListFormat::FireHol
        } else {
            ListFormat::Plain
        }
    }

    /// A short stable name (`plain`, `firehol`, `tor-exit-addresses`).
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::Plain => "plain",
            ListFormat::FireHol => "firehol",
            ListFormat::TorExitAddresses => "tor-exit-addresses",
        }
    }
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}: {text}")]
pub struct ListError {
    /// Line number, from 1.
    pub line: usize,
    /// The line, escaped for a terminal and cut to 80 characters.
    pub text: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

struct Errors {
    kept: Vec<ListError>,
    not_kept: usize,
}

impl Errors {
    fn push(&mut self, line: usize, text: &str, reason: &'static str) {
        if self.kept.len() < MAX_ERRORS_KEPT {
            self.kept.push(ListError {
                line,
                text: escape_for_terminal(text, ERROR_TEXT_MAX),
                reason,
            });
        } else {
            self.not_kept += 1;
        }
    }
}

pub(super) fn parse(name: &str, text: &str, format: ListFormat) -> ParsedList {
    let mut b = Builder::default();
    let mut errors = Errors {
        kept: Vec::new(),
        not_kept: 0,
    };
    let mut title = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if format == ListFormat::FireHol && title.is_none() {
                title = firehol_title(comment);
            }
            continue;
        }
        if line.starts_with(';') || line.starts_with("//") {
            continue;
        }
        let entry = match format {
            ListFormat::TorExitAddresses => tor_line(line),
            ListFormat::Plain | ListFormat::FireHol => plain_line(line),
        };
        match entry {
            Ok(Some(e)) => e.add_to(&mut b),
            Ok(None) => {}
            Err(reason) => errors.push(n, raw, reason),
        }
    }
    ParsedList {
        list: b.build(name),
        format,
        title,
        errors: errors.kept,
        errors_not_kept: errors.not_kept,
    }
}

/// The header line that is just the list's name (`# firehol_level1`).
fn firehol_title(comment: &str) -> Option<String> {
    let t = comment.trim();
    let one_word = !t.is_empty() && !t.contains(char::is_whitespace) && !t.contains(':');
    one_word.then(|| escape_for_terminal(t, ERROR_TEXT_MAX))
}

/// One entry of a list.
enum Entry {
    Net(IpNet),
    V4(u32, u32),
    V6(u128, u128),
}

impl Entry {
    fn add_to(self, b: &mut Builder) {
        match self {
            Entry::Net(n) => b.add_net(n),
            Entry::V4(a, z) => b.add_v4(a, z),
            Entry::V6(a, z) => b.add_v6(a, z),
        }
    }
}

/// `1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32` or `1.2.3.4-1.2.3.9`, then nothing or a comment.
fn plain_line(line: &str) -> Result<Option<Entry>, &'static str> {
    let (token, rest) = split_token(line);
    let token = token.split('#').next().unwrap_or(token);
    let rest = rest.trim_start();
    if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
        return Err("unexpected text after the address");
    }
    entry(token).map(Some)
}

fn entry(token: &str) -> Result<Entry, &'static str> {
    if token.contains('/') {
        return token
            .parse::<IpNet>()
            .map(Entry::Net)
            .map_err(|_| "not a valid CIDR");
    }
    if let Some((a, z)) = token.split_once('-') {
        let a: IpAddr = a.trim().parse().map_err(|_| "not a valid range start")?;
        let z: IpAddr = z.trim().parse().map_err(|_| "not a valid range end")?;
        return match (a, z) {
            (IpAddr::V4(a), IpAddr::V4(z)) if a <= z => Ok(Entry::V4(a.into(), z.into())),
            (IpAddr::V6(a), IpAddr::V6(z)) if a <= z => Ok(Entry::V6(a.into(), z.into())),
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                Err("range ends before it starts")
            }
            _ => Err("range mixes IPv4 and IPv6"),
        };
    }
    token
        .parse::<IpAddr>()
        .map(|ip| Entry::Net(IpNet::from(ip)))
        .map_err(|_| "not an IP address or network")
}

/// `ExitAddress <ip> <date> <time>`; the other lines of the document are skipped; a bare
/// address is accepted too.
fn tor_line(line: &str) -> Result<Option<Entry>, &'static str> {
    let (keyword, rest) = split_token(line);
    match keyword {
        "ExitAddress" => {
            let (ip, _when) = split_token(rest.trim_start());
            ip.parse::<IpAddr>()
                .map(|ip| Some(Entry::Net(IpNet::from(ip))))
                .map_err(|_| "ExitAddress without a valid address")
        }
        "ExitNode" | "Published" | "LastStatus" => Ok(None),
        _ => plain_line(line).map_err(|_| "not a Tor exit-list line"),
    }
}

fn split_token(s: &str) -> (&str, &str) {
    s.split_once(char::is_whitespace).unwrap_or((s, ""))
}
