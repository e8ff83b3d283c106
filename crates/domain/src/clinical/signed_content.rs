//! What a signature covers: the canonical encoding of a signed note and its SHA-256 hash.
//!
//! Signing stores the hash; verifying reads the note back, rebuilds its [`SignedContent`] and compares
//! [`SignedContent::sha256_hex`] with the stored hash ([`SignedContent::verify`]). Any change to a covered
//! field after signing makes them differ.
//!
//! # Canonical encoding, format `praxis.signed_note.v1`
//!
//! The hash must come out the same from SQLite and PostgreSQL, in every later version of Praxis, and from an
//! auditor's own script, so the bytes are fixed here. They are one JSON object, UTF-8, with no whitespace
//! between tokens, whose members are sorted by key (comparing the keys' bytes):
//!
//! | key | JSON |
//! |---|---|
//! | `assessment` | string |
//! | `author_id` | string, lowercase hyphenated UUID |
//! | `diagnoses` | array of `[system, code]` string pairs |
//! | `encounter_id` | string, lowercase hyphenated UUID |
//! | `format` | `"praxis.signed_note.v1"` |
//! | `objective` | string |
//! | `observations` | array of `[kind, value, unit]` strings: `["body_temperature","37.5","°C"]`, the value written with exactly its kind's decimals |
//! | `pain_end` | integer 0–10, or `null` when not recorded |
//! | `pain_start` | integer 0–10, or `null` when not recorded |
//! | `patient_id` | string, lowercase hyphenated UUID |
//! | `plan` | string |
//! | `practitioner_id` | string, lowercase hyphenated UUID |
//! | `procedures` | array of `[system, code]` string pairs |
//! | `red_flags` | array of red flag codes |
//! | `signed_at` | string, RFC 3339 in UTC with exactly 6 fractional digits: `2027-03-01T09:30:00.123456Z` |
//! | `subjective` | string |
//!
//! Every array is sorted (pairs and triples element by element, comparing bytes), so the order in which a
//! store returns rows does not matter, and nothing is removed from it. The four SOAP sections are hashed
//! exactly as stored, without trimming or normalising; a missing section is the empty string. Strings are
//! escaped as `serde_json` does: `"` as `\"`, `\` as `\\`, characters below U+0020 as `\b`, `\f`, `\n`,
//! `\r`, `\t` or `\u00XX` with lowercase hex, everything else as its UTF-8 bytes. Python's
//! `json.dumps(note, separators=(",", ":"), ensure_ascii=False, sort_keys=True)` gives exactly these bytes;
//! the golden test below was checked that way. The time is truncated to whole microseconds, as PostgreSQL
//! stores it, so a note hashed before it is stored hashes the same after it is read back.

use std::fmt;

use jiff::Timestamp;
use jiff::fmt::temporal::DateTimePrinter;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Observation, PainScore, RedFlag};
use crate::audit::truncate_to_micros;

/// The `format` member of every encoding, so a later format can never be mistaken for this one.
pub const CANONICAL_FORMAT: &str = "praxis.signed_note.v1";

/// A code from a code system: a diagnosis (`icd10`, `M54.5`) or a procedure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodedEntry {
    pub system: String,
    pub code: String,
}

/// Everything a signature covers. Build it from the note as stored, at signing and at every verification.
#[derive(Clone, PartialEq)]
pub struct SignedContent {
    pub encounter_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub author_id: Uuid,
    pub signed_at: Timestamp,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub pain_start: Option<PainScore>,
    pub pain_end: Option<PainScore>,
    pub red_flags: Vec<RedFlag>,
    pub diagnoses: Vec<CodedEntry>,
    pub procedures: Vec<CodedEntry>,
    pub observations: Vec<Observation>,
}

impl SignedContent {
    /// The bytes that are hashed, in the format the module documentation defines.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let signed_at = DateTimePrinter::new()
            .precision(Some(6))
            .timestamp_to_string(&truncate_to_micros(self.signed_at));
        let mut members = [
            ("format", Value::from(CANONICAL_FORMAT)),
            ("encounter_id", Value::from(self.encounter_id.to_string())),
            ("patient_id", Value::from(self.patient_id.to_string())),
            ("practitioner_id", Value::from(self.practitioner_id.to_string())),
            ("author_id", Value::from(self.author_id.to_string())),
            ("signed_at", Value::from(signed_at)),
            ("subjective", Value::from(self.subjective.as_str())),
            ("objective", Value::from(self.objective.as_str())),
            ("assessment", Value::from(self.assessment.as_str())),
            ("plan", Value::from(self.plan.as_str())),
            ("pain_start", Value::from(self.pain_start.map(PainScore::value))),
            ("pain_end", Value::from(self.pain_end.map(PainScore::value))),
            (
                "red_flags",
                sorted(self.red_flags.iter().map(|flag| vec![flag.as_str().to_owned()])),
            ),
            ("diagnoses", sorted(self.diagnoses.iter().map(pair))),
            ("procedures", sorted(self.procedures.iter().map(pair))),
            ("observations", sorted(self.observations.iter().map(triple))),
        ];
        members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut out = Vec::with_capacity(1024);
        out.push(b'{');
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // The values hold strings, integers, null and arrays, never objects, so serde_json writes them
            // in one way only.
            serde_json::to_writer(&mut out, key).expect("a string serializes into memory");
            out.push(b':');
            serde_json::to_writer(&mut out, value).expect("a JSON value serializes into memory");
        }
        out.push(b'}');
        out
    }

    /// The SHA-256 of [`SignedContent::canonical_bytes`], as 64 lowercase hexadecimal digits.
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    /// Whether `stored_hash` (hexadecimal, either case) is the hash of this content.
    pub fn verify(&self, stored_hash: &str) -> bool {
        self.sha256_hex().eq_ignore_ascii_case(stored_hash)
    }
}

fn pair(entry: &CodedEntry) -> Vec<String> {
    vec![entry.system.clone(), entry.code.clone()]
}

fn triple(observation: &Observation) -> Vec<String> {
    let kind = observation.kind();
    vec![
        kind.as_str().to_owned(),
        kind.format(observation.value()),
        kind.unit().to_owned(),
    ]
}

/// Sorts the rows and writes them as an array; a one-element row is written as its only string.
fn sorted(rows: impl Iterator<Item = Vec<String>>) -> Value {
    let mut rows: Vec<Vec<String>> = rows.collect();
    rows.sort_unstable();
    Value::Array(
        rows.into_iter()
            .map(|mut row| match row.len() {
                1 => Value::from(row.remove(0)),
                _ => Value::from(row),
            })
            .collect(),
    )
}

/// Shows which note was signed and when; the content is health data.
impl fmt::Debug for SignedContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedContent")
            .field("encounter_id", &self.encounter_id)
            .field("signed_at", &self.signed_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
