//! One module per resource; `api()` lists every documented route once.

mod health;
mod metrics;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::problem::{ApiError, ProblemKind};

pub(super) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(super::openapi::base())
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(health::status))
        .routes(routes!(metrics::render))
}

pub(super) async fn no_route() -> ApiError {
    ApiError::new(
        ProblemKind::RouteNotFound,
        "no route matches this path; the API is described at /api/v1/openapi.json",
    )
}
