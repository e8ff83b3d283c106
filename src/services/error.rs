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
