//! The text forms of roles and scopes, as they appear in JSON, the database and the CLI.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One definition keeps each name's text, parsing and serde in step for both types, and makes both refuse
/// an unknown name with their own error, which does not echo it as serde's derived one would.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $error:ident, { $($variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.into_iter().find(|named| named.as_str() == s).ok_or($error::Unknown)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(named: $name) -> Self {
                named.as_str().to_owned()
            }
        }
    };
}

named_enum!(
    /// A user's job in the clinic. Roles are additive: a user may hold several (see [`Roles`]).
    Role, RoleError, {
        Admin => "admin",
        Clinician => "clinician",
        Reception => "reception",
        Billing => "billing",
        Auditor => "auditor",
    }
);

named_enum!(
    /// What an API key may do; chosen by the admin who creates the key, within that admin's own roles.
    Scope, ScopeError, {
        PatientsRead => "patients:read",
        PatientsWrite => "patients:write",
        SchedulingRead => "scheduling:read",
        SchedulingWrite => "scheduling:write",
        ClinicalRead => "clinical:read",
        ClinicalWrite => "clinical:write",
        BillingRead => "billing:read",
        BillingWrite => "billing:write",
        AuditRead => "audit:read",
        FhirRead => "fhir:read",
    }
);

/// A string that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("the role must be one of admin, clinician, reception, billing or auditor")]
    Unknown,
}

/// A string that names no API-key scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the scope must be one of the documented API-key scopes, such as patients:read")]
    Unknown,
}

impl RoleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown_role",
        }
    }
}

impl ScopeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown_scope",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_and_scope_names_round_trip_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
        for scope in Scope::ALL {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        }
    }

    #[test]
    fn unknown_names_are_refused_without_echoing_them() {
        let role = "Admin".parse::<Role>().unwrap_err();
        assert_eq!(role.code(), "unknown_role");
        let scope = "patients:delete".parse::<Scope>().unwrap_err();
        assert_eq!(scope.code(), "unknown_scope");
        assert!(!scope.to_string().contains("delete"));
        let json = serde_json::from_str::<Role>("\"superuser\"")
            .unwrap_err()
            .to_string();
        assert!(!json.contains("superuser"), "{json}");
    }
}
