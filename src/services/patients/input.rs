//! A patient as a caller sends it, checked field by field into valid values.

use jiff::civil::Date;
use praxis_domain::email::EmailAddress;
use praxis_domain::identifier::{IdentifierSystem, NationalIdentifier};
use praxis_domain::organization::CountryCode;
use praxis_domain::patient::{
    AdministrativeSex, BirthDate, FamilyName, GivenName, Microchip, NeuterStatus, PatientKind, PatientStatus,
    PhoneNumber, PostalAddress, Sex,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::services::error::{FieldIssue, ServiceResult, Validation};

const NOTES_MAX: usize = 10_000;
const ANIMAL_TEXT_MAX: usize = 100;

/// A national identifier as sent: its scheme code and its value as typed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"system": "no-fnr", "value": "01019012480"}))]
pub struct IdentifierInput {
    /// `no-fnr`, `no-dnr`, `no-hnr`, `se-pnr`, `se-snr`, `dk-cpr`, `fi-hetu`, `uk-nhs` or `us-ssn`.
    pub system: String,
    pub value: String,
}

/// A postal address as sent and shown.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen", "country": "NO"}))]
pub struct AddressInput {
    pub lines: Vec<String>,
    pub postal_code: Option<String>,
    pub city: String,
    /// ISO 3166-1 alpha-2; the organization's country when absent.
    pub country: Option<String>,
}

/// A patient record as sent on create and replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "person", "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01", "sex": "female",
    "identifiers": [{"system": "no-fnr", "value": "01019012480"}], "phone": "912 34 567",
    "email": "kari@example.org", "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen"}
}))]
pub struct PatientInput {
    /// `person` or `animal`.
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<Date>,
    /// People: `male`, `female`, `other` or `unknown`; animals: `male`, `female` or `unknown`.
    pub sex: Option<String>,
    /// `active` (default), `inactive` or `deceased` (with `deceased_on`).
    pub status: Option<String>,
    pub deceased_on: Option<Date>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierInput>,
    /// In national or international format; stored in E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
    pub notes: Option<String>,
    /// Animals only.
    pub species: Option<String>,
    pub breed: Option<String>,
    pub colour: Option<String>,
    /// Animals only: `intact`, `neutered` or `unknown`.
    pub neuter_status: Option<String>,
    /// Animals only: the ISO 11784 number, 15 digits.
    pub microchip: Option<String>,
}

/// What only animals have.
#[derive(Debug, Clone)]
pub struct Animal {
    pub species: String,
    pub breed: Option<String>,
    pub colour: Option<String>,
    pub neuter_status: NeuterStatus,
    pub microchip: Option<Microchip>,
}

/// A patient whose every value is valid.
#[derive(Debug, Clone)]
pub struct ValidPatient {
    pub kind: PatientKind,
    pub given_name: GivenName,
    pub family_name: FamilyName,
    pub birth_date: Option<BirthDate>,
    /// The sex as stored: an administrative sex for people, an animal's sex for animals.
    pub sex: String,
    pub status: PatientStatus,
    pub identifiers: Vec<NationalIdentifier>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub address: Option<PostalAddress>,
    pub notes: Option<String>,
    pub animal: Option<Animal>,
}

fn short_text(validation: &mut Validation, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let value = value?.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        validation.push(FieldIssue::new(
            field,
            "invalid_text",
            format!("{field} has at most {max} characters"),
        ));
        return None;
    }
    Some(value.to_owned())
}

impl PatientInput {
    /// Checks every field, reporting all problems at once. `country` is the organization's, the default
    /// region for phone numbers and addresses; `today` is the date in the organization's time zone.
    pub fn check(&self, country: &CountryCode, today: Date) -> ServiceResult<ValidPatient> {
        let mut v = Validation::default();
        let kind = v.field("kind", self.kind.parse::<PatientKind>(), |e| e.code());
        let given_name = v.field("given_name", self.given_name.parse::<GivenName>(), |e| e.code());
        let family_name = v.field("family_name", self.family_name.parse::<FamilyName>(), |e| {
            e.code()
        });
        let birth_date = self
            .birth_date
            .and_then(|date| v.field("birth_date", BirthDate::new(date, today), |e| e.code()));
        let sex_text = self.sex.as_deref().unwrap_or("unknown");
        let sex = match kind {
            Some(PatientKind::Animal) => v
                .field("sex", sex_text.parse::<Sex>(), |e| e.code())
                .map(|s| s.to_string()),
            _ => v
                .field("sex", sex_text.parse::<AdministrativeSex>(), |e| e.code())
                .map(|s| s.to_string()),
        };
        let status = self.status(&mut v, birth_date.as_ref(), today);
        let mut identifiers = Vec::with_capacity(self.identifiers.len());
        for (index, identifier) in self.identifiers.iter().enumerate() {
            let field = format!("identifiers[{index}]");
            let Some(system) = v.field(
                &format!("{field}.system"),
                identifier.system.parse::<IdentifierSystem>(),
                |e| e.code(),
            ) else {
                continue;
            };
            let parsed = NationalIdentifier::parse(system, &identifier.value, today);
            if let Some(parsed) = v.field(&format!("{field}.value"), parsed, |e| e.code()) {
                if identifiers
                    .iter()
                    .any(|known: &NationalIdentifier| known.system() == parsed.system())
                {
                    v.push(FieldIssue::new(
                        field,
                        "duplicate_system",
                        "a patient has one identifier per scheme",
                    ));
                } else {
                    identifiers.push(parsed);
                }
            }
        }
        let phone = self.phone.as_deref().filter(|p| !p.trim().is_empty());
        let phone = phone.and_then(|raw| v.field("phone", PhoneNumber::parse(raw, country), |e| e.code()));
        let email = self.email.as_deref().filter(|e| !e.trim().is_empty());
        let email = email.and_then(|raw| v.field("email", raw.parse::<EmailAddress>(), |e| e.code()));
        let address = self
            .address
            .as_ref()
            .and_then(|address| self.address(&mut v, address, country));
        let notes = short_text(&mut v, "notes", self.notes.as_deref(), NOTES_MAX);
        let animal = match kind {
            Some(PatientKind::Animal) => self.animal(&mut v),
            _ => {
                self.refuse_animal_fields(&mut v);
                None
            }
        };
        if kind == Some(PatientKind::Animal) && !self.identifiers.is_empty() {
            v.push(FieldIssue::new(
                "identifiers",
                "not_for_animals",
                "national identifiers belong to people",
            ));
        }
        v.finish()?;
        match (kind, given_name, family_name, sex, status) {
            (Some(kind), Some(given_name), Some(family_name), Some(sex), Some(status)) => Ok(ValidPatient {
                kind,
                given_name,
                family_name,
                birth_date,
                sex,
                status,
                identifiers,
                phone,
                email,
                address,
                notes,
                animal,
            }),
            _ => Err(crate::services::error::ServiceError::Internal(
                "validation passed without values".into(),
            )),
        }
    }

    fn status(
        &self,
        v: &mut Validation,
        birth_date: Option<&BirthDate>,
        today: Date,
    ) -> Option<PatientStatus> {
        let status = match (self.status.as_deref().unwrap_or("active"), self.deceased_on) {
            ("active", None) => Ok(PatientStatus::ACTIVE),
            ("inactive", None) => Ok(PatientStatus::INACTIVE),
            ("deceased", Some(on)) => {
                PatientStatus::deceased(on, birth_date, today).map_err(|e| (e.code(), e.to_string()))
            }
            ("deceased", None) => Err((
                "deceased_date_missing",
                "a deceased patient needs deceased_on".to_owned(),
            )),
            ("active" | "inactive", Some(_)) => Err((
                "deceased_date_unexpected",
                "deceased_on is only for deceased patients".to_owned(),
            )),
            _ => Err((
                "patient_status_invalid",
                "status must be active, inactive or deceased".to_owned(),
            )),
        };
        status
            .map_err(|(code, message)| v.push(FieldIssue::new("status", code, message)))
            .ok()
    }

    fn address(
        &self,
        v: &mut Validation,
        address: &AddressInput,
        country: &CountryCode,
    ) -> Option<PostalAddress> {
        let country = match &address.country {
            Some(code) => v.field("address.country", code.parse::<CountryCode>(), |e| e.code())?,
            None => *country,
        };
        let postal_code = address.postal_code.as_deref().unwrap_or("");
        PostalAddress::new(&address.lines, postal_code, &address.city, country)
            .map_err(|e| {
                v.push(FieldIssue::new(
                    format!("address.{}", e.field()),
                    e.code(),
                    e.to_string(),
                ))
            })
            .ok()
    }

    fn animal(&self, v: &mut Validation) -> Option<Animal> {
        let species = short_text(v, "species", self.species.as_deref(), ANIMAL_TEXT_MAX);
        if species.is_none() && self.species.as_deref().is_none_or(|s| s.trim().is_empty()) {
            v.push(FieldIssue::new(
                "species",
                "required",
                "an animal needs its species",
            ));
        }
        let breed = short_text(v, "breed", self.breed.as_deref(), ANIMAL_TEXT_MAX);
        let colour = short_text(v, "colour", self.colour.as_deref(), ANIMAL_TEXT_MAX);
        let neuter = self.neuter_status.as_deref().unwrap_or("unknown");
        let neuter_status = v.field("neuter_status", neuter.parse::<NeuterStatus>(), |e| e.code());
        let microchip = self.microchip.as_deref().filter(|m| !m.trim().is_empty());
        let microchip = microchip.map(|raw| v.field("microchip", raw.parse::<Microchip>(), |e| e.code()));
        Some(Animal {
            species: species?,
            breed,
            colour,
            neuter_status: neuter_status?,
            microchip: microchip.flatten(),
        })
    }

    fn refuse_animal_fields(&self, v: &mut Validation) {
        let given = [
            ("species", self.species.is_some()),
            ("breed", self.breed.is_some()),
            ("colour", self.colour.is_some()),
            ("neuter_status", self.neuter_status.is_some()),
            ("microchip", self.microchip.is_some()),
        ];
        for (field, present) in given {
            if present {
                v.push(FieldIssue::new(
                    field,
                    "only_for_animals",
                    format!("{field} is only for animals"),
                ));
            }
        }
    }
}
