//! Clinical codes: searching the ICD-10 and ICPC-2 lists for a note's diagnoses and procedures.

use axum::Json;
use axum::extract::State;

use crate::http::extract::ApiQuery;
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::codes::{CodeQuery, CodeService, CodeView};

/// Codes whose code starts with `q`, then codes whose title has words starting with each word of `q`, each
/// group in code order.
#[utoipa::path(
    get, path = "/api/v1/codes", operation_id = "search_codes", tag = "clinical codes",
    security(("bearer" = [])),
    params(CodeQuery),
    responses(
        (status = 200, description = "The codes found, at most `limit`", body = [CodeView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs clinical:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown system, empty or too long query, or limit out of range, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn search(
    State(codes): State<CodeService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<CodeQuery>,
) -> Result<Json<Vec<CodeView>>, ApiError> {
    Ok(Json(codes.search(&principal, query).await?))
}
