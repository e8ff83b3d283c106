//! Contacts: people related to patients (owners, guardians, next of kin, emergency contacts), their search,
//! their links to patients, and the same privacy guarantees as patients.

mod common;

use common::{Backend, Clinic, TestApp, problem};
use reqwest::{Method, Response};
use serde_json::{Value, json};

async fn send(app: &TestApp, clinic: &Clinic, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = app.authed(method, path, &clinic.admin.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn ok(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "{text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

async fn create(app: &TestApp, clinic: &Clinic, body: Value) -> Value {
    ok(
        send(app, clinic, Method::POST, "/api/v1/contacts", Some(body)).await,
        201,
    )
    .await
}

async fn patient(app: &TestApp, clinic: &Clinic, body: Value) -> String {
    let created = ok(
        send(app, clinic, Method::POST, "/api/v1/patients", Some(body)).await,
        201,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn animal(app: &TestApp, clinic: &Clinic, name: &str) -> String {
    patient(
        app,
        clinic,
        json!({"kind": "animal", "given_name": name, "family_name": "Nordmann", "species": "dog"}),
    )
    .await
}

async fn person(app: &TestApp, clinic: &Clinic, name: &str) -> String {
    patient(
        app,
        clinic,
        json!({"kind": "person", "given_name": name, "family_name": "Nordmann", "birth_date": "2018-05-01"}),
    )
    .await
}

async fn search(app: &TestApp, clinic: &Clinic, query: &str) -> Vec<String> {
    let path = format!("/api/v1/contacts?{query}");
    let body = ok(send(app, clinic, Method::GET, &path, None).await, 200).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["family_name"].as_str().unwrap().to_owned())
        .collect()
}

fn link_path(patient_id: &str, contact_id: &str) -> String {
    format!("/api/v1/patients/{patient_id}/contacts/{contact_id}")
}

async fn link(app: &TestApp, clinic: &Clinic, patient_id: &str, contact_id: &str, body: Value) -> Response {
    send(
        app,
        clinic,
        Method::PUT,
        &link_path(patient_id, contact_id),
        Some(body),
    )
    .await
}

fn owner() -> Value {
    json!({"role": "owner", "relationship": "owner", "receives_invoices": true, "receives_messages": true})
}

fn ola() -> Value {
    json!({
        "given_name": "Ola", "family_name": "Nordmann", "phone": "913 45 678", "email": "Ola.Nordmann@Example.org",
        "address": {"lines": ["Sjøgata 3"], "postal_code": "5013", "city": "Bergen"}
    })
}

/// The auditor's view of the events with this action (every event when empty), newest first.
async fn trail(app: &TestApp, auditor: &str, action: &str) -> Value {
    let path = match action {
        "" => "/api/v1/audit-events?limit=500".to_owned(),
        action => format!("/api/v1/audit-events?action={action}"),
    };
    let response = app.authed(Method::GET, &path, auditor).send().await.unwrap();
    ok(response, 200).await
}

async fn a_contact_is_registered_read_replaced_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let response = send(&app, &clinic, Method::POST, "/api/v1/contacts", Some(ola())).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/contacts/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["phone"], "+4791345678");
    assert_eq!(
        created["address"]["country"], "NO",
        "the organization's country by default"
    );
    assert_eq!(created["version"], 1);
    let read = ok(send(&app, &clinic, Method::GET, &location, None).await, 200).await;
    assert_eq!(read, created);

    let mut changed = ola();
    changed["phone"] = json!("+47 400 00 000");
    let stale = app
        .authed(Method::PUT, &location, &clinic.admin.token)
        .header("if-match", "\"7\"")
        .json(&changed);
    problem(stale.send().await.unwrap(), 412).await;
    let fresh = app
        .authed(Method::PUT, &location, &clinic.admin.token)
        .header("if-match", "\"1\"")
        .json(&changed);
    let response = fresh.send().await.unwrap();
    assert_eq!(response.headers()["etag"], "\"2\"");
    let updated = ok(response, 200).await;
    assert_eq!(updated["phone"], "+4740000000");

    ok(send(&app, &clinic, Method::DELETE, &location, None).await, 204).await;
    problem(send(&app, &clinic, Method::GET, &location, None).await, 404).await;
    problem(send(&app, &clinic, Method::DELETE, &location, None).await, 404).await;
    assert!(
        search(&app, &clinic, "q=nord").await.is_empty(),
        "gone from lists at once"
    );
}

async fn invalid_values_are_named_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let body = json!({"given_name": "", "family_name": "Nordmann", "phone": "12", "email": "not an e-mail",
                      "address": {"lines": [], "city": "Bergen", "country": "XX"}});
    let response = send(&app, &clinic, Method::POST, "/api/v1/contacts", Some(body)).await;
    let problem = problem(response, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["given_name", "phone", "email", "address.country"] {
        assert!(fields.contains(&field), "{field} is named: {fields:?}");
    }
    assert!(
        !problem.to_string().contains("not an e-mail"),
        "values are not echoed"
    );
    assert!(search(&app, &clinic, "").await.is_empty(), "nothing was stored");
}

async fn search_finds_names_without_accents_and_exact_phones_and_emails_in_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    create(&app, &clinic, ola()).await;
    create(
        &app,
        &clinic,
        json!({"given_name": "Åse", "family_name": "Ødegård", "phone": "+47 41 00 00 01", "email": "ase@example.org"}),
    )
    .await;
    assert_eq!(search(&app, &clinic, "q=odeg").await, ["Ødegård"]);
    assert_eq!(
        search(&app, &clinic, "q=ase").await,
        ["Ødegård"],
        "given names too"
    );
    assert_eq!(search(&app, &clinic, "phone=91345678").await, ["Nordmann"]);
    assert_eq!(
        search(&app, &clinic, "email=ola.nordmann@example.org").await,
        ["Nordmann"],
        "e-mail matches whatever its case"
    );
    assert!(
        search(&app, &clinic, "phone=12").await.is_empty(),
        "an impossible number matches nobody"
    );

    let first = ok(
        send(&app, &clinic, Method::GET, "/api/v1/contacts?limit=1", None).await,
        200,
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().expect("a second page").to_owned();
    let path = format!("/api/v1/contacts?limit=1&cursor={cursor}");
    let second = ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    assert!(second["next_cursor"].is_null());
}

async fn one_owner_has_two_animals_and_links_can_change_and_go(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("vet").await;
    let ola = create(&app, &clinic, ola()).await;
    let ola_id = ola["id"].as_str().unwrap();
    let rex = animal(&app, &clinic, "Rex").await;
    let bella = animal(&app, &clinic, "Bella").await;
    for pet in [&rex, &bella] {
        let linked = ok(link(&app, &clinic, pet, ola_id, owner()).await, 200).await;
        assert_eq!(linked["contact"], ola);
        assert_eq!(linked["role"], "owner");
    }
    let path = format!("/api/v1/contacts/{ola_id}/patients");
    let animals = ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    let mut names: Vec<&str> = animals["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["given_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Bella", "Rex"]);
    assert!(
        animals["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["role"] == "owner")
    );

    // Linking again in the same role replaces the link; another role adds one.
    let quiet = json!({"role": "owner", "relationship": "owner", "receives_invoices": false});
    ok(link(&app, &clinic, &rex, ola_id, quiet).await, 200).await;
    let emergency = json!({"role": "emergency", "relationship": "owner"});
    ok(link(&app, &clinic, &rex, ola_id, emergency).await, 200).await;
    let path = format!("/api/v1/patients/{rex}/contacts");
    let contacts = ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    let links = contacts["data"].as_array().unwrap();
    assert_eq!(links.len(), 2, "{contacts}");
    let owner_link = links.iter().find(|l| l["role"] == "owner").unwrap();
    assert_eq!(owner_link["receives_invoices"], false);
    assert_eq!(owner_link["receives_messages"], false, "flags default to false");
    assert_eq!(owner_link["contact"]["phone"], "+4791345678");

    let unlink = format!("{}?role=emergency", link_path(&rex, ola_id));
    ok(send(&app, &clinic, Method::DELETE, &unlink, None).await, 204).await;
    problem(send(&app, &clinic, Method::DELETE, &unlink, None).await, 404).await;
    let contacts = ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    assert_eq!(contacts["data"].as_array().unwrap().len(), 1);
    let bogus = format!("{}?role=cousin", link_path(&rex, ola_id));
    problem(send(&app, &clinic, Method::DELETE, &bogus, None).await, 422).await;

    // A deleted contact leaves the patient's contacts.
    let contact_path = format!("/api/v1/contacts/{ola_id}");
    ok(
        send(&app, &clinic, Method::DELETE, &contact_path, None).await,
        204,
    )
    .await;
    let contacts = ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    assert!(contacts["data"].as_array().unwrap().is_empty());
    problem(link(&app, &clinic, &bella, ola_id, owner()).await, 404).await;
}

async fn owners_are_for_animals_and_guardians_for_people(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let contact = create(&app, &clinic, ola()).await;
    let id = contact["id"].as_str().unwrap();
    let child = person(&app, &clinic, "Nora").await;
    let dog = animal(&app, &clinic, "Rex").await;

    let body = problem(link(&app, &clinic, &child, id, owner()).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "role");
    assert_eq!(body["errors"][0]["code"], "owner_only_for_animals");
    let guardian = json!({"role": "guardian", "relationship": "father", "receives_invoices": true});
    let body = problem(link(&app, &clinic, &dog, id, guardian.clone()).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "guardian_only_for_people");
    ok(link(&app, &clinic, &child, id, guardian).await, 200).await;
    for kin in ["next_of_kin", "emergency"] {
        ok(link(&app, &clinic, &child, id, json!({"role": kin})).await, 200).await;
        ok(link(&app, &clinic, &dog, id, json!({"role": kin})).await, 200).await;
    }

    let wrong = json!({"role": "cousin", "relationship": "x".repeat(101)});
    let body = problem(link(&app, &clinic, &child, id, wrong).await, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["role", "relationship"]);
}

async fn reads_changes_and_links_are_audited_by_field_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("vet").await;
    let contact = create(&app, &clinic, ola()).await;
    let id = contact["id"].as_str().unwrap();
    let rex = animal(&app, &clinic, "Rex").await;
    ok(link(&app, &clinic, &rex, id, owner()).await, 200).await;
    ok(
        send(
            &app,
            &clinic,
            Method::GET,
            &format!("/api/v1/contacts/{id}"),
            None,
        )
        .await,
        200,
    )
    .await;
    search(&app, &clinic, "q=nord").await;
    let path = format!("/api/v1/patients/{rex}/contacts");
    ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    let path = format!("/api/v1/contacts/{id}/patients");
    ok(send(&app, &clinic, Method::GET, &path, None).await, 200).await;
    let unlink = format!("{}?role=owner", link_path(&rex, id));
    ok(send(&app, &clinic, Method::DELETE, &unlink, None).await, 204).await;

    let auditor = app.user(&clinic, "auditor", &["auditor"]).await.token;
    let created = trail(&app, &auditor, "contact.create").await;
    assert_eq!(created["data"][0]["entity_id"], id);
    assert_eq!(
        created["data"][0]["details"]["fields"],
        json!(["given_name", "family_name", "phone", "email", "address"])
    );
    let read = trail(&app, &auditor, "contact.read").await;
    assert_eq!(read["data"][0]["entity_id"], id);
    let listed = trail(&app, &auditor, "contact.list").await;
    assert_eq!(listed["data"][0]["details"]["contact_ids"], json!([id]));
    for action in ["contact.link", "contact.unlink"] {
        let events = trail(&app, &auditor, action).await;
        assert_eq!(events["data"][0]["patient_id"], rex.as_str(), "{action}");
        assert_eq!(events["data"][0]["entity_id"], id, "{action}");
    }
    let of_patient = trail(&app, &auditor, "patient.contacts").await;
    assert_eq!(of_patient["data"][0]["patient_id"], rex.as_str());
    assert_eq!(of_patient["data"][0]["details"]["contact_ids"], json!([id]));
    let of_contact = trail(&app, &auditor, "contact.patients").await;
    assert_eq!(of_contact["data"][0]["details"]["patient_ids"], json!([rex]));

    let everything = trail(&app, &auditor, "").await.to_string();
    for secret in ["91345678", "Nordmann@", "nordmann@", "Sjøgata"] {
        assert!(!everything.contains(secret), "{secret:?} entered the trail");
    }
}

async fn identifying_fields_are_never_stored_in_clear(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    create(&app, &clinic, ola()).await;
    let secrets = [
        "91345678",
        "Ola.Nordmann",
        "ola.nordmann",
        "Sjøgata",
        "Sj\\u00f8gata",
    ];
    let dump = app
        .raw_database_text(&[
            "contact",
            "contact_key",
            "contact_lookup",
            "patient_contact",
            "audit_event",
        ])
        .await;
    assert!(
        dump.contains("Nordmann"),
        "names stay in clear, so the scan does see the rows"
    );
    for secret in secrets {
        assert!(!dump.contains(secret), "{secret:?} is stored in clear");
    }
}

async fn another_organizations_contacts_are_answered_like_missing_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let contact = create(&app, &alpha, ola()).await;
    let id = contact["id"].as_str().unwrap();
    let rex = animal(&app, &alpha, "Rex").await;
    ok(link(&app, &alpha, &rex, id, owner()).await, 200).await;

    let other = app.clinic("other").await;
    let their_dog = animal(&app, &other, "Fido").await;
    let path = format!("/api/v1/contacts/{id}");
    problem(send(&app, &other, Method::GET, &path, None).await, 404).await;
    problem(send(&app, &other, Method::PUT, &path, Some(ola())).await, 404).await;
    problem(send(&app, &other, Method::DELETE, &path, None).await, 404).await;
    problem(
        send(&app, &other, Method::GET, &format!("{path}/patients"), None).await,
        404,
    )
    .await;
    problem(link(&app, &other, &their_dog, id, owner()).await, 404).await;
    problem(link(&app, &other, &rex, id, owner()).await, 404).await;
    let theirs = format!("/api/v1/patients/{rex}/contacts");
    problem(send(&app, &other, Method::GET, &theirs, None).await, 404).await;
    let unlink = format!("{}?role=owner", link_path(&rex, id));
    problem(send(&app, &other, Method::DELETE, &unlink, None).await, 404).await;
    assert!(search(&app, &other, "").await.is_empty());

    // Nothing of the first organization changed.
    assert_eq!(
        ok(send(&app, &alpha, Method::GET, &path, None).await, 200).await,
        contact
    );
    let links = ok(send(&app, &alpha, Method::GET, &theirs, None).await, 200).await;
    assert_eq!(links["data"].as_array().unwrap().len(), 1);
}

on_both_backends!(
    a_contact_is_registered_read_replaced_and_deleted,
    invalid_values_are_named_and_nothing_is_stored,
    search_finds_names_without_accents_and_exact_phones_and_emails_in_pages,
    one_owner_has_two_animals_and_links_can_change_and_go,
    owners_are_for_animals_and_guardians_for_people,
    reads_changes_and_links_are_audited_by_field_name,
    identifying_fields_are_never_stored_in_clear,
    another_organizations_contacts_are_answered_like_missing_ones,
);
