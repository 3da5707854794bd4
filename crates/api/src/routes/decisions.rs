//! `GET /api/v1/decisions`, `POST /api/v1/decisions`, `DELETE /api/v1/decisions/{id}`.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};
use serde_json::json;

use super::new_decision::NewDecision;
use super::{blocking, ok, AppState};
use crate::error::HttpError;
use crate::reply;

/// Longest decision id accepted in a path.
const MAX_ID_LEN: usize = 64;

pub(super) async fn list(State(state): State<Arc<AppState>>) -> Result<Response, HttpError> {
    let decisions = blocking(&state, |c| c.decisions()).await?;
    Ok(ok(&decisions))
}

/// 201 with the decision as stored and its `Location`.
pub(super) async fn add(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, HttpError> {
    let body = reply::read_json(request).await?;
    let new = NewDecision::from_json(&body)?;
    let stored = blocking(&state, move |c| {
        let decision = new.into_decision(c.now());
        c.add_decision(decision)
    })
    .await?
    .map_err(|e| HttpError::internal(format!("could not add the decision: {e}")))?;
    tracing::info!(id = %stored.id, scope = %stored.scope, action = stored.action.name(),
        "management API: decision added");
    let mut response = reply::json(StatusCode::CREATED, &stored);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/decisions/{}", stored.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// 200 when removed, 404 when there was none.
pub(super) async fn remove(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let well_formed = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(HttpError::bad_field(
            "id",
            "the decision id is not well formed",
            "use the `id` of a decision from GET /api/v1/decisions (16 hex digits)",
        ));
    }
    let key = id.clone();
    let removed = blocking(&state, move |c| c.remove_decision(&key))
        .await?
        .map_err(|e| HttpError::internal(format!("could not remove the decision: {e}")))?;
    if removed {
        tracing::info!(id = %id, "management API: decision removed");
        Ok(ok(&json!({"removed": id})))
    } else {
        Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("no active decision has the id `{id}`"),
            "list the active decisions with GET /api/v1/decisions; it may have expired",
        ))
    }
}
