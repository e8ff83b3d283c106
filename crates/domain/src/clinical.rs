//! Clinical documentation: the values a note of an encounter is made of, and the rules for signing it.
//!
//! A signed note is a legal record. The rules here say who may sign ([`check_signer`]), when a draft stops
//! being editable ([`locks_at`], [`check_editable`]), and what exactly a signature covers
//! ([`SignedContent`]): a canonical encoding hashed with SHA-256, so the hash can be recomputed from the
//! stored note at any later time and compared.
//!
//! The structured parts of a note are checked here: pain on a 0–10 scale ([`PainScore`]), red flags from a
//! fixed catalogue ([`RedFlag`]) and observations with a fixed unit and a plausible range
//! ([`Observation`]).
//!
//! Nothing here reads a clock: rules that depend on the time take `now` from the caller.

mod note;
mod observation;
mod pain;
mod red_flag;
mod signed_content;

pub use note::{
    EditError, NoteStatus, NoteStatusError, SignError, check_editable, check_red_flags_acknowledged,
    check_signer, is_locked, locks_at,
};
pub use observation::{
    Observation, ObservationError, ObservationKind, ObservationKindError, check_observation_set,
};
pub use pain::{PainScore, PainScoreError, pain_change};
pub use red_flag::{RedFlag, RedFlagError, warning};
pub use signed_content::{CANONICAL_FORMAT, CodedEntry, SignedContent};
