//! Who may do what: user roles, API-key scopes, and the permission matrix of the security model.
//!
//! Callers check a [`Permission`] against [`Grants`], never a role or a scope directly, so the matrix lives
//! here once and sessions and API keys are judged by the same rules.

use std::fmt;

mod names;
mod roles;

pub use names::{Role, RoleError, Scope, ScopeError};
pub use roles::{Roles, RolesError};

/// One capability at one access level. Holding a write permission implies its read permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    PatientsRead,
    /// Demographics and contacts.
    PatientsWrite,
    SchedulingRead,
    /// Appointments and the waiting queue.
    SchedulingWrite,
    ClinicalRead,
    /// Writing and signing clinical notes: whoever may write a note may sign it.
    ClinicalWrite,
    BillingRead,
    /// Invoices and payments.
    BillingWrite,
    AuditRead,
    /// Handling GDPR requests (access, export, erasure) about a data subject.
    DataSubjectRequests,
    /// Users, API keys and organization settings.
    Administer,
}

impl Role {
    pub fn grants(self, permission: Permission) -> bool {
        Grants::from_roles(&[self]).allows(permission)
    }

    /// The matrix of DESIGN.md, one row per role, naming the highest level per capability; read follows
    /// from write in [`Grants::insert`]. Admins deliberately cannot read clinical notes or the audit trail.
    const fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::Admin => &[
                Administer,
                PatientsWrite,
                SchedulingWrite,
                BillingWrite,
                DataSubjectRequests,
            ],
            Self::Clinician => &[PatientsWrite, SchedulingWrite, ClinicalWrite],
            Self::Reception => &[PatientsWrite, SchedulingWrite, BillingRead],
            Self::Billing => &[PatientsRead, SchedulingRead, BillingWrite],
            Self::Auditor => &[AuditRead],
        }
    }
}

impl Scope {
    /// No scope yields `Administer` or `DataSubjectRequests`: those stay with a signed-in admin, so a leaked
    /// key can neither mint more keys nor erase patients.
    const fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::PatientsRead => &[PatientsRead],
            Self::PatientsWrite => &[PatientsWrite],
            Self::SchedulingRead => &[SchedulingRead],
            Self::SchedulingWrite => &[SchedulingWrite],
            Self::ClinicalRead => &[ClinicalRead],
            Self::ClinicalWrite => &[ClinicalWrite],
            Self::BillingRead => &[BillingRead],
            Self::BillingWrite => &[BillingWrite],
            Self::AuditRead => &[AuditRead],
            // The FHIR API exposes Patient, Appointment and clinical resources read-only; billing and the
            // audit trail are not part of it, so the scope stops at those three.
            Self::FhirRead => &[PatientsRead, SchedulingRead, ClinicalRead],
        }
    }
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Self::PatientsRead,
        Self::PatientsWrite,
        Self::SchedulingRead,
        Self::SchedulingWrite,
        Self::ClinicalRead,
        Self::ClinicalWrite,
        Self::BillingRead,
        Self::BillingWrite,
        Self::AuditRead,
        Self::DataSubjectRequests,
        Self::Administer,
    ];

    const fn implied_read(self) -> Option<Permission> {
        match self {
            Self::PatientsWrite => Some(Self::PatientsRead),
            Self::SchedulingWrite => Some(Self::SchedulingRead),
            Self::ClinicalWrite => Some(Self::ClinicalRead),
            Self::BillingWrite => Some(Self::BillingRead),
            _ => None,
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// The permissions a caller holds, whether a user through roles or an API key through scopes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Grants {
    bits: u16,
}

impl Grants {
    /// The union of the roles' permissions: holding a further role never takes anything away.
    pub fn from_roles(roles: &[Role]) -> Self {
        Self::from_permissions(roles.iter().flat_map(|role| role.permissions()))
    }

    pub fn from_scopes(scopes: &[Scope]) -> Self {
        Self::from_permissions(scopes.iter().flat_map(|scope| scope.permissions()))
    }

    pub fn allows(self, permission: Permission) -> bool {
        self.bits & permission.bit() != 0
    }

    fn from_permissions<'a>(permissions: impl IntoIterator<Item = &'a Permission>) -> Self {
        let mut grants = Self::default();
        for &permission in permissions {
            grants.insert(permission);
        }
        grants
    }

    fn insert(&mut self, permission: Permission) {
        self.bits |= permission.bit();
        if let Some(read) = permission.implied_read() {
            self.bits |= read.bit();
        }
    }

    fn covers(self, other: Grants) -> bool {
        other.bits & !self.bits == 0
    }
}

impl fmt::Debug for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(
                Permission::ALL
                    .into_iter()
                    .filter(|&permission| self.allows(permission)),
            )
            .finish()
    }
}

/// The requested scopes that the roles do not cover, each once, in [`Scope::ALL`] order.
///
/// A key never gets more than the roles of the admin who made it: a scope is covered only when the roles
/// grant every permission it gives.
pub fn scopes_exceeding(roles: &[Role], scopes: &[Scope]) -> Vec<Scope> {
    let held = Grants::from_roles(roles);
    Scope::ALL
        .into_iter()
        .filter(|scope| scopes.contains(scope) && !held.covers(Grants::from_scopes(&[*scope])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Permission::*;
    use super::*;
    use proptest::prelude::*;

    /// The matrix of DESIGN.md, cell by cell: `W` write (and so read), `R` read, `-` nothing; columns are
    /// admin, clinician, reception, billing, auditor.
    const MATRIX: [(Permission, [char; 5]); 11] = [
        (Administer, ['W', '-', '-', '-', '-']),
        (PatientsWrite, ['W', 'W', 'W', '-', '-']),
        (PatientsRead, ['R', 'R', 'R', 'R', '-']),
        (SchedulingWrite, ['W', 'W', 'W', '-', '-']),
        (SchedulingRead, ['R', 'R', 'R', 'R', '-']),
        (ClinicalWrite, ['-', 'W', '-', '-', '-']),
        (ClinicalRead, ['-', 'R', '-', '-', '-']),
        (BillingWrite, ['W', '-', '-', 'W', '-']),
        (BillingRead, ['R', '-', 'R', 'R', '-']),
        (AuditRead, ['-', '-', '-', '-', 'R']),
        (DataSubjectRequests, ['W', '-', '-', '-', '-']),
    ];

    fn any_roles() -> impl Strategy<Value = Vec<Role>> {
        proptest::sample::subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len())
    }

    fn any_scopes() -> impl Strategy<Value = Vec<Scope>> {
        proptest::sample::subsequence(Scope::ALL.to_vec(), 0..=Scope::ALL.len())
    }

    #[test]
    fn each_role_grants_exactly_its_cells_of_the_matrix() {
        assert_eq!(MATRIX.len(), Permission::ALL.len());
        for (permission, cells) in MATRIX {
            for (role, cell) in Role::ALL.into_iter().zip(cells) {
                assert_eq!(role.grants(permission), cell != '-', "{role} / {permission:?}");
            }
        }
    }

    #[test]
    fn a_clinic_owner_who_is_admin_and_clinician_may_administer_and_write_notes() {
        let owner = Grants::from_roles(&[Role::Admin, Role::Clinician]);
        assert!(owner.allows(Administer) && owner.allows(ClinicalWrite));
        assert!(!owner.allows(AuditRead));
    }

    #[test]
    fn each_scope_gives_its_own_permission_and_write_scopes_also_read() {
        let cases: [(Scope, &[Permission]); 10] = [
            (Scope::PatientsRead, &[PatientsRead]),
            (Scope::PatientsWrite, &[PatientsRead, PatientsWrite]),
            (Scope::SchedulingRead, &[SchedulingRead]),
            (Scope::SchedulingWrite, &[SchedulingRead, SchedulingWrite]),
            (Scope::ClinicalRead, &[ClinicalRead]),
            (Scope::ClinicalWrite, &[ClinicalRead, ClinicalWrite]),
            (Scope::BillingRead, &[BillingRead]),
            (Scope::BillingWrite, &[BillingRead, BillingWrite]),
            (Scope::AuditRead, &[AuditRead]),
            (Scope::FhirRead, &[PatientsRead, SchedulingRead, ClinicalRead]),
        ];
        for (scope, expected) in cases {
            let grants = Grants::from_scopes(&[scope]);
            for permission in Permission::ALL {
                assert_eq!(
                    grants.allows(permission),
                    expected.contains(&permission),
                    "{scope} / {permission:?}"
                );
            }
        }
    }

    #[test]
    fn no_api_key_may_administer_or_handle_data_subject_requests() {
        let every_scope = Grants::from_scopes(&Scope::ALL);
        assert!(!every_scope.allows(Administer) && !every_scope.allows(DataSubjectRequests));
    }

    #[test]
    fn an_admin_only_user_cannot_give_a_key_clinical_or_fhir_access() {
        let asked = [
            Scope::PatientsWrite,
            Scope::ClinicalRead,
            Scope::FhirRead,
            Scope::BillingWrite,
        ];
        assert_eq!(
            scopes_exceeding(&[Role::Admin], &asked),
            [Scope::ClinicalRead, Scope::FhirRead]
        );
    }

    #[test]
    fn an_admin_who_is_also_clinician_can_give_clinical_and_fhir_read() {
        let asked = [Scope::FhirRead, Scope::ClinicalRead, Scope::PatientsWrite];
        assert!(scopes_exceeding(&[Role::Admin, Role::Clinician], &asked).is_empty());
    }

    #[test]
    fn a_reception_user_cannot_give_billing_write_but_can_give_billing_read() {
        let asked = [Scope::BillingWrite, Scope::BillingRead, Scope::BillingWrite];
        assert_eq!(
            scopes_exceeding(&[Role::Reception], &asked),
            [Scope::BillingWrite]
        );
    }

    proptest! {
        #[test]
        fn roles_are_additive_a_user_holds_what_any_of_their_roles_grants(roles in any_roles()) {
            let grants = Grants::from_roles(&roles);
            for permission in Permission::ALL {
                prop_assert_eq!(grants.allows(permission), roles.iter().any(|r| r.grants(permission)));
            }
        }

        #[test]
        fn write_always_comes_with_read(roles in any_roles(), scopes in any_scopes()) {
            for grants in [Grants::from_roles(&roles), Grants::from_scopes(&scopes)] {
                for write in Permission::ALL {
                    if let Some(read) = write.implied_read() {
                        prop_assert!(!grants.allows(write) || grants.allows(read));
                    }
                }
            }
        }

        #[test]
        fn a_key_limited_to_the_covered_scopes_never_exceeds_its_creators_roles(
            roles in any_roles(),
            scopes in any_scopes(),
        ) {
            let exceeding = scopes_exceeding(&roles, &scopes);
            let kept: Vec<Scope> = scopes.iter().copied().filter(|s| !exceeding.contains(s)).collect();
            prop_assert!(Grants::from_roles(&roles).covers(Grants::from_scopes(&kept)));
            prop_assert!(exceeding.iter().all(|s| scopes.contains(s)));
        }
    }
}
