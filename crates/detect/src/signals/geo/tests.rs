use super::*;
use crate::signals::mmdb_writer::{MmdbWriter, Value};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A MaxMind-schema City-like database (v6 tree holding v4), with extra fields to skip.
fn maxmind_db() -> Vec<u8> {
    let mut w = MmdbWriter::new(6, "GeoIP2-City");
    let country = |iso: &str, name: &str| {
        Value::map([
            (
                "city",
                Value::map([("names", Value::map([("en", Value::str("Somewhere"))]))]),
            ),
            (
                "country",
                Value::map([
                    ("geoname_id", Value::U32(6_252_001)),
                    ("iso_code", Value::str(iso)),
                    ("names", Value::map([("en", Value::str(name))])),
                ]),
            ),
            (
                "registered_country",
                Value::map([("iso_code", Value::str("ZZ"))]),
            ),
            (
                "subdivisions",
                Value::Array(vec![Value::map([("iso_code", Value::str("CA"))])]),
            ),
            ("autonomous_system_number", Value::U32(15169)),
            ("autonomous_system_organization", Value::str("GOOGLE")),
        ])
    };
    w.insert(
        "8.8.8.0/24".parse().unwrap(),
        &country("US", "United States"),
    );
    w.insert(
        "81.2.69.0/24".parse().unwrap(),
        &country("GB", "United Kingdom"),
    );
    w.insert(
        "2001:4860::/32".parse().unwrap(),
        &country("US", "United States"),
    );
    // Only a registered country (satellite and anycast ranges look like this).
    w.insert(
        "192.0.2.0/24".parse().unwrap(),
        &Value::map([(
            "registered_country",
            Value::map([("iso_code", Value::str("NL"))]),
        )]),
    );
    // A malformed code.
    w.insert(
        "198.51.100.0/24".parse().unwrap(),
        &Value::map([("country", Value::map([("iso_code", Value::str("USA"))]))]),
    );
    w.build()
}

/// An ip-location-db-schema country database, IPv4 only.
fn ip_location_db_country() -> Vec<u8> {
    let mut w = MmdbWriter::new(4, "geo-whois-asn-country");
    w.insert(
        "1.1.1.0/24".parse().unwrap(),
        &Value::map([("country_code", Value::str("AU"))]),
    );
    w.insert(
        "81.2.69.0/24".parse().unwrap(),
        &Value::map([("country_code", Value::str("gb"))]),
    );
    w.build()
}

/// An ASN database in the shared schema, with a 64-bit and a text AS number.
fn asn_db() -> Vec<u8> {
    let mut w = MmdbWriter::new(6, "GeoLite2-ASN");
    let asn = |n: Value, org: &str| {
        Value::map([
            ("autonomous_system_number", n),
            ("autonomous_system_organization", Value::str(org)),
        ])
    };
    w.insert(
        "3.0.0.0/8".parse().unwrap(),
        &asn(Value::U32(16509), "AMAZON-02"),
    );
    w.insert(
        "3.5.0.0/16".parse().unwrap(),
        &asn(Value::U64(14618), "AMAZON-AES"),
    );
    w.insert(
        "62.0.0.0/8".parse().unwrap(),
        &asn(Value::str("AS3320"), "Deutsche Telekom AG"),
    );
    w.insert(
        "2a03:2880::/32".parse().unwrap(),
        &Value::map([("autonomous_system_number", Value::U32(32934))]),
    );
    w.build()
}

fn write_db(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".mmdb").tempfile().unwrap();
    std::io::Write::write_all(&mut f, bytes).unwrap();
    f
}

#[test]
fn maxmind_schema_countries_from_a_file() {
    let file = write_db(&maxmind_db());
    let db = GeoDb::open(file.path()).unwrap();
    assert_eq!(db.database_type(), "GeoIP2-City");
    assert_eq!(db.country(ip("8.8.8.8")), Some(*b"US"));
    assert_eq!(db.country(ip("81.2.69.142")), Some(*b"GB"));
    assert_eq!(db.country(ip("::ffff:81.2.69.142")), Some(*b"GB"));
    assert_eq!(db.country(ip("2001:4860:4860::8888")), Some(*b"US"));
    assert_eq!(db.country(ip("192.0.2.1")), Some(*b"NL"));
    assert_eq!(db.country(ip("198.51.100.1")), None);
    assert_eq!(db.country(ip("9.9.9.9")), None);
    assert_eq!(db.asn(ip("8.8.8.8")), Some((15169, "GOOGLE".to_owned())));
    assert!(format!("{db:?}").contains("GeoIP2-City"));
    // Answers from the memo are the answers from the file.
    for a in [
        "8.8.4.4",
        "81.2.69.1",
        "192.0.2.9",
        "198.51.100.9",
        "9.9.9.9",
        "2001:4860::1",
    ] {
        let first = db.country(ip(a));
        assert_eq!(db.country(ip(a)), first, "{a}");
    }
}

#[test]
fn ip_location_db_schema_and_ipv4_only_files() {
    let db = GeoDb::from_bytes(ip_location_db_country(), "test").unwrap();
    assert_eq!(db.country(ip("1.1.1.1")), Some(*b"AU"));
    assert_eq!(db.country(ip("81.2.69.142")), Some(*b"GB"));
    assert_eq!(db.country(ip("2001:db8::1")), None);
    assert_eq!(db.country(ip("::ffff:1.1.1.1")), Some(*b"AU"));
    assert_eq!(db.asn(ip("1.1.1.1")), None);
}

#[test]
fn asn_lookups_accept_any_number_encoding() {
    let db = GeoDb::from_bytes(asn_db(), "asn").unwrap();
    assert_eq!(db.asn(ip("3.4.5.6")), Some((16509, "AMAZON-02".to_owned())));
    assert_eq!(
        db.asn(ip("3.5.1.1")),
        Some((14618, "AMAZON-AES".to_owned()))
    );
    assert_eq!(
        db.asn(ip("62.1.1.1")),
        Some((3320, "Deutsche Telekom AG".to_owned()))
    );
    assert_eq!(db.asn(ip("2a03:2880::1")), Some((32934, String::new())));
    assert_eq!(db.asn(ip("4.4.4.4")), None);
    assert_eq!(db.country(ip("3.4.5.6")), None);
    let (n, org) = db.asn_ref(ip("3.4.5.6")).unwrap();
    assert!(is_hosting_asn(n, org));
    let (n, org) = db.asn_ref(ip("62.1.1.1")).unwrap();
    assert!(!is_hosting_asn(n, org));
}

#[test]
fn errors_name_the_file() {
    let missing = std::env::temp_dir().join("rampart-no-such-file.mmdb");
    let err = GeoDb::open(&missing).unwrap_err();
    assert!(matches!(err, GeoError::Read { .. }));
    assert!(
        err.to_string().contains("rampart-no-such-file.mmdb"),
        "{err}"
    );
    let junk = write_db(b"this is not a database");
    let err = GeoDb::open(junk.path()).unwrap_err();
    assert!(matches!(err, GeoError::Invalid { .. }));
    assert!(
        err.to_string().contains(&junk.path().display().to_string()),
        "{err}"
    );
}

/// Cost per lookup on a City-like record. Run with
/// `cargo test -p rampart-detect --release -- --ignored --nocapture geo_timing`.
#[test]
#[ignore]
fn geo_timing() {
    let db = GeoDb::from_bytes(maxmind_db(), "t").unwrap();
    let asn = GeoDb::from_bytes(asn_db(), "a").unwrap();
    let n = 1_000_000;
    let start = std::time::Instant::now();
    let mut found = 0;
    for _ in 0..n {
        found += usize::from(db.country(std::hint::black_box(ip("8.8.8.8"))).is_some());
    }
    let per = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!("GeoDb::country (City-like record): {per:.0} ns/call");
    let start = std::time::Instant::now();
    for _ in 0..n {
        found += usize::from(asn.asn_ref(std::hint::black_box(ip("3.4.5.6"))).is_some());
    }
    let per = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!("GeoDb::asn_ref: {per:.0} ns/call ({found})");
}
