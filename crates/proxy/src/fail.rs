//! The one place that decides what trouble inside the proxy becomes (pingora's
//! `fail_to_proxy`): every failure is counted, logged, and either let through (a failing hook,
//! when failing open) or turned into a plain-text response with a clear status.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::config::FailMode;
use crate::phases::{HookError, LocalResponse, Outcome};
use crate::stats::{self, Stats};

/// Something that went wrong while serving a request.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A hook panicked or returned an error.
    Hook { phase: &'static str, why: String },
    /// The request head is well-formed HTTP but not a request the proxy may forward
    /// (a missing, repeated or invalid `Host`).
    BadRequest { why: &'static str },
    /// No route matched.
    NoRoute { host: Option<String>, path: String },
    /// The request body is over the limit.
    BodyTooLarge { limit: u64 },
    /// The client paused its request body too long.
    BodyStalled { after: Duration },
    /// No server of the pool could be reached.
    UpstreamUnavailable { pool: Arc<str>, why: String },
    /// The upstream did not answer in time.
    UpstreamTimeout { pool: Arc<str>, after: Duration },
    /// The upstream connection broke during the exchange.
    UpstreamBroken { pool: Arc<str>, why: String },
}

/// What the request does next.
#[derive(Debug)]
pub(crate) enum Disposition {
    /// Carry on as if nothing had happened (fail open).
    Continue,
    /// Answer with this response.
    Respond(LocalResponse, Outcome),
}

/// Decides what a failure becomes, counts it and logs it.
pub(crate) fn fail_to_proxy(stats: &Stats, mode: FailMode, failure: Failure) -> Disposition {
    use Failure::*;
    match failure {
        Hook { phase, why } => {
            stats::inc(&stats.hook_failures);
            match mode {
                FailMode::Open => {
                    tracing::warn!(phase, %why, "hook failed; request let through (fail open)");
                    Disposition::Continue
                }
                FailMode::Closed => {
                    tracing::warn!(phase, %why, "hook failed; request refused (fail closed)");
                    respond(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "503 Service Unavailable: the request could not be checked\n".into(),
                        Outcome::HookFailedClosed,
                    )
                }
            }
        }
        BadRequest { why } => {
            tracing::debug!(why, "bad request");
            respond(
                StatusCode::BAD_REQUEST,
                format!("400 Bad Request: {why}\n"),
                Outcome::BadRequest,
            )
        }
        NoRoute { host, path } => {
            tracing::debug!(host = host.as_deref().unwrap_or("-"), %path, "no route");
            respond(
                StatusCode::NOT_FOUND,
                format!(
                    "404 Not Found: no route for host `{}` and path `{}`\n",
                    host.as_deref().unwrap_or("-"),
                    printable(&path)
                ),
                Outcome::NoRoute,
            )
        }
        BodyTooLarge { limit } => {
            stats::inc(&stats.body_too_large);
            respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("413 Payload Too Large: the request body is over {limit} bytes\n"),
                Outcome::BodyTooLarge,
            )
        }
        BodyStalled { after } => {
            stats::inc(&stats.timeouts);
            tracing::debug!(?after, "request body stalled");
            respond(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "408 Request Timeout: no request body data for {}\n",
                    crate::units::format_duration(after)
                ),
                Outcome::BodyStalled,
            )
        }
        UpstreamUnavailable { pool, why } => {
            stats::inc(&stats.upstream_errors);
            tracing::warn!(upstream = %pool, %why, "upstream unavailable");
            respond(
                StatusCode::BAD_GATEWAY,
                format!("502 Bad Gateway: the upstream `{pool}` could not be reached\n"),
                Outcome::UpstreamError,
            )
        }
        UpstreamTimeout { pool, after } => {
            stats::inc(&stats.timeouts);
            tracing::warn!(upstream = %pool, ?after, "upstream response timeout");
            respond(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "504 Gateway Timeout: the upstream `{pool}` did not answer within {}\n",
                    crate::units::format_duration(after)
                ),
                Outcome::UpstreamTimeout,
            )
        }
        UpstreamBroken { pool, why } => {
            stats::inc(&stats.upstream_errors);
            tracing::warn!(upstream = %pool, %why, "upstream exchange failed");
            respond(
                StatusCode::BAD_GATEWAY,
                format!("502 Bad Gateway: the upstream `{pool}` failed to answer\n"),
                Outcome::UpstreamError,
            )
        }
    }
}

fn respond(status: StatusCode, body: String, outcome: Outcome) -> Disposition {
    Disposition::Respond(LocalResponse::text(status, body), outcome)
}

/// The path as shown in an error body: at most 200 characters, control characters dropped.
fn printable(path: &str) -> String {
    path.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Calls a hook, turning a panic or an error into a [`Failure::Hook`].
pub(crate) fn call_hook<T>(
    phase: &'static str,
    f: impl FnOnce() -> Result<T, HookError>,
) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::Hook {
            phase,
            why: e.to_string(),
        }),
        Err(panic) => Err(Failure::Hook {
            phase,
            why: format!("panicked: {}", panic_message(&*panic)),
        }),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_fail_open_by_default_and_closed_when_asked() {
        let stats = Stats::default();
        let f = || call_hook::<()>("on_request_head", || panic!("boom"));
        let failure = f().unwrap_err();
        assert!(matches!(&failure, Failure::Hook { why, .. } if why.contains("boom")));
        assert!(matches!(
            fail_to_proxy(&stats, FailMode::Open, failure),
            Disposition::Continue
        ));
        let failure = call_hook::<()>("x", || Err("engine down".into())).unwrap_err();
        match fail_to_proxy(&stats, FailMode::Closed, failure) {
            Disposition::Respond(r, Outcome::HookFailedClosed) => {
                assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(stats.snapshot().hook_failures, 2);
    }

    #[test]
    fn upstream_failures_become_502_and_504() {
        let stats = Stats::default();
        let pool: Arc<str> = Arc::from("api");
        let d = fail_to_proxy(
            &stats,
            FailMode::Open,
            Failure::UpstreamUnavailable {
                pool: pool.clone(),
                why: "refused".into(),
            },
        );
        assert!(matches!(d, Disposition::Respond(r, _) if r.status == StatusCode::BAD_GATEWAY));
        let d = fail_to_proxy(
            &stats,
            FailMode::Open,
            Failure::UpstreamTimeout {
                pool,
                after: Duration::from_secs(2),
            },
        );
        match d {
            Disposition::Respond(r, _) => {
                assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
                assert!(std::str::from_utf8(&r.body).unwrap().contains("within 2s"));
            }
            other => panic!("{other:?}"),
        }
        let s = stats.snapshot();
        assert_eq!((s.upstream_errors, s.timeouts), (1, 1));
    }
}
