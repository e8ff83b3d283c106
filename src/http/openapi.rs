//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
    tags(
        (name = "operations", description = "Health probes and metrics for operators and load balancers"),
        (name = "access", description = "Signing in and out, sessions, one's own password"),
        (name = "organization", description = "The caller's organization and its settings"),
        (name = "users", description = "Staff accounts and their roles (admins)"),
        (name = "api keys", description = "Keys for integrations, with scopes (admins)"),
        (name = "audit", description = "The tamper-evident audit trail (auditors)"),
        (name = "patients", description = "People and animals; identifying fields encrypted at rest, every read audited"),
        (name = "contacts", description = "People related to patients: owners, guardians, next of kin, emergency contacts; encrypted like patients, every read audited"),
        (name = "data-subject requests", description = "GDPR access, portability and erasure (admins); the register of requests (auditors)"),
        (name = "events", description = "The live event stream over a WebSocket: what changes in the schedule and the queue, with ids only"),
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
)]
struct ApiDoc;

/// Declares the bearer scheme that every `security(("bearer" = []))` operation refers to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session token from POST /api/v1/auth/login, or an API key (prx_…)",
                    ))
                    .build(),
            ),
        );
    }
}

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
