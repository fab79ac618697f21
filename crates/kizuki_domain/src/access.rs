//! Who may do what. Every route declares one [`Permission`]; [`Permission::check`] is the only
//! place that decides, so the rules can be read (and tested) in one screen.

use crate::role::Role;

/// What a route needs from the person asking.
///
/// There is deliberately no default: a route cannot be registered without naming one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Anyone, signed in or not (public pages, the application form, health checks).
    Public,
    /// Anyone with an active account, whatever its role (their own settings, sign-out).
    SignedIn,
    /// Accounts, roles, invitations and backups.
    ManageUsers,
    /// Creating and running trainings, study groups, registrations and questionnaires.
    ManageEvents,
    /// Transcripts, coding and literature review.
    Research,
    /// Reading the results of evaluation questionnaires: organisers and researchers.
    Evaluation,
}

/// The outcome of checking a [`Permission`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Granted,
    /// Nobody is signed in and the route needs someone: ask them to sign in.
    SignInRequired,
    /// Someone is signed in but their role does not allow this.
    Forbidden,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Public,
        Permission::SignedIn,
        Permission::ManageUsers,
        Permission::ManageEvents,
        Permission::Research,
        Permission::Evaluation,
    ];

    pub fn check(self, role: Option<Role>) -> Access {
        match (self, role) {
            (Permission::Public, _) => Access::Granted,
            (_, None) => Access::SignInRequired,
            (Permission::SignedIn, Some(_)) => Access::Granted,
            (permission, Some(role)) if role_grants(role, permission) => Access::Granted,
            (_, Some(_)) => Access::Forbidden,
        }
    }

    /// A stable name for documentation, logs and the OpenAPI document.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Public => "public",
            Permission::SignedIn => "signed_in",
            Permission::ManageUsers => "manage_users",
            Permission::ManageEvents => "manage_events",
            Permission::Research => "research",
            Permission::Evaluation => "evaluation",
        }
    }
}

fn role_grants(role: Role, permission: Permission) -> bool {
    match role {
        // The administrator keeps the system running; they may act anywhere.
        Role::Admin => true,
        Role::Organizer => matches!(
            permission,
            Permission::ManageEvents | Permission::Evaluation
        ),
        Role::Researcher => matches!(permission, Permission::Research | Permission::Evaluation),
        // Facilitators and hosts act on their own trainings and groups; those checks are made
        // against the record itself by the parts that own them.
        Role::Facilitator | Role::Host => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_needs_nobody() {
        assert_eq!(Permission::Public.check(None), Access::Granted);
    }

    #[test]
    fn every_other_permission_needs_sign_in() {
        for permission in Permission::ALL {
            if permission != Permission::Public {
                assert_eq!(
                    permission.check(None),
                    Access::SignInRequired,
                    "{permission:?}"
                );
            }
        }
    }

    #[test]
    fn role_table() {
        use Access::{Forbidden as F, Granted as G};
        // Columns: SignedIn, ManageUsers, ManageEvents, Research, Evaluation.
        let table = [
            (Role::Admin, [G, G, G, G, G]),
            (Role::Organizer, [G, F, G, F, G]),
            (Role::Facilitator, [G, F, F, F, F]),
            (Role::Host, [G, F, F, F, F]),
            (Role::Researcher, [G, F, F, G, G]),
        ];
        let permissions = [
            Permission::SignedIn,
            Permission::ManageUsers,
            Permission::ManageEvents,
            Permission::Research,
            Permission::Evaluation,
        ];
        for (role, expected) in table {
            for (permission, want) in permissions.iter().zip(expected) {
                assert_eq!(
                    permission.check(Some(role)),
                    want,
                    "{role:?} {permission:?}"
                );
            }
        }
    }
}
