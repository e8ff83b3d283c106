//! Animal identification transponders (microchips).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The number of an ISO 11784/11785 (FDX-B) microchip, as its reader shows it: 15 digits.
///
/// The first three digits say who issued the number: 001–899 an ISO 3166-1 numeric country code (`578`
/// Norway, `752` Sweden, `826` United Kingdom), 900–998 a manufacturer code assigned by ICAR. `000` is no
/// issuer and `999` marks test transponders, which belong on no patient, so both are refused. Country codes
/// are not checked against the list of assigned ones: the chip carries no check digit, so such a list would
/// catch few typos, and it would refuse chips from codes added after it was written. The other 12 digits
/// are the chip's own number, stored on the chip in 38 bits, so at most 274 877 906 943.
///
/// Older non-ISO chips (9-digit AVID, 10-character FDX-A) are refused; a clinic records those as a note.
///
/// Spaces (and other whitespace) are allowed in input, since readers and certificates group the digits,
/// and are removed. The number identifies an animal and through it the owner, so `Debug` does not show it
/// and there is no `Display`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Microchip(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MicrochipError {
    #[error("A microchip number may contain only digits and spaces.")]
    NotDigits,
    #[error("A microchip number must have exactly 15 digits.")]
    Length,
    #[error("A microchip number must start with a country code (001–899) or manufacturer code (900–998).")]
    IssuerCode,
    #[error(
        "The last 12 digits of a microchip number must be at most 274877906943, the largest a chip can store."
    )]
    IdentityRange,
}

impl MicrochipError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotDigits => "microchip_not_digits",
            Self::Length => "microchip_length",
            Self::IssuerCode => "microchip_issuer_code",
            Self::IdentityRange => "microchip_identity_range",
        }
    }
}

impl Microchip {
    pub const DIGITS: usize = 15;
    /// The largest number 38 bits hold, as ISO 11784 gives the chip's own number.
    pub const MAX_IDENTITY: u64 = (1 << 38) - 1;

    /// The 15 digits, without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first three digits: a country code (1–899) or a manufacturer code (900–998).
    pub fn issuer_code(&self) -> u16 {
        self.0[..3].parse().unwrap_or_default()
    }

    /// Whether the number was issued under a manufacturer code rather than a country code.
    pub fn is_manufacturer_code(&self) -> bool {
        self.issuer_code() >= 900
    }
}

impl FromStr for Microchip {
    type Err = MicrochipError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MicrochipError::NotDigits);
        }
        if digits.len() != Self::DIGITS {
            return Err(MicrochipError::Length);
        }
        // Cannot fail: the digits were checked above, and 12 digits fit in a u64.
        let issuer: u16 = digits[..3].parse().map_err(|_| MicrochipError::NotDigits)?;
        let identity: u64 = digits[3..].parse().map_err(|_| MicrochipError::NotDigits)?;
        if !(1..=998).contains(&issuer) {
            return Err(MicrochipError::IssuerCode);
        }
        if identity > Self::MAX_IDENTITY {
            return Err(MicrochipError::IdentityRange);
        }
        Ok(Self(digits))
    }
}

impl TryFrom<String> for Microchip {
    type Error = MicrochipError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Microchip> for String {
    fn from(value: Microchip) -> Self {
        value.0
    }
}

impl fmt::Debug for Microchip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Microchip([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn microchip_accepts_country_and_manufacturer_codes() {
        let norwegian: Microchip = "578097123456789".parse().unwrap();
        assert_eq!(norwegian.issuer_code(), 578);
        assert!(!norwegian.is_manufacturer_code());
        let manufacturer: Microchip = "985112003456789".parse().unwrap();
        assert_eq!(manufacturer.issuer_code(), 985);
        assert!(manufacturer.is_manufacturer_code());
        assert_eq!("001000000000000".parse::<Microchip>().unwrap().issuer_code(), 1);
    }

    #[test]
    fn microchip_spaces_are_removed() {
        let chip: Microchip = " 578 09 7123 456 789\u{a0}".parse().unwrap();
        assert_eq!(chip.as_str(), "578097123456789");
        assert_eq!(chip, "578097123456789".parse().unwrap());
    }

    #[test]
    fn microchip_must_be_only_digits() {
        for bad in [
            "578-097-123-456-789",
            "57809712345678A",
            "５７８097123456789",
            "tel",
        ] {
            assert_eq!(
                bad.parse::<Microchip>().unwrap_err().code(),
                "microchip_not_digits",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn microchip_must_have_15_digits() {
        for bad in ["", "   ", "123456789", "57809712345678", "5780971234567890"] {
            assert_eq!(
                bad.parse::<Microchip>().unwrap_err().code(),
                "microchip_length",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn microchip_issuer_000_and_test_999_are_refused() {
        for bad in ["000097123456789", "999000000000001"] {
            assert_eq!(
                bad.parse::<Microchip>().unwrap_err().code(),
                "microchip_issuer_code",
                "{bad:?}"
            );
        }
        assert!("998000000000001".parse::<Microchip>().is_ok());
    }

    #[test]
    fn microchip_identity_must_fit_in_38_bits() {
        assert!("578274877906943".parse::<Microchip>().is_ok());
        let err = "578274877906944".parse::<Microchip>().unwrap_err();
        assert_eq!(err.code(), "microchip_identity_range");
    }

    #[test]
    fn microchip_debug_is_redacted_and_errors_do_not_echo() {
        let chip: Microchip = "578097123456789".parse().unwrap();
        assert_eq!(format!("{chip:?}"), "Microchip([redacted])");
        let err = serde_json::from_str::<Microchip>(r#""578097123456""#).unwrap_err();
        assert!(!err.to_string().contains("578097"));
    }

    #[test]
    fn microchip_serde_round_trips_as_15_digits() {
        let chip: Microchip = "578 097 123 456 789".parse().unwrap();
        let json = serde_json::to_string(&chip).unwrap();
        assert_eq!(json, r#""578097123456789""#);
        assert_eq!(serde_json::from_str::<Microchip>(&json).unwrap(), chip);
    }

    proptest! {
        #[test]
        fn microchip_accepts_every_number_in_the_iso_ranges(
            issuer in 1u16..=998,
            identity in 0u64..=Microchip::MAX_IDENTITY,
        ) {
            let input = format!("{issuer:03} {identity:012}");
            let chip: Microchip = input.parse().unwrap();
            prop_assert_eq!(chip.issuer_code(), issuer);
            prop_assert_eq!(chip.as_str(), input.replace(' ', ""));
        }

        #[test]
        fn microchip_holds_its_rules_for_any_input(s in "[0-9 a]{0,20}") {
            if let Ok(chip) = s.parse::<Microchip>() {
                prop_assert_eq!(chip.as_str().len(), 15);
                prop_assert!(chip.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(chip.as_str().parse::<Microchip>().unwrap(), chip.clone());
            }
        }
    }
}
