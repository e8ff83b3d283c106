//! Data-subject rights: the export of everything held about a patient, erasure under the retention rule,
//! and the register of requests.

mod common;

use common::{Backend, Clinic, TestApp, problem};
use praxis::store::AuditFilter;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

const FNR: &str = "01019012480";

fn kari() -> Value {
    json!({
        "kind": "person", "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01", "sex": "female",
        "identifiers": [{"system": "no-fnr", "value": FNR}],
        "phone": "912 34 567", "email": "kari.ostby@example.org",
        "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen"},
        "notes": "Prefers morning appointments"
    })
}

async fn create(app: &TestApp, clinic: &Clinic, body: Value) -> Value {
    let response = app
        .authed(Method::POST, "/api/v1/patients", &clinic.admin.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = app.authed(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn erase(app: &TestApp, token: &str, id: &str, legal_reason: Value) -> Response {
    call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/patients/{id}/erasure"),
        Some(json!({ "legal_reason": legal_reason })),
    )
    .await
}

async fn requests(app: &TestApp, token: &str) -> Vec<Value> {
    let response = call(app, token, Method::GET, "/api/v1/data-subject-requests", None).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["data"].as_array().unwrap().clone()
}

/// The actions of the organization's events with this action prefix, oldest first, read from the store.
async fn actions(app: &TestApp, clinic: &Clinic, action: &str) -> Vec<Value> {
    let mut tx = app.state.store.begin_read().await.unwrap();
    let filter = AuditFilter {
        action: Some(action.to_owned()),
        ..AuditFilter::default()
    };
    let rows = tx
        .audit_events(clinic.organization_id, &filter, 1000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.into_iter()
        .rev()
        .map(|row| serde_json::from_str(&row.details).unwrap())
        .collect()
}

async fn the_chain_verifies(app: &TestApp) {
    let reports = praxis::services::audit::verify_all(&app.state.store)
        .await
        .unwrap();
    assert!(!reports.is_empty());
    for report in reports {
        assert!(report.outcome.is_ok(), "the chain verifies: {:?}", report.outcome);
    }
}

async fn an_export_holds_the_record_and_its_audit_trail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let patient = create(&app, &clinic, kari()).await;
    let id = patient["id"].as_str().unwrap();
    let other = create(
        &app,
        &clinic,
        json!({"kind": "person", "given_name": "Ola", "family_name": "Hansen"}),
    )
    .await;
    let contact = call(
        &app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/contacts",
        Some(json!({"given_name": "Per", "family_name": "Østby", "phone": "+47 400 00 001"})),
    )
    .await;
    let contact: Value = contact.json().await.unwrap();
    let contact_id = contact["id"].as_str().unwrap();
    let link = json!({"role": "next_of_kin", "relationship": "brother"});
    let path = format!("/api/v1/patients/{id}/contacts/{contact_id}");
    assert_eq!(
        call(&app, &clinic.admin.token, Method::PUT, &path, Some(link))
            .await
            .status(),
        200
    );
    let read = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{id}"),
        None,
    )
    .await;
    assert_eq!(read.status(), 200);

    let response = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{id}/export"),
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"patient-{id}.json\"").as_str()
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["format"], "praxis.patient-export.v1");
    assert!(document["exported_at"].as_str().is_some());
    assert_eq!(document["patient"], patient, "the whole record, opened");
    assert_eq!(
        document["contacts"][0]["contact"]["phone"], "+4740000001",
        "contacts, opened"
    );
    assert_eq!(document["contacts"][0]["role"], "next_of_kin");
    let events = document["audit_events"].as_array().unwrap();
    let names: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["patient.create", "contact.link", "patient.read"],
        "oldest first, this patient's only"
    );
    for event in events {
        assert_eq!(event["patient_id"], id);
        assert!(!event.to_string().contains(other["id"].as_str().unwrap()));
    }

    // A soft-deleted patient is still held, so still exported; the kind is recorded as asked.
    let deleted = call(
        &app,
        &clinic.admin.token,
        Method::DELETE,
        &format!("/api/v1/patients/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);
    let portability = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{id}/export?kind=portability"),
        None,
    )
    .await;
    assert_eq!(portability.status(), 200);
    let second: Value = portability.json().await.unwrap();
    let names: Vec<&str> = second["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "patient.create",
            "contact.link",
            "patient.read",
            "patient.export",
            "patient.delete"
        ]
    );

    let register = requests(&app, &clinic.admin.token).await;
    let kinds: Vec<(&str, &str)> = register
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("access", "completed"), ("portability", "completed")]);
    assert_eq!(register[0]["patient_id"], id);
    assert_eq!(register[0]["requested_by"], clinic.admin.user_id.to_string());
    assert_eq!(register[0]["id"], document["data_subject_request_id"]);

    let exported = actions(&app, &clinic, "patient.export").await;
    assert_eq!(exported.len(), 2, "each export is audited");
    assert_eq!(exported[0]["kind"], "access");

    let missing = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{}/export", Uuid::now_v7()),
        None,
    )
    .await;
    problem(missing, 404).await;
}

async fn an_export_holds_the_patients_appointments_and_waitlist(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("booked").await;
    let patient = create(&app, &clinic, kari()).await;
    let id = patient["id"].as_str().unwrap();
    let berg = common::scheduling::desk(&app, &clinic, "Dr. Berg").await;
    let token = &clinic.admin.token;
    let (status, first) = common::scheduling::book(&app, token, &berg, id, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201, "{first}");
    let (_, second) = common::scheduling::book(&app, token, &berg, id, "2030-03-05T09:00:00+01:00").await;
    let path = format!("/api/v1/appointments/{}/status", second["id"].as_str().unwrap());
    let cancel = json!({"status": "cancelled", "reason": "patient_request"});
    assert_eq!(
        call(&app, token, Method::POST, &path, Some(cancel))
            .await
            .status(),
        200
    );

    let response = call(
        &app,
        token,
        Method::GET,
        &format!("/api/v1/patients/{id}/export"),
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    let appointments: Vec<(&str, &str)> = document["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["start"].as_str().unwrap(), a["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        appointments,
        [
            ("2030-03-04T09:00:00+01:00", "booked"),
            ("2030-03-05T09:00:00+01:00", "cancelled")
        ]
    );
}

async fn erasure_within_retention_needs_a_legal_reason_and_shreds_the_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let patient = create(&app, &clinic, kari()).await;
    let id = patient["id"].as_str().unwrap();
    let patient_id: Uuid = id.parse().unwrap();

    // Ten years (the default) from the record's last change.
    let changed: jiff::Timestamp = patient["updated_at"].as_str().unwrap().parse().unwrap();
    let until = changed
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().years(10))
        .unwrap()
        .to_string();
    let refused = problem(erase(&app, &clinic.admin.token, id, Value::Null).await, 409).await;
    assert!(
        refused["detail"].as_str().unwrap().contains(&until),
        "the refusal names the date: {refused}"
    );
    let blank = erase(&app, &clinic.admin.token, id, json!("   ")).await;
    problem(blank, 422).await;
    let still = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{id}"),
        None,
    )
    .await;
    assert_eq!(still.status(), 200, "a refused erasure changes nothing");

    // A next of kin linked to the patient: the link says who stood behind the patient, so it goes too.
    let contact: Value = app
        .authed(Method::POST, "/api/v1/contacts", &clinic.admin.token)
        .json(&json!({"given_name": "Per", "family_name": "Østby"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contact_id = contact["id"].as_str().unwrap();
    let linked = app
        .authed(
            Method::PUT,
            &format!("/api/v1/patients/{id}/contacts/{contact_id}"),
            &clinic.admin.token,
        )
        .json(&json!({"role": "next_of_kin", "relationship": "brother"}))
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200);

    let reason = "Court order 2026/123";
    let erased = erase(&app, &clinic.admin.token, id, json!(reason)).await;
    assert_eq!(erased.status(), 200);
    let erased: Value = erased.json().await.unwrap();
    assert_eq!(erased["kind"], "erasure");
    assert_eq!(erased["outcome"], "completed");
    assert_eq!(erased["legal_reason"], reason);

    // In the database: names and birth date overwritten, sealed columns and indexes gone, key destroyed.
    let mut tx = app.state.store.begin_read().await.unwrap();
    let row = tx
        .patient(clinic.organization_id, patient_id)
        .await
        .unwrap()
        .unwrap();
    let key = tx
        .data_key(
            praxis::store::KeyTable::Patient,
            clinic.organization_id,
            patient_id,
        )
        .await
        .unwrap()
        .unwrap();
    let identifiers = tx
        .patient_identifiers(clinic.organization_id, patient_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(row.given_name, "erased");
    assert_eq!(row.family_name, "erased");
    assert!(row.search_given.is_empty() && row.search_family.is_empty());
    assert_eq!(row.birth_date, None);
    assert!(row.phone.is_none() && row.email.is_none() && row.address.is_none() && row.notes.is_none());
    assert!(row.deleted_at.is_some());
    assert!(key.wrapped.is_none(), "the data key is destroyed");
    assert!(identifiers.is_empty());

    let links: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/contacts/{contact_id}/patients"),
            &clinic.admin.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(links["data"], json!([]), "the erased patient's links are gone");

    // Through the API: gone from reads and searches, export and restore refused, a second erasure too.
    let path = format!("/api/v1/patients/{id}");
    let read = call(&app, &clinic.admin.token, Method::GET, &path, None).await;
    problem(read, 404).await;
    let export = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("{path}/export"),
        None,
    )
    .await;
    problem(export, 409).await;
    let restore = call(
        &app,
        &clinic.admin.token,
        Method::POST,
        &format!("{path}/restore"),
        None,
    )
    .await;
    problem(restore, 409).await;
    problem(erase(&app, &clinic.admin.token, id, json!(reason)).await, 409).await;
    for query in [
        format!("identifier=no-fnr|{FNR}"),
        "phone=91234567".to_owned(),
        "email=kari.ostby@example.org".to_owned(),
        "q=ostby".to_owned(),
    ] {
        let found = call(
            &app,
            &clinic.admin.token,
            Method::GET,
            &format!("/api/v1/patients?{query}"),
            None,
        )
        .await;
        let body: Value = found.json().await.unwrap();
        assert!(
            body["data"].as_array().unwrap().is_empty(),
            "{query} finds nobody"
        );
    }

    // The identifier is free for a new patient.
    let again = create(&app, &clinic, kari()).await;
    assert_ne!(again["id"], patient["id"]);

    the_chain_verifies(&app).await;

    let register = requests(&app, &clinic.admin.token).await;
    assert_eq!(register.len(), 2, "the refusal and the erasure: {register:?}");
    assert_eq!(register[0]["outcome"], "refused");
    assert_eq!(register[0]["refused_until"], until.as_str());
    assert_eq!(register[0]["legal_reason"], Value::Null);
    assert_eq!(register[1]["outcome"], "completed");
    assert_eq!(register[1]["legal_reason"], reason);

    let erasures = actions(&app, &clinic, "patient.erase").await;
    assert_eq!(erasures.len(), 2);
    assert_eq!(erasures[0]["refused"], "retention");
    assert_eq!(erasures[1]["legal_reason_given"], true);
    assert!(
        !erasures[1].to_string().contains("Court order"),
        "the reason's text stays on the request, out of the trail"
    );

    // The auditor, the compliance officer, reads the register too.
    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    assert_eq!(requests(&app, &auditor.token).await, register);
}

async fn without_a_retention_rule_erasure_needs_no_reason(backend: Backend) {
    let app = TestApp::spawn_with(backend, |settings| settings.retention_years = 0, |routes| routes).await;
    let clinic = app.clinic("fjord").await;
    let patient = create(&app, &clinic, kari()).await;
    let id = patient["id"].as_str().unwrap();
    let erased = erase(&app, &clinic.admin.token, id, Value::Null).await;
    assert_eq!(erased.status(), 200);
    let erased: Value = erased.json().await.unwrap();
    assert_eq!(erased["outcome"], "completed");
    assert_eq!(erased["legal_reason"], Value::Null);
    the_chain_verifies(&app).await;
}

async fn only_admins_handle_requests_and_auditors_read_the_register(backend: Backend) {
    let app = TestApp::spawn_with(backend, |settings| settings.retention_years = 0, |routes| routes).await;
    let clinic = app.clinic("fjord").await;
    let patient = create(&app, &clinic, kari()).await;
    let id = patient["id"].as_str().unwrap();
    for role in ["clinician", "reception", "billing", "auditor"] {
        let user = app.user(&clinic, role, &[role]).await;
        let export = call(
            &app,
            &user.token,
            Method::GET,
            &format!("/api/v1/patients/{id}/export"),
            None,
        )
        .await;
        assert_eq!(export.status(), 403, "{role} exports");
        let erasure = erase(&app, &user.token, id, Value::Null).await;
        assert_eq!(erasure.status(), 403, "{role} erases");
        let list = call(
            &app,
            &user.token,
            Method::GET,
            "/api/v1/data-subject-requests",
            None,
        )
        .await;
        let expected = if role == "auditor" { 200 } else { 403 };
        assert_eq!(list.status(), expected, "{role} lists the requests");
    }
    let still = call(
        &app,
        &clinic.admin.token,
        Method::GET,
        &format!("/api/v1/patients/{id}"),
        None,
    )
    .await;
    assert_eq!(still.status(), 200, "nobody erased the patient");
    assert!(requests(&app, &clinic.admin.token).await.is_empty());
}

on_both_backends!(
    an_export_holds_the_record_and_its_audit_trail,
    an_export_holds_the_patients_appointments_and_waitlist,
    erasure_within_retention_needs_a_legal_reason_and_shreds_the_record,
    without_a_retention_rule_erasure_needs_no_reason,
    only_admins_handle_requests_and_auditors_read_the_register,
);
