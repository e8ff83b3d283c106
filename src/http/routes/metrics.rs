//! Prometheus metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::store::Store;
use crate::telemetry::metrics::Metrics;

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Request counts and latency histograms by method, route template and status; database pool gauges.
#[utoipa::path(
    get, path = "/metrics", operation_id = "metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", body = String,
               content_type = "text/plain; version=0.0.4")),
)]
pub async fn render(State(metrics): State<Arc<Metrics>>, State(store): State<Store>) -> Response {
    let body = metrics.render(&store.pool_stats());
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROMETHEUS_TEXT))],
        body,
    )
        .into_response()
}
