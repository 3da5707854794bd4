//! What a scan reports: one [`Finding`] per problem found on one service.

use rampart_core::fast_hash;
use rampart_core::redact::escape_for_terminal;
use rampart_core::Severity;
use serde::{Deserialize, Serialize};

/// The kinds of finding, one per check (docs/scan.md describes each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The certificate's validity ended.
    TlsExpired,
    /// The certificate's validity has not started.
    TlsNotYetValid,
    /// The certificate expires within the warning window.
    TlsExpiringSoon,
    /// The certificate signs itself and is not a trusted root.
    TlsSelfSigned,
    /// The chain does not lead to a trusted root.
    TlsUntrusted,
    /// The certificate does not name the host scanned.
    TlsHostnameMismatch,
    /// An RSA key shorter than 2048 bits, or a DSA key.
    TlsWeakKey,
    /// A certificate signed with SHA-1 or MD5.
    TlsWeakSignature,
    /// The server accepts TLS 1.0 or TLS 1.1.
    TlsOldProtocol,
    /// The service speaks an API (informational; joins the inventory).
    ApiService,
    /// An OpenAPI / Swagger document or a documentation UI is served to anyone.
    ApiDocsExposed,
    /// GraphQL introspection answers without credentials.
    GraphqlIntrospection,
    /// A documented endpoint answers with data without credentials.
    UnauthenticatedApi,
    /// A file that should never be served (a private key, `.env`, a backup, ...).
    ExposedFile,
    /// A request's payload reached a JNDI lookup: the callback listener was called.
    Log4shell,
    /// Headers disclose software and version numbers.
    VersionDisclosure,
    /// API responses lack security headers.
    MissingSecurityHeaders,
    /// CORS lets any origin read responses with the user's credentials.
    CorsMisconfigured,
    /// HTTP served without TLS.
    PlaintextHttp,
    /// A host the scan found serving HTTP that the runtime inventory has never seen.
    Unmonitored,
}

impl FindingKind {
    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::TlsExpired => "tls_expired",
            Self::TlsNotYetValid => "tls_not_yet_valid",
            Self::TlsExpiringSoon => "tls_expiring_soon",
            Self::TlsSelfSigned => "tls_self_signed",
            Self::TlsUntrusted => "tls_untrusted",
            Self::TlsHostnameMismatch => "tls_hostname_mismatch",
            Self::TlsWeakKey => "tls_weak_key",
            Self::TlsWeakSignature => "tls_weak_signature",
            Self::TlsOldProtocol => "tls_old_protocol",
            Self::ApiService => "api_service",
            Self::ApiDocsExposed => "api_docs_exposed",
            Self::GraphqlIntrospection => "graphql_introspection",
            Self::UnauthenticatedApi => "unauthenticated_api",
            Self::ExposedFile => "exposed_file",
            Self::Log4shell => "log4shell",
            Self::VersionDisclosure => "version_disclosure",
            Self::MissingSecurityHeaders => "missing_security_headers",
            Self::CorsMisconfigured => "cors_misconfigured",
            Self::PlaintextHttp => "plaintext_http",
            Self::Unmonitored => "unmonitored",
        }
    }
}

/// One problem on one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identifier: kind, target and subject hashed (16 hex digits), the same in every
    /// scan that finds the same thing, so scans can be compared.
    pub id: String,
    /// What was found.
    pub kind: FindingKind,
    /// How bad it is.
    pub severity: Severity,
    /// The service, `host:port` (or the host alone for host-level findings).
    pub target: String,
    /// What the finding is about on that service (a path, a protocol version, a header);
    /// empty when the service has only one of its kind.
    pub subject: String,
    /// One line saying what is wrong.
    pub title: String,
    /// Why: redacted facts, one per line (never a secret or a personal value).
    pub evidence: Vec<String>,
    /// Sensitive data classes seen in the answer (unauthenticated APIs), never the values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_classes: Vec<String>,
    /// When first found, Unix milliseconds.
    pub first_seen_ms: i64,
    /// When last found, Unix milliseconds.
    pub last_seen_ms: i64,
}

impl Finding {
    /// A finding seen at `now_ms`. `subject` and `evidence` may come from the target: they are
    /// escaped (control characters, terminal escapes) and cut here.
    pub fn new(
        kind: FindingKind,
        severity: Severity,
        target: &str,
        subject: &str,
        title: impl Into<String>,
        evidence: Vec<String>,
        now_ms: i64,
    ) -> Self {
        let subject = clean(subject, 200);
        let id = finding_id(kind, target, &subject);
        Self {
            id,
            kind,
            severity,
            target: clean(target, 200),
            subject,
            title: clean(&title.into(), 300),
            evidence: evidence
                .iter()
                .take(MAX_EVIDENCE)
                .map(|e| clean(e, 400))
                .collect(),
            data_classes: Vec::new(),
            first_seen_ms: now_ms,
            last_seen_ms: now_ms,
        }
    }
}

/// Most evidence lines kept per finding.
pub const MAX_EVIDENCE: usize = 24;

/// The stable id of a finding.
pub fn finding_id(kind: FindingKind, target: &str, subject: &str) -> String {
    let key = format!("{}\u{0}{target}\u{0}{subject}", kind.name());
    format!("{:016x}", fast_hash(key.as_bytes()))
}

/// Escapes text that came from a target and cuts it to `max` characters.
pub(crate) fn clean(s: &str, max: usize) -> String {
    escape_for_terminal(s, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_evidence_is_escaped() {
        let a = Finding::new(
            FindingKind::ExposedFile,
            Severity::High,
            "127.0.0.1:80",
            "/.env",
            "t",
            vec!["x\u{1b}[31m".into()],
            1,
        );
        let b = Finding::new(
            FindingKind::ExposedFile,
            Severity::High,
            "127.0.0.1:80",
            "/.env",
            "t",
            vec![],
            2,
        );
        assert_eq!(a.id, b.id);
        assert_eq!(a.id.len(), 16);
        assert!(!a.evidence[0].contains('\u{1b}'));
        assert_eq!(
            serde_json::to_value(a.kind).unwrap(),
            serde_json::json!("exposed_file")
        );
    }
}
