//! The permission model: one place that says who may do what. Routes name a [`Permission`];
//! object-level rules (whose session, which office's measure) are functions here too. The
//! table in `docs/permissions.md` describes this file; a test checks every route against it.

use super::ids::UserId;
use super::office::Office;
use super::roles::Role;

/// The person a request acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub office: Office,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Anyone, also without an account: login, probes, the accessibility statement.
    Public,
    /// Any signed-in person: the strategy, the catalogue, their own account.
    SignedIn,
    /// Accounts: list, create, change roles and office, deactivate, reset passwords.
    ManageUsers,
    /// The security log.
    ViewSecurityLog,
    /// The prioritisation's method: criteria and weights, rounds, final values, freezing.
    ManagePrioritisation,
    /// Assessing measures in prioritisation rounds.
    Assess,
    /// Releasing measures for the public page and the open data.
    Publish,
    /// Editing the strategy: starting a Fortschreibung, the draft iteration's tree.
    EditStrategy,
}

impl Permission {
    /// Whether `actor` (`None`: not signed in) may use a route that requires `self`.
    pub fn allows(self, actor: Option<&Actor>) -> bool {
        match (self, actor) {
            (Self::Public, _) => true,
            (_, None) => false,
            (Self::SignedIn, Some(_)) => true,
            (Self::ManageUsers | Self::ViewSecurityLog, Some(actor)) => {
                actor.has(Role::Administrator)
            }
            (Self::ManagePrioritisation, Some(actor)) => actor.has(Role::CentralOfficer),
            (Self::Assess, Some(actor)) => {
                actor.has(Role::DistrictOfficer) || actor.has(Role::CentralOfficer)
            }
            (Self::Publish | Self::EditStrategy, Some(actor)) => actor.has(Role::StrategyTeam),
        }
    }

    /// How `docs/permissions.md` names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "öffentlich",
            Self::SignedIn => "angemeldet",
            Self::ManageUsers => "Administration",
            Self::ViewSecurityLog => "Administration",
            Self::ManagePrioritisation => "Digitalisierungsverantwortliche",
            Self::Assess => "Digitalisierungsbeauftragte und -verantwortliche",
            Self::Publish | Self::EditStrategy => "DS-Team",
        }
    }
}

/// A person may end their own sessions; an administrator anyone's.
pub fn may_end_session(actor: &Actor, session_owner: UserId) -> bool {
    actor.user_id == session_owner || actor.has(Role::Administrator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId::new(),
            office: Office::Altona,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn without_an_account_only_public_routes_are_open() {
        assert!(Permission::Public.allows(None));
        for permission in [
            Permission::SignedIn,
            Permission::ManageUsers,
            Permission::ViewSecurityLog,
            Permission::ManagePrioritisation,
            Permission::Assess,
        ] {
            assert!(!permission.allows(None), "{permission:?}");
        }
    }

    #[test]
    fn only_administrators_manage_users_and_read_the_security_log() {
        for role in Role::ALL {
            let person = actor(&[role]);
            assert!(Permission::SignedIn.allows(Some(&person)));
            let admin = role == Role::Administrator;
            assert_eq!(
                Permission::ManageUsers.allows(Some(&person)),
                admin,
                "{role:?}"
            );
            assert_eq!(
                Permission::ViewSecurityLog.allows(Some(&person)),
                admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_the_central_officer_manages_the_prioritisation() {
        assert!(!Permission::ManagePrioritisation.allows(None));
        for role in Role::ALL {
            assert_eq!(
                Permission::ManagePrioritisation.allows(Some(&actor(&[role]))),
                role == Role::CentralOfficer,
                "{role:?}"
            );
        }
    }

    #[test]
    fn district_and_central_officers_assess() {
        for role in Role::ALL {
            assert_eq!(
                Permission::Assess.allows(Some(&actor(&[role]))),
                matches!(role, Role::DistrictOfficer | Role::CentralOfficer),
                "{role:?}"
            );
        }
    }

    #[test]
    fn sessions_are_ended_by_their_owner_or_an_administrator() {
        let owner = actor(&[Role::Staff]);
        let other = actor(&[Role::DistrictOfficer, Role::StrategyTeam]);
        let admin = actor(&[Role::Administrator]);
        assert!(may_end_session(&owner, owner.user_id));
        assert!(!may_end_session(&other, owner.user_id));
        assert!(may_end_session(&admin, owner.user_id));
    }
}
