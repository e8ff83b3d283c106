//! `praxis admin …`: bootstrapping an organization, creating users and resetting passwords from the shell,
//! run as the real binary against the database of a running test server.

mod common;

use std::collections::BTreeSet;

use common::cli::{Run, praxis};
use common::{Backend, TestApp, problem};
use reqwest::Method;
use serde_json::{Value, json};

const KARI_PASSWORD: &str = "north sea ferry at dawn";
const OLA_PASSWORD: &str = "granite stairs and moss";
const OLA_NEW_PASSWORD: &str = "copper kettle winter light";
const OLA_THIRD_PASSWORD: &str = "seven gulls over the pier";
const WRONG_PASSWORD: &str = "certainly not this phrase";

/// A test server with the login rate limits off, so a test may fail as many logins as it needs.
async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        |settings| {
            settings.rate_limit_login_per_ip = 0;
            settings.rate_limit_login_per_account = 0;
        },
        |routes| routes,
    )
    .await
}

const FJORD: [&str; 12] = [
    "admin",
    "bootstrap",
    "--org",
    "Fjordklinikken",
    "--slug",
    "fjord",
    "--timezone",
    "Europe/Oslo",
    "--country",
    "NO",
    "--currency",
    "NOK",
];

/// Bootstraps Fjordklinikken with kari@fjord.example as its admin.
async fn bootstrap_fjord(app: &TestApp) -> Run {
    let mut args = FJORD.to_vec();
    args.extend(["--email", "kari@fjord.example", "--password-stdin"]);
    praxis(app, &args, Some(&format!("{KARI_PASSWORD}\n")))
        .await
        .succeeded()
}

async fn create_ola(app: &TestApp) -> Run {
    praxis(
        app,
        &[
            "admin",
            "create-user",
            "--org",
            "fjord",
            "--email",
            "ola@fjord.example",
            "--name",
            "Ola",
            "--roles",
            "reception,billing",
            "--password-stdin",
        ],
        Some(&format!("{OLA_PASSWORD}\n")),
    )
    .await
    .succeeded()
}

async fn reset_ola(app: &TestApp, password: &str) -> Run {
    praxis(
        app,
        &[
            "admin",
            "reset-password",
            "--org",
            "fjord",
            "--email",
            "ola@fjord.example",
            "--password-stdin",
        ],
        Some(&format!("{password}\n")),
    )
    .await
}

/// Logs in over HTTP, returning the token, or the refusal's status.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> Result<String, u16> {
    let response = app.login("fjord", email, password).await;
    match response.status().as_u16() {
        200 => {
            let body: Value = response.json().await.unwrap();
            Ok(body["token"].as_str().unwrap().to_owned())
        }
        status => {
            problem(response, status).await;
            Err(status)
        }
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.authed(Method::GET, path, token).send().await.unwrap()
}

fn roles(me: &Value) -> BTreeSet<String> {
    me["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("a user has roles: {me}"))
        .iter()
        .map(|role| role.as_str().unwrap().to_owned())
        .collect()
}

/// The organization's events straight from the store, oldest first, as JSON.
async fn trail(app: &TestApp) -> Vec<Value> {
    let mut tx = app.state.store.begin_read().await.unwrap();
    let organization = tx
        .organization_by_slug("fjord")
        .await
        .unwrap()
        .expect("fjord exists");
    let rows = tx
        .audit_chain_page(organization.organization_id, 0, 10_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|row| serde_json::to_value(row.to_event().unwrap().0).unwrap())
        .collect()
}

async fn bootstrap_with_a_password_from_stdin_creates_the_organization_and_its_admin(backend: Backend) {
    let app = spawn(backend).await;
    let run = bootstrap_fjord(&app).await;
    assert!(run.stdout.contains("organization fjord"), "{run:#?}");
    assert!(run.stdout.contains("kari@fjord.example"), "{run:#?}");
    assert!(
        !run.stdout.contains(KARI_PASSWORD),
        "a chosen password is not echoed: {run:#?}"
    );
    assert!(!run.stderr.contains(KARI_PASSWORD), "{run:#?}");

    let token = sign_in(&app, "kari@fjord.example", KARI_PASSWORD)
        .await
        .expect("the admin logs in with the password given on stdin");
    let me: Value = get(&app, "/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["kind"], "user");
    assert_eq!(roles(&me), BTreeSet::from(["admin".to_owned()]));
    let organization: Value = get(&app, "/api/v1/organization", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(organization["slug"], "fjord");
    assert_eq!(organization["name"], "Fjordklinikken");
    assert_eq!(organization["time_zone"], "Europe/Oslo");
    assert_eq!(organization["country"], "NO");
    assert_eq!(organization["currency"], "NOK");
    assert_eq!(me["organization_id"], organization["id"]);

    // The organization and its admin are audited as done by the system, first in the chain.
    let events = trail(&app).await;
    assert_eq!(events[0]["seq"], 1);
    assert_eq!(events[0]["action"], "organization.create");
    assert_eq!(events[0]["actor"], json!({ "kind": "system" }));
    assert_eq!(events[0]["entity_id"], organization["id"]);
    assert_eq!(events[1]["seq"], 2);
    assert_eq!(events[1]["action"], "user.create");
    assert_eq!(events[1]["actor"], json!({ "kind": "system" }));
    assert_eq!(events[1]["entity_id"], me["id"]);
    assert!(events[..2].iter().all(|event| event["outcome"] == "success"));
    let serialized = serde_json::to_string(&events).unwrap();
    assert!(!serialized.contains(KARI_PASSWORD));
}

on_both_backends!(bootstrap_with_a_password_from_stdin_creates_the_organization_and_its_admin);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_without_a_password_prints_a_generated_one_once() {
    let app = spawn(Backend::Sqlite).await;
    let mut args = FJORD.to_vec();
    args.extend(["--email", "kari@fjord.example"]);
    let run = praxis(&app, &args, None).await.succeeded();
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("password: "))
        .collect();
    assert_eq!(lines.len(), 1, "one password line: {run:#?}");
    let password = lines[0].trim();
    assert!(password.chars().count() >= 12, "a strong password: {password:?}");
    assert_eq!(run.stdout.matches(password).count(), 1, "printed once: {run:#?}");
    assert!(!run.stderr.contains(password));

    let token = sign_in(&app, "kari@fjord.example", password)
        .await
        .expect("the printed password logs in");
    assert_eq!(get(&app, "/api/v1/me", &token).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_refuses_a_slug_that_is_taken() {
    let app = spawn(Backend::Sqlite).await;
    bootstrap_fjord(&app).await;
    let mut args = FJORD.to_vec();
    args.extend(["--email", "nina@fjord.example", "--password-stdin"]);
    let run = praxis(&app, &args, Some(OLA_PASSWORD)).await.failed();
    assert!(run.stderr.contains("\"fjord\""), "names the slug: {run:#?}");
    assert!(run.stderr.contains("exists already"), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "one message: {run:#?}");

    assert_eq!(sign_in(&app, "nina@fjord.example", OLA_PASSWORD).await, Err(401));
    sign_in(&app, "kari@fjord.example", KARI_PASSWORD)
        .await
        .expect("the first admin is untouched");
    let actions: Vec<String> = trail(&app)
        .await
        .iter()
        .map(|event| event["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| a.ends_with(".create")).count(),
        2,
        "only the first bootstrap created anything: {actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_names_every_invalid_field() {
    let app = spawn(Backend::Sqlite).await;
    let run = praxis(
        &app,
        &[
            "admin",
            "bootstrap",
            "--org",
            "Fjordklinikken",
            "--slug",
            "Fjord Klinikk!",
            "--timezone",
            "Mars/Olympus_Mons",
            "--country",
            "QQ",
            "--currency",
            "ABC",
            "--email",
            "kari@fjord.example",
            "--password-stdin",
        ],
        Some(KARI_PASSWORD),
    )
    .await
    .failed();
    for field in ["slug:", "time_zone:", "country:", "currency:"] {
        assert!(run.stderr.contains(field), "names {field}: {run:#?}");
    }
    assert!(
        !run.stderr.contains("name:"),
        "a valid name is not blamed: {run:#?}"
    );
    assert!(!run.stderr.contains("locale:"), "{run:#?}");

    // Nothing was created: the slug is still free.
    bootstrap_fjord(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_refuses_a_weak_password_naming_the_rule() {
    let app = spawn(Backend::Sqlite).await;
    let mut args = FJORD.to_vec();
    args.extend(["--email", "kari@fjord.example", "--password-stdin"]);
    for (weak, rule) in [
        ("short1\n", "at least 12 characters"),
        ("kari-knows-best-of-all\n", "local part"),
    ] {
        let run = praxis(&app, &args, Some(weak)).await.failed();
        assert!(run.stderr.contains("password"), "{run:#?}");
        assert!(run.stderr.contains(rule), "names the rule {rule:?}: {run:#?}");
        assert!(
            !run.stderr.contains(weak.trim()),
            "never echoes the password: {run:#?}"
        );
    }
    bootstrap_fjord(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_makes_a_user_who_signs_in_with_those_roles() {
    let app = spawn(Backend::Sqlite).await;
    bootstrap_fjord(&app).await;
    let run = create_ola(&app).await;
    assert!(run.stdout.contains("ola@fjord.example"), "{run:#?}");
    assert!(!run.stdout.contains(OLA_PASSWORD), "{run:#?}");

    let token = sign_in(&app, "ola@fjord.example", OLA_PASSWORD)
        .await
        .expect("the new user logs in");
    let me: Value = get(&app, "/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(
        roles(&me),
        BTreeSet::from(["reception".to_owned(), "billing".to_owned()])
    );
    // Reception and billing do not administer users.
    problem(get(&app, "/api/v1/users", &token).await, 403).await;

    // The same e-mail twice, an unknown organization and an unknown role are refused.
    let again = praxis(
        &app,
        &[
            "admin",
            "create-user",
            "--org",
            "fjord",
            "--email",
            "ola@fjord.example",
            "--name",
            "Ola",
            "--roles",
            "reception",
            "--password-stdin",
        ],
        Some(OLA_PASSWORD),
    )
    .await
    .failed();
    assert!(again.stderr.contains("already exists"), "{again:#?}");
    let nowhere = praxis(
        &app,
        &[
            "admin",
            "create-user",
            "--org",
            "nowhere",
            "--email",
            "per@fjord.example",
            "--name",
            "Per",
            "--roles",
            "reception",
            "--password-stdin",
        ],
        Some(OLA_PASSWORD),
    )
    .await
    .failed();
    assert!(nowhere.stderr.contains("organization"), "{nowhere:#?}");
    let bad_role = praxis(
        &app,
        &[
            "admin",
            "create-user",
            "--org",
            "fjord",
            "--email",
            "per@fjord.example",
            "--name",
            "Per",
            "--roles",
            "reception,janitor",
            "--password-stdin",
        ],
        Some(OLA_PASSWORD),
    )
    .await
    .failed();
    assert!(
        bad_role.stderr.contains("roles[1]"),
        "names the bad role: {bad_role:#?}"
    );
    assert_eq!(sign_in(&app, "per@fjord.example", OLA_PASSWORD).await, Err(401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_password_replaces_the_password_ends_sessions_and_lifts_a_lockout() {
    let app = spawn(Backend::Sqlite).await;
    bootstrap_fjord(&app).await;
    create_ola(&app).await;
    let old_session = sign_in(&app, "ola@fjord.example", OLA_PASSWORD).await.unwrap();
    assert_eq!(get(&app, "/api/v1/me", &old_session).await.status(), 200);

    let run = reset_ola(&app, OLA_NEW_PASSWORD).await.succeeded();
    assert!(!run.stdout.contains(OLA_NEW_PASSWORD), "{run:#?}");
    problem(get(&app, "/api/v1/me", &old_session).await, 401).await;
    assert_eq!(sign_in(&app, "ola@fjord.example", OLA_PASSWORD).await, Err(401));
    sign_in(&app, "ola@fjord.example", OLA_NEW_PASSWORD)
        .await
        .expect("the new password works");

    // Five wrong passwords lock the account, so even the right one is refused ...
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "ola@fjord.example", WRONG_PASSWORD).await, Err(401));
    }
    assert_eq!(
        sign_in(&app, "ola@fjord.example", OLA_NEW_PASSWORD).await,
        Err(401)
    );
    // ... until a reset from the shell lets the user back in.
    reset_ola(&app, OLA_THIRD_PASSWORD).await.succeeded();
    sign_in(&app, "ola@fjord.example", OLA_THIRD_PASSWORD)
        .await
        .expect("a reset lifts the lockout");

    // A weak password and an unknown account are refused.
    let weak = reset_ola(&app, "tiny").await.failed();
    assert!(weak.stderr.contains("at least 12 characters"), "{weak:#?}");
    let unknown = praxis(
        &app,
        &[
            "admin",
            "reset-password",
            "--org",
            "fjord",
            "--email",
            "nobody@fjord.example",
            "--password-stdin",
        ],
        Some(OLA_NEW_PASSWORD),
    )
    .await
    .failed();
    assert!(unknown.stderr.contains("user"), "{unknown:#?}");
    sign_in(&app, "ola@fjord.example", OLA_THIRD_PASSWORD)
        .await
        .expect("a refused reset changes nothing");

    // Without --password-stdin a password is generated and printed once.
    let generated = praxis(
        &app,
        &[
            "admin",
            "reset-password",
            "--org",
            "fjord",
            "--email",
            "ola@fjord.example",
        ],
        None,
    )
    .await
    .succeeded();
    let password = generated
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("a generated password: {generated:#?}"))
        .trim()
        .to_owned();
    sign_in(&app, "ola@fjord.example", &password)
        .await
        .expect("the generated password works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_actions_are_audited_as_done_by_the_system() {
    let app = spawn(Backend::Sqlite).await;
    bootstrap_fjord(&app).await;
    create_ola(&app).await;
    reset_ola(&app, OLA_NEW_PASSWORD).await.succeeded();
    praxis(
        &app,
        &[
            "admin",
            "create-user",
            "--org",
            "fjord",
            "--email",
            "ada@fjord.example",
            "--name",
            "Ada",
            "--roles",
            "auditor",
            "--password-stdin",
        ],
        Some(OLA_PASSWORD),
    )
    .await
    .succeeded();

    // An auditor reads them over HTTP.
    let token = sign_in(&app, "ada@fjord.example", OLA_PASSWORD).await.unwrap();
    let response = get(&app, "/api/v1/audit-events?limit=500", &token).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    let mut events = page["data"].as_array().unwrap().clone();
    events.reverse();
    let shell: Vec<(&str, &Value)> = events
        .iter()
        .filter(|event| event["actor"]["kind"] == "system")
        .map(|event| (event["action"].as_str().unwrap(), event))
        .collect();
    let actions: Vec<&str> = shell.iter().map(|(action, _)| *action).collect();
    assert_eq!(
        actions,
        [
            "organization.create",
            "user.create",
            "user.create",
            "user.password_reset",
            "user.create"
        ]
    );
    for (_, event) in &shell {
        assert_eq!(event["actor"], json!({ "kind": "system" }), "{event}");
        assert_eq!(event["outcome"], "success");
        assert!(event["ip"].is_null() && event["request_id"].is_null(), "{event}");
    }
    let ola_id = shell[2].1["entity_id"].clone();
    assert_eq!(
        roles(&json!({ "roles": shell[2].1["details"]["roles"] })),
        BTreeSet::from(["reception".to_owned(), "billing".to_owned()])
    );
    assert_eq!(shell[3].1["entity_type"], "user");
    assert_eq!(shell[3].1["entity_id"], ola_id, "the reset names the user");

    let serialized = serde_json::to_string(&events).unwrap();
    for secret in [KARI_PASSWORD, OLA_PASSWORD, OLA_NEW_PASSWORD, &token] {
        assert!(!serialized.contains(secret), "no secret in the trail");
    }

    let verify = praxis(&app, &["audit", "verify"], None).await.succeeded();
    assert!(verify.stdout.contains("chain intact"), "{verify:#?}");
}
