//! One module per resource; `api()` lists every documented route once.

mod api_keys;
mod appointments;
mod audit;
mod auth;
mod availability;
mod contacts;
mod data_subject;
mod health;
mod metrics;
mod organization;
mod page;
mod patients;
mod practitioners;
mod resources;
mod series;
mod services;
mod time_blocks;
mod users;
mod waitlist;

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
        .routes(routes!(practitioners::create, practitioners::list))
        .routes(routes!(practitioners::read, practitioners::update))
        .routes(routes!(
            practitioners::working_hours,
            practitioners::replace_working_hours
        ))
        .routes(routes!(resources::create, resources::list))
        .routes(routes!(resources::read, resources::update))
        .routes(routes!(services::create, services::list))
        .routes(routes!(services::read, services::update))
        .routes(routes!(time_blocks::create, time_blocks::list))
        .routes(routes!(time_blocks::update, time_blocks::delete))
        .routes(routes!(availability::availability))
        .routes(routes!(availability::schedule))
        .routes(routes!(appointments::create, appointments::list))
        .routes(routes!(appointments::read, appointments::move_appointment))
        .routes(routes!(appointments::change_status))
        .routes(routes!(appointments::history))
        .routes(routes!(series::create))
        .routes(routes!(series::read))
        .routes(routes!(series::cancel))
        .routes(routes!(series::move_series))
        .routes(routes!(waitlist::create, waitlist::list))
        .routes(routes!(waitlist::remove))
        .routes(routes!(waitlist::offers))
        .routes(routes!(waitlist::accept))
        .routes(routes!(waitlist::decline))
}

pub(super) async fn no_route() -> ApiError {
    ApiError::new(
        ProblemKind::RouteNotFound,
        "no route matches this path; the API is described at /api/v1/openapi.json",
    )
}
