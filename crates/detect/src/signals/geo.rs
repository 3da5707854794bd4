//! GeoIP and ASN lookups from MaxMind-format (`.mmdb`) databases.
//!
//! [`GeoDb`] reads both record schemas in use: MaxMind's (`country.iso_code`,
//! `registered_country.iso_code`, `autonomous_system_number`,
//! `autonomous_system_organization`) and ip-location-db's (`country_code`, and the same ASN
//! keys). The database is loaded into memory once; a lookup is a walk down the search tree
//! and a decode of only the fields asked for, into borrowed strings: no allocation for
//! [`GeoDb::country`] or [`GeoDb::asn_ref`]. Country answers are also kept in a fixed-size,
//! lock-free memo keyed by database record (`cache.rs`), since decoding a City record costs
//! more than finding it.
//!
//! [`hosting`] tells hosting and cloud networks from access networks by ASN and organisation.

mod cache;
pub mod hosting;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use maxminddb::{LookupResult, MaxMindDbError, Reader};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

pub use hosting::{is_hosting_asn, HostingAsns};

/// A GeoIP or ASN database, loaded in memory.
pub struct GeoDb {
    reader: Reader<Vec<u8>>,
    label: String,
    countries: cache::CountryCache,
}

impl fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeoDb")
            .field("file", &self.label)
            .field("database_type", &self.database_type())
            .finish()
    }
}

/// A database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// The file could not be read.
    #[error("cannot read GeoIP database {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid MaxMind DB.
    #[error("{file} is not a valid MaxMind DB (.mmdb) file: {source}")]
    Invalid {
        /// The file.
        file: String,
        /// What the reader found wrong.
        #[source]
        source: MaxMindDbError,
    },
}

#[derive(Deserialize)]
struct IsoCode<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

/// The country fields of both schemas; every other field is skipped, not decoded.
#[derive(Deserialize)]
struct CountryRecord<'a> {
    #[serde(borrow, default)]
    country: Option<IsoCode<'a>>,
    #[serde(borrow, default)]
    registered_country: Option<IsoCode<'a>>,
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
}

#[derive(Deserialize)]
struct AsnRecord<'a> {
    #[serde(default)]
    autonomous_system_number: Option<AsNumber>,
    #[serde(borrow, default)]
    autonomous_system_organization: Option<&'a str>,
}

/// An AS number stored as any unsigned integer type or as text (`15169`, `AS15169`).
struct AsNumber(Option<u32>);

impl<'de> Deserialize<'de> for AsNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AsNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an AS number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AsNumber, E> {
                Ok(AsNumber(u32::try_from(v).ok()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AsNumber, E> {
                Ok(AsNumber(u32::try_from(v).ok()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<AsNumber, E> {
                Ok(AsNumber(u32::try_from(v).ok()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AsNumber, E> {
                let digits = v.trim().trim_start_matches(['A', 'S', 'a', 's']);
                Ok(AsNumber(digits.parse().ok()))
            }
        }
        d.deserialize_any(V)
    }
}

impl GeoDb {
    /// Loads a `.mmdb` file. Errors name the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, GeoError> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| GeoError::Read {
            file: label.clone(),
            source,
        })?;
        Self::from_bytes(bytes, &label)
    }

    /// Reads a database from its bytes; `label` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, label: &str) -> Result<Self, GeoError> {
        let reader = Reader::from_source(bytes).map_err(|source| GeoError::Invalid {
            file: label.to_owned(),
            source,
        })?;
        Ok(Self {
            reader,
            label: label.to_owned(),
            countries: cache::CountryCache::default(),
        })
    }

    /// The file (or label) the database came from.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The database's own type (`GeoLite2-Country`, `geo-whois-asn-country`, ...).
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// The country of `ip` as two upper-case ASCII letters (`*b"US"`). Uses `country`, then
    /// `registered_country`, then `country_code`; `None` when the database has no record or
    /// the code is not two letters.
    pub fn country(&self, ip: IpAddr) -> Option<[u8; 2]> {
        let found = self.lookup(ip)?;
        let offset = found.offset()?;
        if let Some(code) = self.countries.get(offset) {
            return code;
        }
        let code = found
            .decode::<CountryRecord<'_>>()
            .ok()
            .flatten()
            .and_then(country_code);
        self.countries.put(offset, code);
        code
    }

    /// The AS number and organisation of `ip` (organisation empty when the database has
    /// none).
    pub fn asn(&self, ip: IpAddr) -> Option<(u32, String)> {
        self.asn_ref(ip).map(|(n, org)| (n, org.to_owned()))
    }

    /// As [`asn`](Self::asn), borrowing the organisation from the database.
    pub fn asn_ref(&self, ip: IpAddr) -> Option<(u32, &str)> {
        let rec: AsnRecord<'_> = self.record(ip)?;
        let number = rec.autonomous_system_number?.0?;
        Some((
            number,
            rec.autonomous_system_organization.unwrap_or_default(),
        ))
    }

    fn record<'a, T: Deserialize<'a>>(&'a self, ip: IpAddr) -> Option<T> {
        self.lookup(ip)?.decode().ok()?
    }

    fn lookup(&self, ip: IpAddr) -> Option<LookupResult<'_, Vec<u8>>> {
        let ip = ip.to_canonical();
        if ip.is_ipv6() && self.reader.metadata().ip_version == 4 {
            return None;
        }
        self.reader.lookup(ip).ok()
    }
}

/// `country`, then `registered_country`, then `country_code`, if two letters.
fn country_code(rec: CountryRecord<'_>) -> Option<[u8; 2]> {
    let code = rec
        .country
        .and_then(|c| c.iso_code)
        .or_else(|| rec.registered_country.and_then(|c| c.iso_code))
        .or(rec.country_code)?;
    match code.as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}
