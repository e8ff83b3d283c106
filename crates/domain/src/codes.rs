//! Diagnosis and procedure codes from ICD-10 and ICPC-2, with the lists Praxis ships and search over them.
//!
//! A code on a clinical note is read by other systems (payers, registries, a referral's recipient), so it
//! is kept in one normalised form per system: `m54.5` typed in a hurry is stored as `M54.5`. Praxis does
//! not check that a well-formed code exists in the classification here; the lists a clinic has loaded
//! decide that. The shipped lists and where they come from are described in `data/codes/SOURCES.md`.

use std::fmt;
use std::sync::LazyLock;

use serde::Serialize;

use crate::patient::{TextRule, clean_text, search_key};

mod csv;
#[cfg(test)]
mod tests;

pub use csv::{CsvError, CsvErrorKind, parse_csv};

coded_enum!(
    /// The classification a code belongs to.
    CodeSystem, CodeSystemError, "unknown_code_system",
    "the code system is icd10 or icpc2",
    {
        /// ICD-10 (the shipped list is the US clinical modification, ICD-10-CM).
        Icd10 => "icd10",
        /// ICPC-2, the International Classification of Primary Care.
        Icpc2 => "icpc2",
    }
);

/// Why a code was refused. The messages never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the code is empty")]
    Empty,
    #[error(
        "an ICD-10 code is a letter, a digit and a letter or digit, optionally followed by a dot and 1 to 4 \
         letters or digits, as in M54.50"
    )]
    Icd10Format,
    #[error(
        "an ICPC-2 code is a chapter letter (A B D F H K L N P R S T U W X Y Z) and two digits, as in L03"
    )]
    Icpc2Format,
}

impl CodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_code",
            Self::Icd10Format => "malformed_icd10_code",
            Self::Icpc2Format => "malformed_icpc2_code",
        }
    }
}

/// A code in the normalised form of its system: uppercase, and for ICD-10 with the dot after the category.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(String);

/// The chapters of ICPC-2: one letter per body system, plus A (general) and Z (social problems).
const ICPC2_CHAPTERS: &str = "ABDFHKLNPRSTUWXYZ";

impl Code {
    /// Parses a code of `system`, ignoring case and surrounding whitespace.
    ///
    /// ICD-10 codes may be typed without their dot (`M5450` is `M54.50`), as many printed lists and billing
    /// files write them. The third character may be a letter, because ICD-10-CM has categories such as
    /// `M1A` (chronic gout). ICPC-2 rubric `00` does not exist, so it is refused.
    pub fn parse(system: CodeSystem, raw: &str) -> Result<Self, CodeError> {
        let raw = raw.trim().to_ascii_uppercase();
        if raw.is_empty() {
            return Err(CodeError::Empty);
        }
        match system {
            CodeSystem::Icd10 => parse_icd10(&raw).ok_or(CodeError::Icd10Format),
            CodeSystem::Icpc2 => parse_icpc2(&raw).ok_or(CodeError::Icpc2Format),
        }
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code without its dot, which is what a code typed as a search prefix is compared with.
    fn undotted(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().filter(|&c| c != '.')
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_icd10(raw: &str) -> Option<String> {
    let (category, subcategory) = match raw.split_once('.') {
        Some((category, subcategory)) => (category, Some(subcategory)),
        None if raw.len() > 3 => (raw.get(..3)?, Some(raw.get(3..)?)),
        None => (raw, None),
    };
    let category_chars: Vec<char> = category.chars().collect();
    let category_ok = matches!(
        category_chars[..],
        [letter, digit, third]
            if letter.is_ascii_uppercase() && digit.is_ascii_digit() && third.is_ascii_alphanumeric()
    );
    if !category_ok {
        return None;
    }
    match subcategory {
        None => Some(category.to_owned()),
        Some(rest) if (1..=4).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Some(format!("{category}.{rest}"))
        }
        Some(_) => None,
    }
}

fn parse_icpc2(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw.chars().collect();
    let ok = matches!(
        chars[..],
        [chapter, tens, units]
            if ICPC2_CHAPTERS.contains(chapter)
                && tens.is_ascii_digit()
                && units.is_ascii_digit()
                && (tens, units) != ('0', '0')
    );
    ok.then(|| raw.to_owned())
}

/// Why a title was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeTitleError {
    #[error("the title is empty")]
    Empty,
    #[error("the title is longer than {MAX_TITLE_CHARS} characters")]
    TooLong,
    #[error("the title contains control characters")]
    ControlCharacter,
}

impl CodeTitleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_title",
            Self::TooLong => "title_too_long",
            Self::ControlCharacter => "title_control_character",
        }
    }
}

/// Long enough for the longest ICD-10-CM titles (about 230 characters) and national translations of them.
pub const MAX_TITLE_CHARS: usize = 400;

/// A code with its title, as a clinician picks it from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    system: CodeSystem,
    code: Code,
    title: String,
    /// The folded words of the title, computed once so that searching a full classification of tens of
    /// thousands of entries does not fold every title again for every keystroke.
    #[serde(skip)]
    title_words: Vec<String>,
}

impl CodeEntry {
    /// An entry of `system`; the title is trimmed, put in Unicode NFC and checked for control characters.
    pub fn new(system: CodeSystem, code: Code, title: &str) -> Result<Self, CodeTitleError> {
        let title = clean_text(title, MAX_TITLE_CHARS).map_err(|rule| match rule {
            TextRule::Empty => CodeTitleError::Empty,
            TextRule::TooLong => CodeTitleError::TooLong,
            TextRule::ControlCharacter => CodeTitleError::ControlCharacter,
        })?;
        let title_words = folded_words(&title);
        Ok(Self {
            system,
            code,
            title,
            title_words,
        })
    }

    pub fn system(&self) -> CodeSystem {
        self.system
    }

    pub fn code(&self) -> &Code {
        &self.code
    }

    pub fn title(&self) -> &str {
        &self.title
    }
}

/// Splits folded text into words at anything that is not a letter or digit, so that `(osteo)arthritis`
/// and `symptom/complaint` give their words separately.
fn folded_words(text: &str) -> Vec<String> {
    search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

static CURATED_ICD10: LazyLock<Vec<CodeEntry>> =
    LazyLock::new(|| load_shipped(CodeSystem::Icd10, include_str!("../data/codes/icd10.csv")));
static CURATED_ICPC2: LazyLock<Vec<CodeEntry>> =
    LazyLock::new(|| load_shipped(CodeSystem::Icpc2, include_str!("../data/codes/icpc2.csv")));

/// The list of `system` that ships with Praxis, in code order.
pub fn curated(system: CodeSystem) -> &'static [CodeEntry] {
    match system {
        CodeSystem::Icd10 => &CURATED_ICD10,
        CodeSystem::Icpc2 => &CURATED_ICPC2,
    }
}

/// The shipped lists are part of the program; the tests parse every row, so a failure here is a build
/// that should never have been released.
fn load_shipped(system: CodeSystem, text: &str) -> Vec<CodeEntry> {
    let mut entries = parse_csv(system, text)
        .unwrap_or_else(|error| panic!("the shipped {system} list is invalid: {error}"));
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    entries
}

/// Finds up to `limit` entries for what a clinician typed: entries whose code starts with the query (case
/// ignored, dot optional, so `m545` finds `M54.50`) come first, then entries whose title has, for every
/// word of the query, a word starting with it (case and accents ignored, so `ostéo` finds
/// "Osteoarthrosis"). Each group is in code order, so `entries` may chain several lists in any order. A
/// query with no letters or digits finds nothing.
pub fn search<'a>(
    entries: impl IntoIterator<Item = &'a CodeEntry>,
    query: &str,
    limit: usize,
) -> Vec<&'a CodeEntry> {
    let query_code: Vec<char> = query
        .trim()
        .chars()
        .filter(|&c| c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let query_words = folded_words(query);
    if query_words.is_empty() {
        return Vec::new();
    }
    let code_matches = |entry: &CodeEntry| {
        !query_code.is_empty() && {
            let mut code = entry.code.undotted();
            query_code.iter().all(|&q| code.next() == Some(q))
        }
    };
    let words_match = |entry: &CodeEntry| {
        query_words.iter().all(|query_word| {
            entry
                .title_words
                .iter()
                .any(|word| word.starts_with(query_word.as_str()))
        })
    };

    let mut by_code: Vec<&CodeEntry> = Vec::new();
    let mut by_words: Vec<&CodeEntry> = Vec::new();
    for entry in entries {
        if code_matches(entry) {
            by_code.push(entry);
        } else if words_match(entry) {
            by_words.push(entry);
        }
    }
    by_code.sort_by(|a, b| a.code.cmp(&b.code));
    by_words.sort_by(|a, b| a.code.cmp(&b.code));
    by_code.into_iter().chain(by_words).take(limit).collect()
}
