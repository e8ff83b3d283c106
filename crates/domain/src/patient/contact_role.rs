//! How a contact is related to a patient, and which roles fit which kind of patient.

use super::PatientKind;

coded_enum!(
    /// The role a contact has for a patient. One contact may hold several roles for the same patient (an
    /// animal's owner is often its emergency contact too), and one owner may have many animals.
    ContactRole, ContactRoleError, "contact_role_invalid",
    "A contact role must be owner, guardian, next_of_kin or emergency.", {
        /// The owner of an animal; animals only.
        Owner => "owner",
        /// Decides for a child, or for an adult who cannot decide alone; people only.
        Guardian => "guardian",
        NextOfKin => "next_of_kin",
        Emergency => "emergency",
    }
);

/// Why a role does not fit the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactRoleMismatch {
    #[error("only animals have owners")]
    OwnerOfPerson,
    #[error("only people have guardians; an animal has an owner")]
    GuardianOfAnimal,
}

impl ContactRoleMismatch {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OwnerOfPerson => "owner_only_for_animals",
            Self::GuardianOfAnimal => "guardian_only_for_people",
        }
    }
}

impl ContactRole {
    /// Whether a contact may hold this role for a patient of this kind.
    pub fn fits(self, kind: PatientKind) -> Result<(), ContactRoleMismatch> {
        match (self, kind) {
            (Self::Owner, PatientKind::Person) => Err(ContactRoleMismatch::OwnerOfPerson),
            (Self::Guardian, PatientKind::Animal) => Err(ContactRoleMismatch::GuardianOfAnimal),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_stored_as_snake_case_codes() {
        assert_eq!(ContactRole::NextOfKin.as_str(), "next_of_kin");
        assert_eq!("emergency".parse::<ContactRole>(), Ok(ContactRole::Emergency));
        let error = "Owner".parse::<ContactRole>().unwrap_err();
        assert_eq!(error.code(), "contact_role_invalid");
        assert!(!error.to_string().contains("Owner"), "the input is not repeated");
    }

    #[test]
    fn owners_are_for_animals_and_guardians_for_people() {
        for role in ContactRole::ALL {
            let for_person = role.fits(PatientKind::Person);
            let for_animal = role.fits(PatientKind::Animal);
            match role {
                ContactRole::Owner => {
                    assert_eq!(for_person, Err(ContactRoleMismatch::OwnerOfPerson));
                    assert_eq!(for_animal, Ok(()));
                }
                ContactRole::Guardian => {
                    assert_eq!(for_person, Ok(()));
                    assert_eq!(for_animal, Err(ContactRoleMismatch::GuardianOfAnimal));
                }
                ContactRole::NextOfKin | ContactRole::Emergency => {
                    assert_eq!((for_person, for_animal), (Ok(()), Ok(())));
                }
            }
        }
    }
}
