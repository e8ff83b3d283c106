//! What an operator relies on: probes, metrics, request ids, security headers, and problem answers.

mod common;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use common::{Backend, TestApp, problem};

async fn liveness_and_readiness_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200);
    assert_eq!(live.json::<serde_json::Value>().await.unwrap()["status"], "alive");

    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    let names: Vec<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["database", "migrations", "data_dir"]);
    assert!(
        ready["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true)
    );
}

async fn status_names_version_backend_and_check_latencies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let status: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(status["status"], "ok");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    let expected_backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(status["backend"], expected_backend);
    assert!(status["uptime_seconds"].is_u64());
    for check in status["checks"].as_array().unwrap() {
        assert!(check["latency_ms"].as_f64().unwrap() >= 0.0, "{check}");
    }
}

async fn metrics_parse_as_prometheus_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/health/live").await;
    app.get("/no/such/route").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("the exposition parses");

    let sample = |name: &str, labels: &[(&str, &str)]| {
        scrape.samples.iter().find(|sample| {
            sample.metric == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(key) == Some(*value))
        })
    };
    let live = [("method", "GET"), ("route", "/health/live"), ("status", "200")];
    match sample("praxis_http_requests_total", &live).map(|s| &s.value) {
        Some(prometheus_parse::Value::Counter(count)) => assert_eq!(*count, 1.0),
        other => panic!("no request counter for the liveness probe: {other:?}"),
    }
    assert!(
        sample("praxis_http_request_duration_seconds", &live).is_some(),
        "a latency histogram by route"
    );
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert!(
        sample("praxis_http_requests_total", &unmatched).is_some(),
        "raw paths never become labels"
    );
    assert!(!text.contains("/no/such/route"));
    assert!(
        sample("praxis_db_pool_max_connections", &[]).is_some(),
        "pool gauges"
    );
    assert!(sample("praxis_db_pool_connections", &[("state", "idle")]).is_some());
}

async fn request_ids_are_echoed_when_well_formed_and_generated_otherwise(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let echoed = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "lb-1234.abc")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "lb-1234.abc");

    let replaced = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "bad id\twith tab")
        .send()
        .await
        .unwrap();
    let generated = replaced.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");

    let fresh = app.get("/health/live").await;
    assert!(uuid::Uuid::parse_str(fresh.headers()["x-request-id"].to_str().unwrap()).is_ok());

    let missing = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-77")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(missing, 404).await["request_id"], "trace-77");
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/health", "/nowhere", "/api/v1/openapi.json"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
    }
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(
        docs.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
}

async fn unknown_routes_wrong_methods_and_large_bodies_get_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let body = problem(app.get("/api/v1/nothing-here").await, 404).await;
    assert_eq!(body["type"], "/problems/route-not-found");

    let wrong_method = app.client.delete(app.url("/health")).send().await.unwrap();
    assert!(wrong_method.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_eq!(
        problem(wrong_method, 405).await["type"],
        "/problems/method-not-allowed"
    );

    let limit = app.state.settings.body_limit_bytes;
    let too_large = app
        .client
        .post(app.url("/health"))
        .body(vec![b'x'; limit + 1])
        .send()
        .await
        .unwrap();
    let body = problem(too_large, 413).await;
    assert!(
        body["detail"].as_str().unwrap().contains(&limit.to_string()),
        "{body}"
    );
}

async fn large_answers_are_compressed_and_small_ones_are_not(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let large = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(large.headers()["content-encoding"], "gzip");
    let small = app
        .client
        .get(app.url("/health/live"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(small.headers().get("content-encoding").is_none());
}

async fn cross_origin_calls_are_denied_unless_the_origin_is_configured(backend: Backend) {
    let closed = TestApp::spawn(backend).await;
    let answer = closed
        .client
        .get(closed.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(answer.headers().get("access-control-allow-origin").is_none());

    let open = TestApp::spawn_with(
        backend,
        |settings| settings.cors_allowed_origins = vec!["https://app.clinic.example".into()],
        |routes| routes,
    )
    .await;
    let preflight = open
        .client
        .request(reqwest::Method::OPTIONS, open.url("/health"))
        .header("origin", "https://app.clinic.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://app.clinic.example"
    );
    let other = open
        .client
        .get(open.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

async fn a_panicking_handler_answers_500_with_only_the_request_id(backend: Backend) {
    async fn explode() -> &'static str {
        panic!("patient Kari Nordmann, fnr 01010112345")
    }
    let app = TestApp::spawn_with(
        backend,
        |_| {},
        |routes| routes.route("/test/panic", get(explode)),
    )
    .await;
    let body = problem(app.get("/test/panic").await, 500).await;
    assert!(!body.to_string().contains("Nordmann"), "{body}");
    assert_eq!(body["type"], "/problems/internal-error");
    assert_eq!(
        app.get("/health/live").await.status(),
        200,
        "the server keeps serving"
    );
}

async fn a_request_over_the_time_limit_gets_503(backend: Backend) {
    async fn stall() -> &'static str {
        tokio::time::sleep(Duration::from_secs(10)).await;
        "late"
    }
    let slow = |routes: Router| routes.route("/test/stall", get(stall));
    let app = TestApp::spawn_with(backend, |settings| settings.request_timeout_secs = 1, slow).await;
    let body = problem(app.get("/test/stall").await, 503).await;
    assert_eq!(body["type"], "/problems/timeout");
}

on_both_backends!(
    liveness_and_readiness_answer,
    status_names_version_backend_and_check_latencies,
    metrics_parse_as_prometheus_text,
    request_ids_are_echoed_when_well_formed_and_generated_otherwise,
    every_answer_carries_the_security_headers,
    unknown_routes_wrong_methods_and_large_bodies_get_problems,
    large_answers_are_compressed_and_small_ones_are_not,
    cross_origin_calls_are_denied_unless_the_origin_is_configured,
    a_panicking_handler_answers_500_with_only_the_request_id,
    a_request_over_the_time_limit_gets_503,
);
