//! A contact and a link as a caller sends them, checked field by field into valid values.

use praxis_domain::email::EmailAddress;
use praxis_domain::organization::CountryCode;
use praxis_domain::patient::{ContactRole, FamilyName, GivenName, PatientKind, PhoneNumber, PostalAddress};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::patients::AddressInput;

const RELATIONSHIP_MAX: usize = 100;

/// A contact as sent on create and replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "given_name": "Ola", "family_name": "Nordmann", "phone": "913 45 678", "email": "ola@example.org",
    "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen"}
}))]
pub struct ContactInput {
    pub given_name: String,
    pub family_name: String,
    /// In national or international format; stored in E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
}

/// A contact whose every value is valid.
#[derive(Debug, Clone)]
pub struct ValidContact {
    pub given_name: GivenName,
    pub family_name: FamilyName,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub address: Option<PostalAddress>,
}

impl ContactInput {
    /// Checks every field, reporting all problems at once; `country` is the organization's, the default
    /// region for phone numbers and addresses.
    pub fn check(&self, country: &CountryCode) -> ServiceResult<ValidContact> {
        let mut v = Validation::default();
        let given_name = v.field("given_name", self.given_name.parse::<GivenName>(), |e| e.code());
        let family_name = v.field("family_name", self.family_name.parse::<FamilyName>(), |e| {
            e.code()
        });
        let phone = self.phone.as_deref().filter(|p| !p.trim().is_empty());
        let phone = phone.and_then(|raw| v.field("phone", PhoneNumber::parse(raw, country), |e| e.code()));
        let email = self.email.as_deref().filter(|e| !e.trim().is_empty());
        let email = email.and_then(|raw| v.field("email", raw.parse::<EmailAddress>(), |e| e.code()));
        let address = self
            .address
            .as_ref()
            .and_then(|address| check_address(&mut v, address, country));
        v.finish()?;
        match (given_name, family_name) {
            (Some(given_name), Some(family_name)) => Ok(ValidContact {
                given_name,
                family_name,
                phone,
                email,
                address,
            }),
            _ => Err(ServiceError::Internal("validation passed without values".into())),
        }
    }
}

fn check_address(v: &mut Validation, address: &AddressInput, country: &CountryCode) -> Option<PostalAddress> {
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

/// Refuses a role that does not fit the patient's kind, naming the `role` field.
pub fn check_role_fits(role: ContactRole, kind: PatientKind) -> ServiceResult<()> {
    role.fits(kind)
        .map_err(|e| ServiceError::Invalid(vec![FieldIssue::new("role", e.code(), e.to_string())]))
}

/// The role as sent, or the issue that names the `role` field.
pub fn parse_role(text: &str) -> Result<ContactRole, FieldIssue> {
    text.parse::<ContactRole>()
        .map_err(|e| FieldIssue::new("role", e.code(), e.to_string()))
}

/// A link between a patient and a contact as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "owner", "relationship": "owner", "receives_invoices": true, "receives_messages": true}))]
pub struct LinkInput {
    /// `owner` (animals only), `guardian` (people only), `next_of_kin` or `emergency`.
    pub role: String,
    /// Free text, at most 100 characters: "mother", "neighbour", "owner".
    pub relationship: Option<String>,
    /// Whether invoices for the patient go to this contact. Default false.
    #[serde(default)]
    pub receives_invoices: bool,
    /// Whether messages about the patient (reminders, confirmations) go to this contact. Default false.
    #[serde(default)]
    pub receives_messages: bool,
}

/// A link whose every value is valid.
#[derive(Debug, Clone)]
pub struct ValidLink {
    pub role: ContactRole,
    pub relationship: Option<String>,
    pub receives_invoices: bool,
    pub receives_messages: bool,
}

impl LinkInput {
    pub fn check(&self) -> ServiceResult<ValidLink> {
        let mut v = Validation::default();
        let role = parse_role(&self.role).map_err(|issue| v.push(issue)).ok();
        let relationship = self
            .relationship
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty());
        if let Some(text) = relationship
            && (text.chars().count() > RELATIONSHIP_MAX || text.chars().any(char::is_control))
        {
            v.push(FieldIssue::new(
                "relationship",
                "invalid_text",
                format!("relationship has at most {RELATIONSHIP_MAX} characters"),
            ));
        }
        v.finish()?;
        let role = role.ok_or_else(|| ServiceError::Internal("validation passed without a role".into()))?;
        Ok(ValidLink {
            role,
            relationship: relationship.map(str::to_owned),
            receives_invoices: self.receives_invoices,
            receives_messages: self.receives_messages,
        })
    }
}
