//! Who may do what (DESIGN section 1). This is the one place that maps roles to
//! permissions; every handler asks [`Roles::may`] and nothing else.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Marketer,
    Reviewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Marketer, Role::Reviewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Marketer => "marketer",
            Role::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "marketer" => Some(Role::Marketer),
            "reviewer" => Some(Role::Reviewer),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of roles one user holds. A user may hold several, or none (then they can sign
/// in and see that they have nothing to do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    pub admin: bool,
    pub marketer: bool,
    pub reviewer: bool,
}

/// Everything a request can ask to do. Handlers name the permission they need; only
/// [`Roles::may`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create, edit, disable users and assign roles.
    ManageUsers,
    /// Change the release policy.
    ManagePolicy,
    /// Read the audit log.
    ReadAudit,
    /// Create and edit drafts, submit them, test-send, take and acknowledge previews,
    /// release, cancel a scheduled release.
    WriteDrafts,
    /// Approve, request changes, comment.
    Review,
    /// Confirm that a test send arrived on a phone and looks right.
    ConfirmTestSend,
    /// Manage friends and segments.
    ManageAudience,
    /// Make any friend a staff member's test phone, or remove any tester (a person can
    /// pair and remove their own phone without it).
    ManageTesters,
    /// Read drafts, releases, the audience and the sandbox outbox.
    ReadDrafts,
    /// Ask LINE for fresh statistics of a sent release.
    RefreshStatistics,
}

impl Roles {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn from_list(roles: &[Role]) -> Self {
        let mut r = Roles::none();
        for role in roles {
            r = r.with(*role);
        }
        r
    }

    /// Parses a comma separated list such as `admin,reviewer`. Unknown names are an error
    /// naming them, so a typo on the command line never silently drops a role.
    pub fn parse_list(list: &str) -> Result<Self, String> {
        let mut roles = Roles::none();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Role::parse(part) {
                Some(role) => roles = roles.with(role),
                None => {
                    return Err(format!(
                        "unknown role {part:?}; the roles are admin, marketer and reviewer"
                    ));
                }
            }
        }
        Ok(roles)
    }

    pub fn with(mut self, role: Role) -> Self {
        match role {
            Role::Admin => self.admin = true,
            Role::Marketer => self.marketer = true,
            Role::Reviewer => self.reviewer = true,
        }
        self
    }

    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Admin => self.admin,
            Role::Marketer => self.marketer,
            Role::Reviewer => self.reviewer,
        }
    }

    pub fn list(&self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.has(*r)).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.list().is_empty()
    }

    /// The role table of DESIGN section 1.
    pub fn may(&self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            ManageUsers | ManagePolicy | ReadAudit | ManageTesters => self.admin,
            WriteDrafts | ManageAudience => self.marketer,
            Review => self.reviewer,
            ConfirmTestSend | RefreshStatistics => self.marketer || self.reviewer,
            ReadDrafts => self.marketer || self.reviewer || self.admin,
        }
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.list().into_iter().map(Role::as_str).collect();
        if names.is_empty() {
            f.write_str("no role")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marketers_and_reviewers_ask_for_fresh_statistics_and_admins_only_read_them() {
        let p = Permission::RefreshStatistics;
        assert!(Roles::none().with(Role::Marketer).may(p));
        assert!(Roles::none().with(Role::Reviewer).may(p));
        assert!(!Roles::none().with(Role::Admin).may(p));
        assert!(Roles::none().with(Role::Admin).may(Permission::ReadDrafts));
    }

    #[test]
    fn only_admins_manage_users_policy_and_read_the_audit_log() {
        for p in [
            Permission::ManageUsers,
            Permission::ManagePolicy,
            Permission::ReadAudit,
        ] {
            assert!(Roles::none().with(Role::Admin).may(p));
            assert!(!Roles::none().with(Role::Marketer).may(p));
            assert!(!Roles::none().with(Role::Reviewer).may(p));
        }
    }

    #[test]
    fn marketers_write_and_reviewers_review_and_neither_does_the_other() {
        let m = Roles::none().with(Role::Marketer);
        let r = Roles::none().with(Role::Reviewer);
        assert!(m.may(Permission::WriteDrafts) && !m.may(Permission::Review));
        assert!(r.may(Permission::Review) && !r.may(Permission::WriteDrafts));
        assert!(m.may(Permission::ConfirmTestSend) && r.may(Permission::ConfirmTestSend));
        assert!(
            !Roles::none()
                .with(Role::Admin)
                .may(Permission::ConfirmTestSend)
        );
    }

    #[test]
    fn a_user_with_no_role_may_do_nothing() {
        let none = Roles::none();
        for p in [
            Permission::ManageUsers,
            Permission::ManagePolicy,
            Permission::ReadAudit,
            Permission::WriteDrafts,
            Permission::Review,
            Permission::ConfirmTestSend,
            Permission::ManageAudience,
            Permission::ReadDrafts,
        ] {
            assert!(!none.may(p), "{p:?}");
        }
    }

    #[test]
    fn several_roles_add_up() {
        let both = Roles::parse_list("admin, reviewer").unwrap();
        assert!(both.may(Permission::ManageUsers) && both.may(Permission::Review));
        assert_eq!(both.to_string(), "admin, reviewer");
    }

    #[test]
    fn an_unknown_role_name_is_refused_by_name() {
        let err = Roles::parse_list("admin,reveiwer").unwrap_err();
        assert!(err.contains("reveiwer"), "{err}");
    }
}
