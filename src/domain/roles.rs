//! The roles a person acts in. A person can hold several.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(type_name = "role", rename_all = "snake_case")]
pub enum Role {
    /// Mitarbeitende: browse, propose, comment, support.
    Staff,
    /// Digitalisierungsbeauftragte: review and assess measures of their own office.
    DistrictOfficer,
    /// Digitalisierungsverantwortliche: criteria, weights, prioritisation rounds.
    CentralOfficer,
    /// DS-Team: edits the strategy tree, reports.
    StrategyTeam,
    /// Administration: accounts.
    Administrator,
}

impl Role {
    /// Roles as a list in words: "Mitarbeitende, Administration".
    pub fn list(roles: &[Self]) -> String {
        roles
            .iter()
            .map(|role| role.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub const ALL: [Self; 5] = [
        Self::Staff,
        Self::DistrictOfficer,
        Self::CentralOfficer,
        Self::StrategyTeam,
        Self::Administrator,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Staff => "Mitarbeitende",
            Self::DistrictOfficer => "Digitalisierungsbeauftragte",
            Self::CentralOfficer => "Digitalisierungsverantwortliche",
            Self::StrategyTeam => "DS-Team",
            Self::Administrator => "Administration",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::DistrictOfficer => "district-officer",
            Self::CentralOfficer => "central-officer",
            Self::StrategyTeam => "strategy-team",
            Self::Administrator => "admin",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.slug() == slug)
    }
}
