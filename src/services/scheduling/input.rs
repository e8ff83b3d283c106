//! Checks the scheduling inputs share.

use serde::{Deserialize, Deserializer};

use crate::services::error::{FieldIssue, Validation};

const NAME_MAX: usize = 200;

/// A display name: trimmed, 1 to 200 characters.
pub fn name(validation: &mut Validation, field: &str, raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let length = trimmed.chars().count();
    if length == 0 || length > NAME_MAX {
        validation.push(FieldIssue::new(
            field,
            "invalid_length",
            format!("a name has 1 to {NAME_MAX} characters"),
        ));
        return None;
    }
    Some(trimmed.to_owned())
}

/// Parses a coded value, remembering its error under the field's name.
pub fn coded<T>(validation: &mut Validation, field: &str, raw: &str) -> Option<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display + CodedError,
{
    validation.field(field, raw.parse::<T>(), |e| e.code())
}

/// The stable code of a domain error, for `errors[].code`.
pub trait CodedError {
    fn code(&self) -> &'static str;
}

macro_rules! coded_errors {
    ($($error:ty),+) => {$(
        impl CodedError for $error {
            fn code(&self) -> &'static str {
                <$error>::code(self)
            }
        }
    )+};
}
coded_errors!(
    praxis_domain::appointment::ResourceKindError,
    praxis_domain::appointment::BlockKindError,
    praxis_domain::appointment::CancelReasonError,
    praxis_domain::appointment::AppointmentStatusError
);

/// A whole number of minutes within bounds.
pub fn minutes(
    validation: &mut Validation,
    field: &str,
    value: i64,
    bounds: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    if bounds.contains(&value) {
        Some(value)
    } else {
        validation.push(FieldIssue::new(
            field,
            "out_of_range",
            format!("between {} and {} minutes", bounds.start(), bounds.end()),
        ));
        None
    }
}

/// For PATCH fields that may be cleared: absent is `None`, `null` is `Some(None)`.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
