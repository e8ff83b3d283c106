//! Rules that hold across every scheme: codes, serde, redaction, and the properties of the generators and
//! parsers. Each scheme's own rules are tested beside it.

use std::collections::HashSet;

use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;

const TODAY: Date = date(2025, 6, 1);
/// Late enough that no generated birth date is in the future.
const FAR_FUTURE: Date = date(2100, 1, 1);

#[test]
fn identifier_system_codes_and_uris_are_exactly_the_published_ones() {
    let expected = [
        ("no-fnr", "urn:oid:2.16.578.1.12.4.1.4.1"),
        ("no-dnr", "urn:oid:2.16.578.1.12.4.1.4.2"),
        ("no-hnr", "urn:oid:2.16.578.1.12.4.1.4.3"),
        ("se-pnr", "urn:oid:1.2.752.129.2.1.3.1"),
        ("se-snr", "urn:oid:1.2.752.129.2.1.3.3"),
        ("dk-cpr", "urn:oid:1.2.208.176.1.2"),
        ("fi-hetu", "urn:oid:1.2.246.21"),
        ("uk-nhs", "https://fhir.nhs.uk/Id/nhs-number"),
        ("us-ssn", "http://hl7.org/fhir/sid/us-ssn"),
    ];
    for (system, (code, uri)) in IdentifierSystem::ALL.into_iter().zip(expected) {
        assert_eq!(system.as_str(), code);
        assert_eq!(system.to_string(), code);
        assert_eq!(system.uri(), uri);
        assert_eq!(code.parse::<IdentifierSystem>(), Ok(system));
        assert_eq!(IdentifierSystem::from_uri(uri), Some(system));
        assert_eq!(serde_json::to_string(&system).unwrap(), format!("\"{code}\""));
        assert_eq!(
            serde_json::from_str::<IdentifierSystem>(&format!("\"{code}\"")).unwrap(),
            system
        );
    }
    assert_eq!(IdentifierSystem::from_uri("urn:oid:2.16.578.1.12.4.1.4.9"), None);
}

#[test]
fn identifier_system_refuses_unknown_codes_without_echoing_them() {
    for bad in ["", "NO-FNR", "no_fnr", "se-pnr ", "xx-secret"] {
        assert_eq!(
            bad.parse::<IdentifierSystem>().unwrap_err().code(),
            "unknown_identifier_system"
        );
    }
    let err = serde_json::from_str::<IdentifierSystem>("\"xx-secret\"").unwrap_err();
    assert!(!err.to_string().contains("secret"));
}

#[test]
fn one_number_typed_two_ways_is_one_identifier() {
    let a = NationalIdentifier::parse(IdentifierSystem::SePnr, "811218-9876", TODAY).unwrap();
    let b = NationalIdentifier::parse(IdentifierSystem::SePnr, "198112189876", TODAY).unwrap();
    assert_eq!(a, b);
    assert_eq!(HashSet::from([a.clone(), b]).len(), 1);
    // A D-number is refused as a fødselsnummer, and is its own identifier.
    let fnr = NationalIdentifier::parse(IdentifierSystem::NoFnr, "41019012393", TODAY);
    let dnr = NationalIdentifier::parse(IdentifierSystem::NoDnr, "41019012393", TODAY).unwrap();
    assert!(fnr.is_err());
    assert_ne!(a, dnr);
}

#[test]
fn national_identifier_serde_round_trips_in_normalised_form() {
    let id = NationalIdentifier::parse(IdentifierSystem::FiHetu, "131052-308t", TODAY).unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, r#"{"system":"fi-hetu","value":"131052-308T"}"#);
    let back: NationalIdentifier = serde_json::from_str(&json).unwrap();
    assert_eq!(back, id);
    assert_eq!(back.birth_date(), Some(date(1952, 10, 13)));
}

#[test]
fn national_identifier_deserializing_refuses_invalid_and_unnormalised_values() {
    let cases = [
        (r#"{"system":"fi-hetu","value":"131052-308U"}"#, "check digit"),
        (r#"{"system":"fi-hetu","value":"131052-308t"}"#, "normalised"),
        (r#"{"system":"uk-nhs","value":"943 476 5919"}"#, "normalised"),
        (r#"{"system":"se-pnr","value":"811218-9876"}"#, "normalised"),
        (
            r#"{"system":"xx-secret","value":"9434765919"}"#,
            "identifier system",
        ),
    ];
    for (json, message) in cases {
        let err = serde_json::from_str::<NationalIdentifier>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(message), "{json}: {err}");
        assert!(
            !err.contains("131052") && !err.contains("9876") && !err.contains("secret"),
            "{err}"
        );
    }
    let extra = r#"{"system":"uk-nhs","value":"9434765919","note":"x"}"#;
    assert!(serde_json::from_str::<NationalIdentifier>(extra).is_err());
}

#[test]
fn national_identifier_debug_is_redacted() {
    let id = NationalIdentifier::parse(IdentifierSystem::NoFnr, "01019012480", TODAY).unwrap();
    let debug = format!("{id:?}");
    assert_eq!(debug, "NationalIdentifier { system: NoFnr, value: [redacted] }");
    assert!(!format!("{:?}", Some(&id)).contains("0101"));
}

#[test]
fn identifier_errors_name_scheme_and_rule_but_not_the_number() {
    let cases = [
        (
            IdentifierSystem::NoFnr,
            "01019012481",
            "check_digit",
            "Norwegian fødselsnummer",
        ),
        (
            IdentifierSystem::SeSnr,
            "811218-9876",
            "invalid_date",
            "Swedish samordningsnummer",
        ),
        (
            IdentifierSystem::DkCpr,
            "0101575000",
            "future_birth_date",
            "Danish CPR number",
        ),
        (
            IdentifierSystem::FiHetu,
            "010100-000E",
            "reserved_range",
            "Finnish henkilötunnus",
        ),
        (
            IdentifierSystem::UkNhs,
            "943-476-5919",
            "invalid_format",
            "UK NHS number",
        ),
        (
            IdentifierSystem::UsSsn,
            "666-12-3456",
            "reserved_range",
            "US Social Security number",
        ),
    ];
    for (system, input, code, name) in cases {
        let err = NationalIdentifier::parse(system, input, TODAY).unwrap_err();
        assert_eq!(err.code(), code, "{input}");
        assert_eq!(err.system(), system);
        let message = err.to_string();
        assert!(message.contains(name), "{message}");
        assert!(message.ends_with('.'), "{message}");
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        assert!(!message.contains(&digits[..4]) && !format!("{err:?}").contains(&digits[..4]));
    }
}

#[test]
fn synthetic_identifiers_for_one_birth_date_differ_by_seed() {
    for system in IdentifierSystem::ALL {
        let values: HashSet<String> = (0..50)
            .map(|seed| synthetic(system, date(1920, 5, 17), seed).value().to_owned())
            .collect();
        assert!(values.len() >= 40, "{system}: {}", values.len());
    }
}

fn birth_dates(years: std::ops::RangeInclusive<i16>) -> impl Strategy<Value = Date> {
    (years, 1i8..=12, 1i8..=31).prop_map(|(year, month, day)| {
        let first = Date::new(year, month, 1).unwrap();
        Date::new(year, month, day.min(first.days_in_month())).unwrap()
    })
}

fn any_system() -> impl Strategy<Value = IdentifierSystem> {
    proptest::sample::select(IdentifierSystem::ALL.to_vec())
}

/// The positions of a normalised value that its check digits protect. A Swedish number's first two digits
/// are its century, which the Luhn check does not cover (see `sweden`).
fn checked_positions(system: IdentifierSystem, value: &str) -> Vec<usize> {
    let skip = if matches!(system, IdentifierSystem::SePnr | IdentifierSystem::SeSnr) {
        2
    } else {
        0
    };
    value
        .bytes()
        .enumerate()
        .skip(skip)
        .filter(|(_, b)| b.is_ascii_digit())
        .map(|(i, _)| i)
        .collect()
}

proptest! {
    #[test]
    fn synthetic_identifiers_parse_back_to_themselves(
        system in any_system(),
        born in birth_dates(1900..=2030),
        seed in any::<u64>(),
    ) {
        let id = synthetic(system, born, seed);
        prop_assert_eq!(&NationalIdentifier::parse(system, id.value(), FAR_FUTURE).unwrap(), &id);
        prop_assert_eq!(&NationalIdentifier::from_normalised(system, id.value()).unwrap(), &id);
        prop_assert_eq!(&synthetic(system, born, seed), &id);
        let encodes_birth_date = !matches!(system, IdentifierSystem::UkNhs | IdentifierSystem::UsSsn);
        prop_assert_eq!(id.birth_date(), encodes_birth_date.then_some(born));
    }

    #[test]
    fn synthetic_identifiers_are_valid_for_any_birth_date(
        system in any_system(),
        born in birth_dates(-9999..=9999),
        seed in any::<u64>(),
    ) {
        let id = synthetic(system, born, seed);
        prop_assert!(NationalIdentifier::parse(system, id.value(), FAR_FUTURE).is_ok());
    }

    #[test]
    fn changing_any_checked_digit_makes_an_identifier_invalid(
        system in proptest::sample::select(vec![
            IdentifierSystem::NoFnr,
            IdentifierSystem::NoDnr,
            IdentifierSystem::NoHnr,
            IdentifierSystem::SePnr,
            IdentifierSystem::SeSnr,
            IdentifierSystem::FiHetu,
            IdentifierSystem::UkNhs,
        ]),
        born in birth_dates(1900..=2030),
        seed in any::<u64>(),
        position in any::<proptest::sample::Index>(),
        shift in 1u8..=9,
    ) {
        let value = synthetic(system, born, seed).value().to_owned();
        let positions = checked_positions(system, &value);
        let at = positions[position.index(positions.len())];
        let mut bytes = value.into_bytes();
        bytes[at] = b'0' + (bytes[at] - b'0' + shift) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(NationalIdentifier::parse(system, &changed, FAR_FUTURE).is_err(), "{}", changed);
    }

    #[test]
    fn parsing_never_panics_and_what_it_accepts_reads_back(
        system in any_system(),
        raw in prop_oneof!["\\PC{0,30}", "[0-9]{6}[-+ AY]?[0-9]{3}[0-9A-Y]?", "[0-9 +-]{0,16}"],
        today in birth_dates(-9999..=9999),
    ) {
        if let Ok(id) = NationalIdentifier::parse(system, &raw, today) {
            prop_assert_eq!(&NationalIdentifier::from_normalised(system, id.value()).unwrap(), &id);
            prop_assert!(id.birth_date().is_none_or(|born| born <= today));
        }
        let _ = NationalIdentifier::from_normalised(system, &raw);
    }
}
