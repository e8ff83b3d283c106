//! Whether a patient is current, and the date of death of one who has died.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::BirthDate;

coded_enum!(
    /// The status of a patient without its date, for storing in one column and filtering lists by.
    PatientStatusKind, PatientStatusKindError, "patient_status_invalid",
    "A patient status must be active, inactive or deceased.", {
        /// Currently treated by the clinic.
        Active => "active",
        /// No longer treated (moved away, changed clinic); the record is kept.
        Inactive => "inactive",
        /// Has died, on a known date. Reminders and recalls must not go out for them.
        Deceased => "deceased",
    }
);

/// Whether a patient is active, inactive or deceased, with the date of death for a deceased one.
///
/// The date of death can only be set through [`PatientStatus::deceased`], which refuses one in the future or
/// before the birth date. In JSON it is flat, `{"status": "active"}` or
/// `{"status": "deceased", "deceased_on": "2024-05-01"}`, so a record can flatten it into its own fields.
/// Deserializing checks that shape only, since it has neither today's date nor the birth date: a record
/// that changes its birth date calls [`PatientStatus::check`] again.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub struct PatientStatus {
    kind: PatientStatusKind,
    /// Set exactly when `kind` is `Deceased`.
    deceased_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatientStatusError {
    #[error("A date of death cannot be in the future.")]
    DeceasedInFuture,
    #[error("A date of death cannot be before the birth date.")]
    DeceasedBeforeBirth,
    #[error("A deceased patient's status must have a date of death.")]
    DeceasedDateMissing,
    #[error("Only a deceased patient's status can have a date of death.")]
    DeceasedDateUnexpected,
}

impl PatientStatusError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::DeceasedInFuture => "deceased_in_future",
            Self::DeceasedBeforeBirth => "deceased_before_birth",
            Self::DeceasedDateMissing => "deceased_date_missing",
            Self::DeceasedDateUnexpected => "deceased_date_unexpected",
        }
    }
}

impl PatientStatus {
    pub const ACTIVE: Self = Self {
        kind: PatientStatusKind::Active,
        deceased_on: None,
    };

    pub const INACTIVE: Self = Self {
        kind: PatientStatusKind::Inactive,
        deceased_on: None,
    };

    /// A patient who died on `deceased_on`. `today` is the clinic's current date; `birth_date` is the
    /// patient's, if known. Death on the day of birth is accepted.
    pub fn deceased(
        deceased_on: Date,
        birth_date: Option<&BirthDate>,
        today: Date,
    ) -> Result<Self, PatientStatusError> {
        let status = Self {
            kind: PatientStatusKind::Deceased,
            deceased_on: Some(deceased_on),
        };
        status.check(birth_date, today)?;
        Ok(status)
    }

    /// Checks the date of death, if any, against `today` and the birth date: for a record whose birth date
    /// changed, or one read from storage. A status that passed once passes on every later day.
    pub fn check(&self, birth_date: Option<&BirthDate>, today: Date) -> Result<(), PatientStatusError> {
        let Some(died) = self.deceased_on else {
            return Ok(());
        };
        if died > today {
            return Err(PatientStatusError::DeceasedInFuture);
        }
        if birth_date.is_some_and(|born| died < born.date()) {
            return Err(PatientStatusError::DeceasedBeforeBirth);
        }
        Ok(())
    }

    pub fn kind(&self) -> PatientStatusKind {
        self.kind
    }

    pub fn deceased_on(&self) -> Option<Date> {
        self.deceased_on
    }
}

/// Shows the kind; the date of death is personal data.
impl fmt::Debug for PatientStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("PatientStatus");
        debug.field("kind", &self.kind);
        if self.deceased_on.is_some() {
            debug.field("deceased_on", &format_args!("[redacted]"));
        }
        debug.finish()
    }
}

/// The JSON shape, written out once so serializing and deserializing cannot drift apart.
#[derive(Serialize, Deserialize)]
struct Stored {
    status: PatientStatusKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deceased_on: Option<Date>,
}

impl TryFrom<Stored> for PatientStatus {
    type Error = PatientStatusError;

    fn try_from(stored: Stored) -> Result<Self, Self::Error> {
        match (stored.status, stored.deceased_on) {
            (PatientStatusKind::Deceased, None) => Err(PatientStatusError::DeceasedDateMissing),
            (PatientStatusKind::Active | PatientStatusKind::Inactive, Some(_)) => {
                Err(PatientStatusError::DeceasedDateUnexpected)
            }
            (kind, deceased_on) => Ok(Self { kind, deceased_on }),
        }
    }
}

impl From<PatientStatus> for Stored {
    fn from(status: PatientStatus) -> Self {
        Self {
            status: status.kind,
            deceased_on: status.deceased_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2025, 3, 14);

    fn born(on: Date) -> BirthDate {
        BirthDate::new(on, TODAY).unwrap()
    }

    #[test]
    fn status_active_and_inactive_have_no_date_of_death() {
        assert_eq!(PatientStatus::ACTIVE.kind(), PatientStatusKind::Active);
        assert_eq!(PatientStatus::INACTIVE.kind(), PatientStatusKind::Inactive);
        assert_eq!(PatientStatus::ACTIVE.deceased_on(), None);
        assert_eq!(PatientStatus::ACTIVE.check(None, TODAY), Ok(()));
    }

    #[test]
    fn status_deceased_keeps_its_date() {
        let status = PatientStatus::deceased(date(2024, 5, 1), Some(&born(date(1940, 1, 2))), TODAY).unwrap();
        assert_eq!(status.kind(), PatientStatusKind::Deceased);
        assert_eq!(status.deceased_on(), Some(date(2024, 5, 1)));
    }

    #[test]
    fn status_deceased_today_or_on_the_day_of_birth_is_accepted() {
        assert!(PatientStatus::deceased(TODAY, None, TODAY).is_ok());
        let day = date(2025, 1, 1);
        assert!(PatientStatus::deceased(day, Some(&born(day)), TODAY).is_ok());
    }

    #[test]
    fn status_deceased_in_the_future_is_refused() {
        let err = PatientStatus::deceased(date(2025, 3, 15), None, TODAY).unwrap_err();
        assert_eq!(err.code(), "deceased_in_future");
    }

    #[test]
    fn status_deceased_before_birth_is_refused() {
        let birth = born(date(1990, 6, 1));
        let err = PatientStatus::deceased(date(1990, 5, 31), Some(&birth), TODAY).unwrap_err();
        assert_eq!(err.code(), "deceased_before_birth");
    }

    #[test]
    fn status_check_catches_a_birth_date_changed_to_after_death() {
        let status = PatientStatus::deceased(date(2000, 1, 1), Some(&born(date(1950, 1, 1))), TODAY).unwrap();
        let corrected = born(date(2001, 1, 1));
        let err = status.check(Some(&corrected), TODAY).unwrap_err();
        assert_eq!(err.code(), "deceased_before_birth");
    }

    #[test]
    fn status_debug_redacts_the_date_of_death() {
        let status = PatientStatus::deceased(date(2024, 5, 1), None, TODAY).unwrap();
        let debug = format!("{status:?}");
        assert_eq!(debug, "PatientStatus { kind: Deceased, deceased_on: [redacted] }");
        assert_eq!(
            format!("{:?}", PatientStatus::ACTIVE),
            "PatientStatus { kind: Active }"
        );
    }

    #[test]
    fn status_json_is_flat_with_snake_case_codes() {
        let json = serde_json::to_string(&PatientStatus::INACTIVE).unwrap();
        assert_eq!(json, r#"{"status":"inactive"}"#);
        let status = PatientStatus::deceased(date(2024, 5, 1), None, TODAY).unwrap();
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, r#"{"status":"deceased","deceased_on":"2024-05-01"}"#);
        assert_eq!(serde_json::from_str::<PatientStatus>(&json).unwrap(), status);
    }

    #[test]
    fn status_json_refuses_a_date_that_does_not_fit_the_status() {
        let missing = serde_json::from_str::<PatientStatus>(r#"{"status":"deceased"}"#).unwrap_err();
        assert!(missing.to_string().contains("must have a date of death"));
        let unexpected = r#"{"status":"active","deceased_on":"2024-05-01"}"#;
        assert!(serde_json::from_str::<PatientStatus>(unexpected).is_err());
        assert!(serde_json::from_str::<PatientStatus>(r#"{"status":"dead"}"#).is_err());
    }

    #[test]
    fn status_kind_codes_are_snake_case() {
        let codes: Vec<_> = PatientStatusKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(codes, ["active", "inactive", "deceased"]);
        assert_eq!(
            "Active".parse::<PatientStatusKind>().unwrap_err().code(),
            "patient_status_invalid"
        );
    }
}
