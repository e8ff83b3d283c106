//! The walk-in queue: numbered tickets per queue and day, call-next for desks calling at the same moment,
//! the ticket's statuses, estimated waits, the public waiting-room screen, and the audit of patient data.

mod common;

use std::collections::BTreeSet;

use common::{Backend, Clinic, TestApp, problem};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use tokio::task::JoinSet;

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = app.authed(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn ok(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "{text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// Creates a queue; answers it as created, with its display token.
async fn queue(app: &TestApp, clinic: &Clinic, body: Value) -> Value {
    let response = send(
        app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/queues",
        Some(body),
    )
    .await;
    ok(response, 201).await
}

fn tickets_path(queue: &Value) -> String {
    format!("/api/v1/queues/{}/tickets", queue["id"].as_str().unwrap())
}

async fn issue(app: &TestApp, clinic: &Clinic, queue: &Value, body: Value) -> Value {
    let response = send(
        app,
        &clinic.admin.token,
        Method::POST,
        &tickets_path(queue),
        Some(body),
    )
    .await;
    ok(response, 201).await
}

async fn call_next(app: &TestApp, clinic: &Clinic, queue: &Value, desk: &str) -> Response {
    let path = format!("/api/v1/queues/{}/call-next", queue["id"].as_str().unwrap());
    send(
        app,
        &clinic.admin.token,
        Method::POST,
        &path,
        Some(json!({ "desk": desk })),
    )
    .await
}

async fn change(app: &TestApp, clinic: &Clinic, ticket: &Value, body: Value) -> Response {
    let path = format!(
        "/api/v1/queues/{}/tickets/{}/status",
        ticket["queue_id"].as_str().unwrap(),
        ticket["id"].as_str().unwrap()
    );
    send(app, &clinic.admin.token, Method::POST, &path, Some(body)).await
}

/// Today's tickets of the queue, optionally `?status=…`.
async fn tickets(app: &TestApp, clinic: &Clinic, queue: &Value, query: &str) -> Vec<Value> {
    let path = format!("{}{query}", tickets_path(queue));
    let page = ok(
        send(app, &clinic.admin.token, Method::GET, &path, None).await,
        200,
    )
    .await;
    assert!(page["next_cursor"].is_null());
    page["data"].as_array().unwrap().clone()
}

async fn set_time_zone(app: &TestApp, clinic: &Clinic, zone: &str) {
    let body = json!({ "time_zone": zone });
    let response = send(
        app,
        &clinic.admin.token,
        Method::PATCH,
        "/api/v1/organization",
        Some(body),
    )
    .await;
    ok(response, 200).await;
}

async fn patient(app: &TestApp, clinic: &Clinic) -> String {
    let body = json!({"kind": "person", "given_name": "Kari", "family_name": "Nordmann", "birth_date": "1990-01-01"});
    let response = send(
        app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/patients",
        Some(body),
    )
    .await;
    ok(response, 201).await["id"].as_str().unwrap().to_owned()
}

/// The auditor's view of the events with this action, newest first.
async fn trail(app: &TestApp, auditor: &str, action: &str) -> Vec<Value> {
    let path = format!("/api/v1/audit-events?action={action}");
    let page = ok(send(app, auditor, Method::GET, &path, None).await, 200).await;
    page["data"].as_array().unwrap().clone()
}

/// Sends `count` requests at once, from tasks of their own; answers each status with its body.
async fn at_once(app: &TestApp, token: &str, path: &str, bodies: Vec<Value>) -> Vec<(u16, String)> {
    let mut requests = JoinSet::new();
    for body in bodies {
        let request = app.authed(Method::POST, path, token).json(&body);
        requests.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        });
    }
    requests.join_all().await
}

async fn a_queue_is_created_read_and_changed_and_its_display_token_is_shown_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let response = send(
        &app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/queues",
        Some(json!({"name": "Walk-in", "location": "Ground floor"})),
    )
    .await;
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = ok(response, 201).await;
    assert_eq!(
        location,
        format!("/api/v1/queues/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["average_service_minutes"], 10, "the default");
    let token = created["display_token"].as_str().unwrap();
    assert_eq!(token.len(), 64, "256 random bits");
    assert_eq!(created["display_path"], format!("/api/v1/queue-displays/{token}"));

    let read = ok(
        send(&app, &clinic.admin.token, Method::GET, &location, None).await,
        200,
    )
    .await;
    assert!(read.get("display_token").is_none(), "only a hash is kept: {read}");
    assert_eq!(read["location"], "Ground floor");

    let stale = app
        .authed(Method::PATCH, &location, &clinic.admin.token)
        .header("if-match", "\"7\"")
        .json(&json!({"average_service_minutes": 6}));
    problem(stale.send().await.unwrap(), 412).await;
    let fresh = app
        .authed(Method::PATCH, &location, &clinic.admin.token)
        .header("if-match", "\"1\"")
        .json(&json!({"average_service_minutes": 6, "location": null}));
    let response = fresh.send().await.unwrap();
    assert_eq!(response.headers()["etag"], "\"2\"");
    let changed = ok(response, 200).await;
    assert_eq!(
        (
            changed["average_service_minutes"].clone(),
            changed["location"].clone()
        ),
        (json!(6), Value::Null)
    );
    assert_eq!(changed["name"], "Walk-in", "left out, so kept");

    let duplicate = send(
        &app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/queues",
        Some(json!({"name": "Walk-in"})),
    )
    .await;
    problem(duplicate, 409).await;
    let bad = json!({"name": " ", "average_service_minutes": 0});
    let body = problem(
        send(
            &app,
            &clinic.admin.token,
            Method::POST,
            "/api/v1/queues",
            Some(bad),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "average_service_minutes"]);

    let listed = ok(
        send(&app, &clinic.admin.token, Method::GET, "/api/v1/queues", None).await,
        200,
    )
    .await;
    assert_eq!(listed["data"], json!([changed]));
}

/// DESIGN: each organization has a time zone; a ticket's day is the clinic's day, and numbers restart on it.
async fn ticket_numbers_restart_each_day_of_the_organizations_time_zone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    // UTC+14 and UTC−11 are 25 hours apart: at any instant their dates differ.
    set_time_zone(&app, &clinic, "Pacific/Kiritimati").await;
    let first = issue(&app, &clinic, &walk_in, json!({})).await;
    let second = issue(&app, &clinic, &walk_in, json!({})).await;
    assert_eq!(
        (first["number"].clone(), second["number"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(first["day"], second["day"]);

    set_time_zone(&app, &clinic, "Pacific/Pago_Pago").await;
    let other_day = issue(&app, &clinic, &walk_in, json!({})).await;
    assert_ne!(other_day["day"], first["day"]);
    assert_eq!(other_day["number"], 1, "a new day starts at 1");
    let today = tickets(&app, &clinic, &walk_in, "").await;
    assert_eq!(today, [other_day], "only the day's tickets are listed");

    // Back to the first day: its numbering goes on where it stopped, never reusing a number.
    set_time_zone(&app, &clinic, "Pacific/Kiritimati").await;
    let third = issue(&app, &clinic, &walk_in, json!({})).await;
    if third["day"] == first["day"] {
        assert_eq!(third["number"], 3);
    } else {
        assert_eq!(third["number"], 1, "Kiritimati passed midnight meanwhile");
    }

    // Each queue counts for itself.
    let blood = queue(&app, &clinic, json!({"name": "Blood tests"})).await;
    assert_eq!(issue(&app, &clinic, &blood, json!({})).await["number"], 1);
}

async fn tickets_issued_at_the_same_moment_get_unique_consecutive_numbers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    let answers = at_once(
        &app,
        &clinic.admin.token,
        &tickets_path(&walk_in),
        vec![json!({}); 20],
    )
    .await;
    let mut numbers = Vec::new();
    for (status, body) in answers {
        assert_eq!(status, 201, "{body}");
        numbers.push(
            serde_json::from_str::<Value>(&body).unwrap()["number"]
                .as_i64()
                .unwrap(),
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());
}

async fn desks_calling_at_the_same_moment_each_get_a_different_ticket(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    let mut issued = BTreeSet::new();
    for _ in 0..10 {
        issued.insert(
            issue(&app, &clinic, &walk_in, json!({})).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let path = format!("/api/v1/queues/{}/call-next", walk_in["id"].as_str().unwrap());
    let desks = (1..=30)
        .map(|desk| json!({ "desk": format!("Desk {desk}") }))
        .collect();
    let answers = at_once(&app, &clinic.admin.token, &path, desks).await;

    let mut called = Vec::new();
    for (status, body) in &answers {
        match status {
            200 => {
                let ticket: Value = serde_json::from_str(body).unwrap();
                assert_eq!(ticket["status"], "called");
                called.push(ticket["id"].as_str().unwrap().to_owned());
            }
            204 => assert!(body.is_empty(), "204 has no body"),
            other => panic!("call-next answered {other}: {body}"),
        }
    }
    let distinct: BTreeSet<String> = called.iter().cloned().collect();
    assert_eq!(called.len(), 10, "ten desks got a ticket, the other twenty 204");
    assert_eq!(distinct, issued, "every ticket was called exactly once");

    let listed = tickets(&app, &clinic, &walk_in, "").await;
    assert!(
        listed
            .iter()
            .all(|ticket| ticket["status"] == "called" && ticket["desk"].is_string())
    );
    let desks: BTreeSet<&str> = listed
        .iter()
        .map(|ticket| ticket["desk"].as_str().unwrap())
        .collect();
    assert_eq!(
        desks.len(),
        10,
        "each ticket went to one desk, each desk got one ticket"
    );
    ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 204).await;
}

async fn a_ticket_moves_only_along_the_allowed_transitions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    let first = issue(&app, &clinic, &walk_in, json!({})).await;
    let second = issue(&app, &clinic, &walk_in, json!({})).await;
    let third = issue(&app, &clinic, &walk_in, json!({})).await;

    let jump = problem(
        change(&app, &clinic, &second, json!({"status": "called"})).await,
        409,
    )
    .await;
    let detail = jump["detail"].as_str().unwrap();
    assert!(
        detail.contains("from waiting to called") && detail.contains("call-next"),
        "{detail}"
    );
    let early = problem(
        change(&app, &clinic, &first, json!({"status": "serving"})).await,
        409,
    )
    .await;
    assert_eq!(early["detail"], "a ticket cannot go from waiting to serving");

    let called = ok(call_next(&app, &clinic, &walk_in, "Desk 2").await, 200).await;
    assert_eq!(
        (called["id"].clone(), called["desk"].clone()),
        (first["id"].clone(), json!("Desk 2"))
    );
    let skipped = problem(
        change(&app, &clinic, &called, json!({"status": "done"})).await,
        409,
    )
    .await;
    assert_eq!(skipped["detail"], "a ticket cannot go from called to done");
    let recalled = ok(
        change(
            &app,
            &clinic,
            &called,
            json!({"status": "called", "desk": "Desk 4"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (recalled["status"].clone(), recalled["desk"].clone()),
        (json!("called"), json!("Desk 4"))
    );

    let stale = app
        .authed(
            Method::POST,
            &format!(
                "{}/{}/status",
                tickets_path(&walk_in),
                called["id"].as_str().unwrap()
            ),
            &clinic.admin.token,
        )
        .header("if-match", format!("\"{}\"", called["version"]))
        .json(&json!({"status": "serving"}));
    problem(stale.send().await.unwrap(), 412).await;
    let serving = ok(
        change(&app, &clinic, &recalled, json!({"status": "serving"})).await,
        200,
    )
    .await;
    assert!(serving["serving_at"].is_string());
    let done = ok(
        change(&app, &clinic, &serving, json!({"status": "done"})).await,
        200,
    )
    .await;
    assert!(done["finished_at"].is_string());
    let back = problem(
        change(&app, &clinic, &done, json!({"status": "serving"})).await,
        409,
    )
    .await;
    assert_eq!(back["detail"], "a ticket cannot go from done to serving");

    ok(
        change(&app, &clinic, &second, json!({"status": "cancelled"})).await,
        200,
    )
    .await;
    problem(
        change(&app, &clinic, &second, json!({"status": "no_show"})).await,
        409,
    )
    .await;
    let absent = ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 200).await;
    assert_eq!(absent["id"], third["id"], "the cancelled ticket is not called");
    ok(
        change(&app, &clinic, &absent, json!({"status": "no_show"})).await,
        200,
    )
    .await;
    ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 204).await;

    let unknown = problem(
        change(&app, &clinic, &first, json!({"status": "finished"})).await,
        422,
    )
    .await;
    assert_eq!(unknown["errors"][0]["field"], "status");
    let desk = problem(
        change(&app, &clinic, &first, json!({"status": "done", "desk": "Desk 1"})).await,
        422,
    )
    .await;
    assert_eq!(desk["errors"][0]["field"], "desk");

    // A ticket is found only under its own queue.
    let other = queue(&app, &clinic, json!({"name": "Blood tests"})).await;
    let mut elsewhere = first.clone();
    elsewhere["queue_id"] = other["id"].clone();
    problem(
        change(&app, &clinic, &elsewhere, json!({"status": "serving"})).await,
        404,
    )
    .await;
    let states: Vec<Value> = tickets(&app, &clinic, &walk_in, "")
        .await
        .iter()
        .map(|t| t["status"].clone())
        .collect();
    assert_eq!(states, [json!("done"), json!("cancelled"), json!("no_show")]);
    let filtered = tickets(&app, &clinic, &walk_in, "?status=cancelled").await;
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0]["id"], second["id"]);
    let path = format!("{}?status=gone", tickets_path(&walk_in));
    problem(
        send(&app, &clinic.admin.token, Method::GET, &path, None).await,
        422,
    )
    .await;
}

async fn the_waiting_room_screen_shows_numbers_and_desks_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    let patient_id = patient(&app, &clinic).await;
    let reason = "Wound dressing";
    issue(
        &app,
        &clinic,
        &walk_in,
        json!({"patient_id": patient_id, "reason": reason}),
    )
    .await;
    issue(&app, &clinic, &walk_in, json!({"reason": "Blood test"})).await;
    for _ in 0..3 {
        issue(&app, &clinic, &walk_in, json!({"patient_id": patient_id})).await;
    }
    ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 200).await;
    let second = ok(call_next(&app, &clinic, &walk_in, "Desk 2").await, 200).await;
    ok(
        change(&app, &clinic, &second, json!({"status": "serving"})).await,
        200,
    )
    .await;

    let path = walk_in["display_path"].as_str().unwrap();
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "no sign-in needed");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let text = response.text().await.unwrap();
    for secret in [patient_id.as_str(), reason, "Blood test", "Kari", "Nordmann"] {
        assert!(!text.contains(secret), "the screen shows {secret:?}: {text}");
    }
    let screen: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        screen,
        json!({
            "name": "Walk-in",
            "now_calling": [
                {"number": 2, "desk": "Desk 2", "status": "serving"},
                {"number": 1, "desk": "Desk 1", "status": "called"},
            ],
            "next_numbers": [3, 4, 5],
            "waiting": 3,
        })
    );

    problem(
        app.get(&format!("/api/v1/queue-displays/{}", "0".repeat(64)))
            .await,
        404,
    )
    .await;
    problem(app.get("/api/v1/queue-displays/not-a-token").await, 404).await;

    // A rotated token replaces the old one at once.
    let rotate = format!("/api/v1/queues/{}/display-token", walk_in["id"].as_str().unwrap());
    let rotated = ok(
        send(&app, &clinic.admin.token, Method::POST, &rotate, None).await,
        200,
    )
    .await;
    assert_eq!(rotated["version"], 2);
    problem(app.get(path).await, 404).await;
    let screen_again: Value = app
        .get(rotated["display_path"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(screen_again, screen);
}

async fn waiting_tickets_get_positions_and_estimates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let walk_in = queue(
        &app,
        &clinic,
        json!({"name": "Walk-in", "average_service_minutes": 8}),
    )
    .await;
    let mut issued = Vec::new();
    for _ in 0..4 {
        issued.push(issue(&app, &clinic, &walk_in, json!({})).await);
    }
    let places = |tickets: &[Value]| -> Vec<(Value, Value)> {
        tickets
            .iter()
            .map(|t| (t["position"].clone(), t["estimated_wait_minutes"].clone()))
            .collect()
    };
    assert_eq!(
        places(&issued[3..]),
        [(json!(4), json!(32))],
        "the new ticket learns its place"
    );
    let waiting = tickets(&app, &clinic, &walk_in, "").await;
    assert_eq!(
        places(&waiting),
        [
            (json!(1), json!(8)),
            (json!(2), json!(16)),
            (json!(3), json!(24)),
            (json!(4), json!(32))
        ],
        "no desk yet counts as one; the queue's 8 minutes stand in for the day's average"
    );

    // Two desks at work share the queue.
    let first = ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 200).await;
    ok(call_next(&app, &clinic, &walk_in, "Desk 2").await, 200).await;
    let waiting = tickets(&app, &clinic, &walk_in, "?status=waiting").await;
    assert_eq!(
        places(&waiting),
        [(json!(1), json!(4)), (json!(2), json!(8))],
        "8 minutes ÷ 2 desks"
    );
    let called = tickets(&app, &clinic, &walk_in, "?status=called").await;
    assert_eq!(
        places(&called),
        vec![(Value::Null, Value::Null); 2],
        "only waiting tickets have a place"
    );

    // Once a ticket is done, the day's own service times replace the configured average: this one took
    // seconds, so the waits drop to (at most) a minute.
    let serving = ok(
        change(&app, &clinic, &first, json!({"status": "serving"})).await,
        200,
    )
    .await;
    ok(
        change(&app, &clinic, &serving, json!({"status": "done"})).await,
        200,
    )
    .await;
    let waiting = tickets(&app, &clinic, &walk_in, "?status=waiting").await;
    for ticket in &waiting {
        assert!(
            ticket["estimated_wait_minutes"].as_i64().unwrap() <= 1,
            "{ticket}"
        );
    }
    let path = format!(
        "{}/{}",
        tickets_path(&walk_in),
        waiting[1]["id"].as_str().unwrap()
    );
    let read = ok(
        send(&app, &clinic.admin.token, Method::GET, &path, None).await,
        200,
    )
    .await;
    assert_eq!(read["position"], 2, "a ticket read alone has its place too");
}

async fn ticket_reads_and_changes_are_audited_under_the_patient(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let walk_in = queue(&app, &clinic, json!({"name": "Walk-in"})).await;
    let patient_id = patient(&app, &clinic).await;
    let reason = "Dressing change xq7";
    let ticket = issue(
        &app,
        &clinic,
        &walk_in,
        json!({"patient_id": patient_id, "reason": reason}),
    )
    .await;
    assert_eq!(
        (ticket["patient_id"].as_str(), ticket["reason"].as_str()),
        (Some(patient_id.as_str()), Some(reason))
    );
    issue(&app, &clinic, &walk_in, json!({"reason": "Blood test"})).await;

    let listed = tickets(&app, &clinic, &walk_in, "").await;
    assert_eq!(listed[0]["reason"], reason, "opened for staff");
    let called = ok(call_next(&app, &clinic, &walk_in, "Desk 1").await, 200).await;
    assert_eq!(called["reason"], reason);
    ok(
        change(&app, &clinic, &called, json!({"status": "serving"})).await,
        200,
    )
    .await;
    let path = format!("{}/{}", tickets_path(&walk_in), ticket["id"].as_str().unwrap());
    ok(
        send(&app, &clinic.admin.token, Method::GET, &path, None).await,
        200,
    )
    .await;

    for action in [
        "queue_ticket.issue",
        "queue_ticket.call_next",
        "queue_ticket.status_change",
        "queue_ticket.read",
    ] {
        let events = trail(&app, &auditor.token, action).await;
        let about_patient: Vec<&Value> = events
            .iter()
            .filter(|e| e["patient_id"] == patient_id.as_str())
            .collect();
        assert_eq!(about_patient.len(), 1, "{action}: {events:?}");
        assert_eq!(about_patient[0]["entity_id"], ticket["id"], "{action}");
        assert!(
            !about_patient[0].to_string().contains(reason),
            "{action} holds no reason"
        );
    }
    let changes = trail(&app, &auditor.token, "queue_ticket.status_change").await;
    assert_eq!(
        (
            changes[0]["details"]["from"].clone(),
            changes[0]["details"]["to"].clone()
        ),
        (json!("called"), json!("serving"))
    );
    let lists = trail(&app, &auditor.token, "queue_ticket.list").await;
    assert_eq!(lists.len(), 1, "one event per list call");
    assert_eq!(lists[0]["details"]["patient_ids"], json!([patient_id]));
    assert_eq!(lists[0]["entity_id"], walk_in["id"]);

    // The patient must be the organization's own, and not deleted.
    let other = app.clinic("other").await;
    let foreign = patient(&app, &other).await;
    let deleted = patient(&app, &clinic).await;
    ok(
        send(
            &app,
            &clinic.admin.token,
            Method::DELETE,
            &format!("/api/v1/patients/{deleted}"),
            None,
        )
        .await,
        204,
    )
    .await;
    for patient_id in [foreign, deleted, uuid::Uuid::now_v7().to_string()] {
        let response = send(
            &app,
            &clinic.admin.token,
            Method::POST,
            &tickets_path(&walk_in),
            Some(json!({"patient_id": patient_id})),
        )
        .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], "patient_id");
    }

    // The reason of a patient's ticket is sealed under the patient's key: erasing the patient erases it.
    let erase = format!("/api/v1/patients/{patient_id}/erasure");
    let erased = send(
        &app,
        &clinic.admin.token,
        Method::POST,
        &erase,
        Some(json!({"legal_reason": "court order 2026/1"})),
    )
    .await;
    ok(erased, 200).await;
    let listed = tickets(&app, &clinic, &walk_in, "").await;
    assert_eq!(
        (listed[0]["patient_id"].as_str(), listed[0]["reason"].clone()),
        (Some(patient_id.as_str()), Value::Null)
    );
    assert_eq!(
        listed[1]["reason"], "Blood test",
        "a ticket without a patient keeps its reason"
    );
    let stored = app.raw_database_text(&["queue_ticket"]).await;
    assert!(!stored.contains(reason), "the reason is not stored in clear");
}

on_both_backends!(
    a_queue_is_created_read_and_changed_and_its_display_token_is_shown_once,
    ticket_numbers_restart_each_day_of_the_organizations_time_zone,
    tickets_issued_at_the_same_moment_get_unique_consecutive_numbers,
    desks_calling_at_the_same_moment_each_get_a_different_ticket,
    a_ticket_moves_only_along_the_allowed_transitions,
    the_waiting_room_screen_shows_numbers_and_desks_only,
    waiting_tickets_get_positions_and_estimates,
    ticket_reads_and_changes_are_audited_under_the_patient,
);
