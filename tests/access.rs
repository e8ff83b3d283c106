//! Signing in: tokens, expiry, lockout, rate limits, and refusals that reveal nothing.

mod common;

use common::{Backend, PASSWORD, TestApp, problem};
use reqwest::Method;

/// SQL for an hour before a stored instant (integer microseconds on SQLite, timestamptz on PostgreSQL).
fn an_hour_before(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{column} - 3600000000"),
        Backend::Postgres => format!("{column} - interval '1 hour'"),
    }
}

async fn a_login_answers_a_token_its_expiry_and_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let response = app.login("fjord", "ADMIN@fjord.example", PASSWORD).await;
    assert_eq!(response.status(), 200, "e-mails match whatever their case");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["token"].as_str().unwrap().len(), 64);
    assert!(
        body["expires_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    assert_eq!(body["user"]["email"], "admin@fjord.example");
    assert_eq!(body["user"]["roles"], serde_json::json!(["admin"]));
    assert!(body["user"].get("password_hash").is_none());

    let me = app
        .authed(Method::GET, "/api/v1/me", &clinic.admin.token)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["kind"], "user");
    assert_eq!(me["organization_id"], clinic.organization_id.to_string());
}

async fn every_refused_login_looks_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.clinic("fjord").await;
    let attempts = [
        ("nowhere", "admin@fjord.example", PASSWORD),
        ("fjord", "nobody@fjord.example", PASSWORD),
        ("fjord", "not an e-mail", PASSWORD),
        ("fjord", "admin@fjord.example", "a wrong but long password"),
    ];
    let mut details = Vec::new();
    for (slug, email, password) in attempts {
        let body = problem(app.login(slug, email, password).await, 401).await;
        details.push((
            body["type"].clone(),
            body["title"].clone(),
            body["detail"].clone(),
        ));
    }
    assert!(details.windows(2).all(|pair| pair[0] == pair[1]), "{details:?}");
}

async fn five_failures_lock_the_account_even_against_the_right_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    for _ in 0..5 {
        problem(
            app.login("fjord", &ola.email, "a wrong but long password").await,
            401,
        )
        .await;
    }
    let locked = problem(app.login("fjord", &ola.email, PASSWORD).await, 401).await;
    let wrong = problem(
        app.login("fjord", &ola.email, "a wrong but long password").await,
        401,
    )
    .await;
    assert_eq!(
        locked["detail"], wrong["detail"],
        "a locked account answers like a wrong password"
    );

    // The lock ends when its time is up.
    app.sql("update app_user set locked_until = created_at where email = 'ola@fjord.example'")
        .await;
    assert_eq!(app.login("fjord", &ola.email, PASSWORD).await.status(), 200);
}

async fn failures_outside_the_window_do_not_add_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    for _ in 0..4 {
        app.login("fjord", &ola.email, "a wrong but long password").await;
    }
    // The first failures happened long ago: the window restarts with the next one.
    app.sql(&format!(
        "update app_user set first_failed_login_at = {} where email = 'ola@fjord.example'",
        an_hour_before(backend, "first_failed_login_at")
    ))
    .await;
    app.login("fjord", &ola.email, "a wrong but long password").await;
    assert_eq!(app.login("fjord", &ola.email, PASSWORD).await.status(), 200);
}

async fn a_successful_login_clears_earlier_failures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    for _ in 0..4 {
        app.login("fjord", &ola.email, "a wrong but long password").await;
    }
    assert_eq!(app.login("fjord", &ola.email, PASSWORD).await.status(), 200);
    for _ in 0..4 {
        app.login("fjord", &ola.email, "a wrong but long password").await;
    }
    assert_eq!(
        app.login("fjord", &ola.email, PASSWORD).await.status(),
        200,
        "the count started again"
    );
}

async fn idle_and_absolute_expiry_end_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let idle = app.user(&clinic, "idle", &["reception"]).await;
    let old = app.user(&clinic, "old", &["reception"]).await;
    for session in [&idle, &old] {
        let me = app
            .authed(Method::GET, "/api/v1/me", &session.token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
    }
    // Long unused: last seen an hour before it really was, twice the idle time.
    let shift = an_hour_before(backend, "last_seen_at");
    app.sql(&format!(
        "update session set last_seen_at = {shift} where user_id = (select user_id from app_user where email = 'idle@fjord.example')"
    ))
    .await;
    app.sql(
        "update session set expires_at = created_at where user_id = (select user_id from app_user where email = 'old@fjord.example')",
    )
    .await;
    for session in [&idle, &old] {
        problem(
            app.authed(Method::GET, "/api/v1/me", &session.token)
                .send()
                .await
                .unwrap(),
            401,
        )
        .await;
    }
}

async fn unauthenticated_answers_say_how_to_authenticate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for authorization in [
        None,
        Some("Bearer nonsense"),
        Some("Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        Some("Bearer prx_0000"),
    ] {
        let mut request = app.client.get(app.url("/api/v1/me"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(problem(response, 401).await["type"], "/problems/unauthenticated");
    }
}

async fn login_bodies_are_checked_before_anything_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.url("/api/v1/auth/login");
    let not_json = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"organization\":")
        .send();
    let body = problem(not_json.await.unwrap(), 400).await;
    assert!(body["detail"].as_str().unwrap().contains("line 1"), "{body}");

    let plain = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(plain, 415).await;

    let missing = app
        .client
        .post(&url)
        .json(&serde_json::json!({ "organization": "fjord", "email": "a@b.example" }));
    let body = problem(missing.send().await.unwrap(), 422).await;
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["code"], "required");

    let wrong_type = app.client.post(&url).json(&serde_json::json!({
        "organization": "fjord", "email": "kari@fjord.example", "password": 12345678901234_u64
    }));
    let body = problem(wrong_type.send().await.unwrap(), 422).await;
    assert!(
        !body.to_string().contains("12345678901234"),
        "values are not echoed: {body}"
    );
}

async fn login_attempts_are_rate_limited_per_client_and_per_account(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |settings| {
            settings.rate_limit_login_per_ip = 1000;
            settings.rate_limit_login_per_account = 3;
        },
        |routes| routes,
    )
    .await;
    app.clinic("fjord").await;
    for _ in 0..3 {
        assert_eq!(
            app.login("fjord", "kari@fjord.example", "wrong wrong wrong")
                .await
                .status(),
            401
        );
    }
    let limited = app
        .login("fjord", "KARI@fjord.example", "wrong wrong wrong")
        .await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(limited, 429).await["type"], "/problems/too-many-requests");
    // Another account from the same client is not held back.
    assert_eq!(
        app.login("fjord", "admin@fjord.example", PASSWORD).await.status(),
        200
    );

    let per_ip = TestApp::spawn_with(
        backend,
        |settings| settings.rate_limit_login_per_ip = 2,
        |routes| routes,
    )
    .await;
    for email in ["a@x.example", "b@x.example"] {
        assert_eq!(per_ip.login("x", email, "wrong wrong wrong").await.status(), 401);
    }
    problem(per_ip.login("x", "c@x.example", "wrong wrong wrong").await, 429).await;
}

async fn requests_are_rate_limited_per_principal(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |settings| settings.rate_limit_per_principal = 3,
        |routes| routes,
    )
    .await;
    let clinic = app.clinic("fjord").await;
    for _ in 0..3 {
        let response = app
            .authed(Method::GET, "/api/v1/me", &clinic.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let limited = app
        .authed(Method::GET, "/api/v1/me", &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    problem(limited, 429).await;
    let other = app.user(&clinic, "ola", &["reception"]).await;
    let response = app
        .authed(Method::GET, "/api/v1/me", &other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "limits are per principal");
}

on_both_backends!(
    a_login_answers_a_token_its_expiry_and_the_user,
    every_refused_login_looks_the_same,
    five_failures_lock_the_account_even_against_the_right_password,
    failures_outside_the_window_do_not_add_up,
    a_successful_login_clears_earlier_failures,
    idle_and_absolute_expiry_end_a_session,
    unauthenticated_answers_say_how_to_authenticate,
    login_bodies_are_checked_before_anything_else,
    login_attempts_are_rate_limited_per_client_and_per_account,
    requests_are_rate_limited_per_principal,
);
