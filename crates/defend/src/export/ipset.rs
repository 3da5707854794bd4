//! Blocked addresses and networks as ipset or nftables set commands, for a firewall in front of
//! the API to drop.
//!
//! Only enforced `block` decisions on an address or a prefix are written; everything else is
//! skipped and counted. The element's timeout is the decision's lifetime, so the firewall lets
//! the entry lapse when the decision does.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{ExportError, Exporter};
use crate::decision::{Action, Decision, Mode, Scope};

/// Longest timeout ipset accepts, in seconds.
const MAX_TIMEOUT: u64 = 2_147_483;

/// How lines are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetFormat {
    /// `ipset add rampart-block 192.0.2.1 timeout 3600`: a shell script.
    IpsetCommands,
    /// `add rampart-block 192.0.2.1 timeout 3600`: input for `ipset -exist restore`.
    IpsetRestore,
    /// `add element inet filter rampart-block { 192.0.2.1 timeout 3600s }`: input for
    /// `nft -f`; the string is the family and table (`inet filter`).
    Nft(String),
}

/// Writes blocked addresses and networks as set elements.
#[derive(Debug)]
pub struct IpsetExporter<W: Write = BufWriter<File>> {
    out: W,
    format: SetFormat,
    set_v4: String,
    set_v6: String,
    written: u64,
    skipped: u64,
}

impl IpsetExporter {
    /// Appends to the file at `path`, creating it.
    pub fn append(path: &Path, set: &str, format: SetFormat) -> Result<Self, ExportError> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::new(BufWriter::new(file), set, format))
    }
}

impl<W: Write> IpsetExporter<W> {
    /// Writes to `out`, IPv4 entries into set `set` and IPv6 ones into `set` + `-v6` (sets
    /// hold one family each).
    pub fn new(out: W, set: &str, format: SetFormat) -> Self {
        Self {
            out,
            format,
            set_v4: set.to_owned(),
            set_v6: format!("{set}-v6"),
            written: 0,
            skipped: 0,
        }
    }

    /// Names the IPv6 set.
    pub fn with_v6_set(mut self, set: &str) -> Self {
        self.set_v6 = set.to_owned();
        self
    }

    /// Lines written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Decisions skipped (not a block, not enforced, or not on an address or prefix).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The element and its set, when the decision is one a firewall can hold.
    fn element(&self, d: &Decision) -> Option<(String, &str)> {
        if d.mode != Mode::Enforce || !matches!(d.action, Action::Block { .. }) {
            return None;
        }
        match &d.scope {
            Scope::Ip(ip) => Some((ip.to_string(), self.set_for(ip.is_ipv6()))),
            Scope::Prefix(net) => Some((
                net.to_string(),
                self.set_for(matches!(net, ipnet::IpNet::V6(_))),
            )),
            _ => None,
        }
    }

    fn set_for(&self, v6: bool) -> &str {
        if v6 {
            &self.set_v6
        } else {
            &self.set_v4
        }
    }

    fn line(&self, verb: &str, element: &str, set: &str, timeout: Option<u64>) -> String {
        match &self.format {
            SetFormat::IpsetCommands | SetFormat::IpsetRestore => {
                let prefix = if self.format == SetFormat::IpsetCommands {
                    "ipset "
                } else {
                    ""
                };
                match timeout {
                    Some(t) if verb == "add" => {
                        format!("{prefix}{verb} {set} {element} timeout {t}")
                    }
                    _ => format!("{prefix}{verb} {set} {element}"),
                }
            }
            SetFormat::Nft(table) => match timeout {
                Some(t) if verb == "add" => {
                    format!("{verb} element {table} {set} {{ {element} timeout {t}s }}")
                }
                _ => format!("{verb} element {table} {set} {{ {element} }}"),
            },
        }
    }

    fn write(&mut self, line: &str) -> Result<(), ExportError> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        self.written += 1;
        Ok(())
    }
}

impl<W: Write> Exporter for IpsetExporter<W> {
    fn publish(&mut self, d: &Decision) -> Result<(), ExportError> {
        let Some((element, set)) = self.element(d) else {
            self.skipped += 1;
            return Ok(());
        };
        let timeout = d.ttl().map(|t| t.as_millis().div_ceil(1000)).map(|s| {
            u64::try_from(s)
                .unwrap_or(MAX_TIMEOUT)
                .clamp(1, MAX_TIMEOUT)
        });
        let line = self.line("add", &element, set, timeout);
        self.write(&line)
    }

    fn withdraw(&mut self, d: &Decision) -> Result<(), ExportError> {
        let Some((element, set)) = self.element(d) else {
            return Ok(());
        };
        let verb = if matches!(self.format, SetFormat::Nft(_)) {
            "delete"
        } else {
            "del"
        };
        let line = self.line(verb, &element, set, None);
        self.write(&line)
    }
}
