//! The audit trail: what is recorded, how auditors read it, and how the hash chain shows tampering.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{Backend, PASSWORD, TestApp, problem};
use jiff::Timestamp;
use praxis::services::access::RequestMeta;
use praxis::store::TxConn;
use praxis_domain::audit::{Actor, Outcome};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const AGENT: &str = "PraxisAuditTest/1.0 (+integration)";
const WRONG_PASSWORD: &str = "not the right passphrase at all";
const VICTIM_PASSWORD: &str = "marble orchard quiet engine";

/// `praxis <args>` against the test app's database, with no inherited `PRAXIS_*` settings.
fn praxis(app: &TestApp, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_praxis"));
    command.current_dir(app.data_dir.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("PRAXIS_") {
            command.env_remove(key);
        }
    }
    command.args(args);
    match &app.database {
        Some(database) => command.args(["--database-url", &database.url()]),
        None => command.arg("--data-dir").arg(app.data_dir.path()),
    };
    command
}

/// Runs `praxis audit verify` off the async workers; returns whether it passed and all it printed.
async fn verify(app: &TestApp) -> (bool, String) {
    let mut command = praxis(app, &["audit", "verify"]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("praxis runs");
    described(&output)
}

fn described(output: &Output) -> (bool, String) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// An organization's events straight from the store, in sequence order, as JSON with their hashes.
async fn stored(app: &TestApp, organization_id: Uuid) -> Vec<Value> {
    let mut tx = app.state.store.begin_read().await.unwrap();
    let rows = tx.audit_chain_page(organization_id, 0, 100_000).await.unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|row| {
            let (event, hash) = row.to_event().expect("a stored event reads back");
            let mut value = serde_json::to_value(event).unwrap();
            value["hash"] = json!(hash.to_string());
            value
        })
        .collect()
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|event| event["seq"].as_i64().unwrap())
        .collect()
}

fn assert_gapless(events: &[Value]) {
    let expected: Vec<i64> = (1..=events.len() as i64).collect();
    assert_eq!(seqs(events), expected, "sequence numbers are 1..=N in order");
}

/// `GET /api/v1/audit-events?<query>`, expecting a page.
async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .authed(Method::GET, &format!("/api/v1/audit-events?{query}"), token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "listing with {query:?}");
    response.json().await.unwrap()
}

fn data(page: &Value) -> Vec<Value> {
    page["data"].as_array().expect("a page has data").clone()
}

/// The whole trail through the API, newest first, walking the cursor with the given page size.
async fn walk(app: &TestApp, token: &str, limit: u32, filter: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let mut query = format!("limit={limit}{filter}");
        if let Some(cursor) = &cursor {
            query.push_str(&format!("&cursor={cursor}"));
        }
        let page = list(app, token, &query).await;
        let items = data(&page);
        assert!(
            items.len() <= limit as usize,
            "a page holds at most `limit` events"
        );
        events.extend(items);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return events,
        }
    }
    panic!("the cursor never ran out");
}

/// A login with a chosen request id and user agent.
async fn login(
    app: &TestApp,
    slug: &str,
    email: &str,
    password: &str,
    request_id: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-request-id", request_id)
        .header("user-agent", AGENT)
        .json(&json!({ "organization": slug, "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// The only event matching `pred`.
fn one<'a>(events: &'a [Value], what: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    let found: Vec<&Value> = events.iter().filter(|event| pred(event)).collect();
    assert_eq!(found.len(), 1, "exactly one {what} event in {events:#?}");
    found[0]
}

fn by_request<'a>(events: &'a [Value], request_id: &str) -> &'a Value {
    one(events, request_id, |event| event["request_id"] == request_id)
}

fn field_names(event: &Value) -> BTreeSet<String> {
    event["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("details name the fields: {event}"))
        .iter()
        .map(|field| field.as_str().unwrap().to_owned())
        .collect()
}

async fn audited_actions_carry_who_what_and_where(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("alpha").await;
    let admin = &clinic.admin;
    let auditor = app.user(&clinic, "audra", &["auditor"]).await;

    // A successful login, with the client's own request id.
    let response = login(&app, "alpha", &admin.email, PASSWORD, "login-ok-1").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "login-ok-1");
    let body: Value = response.json().await.unwrap();
    let second_token = body["token"].as_str().unwrap().to_owned();

    // A wrong password.
    let response = login(&app, "alpha", &admin.email, WRONG_PASSWORD, "login-bad-1").await;
    problem(response, 401).await;

    // A user created and changed by the admin.
    let response = app
        .authed(Method::POST, "/api/v1/users", &admin.token)
        .header("x-request-id", "create-vic")
        .json(&json!({
            "email": "vic@alpha.example", "display_name": "Vic", "roles": ["reception"],
            "password": VICTIM_PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let vic: Value = response.json().await.unwrap();
    let vic_id = vic["id"].as_str().unwrap().to_owned();
    let response = app
        .authed(Method::PATCH, &format!("/api/v1/users/{vic_id}"), &admin.token)
        .header("x-request-id", "update-vic")
        .json(&json!({ "display_name": "Victoria", "roles": ["reception", "billing"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Five wrong passwords lock the account; the right one is then refused too.
    for attempt in 0..5 {
        let response = login(
            &app,
            "alpha",
            "vic@alpha.example",
            WRONG_PASSWORD,
            &format!("vic-fail-{attempt}"),
        )
        .await;
        problem(response, 401).await;
    }
    let response = login(&app, "alpha", "vic@alpha.example", VICTIM_PASSWORD, "vic-locked").await;
    problem(response, 401).await;

    // An API key created, used, revoked, and refused afterwards.
    let response = app
        .authed(Method::POST, "/api/v1/api-keys", &admin.token)
        .header("x-request-id", "create-key")
        .json(&json!({ "name": "Booking widget", "scopes": ["patients:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let key: Value = response.json().await.unwrap();
    let key_id = key["id"].as_str().unwrap().to_owned();
    let secret = key["secret"].as_str().unwrap().to_owned();
    let response = app
        .authed(Method::GET, "/api/v1/me", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/api-keys/{key_id}"),
            &admin.token,
        )
        .header("x-request-id", "revoke-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .authed(Method::GET, "/api/v1/me", &secret)
        .header("x-request-id", "revoked-key-use")
        .send()
        .await
        .unwrap();
    problem(response, 401).await;

    // A request the role does not allow.
    let response = app
        .authed(Method::GET, "/api/v1/audit-events", &admin.token)
        .header("x-request-id", "denied-1")
        .header("user-agent", AGENT)
        .send()
        .await
        .unwrap();
    problem(response, 403).await;

    // A logout, and the ended session used again.
    let response = app
        .authed(Method::POST, "/api/v1/auth/logout", &second_token)
        .header("x-request-id", "logout-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .authed(Method::GET, "/api/v1/me", &second_token)
        .header("x-request-id", "after-logout-1")
        .header("user-agent", AGENT)
        .send()
        .await
        .unwrap();
    problem(response, 401).await;

    let events = walk(&app, &auditor.token, 500, "").await;
    let admin_id = admin.user_id.to_string();

    let ok = by_request(&events, "login-ok-1");
    assert_eq!(ok["action"], "auth.login");
    assert_eq!(ok["outcome"], "success");
    assert_eq!(ok["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(ok["actor_role"], "admin");
    assert_eq!(ok["entity_type"], "user");
    assert_eq!(ok["entity_id"], admin_id.as_str());
    assert_eq!(ok["ip"], "127.0.0.1");
    assert_eq!(ok["user_agent"], AGENT);
    assert!(ok["details"]["session_id"].is_string(), "{ok}");
    assert!(ok["occurred_at"].as_str().unwrap().parse::<Timestamp>().is_ok());
    assert_eq!(ok["hash"].as_str().unwrap().len(), 64);

    let bad = by_request(&events, "login-bad-1");
    assert_eq!(bad["action"], "auth.login");
    assert_eq!(bad["outcome"], "failure");
    assert_eq!(bad["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(bad["details"], json!({ "reason": "wrong_password" }));
    assert_eq!(bad["ip"], "127.0.0.1");
    assert_eq!(bad["user_agent"], AGENT);

    let created = by_request(&events, "create-vic");
    assert_eq!(created["action"], "user.create");
    assert_eq!(created["outcome"], "success");
    assert_eq!(created["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(created["entity_type"], "user");
    assert_eq!(created["entity_id"], vic_id.as_str());
    assert!(field_names(created).contains("email"), "{created}");

    let updated = by_request(&events, "update-vic");
    assert_eq!(updated["action"], "user.update");
    assert_eq!(updated["entity_id"], vic_id.as_str());
    let expected: BTreeSet<String> = ["display_name", "roles"].map(String::from).into();
    assert_eq!(field_names(updated), expected);

    for attempt in 0..5 {
        let failed = one(&events, "failed vic login", |event| {
            event["request_id"] == format!("vic-fail-{attempt}") && event["action"] == "auth.login"
        });
        assert_eq!(failed["outcome"], "failure");
        assert_eq!(failed["details"]["reason"], "wrong_password");
        assert_eq!(failed["entity_id"], vic_id.as_str());
    }
    let lockout = one(&events, "auth.lockout", |event| event["action"] == "auth.lockout");
    assert_eq!(lockout["request_id"], "vic-fail-4", "the fifth failure locks");
    assert_eq!(lockout["entity_type"], "user");
    assert_eq!(lockout["entity_id"], vic_id.as_str());
    assert_eq!(lockout["actor"], json!({ "kind": "user", "id": vic_id }));
    let locked = by_request(&events, "vic-locked");
    assert_eq!(locked["action"], "auth.login");
    assert_eq!(locked["outcome"], "failure");
    assert_eq!(locked["details"]["reason"], "locked");

    let key_created = by_request(&events, "create-key");
    assert_eq!(key_created["action"], "api_key.create");
    assert_eq!(key_created["outcome"], "success");
    assert_eq!(key_created["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(key_created["entity_type"], "api_key");
    assert_eq!(key_created["entity_id"], key_id.as_str());
    let key_revoked = by_request(&events, "revoke-key");
    assert_eq!(key_revoked["action"], "api_key.revoke");
    assert_eq!(key_revoked["entity_id"], key_id.as_str());
    let refused_key = by_request(&events, "revoked-key-use");
    assert_eq!(refused_key["action"], "auth.api_key");
    assert_eq!(refused_key["outcome"], "denied");
    assert_eq!(refused_key["actor"], json!({ "kind": "api_key", "id": key_id }));

    let denied = by_request(&events, "denied-1");
    assert_eq!(denied["action"], "audit_event.list");
    assert_eq!(denied["outcome"], "denied");
    assert_eq!(denied["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(denied["user_agent"], AGENT);

    let logout = by_request(&events, "logout-1");
    assert_eq!(logout["action"], "auth.logout");
    assert_eq!(logout["outcome"], "success");
    assert_eq!(logout["entity_type"], "session");
    assert_eq!(
        logout["entity_id"], ok["details"]["session_id"],
        "the session that logged in"
    );
    let stale = by_request(&events, "after-logout-1");
    assert_eq!(stale["action"], "auth.session");
    assert_eq!(stale["outcome"], "denied");
    assert_eq!(stale["actor"], json!({ "kind": "user", "id": admin_id }));
    assert_eq!(stale["entity_id"], logout["entity_id"]);
    assert_eq!(stale["details"]["reason"], "revoked");
    assert_eq!(stale["ip"], "127.0.0.1");

    // No secret anywhere: neither in what auditors read nor in the stored rows.
    let listed = serde_json::to_string(&events).unwrap();
    let raw = serde_json::to_string(&stored(&app, clinic.organization_id).await).unwrap();
    let secrets = [
        PASSWORD,
        WRONG_PASSWORD,
        VICTIM_PASSWORD,
        &admin.token,
        &auditor.token,
        &second_token,
        &secret,
        &secret["prx_".len()..],
    ];
    for secret in secrets {
        assert!(!listed.contains(secret), "the listed trail holds a secret");
        assert!(!raw.contains(secret), "the stored trail holds a secret");
    }
}

async fn auditors_read_the_trail_newest_first_in_pages_and_by_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("beta").await;
    let admin = &clinic.admin;
    let auditor = app.user(&clinic, "audra", &["auditor"]).await;
    let boss = app.user(&clinic, "boss", &["admin", "auditor"]).await;

    let response = app
        .authed(Method::POST, "/api/v1/users", &admin.token)
        .json(&json!({
            "email": "rita@beta.example", "display_name": "Rita", "roles": ["reception"],
            "password": VICTIM_PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let rita: Value = response.json().await.unwrap();
    let rita_id = rita["id"].as_str().unwrap().to_owned();
    problem(
        login(&app, "beta", "rita@beta.example", WRONG_PASSWORD, "rita-bad").await,
        401,
    )
    .await;
    let response = app
        .authed(Method::PATCH, &format!("/api/v1/users/{rita_id}"), &admin.token)
        .json(&json!({ "roles": ["reception", "billing"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Everything, newest first, numbered without gaps.
    let all = data(&list(&app, &auditor.token, "limit=500").await);
    let top = all[0]["seq"].as_i64().unwrap();
    let numbers = seqs(&all);
    assert!(
        numbers.windows(2).all(|pair| pair[0] > pair[1]),
        "strictly decreasing: {numbers:?}"
    );
    assert_eq!(
        numbers,
        (1..=top).rev().collect::<Vec<_>>(),
        "the whole trail, no gaps"
    );
    let times: Vec<Timestamp> = all
        .iter()
        .map(|event| event["occurred_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "newest first");

    // Pages of two walk the trail: the listing above added one event at the top.
    let walked = walk(&app, &auditor.token, 2, "").await;
    assert_eq!(seqs(&walked), (1..=top + 1).rev().collect::<Vec<_>>());
    assert_eq!(walked[0]["action"], "audit_event.list");
    assert_eq!(walked[0]["details"], json!({ "count": top }));

    // Each filter gives exactly the matching events (the older ones: listings add newer events).
    let check = |name: &'static str, listed: Vec<Value>, keep: &dyn Fn(&Value) -> bool| {
        let expected: Vec<i64> = seqs(&all.iter().filter(|e| keep(e)).cloned().collect::<Vec<_>>());
        assert!(!expected.is_empty(), "{name}: the fixture has matches");
        assert!(expected.len() < all.len(), "{name}: the fixture has non-matches");
        assert!(listed.iter().all(keep), "{name}: every listed event matches");
        let old: Vec<i64> = seqs(&listed).into_iter().filter(|seq| *seq <= top).collect();
        assert_eq!(old, expected, "{name}");
    };
    let auditor_id = auditor.user_id.to_string();
    let listed = walk(&app, &auditor.token, 500, &format!("&actor_id={auditor_id}")).await;
    check("actor_id", listed, &|event| {
        event["actor"]["id"] == auditor_id.as_str()
    });
    let listed = walk(&app, &auditor.token, 500, "&action=auth.login").await;
    check("action", listed, &|event| event["action"] == "auth.login");
    let listed = walk(
        &app,
        &auditor.token,
        500,
        &format!("&entity_type=user&entity_id={rita_id}"),
    )
    .await;
    check("entity", listed, &|event| {
        event["entity_type"] == "user" && event["entity_id"] == rita_id.as_str()
    });
    let listed = walk(&app, &auditor.token, 500, "&entity_type=api_key").await;
    assert!(listed.is_empty(), "no key was made yet: {listed:?}");

    let at = |seq: i64| {
        all[(top - seq) as usize]["occurred_at"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (from, to) = (at(top / 3 + 1), at(2 * top / 3 + 1));
    let (from_t, to_t): (Timestamp, Timestamp) = (from.parse().unwrap(), to.parse().unwrap());
    let time = |event: &Value| {
        event["occurred_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap()
    };
    let listed = walk(&app, &auditor.token, 500, &format!("&from={from}")).await;
    check("from", listed, &|event| time(event) >= from_t);
    let listed = walk(&app, &auditor.token, 500, &format!("&to={to}")).await;
    check("to", listed, &|event| time(event) < to_t);
    let listed = walk(&app, &auditor.token, 500, &format!("&from={from}&to={to}")).await;
    check("from and to", listed, &|event| {
        time(event) >= from_t && time(event) < to_t
    });

    // An admin is not an auditor.
    let response = app
        .authed(Method::GET, "/api/v1/audit-events", &admin.token)
        .send()
        .await
        .unwrap();
    problem(response, 403).await;

    // An admin without the auditor role cannot hand the audit scope to a key; one with it can.
    let create_key = |token: &str| {
        app.authed(Method::POST, "/api/v1/api-keys", token)
            .json(&json!({ "name": "SIEM export", "scopes": ["audit:read"] }))
            .send()
    };
    problem(create_key(&admin.token).await.unwrap(), 422).await;
    let response = create_key(&boss.token).await.unwrap();
    assert_eq!(response.status(), 201);
    let key: Value = response.json().await.unwrap();
    let secret = key["secret"].as_str().unwrap().to_owned();
    let key_id = key["id"].as_str().unwrap().to_owned();
    let by_key = data(&list(&app, &secret, "limit=500").await);
    assert!(by_key.iter().any(|event| event["action"] == "api_key.create"));
    let latest = data(&list(&app, &secret, "limit=1").await);
    assert_eq!(latest[0]["action"], "audit_event.list");
    assert_eq!(latest[0]["actor"], json!({ "kind": "api_key", "id": key_id }));
    assert_eq!(latest[0]["actor_role"], "audit:read");

    // Bad paging is refused, naming the parameter.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=garbage", "cursor"),
        ("cursor=6e6f742d612d6e756d626572", "cursor"),
    ] {
        let response = app
            .authed(
                Method::GET,
                &format!("/api/v1/audit-events?{query}"),
                &auditor.token,
            )
            .send()
            .await
            .unwrap();
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let response = app
        .authed(Method::GET, "/api/v1/audit-events?limit=many", &auditor.token)
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    let response = app
        .authed(Method::GET, "/api/v1/audit-events?from=yesterday", &auditor.token)
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
}

async fn each_organization_has_its_own_gapless_sequence(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let north = app.clinic("north").await;
    let south = app.clinic("south").await;
    for clinic in [&north, &south] {
        let events = stored(&app, clinic.organization_id).await;
        assert_gapless(&events);
        assert_eq!(
            events[0]["action"], "organization.create",
            "each chain starts at 1"
        );
        assert!(
            events
                .iter()
                .all(|e| e["organization_id"] == clinic.organization_id.to_string())
        );
    }
    let before = (
        stored(&app, north.organization_id).await.len(),
        stored(&app, south.organization_id).await.len(),
    );

    // Interleaved events each land in their own organization's chain.
    for round in 0..3 {
        for clinic in [&north, &south] {
            let response = login(
                &app,
                &clinic.slug,
                &clinic.admin.email,
                WRONG_PASSWORD,
                &format!("{}-{round}", clinic.slug),
            )
            .await;
            problem(response, 401).await;
        }
    }
    let north_events = stored(&app, north.organization_id).await;
    let south_events = stored(&app, south.organization_id).await;
    assert_gapless(&north_events);
    assert_gapless(&south_events);
    assert_eq!(north_events.len(), before.0 + 3);
    assert_eq!(south_events.len(), before.1 + 3);
    assert!(
        north_events
            .iter()
            .rev()
            .take(3)
            .all(|e| e["request_id"].as_str().unwrap().starts_with("north-"))
    );
    assert!(
        south_events
            .iter()
            .rev()
            .take(3)
            .all(|e| e["request_id"].as_str().unwrap().starts_with("south-"))
    );

    // An auditor sees only their own organization's chain.
    let auditor = app.user(&north, "audra", &["auditor"]).await;
    let listed = data(&list(&app, &auditor.token, "limit=500").await);
    let north_hashes: BTreeSet<String> = stored(&app, north.organization_id)
        .await
        .iter()
        .map(|e| e["hash"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        listed
            .iter()
            .all(|e| north_hashes.contains(e["hash"].as_str().unwrap()))
    );
    assert_eq!(
        listed.len() + 1,
        north_hashes.len(),
        "all but the listing's own event"
    );

    let (passed, output) = verify(&app).await;
    assert!(passed, "{output}");
    assert!(output.contains("2 audit chains verified"), "{output}");
}

async fn concurrent_appends_keep_the_chain_gapless_and_verifiable(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |settings| {
            settings.rate_limit_login_per_ip = 0;
            settings.rate_limit_login_per_account = 0;
        },
        |routes| routes,
    )
    .await;
    let clinic = app.clinic("busy").await;
    let auditor = app.user(&clinic, "audra", &["auditor"]).await;
    let before = stored(&app, clinic.organization_id).await.len();

    let mut requests = Vec::new();
    for i in 0..30 {
        let request = if i % 3 == 0 {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({ "organization": "busy", "email": format!("ghost{i}@busy.example"), "password": WRONG_PASSWORD }))
        } else {
            app.authed(Method::GET, "/api/v1/audit-events?limit=5", &auditor.token)
        };
        requests.push(tokio::spawn(request.send()));
    }
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap().unwrap().status());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        10,
        "{statuses:?}"
    );

    let events = stored(&app, clinic.organization_id).await;
    assert_gapless(&events);
    assert_eq!(events.len(), before + 30, "one event per request");
    let new = &events[before..];
    assert_eq!(
        new.iter().filter(|e| e["action"] == "audit_event.list").count(),
        20
    );
    assert_eq!(
        new.iter()
            .filter(|e| e["action"] == "auth.login" && e["actor"]["kind"] == "anonymous")
            .count(),
        10
    );
    let (passed, output) = verify(&app).await;
    assert!(passed, "{output}");
    assert!(
        output.contains(&format!("{} events, chain intact", events.len())),
        "{output}"
    );
}

async fn concurrent_wrong_passwords_lock_the_account_exactly_once(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |settings| {
            settings.rate_limit_login_per_ip = 0;
            settings.rate_limit_login_per_account = 0;
        },
        |routes| routes,
    )
    .await;
    let clinic = app.clinic("gamma").await;
    let victim = app.user(&clinic, "vic", &["reception"]).await;

    let mut attempts = Vec::new();
    for i in 0..10 {
        let request = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("x-request-id", format!("guess-{i}"))
            .json(&json!({ "organization": "gamma", "email": victim.email, "password": WRONG_PASSWORD }));
        attempts.push(tokio::spawn(request.send()));
    }
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap().unwrap().status(), 401);
    }

    let events = stored(&app, clinic.organization_id).await;
    assert_gapless(&events);
    let guesses: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["request_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("guess-"))
        })
        .collect();
    let reasons: Vec<&str> = guesses
        .iter()
        .filter(|e| e["action"] == "auth.login")
        .map(|e| e["details"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 10, "every attempt is audited: {guesses:#?}");
    assert_eq!(
        reasons.iter().filter(|r| **r == "wrong_password").count(),
        5,
        "five failures are counted, the rest meet the lock: {reasons:?}"
    );
    assert_eq!(
        guesses.iter().filter(|e| e["action"] == "auth.lockout").count(),
        1,
        "the account is locked exactly once: {reasons:?}"
    );
    let response = login(&app, "gamma", &victim.email, PASSWORD, "right-but-locked").await;
    problem(response, 401).await;
}

async fn the_database_refuses_to_change_or_delete_audit_events(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("delta").await;
    let before = stored(&app, clinic.organization_id).await;

    let refusals = [
        "update audit_event set action = 'x'",
        "update audit_event set details = '{}' where seq = 2",
        "delete from audit_event",
        "delete from audit_event where seq = (select max(seq) from audit_event)",
    ];
    for statement in refusals {
        let refused = app.try_sql(statement).await;
        let error = refused.expect_err(statement).to_string();
        assert!(error.contains("audit events cannot be"), "{statement}: {error}");
    }
    if backend == Backend::Postgres {
        let error = app.try_sql("truncate audit_event").await.expect_err("truncate");
        assert!(error.to_string().contains("audit events cannot be"), "{error}");
    }

    assert_eq!(stored(&app, clinic.organization_id).await, before);
    let (passed, output) = verify(&app).await;
    assert!(passed, "{output}");
}

/// Makes audit events changeable, as someone with database access could.
async fn disable_triggers(app: &TestApp, backend: Backend) {
    match backend {
        Backend::Sqlite => {
            app.sql("drop trigger audit_event_no_update; drop trigger audit_event_no_delete;")
                .await
        }
        Backend::Postgres => {
            app.sql("alter table audit_event disable trigger audit_event_immutable")
                .await
        }
    }
}

/// A clinic with a few more events, so that event 3 is in the middle of the chain.
async fn clinic_with_history(app: &TestApp, slug: &str) -> (Uuid, i64) {
    let clinic = app.clinic(slug).await;
    for i in 0..3 {
        let response = login(
            app,
            slug,
            &clinic.admin.email,
            WRONG_PASSWORD,
            &format!("miss-{i}"),
        )
        .await;
        problem(response, 401).await;
    }
    let events = stored(app, clinic.organization_id).await;
    assert_gapless(&events);
    (clinic.organization_id, events.len() as i64)
}

async fn verify_names_an_altered_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (organization_id, count) = clinic_with_history(&app, "epsilon").await;
    assert!(count >= 5);
    let (passed, output) = verify(&app).await;
    assert!(passed, "an untouched trail verifies: {output}");
    assert!(output.contains("chain intact"), "{output}");

    disable_triggers(&app, backend).await;
    app.sql("update audit_event set details = '{}' where seq = 3")
        .await;

    let (passed, output) = verify(&app).await;
    assert!(!passed, "{output}");
    assert!(output.contains(&organization_id.to_string()), "{output}");
    assert!(
        output.contains("broken at event 3"),
        "names the first broken link: {output}"
    );
    assert!(output.contains("hash does not match"), "{output}");
    assert!(
        !output.contains("event 4"),
        "only the first broken link: {output}"
    );
}

async fn verify_names_a_deleted_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, count) = clinic_with_history(&app, "zeta").await;
    assert!(count >= 5);
    disable_triggers(&app, backend).await;
    app.sql("delete from audit_event where seq = 3").await;

    let (passed, output) = verify(&app).await;
    assert!(!passed, "{output}");
    assert!(output.contains("event 3 is missing"), "{output}");
    assert!(output.contains("broken at event 4"), "{output}");
    assert!(
        output.contains("BROKEN after event 2:"),
        "the chain holds only up to event 2, since event 3 is gone: {output}"
    );
}

async fn verify_names_an_event_that_no_longer_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    clinic_with_history(&app, "iota").await;
    disable_triggers(&app, backend).await;
    app.sql("update audit_event set outcome = 'maybe' where seq = 3")
        .await;

    let (passed, output) = verify(&app).await;
    assert!(!passed, "{output}");
    assert!(output.contains("audit event 3 cannot be read"), "{output}");
    assert!(
        output.contains("BROKEN after event 2:"),
        "events 1 and 2 verified before the unreadable one: {output}"
    );
}

async fn verify_names_the_first_broken_link_before_a_later_unreadable_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, count) = clinic_with_history(&app, "kappa").await;
    assert!(count >= 5);
    disable_triggers(&app, backend).await;
    app.sql("update audit_event set details = '{}' where seq = 3")
        .await;
    app.sql("update audit_event set outcome = 'maybe' where seq = 5")
        .await;

    let (passed, output) = verify(&app).await;
    assert!(!passed, "{output}");
    assert!(
        output.contains("broken at event 3") && output.contains("hash does not match"),
        "the first broken link is event 3, not the unreadable event 5: {output}"
    );
}

async fn verify_reports_a_trail_cut_short(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, count) = clinic_with_history(&app, "eta").await;
    disable_triggers(&app, backend).await;
    app.sql(&format!("delete from audit_event where seq = {count}"))
        .await;

    let (passed, output) = verify(&app).await;
    assert!(!passed, "{output}");
    assert!(output.contains(&format!("{count} were recorded")), "{output}");
    assert!(
        output.contains(&format!("events after {} are missing", count - 1)),
        "{output}"
    );
}

on_both_backends!(
    audited_actions_carry_who_what_and_where,
    auditors_read_the_trail_newest_first_in_pages_and_by_filter,
    each_organization_has_its_own_gapless_sequence,
    concurrent_appends_keep_the_chain_gapless_and_verifiable,
    concurrent_wrong_passwords_lock_the_account_exactly_once,
    the_database_refuses_to_change_or_delete_audit_events,
    verify_names_an_altered_event,
    verify_names_a_deleted_event,
    verify_names_an_event_that_no_longer_reads,
    verify_names_the_first_broken_link_before_a_later_unreadable_event,
    verify_reports_a_trail_cut_short,
);

/// `praxis audit verify` reads a live database: an event appended while it runs must not look like tampering.
///
/// PostgreSQL only, where the interleaving can be forced: the test holds a lock that stops verify's read of the
/// events (but not of the chain head) and appends one event in that same transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_is_not_fooled_by_an_append_while_it_runs_postgres() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let clinic = app.clinic("theta").await;
    let (passed, output) = verify(&app).await;
    assert!(passed, "{output}");

    let mut tx = app.state.store.begin_write().await.unwrap();
    let TxConn::Postgres(pg) = &mut tx.conn else {
        unreachable!("a PostgreSQL store")
    };
    sqlx::query("lock table audit_event in access exclusive mode")
        .execute(&mut **pg)
        .await
        .unwrap();

    let mut command = praxis(&app, &["audit", "verify"]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().unwrap();

    // Wait until verify has read the head and waits for the events.
    let mut watcher = PgConnection::connect(&app.database.as_ref().unwrap().url())
        .await
        .unwrap();
    let mut waiting = false;
    for _ in 0..300 {
        let blocked: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and query like '%from audit_event%'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if blocked > 0 {
            waiting = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waiting, "verify reaches the events");

    let event = praxis::services::audit::event(
        clinic.organization_id,
        Actor::System,
        None,
        &RequestMeta::default(),
        "test.appended_during_verify",
        Outcome::Success,
    );
    tx.append_audit(event).await.unwrap();
    tx.commit().await.unwrap();

    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let (passed_during, output_during) = described(&output);
    let (passed_after, output_after) = verify(&app).await;
    assert!(passed_after, "the chain is sound: {output_after}");
    assert!(
        passed_during,
        "a sound chain verified while an event was appended is reported broken: {output_during}"
    );
}
