//! The set of roles one user holds.

use serde::{Deserialize, Serialize};

use super::{Grants, Role};

/// A role list that cannot be a user's roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolesError {
    #[error("a user must hold at least one role")]
    Empty,
}

impl RolesError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "no_roles",
        }
    }
}

/// The roles of one user: at least one, each once, in [`Role::ALL`] order, so two equal sets compare and
/// serialize equal whatever order they were given in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Role>", into = "Vec<Role>")]
pub struct Roles {
    roles: Vec<Role>,
}

impl Roles {
    pub fn as_slice(&self) -> &[Role] {
        &self.roles
    }

    pub fn contains(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn grants(&self) -> Grants {
        Grants::from_roles(&self.roles)
    }
}

/// Repeated roles are merged rather than refused: roles are a set, and a repeat asks for nothing more.
impl TryFrom<Vec<Role>> for Roles {
    type Error = RolesError;

    fn try_from(mut roles: Vec<Role>) -> Result<Self, Self::Error> {
        if roles.is_empty() {
            return Err(RolesError::Empty);
        }
        roles.sort_unstable();
        roles.dedup();
        Ok(Self { roles })
    }
}

impl From<Role> for Roles {
    fn from(role: Role) -> Self {
        Self { roles: vec![role] }
    }
}

impl From<Roles> for Vec<Role> {
    fn from(roles: Roles) -> Self {
        roles.roles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_without_roles_is_refused() {
        assert_eq!(Roles::try_from(vec![]), Err(RolesError::Empty));
        assert_eq!(RolesError::Empty.code(), "no_roles");
        assert!(serde_json::from_str::<Roles>("[]").is_err());
    }

    #[test]
    fn roles_are_kept_sorted_and_once_each() {
        let roles: Roles = serde_json::from_str(r#"["clinician","admin","clinician"]"#).unwrap();
        assert_eq!(roles.as_slice(), [Role::Admin, Role::Clinician]);
        assert_eq!(serde_json::to_string(&roles).unwrap(), r#"["admin","clinician"]"#);
        assert!(roles.contains(Role::Admin) && !roles.contains(Role::Billing));
        assert_eq!(Roles::from(Role::Auditor).as_slice(), [Role::Auditor]);
    }

    #[test]
    fn a_role_list_naming_an_unknown_role_is_refused_without_echoing_it() {
        let error = serde_json::from_str::<Roles>(r#"["admin","root"]"#).unwrap_err();
        assert!(!error.to_string().contains("root"), "{error}");
    }

    #[test]
    fn a_users_grants_are_those_of_all_their_roles() {
        let owner = Roles::try_from(vec![Role::Clinician, Role::Admin]).unwrap();
        assert_eq!(
            owner.grants(),
            Grants::from_roles(&[Role::Admin, Role::Clinician])
        );
    }
}
