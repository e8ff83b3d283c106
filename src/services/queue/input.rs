//! Queues, tickets and status changes as a caller sends them, checked field by field.

use praxis_domain::queue::{Label, TicketStatus};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};

/// Used for estimates until the queue has finished tickets of its own on a day.
pub const DEFAULT_AVERAGE_SERVICE_MINUTES: i64 = 10;
/// A working day: anything longer is a typo.
const MAX_AVERAGE_SERVICE_MINUTES: i64 = 480;

/// A queue as sent on create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Walk-in", "location": "Ground floor", "average_service_minutes": 8}))]
pub struct NewQueue {
    /// Unique in the organization, at most 100 characters; shown on the waiting-room screen.
    pub name: String,
    /// Where the queue is, at most 100 characters: a location or a department.
    pub location: Option<String>,
    /// Minutes one person takes at a desk, for estimates until the day has finished tickets; 1 to 480,
    /// default 10.
    pub average_service_minutes: Option<i64>,
}

/// Changes to a queue; absent fields stay as they are, a `null` location removes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"location": "First floor", "average_service_minutes": 12}))]
pub struct QueueChanges {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    pub average_service_minutes: Option<i64>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`, through `default`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// A queue's settings whose every value is valid.
#[derive(Debug, Clone)]
pub struct ValidQueue {
    pub name: Label,
    pub location: Option<Label>,
    pub average_service_minutes: i64,
}

impl NewQueue {
    pub fn check(&self) -> ServiceResult<ValidQueue> {
        let mut v = Validation::default();
        let name = label(&mut v, "name", &self.name, Label::NAME_MAX);
        let location = optional_label(&mut v, "location", self.location.as_deref(), Label::LOCATION_MAX);
        let minutes = self
            .average_service_minutes
            .unwrap_or(DEFAULT_AVERAGE_SERVICE_MINUTES);
        check_minutes(&mut v, minutes);
        v.finish()?;
        Ok(ValidQueue {
            name: name.ok_or_else(|| ServiceError::Internal("validation passed without a name".into()))?,
            location,
            average_service_minutes: minutes,
        })
    }
}

impl QueueChanges {
    /// The queue's settings after the changes, from the stored ones.
    pub fn apply(&self, stored: &ValidQueue) -> ServiceResult<ValidQueue> {
        let mut v = Validation::default();
        let name = match &self.name {
            Some(name) => label(&mut v, "name", name, Label::NAME_MAX),
            None => Some(stored.name.clone()),
        };
        let location = match &self.location {
            Some(location) => optional_label(&mut v, "location", location.as_deref(), Label::LOCATION_MAX),
            None => stored.location.clone(),
        };
        let minutes = self
            .average_service_minutes
            .unwrap_or(stored.average_service_minutes);
        check_minutes(&mut v, minutes);
        v.finish()?;
        Ok(ValidQueue {
            name: name.ok_or_else(|| ServiceError::Internal("validation passed without a name".into()))?,
            location,
            average_service_minutes: minutes,
        })
    }
}

/// A ticket as sent when someone walks in. There is no name on a ticket: the screen calls numbers.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "reason": "Prescription"}))]
pub struct NewTicket {
    /// A patient of the organization, when the desk knows who it is; never shown on the screen.
    pub patient_id: Option<Uuid>,
    /// Why the person came, in a few words (at most 100 characters), never a name; never shown on the screen.
    pub reason: Option<String>,
}

/// A ticket's values, checked.
#[derive(Debug, Clone)]
pub struct ValidTicket {
    pub patient_id: Option<Uuid>,
    pub reason: Option<Label>,
}

impl NewTicket {
    pub fn check(&self) -> ServiceResult<ValidTicket> {
        let mut v = Validation::default();
        let reason = optional_label(&mut v, "reason", self.reason.as_deref(), Label::REASON_MAX);
        v.finish()?;
        Ok(ValidTicket {
            patient_id: self.patient_id,
            reason,
        })
    }
}

/// The desk that calls the next ticket.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"desk": "Desk 2"}))]
pub struct CallNext {
    /// What the screen tells people to go to, at most 40 characters.
    pub desk: String,
}

impl CallNext {
    pub fn check(&self) -> ServiceResult<Label> {
        let mut v = Validation::default();
        let desk = label(&mut v, "desk", &self.desk, Label::DESK_MAX);
        v.finish()?;
        desk.ok_or_else(|| ServiceError::Internal("validation passed without a desk".into()))
    }
}

/// A ticket's new status.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "serving"}))]
pub struct StatusChange {
    /// `called` (again, for a called ticket), `serving`, `done`, `no_show` or `cancelled`.
    pub status: String,
    /// With `called` only: the desk to call the ticket to now; the ticket's desk when left out.
    pub desk: Option<String>,
}

impl StatusChange {
    pub fn check(&self) -> ServiceResult<(TicketStatus, Option<Label>)> {
        let mut v = Validation::default();
        let status = v.field("status", self.status.parse::<TicketStatus>(), |e| e.code());
        let desk = self
            .desk
            .as_deref()
            .and_then(|desk| label(&mut v, "desk", desk, Label::DESK_MAX));
        if desk.is_some() && status.is_some_and(|status| status != TicketStatus::Called) {
            v.push(FieldIssue::new(
                "desk",
                "desk_not_expected",
                "a desk is given only when calling a ticket",
            ));
        }
        v.finish()?;
        let status =
            status.ok_or_else(|| ServiceError::Internal("validation passed without a status".into()))?;
        Ok((status, desk))
    }
}

fn label(v: &mut Validation, field: &str, text: &str, max: usize) -> Option<Label> {
    v.field(field, Label::parse(text, max), |e| e.code())
}

/// An optional text: left out, `null` and blank all mean none.
fn optional_label(v: &mut Validation, field: &str, text: Option<&str>, max: usize) -> Option<Label> {
    text.filter(|text| !text.trim().is_empty())
        .and_then(|text| label(v, field, text, max))
}

fn check_minutes(v: &mut Validation, minutes: i64) {
    if !(1..=MAX_AVERAGE_SERVICE_MINUTES).contains(&minutes) {
        v.push(FieldIssue::new(
            "average_service_minutes",
            "out_of_range",
            format!("average_service_minutes must be between 1 and {MAX_AVERAGE_SERVICE_MINUTES}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(error: ServiceError) -> Vec<String> {
        match error {
            ServiceError::Invalid(issues) => issues.into_iter().map(|issue| issue.field).collect(),
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn a_queue_gets_the_default_average_and_every_bad_field_is_named() {
        let queue = NewQueue {
            name: " Walk-in ".into(),
            location: Some(" ".into()),
            average_service_minutes: None,
        }
        .check()
        .unwrap();
        assert_eq!(queue.name.as_str(), "Walk-in");
        assert!(queue.location.is_none(), "blank means none");
        assert_eq!(queue.average_service_minutes, DEFAULT_AVERAGE_SERVICE_MINUTES);
        let bad = NewQueue {
            name: String::new(),
            location: Some("a\u{0}".into()),
            average_service_minutes: Some(0),
        };
        assert_eq!(
            fields(bad.check().unwrap_err()),
            ["name", "location", "average_service_minutes"]
        );
    }

    #[test]
    fn changes_keep_what_is_left_out_and_null_removes_the_location() {
        let stored = NewQueue {
            name: "Walk-in".into(),
            location: Some("Ground floor".into()),
            average_service_minutes: Some(8),
        }
        .check()
        .unwrap();
        let kept: QueueChanges = serde_json::from_str(r#"{"average_service_minutes": 12}"#).unwrap();
        let kept = kept.apply(&stored).unwrap();
        assert_eq!(kept.location.unwrap().as_str(), "Ground floor");
        assert_eq!(kept.average_service_minutes, 12);
        let removed: QueueChanges = serde_json::from_str(r#"{"location": null}"#).unwrap();
        assert!(removed.apply(&stored).unwrap().location.is_none());
    }

    #[test]
    fn a_desk_goes_only_with_a_call() {
        let change = |status: &str, desk: Option<&str>| StatusChange {
            status: status.into(),
            desk: desk.map(str::to_owned),
        };
        let (status, desk) = change("called", Some("Desk 3")).check().unwrap();
        assert_eq!((status, desk.unwrap().as_str()), (TicketStatus::Called, "Desk 3"));
        assert_eq!(
            fields(change("done", Some("Desk 3")).check().unwrap_err()),
            ["desk"]
        );
        assert_eq!(fields(change("finished", None).check().unwrap_err()), ["status"]);
    }
}
