//! What kind of patient a record is about, and its sex as the record keeps it.

use serde::{Deserialize, Serialize};

coded_enum!(
    /// Whether a patient is a person or an animal. It decides which fields a record may have: an animal has
    /// a microchip and an [`AnimalSex`], a person an [`AdministrativeSex`] and national identifiers.
    PatientKind, PatientKindError, "patient_kind_invalid",
    "A patient kind must be person or animal.", {
        Person => "person",
        Animal => "animal",
    }
);

coded_enum!(
    /// A person's sex for administrative purposes, as FHIR `Patient.gender` (the `administrative-gender`
    /// value set) records it. It is what registries and payers are told, not a clinical observation.
    AdministrativeSex, AdministrativeSexError, "administrative_sex_invalid",
    "An administrative sex must be male, female, other or unknown.", {
        Male => "male",
        Female => "female",
        /// Neither male nor female, as the person has stated.
        Other => "other",
        /// Not recorded or not known.
        Unknown => "unknown",
    }
);

coded_enum!(
    /// An animal's sex. `unknown` is common: the sex of a young bird or reptile often cannot be told.
    Sex, SexError, "sex_invalid",
    "An animal's sex must be male, female or unknown.", {
        Male => "male",
        Female => "female",
        Unknown => "unknown",
    }
);

coded_enum!(
    /// Whether an animal has been neutered (castrated or spayed), which matters for dosing, diagnosis and
    /// the questions a clinic asks.
    NeuterStatus, NeuterStatusError, "neuter_status_invalid",
    "A neuter status must be intact, neutered or unknown.", {
        Intact => "intact",
        Neutered => "neutered",
        Unknown => "unknown",
    }
);

/// An animal's sex and whether it is neutered: two facts that are recorded, and often learned, separately.
///
/// In JSON it is an object of two codes, `{"sex": "female", "neuter_status": "neutered"}`, rather than
/// combined codes such as `female_spayed`: each field can then be filtered on and mapped to the coding
/// systems (VeNom, SNOMED CT) on its own. Every combination is meaningful, including a neutered animal of
/// unknown sex, so the fields are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnimalSex {
    pub sex: Sex,
    pub neuter_status: NeuterStatus,
}

impl AnimalSex {
    /// Nothing known yet, as when an animal is first registered over the phone.
    pub const UNKNOWN: Self = Self::new(Sex::Unknown, NeuterStatus::Unknown);

    pub const fn new(sex: Sex, neuter_status: NeuterStatus) -> Self {
        Self { sex, neuter_status }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text_and_serde() {
        fn check<T>(all: &[T])
        where
            T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
            T: Serialize + for<'de> Deserialize<'de>,
            T::Err: std::fmt::Debug,
        {
            for &value in all {
                let text = value.to_string();
                assert_eq!(text.parse::<T>().unwrap(), value);
                assert_eq!(serde_json::to_string(&value).unwrap(), format!("\"{text}\""));
                assert_eq!(serde_json::from_str::<T>(&format!("\"{text}\"")).unwrap(), value);
            }
        }
        check(&PatientKind::ALL);
        check(&AdministrativeSex::ALL);
        check(&Sex::ALL);
        check(&NeuterStatus::ALL);
    }

    #[test]
    fn codes_are_snake_case_as_fhir_spells_them() {
        let codes: Vec<_> = AdministrativeSex::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(codes, ["male", "female", "other", "unknown"]);
        assert_eq!(PatientKind::Animal.as_str(), "animal");
        assert_eq!(NeuterStatus::Neutered.as_str(), "neutered");
    }

    #[test]
    fn unknown_codes_are_refused_with_their_own_code_and_not_echoed() {
        assert_eq!(
            "Person".parse::<PatientKind>().unwrap_err().code(),
            "patient_kind_invalid"
        );
        assert_eq!(
            "F".parse::<AdministrativeSex>().unwrap_err().code(),
            "administrative_sex_invalid"
        );
        assert_eq!(
            "spayed".parse::<NeuterStatus>().unwrap_err().code(),
            "neuter_status_invalid"
        );
        assert_eq!("hermaphrodite".parse::<Sex>().unwrap_err().code(), "sex_invalid");
        let err = serde_json::from_str::<AdministrativeSex>(r#""secretvalue""#).unwrap_err();
        assert!(!err.to_string().contains("secretvalue"));
    }

    #[test]
    fn animal_sex_is_two_fields_in_json() {
        let spayed = AnimalSex::new(Sex::Female, NeuterStatus::Neutered);
        let json = serde_json::to_string(&spayed).unwrap();
        assert_eq!(json, r#"{"sex":"female","neuter_status":"neutered"}"#);
        assert_eq!(serde_json::from_str::<AnimalSex>(&json).unwrap(), spayed);
    }

    #[test]
    fn animal_sex_refuses_missing_and_unknown_fields() {
        assert!(serde_json::from_str::<AnimalSex>(r#"{"sex":"male"}"#).is_err());
        let extra = r#"{"sex":"male","neuter_status":"intact","spayed":true}"#;
        assert!(serde_json::from_str::<AnimalSex>(extra).is_err());
        assert!(serde_json::from_str::<AnimalSex>(r#"{"sex":"male","neuter_status":"spayed"}"#).is_err());
    }

    #[test]
    fn animal_sex_unknown_knows_nothing() {
        assert_eq!(AnimalSex::UNKNOWN.sex, Sex::Unknown);
        assert_eq!(AnimalSex::UNKNOWN.neuter_status, NeuterStatus::Unknown);
    }
}
