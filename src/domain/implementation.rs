//! Implementation in the offices: the states an office's row can have, who keeps which row,
//! and when a measure has rows at all.

use super::lifecycle::{Status, is_officer_for};
use super::office::Office;
use super::permissions::Actor;
use super::roles::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "implementation_state", rename_all = "snake_case")]
pub enum State {
    NotRelevant,
    Planned,
    InProgress,
    Done,
}

impl State {
    pub const ALL: [Self; 4] = [
        Self::NotRelevant,
        Self::Planned,
        Self::InProgress,
        Self::Done,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::NotRelevant => "nicht relevant",
            Self::Planned => "geplant",
            Self::InProgress => "in Umsetzung",
            Self::Done => "umgesetzt",
        }
    }

    /// The label at the start of a line ("In Umsetzung").
    pub fn heading(self) -> &'static str {
        match self {
            Self::NotRelevant => "Nicht relevant",
            Self::Planned => "Geplant",
            Self::InProgress => "In Umsetzung",
            Self::Done => "Umgesetzt",
        }
    }

    /// A sign beside the label, so that the matrix can be scanned (never instead of it).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NotRelevant => "–",
            Self::Planned => "○",
            Self::InProgress => "◐",
            Self::Done => "✓",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::NotRelevant => "nicht-relevant",
            Self::Planned => "geplant",
            Self::InProgress => "in-umsetzung",
            Self::Done => "umgesetzt",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.slug() == slug)
    }
}

/// The seven district offices, whose rows the matrix shows.
pub const DISTRICT_OFFICES: [Office; 7] = [
    Office::Altona,
    Office::Bergedorf,
    Office::Eimsbuettel,
    Office::HamburgMitte,
    Office::HamburgNord,
    Office::Harburg,
    Office::Wandsbek,
];

/// Only accepted measures are implemented.
pub fn has_rows(status: Status) -> bool {
    matches!(
        status,
        Status::Accepted | Status::InProgress | Status::Implemented
    )
}

/// A district officer keeps their own office's row; the central officer may keep any.
pub fn may_keep_row(actor: &Actor, office: Office) -> bool {
    actor.has(Role::CentralOfficer) || (actor.has(Role::DistrictOfficer) && actor.office == office)
}

/// The overall progress and milestones belong to the lead office (and the central officer).
pub fn may_keep_progress(actor: &Actor, lead_office: Office) -> bool {
    is_officer_for(actor, lead_office)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn actor(roles: &[Role], office: Office) -> Actor {
        Actor {
            user_id: UserId::new(),
            office,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn each_district_officer_keeps_their_own_row() {
        let altona = actor(&[Role::DistrictOfficer], Office::Altona);
        assert!(may_keep_row(&altona, Office::Altona));
        assert!(!may_keep_row(&altona, Office::Wandsbek));
        assert!(may_keep_row(
            &actor(&[Role::CentralOfficer], Office::Central),
            Office::Wandsbek
        ));
        assert!(!may_keep_row(
            &actor(&[Role::Staff, Role::StrategyTeam], Office::Altona),
            Office::Altona
        ));
    }

    #[test]
    fn only_accepted_measures_have_rows() {
        for status in Status::ALL {
            let expected = matches!(
                status,
                Status::Accepted | Status::InProgress | Status::Implemented
            );
            assert_eq!(has_rows(status), expected, "{status:?}");
        }
    }

    #[test]
    fn progress_belongs_to_the_lead_office() {
        assert!(may_keep_progress(
            &actor(&[Role::DistrictOfficer], Office::Harburg),
            Office::Harburg
        ));
        assert!(!may_keep_progress(
            &actor(&[Role::DistrictOfficer], Office::Altona),
            Office::Harburg
        ));
    }

    #[test]
    fn every_state_has_its_own_slug() {
        for state in State::ALL {
            assert_eq!(State::from_slug(state.slug()), Some(state));
        }
    }
}
