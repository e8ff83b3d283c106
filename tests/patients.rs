//! Patients: records of people and animals, their search, and the privacy guarantees around them.

mod common;

use common::{Backend, Clinic, TestApp, problem};
use reqwest::{Method, Response};
use serde_json::{Value, json};

const FNR: &str = "01019012480";

async fn post(app: &TestApp, clinic: &Clinic, body: &Value) -> Response {
    app.authed(Method::POST, "/api/v1/patients", &clinic.admin.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn create(app: &TestApp, clinic: &Clinic, body: Value) -> Value {
    let response = post(app, clinic, &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn search(app: &TestApp, clinic: &Clinic, query: &str) -> Vec<String> {
    let response = app
        .authed(
            Method::GET,
            &format!("/api/v1/patients?{query}"),
            &clinic.admin.token,
        )
        .send()
        .await;
    let body: Value = response.unwrap().json().await.unwrap();
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["family_name"].as_str().unwrap().to_owned())
        .collect()
}

fn kari() -> Value {
    json!({
        "kind": "person", "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01", "sex": "female",
        "identifiers": [{"system": "no-fnr", "value": "010190 12480"}],
        "phone": "912 34 567", "email": "Kari.Ostby@Example.org",
        "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen"},
        "notes": "Prefers morning appointments"
    })
}

async fn a_person_is_registered_with_normalised_values(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let response = post(&app, &clinic, &kari()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/patients/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["patient_number"], 1);
    assert_eq!(
        created["identifiers"],
        json!([{"system": "no-fnr", "value": FNR}])
    );
    assert_eq!(created["phone"], "+4791234567");
    assert_eq!(
        created["address"]["country"], "NO",
        "the organization's country by default"
    );
    assert_eq!(created["status"], "active");

    let read = app
        .authed(Method::GET, &location, &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.unwrap(), created);

    let second = create(
        &app,
        &clinic,
        json!({"kind": "person", "given_name": "Ola", "family_name": "Hansen"}),
    )
    .await;
    assert_eq!(second["patient_number"], 2, "numbers follow each other");
}

async fn invalid_values_are_named_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let body = json!({
        "kind": "person", "given_name": "", "family_name": "Østby", "birth_date": "2999-01-01",
        "identifiers": [{"system": "no-fnr", "value": "01019012481"}, {"system": "xx-id", "value": "1"}],
        "phone": "12", "email": "not an e-mail", "microchip": "578098100123456"
    });
    let problem = problem(post(&app, &clinic, &body).await, 422).await;
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for field in [
        "given_name",
        "birth_date",
        "identifiers[0].value",
        "identifiers[1].system",
        "phone",
        "email",
        "microchip",
    ] {
        assert!(
            fields.iter().any(|(name, _)| *name == field),
            "{field} is named: {fields:?}"
        );
    }
    assert!(
        fields.contains(&("identifiers[0].value", "check_digit")),
        "{fields:?}"
    );
    assert!(
        !problem.to_string().contains("01019012481"),
        "values are not echoed"
    );
    assert!(search(&app, &clinic, "").await.is_empty(), "nothing was stored");
}

async fn an_identifier_belongs_to_one_patient_of_an_organization(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    create(&app, &clinic, kari()).await;
    let twin = json!({"kind": "person", "given_name": "K", "family_name": "O",
                      "identifiers": [{"system": "no-fnr", "value": FNR}]});
    problem(post(&app, &clinic, &twin).await, 409).await;
    let other = app.clinic("other").await;
    assert_eq!(
        post(&app, &other, &twin).await.status(),
        201,
        "another organization may hold it"
    );
}

async fn search_finds_names_without_accents_and_exact_identifiers_phones_and_emails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    create(&app, &clinic, kari()).await;
    create(&app, &clinic, json!({"kind": "person", "given_name": "Jürgen", "family_name": "Müller", "birth_date": "1970-05-05"})).await;
    create(
        &app,
        &clinic,
        json!({"kind": "person", "given_name": "Ola", "family_name": "Hansen", "birth_date": "1990-01-01"}),
    )
    .await;

    assert_eq!(search(&app, &clinic, "q=ostby").await, ["Østby"]);
    assert_eq!(search(&app, &clinic, "q=OST").await, ["Østby"]);
    assert_eq!(search(&app, &clinic, "q=muller").await, ["Müller"]);
    assert_eq!(
        search(&app, &clinic, "q=jurg").await,
        ["Müller"],
        "given names too"
    );
    assert_eq!(
        search(&app, &clinic, "birth_date=1990-01-01").await,
        ["Østby", "Hansen"]
    );
    assert_eq!(
        search(&app, &clinic, "birth_date=1990-01-01&q=han").await,
        ["Hansen"],
        "filters combine"
    );
    assert_eq!(
        search(&app, &clinic, &format!("identifier={FNR}")).await,
        ["Østby"]
    );
    assert_eq!(
        search(&app, &clinic, &format!("identifier=no-fnr%7C{FNR}")).await,
        ["Østby"]
    );
    assert!(
        search(&app, &clinic, "identifier=se-pnr%7C01019012480")
            .await
            .is_empty()
    );
    assert_eq!(
        search(&app, &clinic, "phone=%2B47%2091%2023%2045%2067").await,
        ["Østby"]
    );
    assert_eq!(
        search(&app, &clinic, "email=kari.ostby%40example.org").await,
        ["Østby"]
    );
    assert!(
        search(&app, &clinic, "email=kari%40example.org").await.is_empty(),
        "exact match only"
    );
    assert!(search(&app, &clinic, "q=nobody").await.is_empty());

    let first: Value = app
        .authed(Method::GET, "/api/v1/patients?limit=2", &clinic.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = search(&app, &clinic, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(rest, ["Hansen"], "pages continue in a stable order");
}

async fn a_deleted_patient_leaves_lists_at_once_and_can_be_restored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let kari = create(&app, &clinic, kari()).await;
    let path = format!("/api/v1/patients/{}", kari["id"].as_str().unwrap());
    let deleted = app
        .authed(Method::DELETE, &path, &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    problem(
        app.authed(Method::GET, &path, &clinic.admin.token)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(search(&app, &clinic, "q=ostby").await.is_empty());
    assert!(
        search(&app, &clinic, &format!("identifier={FNR}"))
            .await
            .is_empty()
    );

    let restored = app
        .authed(Method::POST, &format!("{path}/restore"), &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), 200);
    assert_eq!(search(&app, &clinic, "q=ostby").await, ["Østby"]);
}

async fn a_change_needs_the_current_version_and_is_audited_by_field_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let kari = create(&app, &clinic, kari()).await;
    let path = format!("/api/v1/patients/{}", kari["id"].as_str().unwrap());
    let mut changed = self::kari();
    changed["phone"] = json!("+47 400 00 000");
    let stale = app
        .authed(Method::PUT, &path, &clinic.admin.token)
        .header("if-match", "\"7\"")
        .json(&changed);
    problem(stale.send().await.unwrap(), 412).await;
    let fresh = app
        .authed(Method::PUT, &path, &clinic.admin.token)
        .header("if-match", "\"1\"")
        .json(&changed);
    let response = fresh.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["phone"], "+4740000000");
    assert_eq!(updated["patient_number"], 1);

    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let trail: Value = app
        .authed(
            Method::GET,
            "/api/v1/audit-events?action=patient.update",
            &auditor.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event = &trail["data"][0];
    assert_eq!(event["patient_id"], kari["id"]);
    assert_eq!(event["details"]["fields"], json!(["phone"]));
    assert!(
        !trail.to_string().contains("4740000000"),
        "values never enter the trail"
    );
}

async fn every_read_and_list_is_audited_with_the_patients_returned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let kari = create(&app, &clinic, kari()).await;
    let id = kari["id"].as_str().unwrap();
    app.authed(
        Method::GET,
        &format!("/api/v1/patients/{id}"),
        &clinic.admin.token,
    )
    .send()
    .await
    .unwrap();
    search(&app, &clinic, "q=ost").await;

    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let read = |action: &'static str| {
        app.authed(
            Method::GET,
            &format!("/api/v1/audit-events?action={action}"),
            &auditor.token,
        )
        .send()
    };
    let reads: Value = read("patient.read").await.unwrap().json().await.unwrap();
    assert_eq!(reads["data"][0]["patient_id"], id);
    assert_eq!(reads["data"][0]["entity_id"], id);
    let lists: Value = read("patient.list").await.unwrap().json().await.unwrap();
    assert_eq!(lists["data"][0]["details"]["patient_ids"], json!([id]));
}

async fn identifying_fields_are_never_stored_in_clear(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    create(&app, &clinic, kari()).await;
    let secrets = [
        FNR,
        "91234567",
        "Kari.Ostby",
        "kari.ostby",
        "Strandgaten",
        "Prefers morning",
    ];
    let dump = app
        .raw_database_text(&[
            "patient",
            "patient_identifier",
            "patient_lookup",
            "patient_key",
            "audit_event",
        ])
        .await;
    assert!(
        dump.contains("Kari"),
        "names stay in clear, so the scan does see the rows"
    );
    for secret in secrets {
        assert!(!dump.contains(secret), "{secret:?} is stored in clear");
    }
}

async fn animals_have_species_and_microchips_and_no_national_identifiers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("vet").await;
    let rex = create(
        &app,
        &clinic,
        json!({"kind": "animal", "given_name": "Rex", "family_name": "Hansen", "sex": "male", "species": "dog",
               "breed": "Labrador", "neuter_status": "neutered", "microchip": "578 098 100 123 456"}),
    )
    .await;
    assert_eq!(rex["animal"]["microchip"], "578098100123456");
    assert_eq!(rex["animal"]["neuter_status"], "neutered");

    let wrong = json!({"kind": "animal", "given_name": "Tom", "family_name": "Cat", "species": "cat",
                       "identifiers": [{"system": "no-fnr", "value": FNR}]});
    let body = problem(post(&app, &clinic, &wrong).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "identifiers");
    let person = json!({"kind": "person", "given_name": "Ola", "family_name": "Hansen", "species": "human"});
    assert_eq!(
        problem(post(&app, &clinic, &person).await, 422).await["errors"][0]["field"],
        "species"
    );
}

on_both_backends!(
    a_person_is_registered_with_normalised_values,
    invalid_values_are_named_and_nothing_is_stored,
    an_identifier_belongs_to_one_patient_of_an_organization,
    search_finds_names_without_accents_and_exact_identifiers_phones_and_emails,
    a_deleted_patient_leaves_lists_at_once_and_can_be_restored,
    a_change_needs_the_current_version_and_is_audited_by_field_name,
    every_read_and_list_is_audited_with_the_patients_returned,
    identifying_fields_are_never_stored_in_clear,
    animals_have_species_and_microchips_and_no_national_identifiers,
);
