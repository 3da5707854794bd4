//! The trusted roots chains are judged against: the system's store (rustls-native-certs), or a
//! PEM bundle given with `--ca-bundle`, which then replaces the system's (as `curl --cacert`).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::ScanError;

/// Loads the roots. With no bundle, an empty or unreadable system store is not an error: every
/// chain is then reported untrusted, with the reason.
pub(crate) fn load_roots(bundle: Option<&Path>) -> Result<Arc<RootCertStore>, ScanError> {
    let mut store = RootCertStore::empty();
    match bundle {
        Some(path) => {
            let bad = |reason: String| ScanError::CaBundle {
                path: path.to_owned(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|e| bad(format!("not a PEM certificate bundle: {e:?}")))?;
            if certs.is_empty() {
                return Err(bad("no certificate in it".into()));
            }
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(bad("no certificate in it could be read".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
    }
    Ok(Arc::new(store))
}
