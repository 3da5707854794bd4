//! TLS termination: PEM certificates and keys loaded at start, chosen per connection by the
//! client's SNI name (exact names first, then `*.` wildcards, then the listener's default), with
//! ALPN offering `h2` and `http/1.1`. rustls with the ring provider; no OpenSSL, no aws-lc.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

use crate::config::Tls;
use crate::error::ProxyError;

/// Picks a certificate by SNI name.
#[derive(Debug)]
struct SniResolver {
    exact: HashMap<String, Arc<CertifiedKey>>,
    /// `.example.com` suffixes, longest first.
    wildcard: Vec<(String, Arc<CertifiedKey>)>,
    default: Arc<CertifiedKey>,
}

impl SniResolver {
    fn pick(&self, name: Option<&str>) -> Arc<CertifiedKey> {
        let Some(name) = name else {
            return self.default.clone();
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(k) = self.exact.get(&name) {
            return k.clone();
        }
        for (suffix, key) in &self.wildcard {
            // One label only, as certificate wildcards work.
            if let Some(label) = name.strip_suffix(suffix.as_str()) {
                if !label.is_empty() && !label.contains('.') {
                    return key.clone();
                }
            }
        }
        self.default.clone()
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.pick(hello.server_name()))
    }
}

/// The crypto provider used for every TLS connection.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the server config of one listener; `field` names it in errors (`listen[1].tls`).
pub(crate) fn server_config(
    tls: &Tls,
    http2: bool,
    field: &str,
) -> Result<Arc<ServerConfig>, ProxyError> {
    let provider = provider();
    let mut exact = HashMap::new();
    let mut wildcard = Vec::new();
    let mut default = None;
    for (i, c) in tls.certs.iter().enumerate() {
        let field = format!("{field}.certs[{i}]");
        let key = load_key_pair(&c.cert, &c.key, &provider, &field)?;
        for name in &c.server_names {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            match name.strip_prefix('*') {
                Some(suffix) => wildcard.push((suffix.to_owned(), key.clone())),
                None => {
                    exact.entry(name).or_insert_with(|| key.clone());
                }
            }
        }
        default.get_or_insert(key);
    }
    let Some(default) = default else {
        return Err(ProxyError::Tls {
            field: field.to_owned(),
            message: "no certificate is configured".into(),
        });
    };
    wildcard.sort_by_key(|w: &(String, _)| std::cmp::Reverse(w.0.len()));
    let resolver = SniResolver {
        exact,
        wildcard,
        default,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ProxyError::Tls {
            field: field.to_owned(),
            message: e.to_string(),
        })?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}

fn load_key_pair(
    cert: &Path,
    key: &Path,
    provider: &CryptoProvider,
    field: &str,
) -> Result<Arc<CertifiedKey>, ProxyError> {
    let fail = |what: &str, path: &Path, why: String| ProxyError::Tls {
        field: format!("{field}.{what}"),
        message: format!("{}: {why}", path.display()),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| fail("cert", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| fail("cert", cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("cert", cert, "no PEM certificate found".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| fail("key", key, e.to_string()))?;
    let certified = CertifiedKey::from_der(certs, key_der, provider)
        .map_err(|e| fail("key", key, format!("does not fit the certificate: {e}")))?;
    Ok(Arc::new(certified))
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::PrivatePkcs8KeyDer;

    use super::*;

    fn key(name: &str) -> Arc<CertifiedKey> {
        let pair = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .self_signed(&pair)
            .unwrap();
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pair.serialize_der()));
        Arc::new(CertifiedKey::from_der(vec![cert.der().clone()], der, &provider()).unwrap())
    }

    #[test]
    fn sni_picks_exact_then_one_label_wildcards_then_the_default() {
        let (a, b, w) = (key("a.test"), key("b.test"), key("w.test"));
        let resolver = SniResolver {
            exact: [("b.test".to_owned(), b.clone())].into_iter().collect(),
            wildcard: vec![(".w.test".to_owned(), w.clone())],
            default: a.clone(),
        };
        let is = |got: Arc<CertifiedKey>, want: &Arc<CertifiedKey>| Arc::ptr_eq(&got, want);
        assert!(is(resolver.pick(Some("B.TEST.")), &b));
        assert!(is(resolver.pick(Some("x.w.test")), &w));
        assert!(is(resolver.pick(Some("x.y.w.test")), &a));
        assert!(is(resolver.pick(Some("w.test")), &a));
        assert!(is(resolver.pick(Some("unknown.test")), &a));
        assert!(is(resolver.pick(None), &a));
    }
}
