//! Pain on a 0–10 visual analogue scale, and its change over a visit.

use serde::{Deserialize, Serialize};

/// Pain on the 0–10 scale: 0 is no pain, 10 the worst imaginable. Whole numbers only, as the patient
/// states them; a value of this type is always in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct PainScore(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PainScoreError {
    #[error("Pain is a whole number from 0 (no pain) to 10 (worst imaginable).")]
    OutOfRange,
}

impl PainScoreError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange => "pain_score_out_of_range",
        }
    }
}

impl PainScore {
    pub const MIN: Self = Self(0);
    pub const MAX: Self = Self(10);

    /// Takes any integer, so a caller holding an `i64` from JSON or the database need not narrow it first.
    pub fn new(value: i64) -> Result<Self, PainScoreError> {
        match u8::try_from(value) {
            Ok(score) if score <= Self::MAX.0 => Ok(Self(score)),
            _ => Err(PainScoreError::OutOfRange),
        }
    }

    /// Reads a score typed as text (`"7"`); anything else, `"7.5"` and `" 7"` included, is refused.
    pub fn parse(raw: &str) -> Result<Self, PainScoreError> {
        raw.parse::<i64>()
            .map_err(|_| PainScoreError::OutOfRange)
            .and_then(Self::new)
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for PainScore {
    type Error = PainScoreError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<PainScore> for u8 {
    fn from(score: PainScore) -> Self {
        score.0
    }
}

/// The change of pain over a visit: `end − start`, from −10 to 10. Negative is improvement (less pain at
/// the end), positive is worsening, 0 is no change.
pub fn pain_change(start: PainScore, end: PainScore) -> i8 {
    // Both are 0..=10, so the casts and the subtraction cannot overflow.
    end.0 as i8 - start.0 as i8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_from_zero_to_ten() {
        assert_eq!(PainScore::new(0).unwrap(), PainScore::MIN);
        assert_eq!(PainScore::new(10).unwrap(), PainScore::MAX);
        for bad in [-1, 11, 255, 256, i64::MIN, i64::MAX] {
            assert_eq!(PainScore::new(bad), Err(PainScoreError::OutOfRange), "{bad}");
        }
    }

    #[test]
    fn text_must_be_a_whole_number() {
        assert_eq!(PainScore::parse("7").unwrap().value(), 7);
        for bad in ["", "7.5", " 7", "seven", "-1", "11"] {
            assert_eq!(PainScore::parse(bad), Err(PainScoreError::OutOfRange), "{bad:?}");
        }
    }

    #[test]
    fn json_refuses_scores_off_the_scale() {
        assert_eq!(serde_json::from_str::<PainScore>("4").unwrap().value(), 4);
        assert!(serde_json::from_str::<PainScore>("11").is_err());
        assert!(serde_json::from_str::<PainScore>("-2").is_err());
        assert_eq!(serde_json::to_string(&PainScore::MAX).unwrap(), "10");
    }

    #[test]
    fn less_pain_at_the_end_is_a_negative_change() {
        let score = |v| PainScore::new(v).unwrap();
        assert_eq!(pain_change(score(7), score(3)), -4);
        assert_eq!(pain_change(score(3), score(7)), 4);
        assert_eq!(pain_change(score(5), score(5)), 0);
        assert_eq!(pain_change(PainScore::MAX, PainScore::MIN), -10);
    }
}
