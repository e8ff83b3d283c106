use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

fn icd10(raw: &str) -> Code {
    Code::parse(CodeSystem::Icd10, raw).unwrap()
}

fn codes_of(found: &[&CodeEntry]) -> Vec<String> {
    found.iter().map(|entry| entry.code().to_string()).collect()
}

fn csv_error(system: CodeSystem, text: &str) -> CsvError {
    parse_csv(system, text).unwrap_err()
}

#[test]
fn code_systems_have_their_stored_codes() {
    assert_eq!(CodeSystem::Icd10.as_str(), "icd10");
    assert_eq!("icpc2".parse::<CodeSystem>(), Ok(CodeSystem::Icpc2));
    assert_eq!(
        "ICD10".parse::<CodeSystem>().unwrap_err().code(),
        "unknown_code_system"
    );
}

#[test]
fn icd10_codes_are_normalised() {
    assert_eq!(icd10(" m54.50 ").as_str(), "M54.50");
    assert_eq!(icd10("M5450").as_str(), "M54.50");
    assert_eq!(icd10("i10").as_str(), "I10");
    assert_eq!(icd10("f32.a").as_str(), "F32.A");
    assert_eq!(icd10("S39.012A").as_str(), "S39.012A");
    assert_eq!(icd10("m1a.0710").as_str(), "M1A.0710");
}

#[test]
fn malformed_icd10_codes_are_refused() {
    for raw in [
        "M5",
        "M54.",
        "M54.12345",
        "5M4.5",
        "MM4.5",
        "M54-5",
        "M54.5.0",
        "M54 5",
        "É54.5",
        "M54.5É",
    ] {
        assert_eq!(
            Code::parse(CodeSystem::Icd10, raw),
            Err(CodeError::Icd10Format),
            "{raw}"
        );
    }
    let error = Code::parse(CodeSystem::Icd10, "  ").unwrap_err();
    assert_eq!(error, CodeError::Empty);
    assert_eq!(error.code(), "empty_code");
    assert_eq!(CodeError::Icd10Format.code(), "malformed_icd10_code");
}

#[test]
fn icpc2_codes_are_a_chapter_letter_and_two_digits() {
    assert_eq!(Code::parse(CodeSystem::Icpc2, "l03").unwrap().as_str(), "L03");
    assert_eq!(Code::parse(CodeSystem::Icpc2, "K86").unwrap().as_str(), "K86");
    for raw in ["C03", "E10", "L3", "L003", "L00", "L03.1", "-57", "03"] {
        let error = Code::parse(CodeSystem::Icpc2, raw).unwrap_err();
        assert_eq!(error, CodeError::Icpc2Format, "{raw}");
        assert_eq!(error.code(), "malformed_icpc2_code");
    }
}

#[test]
fn every_shipped_row_parses_and_is_unique() {
    for system in CodeSystem::ALL {
        let entries = curated(system);
        assert!(entries.len() >= 100, "{system} has {} entries", entries.len());
        let distinct: HashSet<&Code> = entries.iter().map(CodeEntry::code).collect();
        assert_eq!(distinct.len(), entries.len(), "{system}");
        assert!(entries.iter().all(|entry| entry.system() == system));
        assert!(
            entries.windows(2).all(|pair| pair[0].code() < pair[1].code()),
            "{system} is in code order"
        );
    }
}

#[test]
fn shipped_lists_hold_the_common_codes() {
    let title = |system, code: &str| {
        let code = Code::parse(system, code).unwrap();
        curated(system)
            .iter()
            .find(|entry| entry.code() == &code)
            .map(CodeEntry::title)
    };
    assert_eq!(
        title(CodeSystem::Icd10, "M54.50"),
        Some("Low back pain, unspecified")
    );
    assert_eq!(
        title(CodeSystem::Icd10, "I10"),
        Some("Essential (primary) hypertension")
    );
    assert_eq!(
        title(CodeSystem::Icpc2, "L86"),
        Some("Back syndrome with radiating pain")
    );
    assert_eq!(
        title(CodeSystem::Icpc2, "T90"),
        Some("Diabetes non-insulin dependent")
    );
}

#[test]
fn quoted_fields_may_hold_commas_and_quotes() {
    let text = "code,title\r\nM54.50,\"Low back pain, unspecified\"\r\nM54.2,\"The \"\"neck\"\" one\"\r\nM54.9,Dorsalgia";
    let entries = parse_csv(CodeSystem::Icd10, text).unwrap();
    let titles: Vec<&str> = entries.iter().map(CodeEntry::title).collect();
    assert_eq!(
        titles,
        ["Low back pain, unspecified", "The \"neck\" one", "Dorsalgia"]
    );
}

#[test]
fn line_breaks_in_quoted_fields_count_as_lines() {
    // An ignored column may span lines; the row after it is reported on the line where it really is.
    let text = "code,title,note\nM54.6,Pain in thoracic spine,\"two\nlines\"\nM5,Dorsalgia,\n";
    let error = csv_error(CodeSystem::Icd10, text);
    assert_eq!(
        (error.line, error.kind),
        (4, CsvErrorKind::Code(CodeError::Icd10Format))
    );
    // A title is one line of text.
    let error = csv_error(
        CodeSystem::Icd10,
        "code,title\nM54.6,\"Pain in\nthoracic spine\"\n",
    );
    assert_eq!(
        (error.line, error.kind),
        (2, CsvErrorKind::Title(CodeTitleError::ControlCharacter))
    );
}

#[test]
fn blank_lines_a_byte_order_mark_and_extra_columns_are_accepted() {
    let text =
        "\u{feff}Title,chapter,Code\n\n\"Low back symptom/complaint\",L,l03\n   \nK86,K,Hypertension\n";
    let error = csv_error(CodeSystem::Icpc2, text);
    // The third data row has its columns swapped: line 5, where it is.
    assert_eq!((error.line, error.code()), (5, "malformed_icpc2_code"));

    let text = "\u{feff}Title,chapter,Code\n\n\"Low back symptom/complaint\",L,l03\n   \n";
    let entries = parse_csv(CodeSystem::Icpc2, text).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].code().as_str(), "L03");
    assert_eq!(entries[0].title(), "Low back symptom/complaint");
}

#[test]
fn a_bad_code_is_reported_with_its_line() {
    let text = "code,title\nM54.50,Low back pain\n\nM54..5,Typo\n";
    let error = csv_error(CodeSystem::Icd10, text);
    assert_eq!(error.line, 4);
    assert_eq!(error.kind, CsvErrorKind::Code(CodeError::Icd10Format));
    assert_eq!(error.code(), "malformed_icd10_code");
    assert!(error.to_string().starts_with("line 4: "), "{error}");
    assert!(!error.to_string().contains("M54..5"));
}

#[test]
fn a_missing_header_is_refused() {
    assert_eq!(
        csv_error(CodeSystem::Icd10, "M54.50,Low back pain\n").kind,
        CsvErrorKind::MissingHeader
    );
    assert_eq!(csv_error(CodeSystem::Icd10, "").code(), "csv_missing_header");
    let error = csv_error(CodeSystem::Icd10, "\n\ncode,name\n");
    assert_eq!((error.line, error.kind), (3, CsvErrorKind::MissingHeader));
}

#[test]
fn malformed_rows_are_refused_with_their_lines() {
    let cases = [
        (
            "code,title\nM54.50\n",
            2,
            CsvErrorKind::FieldCount {
                expected: 2,
                found: 1,
            },
        ),
        (
            "code,title\nM54.50,a,b\n",
            2,
            CsvErrorKind::FieldCount {
                expected: 2,
                found: 3,
            },
        ),
        (
            "code,title\nM54.50,\"open\n\n",
            2,
            CsvErrorKind::UnterminatedQuote,
        ),
        ("code,title\nM54.50,say \"hi\"\n", 2, CsvErrorKind::StrayQuote),
        (
            "code,title\nM54.50,\"closed\" late\n",
            2,
            CsvErrorKind::StrayQuote,
        ),
        (
            "code,title\nM54.50,\n",
            2,
            CsvErrorKind::Title(CodeTitleError::Empty),
        ),
        (
            "code,title\nM54.50,a\nm5450,b\n",
            3,
            CsvErrorKind::Duplicate { first_line: 2 },
        ),
    ];
    for (text, line, kind) in cases {
        assert_eq!(
            csv_error(CodeSystem::Icd10, text),
            CsvError { line, kind },
            "{text:?}"
        );
    }
}

#[test]
fn searching_a_code_prefix_finds_the_family() {
    let found = search(curated(CodeSystem::Icd10), "M54", 100);
    assert!(found.len() >= 10);
    assert!(found.iter().all(|entry| entry.code().as_str().starts_with("M54")));
    assert!(codes_of(&found).contains(&"M54.50".to_owned()));
    // Case and the dot do not matter.
    assert_eq!(
        codes_of(&search(curated(CodeSystem::Icd10), "m545", 10)),
        ["M54.50", "M54.51", "M54.59"]
    );
    assert_eq!(
        codes_of(&search(curated(CodeSystem::Icd10), "M54.5", 10)),
        ["M54.50", "M54.51", "M54.59"]
    );
}

#[test]
fn searching_words_finds_low_back_pain_in_both_systems() {
    let icd = codes_of(&search(curated(CodeSystem::Icd10), "low back", 50));
    for code in ["M54.50", "M54.51", "M54.59"] {
        assert!(icd.contains(&code.to_owned()), "{icd:?}");
    }
    assert!(!icd.contains(&"M54.2".to_owned()));
    let icpc = codes_of(&search(curated(CodeSystem::Icpc2), "LOW BACK", 50));
    assert_eq!(icpc, ["L03"]);
}

#[test]
fn words_match_as_prefixes_ignoring_accents() {
    let found = codes_of(&search(curated(CodeSystem::Icpc2), "ostéo", 50));
    assert_eq!(found, ["L89", "L90", "L91", "L95"]);
    // `(osteo)arthritis` has the word `osteo` too.
    let found = codes_of(&search(curated(CodeSystem::Icd10), "Ostéo gen", 50));
    assert_eq!(found, ["M15.0"]);
    assert!(search(curated(CodeSystem::Icd10), "rygg", 50).is_empty());
    assert!(search(curated(CodeSystem::Icpc2), "rygg", 50).is_empty());
}

#[test]
fn code_matches_come_first_and_the_limit_holds() {
    let entries = parse_csv(
        CodeSystem::Icpc2,
        "code,title\nL15,Knee symptom/complaint\nK86,Hypertension uncomplicated\nA01,K86 in words\n",
    )
    .unwrap();
    assert_eq!(codes_of(&search(&entries, "k86", 10)), ["K86", "A01"]);
    assert_eq!(codes_of(&search(&entries, "k86", 1)), ["K86"]);
    assert!(search(&entries, " . ", 10).is_empty());
    assert!(search(&entries, "", 10).is_empty());
}

proptest! {
    #[test]
    fn icd10_codes_round_trip(code in "[A-Za-z][0-9][0-9A-Za-z](\\.[0-9A-Za-z]{1,4})?") {
        let parsed = icd10(&code);
        prop_assert_eq!(Code::parse(CodeSystem::Icd10, &parsed.to_string()), Ok(parsed.clone()));
        prop_assert_eq!(parsed.as_str(), code.to_ascii_uppercase());
    }

    #[test]
    fn icpc2_codes_round_trip(code in "[ABDFHKLNPRSTUWXYZabdfhklnprstuwxyz](0[1-9]|[1-9][0-9])") {
        let parsed = Code::parse(CodeSystem::Icpc2, &code).unwrap();
        prop_assert_eq!(Code::parse(CodeSystem::Icpc2, &parsed.to_string()), Ok(parsed.clone()));
        prop_assert_eq!(parsed.as_str(), code.to_ascii_uppercase());
    }

    #[test]
    fn parse_csv_never_panics(text in "[a-zA-Z0-9,\"\\n\\r .]{0,80}") {
        let _ = parse_csv(CodeSystem::Icd10, &text);
    }
}
