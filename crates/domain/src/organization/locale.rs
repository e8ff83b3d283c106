//! BCP 47 language tags in the common form.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The language and regional conventions an organization's documents and messages use.
///
/// Only the common form `language[-Script][-REGION]` is accepted (`en`, `nb-NO`, `zh-Hant-TW`, `es-419`):
/// that is what translations and formatting rules are keyed by. Variants, extensions, private-use and
/// grandfathered tags are refused rather than silently dropped. Case is normalised as BCP 47 recommends
/// (language lowercase, script titlecase, region uppercase), so `NB-no` and `nb-NO` are the same locale.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locale(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    #[error("A locale must start with a language code of 2 or 3 letters, such as en or nb.")]
    Language,
    #[error("A locale's script must be 4 letters, such as Hant.")]
    Script,
    #[error("A locale's region must be 2 letters or 3 digits, such as NO or 419.")]
    Region,
    #[error("Only locales of the form language, language-REGION or language-Script-REGION are supported.")]
    Unsupported,
}

impl LocaleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Language => "locale_language",
            Self::Script => "locale_script",
            Self::Region => "locale_region",
            Self::Unsupported => "locale_unsupported",
        }
    }
}

impl Locale {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn language(&self) -> &str {
        self.subtags().0
    }

    pub fn script(&self) -> Option<&str> {
        self.subtags().1
    }

    pub fn region(&self) -> Option<&str> {
        self.subtags().2
    }

    /// Re-splits the normalised tag; it is short, and keeping one string keeps the type trivially valid.
    fn subtags(&self) -> (&str, Option<&str>, Option<&str>) {
        let mut parts = self.0.split('-');
        let language = parts.next().unwrap_or_default();
        let (mut script, mut region) = (None, None);
        for part in parts {
            if part.len() == 4 {
                script = Some(part);
            } else {
                region = Some(part);
            }
        }
        (language, script, region)
    }
}

fn is_alpha(s: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
}

impl FromStr for Locale {
    type Err = LocaleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let language = parts.next().unwrap_or_default();
        if !is_alpha(language, 2..=3) {
            return Err(LocaleError::Language);
        }
        let mut tag = language.to_ascii_lowercase();
        let mut next = parts.next();
        if let Some(script) = next
            && script.len() == 4
        {
            if !is_alpha(script, 4..=4) {
                return Err(LocaleError::Script);
            }
            tag.push('-');
            tag.push_str(&script[..1].to_ascii_uppercase());
            tag.push_str(&script[1..].to_ascii_lowercase());
            next = parts.next();
        }
        if let Some(region) = next {
            let numeric = region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit());
            if !is_alpha(region, 2..=2) && !numeric {
                return Err(LocaleError::Region);
            }
            tag.push('-');
            tag.push_str(&region.to_ascii_uppercase());
        }
        if parts.next().is_some() {
            return Err(LocaleError::Unsupported);
        }
        Ok(Self(tag))
    }
}

string_value!(Locale, LocaleError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_accepts_the_common_forms() {
        for ok in [
            "en",
            "nb-NO",
            "sv-SE",
            "zh-Hant-TW",
            "sr-Latn",
            "es-419",
            "fil-PH",
        ] {
            assert_eq!(ok.parse::<Locale>().unwrap().as_str(), ok);
        }
    }

    #[test]
    fn locale_case_is_normalised() {
        assert_eq!("NB-no".parse::<Locale>().unwrap().as_str(), "nb-NO");
        assert_eq!("ZH-hANT-tw".parse::<Locale>().unwrap().as_str(), "zh-Hant-TW");
    }

    #[test]
    fn locale_exposes_its_subtags() {
        let locale: Locale = "zh-Hant-TW".parse().unwrap();
        assert_eq!(locale.language(), "zh");
        assert_eq!(locale.script(), Some("Hant"));
        assert_eq!(locale.region(), Some("TW"));
        let locale: Locale = "nb-NO".parse().unwrap();
        assert_eq!(
            (locale.language(), locale.script(), locale.region()),
            ("nb", None, Some("NO"))
        );
        let locale: Locale = "en".parse().unwrap();
        assert_eq!(
            (locale.language(), locale.script(), locale.region()),
            ("en", None, None)
        );
    }

    #[test]
    fn locale_refuses_malformed_tags_with_their_codes() {
        let cases = [
            ("", "locale_language"),
            ("e", "locale_language"),
            ("engl", "locale_language"),
            ("n1", "locale_language"),
            ("nb_NO", "locale_language"),
            ("zh-Ha1t-TW", "locale_script"),
            ("nb-NOR", "locale_region"),
            ("nb-N", "locale_region"),
            ("nb-", "locale_region"),
            ("es-41", "locale_region"),
            ("de-CH-1996", "locale_unsupported"),
            ("en-US-u-ca-gregory", "locale_unsupported"),
            ("zh-Hant-TW-x", "locale_unsupported"),
        ];
        for (input, code) in cases {
            assert_eq!(input.parse::<Locale>().unwrap_err().code(), code, "{input:?}");
        }
    }

    #[test]
    fn locale_serde_round_trips_and_refuses_invalid() {
        let locale: Locale = "nb-no".parse().unwrap();
        let json = serde_json::to_string(&locale).unwrap();
        assert_eq!(json, r#""nb-NO""#);
        assert_eq!(serde_json::from_str::<Locale>(&json).unwrap(), locale);
        assert!(serde_json::from_str::<Locale>(r#""nb_NO""#).is_err());
    }
}
