//! Staff accounts, the organization's settings, a user's own sessions and password, and API keys: what an
//! admin manages and what every principal may see of itself.

mod common;

use common::{Backend, PASSWORD, TestApp, problem};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use reqwest::{Method, Response};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

async fn get(app: &TestApp, path: &str, token: &str) -> Response {
    app.authed(Method::GET, path, token).send().await.unwrap()
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: &Value) -> Response {
    app.authed(method, path, token).json(body).send().await.unwrap()
}

async fn send_if_match(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    if_match: &str,
    body: &Value,
) -> Response {
    app.authed(method, path, token)
        .header(IF_MATCH, if_match)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The body of a 2xx answer with the expected status.
async fn ok_json(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn etag_of(response: &Response) -> String {
    response.headers()[ETAG].to_str().unwrap().to_owned()
}

/// `(field, code)` of each entry of a validation problem, in order.
fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| {
                    (
                        error["field"].as_str().unwrap().to_owned(),
                        error["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fields(problem: &Value) -> Vec<String> {
    field_errors(problem)
        .into_iter()
        .map(|(field, _)| field)
        .collect()
}

fn new_user(email: &str, name: &str, roles: &[&str], password: &str) -> Value {
    json!({ "email": email, "display_name": name, "roles": roles, "password": password })
}

/// Every user id of the organization, walking the list in pages of `limit`.
async fn all_user_ids(app: &TestApp, token: &str, limit: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/users?limit={limit}&cursor={cursor}"),
            None => format!("/api/v1/users?limit={limit}"),
        };
        let page = ok_json(get(app, &path, token).await, 200).await;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|user| user["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("the user list never ended");
}

async fn create_key(app: &TestApp, token: &str, body: &Value) -> Value {
    ok_json(
        send(app, Method::POST, "/api/v1/api-keys", token, body).await,
        201,
    )
    .await
}

fn key_secret(created: &Value) -> String {
    created["secret"].as_str().unwrap().to_owned()
}

/// The listed entry of one key.
async fn listed_key(app: &TestApp, token: &str, id: &str) -> Value {
    let page = ok_json(get(app, "/api/v1/api-keys?limit=500", token).await, 200).await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("key {id} is listed"))
}

// ---------------------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------------------

async fn creating_a_user_answers_the_account_without_its_hash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;

    let response = send(
        &app,
        Method::POST,
        "/api/v1/users",
        admin,
        &new_user(
            "Ola.Hansen@Fjord.example",
            "  Ola Hansen  ",
            &["auditor", "reception", "clinician", "reception"],
            PASSWORD,
        ),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(etag_of(&response), "\"1\"");
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let text = response.text().await.unwrap();
    assert!(!text.contains("argon2") && !text.contains(PASSWORD), "{text}");
    let user: Value = serde_json::from_str(&text).unwrap();
    let id = user["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/users/{id}"));
    let mut keys: Vec<&str> = user.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "active",
            "created_at",
            "display_name",
            "email",
            "id",
            "roles",
            "updated_at",
            "version"
        ]
    );
    // Roles are a set, in the domain's order (admin, clinician, reception, billing, auditor).
    assert_eq!(user["roles"], json!(["clinician", "reception", "auditor"]));
    assert_eq!(user["display_name"], "Ola Hansen");
    assert_eq!(user["email"], "ola.hansen@fjord.example");
    assert_eq!(user["active"], true);
    assert_eq!(user["version"], 1);

    // The Location is where the user is read, with the same ETag.
    let read = get(&app, &location, admin).await;
    assert_eq!(etag_of(&read), "\"1\"");
    assert_eq!(ok_json(read, 200).await, user);

    // The new user can sign in, whatever the case of the e-mail.
    let login = app.login("fjord", "OLA.HANSEN@fjord.example", PASSWORD).await;
    let login = ok_json(login, 200).await;
    assert_eq!(login["user"]["id"], id);

    // The e-mail is taken, in any letter case.
    for email in ["ola.hansen@fjord.example", "OLA.HANSEN@FJORD.EXAMPLE"] {
        let again = send(
            &app,
            Method::POST,
            "/api/v1/users",
            admin,
            &new_user(email, "Another Ola", &["billing"], PASSWORD),
        )
        .await;
        problem(again, 409).await;
    }
    let ids = all_user_ids(&app, admin, 500).await;
    assert_eq!(ids, [clinic.admin.user_id.to_string(), id.to_owned()]);
}

async fn invalid_users_are_refused_field_by_field_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let before = all_user_ids(&app, admin, 500).await;

    let cases: [(Value, &[(&str, &str)]); 8] = [
        (
            new_user("not an e-mail", "Ola", &["reception"], PASSWORD),
            &[("email", "email_at")],
        ),
        (
            new_user("ola@fjord.example", " \t ", &["reception"], PASSWORD),
            &[("display_name", "invalid_display_name")],
        ),
        (
            new_user("ola@fjord.example", "Ola", &["root"], PASSWORD),
            &[("roles[0]", "unknown_role")],
        ),
        (
            new_user("ola@fjord.example", "Ola", &[], PASSWORD),
            &[("roles", "no_roles")],
        ),
        (
            new_user("ola@fjord.example", "Ola", &["reception"], "short"),
            &[("password", "too_short")],
        ),
        (
            new_user("ola@fjord.example", "Ola", &["reception"], "qwerty123456"),
            &[("password", "too_common")],
        ),
        (
            new_user(
                "ola.hansen@fjord.example",
                "Ola",
                &["reception"],
                "my name is OLA.HANSEN and I like boats",
            ),
            &[("password", "contains_email")],
        ),
        // Every bad field at once, each named once.
        (
            new_user("ola@fjord.example", "", &["reception", "Admin"], "short"),
            &[
                ("display_name", "invalid_display_name"),
                ("roles[1]", "unknown_role"),
                ("password", "too_short"),
            ],
        ),
    ];
    for (body, expected) in cases {
        let response = send(&app, Method::POST, "/api/v1/users", admin, &body).await;
        let refused = problem(response, 422).await;
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(field, code)| (field.to_string(), code.to_string()))
            .collect();
        assert_eq!(field_errors(&refused), expected, "{body}");
        assert!(!refused.to_string().contains(PASSWORD), "{refused}");
    }

    // Unknown and missing fields are named.
    let mut extra = new_user("ola@fjord.example", "Ola", &["admin"], PASSWORD);
    extra["is_superuser"] = json!(true);
    let refused = problem(
        send(&app, Method::POST, "/api/v1/users", admin, &extra).await,
        422,
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("is_superuser".to_owned(), "unknown_field".to_owned())]
    );
    let missing = json!({ "email": "ola@fjord.example", "display_name": "Ola", "roles": ["admin"] });
    let refused = problem(
        send(&app, Method::POST, "/api/v1/users", admin, &missing).await,
        422,
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("password".to_owned(), "required".to_owned())]
    );

    // Not JSON at all: 400; not sent as JSON: 415.
    for broken in ["{\"email\": ", "email=ola@fjord.example"] {
        let response = app
            .authed(Method::POST, "/api/v1/users", admin)
            .header(CONTENT_TYPE, "application/json")
            .body(broken)
            .send()
            .await
            .unwrap();
        problem(response, 400).await;
    }
    let as_text = app
        .authed(Method::POST, "/api/v1/users", admin)
        .header(CONTENT_TYPE, "text/plain")
        .body(new_user("ola@fjord.example", "Ola", &["reception"], PASSWORD).to_string())
        .send()
        .await
        .unwrap();
    problem(as_text, 415).await;

    assert_eq!(all_user_ids(&app, admin, 500).await, before);
    problem(app.login("fjord", "ola@fjord.example", PASSWORD).await, 401).await;
}

/// Validation reports every bad field at once; an unparsable e-mail must not hide a password that breaks
/// the rules that do not depend on the e-mail (length, the common-password list).
async fn a_bad_email_does_not_hide_a_bad_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let body = new_user("not an e-mail", "Ola", &["reception"], "short");
    let refused = problem(
        send(&app, Method::POST, "/api/v1/users", &clinic.admin.token, &body).await,
        422,
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [
            ("email".to_owned(), "email_at".to_owned()),
            ("password".to_owned(), "too_short".to_owned()),
        ],
        "{refused}"
    );
}

async fn users_are_listed_in_creation_order_page_by_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let mut created = vec![clinic.admin.user_id.to_string()];
    for name in ["ola", "kari"] {
        let user = ok_json(
            send(
                &app,
                Method::POST,
                "/api/v1/users",
                admin,
                &new_user(&format!("{name}@fjord.example"), name, &["reception"], PASSWORD),
            )
            .await,
            201,
        )
        .await;
        created.push(user["id"].as_str().unwrap().to_owned());
    }

    let first = ok_json(get(&app, "/api/v1/users?limit=2", admin).await, 200).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a full page has a cursor");
    let second = ok_json(
        get(&app, &format!("/api/v1/users?limit=2&cursor={cursor}"), admin).await,
        200,
    )
    .await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(
        second["next_cursor"].is_null(),
        "the last page has no cursor: {second}"
    );
    assert_eq!(all_user_ids(&app, admin, 2).await, created);
    assert_eq!(all_user_ids(&app, admin, 1).await, created);
    assert_eq!(all_user_ids(&app, admin, 500).await, created);
    let default = ok_json(get(&app, "/api/v1/users", admin).await, 200).await;
    assert_eq!(default["data"].as_array().unwrap().len(), 3);
    assert!(default["next_cursor"].is_null());

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=garbage", "cursor"),
        // Hex, but not of an id.
        ("cursor=6e6f7420616e206964", "cursor"),
        ("limit=-1", "query"),
        ("limit=ten", "query"),
    ] {
        let refused = problem(get(&app, &format!("/api/v1/users?{query}"), admin).await, 422).await;
        assert_eq!(fields(&refused), [field], "{query}: {refused}");
    }
}

async fn users_are_changed_under_their_version_and_roles_apply_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    let path = format!("/api/v1/users/{}", ola.user_id);

    // Admins only.
    problem(get(&app, &path, &ola.token).await, 403).await;
    problem(get(&app, "/api/v1/users", &ola.token).await, 403).await;
    problem(
        send(
            &app,
            Method::PATCH,
            &path,
            &ola.token,
            &json!({ "roles": ["admin"] }),
        )
        .await,
        403,
    )
    .await;
    problem(get(&app, "/api/v1/audit-events", &ola.token).await, 403).await;

    let read = get(&app, &path, admin).await;
    assert_eq!(etag_of(&read), "\"1\"");
    let before = ok_json(read, 200).await;
    assert_eq!(before["roles"], json!(["reception"]));

    let changed = send_if_match(
        &app,
        Method::PATCH,
        &path,
        admin,
        "\"1\"",
        &json!({ "display_name": "Ola Revisor", "roles": ["auditor", "reception"] }),
    )
    .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(etag_of(&changed), "\"2\"");
    let changed = ok_json(changed, 200).await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["display_name"], "Ola Revisor");
    assert_eq!(changed["roles"], json!(["reception", "auditor"]));
    assert_eq!(changed["email"], before["email"]);
    assert_eq!(changed["created_at"], before["created_at"]);

    // The same token now carries the new role.
    ok_json(get(&app, "/api/v1/audit-events", &ola.token).await, 200).await;
    let me = ok_json(get(&app, "/api/v1/me", &ola.token).await, 200).await;
    assert_eq!(me["roles"], json!(["reception", "auditor"]));

    // A stale If-Match changes nothing.
    let stale = send_if_match(
        &app,
        Method::PATCH,
        &path,
        admin,
        "\"1\"",
        &json!({ "display_name": "Lost Update", "roles": ["billing"] }),
    )
    .await;
    problem(stale, 412).await;
    let read = get(&app, &path, admin).await;
    assert_eq!(etag_of(&read), "\"2\"");
    assert_eq!(ok_json(read, 200).await, changed);

    // A role taken away is gone on the next request too.
    let narrowed = send_if_match(
        &app,
        Method::PATCH,
        &path,
        admin,
        "\"2\"",
        &json!({ "roles": ["reception"] }),
    )
    .await;
    assert_eq!(etag_of(&narrowed), "\"3\"");
    let narrowed = ok_json(narrowed, 200).await;
    assert_eq!(narrowed["display_name"], "Ola Revisor");
    problem(get(&app, "/api/v1/audit-events", &ola.token).await, 403).await;

    // Invalid changes are named, and change nothing.
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            &path,
            admin,
            &json!({ "display_name": "", "roles": [] }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["display_name", "roles"]);
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            &path,
            admin,
            &json!({ "roles": ["reception", "superuser"] }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["roles[1]"]);
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            &path,
            admin,
            &json!({ "email": "other@fjord.example" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("email".to_owned(), "unknown_field".to_owned())]
    );
    assert_eq!(ok_json(get(&app, &path, admin).await, 200).await, narrowed);

    let malformed = send_if_match(
        &app,
        Method::PATCH,
        &path,
        admin,
        "version three",
        &json!({ "roles": ["billing"] }),
    )
    .await;
    problem(malformed, 400).await;
    assert_eq!(ok_json(get(&app, &path, admin).await, 200).await, narrowed);

    let nobody = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    problem(get(&app, &nobody, admin).await, 404).await;
    problem(
        send(
            &app,
            Method::PATCH,
            &nobody,
            admin,
            &json!({ "roles": ["billing"] }),
        )
        .await,
        404,
    )
    .await;
}

async fn deactivation_ends_sessions_and_sign_ins_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    let second = app.sign_in("fjord", &ola.email).await;
    ok_json(get(&app, "/api/v1/me", &ola.token).await, 200).await;

    let path = format!("/api/v1/users/{}/deactivate", ola.user_id);
    let stale = app
        .authed(Method::POST, &path, admin)
        .header(IF_MATCH, "\"7\"")
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    ok_json(get(&app, "/api/v1/me", &ola.token).await, 200).await;

    let response = app.authed(Method::POST, &path, admin).send().await.unwrap();
    assert_eq!(etag_of(&response), "\"2\"");
    let deactivated = ok_json(response, 200).await;
    assert_eq!(deactivated["active"], false);
    assert_eq!(deactivated["version"], 2);

    for token in [&ola.token, &second.token] {
        problem(get(&app, "/api/v1/me", token).await, 401).await;
    }
    problem(app.login("fjord", &ola.email, PASSWORD).await, 401).await;
    let read = ok_json(
        get(&app, &format!("/api/v1/users/{}", ola.user_id), admin).await,
        200,
    )
    .await;
    assert_eq!(read["active"], false);

    // Deactivating again changes nothing.
    let again = ok_json(app.authed(Method::POST, &path, admin).send().await.unwrap(), 200).await;
    assert_eq!(again["version"], 2);

    // An admin cannot lock themselves out.
    let own = format!("/api/v1/users/{}/deactivate", clinic.admin.user_id);
    problem(app.authed(Method::POST, &own, admin).send().await.unwrap(), 409).await;
    ok_json(get(&app, "/api/v1/me", admin).await, 200).await;
    let nobody = format!("/api/v1/users/{}/deactivate", uuid::Uuid::now_v7());
    problem(
        app.authed(Method::POST, &nobody, admin).send().await.unwrap(),
        404,
    )
    .await;
}

async fn another_organizations_users_sessions_and_keys_are_not_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fjord = app.clinic("fjord").await;
    let vik = app.clinic("vik").await;
    let admin = &fjord.admin.token;

    let theirs = format!("/api/v1/users/{}", vik.admin.user_id);
    problem(get(&app, &theirs, admin).await, 404).await;
    problem(
        send(
            &app,
            Method::PATCH,
            &theirs,
            admin,
            &json!({ "roles": ["billing"] }),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.authed(Method::POST, &format!("{theirs}/deactivate"), admin)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(
        all_user_ids(&app, admin, 500).await,
        [fjord.admin.user_id.to_string()]
    );

    let key = create_key(
        &app,
        &vik.admin.token,
        &json!({ "name": "vik", "scopes": ["patients:read"] }),
    )
    .await;
    let key_id = key["id"].as_str().unwrap();
    problem(
        app.authed(Method::DELETE, &format!("/api/v1/api-keys/{key_id}"), admin)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let listed = ok_json(get(&app, "/api/v1/api-keys", admin).await, 200).await;
    assert_eq!(listed["data"], json!([]));
    ok_json(get(&app, "/api/v1/me", &key_secret(&key)).await, 200).await;

    let sessions = ok_json(get(&app, "/api/v1/me/sessions", &vik.admin.token).await, 200).await;
    let session_id = sessions[0]["id"].as_str().unwrap();
    problem(
        app.authed(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{session_id}"),
            admin,
        )
        .send()
        .await
        .unwrap(),
        404,
    )
    .await;
    ok_json(get(&app, "/api/v1/me", &vik.admin.token).await, 200).await;

    let organization = ok_json(get(&app, "/api/v1/organization", admin).await, 200).await;
    assert_eq!(organization["slug"], "fjord");
    assert_eq!(organization["id"], fjord.organization_id.to_string());
}

// ---------------------------------------------------------------------------------------------------------
// Me and the organization
// ---------------------------------------------------------------------------------------------------------

async fn everyone_reads_themselves_and_their_organization(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let kari = app.user(&clinic, "kari", &["reception", "billing"]).await;

    let me = ok_json(get(&app, "/api/v1/me", &kari.token).await, 200).await;
    assert_eq!(me["kind"], "user");
    assert_eq!(me["id"], kari.user_id.to_string());
    assert_eq!(me["organization_id"], clinic.organization_id.to_string());
    assert_eq!(me["roles"], json!(["reception", "billing"]));
    assert!(me.get("scopes").is_none(), "{me}");

    let response = get(&app, "/api/v1/organization", &kari.token).await;
    assert_eq!(etag_of(&response), "\"1\"");
    let organization = ok_json(response, 200).await;
    assert_eq!(organization["id"], clinic.organization_id.to_string());
    assert_eq!(organization["slug"], "fjord");
    assert_eq!(organization["name"], "Clinic fjord");
    assert_eq!(organization["time_zone"], "Europe/Oslo");
    assert_eq!(organization["country"], "NO");
    assert_eq!(organization["currency"], "NOK");
    assert_eq!(organization["locale"], "nb-NO");
    assert_eq!(organization["version"], 1);

    // Only admins change it.
    problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/organization",
            &kari.token,
            &json!({ "name": "Kari's clinic" }),
        )
        .await,
        403,
    )
    .await;

    // Without a credential there is nothing to see.
    problem(app.get("/api/v1/me").await, 401).await;
    problem(app.get("/api/v1/organization").await, 401).await;
    problem(get(&app, "/api/v1/me", "not-a-token").await, 401).await;
}

async fn admins_change_the_organization_under_its_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;

    let changed = send_if_match(
        &app,
        Method::PATCH,
        "/api/v1/organization",
        admin,
        "\"1\"",
        &json!({ "name": "Fjordklinikken Bergen", "time_zone": "Europe/Berlin" }),
    )
    .await;
    assert_eq!(etag_of(&changed), "\"2\"");
    let changed = ok_json(changed, 200).await;
    assert_eq!(changed["name"], "Fjordklinikken Bergen");
    assert_eq!(changed["time_zone"], "Europe/Berlin");
    assert_eq!(changed["country"], "NO");
    assert_eq!(changed["slug"], "fjord");
    assert_eq!(changed["version"], 2);

    let stale = send_if_match(
        &app,
        Method::PATCH,
        "/api/v1/organization",
        admin,
        "\"1\"",
        &json!({ "name": "Lost Update" }),
    )
    .await;
    problem(stale, 412).await;

    let invalid = [
        ("time_zone", "Mars/Olympus_Mons"),
        ("country", "ZZ"),
        ("currency", "QQQ"),
        ("locale", "1234"),
    ];
    for (field, value) in invalid {
        let refused = problem(
            send(
                &app,
                Method::PATCH,
                "/api/v1/organization",
                admin,
                &json!({ field: value }),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(fields(&refused), [field], "{refused}");
    }
    let all: serde_json::Map<String, Value> = invalid
        .iter()
        .map(|(field, value)| (field.to_string(), json!(value)))
        .collect();
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/organization",
            admin,
            &Value::Object(all),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["time_zone", "country", "currency", "locale"]);
    // One bad field spoils the whole change.
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/organization",
            admin,
            &json!({ "name": "Half Applied", "country": "ZZ" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["country"]);

    // The slug is how users sign in: it cannot be changed.
    let refused = problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/organization",
            admin,
            &json!({ "slug": "bergen" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("slug".to_owned(), "unknown_field".to_owned())]
    );

    let read = get(&app, "/api/v1/organization", admin).await;
    assert_eq!(etag_of(&read), "\"2\"");
    assert_eq!(ok_json(read, 200).await, changed);
    ok_json(app.login("fjord", "admin@fjord.example", PASSWORD).await, 200).await;
}

// ---------------------------------------------------------------------------------------------------------
// Sessions and password
// ---------------------------------------------------------------------------------------------------------

async fn users_list_and_end_their_own_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let older = app.user(&clinic, "ola", &["reception"]).await;
    let newer = app.sign_in("fjord", &older.email).await;

    let response = get(&app, "/api/v1/me/sessions", &newer.token).await;
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(&older.token) && !text.contains(&newer.token),
        "{text}"
    );
    let sessions: Value = serde_json::from_str(&text).unwrap();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{text}");
    assert_eq!(sessions[0]["current"], true, "newest first: {text}");
    assert_eq!(sessions[1]["current"], false);
    let older_id = sessions[1]["id"].as_str().unwrap().to_owned();
    let newer_id = sessions[0]["id"].as_str().unwrap().to_owned();

    // Seen from the other session, the other one is current.
    let seen = ok_json(get(&app, "/api/v1/me/sessions", &older.token).await, 200).await;
    let current: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .filter(|session| session["current"] == true)
        .map(|session| session["id"].as_str().unwrap())
        .collect();
    assert_eq!(current, [older_id.as_str()]);

    // Someone else cannot end it, nor can a random id be ended.
    let path = format!("/api/v1/me/sessions/{older_id}");
    problem(
        app.authed(Method::DELETE, &path, &clinic.admin.token)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    ok_json(get(&app, "/api/v1/me", &older.token).await, 200).await;
    let random = format!("/api/v1/me/sessions/{}", uuid::Uuid::now_v7());
    problem(
        app.authed(Method::DELETE, &random, &newer.token)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    let ended = app
        .authed(Method::DELETE, &path, &newer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    problem(get(&app, "/api/v1/me", &older.token).await, 401).await;
    ok_json(get(&app, "/api/v1/me", &newer.token).await, 200).await;
    problem(
        app.authed(Method::DELETE, &path, &newer.token)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    let remaining = ok_json(get(&app, "/api/v1/me/sessions", &newer.token).await, 200).await;
    let remaining = remaining.as_array().unwrap();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0]["id"], newer_id.as_str());
    assert_eq!(remaining[0]["current"], true);
}

/// A session past its idle time is refused, so it is not live and must not be listed as such.
async fn an_idle_session_is_not_listed_as_live(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let idle = app.user(&clinic, "ola", &["reception"]).await;
    let active = app.sign_in("fjord", &idle.email).await;
    // The older session was last seen an hour ago, twice the default idle time of 30 minutes.
    let an_hour_earlier = match backend {
        Backend::Sqlite => "last_seen_at - 3600000000",
        Backend::Postgres => "last_seen_at - interval '1 hour'",
    };
    app.sql(&format!(
        "update session set last_seen_at = {an_hour_earlier} where session_id = (select session_id from session
         where user_id = (select user_id from app_user where email = 'ola@fjord.example')
         order by session_id limit 1)"
    ))
    .await;

    let sessions = ok_json(get(&app, "/api/v1/me/sessions", &active.token).await, 200).await;
    problem(get(&app, "/api/v1/me", &idle.token).await, 401).await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "only the usable session is live: {sessions:?}");
    assert_eq!(sessions[0]["current"], true);
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let other = app.user(&clinic, "ola", &["reception"]).await;
    let this = app.sign_in("fjord", &other.email).await;
    let fresh = "a fresh and lengthy harbour phrase";

    let refused = problem(
        send(
            &app,
            Method::PUT,
            "/api/v1/me/password",
            &this.token,
            &json!({ "current_password": "not the password at all", "new_password": fresh }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["current_password"]);

    for (weak, code) in [
        ("short", "too_short"),
        ("1q2w3e4r5t6y", "too_common"),
        ("ola from the harbour office", "contains_email"),
    ] {
        let refused = problem(
            send(
                &app,
                Method::PUT,
                "/api/v1/me/password",
                &this.token,
                &json!({ "current_password": PASSWORD, "new_password": weak }),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            field_errors(&refused),
            [("new_password".to_owned(), code.to_owned())]
        );
    }
    // Nothing changed so far.
    ok_json(get(&app, "/api/v1/me", &other.token).await, 200).await;

    let changed = send(
        &app,
        Method::PUT,
        "/api/v1/me/password",
        &this.token,
        &json!({ "current_password": PASSWORD, "new_password": fresh }),
    )
    .await;
    assert_eq!(changed.status(), 204);
    ok_json(get(&app, "/api/v1/me", &this.token).await, 200).await;
    problem(get(&app, "/api/v1/me", &other.token).await, 401).await;
    let sessions = ok_json(get(&app, "/api/v1/me/sessions", &this.token).await, 200).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");

    problem(app.login("fjord", &other.email, PASSWORD).await, 401).await;
    ok_json(app.login("fjord", &other.email, fresh).await, 200).await;
}

async fn logging_out_ends_only_that_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let other = app.sign_in("fjord", "admin@fjord.example").await;
    let token = &clinic.admin.token;

    let response = app
        .authed(Method::POST, "/api/v1/auth/logout", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    problem(get(&app, "/api/v1/me", token).await, 401).await;
    problem(
        app.authed(Method::POST, "/api/v1/auth/logout", token)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    ok_json(get(&app, "/api/v1/me", &other.token).await, 200).await;
}

// ---------------------------------------------------------------------------------------------------------
// API keys
// ---------------------------------------------------------------------------------------------------------

async fn a_created_key_shows_its_secret_once_and_works_as_a_bearer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;

    let response = send(
        &app,
        Method::POST,
        "/api/v1/api-keys",
        admin,
        &json!({ "name": "Booking widget", "scopes": ["scheduling:write", "patients:read", "patients:read"] }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let created = ok_json(response, 201).await;
    let id = created["id"].as_str().unwrap();
    let secret = key_secret(&created);
    assert_eq!(location, format!("/api/v1/api-keys/{id}"));
    assert!(secret.starts_with("prx_"), "{secret}");
    assert_eq!(secret.len(), 68);
    assert_eq!(created["prefix"], &secret[..12]);
    assert_eq!(created["name"], "Booking widget");
    assert_eq!(created["scopes"], json!(["scheduling:write", "patients:read"]));
    assert_eq!(created["created_by"], clinic.admin.user_id.to_string());
    assert!(created["expires_at"].is_null());
    assert!(created["revoked_at"].is_null());
    assert!(created["last_used_at"].is_null());
    assert!(created.get("secret_hash").is_none(), "{created}");

    // Listed without the secret or its hash, and unused so far.
    let hash = praxis::services::access::secrets::hash_token(&secret);
    let listing = get(&app, "/api/v1/api-keys", admin).await;
    assert_eq!(listing.status(), 200);
    let text = listing.text().await.unwrap();
    assert!(!text.contains(&secret) && !text.contains(&hash), "{text}");
    assert!(!text.contains("secret"), "{text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], id);
    assert_eq!(listed["data"][0]["prefix"], &secret[..12]);
    assert!(listed["data"][0]["last_used_at"].is_null());

    let me = ok_json(get(&app, "/api/v1/me", &secret).await, 200).await;
    assert_eq!(me["kind"], "api_key");
    assert_eq!(me["id"], id);
    assert_eq!(me["organization_id"], clinic.organization_id.to_string());
    assert_eq!(me["scopes"], json!(["scheduling:write", "patients:read"]));
    assert!(me.get("roles").is_none(), "{me}");
    let organization = ok_json(get(&app, "/api/v1/organization", &secret).await, 200).await;
    assert_eq!(organization["slug"], "fjord");

    // Its first use is recorded.
    let used = listed_key(&app, admin, id).await;
    let last_used: jiff::Timestamp = used["last_used_at"]
        .as_str()
        .expect("last_used_at is set after the first use")
        .parse()
        .unwrap();
    let created_at: jiff::Timestamp = created["created_at"].as_str().unwrap().parse().unwrap();
    assert!(last_used >= created_at);
    assert!(last_used <= jiff::Timestamp::now());

    // A mangled secret is nobody.
    let mangled = format!("{}0", &secret[..secret.len() - 1]);
    let mangled = if mangled == secret {
        format!("{}1", &secret[..secret.len() - 1])
    } else {
        mangled
    };
    problem(get(&app, "/api/v1/me", &mangled).await, 401).await;
    problem(get(&app, "/api/v1/me", &secret[..12]).await, 401).await;
}

async fn key_scopes_are_checked_against_the_makers_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;

    let cases: [(Value, &[(&str, &str)]); 6] = [
        (
            json!({ "name": "notes", "scopes": ["patients:read", "clinical:read"] }),
            &[("scopes", "exceeds_roles")],
        ),
        (
            json!({ "name": "fhir", "scopes": ["fhir:read"] }),
            &[("scopes", "exceeds_roles")],
        ),
        (
            json!({ "name": "audit", "scopes": ["audit:read"] }),
            &[("scopes", "exceeds_roles")],
        ),
        (
            json!({ "name": "odd", "scopes": ["patients:read", "patients:delete"] }),
            &[("scopes[1]", "unknown_scope")],
        ),
        (
            json!({ "name": "empty", "scopes": [] }),
            &[("scopes", "no_scopes")],
        ),
        (
            json!({ "name": "late", "scopes": ["patients:read"], "expires_at": "2020-01-01T00:00:00Z" }),
            &[("expires_at", "in_the_past")],
        ),
    ];
    for (body, expected) in cases {
        let refused = problem(
            send(&app, Method::POST, "/api/v1/api-keys", admin, &body).await,
            422,
        )
        .await;
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(field, code)| (field.to_string(), code.to_string()))
            .collect();
        assert_eq!(field_errors(&refused), expected, "{body}");
    }
    let refused = problem(
        send(
            &app,
            Method::POST,
            "/api/v1/api-keys",
            admin,
            &json!({ "name": "x", "scopes": ["patients:read"], "admin": true }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["admin"]);
    let listed = ok_json(get(&app, "/api/v1/api-keys", admin).await, 200).await;
    assert_eq!(listed["data"], json!([]), "nothing was stored");

    // An admin who is also a clinician may hand out clinical reads.
    let owner = app.user(&clinic, "owner", &["admin", "clinician"]).await;
    let created = create_key(
        &app,
        &owner.token,
        &json!({ "name": "fhir", "scopes": ["clinical:read", "fhir:read"] }),
    )
    .await;
    assert_eq!(created["scopes"], json!(["clinical:read", "fhir:read"]));
    assert_eq!(created["created_by"], owner.user_id.to_string());

    // A non-admin makes no keys at all.
    let kari = app.user(&clinic, "kari", &["reception"]).await;
    problem(
        send(
            &app,
            Method::POST,
            "/api/v1/api-keys",
            &kari.token,
            &json!({ "name": "mine", "scopes": ["patients:read"] }),
        )
        .await,
        403,
    )
    .await;
    problem(get(&app, "/api/v1/api-keys", &kari.token).await, 403).await;
}

async fn a_revoked_key_is_refused_on_its_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let created = create_key(
        &app,
        admin,
        &json!({ "name": "sync", "scopes": ["patients:read"] }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let secret = key_secret(&created);
    ok_json(get(&app, "/api/v1/me", &secret).await, 200).await;

    let path = format!("/api/v1/api-keys/{id}");
    let revoked = ok_json(
        app.authed(Method::DELETE, &path, admin).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(revoked["id"], id);
    let revoked_at = revoked["revoked_at"]
        .as_str()
        .expect("revoked_at is set")
        .to_owned();
    assert!(!revoked.to_string().contains(&secret));
    problem(get(&app, "/api/v1/me", &secret).await, 401).await;

    let again = ok_json(
        app.authed(Method::DELETE, &path, admin).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(again["revoked_at"], revoked_at.as_str());
    assert_eq!(
        listed_key(&app, admin, id).await["revoked_at"],
        revoked_at.as_str(),
        "revoked keys stay listed with their first revocation time"
    );
    problem(get(&app, "/api/v1/me", &secret).await, 401).await;

    let random = format!("/api/v1/api-keys/{}", uuid::Uuid::now_v7());
    problem(
        app.authed(Method::DELETE, &random, admin).send().await.unwrap(),
        404,
    )
    .await;
}

async fn an_expired_key_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let admin = &clinic.admin.token;
    let expires_at = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let created = create_key(
        &app,
        admin,
        &json!({ "name": "short-lived", "scopes": ["patients:read"], "expires_at": expires_at.to_string() }),
    )
    .await;
    let given: jiff::Timestamp = created["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        given.duration_since(expires_at).abs() < jiff::SignedDuration::from_millis(1),
        "{given} vs {expires_at}"
    );
    let secret = key_secret(&created);
    ok_json(get(&app, "/api/v1/me", &secret).await, 200).await;

    let two_hours_earlier = match backend {
        Backend::Sqlite => "update api_key set expires_at = expires_at - 7200000000",
        Backend::Postgres => "update api_key set expires_at = expires_at - interval '2 hours'",
    };
    app.sql(two_hours_earlier).await;
    problem(get(&app, "/api/v1/me", &secret).await, 401).await;
    let listed = listed_key(&app, admin, created["id"].as_str().unwrap()).await;
    let stored: jiff::Timestamp = listed["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(stored < jiff::Timestamp::now());
}

async fn a_key_cannot_administer_or_act_as_a_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let created = create_key(
        &app,
        &clinic.admin.token,
        &json!({ "name": "everything it can", "scopes": ["patients:write", "scheduling:write", "billing:write"] }),
    )
    .await;
    let key = key_secret(&created);
    let own = format!("/api/v1/api-keys/{}", created["id"].as_str().unwrap());
    let admin_user = format!("/api/v1/users/{}", clinic.admin.user_id);

    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/v1/api-keys".to_owned(),
            Some(json!({ "name": "child", "scopes": ["patients:read"] })),
        ),
        (Method::GET, "/api/v1/api-keys".to_owned(), None),
        (Method::DELETE, own.clone(), None),
        (
            Method::POST,
            "/api/v1/users".to_owned(),
            Some(new_user("mallory@fjord.example", "Mallory", &["admin"], PASSWORD)),
        ),
        (Method::GET, "/api/v1/users".to_owned(), None),
        (Method::GET, admin_user.clone(), None),
        (
            Method::PATCH,
            admin_user.clone(),
            Some(json!({ "roles": ["reception"] })),
        ),
        (Method::POST, format!("{admin_user}/deactivate"), None),
        (
            Method::PATCH,
            "/api/v1/organization".to_owned(),
            Some(json!({ "name": "Taken over" })),
        ),
        (Method::POST, "/api/v1/auth/logout".to_owned(), None),
        (Method::GET, "/api/v1/me/sessions".to_owned(), None),
        (
            Method::PUT,
            "/api/v1/me/password".to_owned(),
            Some(json!({ "current_password": PASSWORD, "new_password": "a fresh and lengthy phrase" })),
        ),
        (Method::GET, "/api/v1/audit-events".to_owned(), None),
    ];
    for (method, path, body) in attempts {
        let mut request = app.authed(method.clone(), &path, &key);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let refused = problem(response, 403).await;
        assert!(!refused.to_string().contains(&key), "{method} {path}");
    }

    // Refusals do not revoke the key, and nothing changed.
    let me = ok_json(get(&app, "/api/v1/me", &key).await, 200).await;
    assert_eq!(me["kind"], "api_key");
    assert_eq!(
        all_user_ids(&app, &clinic.admin.token, 500).await,
        [clinic.admin.user_id.to_string()]
    );
    let keys = ok_json(get(&app, "/api/v1/api-keys", &clinic.admin.token).await, 200).await;
    assert_eq!(keys["data"].as_array().unwrap().len(), 1);
    assert!(keys["data"][0]["revoked_at"].is_null());
    let organization = ok_json(get(&app, "/api/v1/organization", &clinic.admin.token).await, 200).await;
    assert_eq!(organization["version"], 1);
    ok_json(get(&app, "/api/v1/me", &clinic.admin.token).await, 200).await;
}

async fn a_page_that_ends_the_list_has_no_cursor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    app.user(&clinic, "ola", &["reception"]).await;
    // Two users and a page of two: the first page is the last, with no cursor to an empty page.
    let page = ok_json(get(&app, "/api/v1/users?limit=2", &clinic.admin.token).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(page["next_cursor"].is_null(), "{page}");
}

async fn a_key_never_outlasts_or_outranks_its_maker(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let maker = app.user(&clinic, "maker", &["admin", "auditor"]).await;
    let created = create_key(
        &app,
        &maker.token,
        &json!({ "name": "Audit export", "scopes": ["audit:read"] }),
    )
    .await;
    let key = key_secret(&created);
    assert_eq!(get(&app, "/api/v1/audit-events", &key).await.status(), 200);

    // The maker loses the auditor role: the key's audit:read no longer grants anything.
    let path = format!("/api/v1/users/{}", maker.user_id);
    let demoted = send(
        &app,
        Method::PATCH,
        &path,
        &clinic.admin.token,
        &json!({ "roles": ["admin"] }),
    )
    .await;
    assert_eq!(demoted.status(), 200);
    problem(get(&app, "/api/v1/audit-events", &key).await, 403).await;

    // The maker is deactivated: the key stops working altogether.
    let path = format!("/api/v1/users/{}/deactivate", maker.user_id);
    assert_eq!(
        send(&app, Method::POST, &path, &clinic.admin.token, &json!({}))
            .await
            .status(),
        200
    );
    problem(get(&app, "/api/v1/me", &key).await, 401).await;
}

async fn an_admin_cannot_remove_their_own_admin_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let path = format!("/api/v1/users/{}", clinic.admin.user_id);
    let answer = send(
        &app,
        Method::PATCH,
        &path,
        &clinic.admin.token,
        &json!({ "roles": ["clinician"] }),
    )
    .await;
    problem(answer, 409).await;
    let me = ok_json(get(&app, "/api/v1/me", &clinic.admin.token).await, 200).await;
    assert_eq!(me["roles"], json!(["admin"]));
}

async fn guessing_the_current_password_locks_the_account_and_ends_its_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let ola = app.user(&clinic, "ola", &["reception"]).await;
    let guess =
        json!({ "current_password": "not the right one at all", "new_password": "fresh harbour lantern" });
    for _ in 0..5 {
        let answer = send(&app, Method::PUT, "/api/v1/me/password", &ola.token, &guess).await;
        problem(answer, 422).await;
    }
    // Locked: the stolen session is gone and even the right password does not sign in.
    problem(get(&app, "/api/v1/me", &ola.token).await, 401).await;
    problem(app.login("fjord", &ola.email, PASSWORD).await, 401).await;
}

on_both_backends!(
    a_page_that_ends_the_list_has_no_cursor,
    a_key_never_outlasts_or_outranks_its_maker,
    an_admin_cannot_remove_their_own_admin_role,
    guessing_the_current_password_locks_the_account_and_ends_its_sessions,
    creating_a_user_answers_the_account_without_its_hash,
    invalid_users_are_refused_field_by_field_and_nothing_is_stored,
    a_bad_email_does_not_hide_a_bad_password,
    users_are_listed_in_creation_order_page_by_page,
    users_are_changed_under_their_version_and_roles_apply_at_once,
    deactivation_ends_sessions_and_sign_ins_at_once,
    another_organizations_users_sessions_and_keys_are_not_found,
    everyone_reads_themselves_and_their_organization,
    admins_change_the_organization_under_its_version,
    users_list_and_end_their_own_sessions,
    an_idle_session_is_not_listed_as_live,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    logging_out_ends_only_that_session,
    a_created_key_shows_its_secret_once_and_works_as_a_bearer,
    key_scopes_are_checked_against_the_makers_roles,
    a_revoked_key_is_refused_on_its_next_request,
    an_expired_key_is_refused,
    a_key_cannot_administer_or_act_as_a_person,
);
