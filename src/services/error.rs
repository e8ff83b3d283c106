//! The typed errors services answer with; the HTTP edge maps each to one status.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials. Deliberately says nothing about which part was wrong.
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or belonging to another organization: the two are indistinguishable by design.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A booking that would take time already taken; each clash is named.
    #[error("{detail}")]
    Overlap { detail: String, conflicts: Vec<Clash> },
    #[error("the record has changed since it was read (version {current})")]
    StaleVersion { current: i64 },
    #[error("{} invalid value(s)", .0.len())]
    Invalid(Vec<FieldIssue>),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

/// What a booking would clash with: an appointment holding the same time, a time block, or hours outside
/// the practitioner's working time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "kind": "practitioner", "appointment_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e60",
    "start": "2027-03-01T08:00:00Z", "end": "2027-03-01T08:45:00Z"
}))]
pub struct Clash {
    /// `practitioner`, `resource` or `patient` (an appointment of theirs), `time_block`, or `working_hours`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_block_id: Option<uuid::Uuid>,
    /// The occurrence of a series that clashes, when booking or moving a series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<i64>,
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
}

impl Clash {
    /// A clash of `kind` over an interval, naming no record.
    pub fn over(kind: &'static str, interval: praxis_domain::schedule::Interval) -> Self {
        Self {
            kind,
            appointment_id: None,
            time_block_id: None,
            occurrence: None,
            start: interval.start(),
            end: interval.end(),
        }
    }
}

/// Why one input field was refused: its path, a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Collects field problems so a caller learns about every bad field at once, not one per round trip.
#[derive(Debug, Default)]
pub struct Validation {
    issues: Vec<FieldIssue>,
}

impl Validation {
    /// Parses one field, remembering its error under the field's name.
    pub fn field<T, E>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
        code: impl Fn(&E) -> &'static str,
    ) -> Option<T>
    where
        E: std::fmt::Display,
    {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.issues
                    .push(FieldIssue::new(field, code(&error), error.to_string()));
                None
            }
        }
    }

    pub fn push(&mut self, issue: FieldIssue) {
        self.issues.push(issue);
    }

    pub fn finish(self) -> Result<(), ServiceError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.issues))
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
