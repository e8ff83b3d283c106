//! Finding a time, and the front desk's day view.

use axum::Json;
use axum::extract::State;

use crate::http::extract::ApiQuery;
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{
    AvailabilityQuery, DaySchedule, ScheduleQuery, SchedulingService, SlotList,
};

/// Bookable slots for a service within a window (at most 31 days): inside working hours, outside time
/// blocks, clear of other appointments and of the service's buffers, and never in the past. Computed in the
/// organization's time zone; times carry its offset.
#[utoipa::path(
    get, path = "/api/v1/availability", operation_id = "find_availability", tag = "appointments",
    security(("bearer" = [])),
    params(AvailabilityQuery),
    responses(
        (status = 200, description = "The free slots", body = SlotList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service, practitioner or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The practitioner does not offer the service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad window or step", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn availability(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> Result<Json<SlotList>, ApiError> {
    Ok(Json(scheduling.availability(&principal, query).await?))
}

/// One local day as a front desk shows it: for each practitioner, working time, blocks, appointments (with
/// patients' names) and free time. Audited with the patients shown.
#[utoipa::path(
    get, path = "/api/v1/schedule", operation_id = "day_schedule", tag = "appointments",
    security(("bearer" = [])),
    params(ScheduleQuery),
    responses(
        (status = 200, description = "The day", body = DaySchedule),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad date or practitioner ids", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn schedule(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ScheduleQuery>,
) -> Result<Json<DaySchedule>, ApiError> {
    Ok(Json(scheduling.day_schedule(&principal, query).await?))
}
