use super::*;
use proptest::prelude::*;
use serde_json::json;

fn uuid(s: &str) -> Uuid {
    s.parse().unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const ORG: &str = "0190c8a0-0000-7000-8000-000000000001";
const USER: &str = "0190c8a0-0000-7000-8000-0000000000aa";
const PATIENT: &str = "0190c8a0-0000-7000-8000-0000000000bb";

/// The event whose hash the golden test pins; it touches every element of the format, escaping included.
fn golden_event() -> AuditEvent {
    AuditEvent {
        actor_role: Some("admin,clinician".into()),
        entity_type: Some("patient".into()),
        entity_id: Some(PATIENT.into()),
        patient_id: Some(uuid(PATIENT)),
        request_id: Some("req-1".into()),
        ip: Some("192.0.2.10".into()),
        user_agent: Some("Mozilla/5.0 \"Praxis\"\tø/1".into()),
        details: json!({"fields": ["phone", "email"], "count": 2, "a": {"z": null, "b": true}}),
        ..AuditEvent::new(
            uuid(ORG),
            1,
            ts("2024-05-17T08:30:00.123456789Z"),
            Actor::User { id: uuid(USER) },
            "patient.update",
            Outcome::Success,
        )
    }
}

/// Five events of one organization, different enough that every field varies somewhere.
fn sample_events() -> Vec<AuditEvent> {
    let org = uuid(ORG);
    let at = ts("2024-05-17T08:00:00Z");
    let mut login = AuditEvent::new(org, 1, at, Actor::Anonymous, "auth.login", Outcome::Failure);
    login.ip = Some("192.0.2.10".into());
    login.details = json!({"reason": "bad_password"});
    let read = AuditEvent {
        patient_id: Some(uuid(PATIENT)),
        ..golden_event()
    };
    let mut denied = AuditEvent::new(
        org,
        3,
        at,
        Actor::ApiKey { id: uuid(USER) },
        "note.read",
        Outcome::Denied,
    );
    denied.request_id = Some("req-3".into());
    let system = AuditEvent::new(org, 4, at, Actor::System, "backup.create", Outcome::Success);
    let mut logout = AuditEvent::new(
        org,
        5,
        at,
        Actor::User { id: uuid(USER) },
        "auth.logout",
        Outcome::Success,
    );
    logout.user_agent = Some("curl/8".into());
    let mut events = vec![login, read, denied, system, logout];
    for (i, event) in events.iter_mut().enumerate() {
        event.seq = i as i64 + 1;
    }
    events
}

/// The hashes a store would have written for `events`.
fn hashes(events: &[AuditEvent]) -> Vec<ChainHash> {
    let mut prev = ChainHash::GENESIS;
    events
        .iter()
        .map(|event| {
            prev = chain_hash(&prev, event);
            prev
        })
        .collect()
}

fn verify(events: &[AuditEvent], hashes: &[ChainHash]) -> Result<ChainHead, BrokenLink> {
    verify_chain(events.iter().zip(hashes))
}

#[test]
fn golden_event_has_this_canonical_encoding_and_hash_forever() {
    let event = golden_event();
    let expected = concat!(
        r#"["praxis.audit.v1","0190c8a0-0000-7000-8000-000000000001",1,"2024-05-17T08:30:00.123456Z","#,
        r#""user","0190c8a0-0000-7000-8000-0000000000aa","admin,clinician","patient.update","patient","#,
        r#""0190c8a0-0000-7000-8000-0000000000bb","0190c8a0-0000-7000-8000-0000000000bb","success","req-1","#,
        r#""192.0.2.10","Mozilla/5.0 \"Praxis\"\tø/1","#,
        r#"{"a":{"b":true,"z":null},"count":2,"fields":["phone","email"]}]"#,
    );
    assert_eq!(String::from_utf8(event.canonical_bytes()).unwrap(), expected);
    // Also computed independently with Python's `json.dumps` and `hashlib`, as the module doc describes.
    let hash = "a7ec8d10506b4ed30862f19cc504309742d5d1eb7b4fbb96243cb4dc83d80439";
    assert_eq!(chain_hash(&ChainHash::GENESIS, &event).to_string(), hash);
}

#[test]
fn a_chain_of_several_events_verifies_to_its_head() {
    let events = sample_events();
    let hashes = hashes(&events);
    let head = verify(&events, &hashes).unwrap();
    assert_eq!(
        head,
        ChainHead {
            seq: 5,
            hash: hashes[4]
        }
    );
}

#[test]
fn an_empty_chain_verifies_to_genesis() {
    assert_eq!(
        verify(&[], &[]).unwrap(),
        ChainHead {
            seq: 0,
            hash: ChainHash::GENESIS
        }
    );
}

/// A field's name and a change to it.
type Mutation = (&'static str, fn(&mut AuditEvent));

#[test]
fn changing_any_field_of_any_event_breaks_the_chain_at_that_event() {
    fn toggle(field: &mut Option<String>) {
        *field = match field.take() {
            Some(_) => None,
            None => Some("changed".into()),
        };
    }
    let mutations: [Mutation; 14] = [
        ("organization_id", |e| e.organization_id = Uuid::nil()),
        ("occurred_at", |e| {
            e.occurred_at += jiff::SignedDuration::from_micros(1)
        }),
        ("actor", |e| {
            e.actor = if e.actor == Actor::System {
                Actor::Anonymous
            } else {
                Actor::System
            }
        }),
        ("actor_role", |e| toggle(&mut e.actor_role)),
        ("action", |e| e.action.push_str(".changed")),
        ("entity_type", |e| toggle(&mut e.entity_type)),
        ("entity_id", |e| toggle(&mut e.entity_id)),
        ("patient_id", |e| {
            e.patient_id = if e.patient_id.is_some() {
                None
            } else {
                Some(Uuid::nil())
            }
        }),
        ("outcome", |e| {
            e.outcome = if e.outcome == Outcome::Denied {
                Outcome::Success
            } else {
                Outcome::Denied
            }
        }),
        ("request_id", |e| toggle(&mut e.request_id)),
        ("ip", |e| toggle(&mut e.ip)),
        ("user_agent", |e| toggle(&mut e.user_agent)),
        ("details", |e| e.details["changed"] = json!(true)),
        ("actor id", |e| e.actor = Actor::User { id: Uuid::max() }),
    ];
    let events = sample_events();
    let hashes = hashes(&events);
    for i in 0..events.len() {
        for (field, mutate) in mutations {
            let mut altered = events.clone();
            mutate(&mut altered[i]);
            let broken = verify(&altered, &hashes).unwrap_err();
            let expected = BrokenLink {
                seq: i as i64 + 1,
                kind: BrokenLinkKind::HashMismatch,
            };
            assert_eq!(broken, expected, "{field} of event {}", i + 1);
        }
    }
}

#[test]
fn altering_a_stored_hash_breaks_the_chain_at_that_event() {
    let events = sample_events();
    let mut hashes = hashes(&events);
    hashes[2].0[0] ^= 1;
    let broken = verify(&events, &hashes).unwrap_err();
    assert_eq!(
        broken,
        BrokenLink {
            seq: 3,
            kind: BrokenLinkKind::HashMismatch
        }
    );
    assert_eq!(broken.code(), "audit_hash_mismatch");
}

#[test]
fn removing_an_event_names_the_gap() {
    let events = sample_events();
    let hashes = hashes(&events);
    for removed in 0..4 {
        let (mut kept_events, mut kept_hashes) = (events.clone(), hashes.clone());
        kept_events.remove(removed);
        kept_hashes.remove(removed);
        let broken = verify(&kept_events, &kept_hashes).unwrap_err();
        let missing = removed as i64 + 1;
        let expected = BrokenLinkKind::MissingEvent {
            expected_seq: missing,
        };
        assert_eq!(
            broken,
            BrokenLink {
                seq: missing + 1,
                kind: expected
            }
        );
        assert_eq!(broken.code(), "audit_event_missing");
    }
}

#[test]
fn reordering_or_renumbering_events_breaks_the_chain() {
    let events = sample_events();
    let hashes = hashes(&events);
    let (mut swapped_events, mut swapped_hashes) = (events.clone(), hashes.clone());
    swapped_events.swap(1, 2);
    swapped_hashes.swap(1, 2);
    let broken = verify(&swapped_events, &swapped_hashes).unwrap_err();
    assert_eq!(broken.seq, 3);
    assert_eq!(broken.kind, BrokenLinkKind::MissingEvent { expected_seq: 2 });

    let mut zero_based = events.clone();
    zero_based[0].seq = 0;
    let broken = verify(&zero_based, &hashes).unwrap_err();
    assert_eq!(
        broken,
        BrokenLink {
            seq: 0,
            kind: BrokenLinkKind::OutOfOrder { expected_seq: 1 }
        }
    );
    assert_eq!(broken.code(), "audit_event_out_of_order");
}

#[test]
fn broken_link_message_names_the_event() {
    let broken = BrokenLink {
        seq: 4,
        kind: BrokenLinkKind::MissingEvent { expected_seq: 3 },
    };
    assert_eq!(
        broken.to_string(),
        "The audit chain is broken at event 4: event 3 is missing before it."
    );
}

#[test]
fn reordering_keys_in_details_does_not_change_the_hash() {
    let mut a = golden_event();
    let mut b = golden_event();
    a.details = serde_json::from_str(r#"{"z": 1, "a": {"y": [1, {"q": 1, "p": 2}], "x": 2}}"#).unwrap();
    b.details = serde_json::from_str(r#"{"a": {"x": 2, "y": [1, {"p": 2, "q": 1}]}, "z": 1}"#).unwrap();
    assert_eq!(a.canonical_bytes(), b.canonical_bytes());
    assert_eq!(
        chain_hash(&ChainHash::GENESIS, &a),
        chain_hash(&ChainHash::GENESIS, &b)
    );
}

#[test]
fn reordering_array_elements_in_details_changes_the_hash() {
    let mut a = golden_event();
    let mut b = golden_event();
    a.details = json!({"fields": ["phone", "email"]});
    b.details = json!({"fields": ["email", "phone"]});
    assert_ne!(
        chain_hash(&ChainHash::GENESIS, &a),
        chain_hash(&ChainHash::GENESIS, &b)
    );
}

#[test]
fn nanoseconds_do_not_change_the_hash() {
    let mut precise = golden_event();
    precise.occurred_at = ts("2024-05-17T08:30:00.123456999Z");
    let stored = AuditEvent {
        occurred_at: ts("2024-05-17T08:30:00.123456Z"),
        ..golden_event()
    };
    assert_eq!(
        chain_hash(&ChainHash::GENESIS, &precise),
        chain_hash(&ChainHash::GENESIS, &stored)
    );
}

#[test]
fn new_event_is_truncated_to_microseconds() {
    let event = AuditEvent::new(
        uuid(ORG),
        1,
        ts("2024-05-17T08:30:00.123456789Z"),
        Actor::System,
        "x",
        Outcome::Success,
    );
    assert_eq!(event.occurred_at, ts("2024-05-17T08:30:00.123456Z"));
}

#[test]
fn truncation_rounds_towards_the_past_and_is_safe_at_the_ends_of_time() {
    assert_eq!(
        truncate_to_micros(ts("1969-12-31T23:59:59.999999999Z")),
        ts("1969-12-31T23:59:59.999999Z")
    );
    assert_eq!(
        truncate_to_micros(ts("1969-12-31T23:59:59.000000001Z")),
        ts("1969-12-31T23:59:59Z")
    );
    assert!(truncate_to_micros(Timestamp::MIN) >= Timestamp::MIN);
    assert!(truncate_to_micros(Timestamp::MAX) <= Timestamp::MAX);
}

#[test]
fn stored_and_reread_event_hashes_the_same() {
    let event = golden_event();
    let reread: AuditEvent = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
    assert_eq!(reread, event);
    assert_eq!(
        chain_hash(&ChainHash::GENESIS, &reread),
        chain_hash(&ChainHash::GENESIS, &event)
    );
}

#[test]
fn event_serde_uses_snake_case_names() {
    let value = serde_json::to_value(golden_event()).unwrap();
    assert_eq!(value["actor"], json!({"kind": "user", "id": USER}));
    assert_eq!(value["outcome"], json!("success"));
    assert_eq!(
        serde_json::to_value(Actor::ApiKey { id: uuid(USER) }).unwrap()["kind"],
        "api_key"
    );
}

#[test]
fn chain_hash_round_trips_through_hex_and_serde() {
    let hash = chain_hash(&ChainHash::GENESIS, &golden_event());
    assert_eq!(hash.to_string().parse::<ChainHash>().unwrap(), hash);
    assert_eq!(
        hash.to_string().to_uppercase().parse::<ChainHash>().unwrap(),
        hash
    );
    let json = serde_json::to_string(&hash).unwrap();
    assert_eq!(serde_json::from_str::<ChainHash>(&json).unwrap(), hash);
    assert_eq!(ChainHash::GENESIS.to_string(), "0".repeat(64));
}

#[test]
fn chain_hash_refuses_anything_but_64_hex_digits() {
    for bad in ["", "00", &"0".repeat(63), &"0".repeat(65), &"g".repeat(64)] {
        assert_eq!(
            bad.parse::<ChainHash>().unwrap_err().code(),
            "chain_hash_format",
            "{bad:?}"
        );
    }
    assert!(serde_json::from_str::<ChainHash>(r#""zz""#).is_err());
}

proptest! {
    #[test]
    fn hash_ignores_everything_below_a_microsecond(micros in -1_000_000_000_000_000i64..4_000_000_000_000_000, nanos in 0i128..1_000) {
        let base = Timestamp::from_microsecond(micros).unwrap();
        let finer = Timestamp::from_nanosecond(base.as_nanosecond() + nanos).unwrap();
        let a = AuditEvent { occurred_at: base, ..golden_event() };
        let b = AuditEvent { occurred_at: finer, ..golden_event() };
        prop_assert_eq!(a.canonical_bytes(), b.canonical_bytes());
    }

    #[test]
    fn canonical_encoding_is_json_with_sixteen_elements(action in "\\PC{0,30}", agent in proptest::option::of("[\\x00-\\x7f]{0,30}")) {
        let event = AuditEvent { action: action.clone(), user_agent: agent.clone(), ..golden_event() };
        let parsed: Vec<Value> = serde_json::from_slice(&event.canonical_bytes()).unwrap();
        prop_assert_eq!(parsed.len(), 16);
        prop_assert_eq!(&parsed[7], &Value::from(action));
        prop_assert_eq!(&parsed[14], &Value::from(agent));
    }
}
