//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldError, PROBLEM_JSON, Problem};

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
        (name = "scheduling set-up", description = "Practitioners, resources, services, working hours and time blocks"),
        (name = "appointments", description = "Finding a time, booking without overlaps, the lifecycle, the day view; reads audited"),
        (name = "waitlist", description = "Patients waiting for a time, and offers of freed time"),
        (name = "queue", description = "The walk-in queue: queues per location, numbered tickets without names, call-next for desks, and the public waiting-room screen"),
        (name = "clinical codes", description = "ICD-10 and ICPC-2 codes for diagnoses and procedures: search by code or words"),
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
    super::routes::document()
}

pub(super) fn base() -> Document {
    let mut document = ApiDoc::openapi();
    // The generator copies the crate's licence field, which Praxis does not set.
    document.info.license = None;
    document
}

/// Documents `Idempotency-Key` on every operation of `document`: the header, the answers it adds, and the
/// `Idempotent-Replayed` header of successful answers. The routes that take the header get this from the
/// one list of them, so no route repeats it.
pub(super) fn document_idempotency(document: &mut Document) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            document_idempotent_operation(operation);
        }
    }
}

fn document_idempotent_operation(operation: &mut Operation) {
    let key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the first answer to a key is kept for 24 hours and sent again, with \
             `Idempotent-Replayed: true`, for the same request with the same key. 1 to 255 visible ASCII \
             characters, such as a fresh UUID per new request. Keys are per user or API key.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(key));
    for (status, answer) in &mut operation.responses.responses {
        if let (true, RefOr::T(answer)) = (status.starts_with('2'), answer) {
            let replayed = HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(
                    "`true` when this is the kept answer to an earlier request with the same Idempotency-Key",
                ))
                .build();
            answer
                .headers
                .insert("Idempotent-Replayed".to_owned(), RefOr::T(replayed));
        }
    }
    add_problem(
        operation,
        "400",
        "the Idempotency-Key header is malformed or sent twice",
    );
    add_problem(
        operation,
        "409",
        "a request with this Idempotency-Key is still in progress; retry once it has been answered",
    );
    add_problem(
        operation,
        "422",
        "this Idempotency-Key was sent before with another request (method, path or body)",
    );
}

/// Adds a problem answer, or extends the description of the one documented for the status already.
fn add_problem(operation: &mut Operation, status: &str, why: &str) {
    let answers = &mut operation.responses.responses;
    if let Some(RefOr::T(answer)) = answers.get_mut(status) {
        answer.description = format!("{}; or {why}", answer.description);
        return;
    }
    let mut description = why.to_owned();
    description[..1].make_ascii_uppercase();
    let problem = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    let answer = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, problem)
        .build();
    answers.insert(status.to_owned(), RefOr::T(answer));
}
