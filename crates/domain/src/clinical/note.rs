//! The status of an encounter's note and the rules for editing and signing it.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use super::RedFlag;

coded_enum!(
    /// Whether a note can still change. A signed note never does; it is amended only by addenda.
    NoteStatus, NoteStatusError, "unknown_note_status",
    "The note status is draft or signed.",
    {
        /// Being written; editable by its author until it is signed or locks.
        Draft => "draft",
        /// Signed by its author, with a hash of what was signed; it never changes again.
        Signed => "signed",
    }
);

/// Why a note cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("Only the clinician who wrote the note can sign it.")]
    NotAuthor,
    #[error("The note is already signed.")]
    AlreadySigned,
    #[error("The note records red flags that must be acknowledged before signing: {}.", codes(.missing))]
    RedFlagsNotAcknowledged { missing: Vec<RedFlag> },
}

impl SignError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthor => "not_note_author",
            Self::AlreadySigned => "note_already_signed",
            Self::RedFlagsNotAcknowledged { .. } => "red_flags_not_acknowledged",
        }
    }
}

fn codes(flags: &[RedFlag]) -> String {
    flags
        .iter()
        .map(|flag| flag.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a note cannot be edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("The note is signed and can no longer change; add an addendum instead.")]
    Signed,
    #[error("The note locked at {locked_at}, after the organization's editing period; it can be signed.")]
    Locked { locked_at: Timestamp },
}

impl EditError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Signed => "note_signed",
            Self::Locked { .. } => "note_locked",
        }
    }
}

/// Only the author signs: a signature says "I wrote this and stand by it", which no one can say for
/// someone else.
pub fn check_signer(author: Uuid, signer: Uuid) -> Result<(), SignError> {
    if author == signer {
        Ok(())
    } else {
        Err(SignError::NotAuthor)
    }
}

/// Every red flag recorded in the note must be among those the signer acknowledged; the missing ones are
/// named, in catalogue order, by their codes.
pub fn check_red_flags_acknowledged(recorded: &[RedFlag], acknowledged: &[RedFlag]) -> Result<(), SignError> {
    let missing: Vec<RedFlag> = RedFlag::ALL
        .into_iter()
        .filter(|flag| recorded.contains(flag) && !acknowledged.contains(flag))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(SignError::RedFlagsNotAcknowledged { missing })
    }
}

/// When a draft locks: `lock_after_hours` after the end of the visit, or never when the organization has
/// no such setting. A period reaching past the last representable time never locks either.
pub fn locks_at(visit_end: Timestamp, lock_after_hours: Option<u32>) -> Option<Timestamp> {
    let hours = lock_after_hours?;
    visit_end
        .checked_add(SignedDuration::from_hours(i64::from(hours)))
        .ok()
}

/// Whether a draft is locked at `now`; it locks at the very instant [`locks_at`] gives.
pub fn is_locked(now: Timestamp, visit_end: Timestamp, lock_after_hours: Option<u32>) -> bool {
    locks_at(visit_end, lock_after_hours).is_some_and(|locked_at| now >= locked_at)
}

/// Whether the note's content may change at `now`: only a draft that has not locked. A locked draft can
/// still be signed as it stands, so it does not stay unsigned forever.
pub fn check_editable(
    status: NoteStatus,
    now: Timestamp,
    visit_end: Timestamp,
    lock_after_hours: Option<u32>,
) -> Result<(), EditError> {
    if status == NoteStatus::Signed {
        return Err(EditError::Signed);
    }
    match locks_at(visit_end, lock_after_hours) {
        Some(locked_at) if now >= locked_at => Err(EditError::Locked { locked_at }),
        _ => Ok(()),
    }
}

impl NoteStatus {
    /// Checks that a note in this status can be signed by `signer`; the red flags are checked apart, with
    /// [`check_red_flags_acknowledged`], because they come from the note's content.
    pub fn check_sign(self, author: Uuid, signer: Uuid) -> Result<(), SignError> {
        if self == Self::Signed {
            return Err(SignError::AlreadySigned);
        }
        check_signer(author, signer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i8) -> Timestamp {
        jiff::civil::date(2027, 3, 1)
            .at(hour, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp()
    }

    #[test]
    fn only_the_author_signs_and_only_once() {
        let (author, other) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(check_signer(author, author), Ok(()));
        assert_eq!(check_signer(author, other), Err(SignError::NotAuthor));
        assert_eq!(NoteStatus::Draft.check_sign(author, author), Ok(()));
        assert_eq!(
            NoteStatus::Draft.check_sign(author, other),
            Err(SignError::NotAuthor)
        );
        assert_eq!(
            NoteStatus::Signed.check_sign(author, author),
            Err(SignError::AlreadySigned)
        );
        assert_eq!(SignError::NotAuthor.code(), "not_note_author");
    }

    #[test]
    fn recorded_red_flags_must_be_acknowledged() {
        use RedFlag::*;
        assert_eq!(check_red_flags_acknowledged(&[], &[]), Ok(()));
        assert_eq!(
            check_red_flags_acknowledged(&[Fever], &[Fever, NightPain]),
            Ok(())
        );
        let error =
            check_red_flags_acknowledged(&[NightPain, Fever, SaddleAnaesthesia], &[Fever]).unwrap_err();
        assert_eq!(
            error,
            SignError::RedFlagsNotAcknowledged {
                missing: vec![SaddleAnaesthesia, NightPain]
            }
        );
        assert_eq!(
            error.to_string(),
            "The note records red flags that must be acknowledged before signing: saddle_anaesthesia, \
             night_pain."
        );
    }

    #[test]
    fn a_draft_locks_the_set_hours_after_the_visit() {
        assert_eq!(locks_at(at(9), None), None);
        assert_eq!(locks_at(at(9), Some(0)), Some(at(9)));
        assert_eq!(locks_at(at(9), Some(3)), Some(at(12)));
        assert!(!is_locked(at(11), at(9), Some(3)));
        assert!(is_locked(at(12), at(9), Some(3)));
        assert!(!is_locked(at(23), at(9), None));
        assert_eq!(locks_at(Timestamp::MAX, Some(1)), None);
        assert_eq!(locks_at(at(9), Some(u32::MAX)), None);
    }

    #[test]
    fn only_an_unlocked_draft_is_editable() {
        let draft = NoteStatus::Draft;
        assert_eq!(check_editable(draft, at(11), at(9), Some(3)), Ok(()));
        assert_eq!(check_editable(draft, at(23), at(9), None), Ok(()));
        assert_eq!(
            check_editable(draft, at(12), at(9), Some(3)),
            Err(EditError::Locked { locked_at: at(12) })
        );
        assert_eq!(
            check_editable(NoteStatus::Signed, at(9), at(9), None),
            Err(EditError::Signed)
        );
        assert_eq!(EditError::Signed.code(), "note_signed");
    }
}
