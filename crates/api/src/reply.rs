//! Answers: JSON bodies, the headers every answer carries, and reading a capped JSON body.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

use crate::error::HttpError;
use crate::server::BODY_LIMIT;

/// `value` as a JSON answer with `status`. Every string in it, including whatever came from
/// traffic, is escaped by serde; the content type is JSON, never HTML.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(mut bytes) => {
            bytes.push(b'\n');
            with_type(status, "application/json", bytes)
        }
        Err(e) => with_type(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            serde_json::json!({
                "error": format!("could not encode the answer: {e}"),
                "fix": "see Rampart's log, then retry",
            })
            .to_string()
            .into_bytes(),
        ),
    }
}

/// A body with its content type.
pub(crate) fn with_type(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Middleware: headers on every answer, so that nothing is cached, sniffed or framed.
pub(crate) async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Reads a JSON request body: `application/json`, at most [`BODY_LIMIT`] bytes, parsed.
pub(crate) async fn read_json(request: Request) -> Result<serde_json::Value, HttpError> {
    let (parts, body) = request.into_parts();
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON",
            "send `Content-Type: application/json`",
        ));
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|e| {
        if is_length_limit(&e) {
            too_large()
        } else {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "the body could not be read",
                "send the whole body, with a correct Content-Length",
            )
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
            "send one JSON object, like {\"action\": \"block\", \"scope\": {\"ip\": \"203.0.113.7\"}, \"ttl\": \"1h\"}",
        )
    })
}

/// 413: the body is over [`BODY_LIMIT`].
pub(crate) fn too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
        "send a smaller body: one decision per request",
    )
}

/// Whether a body error is the length limit.
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}
