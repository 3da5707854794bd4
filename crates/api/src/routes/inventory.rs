//! `GET /api/v1/inventory`: the learned endpoints, as the running system gives them.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use super::{blocking, ok, AppState};
use crate::error::HttpError;

pub(super) async fn inventory(State(state): State<Arc<AppState>>) -> Result<Response, HttpError> {
    let value = blocking(&state, |c| c.inventory()).await?;
    Ok(ok(&value))
}
