//! `GET /metrics`: the caller's metrics, then the API's own, as Prometheus text.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

use super::{blocking, AppState};
use crate::error::HttpError;
use crate::metrics::MetricsWriter;
use crate::reply;

/// The content type of the text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) async fn metrics(State(state): State<Arc<AppState>>) -> Result<Response, HttpError> {
    let mut text = blocking(&state, |c| c.metrics()).await?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let mut own = MetricsWriter::new();
    state.stats.write(&mut own);
    text.push_str(&own.finish());
    Ok(reply::with_type(
        StatusCode::OK,
        CONTENT_TYPE,
        text.into_bytes(),
    ))
}
