//! Health probes: liveness, readiness, and a status summary for people.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::middleware::RequestId;
use crate::http::problem::{ApiError, Problem, ProblemKind, problem_response};
use crate::services::health::{Check, HealthService};
use crate::store::Backend;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "alive"}))]
pub struct Live {
    /// Always `alive`.
    status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready`.
    status: &'static str,
    checks: Vec<Check>,
}

/// The problem answered while not ready, with every check so an operator sees which failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotReady {
    #[serde(flatten)]
    problem: Problem,
    checks: Vec<Check>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "status": "ok", "version": "0.1.0", "uptime_seconds": 3600, "backend": "sqlite",
    "checks": [{"name": "database", "ok": true, "latency_ms": 0.4}]
}))]
pub struct Status {
    /// `ok` when every check passes, `degraded` otherwise.
    status: &'static str,
    version: &'static str,
    uptime_seconds: u64,
    backend: Backend,
    checks: Vec<Check>,
}

/// The process is up and answering.
#[utoipa::path(
    get, path = "/health/live", operation_id = "health_live", tag = "operations",
    responses((status = 200, description = "The process answers", body = Live)),
)]
pub async fn live() -> Json<Live> {
    Json(Live { status: "alive" })
}

/// Whether this instance should receive traffic: database reachable, migrations current, data directory writable.
#[utoipa::path(
    get, path = "/health/ready", operation_id = "health_ready", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Ready),
        (status = 503, description = "Not ready; `checks` names the failing ones", body = NotReady,
         content_type = "application/problem+json"),
    ),
)]
pub async fn ready(
    State(health): State<HealthService>,
    Extension(request_id): Extension<RequestId>,
) -> Response {
    let readiness = health.readiness().await;
    if readiness.is_ready() {
        return Json(Ready {
            status: "ready",
            checks: readiness.checks,
        })
        .into_response();
    }
    let problem =
        ApiError::new(ProblemKind::NotReady, readiness.failures()).into_problem(request_id.as_str());
    let body = NotReady {
        problem,
        checks: readiness.checks,
    };
    problem_response(StatusCode::SERVICE_UNAVAILABLE, &body)
}

/// Version, uptime, backend, and each check with its latency.
#[utoipa::path(
    get, path = "/health", operation_id = "health_status", tag = "operations",
    responses((status = 200, description = "The instance's status", body = Status)),
)]
pub async fn status(State(health): State<HealthService>) -> Json<Status> {
    let readiness = health.readiness().await;
    Json(Status {
        status: if readiness.is_ready() { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: health.uptime().as_secs(),
        backend: health.backend(),
        checks: readiness.checks,
    })
}
