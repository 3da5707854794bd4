//! The router: one table of every route ([`ROUTES`]), from which the router, the public set
//! and the OpenAPI consistency test all read, and the state handlers share.

use std::sync::Arc;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use http::{Method, StatusCode};

use crate::auth::{self, Token};
use crate::control::Control;
use crate::error::HttpError;
use crate::reply;
use crate::server;
use crate::stats::{self, Stats};

mod alerts;
mod decisions;
mod health;
mod inventory;
mod metrics;
mod new_decision;
mod openapi;
mod reload;

pub use openapi::OPENAPI;

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) control: Arc<dyn Control>,
    /// `None`: no token configured; only public routes answer.
    pub(crate) token: Option<Token>,
    pub(crate) stats: Stats,
    /// One reload at a time.
    pub(crate) reload: tokio::sync::Mutex<()>,
}

impl AppState {
    /// Whether `path` is a route that needs no token.
    pub(crate) fn is_public(&self, path: &str) -> bool {
        ROUTES.iter().any(|r| r.public && r.path == path)
    }

    /// The route template `matched` as a `'static` name, for counters.
    pub(crate) fn route_name(&self, matched: &str) -> &'static str {
        ROUTES
            .iter()
            .find(|r| r.path == matched)
            .map_or("unmatched", |r| r.path)
    }
}

/// One route: method, path template (OpenAPI's `{param}` syntax, which axum shares), whether
/// it needs the token, and its handler.
pub(crate) struct Route {
    /// The HTTP method.
    pub(crate) method: Method,
    /// The path template.
    pub(crate) path: &'static str,
    /// Answered without a token.
    pub(crate) public: bool,
    handler: fn(MethodFilter) -> MethodRouter<Arc<AppState>>,
}

/// Every route of the API. Public ones are listed explicitly; anything else, an unknown path
/// included, needs the token.
pub(crate) const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/healthz",
        public: true,
        handler: |m| on(m, health::healthz),
    },
    Route {
        method: Method::GET,
        path: "/readyz",
        public: true,
        handler: |m| on(m, health::readyz),
    },
    Route {
        method: Method::GET,
        path: "/metrics",
        public: false,
        handler: |m| on(m, metrics::metrics),
    },
    Route {
        method: Method::GET,
        path: "/api/v1/inventory",
        public: false,
        handler: |m| on(m, inventory::inventory),
    },
    Route {
        method: Method::GET,
        path: "/api/v1/alerts",
        public: false,
        handler: |m| on(m, alerts::alerts),
    },
    Route {
        method: Method::GET,
        path: "/api/v1/decisions",
        public: false,
        handler: |m| on(m, decisions::list),
    },
    Route {
        method: Method::POST,
        path: "/api/v1/decisions",
        public: false,
        handler: |m| on(m, decisions::add),
    },
    Route {
        method: Method::DELETE,
        path: "/api/v1/decisions/{id}",
        public: false,
        handler: |m| on(m, decisions::remove),
    },
    Route {
        method: Method::POST,
        path: "/api/v1/reload",
        public: false,
        handler: |m| on(m, reload::reload),
    },
    Route {
        method: Method::GET,
        path: "/api/v1/openapi.json",
        public: false,
        handler: |m| on(m, openapi::openapi),
    },
];

/// The management API's router, for [`crate::serve`] or for embedding. With `token: None`
/// only `/healthz` and `/readyz` answer; everything else is 403 with how to set a token.
///
/// Layers, outermost first: security headers; counting; the request timeout; the token check;
/// the handler. The body limit is enforced where bodies are read.
pub fn app(control: Arc<dyn Control>, token: Option<Token>) -> Router {
    let state = Arc::new(AppState {
        control,
        token,
        stats: Stats::default(),
        reload: tokio::sync::Mutex::new(()),
    });
    let mut router: Router<Arc<AppState>> = Router::new();
    for route in ROUTES {
        // Every method of the table is a standard one, which a filter always exists for.
        if let Ok(filter) = MethodFilter::try_from(route.method.clone()) {
            router = router.route(route.path, (route.handler)(filter));
        }
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), auth::require_token))
        .layer(from_fn(server::timeout))
        .layer(from_fn_with_state(state.clone(), stats::count))
        .layer(from_fn(reply::headers))
        .with_state(state)
}

/// Runs `f` on the blocking pool: `Control` calls may wait on a store or a reload.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, HttpError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Control) -> T + Send + 'static,
{
    let control = state.control.clone();
    tokio::task::spawn_blocking(move || f(&*control))
        .await
        .map_err(|_| {
            tracing::error!("management API: the running system panicked while answering");
            HttpError::internal("the running system failed while answering")
        })
}

async fn not_found() -> Response {
    axum::response::IntoResponse::into_response(HttpError::new(
        StatusCode::NOT_FOUND,
        "no such endpoint",
        "see GET /api/v1/openapi.json for the endpoints",
    ))
}

async fn method_not_allowed() -> Response {
    axum::response::IntoResponse::into_response(HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not take that method",
        "see GET /api/v1/openapi.json for the methods of each endpoint",
    ))
}

/// Turns a parse problem into a 400 on `field`.
pub(crate) fn bad(field: &str, (error, fix): crate::parse::Bad) -> HttpError {
    HttpError::bad_field(field, error, fix)
}

/// A JSON 200.
pub(crate) fn ok(value: &impl serde::Serialize) -> Response {
    reply::json(StatusCode::OK, value)
}
