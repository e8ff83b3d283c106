//! One module per resource; `api()` lists every documented route once.

mod api_keys;
mod audit;
mod auth;
mod contacts;
mod data_subject;
mod events;
mod health;
mod metrics;
mod organization;
mod page;
mod patients;
mod users;

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
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::sessions))
        .routes(routes!(auth::revoke_session))
        .routes(routes!(auth::change_password))
        .routes(routes!(organization::read, organization::update))
        .routes(routes!(users::create, users::list))
        .routes(routes!(users::read, users::update))
        .routes(routes!(users::deactivate))
        .routes(routes!(api_keys::create, api_keys::list))
        .routes(routes!(api_keys::revoke))
        .routes(routes!(audit::list))
        .routes(routes!(patients::create, patients::list))
        .routes(routes!(patients::read, patients::replace, patients::delete))
        .routes(routes!(patients::restore))
        .routes(routes!(contacts::create, contacts::list))
        .routes(routes!(contacts::read, contacts::replace, contacts::delete))
        .routes(routes!(contacts::patients))
        .routes(routes!(contacts::of_patient))
        .routes(routes!(contacts::link, contacts::unlink))
        .routes(routes!(data_subject::export))
        .routes(routes!(data_subject::erase))
        .routes(routes!(data_subject::list))
        .routes(routes!(events::stream))
}

pub(super) async fn no_route() -> ApiError {
    ApiError::new(
        ProblemKind::RouteNotFound,
        "no route matches this path; the API is described at /api/v1/openapi.json",
    )
}
