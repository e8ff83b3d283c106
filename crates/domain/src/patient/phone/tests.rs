use super::*;
use proptest::prelude::*;

fn country(code: &str) -> CountryCode {
    code.parse().unwrap()
}

fn phone(raw: &str, region: &str) -> Result<String, &'static str> {
    PhoneNumber::parse(raw, &country(region))
        .map(|number| number.as_str().to_owned())
        .map_err(|err| err.code())
}

#[test]
fn phone_norwegian_numbers_in_national_and_international_form_are_one_number() {
    for raw in [
        "912 34 567",
        "91234567",
        "+47 912 34 567",
        "0047 912 34 567",
        "+4791234567",
    ] {
        assert_eq!(phone(raw, "NO"), Ok("+4791234567".to_owned()), "{raw:?}");
    }
    assert_eq!(phone("22 12 34 56", "NO"), Ok("+4722123456".to_owned()));
}

#[test]
fn phone_swedish_numbers_drop_the_trunk_zero() {
    assert_eq!(phone("070-123 45 67", "SE"), Ok("+46701234567".to_owned()));
    assert_eq!(phone("08-123 456 78", "SE"), Ok("+46812345678".to_owned()));
    assert_eq!(phone("+46 70 123 45 67", "NO"), Ok("+46701234567".to_owned()));
}

#[test]
fn phone_uk_numbers() {
    assert_eq!(phone("+44 20 7946 0958", "NO"), Ok("+442079460958".to_owned()));
    assert_eq!(phone("020 7946 0958", "GB"), Ok("+442079460958".to_owned()));
    assert_eq!(phone("07400 123456", "GB"), Ok("+447400123456".to_owned()));
    // Ofcom's drama range for mobiles is outside the plan libphonenumber knows, unlike the London one above.
    assert_eq!(phone("07700 900123", "GB"), Err("not_a_valid_number"));
}

#[test]
fn phone_us_numbers() {
    // 555-01xx is reserved for fiction, but libphonenumber counts it as valid (its own example is one).
    assert_eq!(phone("(201) 555-0123", "US"), Ok("+12015550123".to_owned()));
    assert_eq!(phone("+1 212-456-7890", "NO"), Ok("+12124567890".to_owned()));
    assert_eq!(phone("212.456.7890", "US"), Ok("+12124567890".to_owned()));
}

#[test]
fn phone_national_form_is_read_in_the_organization_region() {
    // The same digits are a different number in another country's plan.
    assert_eq!(phone("070-123 45 67", "SE"), Ok("+46701234567".to_owned()));
    assert_eq!(phone("070-123 45 67", "NO"), Err("not_a_valid_number"));
}

#[test]
fn phone_numbers_not_in_the_plan_are_not_valid() {
    let cases = [
        ("123 45 678", "NO"),
        ("912", "NO"),
        ("912 34 567 89 01 23 45 67", "NO"),
        ("+999 1234 5678", "NO"),
        ("(123) 456-7890", "US"),
        ("+47 012 34 567", "SE"),
    ];
    for (raw, region) in cases {
        assert_eq!(phone(raw, region), Err("not_a_valid_number"), "{raw:?}");
    }
}

#[test]
fn phone_text_that_is_no_number_is_invalid() {
    let too_long = "9".repeat(41);
    let cases = [
        "",
        "   ",
        "ring meg",
        "912 34 567 ext. 12",
        "912 34 567 x12",
        "tel:+4791234567",
        "+47;phone-context=",
        ".;phone-context=",
        "++4791234567",
        "47+91234567",
        "-",
        "()",
        too_long.as_str(),
        "９１２３４５６７",
    ];
    for raw in cases {
        assert_eq!(phone(raw, "NO"), Err("invalid_phone"), "{raw:?}");
    }
}

#[test]
fn phone_region_without_a_numbering_plan_needs_the_international_form() {
    // Bouvet Island is an assigned country code with no telephone numbering plan.
    assert_eq!(phone("912 34 567", "BV"), Err("unknown_region"));
    assert_eq!(phone("+47 912 34 567", "BV"), Ok("+4791234567".to_owned()));
}

#[test]
fn phone_from_e164_accepts_only_the_normalised_form() {
    let number = PhoneNumber::from_e164("+4791234567").unwrap();
    assert_eq!(number.as_str(), "+4791234567");
    for bad in [
        "4791234567",
        "+47 91234567",
        "+47-91234567",
        "+",
        "0047912345678",
        "",
    ] {
        assert_eq!(
            PhoneNumber::from_e164(bad).unwrap_err().code(),
            "invalid_phone",
            "{bad:?}"
        );
    }
    assert_eq!(
        PhoneNumber::from_e164("+4712345678").unwrap_err().code(),
        "not_a_valid_number"
    );
}

#[test]
fn phone_debug_is_redacted_and_errors_do_not_echo() {
    let number = PhoneNumber::parse("912 34 567", &country("NO")).unwrap();
    assert_eq!(format!("{number:?}"), "PhoneNumber([redacted])");
    let err = PhoneNumber::parse("912 34 567 ext 99", &country("NO")).unwrap_err();
    assert!(!err.to_string().contains("912"));
}

#[test]
fn phone_serde_round_trips_as_e164_and_refuses_other_forms() {
    let number = PhoneNumber::parse("912 34 567", &country("NO")).unwrap();
    let json = serde_json::to_string(&number).unwrap();
    assert_eq!(json, r#""+4791234567""#);
    assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), number);
    assert!(serde_json::from_str::<PhoneNumber>(r#""912 34 567""#).is_err());
    let err = serde_json::from_str::<PhoneNumber>(r#""+4712345678""#).unwrap_err();
    assert!(!err.to_string().contains("12345678"));
}

proptest! {
    #[test]
    fn phone_parse_never_panics_and_its_output_reads_back(
        raw in "\\+?[0-9 ().-]{0,24}",
        region in proptest::sample::select(vec!["NO", "SE", "DK", "FI", "GB", "US", "DE", "BV", "AQ"]),
    ) {
        if let Ok(number) = PhoneNumber::parse(&raw, &country(region)) {
            prop_assert!(number.as_str().starts_with('+'));
            prop_assert!(number.as_str().len() <= 16);
            prop_assert_eq!(PhoneNumber::from_e164(number.as_str()).unwrap(), number.clone());
        }
    }

    #[test]
    fn phone_parse_never_panics_on_any_text(raw in "\\PC{0,30}") {
        let _ = PhoneNumber::parse(&raw, &country("NO"));
        let _ = PhoneNumber::from_e164(&raw);
    }

    #[test]
    fn phone_norwegian_mobile_numbers_are_valid_in_any_spacing(rest in "[0-9]{7}", sep in "[ -]?") {
        let raw = format!("9{}{sep}{}", &rest[..2], &rest[2..]);
        let number = PhoneNumber::parse(&raw, &country("NO")).unwrap();
        prop_assert_eq!(number.as_str(), format!("+479{rest}"));
    }
}
