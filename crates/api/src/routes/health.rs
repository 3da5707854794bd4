//! `GET /healthz` (the process answers) and `GET /readyz` (the data plane takes traffic).
//! Both need no token, for load balancers and orchestrators.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use super::{blocking, ok, AppState};
use crate::reply;

/// Liveness: always 200 while the API runs.
pub(super) async fn healthz() -> Response {
    ok(&json!({"status": "ok"}))
}

/// Readiness: 200, or 503 with the reason.
pub(super) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match blocking(&state, |c| c.ready()).await {
        Ok(Ok(())) => ok(&json!({"status": "ready"})),
        Ok(Err(reason)) => reply::json(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "not_ready", "reason": reason}),
        ),
        Err(e) => e.into_response(),
    }
}
