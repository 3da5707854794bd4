use super::*;
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn plain_list_with_comments_ranges_and_mixed_families() {
    let text = "\u{feff}# my list\n\n10.0.0.0/8\n192.0.2.7 # one host\n198.51.100.10-198.51.100.20\n2001:db8::/32\n; another comment\n2001:db8:ffff::1-2001:db8:ffff::9\r\n203.0.113.5/24\n";
    let p = NetList::parse("mine", text);
    assert_eq!(p.format, ListFormat::Plain);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let l = &p.list;
    assert_eq!((l.name(), l.len()), ("mine", 6));
    for yes in [
        "10.1.2.3",
        "192.0.2.7",
        "198.51.100.15",
        "2001:db8::1",
        "203.0.113.200",
        "::ffff:10.9.9.9",
    ] {
        assert!(l.contains(ip(yes)), "{yes}");
    }
    for no in [
        "11.0.0.0",
        "192.0.2.8",
        "198.51.100.21",
        "2001:db9::1",
        "203.0.114.0",
        "::1",
    ] {
        assert!(!l.contains(ip(no)), "{no}");
    }
}

#[test]
fn overlapping_and_adjacent_cidrs_merge() {
    let p = NetList::parse(
        "o",
        "10.0.0.0/24\n10.0.0.128/25\n10.0.1.0/24\n10.0.0.5\n0.0.0.0/0\n255.255.255.255\n",
    );
    assert_eq!(p.list.len(), 6);
    assert_eq!(p.list.range_count(), 1);
    assert!(p.list.contains(ip("255.255.255.255")));
    let q = NetList::parse("q", "10.0.0.0/24\n10.0.1.0/24\n10.0.3.0/24\n::/0\n");
    assert_eq!(q.list.range_count(), 3);
    assert!(q.list.contains(ip("ffff::1")));
    assert!(!q.list.contains(ip("10.0.2.1")));
}

#[test]
fn firehol_netset_is_detected_and_named() {
    let text = "#\n# firehol_level1\n#\n# ipv4 hash:net ipset\n#\n# Maintainer      : FireHOL\n# Entries         : 3 subnets, 4352 unique IPs\n#\n0.0.0.0/8\n1.10.16.0/20\n223.254.0.0/16\n";
    let p = NetList::parse("firehol", text);
    assert_eq!(p.format, ListFormat::FireHol);
    assert_eq!(p.title.as_deref(), Some("firehol_level1"));
    assert_eq!(p.list.len(), 3);
    assert!(p.list.contains(ip("1.10.20.1")));
    assert!(!p.list.contains(ip("1.10.32.0")));
}

#[test]
fn tor_exit_addresses_are_read() {
    let text = "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2026-11-30 08:12:13\nLastStatus 2026-11-30 09:00:00\nExitAddress 162.247.74.201 2026-11-30 09:03:22\nExitNode 0091174DE56EADE1C5D5B1B9D5B9D9E5E5E5E5E5\nPublished 2026-11-30 07:00:00\nLastStatus 2026-11-30 08:00:00\nExitAddress 185.220.101.1 2026-11-30 08:10:00\nExitAddress 2a0b:f4c2::1 2026-11-30 08:10:00\nExitAddress nonsense 2026-11-30 08:10:00\nGarbage line\n";
    let p = NetList::parse("tor", text);
    assert_eq!(p.format, ListFormat::TorExitAddresses);
    assert_eq!(p.list.len(), 3);
    assert!(p.list.contains(ip("185.220.101.1")));
    assert!(p.list.contains(ip("2a0b:f4c2::1")));
    assert!(!p.list.contains(ip("185.220.101.2")));
    let lines: Vec<_> = p.errors.iter().map(|e| (e.line, e.reason)).collect();
    assert_eq!(
        lines,
        vec![
            (10, "ExitAddress without a valid address"),
            (11, "not a Tor exit-list line")
        ]
    );
}

#[test]
fn tor_bulk_exit_list_is_plain() {
    let p = NetList::parse("tor-bulk", "185.220.101.1\n185.220.101.2\n2a0b:f4c2::1\n");
    assert_eq!(p.format, ListFormat::Plain);
    assert_eq!(p.list.len(), 3);
}

#[test]
fn bad_lines_are_reported_with_numbers_escaped_and_bounded() {
    let mut text = String::from("10.0.0.1\n300.1.2.3\n10.0.0.0/33\n1.2.3.4 extra words\n5.6.7.8-1.2.3.4\n1.2.3.4-::1\n\u{1b}[31mevil\n");
    text.push_str(&"x".repeat(500));
    text.push('\n');
    for _ in 0..30 {
        text.push_str("nope\n");
    }
    let p = NetList::parse("bad", &text);
    assert_eq!(p.list.len(), 1);
    let got: Vec<_> = p
        .errors
        .iter()
        .take(7)
        .map(|e| (e.line, e.reason))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "not an IP address or network"),
            (3, "not a valid CIDR"),
            (4, "unexpected text after the address"),
            (5, "range ends before it starts"),
            (6, "range mixes IPv4 and IPv6"),
            (7, "not an IP address or network"),
            (8, "not an IP address or network"),
        ]
    );
    assert!(!p.errors[5].text.contains('\u{1b}'));
    assert!(p.errors[6].text.chars().count() <= 81);
    assert_eq!(p.errors.len(), MAX_ERRORS_KEPT);
    assert_eq!(p.error_count(), 7 + 30);
    assert_eq!(p.errors_not_kept, 37 - MAX_ERRORS_KEPT);
    assert_eq!(
        p.errors[0].to_string(),
        "line 2: not an IP address or network: 300.1.2.3"
    );
}

#[test]
fn netset_says_which_list_matched() {
    let set: NetSet = [
        NetList::parse("tor", "185.220.101.1\n").list,
        NetList::parse("cloud", "185.220.0.0/16\n3.0.0.0/8\n").list,
    ]
    .into_iter()
    .collect();
    assert_eq!(set.first_match(ip("185.220.101.1")), Some("tor"));
    assert_eq!(
        set.matches(ip("185.220.101.1")).collect::<Vec<_>>(),
        vec!["tor", "cloud"]
    );
    assert_eq!(set.first_match(ip("3.3.3.3")), Some("cloud"));
    assert_eq!(set.first_match(ip("8.8.8.8")), None);
    assert_eq!(set.len(), 2);
}

#[test]
fn reads_files_and_names_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.netset");
    std::fs::write(&path, "# FireHOL\n10.0.0.0/8\n").unwrap();
    let p = NetList::read_file("f", &path).unwrap();
    assert_eq!((p.format, p.list.len()), (ListFormat::FireHol, 1));
    let err = NetList::read_file("f", &dir.path().join("missing")).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn from_networks_builds_a_list() {
    let l = NetList::from_networks(
        "n",
        [
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ],
    );
    assert!(l.contains(ip("10.0.0.1")) && l.contains(ip("2001:db8::5")));
    assert!(!l.is_empty());
}

fn v4_net() -> impl Strategy<Value = (u32, u8)> {
    // A small address space (10.0.0.0/16) so that networks overlap often.
    (0u32..65536, 8u8..=32).prop_map(|(low, len)| (0x0A00_0000 | low, len.max(16)))
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn contains_agrees_with_a_naive_scan(
        nets in proptest::collection::vec(v4_net(), 0..40),
        nets6 in proptest::collection::vec((any::<u16>(), 100u8..=128), 0..20),
        probes in proptest::collection::vec(0u32..65536, 50),
    ) {
        let nets: Vec<IpNet> = nets
            .iter()
            .map(|&(a, len)| IpNet::new(IpAddr::V4(Ipv4Addr::from(a)), len).unwrap().trunc())
            .chain(nets6.iter().map(|&(low, len)| {
                let a = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, low);
                IpNet::new(IpAddr::V6(a), len).unwrap().trunc()
            }))
            .collect();
        let text: String = nets.iter().map(|n| format!("{n}\n")).collect();
        let list = NetList::parse("p", &text).list;
        prop_assert_eq!(list.len(), nets.len());
        for p in probes {
            for addr in [
                IpAddr::V4(Ipv4Addr::from(0x0A00_0000 | p)),
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, p as u16)),
            ] {
                let naive = nets.iter().any(|n| n.contains(&addr));
                prop_assert_eq!(list.contains(addr), naive, "{}", addr);
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in "(.{0,40}\n){0,20}") {
        let p = NetList::parse("x", &text);
        prop_assert!(p.errors.len() <= MAX_ERRORS_KEPT);
    }
}

/// Cost of `contains` on a list of 100k networks. Run with
/// `cargo test -p rampart-detect --release -- --ignored --nocapture netlist_timing`.
#[test]
#[ignore]
fn netlist_timing() {
    let mut x: u32 = 0x1234_5678;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    };
    let text: String = (0..100_000)
        .map(|_| format!("{}/24\n", Ipv4Addr::from(next())))
        .collect();
    let list = NetList::parse("big", &text).list;
    let probes: Vec<IpAddr> = (0..1024)
        .map(|_| IpAddr::V4(Ipv4Addr::from(next())))
        .collect();
    let n = 2_000_000;
    let start = std::time::Instant::now();
    let mut hits = 0;
    for i in 0..n {
        hits += usize::from(list.contains(std::hint::black_box(probes[i % probes.len()])));
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "NetList::contains, {} ranges: {per:.0} ns/call ({hits} hits)",
        list.range_count()
    );
}
