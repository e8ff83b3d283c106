//! The permission matrix, held against the running server: every operation Praxis serves, who may call it,
//! and what everyone else gets (403, audited), with no credentials (401) and from another organization (404).
//!
//! The expectations are computed from `praxis_domain::access` (`Role::grants`, `Grants::from_scopes`), the
//! one place the matrix of DESIGN.md lives, so this file only says which permission each operation needs.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::scheduling::{self, expect};
use common::{Backend, Clinic, PASSWORD, TestApp, problem};
use praxis_domain::access::{Grants, Permission, Role, Scope};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, without credentials.
    Public,
    /// Any signed-in user, whatever the roles, and any API key, whatever the scopes.
    AnyPrincipal,
    /// Any signed-in user, whatever the roles; API keys get 403.
    SignedInUser,
    /// A user whose roles, or a key whose scopes, grant this permission.
    Needs(Permission),
    /// A user whose roles, or a key whose scopes, grant any one of these permissions.
    NeedsAny(&'static [Permission]),
}

/// What the `{id}` of a path names, so the tenant-isolation test can put a real record of another
/// organization there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    User,
    ApiKey,
    Session,
    Patient,
    Contact,
    /// A patient (`{id}`) and a contact (`{contact_id}`) linked to it.
    PatientContact,
    Queue,
    /// A queue (`{id}`) and one of its tickets (`{ticket_id}`).
    QueueTicket,
    Practitioner,
    Resource,
    Service,
    TimeBlock,
    Appointment,
    AppointmentSeries,
    WaitlistEntry,
    WaitlistOffer,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    /// The credentials of the organization's admin.
    Login,
}

#[derive(Debug, Clone, Copy)]
struct Operation {
    method: &'static str,
    path: &'static str,
    access: Access,
    body: Body,
    /// The query string, for the operations that cannot be called without one.
    query: Option<&'static str>,
    record: Option<Record>,
    /// Allowed calls end the caller's session, so they come after the caller's other calls.
    ends_session: bool,
    /// A WebSocket route: sent as a plain request, an allowed call reaches the handshake and answers 426.
    websocket: bool,
}

impl Operation {
    const fn new(method: &'static str, path: &'static str, access: Access) -> Self {
        Self {
            method,
            path,
            access,
            body: Body::None,
            query: None,
            record: None,
            ends_session: false,
            websocket: false,
        }
    }

    const fn body(self, json: &'static str) -> Self {
        Self {
            body: Body::Json(json),
            ..self
        }
    }

    const fn query(self, query: &'static str) -> Self {
        Self {
            query: Some(query),
            ..self
        }
    }

    const fn login(self) -> Self {
        Self {
            body: Body::Login,
            ..self
        }
    }

    const fn names(self, record: Record) -> Self {
        Self {
            record: Some(record),
            ..self
        }
    }

    const fn ending_session(self) -> Self {
        Self {
            ends_session: true,
            ..self
        }
    }

    const fn websocket(self) -> Self {
        Self {
            websocket: true,
            ..self
        }
    }

    fn http_method(&self) -> Method {
        Method::from_bytes(self.method.to_uppercase().as_bytes()).unwrap()
    }

    fn describe(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

use Access::{AnyPrincipal, Needs, NeedsAny, Public, SignedInUser};
use Permission::{
    Administer, AuditRead, ClinicalRead, DataSubjectRequests, PatientsRead, PatientsWrite, SchedulingRead,
    SchedulingWrite,
};

const PATIENT: &str =
    r#"{"kind": "person", "given_name": "Matrix", "family_name": "Patient", "birth_date": "1980-01-01"}"#;

const CONTACT: &str = r#"{"given_name": "Matrix", "family_name": "Contact", "phone": "+47 913 45 678"}"#;

// The scheduling bodies name a practitioner, service and patient that do not exist, so an allowed call
// answers 404 and books nothing.
const TIME_BLOCK: &str = r#"{"practitioner_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "kind": "meeting", "start": "2030-03-04T12:00:00+01:00", "end": "2030-03-04T13:00:00+01:00"}"#;

const BOOKING: &str = r#"{"patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "practitioner_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "service_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "start": "2030-03-04T09:00:00+01:00"}"#;

const SERIES: &str = r#"{"patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "practitioner_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "service_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "start": "2030-03-04T09:00:00+01:00", "rrule": "FREQ=WEEKLY;COUNT=2"}"#;

const WAITLIST_ENTRY: &str = r#"{"patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "service_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "windows": [{"start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T12:00:00+01:00"}]}"#;

/// The time blocks of a practitioner (who does not exist) in the first week of March 2030.
const BLOCKS_OF_A_WEEK: &str =
    "practitioner_id=0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11&from=2030-03-04T00:00:00Z&to=2030-03-11T00:00:00Z";

/// Every operation Praxis serves and who may call it. A new route fails
/// `the_matrix_lists_exactly_the_documented_operations` until it has an entry here.
///
/// Bodies are valid where that is cheap, so an allowed call fails for no other reason; ids are random, so
/// an allowed call on `{id}` typically answers 404 and nobody is changed, deactivated or revoked. The
/// password change sends a wrong current password, so it answers 422 to those allowed and changes nothing.
const MATRIX: &[Operation] = &[
    Operation::new("get", "/health", Public),
    Operation::new("get", "/health/live", Public),
    Operation::new("get", "/health/ready", Public),
    Operation::new("get", "/metrics", Public),
    Operation::new("post", "/api/v1/auth/login", Public).login(),
    Operation::new("get", "/api/v1/me", AnyPrincipal),
    Operation::new("get", "/api/v1/organization", AnyPrincipal),
    Operation::new("post", "/api/v1/auth/logout", SignedInUser).ending_session(),
    Operation::new("get", "/api/v1/me/sessions", SignedInUser),
    Operation::new("delete", "/api/v1/me/sessions/{id}", SignedInUser).names(Record::Session),
    Operation::new("put", "/api/v1/me/password", SignedInUser).body(
        r#"{"current_password": "not the current password", "new_password": "a fresh and uncommon passphrase"}"#,
    ),
    Operation::new("patch", "/api/v1/organization", Needs(Administer)).body("{}"),
    Operation::new("post", "/api/v1/users", Needs(Administer)).body(
        r#"{"email": "matrix@alpha.example", "display_name": "Matrix", "roles": ["reception"], "password": "a long and uncommon passphrase"}"#,
    ),
    Operation::new("get", "/api/v1/users", Needs(Administer)),
    Operation::new("get", "/api/v1/users/{id}", Needs(Administer)).names(Record::User),
    Operation::new("patch", "/api/v1/users/{id}", Needs(Administer))
        .names(Record::User)
        .body(r#"{"display_name": "Renamed", "roles": ["admin"]}"#),
    Operation::new("post", "/api/v1/users/{id}/deactivate", Needs(Administer)).names(Record::User),
    Operation::new("post", "/api/v1/api-keys", Needs(Administer))
        .body(r#"{"name": "Matrix", "scopes": ["patients:read"]}"#),
    Operation::new("get", "/api/v1/api-keys", Needs(Administer)),
    Operation::new("delete", "/api/v1/api-keys/{id}", Needs(Administer)).names(Record::ApiKey),
    Operation::new("get", "/api/v1/audit-events", Needs(AuditRead)),
    Operation::new("post", "/api/v1/patients", Needs(PatientsWrite)).body(PATIENT),
    Operation::new("get", "/api/v1/patients", Needs(PatientsRead)),
    Operation::new("get", "/api/v1/patients/{id}", Needs(PatientsRead)).names(Record::Patient),
    Operation::new("put", "/api/v1/patients/{id}", Needs(PatientsWrite))
        .names(Record::Patient)
        .body(PATIENT),
    Operation::new("delete", "/api/v1/patients/{id}", Needs(PatientsWrite)).names(Record::Patient),
    Operation::new("post", "/api/v1/patients/{id}/restore", Needs(PatientsWrite)).names(Record::Patient),
    Operation::new("post", "/api/v1/contacts", Needs(PatientsWrite)).body(CONTACT),
    Operation::new("get", "/api/v1/contacts", Needs(PatientsRead)),
    Operation::new("get", "/api/v1/contacts/{id}", Needs(PatientsRead)).names(Record::Contact),
    Operation::new("put", "/api/v1/contacts/{id}", Needs(PatientsWrite))
        .names(Record::Contact)
        .body(CONTACT),
    Operation::new("delete", "/api/v1/contacts/{id}", Needs(PatientsWrite)).names(Record::Contact),
    Operation::new("get", "/api/v1/contacts/{id}/patients", Needs(PatientsRead)).names(Record::Contact),
    Operation::new("get", "/api/v1/patients/{id}/contacts", Needs(PatientsRead)).names(Record::Patient),
    Operation::new("put", "/api/v1/patients/{id}/contacts/{contact_id}", Needs(PatientsWrite))
        .names(Record::PatientContact)
        .body(r#"{"role": "emergency", "relationship": "neighbour"}"#),
    Operation::new("delete", "/api/v1/patients/{id}/contacts/{contact_id}", Needs(PatientsWrite))
        .names(Record::PatientContact),
    Operation::new("get", "/api/v1/patients/{id}/export", Needs(DataSubjectRequests)).names(Record::Patient),
    Operation::new("post", "/api/v1/patients/{id}/erasure", Needs(DataSubjectRequests))
        .names(Record::Patient)
        .body(r#"{"legal_reason": null}"#),
    Operation::new("get", "/api/v1/data-subject-requests", NeedsAny(&[AuditRead, DataSubjectRequests])),
    Operation::new("post", "/api/v1/queues", Needs(SchedulingWrite)).body(r#"{"name": "Matrix"}"#),
    Operation::new("get", "/api/v1/queues", Needs(SchedulingRead)),
    Operation::new("get", "/api/v1/queues/{id}", Needs(SchedulingRead)).names(Record::Queue),
    Operation::new("patch", "/api/v1/queues/{id}", Needs(SchedulingWrite))
        .names(Record::Queue)
        .body("{}"),
    Operation::new("post", "/api/v1/queues/{id}/display-token", Needs(SchedulingWrite)).names(Record::Queue),
    Operation::new("get", "/api/v1/queue-displays/{token}", Public),
    Operation::new("post", "/api/v1/queues/{id}/tickets", Needs(SchedulingWrite))
        .names(Record::Queue)
        .body("{}"),
    Operation::new("get", "/api/v1/queues/{id}/tickets", Needs(SchedulingRead)).names(Record::Queue),
    Operation::new("get", "/api/v1/queues/{id}/tickets/{ticket_id}", Needs(SchedulingRead))
        .names(Record::QueueTicket),
    Operation::new("post", "/api/v1/queues/{id}/call-next", Needs(SchedulingWrite))
        .names(Record::Queue)
        .body(r#"{"desk": "Desk 1"}"#),
    Operation::new("post", "/api/v1/queues/{id}/tickets/{ticket_id}/status", Needs(SchedulingWrite))
        .names(Record::QueueTicket)
        .body(r#"{"status": "serving"}"#),
    Operation::new("get", "/api/v1/events", Needs(SchedulingRead)).websocket(),
    Operation::new("post", "/api/v1/practitioners", Needs(SchedulingWrite)).body(r#"{"name": "Matrix"}"#),
    Operation::new("get", "/api/v1/practitioners", Needs(SchedulingRead)),
    Operation::new("get", "/api/v1/practitioners/{id}", Needs(SchedulingRead)).names(Record::Practitioner),
    Operation::new("patch", "/api/v1/practitioners/{id}", Needs(SchedulingWrite))
        .names(Record::Practitioner)
        .body("{}"),
    Operation::new("get", "/api/v1/practitioners/{id}/working-hours", Needs(SchedulingRead))
        .names(Record::Practitioner),
    Operation::new("put", "/api/v1/practitioners/{id}/working-hours", Needs(SchedulingWrite))
        .names(Record::Practitioner)
        .body(r#"{"weekly": []}"#),
    Operation::new("post", "/api/v1/resources", Needs(SchedulingWrite)).body(r#"{"name": "Matrix"}"#),
    Operation::new("get", "/api/v1/resources", Needs(SchedulingRead)),
    Operation::new("get", "/api/v1/resources/{id}", Needs(SchedulingRead)).names(Record::Resource),
    Operation::new("patch", "/api/v1/resources/{id}", Needs(SchedulingWrite))
        .names(Record::Resource)
        .body("{}"),
    Operation::new("post", "/api/v1/services", Needs(SchedulingWrite))
        .body(r#"{"name": "Matrix", "duration_minutes": 30}"#),
    Operation::new("get", "/api/v1/services", Needs(SchedulingRead)),
    Operation::new("get", "/api/v1/services/{id}", Needs(SchedulingRead)).names(Record::Service),
    Operation::new("patch", "/api/v1/services/{id}", Needs(SchedulingWrite))
        .names(Record::Service)
        .body("{}"),
    Operation::new("post", "/api/v1/time-blocks", Needs(SchedulingWrite)).body(TIME_BLOCK),
    Operation::new("get", "/api/v1/time-blocks", Needs(SchedulingRead)).query(BLOCKS_OF_A_WEEK),
    Operation::new("patch", "/api/v1/time-blocks/{id}", Needs(SchedulingWrite))
        .names(Record::TimeBlock)
        .body("{}"),
    Operation::new("delete", "/api/v1/time-blocks/{id}", Needs(SchedulingWrite)).names(Record::TimeBlock),
    Operation::new("get", "/api/v1/availability", Needs(SchedulingRead)).query(
        "service_id=0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11&start=2030-03-04T00:00:00Z&end=2030-03-05T00:00:00Z",
    ),
    Operation::new("get", "/api/v1/schedule", Needs(SchedulingRead)).query("date=2030-03-04"),
    Operation::new("post", "/api/v1/appointments", Needs(SchedulingWrite)).body(BOOKING),
    Operation::new("get", "/api/v1/appointments", Needs(SchedulingRead)),
    Operation::new("get", "/api/v1/appointments/{id}", Needs(SchedulingRead)).names(Record::Appointment),
    Operation::new("patch", "/api/v1/appointments/{id}", Needs(SchedulingWrite))
        .names(Record::Appointment)
        .body("{}"),
    Operation::new("post", "/api/v1/appointments/{id}/status", Needs(SchedulingWrite))
        .names(Record::Appointment)
        .body(r#"{"status": "cancelled", "reason": "other"}"#),
    Operation::new("get", "/api/v1/appointments/{id}/history", Needs(SchedulingRead))
        .names(Record::Appointment),
    Operation::new("post", "/api/v1/appointment-series", Needs(SchedulingWrite)).body(SERIES),
    Operation::new("get", "/api/v1/appointment-series/{id}", Needs(SchedulingRead))
        .names(Record::AppointmentSeries),
    Operation::new("post", "/api/v1/appointment-series/{id}/cancel", Needs(SchedulingWrite))
        .names(Record::AppointmentSeries)
        .body(r#"{"from_index": 0, "reason": "other"}"#),
    Operation::new("post", "/api/v1/appointment-series/{id}/move", Needs(SchedulingWrite))
        .names(Record::AppointmentSeries)
        .body(r#"{"from_index": 0, "start": "2030-03-05T10:00:00+01:00"}"#),
    Operation::new("post", "/api/v1/waitlist", Needs(SchedulingWrite)).body(WAITLIST_ENTRY),
    Operation::new("get", "/api/v1/waitlist", Needs(SchedulingRead)),
    Operation::new("delete", "/api/v1/waitlist/{id}", Needs(SchedulingWrite)).names(Record::WaitlistEntry),
    Operation::new("get", "/api/v1/waitlist-offers", Needs(SchedulingRead)),
    Operation::new("post", "/api/v1/waitlist-offers/{id}/accept", Needs(SchedulingWrite))
        .names(Record::WaitlistOffer),
    Operation::new("post", "/api/v1/waitlist-offers/{id}/decline", Needs(SchedulingWrite))
        .names(Record::WaitlistOffer),
    Operation::new("get", "/api/v1/codes", Needs(ClinicalRead)).query("q=back"),
];

/// A principal of the matrix: one user per role, or one key per scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Role(Role),
    Scope(Scope),
}

#[derive(Debug, Clone)]
struct Caller {
    holder: Holder,
    token: String,
    actor_kind: &'static str,
    actor_id: Uuid,
}

impl Caller {
    fn allowed(&self, access: Access) -> bool {
        match (access, self.holder) {
            (Public | AnyPrincipal, _) => true,
            (SignedInUser, Holder::Role(_)) => true,
            (SignedInUser, Holder::Scope(_)) => false,
            (Needs(permission), Holder::Role(role)) => role.grants(permission),
            (Needs(permission), Holder::Scope(scope)) => Grants::from_scopes(&[scope]).allows(permission),
            (NeedsAny(permissions), _) => permissions
                .iter()
                .any(|permission| self.allowed(Needs(*permission))),
        }
    }

    fn describe(&self) -> String {
        match self.holder {
            Holder::Role(role) => format!("a user with the role {role}"),
            Holder::Scope(scope) => format!("an API key with the scope {scope}"),
        }
    }
}

/// Sends one operation of the matrix, with `id` in place of `{id}` (and of `{contact_id}` and `{ticket_id}`)
/// and `token` as the bearer, if any.
async fn send(
    app: &TestApp,
    clinic: &Clinic,
    operation: &Operation,
    id: Uuid,
    authorization: Option<&str>,
) -> reqwest::Response {
    send_to(app, clinic, operation, (id, id), authorization).await
}

/// Sends one operation of the matrix, with the first id in place of `{id}` and the second in place of
/// `{contact_id}` or `{ticket_id}`, for the operations that name two records.
async fn send_to(
    app: &TestApp,
    clinic: &Clinic,
    operation: &Operation,
    (id, second_id): (Uuid, Uuid),
    authorization: Option<&str>,
) -> reqwest::Response {
    let mut path = operation
        .path
        .replace("{id}", &id.to_string())
        .replace("{contact_id}", &second_id.to_string())
        .replace("{ticket_id}", &second_id.to_string());
    if let Some(query) = operation.query {
        path = format!("{path}?{query}");
    }
    let mut request = app.client.request(operation.http_method(), app.url(&path));
    if let Some(authorization) = authorization {
        request = request.header(reqwest::header::AUTHORIZATION, authorization);
    }
    request = match operation.body {
        Body::None => request,
        Body::Json(text) => request.json(&serde_json::from_str::<Value>(text).unwrap()),
        Body::Login => request.json(&json!({
            "organization": clinic.slug, "email": clinic.admin.email, "password": PASSWORD,
        })),
    };
    request.send().await.expect("the server answers")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Creates an API key over HTTP; answers its secret and id.
async fn api_key(app: &TestApp, admin_token: &str, scopes: &[&str]) -> (String, Uuid) {
    let response = app
        .authed(Method::POST, "/api/v1/api-keys", admin_token)
        .json(&json!({ "name": format!("key {}", scopes.join(" ")), "scopes": scopes }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "key with {scopes:?} created");
    let body: Value = response.json().await.unwrap();
    (
        body["secret"].as_str().unwrap().to_owned(),
        body["id"].as_str().unwrap().parse().unwrap(),
    )
}

/// One user per role and one key per scope, all in `clinic`.
async fn callers(app: &TestApp, clinic: &Clinic) -> Vec<Caller> {
    let mut callers = vec![Caller {
        holder: Holder::Role(Role::Admin),
        token: clinic.admin.token.clone(),
        actor_kind: "user",
        actor_id: clinic.admin.user_id,
    }];
    for role in Role::ALL.into_iter().filter(|role| *role != Role::Admin) {
        let user = app.user(clinic, role.as_str(), &[role.as_str()]).await;
        callers.push(Caller {
            holder: Holder::Role(role),
            token: user.token,
            actor_kind: "user",
            actor_id: user.user_id,
        });
    }
    // An admin who is also clinician and auditor covers every scope, so may give each to a key.
    let keymaker = app
        .user(clinic, "keymaker", &["admin", "clinician", "auditor"])
        .await;
    for scope in Scope::ALL {
        let (secret, id) = api_key(app, &keymaker.token, &[scope.as_str()]).await;
        callers.push(Caller {
            holder: Holder::Scope(scope),
            token: secret,
            actor_kind: "api_key",
            actor_id: id,
        });
    }
    callers
}

/// Creates a queue with one waiting ticket over HTTP; answers the queue's id and display token.
async fn queue(app: &TestApp, token: &str) -> (Uuid, String) {
    let response = app
        .authed(Method::POST, "/api/v1/queues", token)
        .json(&json!({"name": "Matrix walk-in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "queue created");
    let body: Value = response.json().await.unwrap();
    (
        body["id"].as_str().unwrap().parse().unwrap(),
        body["display_token"].as_str().unwrap().to_owned(),
    )
}

/// Issues a ticket of the queue over HTTP; answers its id.
async fn ticket(app: &TestApp, token: &str, queue_id: Uuid, body: Value) -> Uuid {
    let response = app
        .authed(Method::POST, &format!("/api/v1/queues/{queue_id}/tickets"), token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "ticket issued");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

/// Scheduling records of one organization, each named by the operations of the matrix.
struct Scheduled {
    practitioner: Uuid,
    resource: Uuid,
    service: Uuid,
    time_block: Uuid,
    appointment: Uuid,
    series: Uuid,
    waitlist_entry: Uuid,
    waitlist_offer: Uuid,
}

fn id_of(record: &Value) -> Uuid {
    record["id"].as_str().unwrap().parse().unwrap()
}

/// Sets up a schedule over HTTP, as the organization's admin would: a practitioner working every day and the
/// service they offer, a room, a meeting, an appointment of `patient_id`, a weekly series, and a waitlist entry
/// with an open offer (the time an appointment freed when it was cancelled).
async fn scheduled(app: &TestApp, clinic: &Clinic, patient_id: Uuid) -> Scheduled {
    let token = &clinic.admin.token;
    let desk = scheduling::desk(app, clinic, "Dr. Matrix").await;
    let resource = expect(
        app,
        token,
        Method::POST,
        "/api/v1/resources",
        Some(json!({"name": "Room"})),
        201,
    )
    .await;
    let block = json!({
        "practitioner_id": desk.practitioner, "kind": "meeting",
        "start": "2030-03-05T12:00:00+01:00", "end": "2030-03-05T13:00:00+01:00",
    });
    let time_block = expect(app, token, Method::POST, "/api/v1/time-blocks", Some(block), 201).await;
    let patient = patient_id.to_string();
    let (status, appointment) =
        scheduling::book(app, token, &desk, &patient, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201, "appointment booked: {appointment}");
    let series = json!({
        "patient_id": patient, "practitioner_id": desk.practitioner, "service_id": desk.service,
        "start": "2030-03-04T10:00:00+01:00", "rrule": "FREQ=WEEKLY;COUNT=2",
    });
    let series = expect(
        app,
        token,
        Method::POST,
        "/api/v1/appointment-series",
        Some(series),
        201,
    )
    .await;

    let waiting = scheduling::patient(app, clinic, "Waiting").await;
    let entry = json!({
        "patient_id": waiting, "service_id": desk.service,
        "windows": [{"start": "2030-03-04T11:00:00+01:00", "end": "2030-03-04T12:00:00+01:00"}],
    });
    let entry = expect(app, token, Method::POST, "/api/v1/waitlist", Some(entry), 201).await;
    let (status, freed) = scheduling::book(app, token, &desk, &patient, "2030-03-04T11:00:00+01:00").await;
    assert_eq!(status, 201, "appointment booked: {freed}");
    let cancel = format!("/api/v1/appointments/{}/status", id_of(&freed));
    let cancellation = json!({"status": "cancelled", "reason": "other"});
    expect(app, token, Method::POST, &cancel, Some(cancellation), 200).await;
    let offers = expect(app, token, Method::GET, "/api/v1/waitlist-offers", None, 200).await;
    let offers = offers.as_array().unwrap();
    assert_eq!(
        offers.len(),
        1,
        "the freed time is offered to the waiting patient: {offers:?}"
    );

    Scheduled {
        practitioner: desk.practitioner.parse().unwrap(),
        resource: id_of(&resource),
        service: desk.service.parse().unwrap(),
        time_block: id_of(&time_block),
        appointment: id_of(&appointment),
        series: id_of(&series),
        waitlist_entry: id_of(&entry),
        waitlist_offer: id_of(&offers[0]),
    }
}

/// Everything the organization's staff see of its schedule, to compare before and after.
async fn schedule_as_seen(app: &TestApp, token: &str, scheduled: &Scheduled) -> Vec<Value> {
    let Scheduled {
        practitioner,
        resource,
        service,
        appointment,
        series,
        ..
    } = scheduled;
    let paths = [
        format!("/api/v1/practitioners/{practitioner}"),
        format!("/api/v1/practitioners/{practitioner}/working-hours"),
        format!("/api/v1/resources/{resource}"),
        format!("/api/v1/services/{service}"),
        format!(
            "/api/v1/time-blocks?practitioner_id={practitioner}&from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z"
        ),
        format!("/api/v1/appointments/{appointment}"),
        format!("/api/v1/appointments/{appointment}/history"),
        format!("/api/v1/appointment-series/{series}"),
        "/api/v1/waitlist".to_owned(),
        "/api/v1/waitlist-offers".to_owned(),
    ];
    let mut seen = Vec::new();
    for path in paths {
        seen.push(expect(app, token, Method::GET, &path, None, 200).await);
    }
    seen
}

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect()
}

/// Every event of the organization's trail, all pages, keyed by request id.
async fn audit_trail(app: &TestApp, token: &str) -> BTreeMap<String, Vec<Value>> {
    let mut by_request = BTreeMap::<String, Vec<Value>>::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/audit-events?limit=500&cursor={cursor}"),
            None => "/api/v1/audit-events?limit=500".to_owned(),
        };
        let response = app.authed(Method::GET, &path, token).send().await.unwrap();
        assert_eq!(response.status(), 200, "the auditor reads the trail");
        let page: Value = response.json().await.unwrap();
        for event in page["data"].as_array().unwrap() {
            if let Some(request_id) = event["request_id"].as_str() {
                by_request
                    .entry(request_id.to_owned())
                    .or_default()
                    .push(event.clone());
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return by_request,
        }
    }
}

async fn the_matrix_lists_exactly_the_documented_operations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();

    let in_matrix: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|op| (op.method.to_owned(), op.path.to_owned()))
        .collect();
    assert_eq!(in_matrix.len(), MATRIX.len(), "each operation is listed once");
    let served = documented(&document);
    let unlisted: Vec<_> = served.difference(&in_matrix).collect();
    assert!(
        unlisted.is_empty(),
        "these operations are served but have no entry in the permission matrix of tests/permissions.rs; \
         add one saying who may call them: {unlisted:?}"
    );
    let stale: Vec<_> = in_matrix.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "these entries of the permission matrix are not served (any more): {stale:?}"
    );

    // The document says the same as the matrix about who may call what.
    for op in MATRIX {
        let operation = &document["paths"][op.path][op.method];
        let responses = operation["responses"].as_object().unwrap();
        let secured = operation["security"]
            .as_array()
            .is_some_and(|requirements| !requirements.is_empty());
        let what = op.describe();
        if op.access == Public {
            assert!(!secured, "{what} is public but documented as needing credentials");
            continue;
        }
        assert!(
            secured,
            "{what} needs credentials but documents no security requirement"
        );
        assert!(responses.contains_key("401"), "{what} documents its 401");
        let someone_refused = matches!(op.access, SignedInUser | Needs(_) | NeedsAny(_));
        assert_eq!(
            responses.contains_key("403"),
            someone_refused,
            "{what} documents 403 exactly when some principal is refused"
        );
    }
}

async fn each_role_and_scope_may_call_exactly_what_its_permissions_allow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let callers = callers(&app, &clinic).await;
    assert_eq!(callers.len(), Role::ALL.len() + Scope::ALL.len());

    let mut failures = Vec::new();

    // Public operations answer without credentials; the waiting-room screen for a real display token.
    let (_, display_token) = queue(&app, &clinic.admin.token).await;
    for op in MATRIX.iter().filter(|op| op.access == Public) {
        let response = if op.path.contains("{token}") {
            app.get(&op.path.replace("{token}", &display_token)).await
        } else {
            send(&app, &clinic, op, Uuid::now_v7(), None).await
        };
        if !response.status().is_success() {
            failures.push(format!(
                "{} is public but answers {} without credentials",
                op.describe(),
                response.status()
            ));
        }
    }

    // Every caller, every other operation; the ones that end the caller's session last.
    let mut denials = Vec::new();
    for caller in &callers {
        let (ending, others): (Vec<&Operation>, Vec<&Operation>) = MATRIX
            .iter()
            .filter(|op| op.access != Public)
            .partition(|op| op.ends_session);
        for op in others.into_iter().chain(ending) {
            let response = send(&app, &clinic, op, Uuid::now_v7(), Some(&bearer(&caller.token))).await;
            let status = response.status().as_u16();
            let expected = caller.allowed(op.access);
            let what = format!("{} by {}", op.describe(), caller.describe());
            if expected {
                if op.websocket {
                    // Past authentication and permission, only the missing handshake stops the call.
                    let body: Value = response.json().await.unwrap_or_default();
                    if status != 426 || body["type"] != "/problems/upgrade-required" {
                        failures.push(format!("{what} is allowed but answers {status}, not 426: {body}"));
                    }
                } else if status == 401 || status == 403 || status >= 500 {
                    let body = response.text().await.unwrap_or_default();
                    failures.push(format!("{what} is allowed but answers {status}: {body}"));
                }
                continue;
            }
            if status != 403 {
                failures.push(format!("{what} must be refused with 403 but answers {status}"));
                continue;
            }
            let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
            let body = problem(response, 403).await;
            assert_eq!(body["type"], "/problems/forbidden", "{what}: {body}");
            denials.push((request_id, caller, what));
        }
    }
    assert!(
        failures.is_empty(),
        "{} deviations from the permission matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Each holder is refused something, and each restricted operation is refused to someone: the matrix
    // above has teeth.
    for caller in &callers {
        assert!(
            denials
                .iter()
                .any(|(_, refused, _)| refused.holder == caller.holder),
            "{} was refused nothing",
            caller.describe()
        );
    }

    // Every refusal is in the audit trail, as a denial by that caller, under the refused request's id.
    let auditor = app
        .sign_in(&clinic.slug, &format!("auditor@{}.example", clinic.slug))
        .await;
    let trail = audit_trail(&app, &auditor.token).await;
    for (request_id, caller, what) in &denials {
        let events = trail.get(request_id).map(Vec::as_slice).unwrap_or_default();
        let recorded = events.iter().any(|event| {
            event["outcome"] == "denied"
                && event["actor"]["kind"] == caller.actor_kind
                && event["actor"]["id"] == caller.actor_id.to_string()
                && event["action"].as_str().is_some_and(|action| !action.is_empty())
        });
        assert!(
            recorded,
            "the refusal of {what} (request {request_id}) is audited as denied for that caller; found {events:?}"
        );
    }
}

async fn requests_without_valid_credentials_are_refused_with_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let garbage_key = format!("prx_{}", "0".repeat(64));
    let authorizations: [(&str, Option<String>); 5] = [
        ("no Authorization header", None),
        ("a made-up session token", Some(bearer(&"ab".repeat(32)))),
        ("a made-up API key", Some(bearer(&garbage_key))),
        ("an empty bearer token", Some("Bearer ".to_owned())),
        (
            "a real session token under another scheme",
            Some(format!("Basic {}", clinic.admin.token)),
        ),
    ];
    for op in MATRIX.iter().filter(|op| op.access != Public) {
        for (label, authorization) in &authorizations {
            let response = send(&app, &clinic, op, Uuid::now_v7(), authorization.as_deref()).await;
            let what = format!("{} with {label}", op.describe());
            assert_eq!(response.status(), 401, "{what}");
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{what} says how to authenticate"
            );
            let body = problem(response, 401).await;
            assert_eq!(body["type"], "/problems/unauthenticated", "{what}: {body}");
        }
    }
}

/// A problem answer without the parts that differ per request.
fn comparable(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("request_id");
    body
}

async fn another_organizations_records_are_answered_like_missing_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let staff = app.user(&alpha, "staff", &["reception"]).await;
    let (key_secret, key_id) = api_key(&app, &alpha.admin.token, &["patients:read"]).await;
    let sessions: Value = app
        .authed(Method::GET, "/api/v1/me/sessions", &staff.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_id: Uuid = sessions[0]["id"].as_str().unwrap().parse().unwrap();
    let patient: Value = app
        .authed(Method::POST, "/api/v1/patients", &alpha.admin.token)
        .header("content-type", "application/json")
        .body(PATIENT)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patient_id: Uuid = patient["id"].as_str().unwrap().parse().unwrap();
    let contact: Value = app
        .authed(Method::POST, "/api/v1/contacts", &alpha.admin.token)
        .header("content-type", "application/json")
        .body(CONTACT)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contact_id: Uuid = contact["id"].as_str().unwrap().parse().unwrap();
    let contacts_path = format!("/api/v1/patients/{patient_id}/contacts");
    let linked = app
        .authed(
            Method::PUT,
            &format!("{contacts_path}/{contact_id}"),
            &alpha.admin.token,
        )
        .json(&json!({"role": "emergency"}))
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200, "the contact is linked to the patient");
    let (queue_id, _) = queue(&app, &alpha.admin.token).await;
    let ticket_id = ticket(
        &app,
        &alpha.admin.token,
        queue_id,
        json!({"patient_id": patient_id}),
    )
    .await;
    let schedule = scheduled(&app, &alpha, patient_id).await;
    let schedule_before = schedule_as_seen(&app, &alpha.admin.token, &schedule).await;
    let queue_path = format!("/api/v1/queues/{queue_id}");
    let queue_before: Value = app
        .authed(Method::GET, &queue_path, &alpha.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let staff_before: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/users/{}", staff.user_id),
            &alpha.admin.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let other = app.clinic("other").await;
    let intruder = Caller {
        holder: Holder::Role(Role::Admin),
        token: other.admin.token.clone(),
        actor_kind: "user",
        actor_id: other.admin.user_id,
    };
    let record_ops: Vec<&Operation> = MATRIX.iter().filter(|op| op.record.is_some()).collect();
    assert!(record_ops.len() >= 5, "every operation on one record is covered");
    for op in record_ops {
        assert!(
            intruder.allowed(op.access),
            "{} is allowed to the other organization's admin, so only the organization can stop it",
            op.describe()
        );
        let ids = match op.record.unwrap() {
            Record::User => (staff.user_id, staff.user_id),
            Record::ApiKey => (key_id, key_id),
            Record::Session => (session_id, session_id),
            Record::Patient => (patient_id, patient_id),
            Record::Contact => (contact_id, contact_id),
            Record::PatientContact => (patient_id, contact_id),
            Record::Queue => (queue_id, queue_id),
            Record::QueueTicket => (queue_id, ticket_id),
            Record::Practitioner => (schedule.practitioner, schedule.practitioner),
            Record::Resource => (schedule.resource, schedule.resource),
            Record::Service => (schedule.service, schedule.service),
            Record::TimeBlock => (schedule.time_block, schedule.time_block),
            Record::Appointment => (schedule.appointment, schedule.appointment),
            Record::AppointmentSeries => (schedule.series, schedule.series),
            Record::WaitlistEntry => (schedule.waitlist_entry, schedule.waitlist_entry),
            Record::WaitlistOffer => (schedule.waitlist_offer, schedule.waitlist_offer),
        };
        let what = op.describe();
        let foreign = send_to(&app, &other, op, ids, Some(&bearer(&intruder.token))).await;
        let foreign = comparable(problem(foreign, 404).await);
        let missing = send(&app, &other, op, Uuid::now_v7(), Some(&bearer(&intruder.token))).await;
        let missing = comparable(problem(missing, 404).await);
        assert_eq!(
            foreign, missing,
            "{what} on another organization's record is answered exactly like a missing record"
        );
        assert_eq!(foreign["type"], "/problems/not-found", "{what}");
    }

    // Nothing of the first organization changed.
    let staff_after: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/users/{}", staff.user_id),
            &alpha.admin.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(staff_after, staff_before, "the user is unchanged");
    let patient_after: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/patients/{patient_id}"),
            &alpha.admin.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patient_after, patient, "the patient is unchanged and not deleted");
    let links: Value = app
        .authed(Method::GET, &contacts_path, &alpha.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        links["data"].as_array().unwrap().len(),
        1,
        "the link is still there: {links}"
    );
    assert_eq!(
        links["data"][0]["contact"], contact,
        "the contact is unchanged and not deleted"
    );
    assert_eq!(staff_after["active"], true);
    let queue_after: Value = app
        .authed(Method::GET, &queue_path, &alpha.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue_after, queue_before, "the queue is unchanged");
    let tickets: Value = app
        .authed(Method::GET, &format!("{queue_path}/tickets"), &alpha.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tickets["data"].as_array().unwrap().len(), 1, "{tickets}");
    assert_eq!(
        tickets["data"][0]["status"], "waiting",
        "nobody called or changed the ticket"
    );
    let schedule_after = schedule_as_seen(&app, &alpha.admin.token, &schedule).await;
    assert_eq!(
        schedule_after, schedule_before,
        "nothing of the schedule changed: no hours, block, appointment, series, entry or offer"
    );
    let keys: Value = app
        .authed(Method::GET, "/api/v1/api-keys", &alpha.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = keys["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == key_id.to_string())
        .expect("the key is listed");
    assert!(key["revoked_at"].is_null(), "the key is not revoked: {key}");
    for (token, what) in [(&key_secret, "the key"), (&staff.token, "the session")] {
        let me = app.authed(Method::GET, "/api/v1/me", token).send().await.unwrap();
        assert_eq!(me.status(), 200, "{what} still works");
    }

    // Nor do the other organization's lists show anything of the first.
    let alpha_ids = [staff.user_id, alpha.admin.user_id, key_id];
    for path in ["/api/v1/users", "/api/v1/api-keys"] {
        let listed: Value = app
            .authed(Method::GET, path, &other.admin.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in listed["data"].as_array().unwrap() {
            let id: Uuid = item["id"].as_str().unwrap().parse().unwrap();
            assert!(
                !alpha_ids.contains(&id),
                "{path} of the other organization lists {id}"
            );
        }
    }
    let other_auditor = app.user(&other, "auditor", &["auditor"]).await;
    let trail = audit_trail(&app, &other_auditor.token).await;
    for event in trail.values().flatten() {
        for id in alpha_ids {
            assert!(
                !event.to_string().contains(&id.to_string()),
                "the other organization's trail mentions {id}: {event}"
            );
        }
    }
}

/// Whoever lacks the permission learns nothing more than 403 and is audited, however wrong the input: the
/// permission is checked before the values are judged.
async fn a_caller_without_the_permission_is_refused_before_the_input_is_judged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let reception = app.user(&clinic, "reception", &["reception"]).await;
    let cases: [(Method, &str, Option<Value>); 8] = [
        (
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"email": "not an e-mail", "display_name": "", "roles": ["root"], "password": "short"}),
            ),
        ),
        (
            Method::PATCH,
            "/api/v1/users/0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11",
            Some(json!({"roles": ["root"]})),
        ),
        (
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "", "scopes": ["everything"]})),
        ),
        (
            Method::PATCH,
            "/api/v1/organization",
            Some(json!({"time_zone": "Mars/Olympus_Mons"})),
        ),
        (Method::GET, "/api/v1/users?limit=0", None),
        (Method::GET, "/api/v1/api-keys?cursor=not-a-cursor", None),
        (Method::GET, "/api/v1/audit-events?limit=100000", None),
        (Method::GET, "/api/v1/audit-events?cursor=zz", None),
    ];
    let mut failures = Vec::new();
    for (method, path, body) in cases {
        let mut request = app.authed(method.clone(), path, &reception.token);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let status = request.send().await.unwrap().status();
        if status != 403 {
            failures.push(format!("{method} {path} by reception answers {status}, not 403"));
        }
    }
    assert!(
        failures.is_empty(),
        "input is judged before the permission:\n{}",
        failures.join("\n")
    );
}

/// DESIGN: "A key never gets more than the roles of the admin who made it." That holds after the admin's
/// roles shrink too, not only when the key is made, and a deactivated admin's keys stop working.
async fn a_key_never_holds_more_than_its_makers_current_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let keymaker = app.user(&clinic, "keymaker", &["admin", "auditor"]).await;
    let (secret, _) = api_key(&app, &keymaker.token, &["audit:read"]).await;
    let trail = app
        .authed(Method::GET, "/api/v1/audit-events", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        trail.status(),
        200,
        "the key reads the trail while its maker is an auditor"
    );

    let demoted = app
        .authed(
            Method::PATCH,
            &format!("/api/v1/users/{}", keymaker.user_id),
            &clinic.admin.token,
        )
        .json(&json!({"roles": ["admin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), 200);
    let trail = app
        .authed(Method::GET, "/api/v1/audit-events", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        trail.status(),
        403,
        "the key no longer reads the trail once its maker is no auditor"
    );
    let me = app
        .authed(Method::GET, "/api/v1/me", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the key still works for what is left");

    let deactivated = app
        .authed(
            Method::POST,
            &format!("/api/v1/users/{}/deactivate", keymaker.user_id),
            &clinic.admin.token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), 200);
    let me = app
        .authed(Method::GET, "/api/v1/me", &secret)
        .send()
        .await
        .unwrap();
    problem(me, 401).await;
}

on_both_backends!(
    the_matrix_lists_exactly_the_documented_operations,
    each_role_and_scope_may_call_exactly_what_its_permissions_allow,
    requests_without_valid_credentials_are_refused_with_401,
    another_organizations_records_are_answered_like_missing_ones,
    a_caller_without_the_permission_is_refused_before_the_input_is_judged,
    a_key_never_holds_more_than_its_makers_current_roles,
);
