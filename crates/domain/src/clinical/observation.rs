//! Vital signs and other measurements recorded in a note, each with a fixed unit and a plausible range.
//!
//! # Units and ranges
//!
//! Each kind has one unit, so values never need converting and are compared as they are stored. The ranges
//! are what a living patient can physiologically present with, not what is normal: they catch a typing
//! error (`1200` for `120`, a temperature in °F) without refusing a sick or unusual patient. Praxis serves
//! human and veterinary clinics, so they also cover the companion and farm animals those clinics see (a
//! cat's heart rate, a horse's weight, a bird's temperature).
//!
//! | kind | unit | range | decimals |
//! |---|---|---|---|
//! | systolic blood pressure | mmHg | 40–300 | 0 |
//! | diastolic blood pressure | mmHg | 20–200 | 0 |
//! | heart rate | /min | 10–600 | 0 |
//! | respiratory rate | /min | 2–200 | 0 |
//! | body temperature | °C | 25.0–45.0 | 1 |
//! | oxygen saturation | % | 50–100 | 0 |
//! | body weight | kg | 0.010–1500.000 | 3 |
//! | body height | cm | 10.0–300.0 | 1 |
//!
//! A value is rounded to its kind's decimals (half away from zero) before its range is checked, so what is
//! stored, shown and hashed is the same number.

use std::fmt;

coded_enum!(
    /// What was measured; each kind has its unit, decimals and range.
    ObservationKind, ObservationKindError, "unknown_observation_kind",
    "The observation kind is systolic_bp, diastolic_bp, heart_rate, respiratory_rate, body_temperature, \
     oxygen_saturation, body_weight or body_height.",
    {
        SystolicBp => "systolic_bp",
        DiastolicBp => "diastolic_bp",
        HeartRate => "heart_rate",
        RespiratoryRate => "respiratory_rate",
        BodyTemperature => "body_temperature",
        OxygenSaturation => "oxygen_saturation",
        BodyWeight => "body_weight",
        BodyHeight => "body_height",
    }
);

impl ObservationKind {
    /// The English name, as error messages and the user interface show it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SystolicBp => "systolic blood pressure",
            Self::DiastolicBp => "diastolic blood pressure",
            Self::HeartRate => "heart rate",
            Self::RespiratoryRate => "respiratory rate",
            Self::BodyTemperature => "body temperature",
            Self::OxygenSaturation => "oxygen saturation",
            Self::BodyWeight => "body weight",
            Self::BodyHeight => "body height",
        }
    }

    /// The one unit values of this kind are recorded in (UCUM spells `/min` as `/min` and `°C` as `Cel`).
    pub const fn unit(self) -> &'static str {
        match self {
            Self::SystolicBp | Self::DiastolicBp => "mmHg",
            Self::HeartRate | Self::RespiratoryRate => "/min",
            Self::BodyTemperature => "°C",
            Self::OxygenSaturation => "%",
            Self::BodyWeight => "kg",
            Self::BodyHeight => "cm",
        }
    }

    /// How many decimals a value keeps.
    pub const fn decimals(self) -> u8 {
        match self {
            Self::BodyTemperature | Self::BodyHeight => 1,
            Self::BodyWeight => 3,
            _ => 0,
        }
    }

    /// The plausible range, both ends included.
    pub const fn range(self) -> (f64, f64) {
        match self {
            Self::SystolicBp => (40.0, 300.0),
            Self::DiastolicBp => (20.0, 200.0),
            Self::HeartRate => (10.0, 600.0),
            Self::RespiratoryRate => (2.0, 200.0),
            Self::BodyTemperature => (25.0, 45.0),
            Self::OxygenSaturation => (50.0, 100.0),
            Self::BodyWeight => (0.01, 1500.0),
            Self::BodyHeight => (10.0, 300.0),
        }
    }

    /// `value` written with exactly this kind's decimals: `120`, `37.5`, `70.250`.
    pub fn format(self, value: f64) -> String {
        format!("{value:.*}", usize::from(self.decimals()))
    }

    fn round(self, value: f64) -> f64 {
        let scale = 10f64.powi(i32::from(self.decimals()));
        (value * scale).round() / scale
    }
}

/// One measurement: a kind and a value in the kind's unit, rounded to its decimals and inside its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    kind: ObservationKind,
    value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ObservationError {
    #[error("{} must be from {} to {} {}.", capitalised(kind.name()), kind.format(kind.range().0),
        kind.format(kind.range().1), kind.unit())]
    OutOfRange { kind: ObservationKind },
    #[error("{} is recorded more than once; a note holds one value of each kind.", capitalised(kind.name()))]
    Repeated { kind: ObservationKind },
    #[error("Diastolic blood pressure must be below systolic blood pressure.")]
    DiastolicNotBelowSystolic,
}

impl ObservationError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "observation_out_of_range",
            Self::Repeated { .. } => "observation_repeated",
            Self::DiastolicNotBelowSystolic => "diastolic_not_below_systolic",
        }
    }
}

/// The names are ASCII, so the first byte is the first character.
fn capitalised(name: &str) -> String {
    let (first, rest) = name.split_at(1);
    format!("{}{rest}", first.to_ascii_uppercase())
}

impl Observation {
    /// Rounds `value` to the kind's decimals and checks it against the kind's range; NaN and infinities are
    /// out of every range.
    pub fn new(kind: ObservationKind, value: f64) -> Result<Self, ObservationError> {
        let value = kind.round(value);
        let (min, max) = kind.range();
        if (min..=max).contains(&value) {
            Ok(Self { kind, value })
        } else {
            Err(ObservationError::OutOfRange { kind })
        }
    }

    pub fn kind(&self) -> ObservationKind {
        self.kind
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    pub fn unit(&self) -> &'static str {
        self.kind.unit()
    }
}

/// Shows the value with its kind's decimals and unit: `37.5 °C`, `120 mmHg`.
impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.format(self.value), self.kind.unit())
    }
}

/// Checks the observations of one note together: each kind at most once (a repeated measurement belongs in
/// the text or a later note, so the structured value is never ambiguous), and, when both pressures are
/// recorded, the diastolic below the systolic.
pub fn check_observation_set(observations: &[Observation]) -> Result<(), ObservationError> {
    for (i, observation) in observations.iter().enumerate() {
        if observations[..i]
            .iter()
            .any(|earlier| earlier.kind == observation.kind)
        {
            return Err(ObservationError::Repeated {
                kind: observation.kind,
            });
        }
    }
    let value_of = |kind| observations.iter().find(|o| o.kind == kind).map(|o| o.value);
    match (
        value_of(ObservationKind::SystolicBp),
        value_of(ObservationKind::DiastolicBp),
    ) {
        (Some(systolic), Some(diastolic)) if diastolic >= systolic => {
            Err(ObservationError::DiastolicNotBelowSystolic)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::ObservationKind::*;
    use super::*;

    fn observe(kind: ObservationKind, value: f64) -> Observation {
        Observation::new(kind, value).unwrap()
    }

    #[test]
    fn both_ends_of_every_range_are_accepted_and_just_outside_refused() {
        for kind in ObservationKind::ALL {
            let (min, max) = kind.range();
            let step = 10f64.powi(-i32::from(kind.decimals()));
            assert_eq!(observe(kind, min).value(), min, "{kind}");
            assert_eq!(observe(kind, max).value(), max, "{kind}");
            for bad in [min - step, max + step, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert_eq!(
                    Observation::new(kind, bad),
                    Err(ObservationError::OutOfRange { kind }),
                    "{kind} {bad}"
                );
            }
        }
    }

    #[test]
    fn the_error_names_the_kind_the_unit_and_the_range() {
        let error = Observation::new(SystolicBp, 1200.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Systolic blood pressure must be from 40 to 300 mmHg."
        );
        assert_eq!(error.code(), "observation_out_of_range");
        let error = Observation::new(BodyTemperature, 98.6).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Body temperature must be from 25.0 to 45.0 °C."
        );
        let error = Observation::new(BodyWeight, 0.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Body weight must be from 0.010 to 1500.000 kg."
        );
    }

    #[test]
    fn values_are_rounded_to_the_kinds_decimals() {
        assert_eq!(observe(BodyTemperature, 37.25).to_string(), "37.3 °C");
        assert_eq!(observe(HeartRate, 71.5).value(), 72.0);
        assert_eq!(observe(BodyWeight, 4.2504).to_string(), "4.250 kg");
        assert_eq!(observe(OxygenSaturation, 100.4).value(), 100.0);
        assert_eq!(observe(SystolicBp, 120.0).to_string(), "120 mmHg");
    }

    #[test]
    fn a_note_holds_one_value_per_kind_and_diastolic_below_systolic() {
        let pressure = |s, d| [observe(SystolicBp, s), observe(DiastolicBp, d)];
        assert_eq!(check_observation_set(&[]), Ok(()));
        assert_eq!(check_observation_set(&pressure(120.0, 80.0)), Ok(()));
        assert_eq!(check_observation_set(&[observe(DiastolicBp, 150.0)]), Ok(()));
        assert_eq!(
            check_observation_set(&pressure(90.0, 90.0)),
            Err(ObservationError::DiastolicNotBelowSystolic)
        );
        assert_eq!(
            check_observation_set(&pressure(80.0, 120.0)),
            Err(ObservationError::DiastolicNotBelowSystolic)
        );
        let twice = [observe(HeartRate, 60.0), observe(HeartRate, 64.0)];
        let error = check_observation_set(&twice).unwrap_err();
        assert_eq!(error, ObservationError::Repeated { kind: HeartRate });
        assert_eq!(
            error.to_string(),
            "Heart rate is recorded more than once; a note holds one value of each kind."
        );
    }
}
