//! Clinical codes: searching the shipped ICD-10 and ICPC-2 lists by code or words, who may, and an
//! organization's own lists loaded with `praxis codes import` (run as the real binary).

mod common;

use common::cli::praxis;
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

/// Writes `csv` next to the test database and imports it as the `system` list of `slug`.
async fn import(app: &TestApp, slug: &str, system: &str, csv: &str) -> common::cli::Run {
    let file = app.data_dir.path().join(format!("{system}-import.csv"));
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap().to_owned();
    praxis(
        app,
        &["codes", "import", "--org", slug, "--system", system, &file],
        None,
    )
    .await
}

async fn an_imported_list_replaces_the_shipped_one_for_its_system(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let other = app.clinic("beta").await;
    let clinician = app.user(&clinic, "kari", &["clinician"]).await;
    let auditor = app.user(&clinic, "revisor", &["auditor"]).await;
    let other_clinician = app.user(&other, "ola", &["clinician"]).await;

    let run = import(
        &app,
        "alpha",
        "icd10",
        "code,title\nz9989,Dependence on other enabling machines and devices\nM54.50,Korsryggsmerter\n",
    )
    .await
    .succeeded();
    assert_eq!(run.stdout.trim(), "loaded 2 icd10 codes for alpha");

    let imported_only = found(&app, &clinician.token, "system=icd10&q=z9989").await;
    assert_eq!(codes(&imported_only), [("icd10", "Z99.89")]);
    assert_eq!(imported_only[0]["source"], "imported");
    let retitled = found(&app, &clinician.token, "q=korsrygg").await;
    assert_eq!(codes(&retitled), [("icd10", "M54.50")]);
    assert_eq!(retitled[0]["source"], "imported");
    // The imported list is the whole ICD-10 list now; ICPC-2 is still the shipped one.
    assert!(
        found(&app, &clinician.token, "system=icd10&q=cervicalgia")
            .await
            .is_empty()
    );
    let both = found(&app, &clinician.token, "q=L03").await;
    assert_eq!(codes(&both), [("icpc2", "L03")]);
    assert_eq!(both[0]["source"], "curated");
    // Another organization keeps the shipped list.
    let elsewhere = found(&app, &other_clinician.token, "system=icd10&q=cervicalgia").await;
    assert_eq!(codes(&elsewhere), [("icd10", "M54.2")]);
    assert!(found(&app, &other_clinician.token, "q=z9989").await.is_empty());

    // The import is in the organization's audit trail, with the system and the count.
    let trail = app
        .authed(
            Method::GET,
            "/api/v1/audit-events?action=codes.import",
            &auditor.token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(trail.status(), 200);
    let trail: Value = trail.json().await.unwrap();
    assert_eq!(trail["data"].as_array().unwrap().len(), 1, "{trail}");
    assert_eq!(trail["data"][0]["actor"]["kind"], "system");
    assert_eq!(trail["data"][0]["details"]["system"], "icd10");
    assert_eq!(trail["data"][0]["details"]["count"], 2);
}

async fn a_bad_file_names_its_line_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let clinician = app.user(&clinic, "kari", &["clinician"]).await;
    import(&app, "alpha", "icpc2", "code,title\nL03,Korsryggsymptom\n")
        .await
        .succeeded();

    let run = import(
        &app,
        "alpha",
        "icpc2",
        "code,title\nL02,Ryggsymptom\nL3,Not a rubric\nL84,Ryggsyndrom\n",
    )
    .await
    .failed();
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // The list imported before is intact: one code, its title, nothing of the refused file.
    let listed = found(&app, &clinician.token, "system=icpc2&q=L0").await;
    assert_eq!(codes(&listed), [("icpc2", "L03")]);
    assert_eq!(listed[0]["title"], "Korsryggsymptom");

    let empty = import(&app, "alpha", "icpc2", "code,title\n").await.failed();
    assert!(empty.stderr.contains("no codes"), "{}", empty.stderr);
    assert_eq!(
        codes(&found(&app, &clinician.token, "system=icpc2&q=L03").await),
        [("icpc2", "L03")]
    );

    let unknown = import(&app, "nowhere", "icpc2", "code,title\nL02,Ryggsymptom\n")
        .await
        .failed();
    assert!(unknown.stderr.contains("organization"), "{}", unknown.stderr);
}

on_both_backends!(
    an_imported_list_replaces_the_shipped_one_for_its_system,
    a_bad_file_names_its_line_and_changes_nothing,
    a_clinician_finds_codes_by_code_or_words,
    bad_searches_name_their_fields,
    reception_may_not_search_codes,
);
