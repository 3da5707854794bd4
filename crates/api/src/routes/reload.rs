//! `POST /api/v1/reload`: reload configuration and policy, one reload at a time.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use serde_json::json;

use super::{blocking, ok, AppState};
use crate::error::HttpError;

/// Most problems listed in one answer.
const MAX_PROBLEMS: usize = 200;

/// 200 with the summary, or 422 with every problem (the configuration in force stays).
pub(super) async fn reload(State(state): State<Arc<AppState>>) -> Result<Response, HttpError> {
    let _one_at_a_time = state.reload.lock().await;
    match blocking(&state, |c| c.reload()).await? {
        Ok(summary) => {
            tracing::info!("management API: configuration reloaded");
            Ok(ok(&json!({"status": "reloaded", "summary": summary})))
        }
        Err(mut problems) => {
            let total = problems.len();
            problems.truncate(MAX_PROBLEMS);
            if problems.is_empty() {
                problems.push("the reload failed without naming a problem".to_owned());
            }
            tracing::warn!(
                problems = total,
                "management API: reload refused; the configuration in force stays"
            );
            Err(HttpError {
                problems: Some(problems),
                ..HttpError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "the new configuration has {} problem{}; the one in force stays",
                        total.max(1),
                        if total > 1 { "s" } else { "" }
                    ),
                    "fix the problems listed (`rampart config check` shows each with its line), \
                     then reload again",
                )
            })
        }
    }
}
