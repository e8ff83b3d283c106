//! Clinical codes: searching the shipped ICD-10 and ICPC-2 lists by code or words, and who may.

mod common;

use common::{Backend, TestApp, problem};
use reqwest::{Method, Response};
use serde_json::Value;

async fn search(app: &TestApp, token: &str, query: &str) -> Response {
    app.authed(Method::GET, &format!("/api/v1/codes?{query}"), token)
        .send()
        .await
        .unwrap()
}

async fn found(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = search(app, token, query).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn codes(entries: &[Value]) -> Vec<(&str, &str)> {
    entries
        .iter()
        .map(|entry| (entry["system"].as_str().unwrap(), entry["code"].as_str().unwrap()))
        .collect()
}

async fn a_clinician_finds_codes_by_code_or_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let clinician = app.user(&clinic, "kari", &["clinician"]).await;

    // A code typed without its dot and in lower case finds the code and those below it.
    let by_code = found(&app, &clinician.token, "system=icd10&q=m545").await;
    assert_eq!(
        codes(&by_code),
        [("icd10", "M54.50"), ("icd10", "M54.51"), ("icd10", "M54.59")]
    );
    assert_eq!(by_code[0]["title"], "Low back pain, unspecified");
    assert!(by_code.iter().all(|entry| entry["source"] == "curated"));

    // Words find titles with words starting with each of them, in either order.
    let by_words = found(&app, &clinician.token, "system=icpc2&q=back%20LOW").await;
    assert_eq!(codes(&by_words), [("icpc2", "L03")]);
    assert_eq!(by_words[0]["title"], "Low back symptom/complaint");

    // Without a system both lists are searched: L03 is a category in ICD-10 and a rubric in ICPC-2.
    let both = found(&app, &clinician.token, "q=L03").await;
    let systems: Vec<&str> = codes(&both).into_iter().map(|(system, _)| system).collect();
    assert!(
        systems.contains(&"icd10") && systems.contains(&"icpc2"),
        "{both:?}"
    );
    let one_system = found(&app, &clinician.token, "system=icpc2&q=L03").await;
    assert_eq!(codes(&one_system), [("icpc2", "L03")]);

    // The limit caps the answer; a query that matches nothing finds nothing.
    let limited = found(&app, &clinician.token, "system=icd10&q=m54&limit=2").await;
    assert_eq!(codes(&limited), [("icd10", "M54.10"), ("icd10", "M54.12")]);
    assert!(found(&app, &clinician.token, "q=zzzz").await.is_empty());
}

async fn bad_searches_name_their_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let clinician = app.user(&clinic, "kari", &["clinician"]).await;

    let body = problem(
        search(&app, &clinician.token, "system=snomed&q=back&limit=0").await,
        422,
    )
    .await;
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| (error["field"].as_str().unwrap(), error["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [("system", "unknown_code_system"), ("limit", "invalid_limit")]
    );

    let body = problem(search(&app, &clinician.token, "q=%20%20").await, 422).await;
    assert_eq!(body["errors"][0]["field"], "q");
    assert_eq!(body["errors"][0]["code"], "empty_query");
    let long = "a".repeat(201);
    let body = problem(search(&app, &clinician.token, &format!("q={long}")).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "query_too_long");
}

async fn reception_may_not_search_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let reception = app.user(&clinic, "desk", &["reception"]).await;
    problem(search(&app, &reception.token, "q=back").await, 403).await;
    let unauthenticated = app.get("/api/v1/codes?q=back").await;
    problem(unauthenticated, 401).await;
}

on_both_backends!(
    a_clinician_finds_codes_by_code_or_words,
    bad_searches_name_their_fields,
    reception_may_not_search_codes,
);
