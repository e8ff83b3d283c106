//! ISO 3166-1 alpha-2 country codes.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A country in which an organization practises; it decides which national identifiers, phone numbers and
/// holidays apply.
///
/// Input is case-insensitive and normalised to uppercase (`no` becomes `NO`), since people type codes both
/// ways; whitespace is refused rather than trimmed, because a code is picked, not typed into free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct CountryCode(&'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CountryCodeError {
    #[error("A country code must be two letters (ISO 3166-1 alpha-2).")]
    Format,
    #[error("The country code is not an officially assigned ISO 3166-1 code.")]
    Unassigned,
}

impl CountryCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "country_code_format",
            Self::Unassigned => "country_code_unassigned",
        }
    }
}

impl CountryCode {
    pub fn as_str(&self) -> &str {
        self.0
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(CountryCodeError::Format);
        }
        let upper = s.to_ascii_uppercase();
        ASSIGNED
            .binary_search(&upper.as_str())
            .map(|i| Self(ASSIGNED[i]))
            .map_err(|_| CountryCodeError::Unassigned)
    }
}

string_value!(CountryCode, CountryCodeError);

/// By hand, because the derived form would demand `'static` input for the `&'static str` inside.
impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The officially assigned codes (all 249), sorted for binary search. User-assigned (`AA`, `QM`–`QZ`,
/// `XA`–`XZ`, `ZZ`), exceptionally reserved (`EU`, `UK`) and withdrawn codes are not countries a clinic can
/// be in, so they are refused.
const ASSIGNED: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
    "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
    "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
    "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE",
    "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM",
    "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT",
    "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
    "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA",
    "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
    "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
    "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_code_list_is_sorted_and_complete() {
        assert!(ASSIGNED.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ASSIGNED.len(), 249);
    }

    #[test]
    fn country_code_accepts_assigned_codes_and_normalises_to_uppercase() {
        assert_eq!("NO".parse::<CountryCode>().unwrap().as_str(), "NO");
        assert_eq!("se".parse::<CountryCode>().unwrap().as_str(), "SE");
        assert_eq!("dK".parse::<CountryCode>().unwrap().as_str(), "DK");
        assert_eq!("AX".parse::<CountryCode>().unwrap().as_str(), "AX");
    }

    #[test]
    fn country_code_refuses_wrong_shape() {
        for bad in ["", "N", "NOR", " NO", "N0", "Ø1"] {
            assert_eq!(
                bad.parse::<CountryCode>().unwrap_err().code(),
                "country_code_format",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn country_code_refuses_unassigned_and_reserved_codes() {
        for bad in ["UK", "EU", "XK", "ZZ", "AA", "YU", "QQ"] {
            assert_eq!(
                bad.parse::<CountryCode>().unwrap_err().code(),
                "country_code_unassigned",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn country_code_serde_round_trips_and_refuses_invalid() {
        let code: CountryCode = "no".parse().unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, r#""NO""#);
        assert_eq!(serde_json::from_str::<CountryCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<CountryCode>(r#""UK""#).is_err());
    }
}
