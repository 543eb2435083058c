//! Releasing measures for the public (strategy 3.2.2, 3.2.4, 4.1.2): which measures may be
//! shown, which of their fields, and who takes the two steps – one member of the strategy team
//! proposes the texts, another one releases them (four eyes).

use serde::{Deserialize, Serialize};

use crate::domain::ids::UserId;
use crate::domain::lifecycle::Status;
use crate::domain::permissions::Actor;
use crate::domain::roles::Role;

/// Measures the public may see once released: accepted or later in their life.
pub const PUBLIC_STATUSES: [Status; 4] = [
    Status::Accepted,
    Status::InProgress,
    Status::Implemented,
    Status::Discontinued,
];

pub fn is_public_status(status: Status) -> bool {
    PUBLIC_STATUSES.contains(&status)
}

/// The texts of a measure the public sees, as the reviewer read them. Everything else public is
/// structured and shown live: number, status, lead and participating offices, goals, the
/// implementation state per office (without its note), planned start and end, quick win.
/// Never public: contact person, responsible unit, author, costs and effort, comments and
/// internal notes, assessments, supports, implementation notes, history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicTexts {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub expected_benefit: String,
}

/// Whether `actor` takes part in releasing measures: the strategy team.
pub fn may_publish(actor: &Actor) -> bool {
    actor.has(Role::StrategyTeam)
}

/// Why a release is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotStrategyTeam,
    NotPublicStatus,
    /// Proposed by the same person: someone else reviews it.
    OwnProposal,
    NothingProposed,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotStrategyTeam => "Maßnahmen veröffentlicht das DS-Team.",
            Self::NotPublicStatus => {
                "Veröffentlicht werden nur angenommene, laufende, umgesetzte oder eingestellte \
                 Maßnahmen."
            }
            Self::OwnProposal => {
                "Sie haben die Veröffentlichung vorgeschlagen; freigeben muss sie eine andere \
                 Person des DS-Teams (Vier-Augen-Prinzip)."
            }
            Self::NothingProposed => "Es liegt kein Vorschlag zur Veröffentlichung vor.",
        }
    }
}

/// Whether `actor` may propose the measure in `status` for release.
pub fn may_propose(actor: &Actor, status: Status) -> Result<(), Refusal> {
    if !may_publish(actor) {
        return Err(Refusal::NotStrategyTeam);
    }
    if !is_public_status(status) {
        return Err(Refusal::NotPublicStatus);
    }
    Ok(())
}

/// Whether `actor` may release the proposal made by `proposed_by` (`None`: no proposal; an
/// account deleted since counts as someone else).
pub fn may_release(
    actor: &Actor,
    status: Status,
    proposal: Option<Option<UserId>>,
) -> Result<(), Refusal> {
    may_propose(actor, status)?;
    match proposal {
        None => Err(Refusal::NothingProposed),
        Some(Some(by)) if by == actor.user_id => Err(Refusal::OwnProposal),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::office::Office;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId(uuid::Uuid::new_v4()),
            roles: roles.to_vec(),
            office: Office::Central,
        }
    }

    #[test]
    fn the_strategy_team_proposes_and_another_member_releases() {
        let first = actor(&[Role::StrategyTeam]);
        let second = actor(&[Role::StrategyTeam]);
        let officer = actor(&[Role::CentralOfficer]);
        assert_eq!(may_propose(&first, Status::Accepted), Ok(()));
        assert_eq!(
            may_propose(&officer, Status::Accepted),
            Err(Refusal::NotStrategyTeam)
        );
        assert_eq!(
            may_propose(&first, Status::Submitted),
            Err(Refusal::NotPublicStatus)
        );
        assert_eq!(
            may_release(&first, Status::InProgress, Some(Some(first.user_id))),
            Err(Refusal::OwnProposal)
        );
        assert_eq!(
            may_release(&second, Status::InProgress, Some(Some(first.user_id))),
            Ok(())
        );
        assert_eq!(
            may_release(&second, Status::InProgress, None),
            Err(Refusal::NothingProposed)
        );
        assert_eq!(
            may_release(&second, Status::Implemented, Some(None)),
            Ok(())
        );
    }
}
