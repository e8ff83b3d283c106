//! One log line and one metrics sample per request, labelled by route template.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::RequestId;
use crate::telemetry::metrics::{Metrics, RequestSample};

/// Requests that matched no route share one label, so probing random paths cannot grow the metrics.
const UNMATCHED: &str = "unmatched";

pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request.extensions().get::<RequestId>().cloned();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let duration = started.elapsed();
    let status = response.status().as_u16();
    metrics.record_request(&RequestSample {
        method: method.as_str(),
        route: &route,
        status,
        duration,
    });
    let duration_ms = duration.as_secs_f64() * 1000.0;
    let request_id = request_id.as_ref().map_or("", RequestId::as_str);
    // Probes arrive every few seconds from every load balancer; they would drown the log at info.
    if route.starts_with("/health") || route == "/metrics" {
        tracing::debug!(request_id, method = %method, route, status, duration_ms, "request");
    } else {
        tracing::info!(request_id, method = %method, route, status, duration_ms, "request");
    }
    response
}
