//! WebSocket pass-through: the HTTP/1.1 `Upgrade: websocket` handshake is forwarded like any
//! request; when the upstream answers `101 Switching Protocols`, both upgraded connections are
//! spliced byte for byte until either side closes (or the shutdown deadline passes).

use std::sync::Arc;

use http::{header, Method, Version};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

use crate::listener::{reached, ConnInfo, Phase};
use crate::stats::{self, Stats};

/// Whether a request asks for a WebSocket upgrade.
pub(crate) fn is_upgrade_request(parts: &http::request::Parts) -> bool {
    // `Upgrade` first: almost no request has one.
    parts.version == Version::HTTP_11
        && parts.method == Method::GET
        && has_token(&parts.headers, header::UPGRADE, "websocket")
        && has_token(&parts.headers, header::CONNECTION, "upgrade")
}

fn has_token(headers: &http::HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Splices the client's and the upstream's upgraded connections in a task of its own.
pub(crate) fn splice(client: OnUpgrade, upstream: OnUpgrade, stats: Arc<Stats>, conn: &ConnInfo) {
    let tracker = conn.tracker();
    let mut phase = conn.phase.clone();
    tokio::spawn(async move {
        let _tracker = tracker;
        let (client, upstream) = match tokio::join!(client, upstream) {
            (Ok(c), Ok(u)) => (c, u),
            (c, u) => {
                tracing::debug!(
                    client_ok = c.is_ok(),
                    upstream_ok = u.is_ok(),
                    "WebSocket upgrade did not complete"
                );
                return;
            }
        };
        stats::inc(&stats.active_websockets);
        let mut client = TokioIo::new(client);
        let mut upstream = TokioIo::new(upstream);
        tokio::select! {
            res = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {
                match res {
                    Ok((up, down)) => tracing::debug!(up, down, "WebSocket closed"),
                    Err(e) => tracing::debug!(error = %e, "WebSocket ended with an error"),
                }
            }
            _ = reached(&mut phase, Phase::Closing) => {}
        }
        stats::dec(&stats.active_websockets);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(version: Version, conn: &str, upgrade: &str) -> http::request::Parts {
        let (parts, ()) = http::Request::builder()
            .version(version)
            .header("connection", conn)
            .header("upgrade", upgrade)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn websocket_upgrades_are_recognised() {
        assert!(is_upgrade_request(&parts(
            Version::HTTP_11,
            "keep-alive, Upgrade",
            "WebSocket"
        )));
        assert!(!is_upgrade_request(&parts(
            Version::HTTP_11,
            "keep-alive",
            "websocket"
        )));
        assert!(!is_upgrade_request(&parts(
            Version::HTTP_11,
            "upgrade",
            "h2c"
        )));
        assert!(!is_upgrade_request(&parts(
            Version::HTTP_10,
            "upgrade",
            "websocket"
        )));
    }
}
