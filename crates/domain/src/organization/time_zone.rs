//! IANA time-zone names.

use std::str::FromStr;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The time zone an organization's calendar runs in.
///
/// Checked against the tz database bundled into the binary rather than the host's, so a name that is valid
/// on one server is valid on all of them. The name is kept in the database's own spelling (`europe/oslo`
/// becomes `Europe/Oslo`), so the stored value never depends on how someone typed it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName {
    name: String,
    zone: TimeZone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeZoneNameError {
    #[error("The time zone is not a known IANA time-zone name, such as Europe/Oslo.")]
    Unknown,
}

impl TimeZoneNameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "time_zone_unknown",
        }
    }
}

impl TimeZoneName {
    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn time_zone(&self) -> TimeZone {
        self.zone.clone()
    }
}

impl FromStr for TimeZoneName {
    type Err = TimeZoneNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let zone = TimeZone::get(s).map_err(|_| TimeZoneNameError::Unknown)?;
        let name = zone.iana_name().ok_or(TimeZoneNameError::Unknown)?.to_owned();
        Ok(Self { name, zone })
    }
}

string_value!(TimeZoneName, TimeZoneNameError);

/// Two values are equal when their names are: the zone is derived from the name.
impl PartialEq for TimeZoneName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZoneName {}

impl std::hash::Hash for TimeZoneName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// Shows the name only; the zone's transition tables would swamp any log line.
impl std::fmt::Debug for TimeZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TimeZoneName").field(&self.name).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zone_accepts_iana_names() {
        for ok in [
            "Europe/Oslo",
            "America/New_York",
            "Asia/Kolkata",
            "UTC",
            "Europe/Kyiv",
        ] {
            assert_eq!(ok.parse::<TimeZoneName>().unwrap().as_str(), ok);
        }
    }

    #[test]
    fn time_zone_name_is_kept_in_canonical_spelling() {
        let tz: TimeZoneName = "europe/OSLO".parse().unwrap();
        assert_eq!(tz.as_str(), "Europe/Oslo");
    }

    #[test]
    fn time_zone_refuses_unknown_names_and_offsets() {
        for bad in [
            "",
            "Europe/Atlantis",
            "Oslo",
            "+01:00",
            " Europe/Oslo",
            "../etc/passwd",
        ] {
            let err = bad.parse::<TimeZoneName>().unwrap_err();
            assert_eq!(err.code(), "time_zone_unknown", "{bad:?}");
        }
    }

    #[test]
    fn time_zone_gives_the_zone_it_names() {
        let tz: TimeZoneName = "Europe/Oslo".parse().unwrap();
        let summer: jiff::Timestamp = "2024-07-01T12:00:00Z".parse().unwrap();
        let offset = tz.time_zone().to_offset(summer);
        assert_eq!(offset, jiff::tz::offset(2));
    }

    #[test]
    fn time_zone_serde_round_trips_and_refuses_invalid() {
        let tz: TimeZoneName = "Europe/Oslo".parse().unwrap();
        let json = serde_json::to_string(&tz).unwrap();
        assert_eq!(json, r#""Europe/Oslo""#);
        assert_eq!(serde_json::from_str::<TimeZoneName>(&json).unwrap(), tz);
        assert!(serde_json::from_str::<TimeZoneName>(r#""Mars/Olympus""#).is_err());
    }
}
