//! Address blocks by country and network kind, and an allocator that never gives one address to
//! two actors.
//!
//! The assignments are synthetic but shaped like the real ones: US cable and mobile carriers for
//! customers, cloud ranges for partners and scanners, Googlebot's and bingbot's published
//! ranges, residential ISPs of countries where Acme has no customers for the credential
//! stuffing pool, and hosting ranges known for bulletproof proxies.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rand::rngs::SmallRng;
use rand::Rng;

use super::truth::NetworkTruth;

/// The kind of network a block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetKind {
    Residential,
    Mobile,
    Corporate,
    Cloud,
    Crawler,
    Monitor,
    ResidentialProxy,
    BulletproofProxy,
}

impl NetKind {
    fn name(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Mobile => "mobile",
            Self::Corporate => "corporate",
            Self::Cloud => "cloud",
            Self::Crawler => "crawler",
            Self::Monitor => "monitor",
            Self::ResidentialProxy => "residential_proxy",
            Self::BulletproofProxy => "bulletproof_proxy",
        }
    }
}

/// One address block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Net {
    /// Base address and prefix length.
    pub(crate) base: IpAddr,
    pub(crate) prefix: u8,
    pub(crate) country: &'static str,
    pub(crate) asn: u32,
    pub(crate) org: &'static str,
    pub(crate) kind: NetKind,
}

const fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

const fn v6(a: u16, b: u16) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(a, b, 0, 0, 0, 0, 0, 0))
}

const fn net(
    base: IpAddr,
    prefix: u8,
    country: &'static str,
    asn: u32,
    org: &'static str,
    kind: NetKind,
) -> Net {
    Net {
        base,
        prefix,
        country,
        asn,
        org,
        kind,
    }
}

use NetKind::*;

/// Customers' home networks, with their weights (the US first; Acme sells in North America).
pub(crate) const HOME: &[(Net, u32)] = &[
    (
        net(
            v4(73, 32, 0, 0),
            11,
            "US",
            7922,
            "Comcast Cable",
            Residential,
        ),
        30,
    ),
    (
        net(
            v4(24, 160, 0, 0),
            12,
            "US",
            20115,
            "Charter Communications",
            Residential,
        ),
        20,
    ),
    (
        net(
            v4(99, 0, 0, 0),
            11,
            "US",
            7018,
            "AT&T Internet",
            Residential,
        ),
        16,
    ),
    (
        net(v4(108, 0, 0, 0), 14, "US", 701, "Verizon Fios", Residential),
        12,
    ),
    (
        net(
            v4(67, 160, 0, 0),
            11,
            "US",
            22773,
            "Cox Communications",
            Residential,
        ),
        8,
    ),
    (
        net(
            v4(99, 224, 0, 0),
            11,
            "CA",
            812,
            "Rogers Communications",
            Residential,
        ),
        5,
    ),
    (
        net(
            v4(142, 112, 0, 0),
            13,
            "CA",
            577,
            "Bell Canada",
            Residential,
        ),
        3,
    ),
    (
        net(v4(189, 128, 0, 0), 11, "MX", 8151, "Telmex", Residential),
        3,
    ),
    (net(v4(86, 128, 0, 0), 10, "GB", 2856, "BT", Residential), 1),
];

/// Customers' phones on mobile carriers.
pub(crate) const MOBILE: &[(Net, u32)] = &[
    (
        net(v4(172, 56, 0, 0), 14, "US", 21928, "T-Mobile USA", Mobile),
        20,
    ),
    (
        net(v6(0x2607, 0xfb90), 32, "US", 21928, "T-Mobile USA", Mobile),
        25,
    ),
    (
        net(
            v4(174, 192, 0, 0),
            11,
            "US",
            6167,
            "Verizon Wireless",
            Mobile,
        ),
        20,
    ),
    (
        net(
            v6(0x2600, 0x1000),
            28,
            "US",
            6167,
            "Verizon Wireless",
            Mobile,
        ),
        15,
    ),
    (
        net(v4(166, 128, 0, 0), 11, "US", 20057, "AT&T Mobility", Mobile),
        15,
    ),
    (
        net(v4(70, 24, 0, 0), 13, "CA", 812, "Rogers Wireless", Mobile),
        5,
    ),
];

/// The corporate network whose NAT address many employees share.
pub(crate) const CORPORATE: Net = net(
    v4(198, 179, 144, 0),
    24,
    "US",
    64_810,
    "Globex Corporation",
    Corporate,
);

/// Cloud ranges (partners' servers, some attackers' servers).
pub(crate) const AWS: Net = net(v4(3, 80, 0, 0), 12, "US", 14618, "Amazon AWS", Cloud);
pub(crate) const GCP: Net = net(v4(34, 64, 0, 0), 10, "US", 396_982, "Google Cloud", Cloud);
pub(crate) const AZURE: Net = net(v4(20, 36, 0, 0), 14, "US", 8075, "Microsoft Azure", Cloud);
pub(crate) const DIGITALOCEAN: Net = net(v4(167, 99, 0, 0), 16, "US", 14061, "DigitalOcean", Cloud);
pub(crate) const HETZNER: Net = net(v4(95, 216, 0, 0), 16, "FI", 24940, "Hetzner Online", Cloud);
pub(crate) const OVH: Net = net(v4(51, 68, 0, 0), 16, "FR", 16276, "OVH", Cloud);

/// Googlebot's and bingbot's published ranges.
pub(crate) const GOOGLEBOT: Net = net(v4(66, 249, 64, 0), 19, "US", 15169, "Google", Crawler);
pub(crate) const BINGBOT: Net = net(v4(157, 55, 39, 0), 24, "US", 8075, "Microsoft", Crawler);

/// Uptime-monitoring services.
pub(crate) const MONITORS: &[Net] = &[
    net(
        v4(216, 144, 248, 0),
        22,
        "US",
        46_475,
        "UptimeRobot",
        Monitor,
    ),
    net(v4(185, 180, 12, 0), 24, "SE", 42_708, "Pingdom", Monitor),
    net(
        v4(3, 18, 172, 0),
        24,
        "US",
        16_509,
        "Datadog Synthetics",
        Monitor,
    ),
];

/// Residential ISPs of countries where Acme has no customers, as sold by residential-proxy
/// providers (the credential-stuffing pool: the Middle East, North Africa, Korea, Russia, the
/// Philippines and Indonesia).
pub(crate) const PROXY_ABROAD: &[(Net, u32)] = &[
    (
        net(
            v4(41, 32, 0, 0),
            12,
            "EG",
            8452,
            "TE Data",
            ResidentialProxy,
        ),
        12,
    ),
    (
        net(
            v4(105, 128, 0, 0),
            11,
            "MA",
            36903,
            "Maroc Telecom",
            ResidentialProxy,
        ),
        8,
    ),
    (
        net(
            v4(2, 88, 0, 0),
            14,
            "SA",
            25019,
            "Saudi Telecom",
            ResidentialProxy,
        ),
        8,
    ),
    (
        net(
            v4(94, 200, 0, 0),
            13,
            "AE",
            5384,
            "Etisalat",
            ResidentialProxy,
        ),
        6,
    ),
    (
        net(
            v4(121, 128, 0, 0),
            10,
            "KR",
            4766,
            "Korea Telecom",
            ResidentialProxy,
        ),
        16,
    ),
    (
        net(
            v4(175, 192, 0, 0),
            10,
            "KR",
            9318,
            "SK Broadband",
            ResidentialProxy,
        ),
        10,
    ),
    (
        net(
            v4(95, 24, 0, 0),
            13,
            "RU",
            8402,
            "Beeline",
            ResidentialProxy,
        ),
        14,
    ),
    (
        net(v4(188, 32, 0, 0), 13, "RU", 8359, "MTS", ResidentialProxy),
        8,
    ),
    (
        net(
            v4(49, 144, 0, 0),
            13,
            "PH",
            4775,
            "Globe Telecom",
            ResidentialProxy,
        ),
        8,
    ),
    (
        net(v4(112, 198, 0, 0), 16, "PH", 9299, "PLDT", ResidentialProxy),
        4,
    ),
    (
        net(
            v4(36, 64, 0, 0),
            11,
            "ID",
            7713,
            "Telkom Indonesia",
            ResidentialProxy,
        ),
        14,
    ),
    (
        net(
            v4(114, 120, 0, 0),
            13,
            "ID",
            4761,
            "Indosat",
            ResidentialProxy,
        ),
        6,
    ),
];

/// Bulletproof-proxy hosting: a few /16s and /24s.
pub(crate) const BULLETPROOF_16: &[Net] = &[
    net(
        v4(91, 243, 0, 0),
        16,
        "RU",
        44_477,
        "Stark Industries",
        BulletproofProxy,
    ),
    net(
        v4(193, 233, 0, 0),
        16,
        "NL",
        216_246,
        "Aeza Group",
        BulletproofProxy,
    ),
    net(
        v4(45, 134, 0, 0),
        16,
        "SC",
        209_588,
        "Flyservers",
        BulletproofProxy,
    ),
];
/// Bulletproof-proxy /24s.
pub(crate) const BULLETPROOF_24: &[Net] = &[
    net(
        v4(194, 26, 29, 0),
        24,
        "RU",
        48_721,
        "Flyservers",
        BulletproofProxy,
    ),
    net(
        v4(45, 141, 84, 0),
        24,
        "NL",
        204_428,
        "SS-Net",
        BulletproofProxy,
    ),
    net(
        v4(89, 248, 165, 0),
        24,
        "NL",
        202_425,
        "IP Volume",
        BulletproofProxy,
    ),
    net(
        v4(80, 94, 95, 0),
        24,
        "BG",
        204_428,
        "SS-Net",
        BulletproofProxy,
    ),
    net(
        v4(141, 98, 11, 0),
        24,
        "LT",
        209_605,
        "UAB Host Baltic",
        BulletproofProxy,
    ),
    net(
        v4(185, 156, 73, 0),
        24,
        "RU",
        48_693,
        "Rices Privately",
        BulletproofProxy,
    ),
];

/// Scanners' hosting.
pub(crate) const SCANNER_HOSTS: &[Net] = &[
    net(
        v4(193, 142, 146, 0),
        24,
        "NL",
        208_312,
        "Red Byte",
        BulletproofProxy,
    ),
    net(v4(45, 155, 205, 0), 24, "RU", 49_505, "Selectel", Cloud),
    DIGITALOCEAN,
];

impl Net {
    /// Every block the simulation knows, for the truth.
    pub(crate) fn all() -> Vec<Net> {
        let mut out: Vec<Net> = Vec::new();
        out.extend(HOME.iter().map(|(n, _)| *n));
        out.extend(MOBILE.iter().map(|(n, _)| *n));
        out.push(CORPORATE);
        out.extend([
            AWS,
            GCP,
            AZURE,
            DIGITALOCEAN,
            HETZNER,
            OVH,
            GOOGLEBOT,
            BINGBOT,
        ]);
        out.extend(MONITORS.iter().copied());
        out.extend(PROXY_ABROAD.iter().map(|(n, _)| *n));
        out.extend(BULLETPROOF_16.iter().copied());
        out.extend(BULLETPROOF_24.iter().copied());
        out.extend(SCANNER_HOSTS.iter().copied());
        let mut seen = HashSet::new();
        out.retain(|n| seen.insert((n.base, n.prefix)));
        out
    }

    /// What a GeoIP / ASN database would say about the block.
    pub(crate) fn truth(&self) -> NetworkTruth {
        NetworkTruth {
            cidr: format!("{}/{}", self.base, self.prefix),
            country: self.country.to_owned(),
            asn: self.asn,
            org: self.org.to_owned(),
            kind: self.kind.name().to_owned(),
        }
    }

    /// A random address in the block, never the network or broadcast address.
    fn random(&self, rng: &mut SmallRng) -> IpAddr {
        match self.base {
            IpAddr::V4(b) => {
                let host_bits = 32 - u32::from(self.prefix.min(31));
                let mask = if host_bits >= 32 {
                    u32::MAX
                } else {
                    (1u32 << host_bits) - 1
                };
                let base = u32::from(b) & !mask;
                loop {
                    let host = rng.random::<u32>() & mask;
                    let last = (host & 0xff) as u8;
                    if host != 0 && host != mask && last != 0 && last != 255 {
                        return IpAddr::V4(Ipv4Addr::from(base | host));
                    }
                }
            }
            IpAddr::V6(b) => {
                let host_bits = 128 - u32::from(self.prefix.min(127));
                let mask = if host_bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << host_bits) - 1
                };
                let base = u128::from(b) & !mask;
                let host = (rng.random::<u128>() & mask).max(1);
                IpAddr::V6(Ipv6Addr::from(base | host))
            }
        }
    }
}

/// Picks from weighted blocks.
pub(crate) fn weighted<'a>(nets: &'a [(Net, u32)], rng: &mut SmallRng) -> &'a Net {
    let total: u32 = nets.iter().map(|(_, w)| *w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for (n, w) in nets {
        if r < *w {
            return n;
        }
        r -= w;
    }
    &nets[0].0
}

/// Hands out addresses, each to one actor only.
pub(crate) struct IpAlloc {
    used: HashSet<IpAddr>,
    rng: SmallRng,
}

impl IpAlloc {
    /// An allocator with its own random stream.
    pub(crate) fn new(rng: SmallRng) -> Self {
        Self {
            used: HashSet::new(),
            rng,
        }
    }

    /// A fresh address in `net`, or `None` when the block is (nearly) full.
    pub(crate) fn take(&mut self, net: &Net) -> Option<IpAddr> {
        // A crowded block gives up after a few tries; callers fall back to another block.
        for _ in 0..64 {
            let ip = net.random(&mut self.rng);
            if self.used.insert(ip) {
                return Some(ip);
            }
        }
        None
    }

    /// A fresh address in one of the weighted blocks, with the block.
    pub(crate) fn take_weighted(&mut self, nets: &[(Net, u32)]) -> (IpAddr, Net) {
        loop {
            let n = *weighted(nets, &mut self.rng);
            if let Some(ip) = self.take(&n) {
                return (ip, n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn addresses_fall_in_their_block_and_are_unique() {
        let mut alloc = IpAlloc::new(SmallRng::seed_from_u64(1));
        let b = BULLETPROOF_24[0];
        let mut got = HashSet::new();
        for _ in 0..200 {
            let ip = alloc.take(&b).unwrap();
            let IpAddr::V4(v) = ip else { panic!() };
            assert_eq!(v.octets()[..3], [194, 26, 29]);
            assert!(got.insert(ip));
        }
        let (ip, n) = alloc.take_weighted(MOBILE);
        assert_eq!(ip.is_ipv6(), n.base.is_ipv6());
        assert_eq!(
            Net::all().len(),
            Net::all()
                .iter()
                .map(|n| n.truth().cidr)
                .collect::<HashSet<_>>()
                .len()
        );
    }
}
