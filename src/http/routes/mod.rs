//! One module per resource; `api()` lists every documented route once.

mod api_keys;
mod appointments;
mod audit;
mod auth;
mod availability;
mod codes;
mod contacts;
mod data_subject;
mod events;
mod health;
mod metrics;
mod organization;
mod page;
mod patients;
mod practitioners;
mod queue_tickets;
mod queues;
mod resources;
mod series;
mod services;
mod time_blocks;
mod users;
mod waitlist;

use axum::middleware::from_fn_with_state;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::middleware::idempotency;
use super::openapi::document_idempotency;
use super::problem::{ApiError, ProblemKind};

/// Every documented route, ready to serve.
pub(super) fn api(state: &AppState) -> OpenApiRouter<AppState> {
    let guard = from_fn_with_state(state.clone(), idempotency::guard);
    all(idempotent().route_layer(guard))
}

/// The OpenAPI document alone; layers do not change it, so it needs no state.
pub(super) fn document() -> Document {
    all(idempotent()).into_openapi()
}

/// Creating requests that take `Idempotency-Key`. A route listed here (and not in [`all`]) gets the
/// behaviour and its documentation.
fn idempotent() -> OpenApiRouter<AppState> {
    let mut routes = OpenApiRouter::new()
        .routes(routes!(patients::create))
        .routes(routes!(contacts::create))
        .routes(routes!(appointments::create))
        .routes(routes!(series::create));
    document_idempotency(routes.get_openapi_mut());
    routes
}

fn all(idempotent: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
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
        .routes(routes!(patients::list))
        .routes(routes!(patients::read, patients::replace, patients::delete))
        .routes(routes!(patients::restore))
        .routes(routes!(contacts::list))
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
        .routes(routes!(appointments::list))
        .routes(routes!(appointments::read, appointments::move_appointment))
        .routes(routes!(appointments::change_status))
        .routes(routes!(appointments::history))
        .routes(routes!(series::read))
        .routes(routes!(series::cancel))
        .routes(routes!(series::move_series))
        .routes(routes!(waitlist::create, waitlist::list))
        .routes(routes!(waitlist::remove))
        .routes(routes!(waitlist::offers))
        .routes(routes!(waitlist::accept))
        .routes(routes!(waitlist::decline))
        .routes(routes!(queues::create, queues::list))
        .routes(routes!(queues::read, queues::update))
        .routes(routes!(queues::rotate_display_token))
        .routes(routes!(queues::display))
        .routes(routes!(queue_tickets::issue, queue_tickets::list))
        .routes(routes!(queue_tickets::read))
        .routes(routes!(queue_tickets::call_next))
        .routes(routes!(queue_tickets::change_status))
        .routes(routes!(events::stream))
        .routes(routes!(codes::search))
        .merge(idempotent)
}

pub(super) async fn no_route() -> ApiError {
    ApiError::new(
        ProblemKind::RouteNotFound,
        "no route matches this path; the API is described at /api/v1/openapi.json",
    )
}
