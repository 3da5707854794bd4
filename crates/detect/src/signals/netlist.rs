//! IP network lists (block lists, Tor exits, datacenter ranges) and fast membership tests.
//!
//! Lists are read from text in any of three formats, detected automatically
//! ([`ListFormat`]): plain (one address, CIDR or `a-b` range per line), FireHOL `.netset` /
//! `.ipset` files, and Tor's `exit-addresses` document (its bulk exit list is plain). Bad lines
//! are reported with their line number and skipped. Ranges are merged into sorted, disjoint
//! intervals, so `contains` is one binary search (a few tens of nanoseconds on lists of
//! hundreds of thousands of entries); IPv4-mapped IPv6 addresses are looked up as IPv4.

mod parse;

#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;
pub use parse::{ListError, ListFormat, MAX_ERRORS_KEPT};

/// A named set of IPv4 and IPv6 ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetList {
    name: String,
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
    entries: usize,
}

/// The result of reading a list: the list, and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedList {
    /// The list, built from every line that could be read.
    pub list: NetList,
    /// The format the text was read as.
    pub format: ListFormat,
    /// The list's own title from a FireHOL header (`firehol_level1`), escaped.
    pub title: Option<String>,
    /// The first [`MAX_ERRORS_KEPT`] bad lines.
    pub errors: Vec<ListError>,
    /// How many more bad lines there were.
    pub errors_not_kept: usize,
}

impl ParsedList {
    /// Every bad line, kept or not.
    pub fn error_count(&self) -> usize {
        self.errors.len() + self.errors_not_kept
    }
}

/// A list could not be read from a file.
#[derive(Debug, thiserror::Error)]
#[error("cannot read network list {path}: {source}")]
pub struct ListReadError {
    /// The file.
    pub path: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

impl NetList {
    /// Reads a list, detecting its format.
    pub fn parse(name: &str, text: &str) -> ParsedList {
        Self::parse_as(name, text, ListFormat::detect(text))
    }

    /// Reads a list in a given format.
    pub fn parse_as(name: &str, text: &str, format: ListFormat) -> ParsedList {
        parse::parse(name, text, format)
    }

    /// Reads a list from a file (invalid UTF-8 is replaced, and shows up as bad lines).
    pub fn read_file(name: &str, path: &Path) -> Result<ParsedList, ListReadError> {
        let bytes = std::fs::read(path).map_err(|source| ListReadError {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self::parse(name, &String::from_utf8_lossy(&bytes)))
    }

    /// A list of the given networks.
    pub fn from_networks(name: &str, nets: impl IntoIterator<Item = IpNet>) -> Self {
        let mut b = Builder::default();
        for net in nets {
            b.add_net(net);
        }
        b.build(name)
    }

    /// The list's name, as given by whoever loaded it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `ip` is in the list. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are looked
    /// up as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(v4) => find(&self.v4, u32::from(v4)),
            IpAddr::V6(v6) => find(&self.v6, u128::from(v6)),
        }
    }

    /// How many entries (lines, or networks given) the list was built from.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// How many disjoint ranges remain after merging overlapping and adjacent entries.
    pub fn range_count(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

/// Whether `x` falls in one of the sorted, disjoint, inclusive `ranges`.
fn find<T: Ord + Copy>(ranges: &[(T, T)], x: T) -> bool {
    let i = ranges.partition_point(|&(start, _)| start <= x);
    i > 0 && ranges[i - 1].1 >= x
}

/// Collects ranges, then sorts and merges them.
#[derive(Debug, Default)]
struct Builder {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
    entries: usize,
}

impl Builder {
    fn add_net(&mut self, net: IpNet) {
        match net.trunc() {
            IpNet::V4(n) => self.add_v4(u32::from(n.network()), u32::from(n.broadcast())),
            IpNet::V6(n) => self.add_v6(u128::from(n.network()), u128::from(n.broadcast())),
        }
    }

    fn add_v4(&mut self, start: u32, end: u32) {
        self.v4.push((start, end));
        self.entries += 1;
    }

    fn add_v6(&mut self, start: u128, end: u128) {
        self.v6.push((start, end));
        self.entries += 1;
    }

    fn build(self, name: &str) -> NetList {
        NetList {
            name: name.to_owned(),
            v4: merge(self.v4),
            v6: merge(self.v6),
            entries: self.entries,
        }
    }
}

/// Sorts ranges and merges those that overlap or touch.
fn merge<T: Ord + Copy + num::Step>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        if let Some(last) = out.last_mut() {
            if last.1 >= end {
                continue; // inside the previous range
            }
            if start <= last.1 || last.1.next() == Some(start) {
                last.1 = end; // overlapping or adjacent
                continue;
            }
        }
        out.push((start, end));
    }
    out.shrink_to_fit();
    out
}

mod num {
    /// The next integer, if any (`u32::MAX` has none).
    pub(super) trait Step: Sized + PartialEq {
        fn next(self) -> Option<Self>;
    }

    impl Step for u32 {
        fn next(self) -> Option<Self> {
            self.checked_add(1)
        }
    }

    impl Step for u128 {
        fn next(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
}

/// Several named lists; answers which list an address is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetSet {
    lists: Vec<NetList>,
}

impl NetSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a list; lists are asked in the order they were added.
    pub fn push(&mut self, list: NetList) {
        self.lists.push(list);
    }

    /// The name of the first list that holds `ip`.
    pub fn first_match(&self, ip: IpAddr) -> Option<&str> {
        self.lists
            .iter()
            .find(|l| l.contains(ip))
            .map(NetList::name)
    }

    /// The names of every list that holds `ip`.
    pub fn matches(&self, ip: IpAddr) -> impl Iterator<Item = &str> + '_ {
        self.lists
            .iter()
            .filter(move |l| l.contains(ip))
            .map(NetList::name)
    }

    /// The lists, in order.
    pub fn lists(&self) -> &[NetList] {
        &self.lists
    }

    /// How many lists there are.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there are no lists.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

impl FromIterator<NetList> for NetSet {
    fn from_iter<I: IntoIterator<Item = NetList>>(iter: I) -> Self {
        Self {
            lists: iter.into_iter().collect(),
        }
    }
}
