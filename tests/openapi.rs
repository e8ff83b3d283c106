//! The OpenAPI document is accurate: every route the router serves is in it, and everything in it is served.

mod common;

use std::collections::BTreeSet;

use common::{Backend, TestApp};

/// Every operation Praxis serves. A new route fails this test until it is listed here, and
/// `tests/permissions.rs` until its permission matrix says who may call it.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/metrics"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/me/sessions"),
    ("delete", "/api/v1/me/sessions/{id}"),
    ("put", "/api/v1/me/password"),
    ("get", "/api/v1/organization"),
    ("patch", "/api/v1/organization"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/deactivate"),
    ("post", "/api/v1/api-keys"),
    ("get", "/api/v1/api-keys"),
    ("delete", "/api/v1/api-keys/{id}"),
    ("get", "/api/v1/audit-events"),
    ("post", "/api/v1/patients"),
    ("get", "/api/v1/patients"),
    ("get", "/api/v1/patients/{id}"),
    ("put", "/api/v1/patients/{id}"),
    ("delete", "/api/v1/patients/{id}"),
    ("post", "/api/v1/patients/{id}/restore"),
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{id}"),
    ("put", "/api/v1/contacts/{id}"),
    ("delete", "/api/v1/contacts/{id}"),
    ("get", "/api/v1/contacts/{id}/patients"),
    ("get", "/api/v1/patients/{id}/contacts"),
    ("put", "/api/v1/patients/{id}/contacts/{contact_id}"),
    ("delete", "/api/v1/patients/{id}/contacts/{contact_id}"),
    ("get", "/api/v1/patients/{id}/export"),
    ("post", "/api/v1/patients/{id}/erasure"),
    ("get", "/api/v1/data-subject-requests"),
    ("post", "/api/v1/queues"),
    ("get", "/api/v1/queues"),
    ("get", "/api/v1/queues/{id}"),
    ("patch", "/api/v1/queues/{id}"),
    ("post", "/api/v1/queues/{id}/display-token"),
    ("get", "/api/v1/queue-displays/{token}"),
    ("post", "/api/v1/queues/{id}/tickets"),
    ("get", "/api/v1/queues/{id}/tickets"),
    ("get", "/api/v1/queues/{id}/tickets/{ticket_id}"),
    ("post", "/api/v1/queues/{id}/call-next"),
    ("post", "/api/v1/queues/{id}/tickets/{ticket_id}/status"),
    ("post", "/api/v1/practitioners"),
    ("get", "/api/v1/practitioners"),
    ("get", "/api/v1/practitioners/{id}"),
    ("patch", "/api/v1/practitioners/{id}"),
    ("get", "/api/v1/practitioners/{id}/working-hours"),
    ("put", "/api/v1/practitioners/{id}/working-hours"),
    ("post", "/api/v1/resources"),
    ("get", "/api/v1/resources"),
    ("get", "/api/v1/resources/{id}"),
    ("patch", "/api/v1/resources/{id}"),
    ("post", "/api/v1/services"),
    ("get", "/api/v1/services"),
    ("get", "/api/v1/services/{id}"),
    ("patch", "/api/v1/services/{id}"),
    ("post", "/api/v1/time-blocks"),
    ("get", "/api/v1/time-blocks"),
    ("patch", "/api/v1/time-blocks/{id}"),
    ("delete", "/api/v1/time-blocks/{id}"),
    ("get", "/api/v1/availability"),
    ("get", "/api/v1/schedule"),
    ("post", "/api/v1/appointments"),
    ("get", "/api/v1/appointments"),
    ("get", "/api/v1/appointments/{id}"),
    ("patch", "/api/v1/appointments/{id}"),
    ("post", "/api/v1/appointments/{id}/status"),
    ("get", "/api/v1/appointments/{id}/history"),
    ("post", "/api/v1/appointment-series"),
    ("get", "/api/v1/appointment-series/{id}"),
    ("post", "/api/v1/appointment-series/{id}/cancel"),
    ("post", "/api/v1/appointment-series/{id}/move"),
    ("post", "/api/v1/waitlist"),
    ("get", "/api/v1/waitlist"),
    ("delete", "/api/v1/waitlist/{id}"),
    ("get", "/api/v1/waitlist-offers"),
    ("post", "/api/v1/waitlist-offers/{id}/accept"),
    ("post", "/api/v1/waitlist-offers/{id}/decline"),
    ("get", "/api/v1/events"),
    ("get", "/api/v1/codes"),
];

fn documented(document: &serde_json::Value) -> BTreeSet<(String, String)> {
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

async fn the_document_lists_exactly_the_routes_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented(&document), expected);
    assert_eq!(
        praxis::http::openapi().paths.paths.len(),
        document["paths"].as_object().unwrap().len()
    );

    // Each documented operation reaches a route: whatever it answers without credentials (401, 415, …) or
    // for a record that does not exist (404 `not-found`), it is never the fallback's `route-not-found` or 405.
    for (method, path) in &expected {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let concrete = with_ids(path);
        let answer = app
            .client
            .request(method.clone(), app.url(&concrete))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        assert_ne!(status, 405, "{method} {path} is documented but answers 405");
        if status == 404 {
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            assert_ne!(
                body["type"], "/problems/route-not-found",
                "{method} {path} is documented but no route serves {concrete}"
            );
        }
    }
}

/// The path with a fresh UUID in place of every `{…}` parameter.
fn with_ids(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                uuid::Uuid::now_v7().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn every_operation_has_a_summary_and_documented_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["summary"].is_string(), "{method} {path} has a summary");
            let id = operation["operationId"]
                .as_str()
                .expect("every operation has an id");
            assert!(
                operation_ids.insert(id.to_owned()),
                "operationId {id} is used twice"
            );
            for (status, answer) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let problem = &answer["content"]["application/problem+json"];
                    assert!(
                        problem.is_object(),
                        "{method} {path} {status} is documented as a problem"
                    );
                }
            }
            assert!(
                !operation["responses"].as_object().unwrap().is_empty(),
                "{method} {path}"
            );
            assert!(
                !operation["tags"].as_array().unwrap().is_empty(),
                "{method} {path} has a tag"
            );
        }
    }
    assert!(document["components"]["schemas"]["Problem"].is_object());
}

async fn the_interactive_docs_are_served_from_the_binary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let answer = app.get(asset).await;
        assert_eq!(answer.status(), 200, "{asset}");
        let body = answer.text().await.unwrap();
        assert!(
            !body.contains("https://petstore"),
            "{asset} points at our document"
        );
    }
}

on_both_backends!(
    the_document_lists_exactly_the_routes_served,
    every_operation_has_a_summary_and_documented_answers,
    the_interactive_docs_are_served_from_the_binary,
);
