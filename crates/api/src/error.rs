//! Errors: [`ApiError`] for starting the API, [`HttpError`] for answering a request.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

use crate::reply;

/// Why the management API could not start. Each one says how to fix it ([`ApiError::fix`]);
/// `Display` gives the problem and the fix on a second line.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token is configured and the listener is not on a loopback address.
    #[error("api.listen {listen} is not a loopback address and no token is configured\n  fix: {}", self.fix())]
    NoTokenOffLoopback {
        /// The configured listener.
        listen: SocketAddr,
    },
    /// Both `token` and `token_file` are set.
    #[error("api.token and api.token_file are both set\n  fix: {}", self.fix())]
    TwoTokens,
    /// The token given is not usable.
    #[error("{source_name}: {reason}\n  fix: {}", self.fix())]
    BadToken {
        /// Where it came from (`api.token` or the token file's path).
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The token file could not be read, created or trusted.
    #[error("token file {}: {reason}\n  fix: {fix}", path.display())]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
        /// How to fix it.
        fix: String,
    },
    /// The listener could not be bound.
    #[error("cannot listen on {listen}: {source}\n  fix: {}", self.fix())]
    Bind {
        /// The configured listener.
        listen: SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
}

impl ApiError {
    /// How to fix it, in one line.
    pub fn fix(&self) -> &str {
        match self {
            Self::NoTokenOffLoopback { .. } => {
                "set api.token_file (Rampart creates it with a random token, mode 0600) or \
                 api.token, or listen on 127.0.0.1"
            }
            Self::TwoTokens => "keep one of them: api.token_file is preferred",
            Self::BadToken { .. } => {
                "use at least 16 characters of letters, digits and -._~+/ (a token Rampart \
                 generates in api.token_file is 64 hex digits)"
            }
            Self::TokenFile { fix, .. } => fix,
            Self::Bind { .. } => {
                "choose a free port in api.listen, or stop the process that holds this one"
            }
        }
    }
}

/// An error answer: a status and a JSON body `{"error", "fix"}`, with `field` when one value
/// of the request is wrong and `problems` when a reload is refused. 401 answers carry
/// `WWW-Authenticate: Bearer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpError {
    /// The HTTP status.
    #[serde(skip)]
    pub status: StatusCode,
    /// What is wrong.
    pub error: String,
    /// How to fix it.
    pub fix: String,
    /// The request value at fault (`scope.ip`, `ttl`, `min_severity`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, one line each (a refused reload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<String>>,
}

impl HttpError {
    /// An error with `status`, a message and a fix.
    pub fn new(status: StatusCode, error: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            fix: fix.into(),
            field: None,
            problems: None,
        }
    }

    /// 400: the value of `field` is wrong.
    pub fn bad_field(
        field: impl Into<String>,
        error: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(StatusCode::BAD_REQUEST, error, fix)
        }
    }

    /// 401: no token or a wrong one.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token",
            "send the management token as `Authorization: Bearer <token>` (it is in the file \
             named by api.token_file)",
        )
    }

    /// 500: the running system could not do it.
    pub fn internal(error: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error,
            "see Rampart's log for the cause, then retry",
        )
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = reply::json(self.status, &self);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rampart\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_errors_show_their_fix() {
        let e = ApiError::NoTokenOffLoopback {
            listen: "0.0.0.0:9901".parse().unwrap(),
        };
        let text = e.to_string();
        assert!(text.contains("0.0.0.0:9901"), "{text}");
        assert!(text.contains("fix: set api.token_file"), "{text}");
    }

    #[test]
    fn error_bodies_leave_out_empty_parts() {
        let e = HttpError::bad_field("ttl", "bad", "write 1h");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "bad", "fix": "write 1h", "field": "ttl"})
        );
    }
}
