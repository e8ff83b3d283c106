use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::clinical::ObservationKind;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn entry(system: &str, code: &str) -> CodedEntry {
    CodedEntry {
        system: system.to_owned(),
        code: code.to_owned(),
    }
}

fn example() -> SignedContent {
    SignedContent {
        encounter_id: uuid(1),
        patient_id: uuid(2),
        practitioner_id: uuid(3),
        author_id: uuid(3),
        signed_at: "2027-03-01T09:30:00.123456789Z".parse().unwrap(),
        subjective: "Low back pain for 3 days.\nSays \"sharp\" on bending; Schmerz ✓".to_owned(),
        objective: "Flexion limited.".to_owned(),
        assessment: "Non-specific low back pain.".to_owned(),
        plan: String::new(),
        pain_start: Some(PainScore::new(7).unwrap()),
        pain_end: Some(PainScore::new(4).unwrap()),
        red_flags: vec![RedFlag::NightPain, RedFlag::Fever],
        diagnoses: vec![entry("icpc2", "L03"), entry("icd10", "M54.5")],
        procedures: vec![entry("local", "manual_therapy")],
        observations: vec![
            Observation::new(ObservationKind::HeartRate, 72.0).unwrap(),
            Observation::new(ObservationKind::BodyTemperature, 37.25).unwrap(),
        ],
    }
}

/// The bytes were checked against Python's
/// `json.dumps(note, separators=(",", ":"), ensure_ascii=False, sort_keys=True)` and the hash against
/// `sha256sum`.
#[test]
fn the_encoding_is_fixed_byte_for_byte() {
    let expected = concat!(
        r#"{"assessment":"Non-specific low back pain.","#,
        r#""author_id":"00000000-0000-0000-0000-000000000003","#,
        r#""diagnoses":[["icd10","M54.5"],["icpc2","L03"]],"#,
        r#""encounter_id":"00000000-0000-0000-0000-000000000001","#,
        r#""format":"praxis.signed_note.v1","objective":"Flexion limited.","#,
        r#""observations":[["body_temperature","37.3","°C"],["heart_rate","72","/min"]],"#,
        r#""pain_end":4,"pain_start":7,"patient_id":"00000000-0000-0000-0000-000000000002","plan":"","#,
        r#""practitioner_id":"00000000-0000-0000-0000-000000000003","#,
        r#""procedures":[["local","manual_therapy"]],"red_flags":["fever","night_pain"],"#,
        r#""signed_at":"2027-03-01T09:30:00.123456Z","#,
        r#""subjective":"Low back pain for 3 days.\nSays \"sharp\" on bending; Schmerz ✓"}"#,
    );
    assert_eq!(String::from_utf8(example().canonical_bytes()).unwrap(), expected);
    assert_eq!(example().sha256_hex(), GOLDEN_HASH);
}

const GOLDEN_HASH: &str = "91393d72fa9730fbf95c3db2ad51be8bd7643d82ebc07c49f3b5405761d12f87";

#[test]
fn verifying_recomputes_and_compares() {
    let content = example();
    let hash = content.sha256_hex();
    assert_eq!(hash.len(), 64);
    assert!(content.verify(&hash));
    assert!(content.verify(&hash.to_ascii_uppercase()));
    let mut altered = content.clone();
    altered.plan.push('.');
    assert!(!altered.verify(&hash));
    assert!(!content.verify(""));
}

#[test]
fn missing_pain_is_null() {
    let mut content = example();
    content.pain_start = None;
    let text = String::from_utf8(content.canonical_bytes()).unwrap();
    assert!(text.contains(r#""pain_end":4,"pain_start":null,"#), "{text}");
}

#[test]
fn time_below_a_microsecond_is_not_covered() {
    let mut content = example();
    let hash = content.sha256_hex();
    content.signed_at = "2027-03-01T09:30:00.123456001Z".parse().unwrap();
    assert_eq!(content.sha256_hex(), hash);
}

/// A covered field and a way of changing it by a small step.
type Mutation = (&'static str, fn(&mut SignedContent));

/// One mutation per covered field; each must change the hash.
fn mutations() -> Vec<Mutation> {
    vec![
        ("encounter_id", |c| {
            c.encounter_id = uuid(c.encounter_id.as_u128() ^ 1)
        }),
        ("patient_id", |c| c.patient_id = uuid(c.patient_id.as_u128() ^ 1)),
        ("practitioner_id", |c| {
            c.practitioner_id = uuid(c.practitioner_id.as_u128() ^ 1)
        }),
        ("author_id", |c| c.author_id = uuid(c.author_id.as_u128() ^ 1)),
        ("signed_at", |c| {
            c.signed_at += jiff::SignedDuration::from_micros(1)
        }),
        ("subjective", |c| c.subjective.push(' ')),
        ("objective", |c| c.objective.push(' ')),
        ("assessment", |c| c.assessment.push(' ')),
        ("plan", |c| c.plan.push(' ')),
        ("pain_start", |c| c.pain_start = bump(c.pain_start)),
        ("pain_end", |c| c.pain_end = bump(c.pain_end)),
        ("red_flags", |c| c.red_flags.push(RedFlag::MajorTrauma)),
        ("diagnoses", |c| c.diagnoses.push(entry("icd10", "M54.9"))),
        ("procedures", |c| c.procedures.push(entry("local", "exercise"))),
        ("observations", |c| {
            c.observations
                .push(Observation::new(ObservationKind::OxygenSaturation, 98.0).unwrap())
        }),
    ]
}

/// A different score whatever the current one is.
fn bump(score: Option<PainScore>) -> Option<PainScore> {
    match score {
        None => Some(PainScore::MIN),
        Some(s) if s == PainScore::MAX => None,
        Some(s) => Some(PainScore::new(i64::from(s.value()) + 1).unwrap()),
    }
}

#[test]
fn any_single_field_change_changes_the_hash() {
    let hash = example().sha256_hex();
    for (field, mutate) in mutations() {
        let mut content = example();
        mutate(&mut content);
        assert_ne!(content.sha256_hex(), hash, "changing {field}");
    }
}

fn content_strategy() -> impl Strategy<Value = SignedContent> {
    let ids = (any::<u128>(), any::<u128>(), any::<u128>(), any::<u128>());
    let time = (0i64..4_000_000_000_000_000).prop_map(|micros| Timestamp::from_microsecond(micros).unwrap());
    let texts = (".{0,40}", ".{0,40}", ".{0,40}", ".{0,40}");
    let pain = proptest::option::of((0i64..=10).prop_map(|v| PainScore::new(v).unwrap()));
    let flags = proptest::sample::subsequence(RedFlag::ALL.to_vec(), 0..=RedFlag::ALL.len());
    let entries = || proptest::collection::vec(("[a-z0-9]{1,6}", "[A-Z0-9.]{1,6}"), 0..4);
    let observations =
        proptest::sample::subsequence(ObservationKind::ALL.to_vec(), 0..=8).prop_flat_map(|kinds| {
            kinds
                .into_iter()
                .map(|kind| {
                    let (min, max) = kind.range();
                    (min..=max).prop_map(move |value| Observation::new(kind, value).unwrap())
                })
                .collect::<Vec<_>>()
        });
    (
        ids,
        time,
        texts,
        (pain.clone(), pain),
        flags,
        entries(),
        entries(),
        observations,
    )
        .prop_map(
            |(
                (e, p, pr, a),
                signed_at,
                (s, o, asm, pl),
                (pain_start, pain_end),
                red_flags,
                dx,
                px,
                observations,
            )| {
                let coded = |rows: Vec<(String, String)>| {
                    rows.into_iter()
                        .map(|(system, code)| CodedEntry { system, code })
                        .collect()
                };
                SignedContent {
                    encounter_id: uuid(e),
                    patient_id: uuid(p),
                    practitioner_id: uuid(pr),
                    author_id: uuid(a),
                    signed_at,
                    subjective: s,
                    objective: o,
                    assessment: asm,
                    plan: pl,
                    pain_start,
                    pain_end,
                    red_flags,
                    diagnoses: coded(dx),
                    procedures: coded(px),
                    observations,
                }
            },
        )
}

proptest! {
    #[test]
    fn the_encoding_is_json_that_reads_back_as_the_content(content in content_strategy()) {
        let parsed: Value = serde_json::from_slice(&content.canonical_bytes()).unwrap();
        prop_assert_eq!(&parsed["format"], &json!(CANONICAL_FORMAT));
        prop_assert_eq!(&parsed["patient_id"], &json!(content.patient_id.to_string()));
        prop_assert_eq!(&parsed["subjective"], &json!(content.subjective));
        prop_assert_eq!(&parsed["objective"], &json!(content.objective));
        prop_assert_eq!(&parsed["assessment"], &json!(content.assessment));
        prop_assert_eq!(&parsed["plan"], &json!(content.plan));
        prop_assert_eq!(&parsed["pain_end"], &json!(content.pain_end.map(PainScore::value)));
        prop_assert_eq!(parsed["red_flags"].as_array().unwrap().len(), content.red_flags.len());
        prop_assert_eq!(parsed["observations"].as_array().unwrap().len(), content.observations.len());
    }

    #[test]
    fn the_order_of_rows_is_not_covered(content in content_strategy()) {
        let mut reversed = content.clone();
        reversed.red_flags.reverse();
        reversed.diagnoses.reverse();
        reversed.procedures.reverse();
        reversed.observations.reverse();
        prop_assert_eq!(reversed.sha256_hex(), content.sha256_hex());
    }

    #[test]
    fn every_field_is_covered(content in content_strategy(), which in 0usize..15) {
        let (field, mutate) = mutations()[which];
        let mut changed = content.clone();
        mutate(&mut changed);
        prop_assert_ne!(changed.sha256_hex(), content.sha256_hex(), "changing {}", field);
    }
}
