//! `Idempotency-Key` on creating requests: a retry gets the first answer back and creates nothing, the same
//! key with another request is refused, and duplicates sent at once create one record.

mod common;

use common::{Backend, Clinic, Session, TestApp, problem};
use reqwest::header::HeaderValue;
use reqwest::{Method, Response};
use serde_json::{Value, json};

const PATIENTS: &str = "/api/v1/patients";
const CONTACTS: &str = "/api/v1/contacts";

fn kari() -> Value {
    json!({
        "kind": "person", "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01",
        "identifiers": [{"system": "no-fnr", "value": "01019012480"}],
        "phone": "912 34 567", "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen"}
    })
}

fn ola() -> Value {
    json!({"kind": "person", "given_name": "Ola", "family_name": "Hansen"})
}

async fn post(app: &TestApp, session: &Session, path: &str, key: Option<&str>, body: &Value) -> Response {
    let mut request = app.authed(Method::POST, path, &session.token).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

/// What a caller can compare between two answers.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    replayed: bool,
}

async fn answer(response: Response) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let (location, etag, content_type) = (header("location"), header("etag"), header("content-type"));
    let replayed = match header("idempotent-replayed").as_deref() {
        None => false,
        Some("true") => true,
        Some(other) => panic!("Idempotent-Replayed: {other}"),
    };
    Answer {
        status: response.status().as_u16(),
        location,
        etag,
        content_type,
        body: response.bytes().await.unwrap().to_vec(),
        replayed,
    }
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The same answer, marked as replayed.
    fn replayed(&self) -> Self {
        Self {
            location: self.location.clone(),
            etag: self.etag.clone(),
            content_type: self.content_type.clone(),
            body: self.body.clone(),
            replayed: true,
            ..*self
        }
    }
}

async fn count(app: &TestApp, clinic: &Clinic, path: &str) -> usize {
    let response = app
        .authed(Method::GET, &format!("{path}?limit=500"), &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["data"]
        .as_array()
        .unwrap()
        .len()
}

async fn a_retry_gets_the_first_answer_and_creates_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let first = answer(post(&app, &clinic.admin, PATIENTS, Some("visit-0001"), &kari()).await).await;
    assert_eq!(first.status, 201);
    assert!(!first.replayed, "the first answer is not a replay");
    let id = first.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(first.location, Some(format!("{PATIENTS}/{id}")));

    let retry = answer(post(&app, &clinic.admin, PATIENTS, Some("visit-0001"), &kari()).await).await;
    assert_eq!(
        retry,
        first.replayed(),
        "status, Location, ETag and body byte for byte"
    );
    assert_eq!(count(&app, &clinic, PATIENTS).await, 1);

    // Contacts take keys the same way; a key is per caller, not per route, but another path is another request.
    let contact = json!({"given_name": "Per", "family_name": "Østby", "phone": "+47 913 45 678"});
    let created = answer(post(&app, &clinic.admin, CONTACTS, Some("contact-1"), &contact).await).await;
    assert_eq!(created.status, 201);
    let again = answer(post(&app, &clinic.admin, CONTACTS, Some("contact-1"), &contact).await).await;
    assert_eq!(again, created.replayed());
    assert_eq!(count(&app, &clinic, CONTACTS).await, 1);
}

async fn the_same_key_with_another_request_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let first = post(&app, &clinic.admin, PATIENTS, Some("k-1"), &kari()).await;
    assert_eq!(first.status(), 201);

    for (path, body) in [
        (PATIENTS, ola()),
        (CONTACTS, json!({"given_name": "Kari", "family_name": "Østby"})),
    ] {
        let refused = problem(post(&app, &clinic.admin, path, Some("k-1"), &body).await, 422).await;
        assert_eq!(refused["errors"][0]["field"], "Idempotency-Key", "{path}");
        assert_eq!(refused["errors"][0]["code"], "idempotency_key_reused");
    }
    assert_eq!(count(&app, &clinic, PATIENTS).await, 1);
    assert_eq!(count(&app, &clinic, CONTACTS).await, 0);
}

async fn without_a_key_every_request_creates_a_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    for _ in 0..2 {
        let response = post(&app, &clinic.admin, PATIENTS, None, &ola()).await;
        assert_eq!(response.status(), 201);
        assert!(response.headers().get("idempotent-replayed").is_none());
    }
    assert_eq!(count(&app, &clinic, PATIENTS).await, 2);
}

async fn a_malformed_key_is_refused_naming_the_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let too_long = "k".repeat(256);
    for key in ["", "two words", too_long.as_str()] {
        let refused = problem(post(&app, &clinic.admin, PATIENTS, Some(key), &ola()).await, 400).await;
        assert!(
            refused["detail"].as_str().unwrap().contains("Idempotency-Key"),
            "{key:?}: {refused}"
        );
    }
    let non_ascii = app
        .authed(Method::POST, PATIENTS, &clinic.admin.token)
        .header(
            "Idempotency-Key",
            HeaderValue::from_bytes("blåbær".as_bytes()).unwrap(),
        )
        .json(&ola())
        .send()
        .await
        .unwrap();
    problem(non_ascii, 400).await;
    let twice = app
        .authed(Method::POST, PATIENTS, &clinic.admin.token)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&ola())
        .send()
        .await
        .unwrap();
    problem(twice, 400).await;
    let longest = "k".repeat(255);
    assert_eq!(
        post(&app, &clinic.admin, PATIENTS, Some(&longest), &ola())
            .await
            .status(),
        201
    );
    assert_eq!(count(&app, &clinic, PATIENTS).await, 1);

    // Without credentials the answer is 401, whatever the key.
    let anonymous = app
        .client
        .post(app.url(PATIENTS))
        .header("Idempotency-Key", "two words")
        .json(&ola())
        .send()
        .await
        .unwrap();
    problem(anonymous, 401).await;
}

async fn another_callers_identical_key_is_another_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let desk = app.user(&clinic, "desk", &["reception"]).await;
    let mine = answer(post(&app, &clinic.admin, PATIENTS, Some("shared"), &ola()).await).await;
    let theirs = answer(post(&app, &desk, PATIENTS, Some("shared"), &ola()).await).await;
    assert_eq!((mine.status, theirs.status), (201, 201));
    assert!(!theirs.replayed);
    assert_ne!(mine.json()["id"], theirs.json()["id"]);
    // Another caller may even send another body under the same key.
    let other = answer(post(&app, &desk, PATIENTS, Some("mine-only"), &kari()).await).await;
    assert_eq!(other.status, 201);
    let admins = post(&app, &clinic.admin, PATIENTS, Some("mine-only"), &ola()).await;
    assert_eq!(admins.status(), 201, "the admin never used this key");
    assert_eq!(count(&app, &clinic, PATIENTS).await, 4);

    // Keys of another organization's caller are separate too.
    let other_clinic = app.clinic("fjell").await;
    let elsewhere = answer(post(&app, &other_clinic.admin, PATIENTS, Some("shared"), &ola()).await).await;
    assert_eq!(elsewhere.status, 201);
    assert!(!elsewhere.replayed);
}

async fn duplicates_sent_at_once_create_one_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let mut sent = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = app
            .authed(Method::POST, PATIENTS, &clinic.admin.token)
            .header("Idempotency-Key", "burst")
            .json(&kari());
        sent.spawn(async move { answer(request.send().await.unwrap()).await });
    }
    let answers = sent.join_all().await;
    let mut ids = Vec::new();
    let mut in_progress = 0;
    for answer in &answers {
        match answer.status {
            201 => ids.push(answer.json()["id"].as_str().unwrap().to_owned()),
            409 => {
                let body = answer.json();
                assert_eq!(body["type"], "/problems/conflict");
                assert!(body["detail"].as_str().unwrap().contains("in progress"), "{body}");
                in_progress += 1;
            }
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&answer.body)),
        }
    }
    assert!(!ids.is_empty(), "one request ran");
    assert!(ids.iter().all(|id| *id == ids[0]), "every 201 is the same record");
    assert_eq!(
        answers
            .iter()
            .filter(|answer| answer.status == 201 && !answer.replayed)
            .count(),
        1,
        "exactly one answer is not a replay"
    );
    assert_eq!(ids.len() + in_progress, 20);
    assert_eq!(count(&app, &clinic, PATIENTS).await, 1);
}

async fn a_refusal_is_replayed_as_it_was_given(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let invalid = json!({"kind": "person", "given_name": "", "family_name": "Hansen"});
    let first = post(&app, &clinic.admin, PATIENTS, Some("bad-1"), &invalid).await;
    let first_request_id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let first = answer(first).await;
    assert_eq!(first.status, 422);
    assert_eq!(first.content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(first.json()["errors"][0]["field"], "given_name");

    let retry = post(&app, &clinic.admin, PATIENTS, Some("bad-1"), &invalid).await;
    assert_ne!(retry.headers()["x-request-id"], first_request_id.as_str());
    let retry = answer(retry).await;
    assert_eq!(retry, first.replayed());
    assert_eq!(
        retry.json()["request_id"],
        first_request_id,
        "the kept problem names the request that produced it"
    );
    // The key is spent on that request: a corrected body needs a new key.
    let corrected = post(&app, &clinic.admin, PATIENTS, Some("bad-1"), &ola()).await;
    assert_eq!(
        problem(corrected, 422).await["errors"][0]["field"],
        "Idempotency-Key"
    );
    assert_eq!(count(&app, &clinic, PATIENTS).await, 0);
}

async fn a_key_outlives_a_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let first = answer(post(&app, &clinic.admin, PATIENTS, Some("before-restart"), &kari()).await).await;
    assert_eq!(first.status, 201);
    let app = app.restart().await;
    let retry = answer(post(&app, &clinic.admin, PATIENTS, Some("before-restart"), &kari()).await).await;
    assert_eq!(retry, first.replayed());
    assert_eq!(count(&app, &clinic, PATIENTS).await, 1);
}

async fn kept_answers_hold_no_personal_data_in_clear(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let first = post(
        &app,
        &clinic.admin,
        PATIENTS,
        Some("kari-ostby-01019012480"),
        &kari(),
    )
    .await;
    assert_eq!(first.status(), 201);
    let dump = app.raw_database_text(&["idempotency_key"]).await;
    assert!(
        dump.contains("/api/v1/patients/"),
        "the scan sees the kept answer"
    );
    for secret in ["01019012480", "91234567", "Strandgaten", "kari-ostby"] {
        assert!(!dump.contains(secret), "{secret:?} is stored in clear");
    }
}

async fn erasing_a_patient_forgets_the_kept_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let first = answer(post(&app, &clinic.admin, PATIENTS, Some("erase-me"), &kari()).await).await;
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let erased = app
        .authed(
            Method::POST,
            &format!("{PATIENTS}/{id}/erasure"),
            &clinic.admin.token,
        )
        .json(&json!({"legal_reason": "court order"}))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200, "{}", erased.text().await.unwrap());
    let retry = answer(post(&app, &clinic.admin, PATIENTS, Some("erase-me"), &kari()).await).await;
    assert!(!retry.replayed, "the erased patient's data is not sent again");
    assert_ne!(retry.json()["id"].as_str().unwrap(), id);
}

async fn the_document_describes_the_header_on_idempotent_operations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [PATIENTS, CONTACTS] {
        let operation = &document["paths"][path]["post"];
        let parameters = operation["parameters"].as_array().unwrap();
        let key = parameters
            .iter()
            .find(|parameter| parameter["name"] == "Idempotency-Key")
            .unwrap_or_else(|| panic!("POST {path} documents Idempotency-Key"));
        assert_eq!(key["in"], "header");
        assert_eq!(key["schema"]["maxLength"], 255);
        for status in ["400", "409", "422"] {
            let description = operation["responses"][status]["description"].as_str().unwrap();
            assert!(
                description.contains("Idempotency-Key"),
                "POST {path} {status}: {description}"
            );
        }
        assert!(operation["responses"]["201"]["headers"]["Idempotent-Replayed"].is_object());
        let listing = &document["paths"][path]["get"];
        assert!(
            listing["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .all(|parameter| parameter["name"] != "Idempotency-Key")
        );
    }
}

on_both_backends!(
    a_retry_gets_the_first_answer_and_creates_nothing,
    the_same_key_with_another_request_is_refused,
    without_a_key_every_request_creates_a_record,
    a_malformed_key_is_refused_naming_the_header,
    another_callers_identical_key_is_another_key,
    duplicates_sent_at_once_create_one_record,
    a_refusal_is_replayed_as_it_was_given,
    a_key_outlives_a_restart,
    kept_answers_hold_no_personal_data_in_clear,
    erasing_a_patient_forgets_the_kept_answer,
    the_document_describes_the_header_on_idempotent_operations,
);
