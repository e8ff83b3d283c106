//! The request pipeline every route shares, applied in one place so no route can miss a layer.

/// Per route rather than in the pipeline: `routes::idempotent` lists the routes it wraps.
pub mod idempotency;
mod observe;
mod problem;
mod request_id;
mod security;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use request_id::{REQUEST_ID_HEADER, RequestId};

use super::AppState;
use crate::config::Settings;

/// Below this size compressing costs more than it saves.
const COMPRESSION_MIN_BYTES: u64 = 1024;

/// Wraps the routes in the pipeline. Listed innermost first: the last layer sees the request first.
pub fn apply(routes: Router, state: &AppState) -> Router {
    let settings = &state.settings;
    let limits = problem::Limits::of(settings);
    let compression = CompressionLayer::new()
        .compress_when(SizeAbove::new(COMPRESSION_MIN_BYTES).and(NotForContentType::IMAGES));
    routes
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(settings.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::custom(on_panic))
        .layer(from_fn_with_state(limits, problem::render))
        .layer(tower::util::option_layer(cors(settings)))
        .layer(compression)
        .layer(from_fn(security::headers))
        .layer(from_fn_with_state(Arc::clone(&state.metrics), observe::record))
        .layer(from_fn(request_id::assign))
}

/// The panic's message may hold whatever the handler was working on, so it is dropped unread; the panic
/// hook installed by `serve` logs where it happened.
fn on_panic(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked; answered 500");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// No origin may call cross-site unless configured: without the layer browsers refuse such calls.
fn cors(settings: &Settings) -> Option<CorsLayer> {
    if settings.cors_allowed_origins.is_empty() {
        return None;
    }
    let origins = settings
        .cors_allowed_origins
        .iter()
        .map(|origin| HeaderValue::from_str(origin).expect("origins are checked when the settings load"));
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static(idempotency::KEY_HEADER),
                HeaderName::from_static(REQUEST_ID_HEADER),
            ])
            .expose_headers([
                header::ETAG,
                header::LOCATION,
                header::RETRY_AFTER,
                HeaderName::from_static(idempotency::REPLAYED_HEADER),
                HeaderName::from_static(REQUEST_ID_HEADER),
            ])
            .max_age(Duration::from_secs(600)),
    )
}
