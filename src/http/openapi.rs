//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

use super::problem::{FieldError, Problem};

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Praxis",
        description = "Practice management for clinics: patients, scheduling, clinical notes, billing and \
                       the audit trail. Errors are `application/problem+json` (RFC 9457); every answer \
                       carries `X-Request-Id`.",
    ),
    tags((name = "operations", description = "Health probes and metrics for operators and load balancers")),
    components(schemas(Problem, FieldError)),
)]
struct ApiDoc;

/// The document as served at [`OPENAPI_PATH`].
pub fn openapi() -> Document {
    super::routes::api().split_for_parts().1
}

pub(super) fn base() -> Document {
    let mut document = ApiDoc::openapi();
    // The generator copies the crate's licence field, which Praxis does not set.
    document.info.license = None;
    document
}
