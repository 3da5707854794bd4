//! The `api:` section of the configuration, and the checks made before the API starts.
//!
//! The API never runs open: a token is required for everything but `/healthz` and `/readyz`.
//! Off loopback, a configuration without a token is refused outright. On loopback it starts,
//! answers the two probes, and answers every other request 403 with how to set a token — so a
//! process on the same host (or a request forged through the protected application) cannot
//! read alerts, metrics or decisions, let alone change them. The convenient setting is
//! `token_file`: Rampart creates it with a random token on first start (see
//! [`ApiConfig::resolve_token`]).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::auth::Token;
use crate::error::ApiError;
use crate::token;

/// Where the API listens when the configuration does not say.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9901";

/// The management API's settings.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Address and port to listen on; loopback unless a token is set.
    pub listen: SocketAddr,
    /// The bearer token itself. Prefer `token_file`, which keeps it out of the configuration.
    pub token: Option<String>,
    /// A file holding the bearer token. Created with a random token (mode 0600) when it does
    /// not exist; refused when group or others may read it. The caller usually defaults it
    /// to `api-token` beside the database.
    pub token_file: Option<PathBuf>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9901)),
            token: None,
            token_file: None,
        }
    }
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("token_file", &self.token_file)
            .finish()
    }
}

impl ApiConfig {
    /// Checks the settings without touching the file system: one way of giving the token at
    /// most, an inline token that is usable, and no listener off loopback without a token.
    pub fn check(&self) -> Result<(), ApiError> {
        match (&self.token, &self.token_file) {
            (Some(_), Some(_)) => Err(ApiError::TwoTokens),
            (Some(text), None) => Token::new(text, "api.token").map(|_| ()),
            (None, Some(_)) => Ok(()),
            (None, None) if is_loopback(self.listen) => Ok(()),
            (None, None) => Err(ApiError::NoTokenOffLoopback {
                listen: self.listen,
            }),
        }
    }

    /// [`ApiConfig::check`], then the token: the inline one, or the token file's (created
    /// with a random token when missing; its path, never the token, is logged). `None` when no
    /// token is configured, which [`ApiConfig::check`] allows on loopback only.
    pub fn resolve_token(&self) -> Result<Option<Token>, ApiError> {
        self.check()?;
        if let Some(text) = &self.token {
            return Token::new(text, "api.token").map(Some);
        }
        match &self.token_file {
            Some(path) => token::read_or_create(path).map(Some),
            None => Ok(None),
        }
    }
}

/// Whether `addr` is on loopback (IPv4-mapped IPv6 loopback included).
pub(crate) fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str, token: Option<&str>, file: Option<&str>) -> ApiConfig {
        ApiConfig {
            listen: listen.parse().unwrap(),
            token: token.map(str::to_owned),
            token_file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn refuses_non_loopback_without_token() {
        for listen in ["0.0.0.0:9901", "192.0.2.10:9901", "[::]:9901"] {
            let err = config(listen, None, None).check().unwrap_err();
            assert!(
                matches!(err, ApiError::NoTokenOffLoopback { .. }),
                "{listen}: {err}"
            );
            assert!(err.fix().contains("api.token_file"));
        }
    }

    #[test]
    fn loopback_without_token_starts_locked() {
        for listen in ["127.0.0.1:9901", "[::1]:9901", "[::ffff:127.0.0.1]:9901"] {
            let c = config(listen, None, None);
            assert!(c.check().is_ok(), "{listen}");
            assert_eq!(c.resolve_token().unwrap(), None);
        }
    }

    #[test]
    fn a_token_allows_any_address() {
        let c = config("0.0.0.0:9901", Some("0123456789abcdef"), None);
        assert!(c.check().is_ok());
        assert!(c.resolve_token().unwrap().is_some());
        let c = config("0.0.0.0:9901", None, Some("/nonexistent/dir/api-token"));
        assert!(c.check().is_ok());
    }

    #[test]
    fn two_tokens_or_a_short_one_are_refused() {
        let two = config("127.0.0.1:9901", Some("0123456789abcdef"), Some("/x"));
        assert!(matches!(two.check(), Err(ApiError::TwoTokens)));
        let short = config("127.0.0.1:9901", Some("short"), None);
        assert!(matches!(short.check(), Err(ApiError::BadToken { .. })));
    }

    #[test]
    fn reads_with_defaults_and_refuses_unknown_fields() {
        let c: ApiConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, ApiConfig::default());
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        let err = serde_json::from_str::<ApiConfig>(r#"{"listne": "127.0.0.1:1"}"#);
        assert!(err.unwrap_err().to_string().contains("unknown field"));
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = config("127.0.0.1:9901", Some("0123456789abcdef"), None);
        let text = format!("{c:?}");
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains("[redacted]"));
    }
}
