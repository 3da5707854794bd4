//! Judging a presented chain: dates, trust, name, key and signature, each problem a finding
//! carrying the certificate's subject, issuer, SANs and dates.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rampart_core::{EventTime, Severity};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, RootCertStore};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use crate::finding::{Finding, FindingKind};

/// What the judge needs besides the chain.
#[derive(Debug, Clone)]
pub(crate) struct Judge {
    /// The chain verifier over the trusted roots (`None`: no roots could be loaded).
    pub(crate) verifier: Option<Arc<WebPkiServerVerifier>>,
    /// Now, Unix milliseconds.
    pub(crate) now_ms: i64,
    /// The expiry warning window, days.
    pub(crate) expiry_days: u32,
}

impl Judge {
    /// A judge over `roots`.
    pub(crate) fn new(roots: Arc<RootCertStore>, now_ms: i64, expiry_days: u32) -> Self {
        let verifier = WebPkiServerVerifier::builder_with_provider(
            roots,
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .ok();
        Self {
            verifier,
            now_ms,
            expiry_days,
        }
    }
}

/// Signature algorithms broken for certificates (RFC 6151, SHAttered).
const WEAK_SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("1.3.14.3.2.29", "sha1WithRSASignature"),
];

/// The facts about one certificate shown in every TLS finding.
pub(crate) fn describe(cert: &X509Certificate<'_>) -> Vec<String> {
    let sans = sans(cert);
    vec![
        format!("subject: {}", cert.subject()),
        format!("issuer: {}", cert.issuer()),
        format!(
            "SANs: {}",
            if sans.is_empty() {
                "none".to_owned()
            } else {
                sans.join(", ")
            }
        ),
        format!(
            "valid from {} to {}",
            when(cert.validity().not_before.timestamp()),
            when(cert.validity().not_after.timestamp())
        ),
    ]
}

fn when(secs: i64) -> String {
    EventTime::from_unix_millis(secs.saturating_mul(1000)).to_rfc3339()
}

/// The subject alternative names, as text (`DNS:a.example`, `IP:192.0.2.1`).
fn sans(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(ext)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    ext.value
        .general_names
        .iter()
        .take(100)
        .filter_map(|n| match n {
            GeneralName::DNSName(d) => Some(format!("DNS:{d}")),
            GeneralName::IPAddress(b) => ip_of(b).map(|ip| format!("IP:{ip}")),
            _ => None,
        })
        .collect()
}

fn ip_of(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(b).ok()?)),
        _ => None,
    }
}

/// Judges `chain` (leaf first) as presented for `host` on `target`.
pub(crate) fn judge(
    judge: &Judge,
    chain: &[CertificateDer<'static>],
    host: &str,
    target: &str,
    handshake_line: &str,
) -> Vec<Finding> {
    let now = judge.now_ms;
    let finding = |kind, severity, subject: &str, title: String, mut evidence: Vec<String>| {
        evidence.push(handshake_line.to_owned());
        Finding::new(kind, severity, target, subject, title, evidence, now)
    };
    let Some(leaf_der) = chain.first() else {
        return vec![finding(
            FindingKind::TlsUntrusted,
            Severity::Medium,
            "",
            "the server presented no certificate".into(),
            vec![],
        )];
    };
    let leaf = match X509Certificate::from_der(leaf_der.as_ref()) {
        Ok((_, c)) => c,
        Err(e) => {
            return vec![finding(
                FindingKind::TlsUntrusted,
                Severity::Medium,
                "",
                "the server's certificate cannot be read".into(),
                vec![format!("x509: {e}")],
            )]
        }
    };
    let facts = describe(&leaf);
    let mut out = Vec::new();

    // Dates.
    let nb = leaf.validity().not_before.timestamp().saturating_mul(1000);
    let na = leaf.validity().not_after.timestamp().saturating_mul(1000);
    if now > na {
        let days = (now - na) / 86_400_000;
        out.push(finding(
            FindingKind::TlsExpired,
            Severity::High,
            "",
            format!("certificate expired {days} days ago"),
            facts.clone(),
        ));
    } else if now < nb {
        out.push(finding(
            FindingKind::TlsNotYetValid,
            Severity::Medium,
            "",
            "certificate is not valid yet".into(),
            facts.clone(),
        ));
    } else if na - now < i64::from(judge.expiry_days) * 86_400_000 {
        let days = (na - now) / 86_400_000;
        out.push(finding(
            FindingKind::TlsExpiringSoon,
            Severity::Low,
            "",
            format!(
                "certificate expires in {days} days (warning window {} days)",
                judge.expiry_days
            ),
            facts.clone(),
        ));
    }

    // Trust, judged at a time inside the validity window so that dates (reported above) do not
    // hide the chain's own problems.
    let self_signed =
        leaf.subject().as_raw() == leaf.issuer().as_raw() && leaf.verify_signature(None).is_ok();
    let trust = trust(judge, chain, host, nb, na);
    match trust {
        Ok(()) => {}
        Err(reason) if self_signed => {
            let mut ev = facts.clone();
            ev.push(format!("chain check: {reason}"));
            out.push(finding(
                FindingKind::TlsSelfSigned,
                Severity::Medium,
                "",
                "self-signed certificate, not a trusted root".into(),
                ev,
            ));
        }
        Err(reason) => {
            let mut ev = facts.clone();
            ev.push(format!("chain check: {reason}"));
            ev.push(format!("certificates presented: {}", chain.len()));
            out.push(finding(
                FindingKind::TlsUntrusted,
                Severity::Medium,
                "",
                "certificate chain does not lead to a trusted root".into(),
                ev,
            ));
        }
    }

    // Name.
    if !name_matches(&leaf, host) {
        out.push(finding(
            FindingKind::TlsHostnameMismatch,
            Severity::Medium,
            "",
            format!("certificate does not name {host}"),
            facts.clone(),
        ));
    }

    // Keys and signatures of every certificate presented (a self-signed root sent along is
    // skipped: its own signature is never checked by clients).
    for (i, der) in chain.iter().enumerate().take(8) {
        let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
            continue;
        };
        let which = if i == 0 {
            "leaf".to_owned()
        } else {
            format!("chain certificate {i}")
        };
        if let Some(weak) = weak_key(&cert) {
            let mut ev = describe(&cert);
            ev.push(format!("{which}: {weak}"));
            out.push(finding(
                FindingKind::TlsWeakKey,
                Severity::High,
                &which,
                format!("weak key in the {which}: {weak}"),
                ev,
            ));
        }
        let root = i > 0 && cert.subject().as_raw() == cert.issuer().as_raw();
        let oid = cert.signature_algorithm.algorithm.to_id_string();
        if let Some((_, name)) = WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
            if !root {
                let mut ev = describe(&cert);
                ev.push(format!("{which}: signature algorithm {name} ({oid})"));
                out.push(finding(
                    FindingKind::TlsWeakSignature,
                    Severity::Medium,
                    &which,
                    format!("the {which} is signed with {name}"),
                    ev,
                ));
            }
        }
    }
    out
}

/// Checks the chain against the roots at a time inside the leaf's validity. A name mismatch is
/// not a trust problem here (it is judged apart).
fn trust(
    judge: &Judge,
    chain: &[CertificateDer<'static>],
    host: &str,
    nb_ms: i64,
    na_ms: i64,
) -> Result<(), String> {
    let Some(verifier) = &judge.verifier else {
        return Err("no trusted roots could be loaded".into());
    };
    let mid_s = (nb_ms / 2 + na_ms / 2).max(nb_ms + 1000).max(1000) / 1000;
    let at = UnixTime::since_unix_epoch(Duration::from_secs(mid_s.max(0) as u64));
    let name = match host.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(host.to_owned())
            .unwrap_or_else(|_| ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into())),
    };
    match verifier.verify_server_cert(&chain[0], &chain[1..], &name, &[], at) {
        Ok(_) => Ok(()),
        Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => Ok(()),
        Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
            Err("issuer unknown to the trusted roots".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Whether the leaf names `host`: SAN DNS names (one-label `*.` wildcards) or addresses; the
/// subject CN only when there is no SAN extension.
pub(crate) fn name_matches(cert: &X509Certificate<'_>, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().any(|n| match (n, ip) {
            (GeneralName::IPAddress(b), Some(ip)) => ip_of(b) == Some(ip),
            (GeneralName::DNSName(d), None) => dns_matches(d, &host),
            _ => false,
        }),
        _ => cert
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .any(|cn| match ip {
                Some(ip) => cn.parse::<IpAddr>().ok() == Some(ip),
                None => dns_matches(cn, &host),
            }),
    }
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix);
    }
    pattern == host
}

/// Why the key is weak, if it is.
fn weak_key(cert: &X509Certificate<'_>) -> Option<String> {
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let bits = rsa.key_size();
            (bits < 2048).then(|| format!("RSA key of {bits} bits (at least 2048 needed)"))
        }
        Ok(PublicKey::DSA(_)) => Some("DSA key (deprecated for TLS)".into()),
        Ok(PublicKey::EC(ec)) => {
            let bits = ec.key_size();
            (bits > 0 && bits < 224).then(|| format!("EC key of {bits} bits"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;

    /// A self-signed RSA-1024 certificate signed with SHA-1, made once with
    /// `openssl req -x509 -newkey rsa:1024 -sha1 -nodes -subj /CN=weak.test
    /// -addext subjectAltName=DNS:weak.test` (ring, which rcgen uses, cannot make RSA keys under
    /// 2048 bits, so none can be generated at test time).
    const WEAK: &str = "-----BEGIN CERTIFICATE-----\nMIICGjCCAYOgAwIBAgIULUU+V/GzoeE1KvMq7OtQTcaXgAwwDQYJKoZIhvcNAQEF\nBQAwFDESMBAGA1UEAwwJd2Vhay50ZXN0MB4XDTI2MTIwMjA1MTkxM1oXDTM2MTEy\nOTA1MTkxM1owFDESMBAGA1UEAwwJd2Vhay50ZXN0MIGfMA0GCSqGSIb3DQEBAQUA\nA4GNADCBiQKBgQC8m0LJ/g0CnhCmcrz4ZG7AqnOG+dietPRsN1lbQH0/YAJTltXS\nYSTrWBX542dJzRBmTP9WCRAd7LNIT+bUUT69R7+xROqX8C5/pWQE4yfs7Wn7oK7t\n5uen2rWEupQP4dBvS3tngfBuaEvb6WMEo3E+zjJ3ZSNZBg5kT4dShOKPlQIDAQAB\no2kwZzAdBgNVHQ4EFgQUH11hwp2Ag9nEsd0+pWpkl9L3ATIwHwYDVR0jBBgwFoAU\nH11hwp2Ag9nEsd0+pWpkl9L3ATIwDwYDVR0TAQH/BAUwAwEB/zAUBgNVHREEDTAL\nggl3ZWFrLnRlc3QwDQYJKoZIhvcNAQEFBQADgYEAYHDbZMciD58hUXI/x1PHODBk\nJYHdEIvpnjuxj3TiVCXWPax6GWLQwRYN8sHdPrtOaoaG4HUvLoA34pLI6080LlLy\nU9OYiEXO5PPeiM0/aaCTaMS/TbVZwME1CiBREYwUvJnIkQdXxcwpQpqG4Ve+HcnQ\nlc3NAFB9DwKd7iN+jjQ=\n-----END CERTIFICATE-----";

    #[test]
    fn weak_keys_and_sha1_signatures_are_found() {
        let der = CertificateDer::from_pem_slice(WEAK.as_bytes()).unwrap();
        let (_, cert) = X509Certificate::from_der(der.as_ref()).unwrap();
        let nb = cert.validity().not_before.timestamp() * 1000;
        let judge = Judge {
            verifier: None,
            now_ms: nb + 86_400_000,
            expiry_days: 30,
        };
        let found = super::judge(
            &judge,
            std::slice::from_ref(&der),
            "weak.test",
            "h:443",
            "handshake",
        );
        let mut kinds: Vec<_> = found.iter().map(|f| f.kind).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            vec![
                FindingKind::TlsSelfSigned,
                FindingKind::TlsWeakKey,
                FindingKind::TlsWeakSignature
            ]
        );
        let weak = found
            .iter()
            .find(|f| f.kind == FindingKind::TlsWeakKey)
            .unwrap();
        assert!(
            weak.title.contains("RSA key of 1024 bits"),
            "{}",
            weak.title
        );
        let sig = found
            .iter()
            .find(|f| f.kind == FindingKind::TlsWeakSignature)
            .unwrap();
        assert!(sig.title.contains("sha1WithRSAEncryption"), "{}", sig.title);
        assert!(sig.evidence.iter().any(|e| e == "SANs: DNS:weak.test"));
        let other = super::judge(&judge, &[der], "other.test", "h:443", "handshake");
        assert!(other
            .iter()
            .any(|f| f.kind == FindingKind::TlsHostnameMismatch));
    }

    proptest::proptest! {
        #[test]
        fn judging_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let judge = Judge { verifier: None, now_ms: 0, expiry_days: 30 };
            let mut der = bytes.clone();
            // Half the cases look like a DER SEQUENCE, to get past the first check.
            if der.len() > 2 && der[0] % 2 == 0 {
                der[0] = 0x30;
                der[1] = (der.len() - 2).min(0x7f) as u8;
            }
            let found = super::judge(&judge, &[CertificateDer::from(der)], "h", "h:443", "x");
            proptest::prop_assert!(!found.is_empty());
        }
    }

    #[test]
    fn garbage_certificates_are_a_finding_not_a_panic() {
        let judge = Judge {
            verifier: None,
            now_ms: 0,
            expiry_days: 30,
        };
        let found = super::judge(
            &judge,
            &[CertificateDer::from(vec![0x30, 0x03, 1, 2, 3])],
            "h",
            "h:443",
            "x",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, FindingKind::TlsUntrusted);
        assert_eq!(
            super::judge(&judge, &[], "h", "h:443", "x")[0].kind,
            FindingKind::TlsUntrusted
        );
    }

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_matches("*.example.com", "api.example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(dns_matches("API.example.com.", "api.example.com"));
    }
}
