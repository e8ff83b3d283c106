//! ISO 4217 currency codes with their minor units.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The currency an organization invoices in.
///
/// Money in Praxis is an integer count of minor units, so the currency must carry how many decimal places
/// its minor unit has: 2 for NOK (øre), 0 for JPY, 3 for KWD. Input is case-insensitive and normalised to
/// uppercase, like [`CountryCode`](super::CountryCode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct CurrencyCode {
    code: &'static str,
    minor_units: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyCodeError {
    #[error("A currency code must be three letters (ISO 4217).")]
    Format,
    #[error("The currency code is not an active ISO 4217 currency.")]
    Unknown,
}

impl CurrencyCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "currency_code_format",
            Self::Unknown => "currency_code_unknown",
        }
    }
}

impl CurrencyCode {
    pub fn as_str(&self) -> &str {
        self.code
    }

    /// The number of decimal places between the currency's main unit and its minor unit, as ISO 4217 gives
    /// it: an amount of 12.34 NOK is held as 1234.
    pub fn minor_units(&self) -> u8 {
        self.minor_units
    }
}

impl FromStr for CurrencyCode {
    type Err = CurrencyCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(CurrencyCodeError::Format);
        }
        let upper = s.to_ascii_uppercase();
        ACTIVE
            .binary_search_by(|(code, _)| code.cmp(&upper.as_str()))
            .map(|i| {
                let (code, minor_units) = ACTIVE[i];
                Self { code, minor_units }
            })
            .map_err(|_| CurrencyCodeError::Unknown)
    }
}

string_value!(CurrencyCode, CurrencyCodeError);

/// By hand, because the derived form would demand `'static` input for the `&'static str` inside.
impl<'de> Deserialize<'de> for CurrencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// ISO 4217 list one as it stands after Bulgaria's move to the euro in 2026 (XCG and ZWG in; HRK, ANG,
/// ZWL, SLL, CUC and BGN withdrawn), sorted for binary search, with each currency's minor units. ISO amends
/// the list every year or two; a withdrawn code is removed here once no clinic could still invoice in it.
///
/// Only currencies a clinic can invoice in: fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW),
/// precious metals, units of account (XDR, XSU, XUA, XBA–XBD) and the testing and "no currency" codes
/// (XTS, XXX) are left out.
#[rustfmt::skip]
const ACTIVE: [(&str, u8); 155] = [
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2), ("AWG", 2),
    ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2),
    ("BOB", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2),
    ("CDF", 2), ("CHF", 2), ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2),
    ("CZK", 2), ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2), ("IDR", 2),
    ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2), ("JOD", 3), ("JPY", 0),
    ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2),
    ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2),
    ("MDL", 2), ("MGA", 2), ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2),
    ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2),
    ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("RWF", 0),
    ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2), ("SHP", 2), ("SLE", 2),
    ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2),
    ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2),
    ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2), ("UZS", 2), ("VED", 2), ("VES", 2), ("VND", 0),
    ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2),
    ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_list_is_sorted() {
        assert!(ACTIVE.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn currency_code_carries_its_minor_units() {
        let cases = [
            ("NOK", 2),
            ("EUR", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("KWD", 3),
            ("TND", 3),
            ("XCG", 2),
        ];
        for (code, units) in cases {
            assert_eq!(
                code.parse::<CurrencyCode>().unwrap().minor_units(),
                units,
                "{code}"
            );
        }
    }

    #[test]
    fn currency_code_normalises_to_uppercase() {
        assert_eq!("nok".parse::<CurrencyCode>().unwrap().as_str(), "NOK");
        assert_eq!("Sek".parse::<CurrencyCode>().unwrap().to_string(), "SEK");
    }

    #[test]
    fn currency_code_refuses_wrong_shape() {
        for bad in ["", "NO", "NOKK", " NOK", "N0K", "€"] {
            assert_eq!(
                bad.parse::<CurrencyCode>().unwrap_err().code(),
                "currency_code_format",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn currency_code_refuses_withdrawn_fund_and_special_codes() {
        for bad in ["HRK", "DEM", "ANG", "XXX", "XTS", "XAU", "CLF", "ABC"] {
            assert_eq!(
                bad.parse::<CurrencyCode>().unwrap_err().code(),
                "currency_code_unknown",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn currency_code_serde_round_trips_and_refuses_invalid() {
        let code: CurrencyCode = "nok".parse().unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, r#""NOK""#);
        assert_eq!(serde_json::from_str::<CurrencyCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<CurrencyCode>(r#""HRK""#).is_err());
    }
}
