//! The life of a measure: which status may follow which, who may move it, and what each step
//! needs (a reason, a target to merge into). The handlers ask here; nothing else decides.

use super::office::Office;
use super::permissions::Actor;
use super::roles::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Deserialize)]
#[sqlx(type_name = "measure_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Entwurf: only the author sees it.
    Draft,
    Submitted,
    InReview,
    Accepted,
    Rejected,
    Deferred,
    Merged,
    InProgress,
    Implemented,
    Discontinued,
}

impl Status {
    pub const ALL: [Self; 10] = [
        Self::Draft,
        Self::Submitted,
        Self::InReview,
        Self::Accepted,
        Self::Rejected,
        Self::Deferred,
        Self::Merged,
        Self::InProgress,
        Self::Implemented,
        Self::Discontinued,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Entwurf",
            Self::Submitted => "Eingereicht",
            Self::InReview => "In Prüfung",
            Self::Accepted => "Angenommen",
            Self::Rejected => "Abgelehnt",
            Self::Deferred => "Zurückgestellt",
            Self::Merged => "Zusammengeführt",
            Self::InProgress => "In Umsetzung",
            Self::Implemented => "Umgesetzt",
            Self::Discontinued => "Eingestellt",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Draft => "entwurf",
            Self::Submitted => "eingereicht",
            Self::InReview => "in-pruefung",
            Self::Accepted => "angenommen",
            Self::Rejected => "abgelehnt",
            Self::Deferred => "zurueckgestellt",
            Self::Merged => "zusammengefuehrt",
            Self::InProgress => "in-umsetzung",
            Self::Implemented => "umgesetzt",
            Self::Discontinued => "eingestellt",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.slug() == slug)
    }

    /// The button that moves a measure into this status.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Draft => "Zurück in den Entwurf",
            Self::Submitted => "Einreichen",
            Self::InReview => "Prüfung beginnen",
            Self::Accepted => "Annehmen",
            Self::Rejected => "Ablehnen",
            Self::Deferred => "Zurückstellen",
            Self::Merged => "Zusammenführen",
            Self::InProgress => "Umsetzung beginnen",
            Self::Implemented => "Als umgesetzt melden",
            Self::Discontinued => "Einstellen",
        }
    }

    /// Whether moving into this status needs a reason everyone can read.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Rejected | Self::Deferred | Self::Discontinued)
    }

    /// The statuses that may follow this one.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Draft => &[Self::Submitted],
            Self::Submitted => &[Self::InReview],
            Self::InReview => &[Self::Accepted, Self::Rejected, Self::Deferred, Self::Merged],
            Self::Deferred => &[Self::InReview],
            Self::Accepted => &[Self::InProgress, Self::Discontinued],
            Self::InProgress => &[Self::Implemented, Self::Discontinued],
            Self::Rejected | Self::Merged | Self::Implemented | Self::Discontinued => &[],
        }
    }
}

/// The measure a person named as the target of a merge, as far as the rules need to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeTarget {
    /// No target was given.
    NotGiven,
    /// The number names no measure the person may see (never given out, or someone's draft).
    Unknown,
    /// The measure itself.
    Itself,
    /// Another measure the person may see, in this status.
    Measure(Status),
}

impl MergeTarget {
    fn is_given(self) -> bool {
        self != Self::NotGiven
    }
}

impl Status {
    /// Whether a measure in this status can take up another one: it is still open (submitted,
    /// in review, accepted or in progress), and in particular not merged itself.
    pub fn accepts_merges(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::InReview | Self::Accepted | Self::InProgress
        )
    }
}

/// What the rules need to know about a measure.
#[derive(Debug, Clone, Copy)]
pub struct MeasureFacts {
    pub status: Status,
    pub lead_office: Office,
    pub author_is_actor: bool,
    pub goal_count: usize,
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowedFromHere,
    NotYourRole,
    ReasonRequired,
    GoalRequired,
    MergeTargetRequired,
    MergeTargetUnknown,
    MergeIntoItself,
    MergeTargetClosed,
    /// A reason was sent with a step that takes none.
    ReasonNotForThisStep,
    /// A merge target was sent with a step other than merging.
    TargetNotForThisStep,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAllowedFromHere => "Dieser Statuswechsel ist von hier aus nicht möglich.",
            Self::NotYourRole => "Diesen Schritt dürfen Sie bei dieser Maßnahme nicht ausführen.",
            Self::ReasonRequired => {
                "Bitte geben Sie eine Begründung an; sie ist für alle sichtbar."
            }
            Self::GoalRequired => "Bitte ordnen Sie die Maßnahme mindestens einem Ziel zu.",
            Self::MergeTargetRequired => {
                "Bitte wählen Sie die Maßnahme, in die zusammengeführt wird."
            }
            Self::MergeTargetUnknown => {
                "Eine Maßnahme mit dieser Nummer gibt es nicht. Bitte geben Sie die Nummer an, \
                 zum Beispiel M-12."
            }
            Self::MergeIntoItself => {
                "Eine Maßnahme kann nicht in sich selbst zusammengeführt werden."
            }
            Self::MergeTargetClosed => {
                "In diese Maßnahme kann nicht zusammengeführt werden: Sie ist nicht mehr offen. \
                 Möglich sind eingereichte, in Prüfung befindliche, angenommene und in Umsetzung \
                 befindliche Maßnahmen."
            }
            Self::ReasonNotForThisStep => {
                "Eine Begründung gehört nur zum Ablehnen, Zurückstellen und Einstellen. Bitte \
                 nutzen Sie für diesen Schritt dessen eigene Schaltfläche."
            }
            Self::TargetNotForThisStep => {
                "Eine Zielmaßnahme gehört nur zum Zusammenführen. Bitte nutzen Sie für diesen \
                 Schritt dessen eigene Schaltfläche."
            }
        }
    }
}

/// An officer for a measure: the district officer of its lead office, or the central officer.
pub fn is_officer_for(actor: &Actor, lead_office: Office) -> bool {
    actor.has(Role::CentralOfficer)
        || (actor.has(Role::DistrictOfficer) && actor.office == lead_office)
}

/// Whether `actor` may take the step to `to` at all: it follows from the current status, it is
/// theirs to take, and the measure is ready for it. The inputs are checked by [`check`].
pub fn may_take(actor: &Actor, facts: MeasureFacts, to: Status) -> Result<(), Refusal> {
    if !facts.status.next().contains(&to) {
        return Err(Refusal::NotAllowedFromHere);
    }
    let permitted = match to {
        Status::Submitted => facts.author_is_actor,
        _ => is_officer_for(actor, facts.lead_office),
    };
    if !permitted {
        return Err(Refusal::NotYourRole);
    }
    if to == Status::Submitted && facts.goal_count == 0 {
        return Err(Refusal::GoalRequired);
    }
    Ok(())
}

/// Whether `actor` may move the measure to `to` with these inputs. Each input belongs to one
/// kind of step (a reason to rejecting, deferring and discontinuing; a target to merging) and is
/// refused with any other, so that no step leaves another step's field behind.
pub fn check(
    actor: &Actor,
    facts: MeasureFacts,
    to: Status,
    reason: &str,
    merge_target: MergeTarget,
) -> Result<(), Refusal> {
    may_take(actor, facts, to)?;
    let has_reason = !reason.trim().is_empty();
    if has_reason && !to.needs_reason() {
        return Err(Refusal::ReasonNotForThisStep);
    }
    if merge_target.is_given() && to != Status::Merged {
        return Err(Refusal::TargetNotForThisStep);
    }
    if to.needs_reason() && !has_reason {
        return Err(Refusal::ReasonRequired);
    }
    if to == Status::Merged {
        match merge_target {
            MergeTarget::NotGiven => return Err(Refusal::MergeTargetRequired),
            MergeTarget::Unknown => return Err(Refusal::MergeTargetUnknown),
            MergeTarget::Itself => return Err(Refusal::MergeIntoItself),
            MergeTarget::Measure(status) if !status.accepts_merges() => {
                return Err(Refusal::MergeTargetClosed);
            }
            MergeTarget::Measure(_) => {}
        }
    }
    Ok(())
}

/// Who sees a measure: a draft only its author; everything else every signed-in person.
pub fn may_view(status: Status, author_is_actor: bool) -> bool {
    status != Status::Draft || author_is_actor
}

/// Who edits a measure's content: its author while it is a draft or submitted, an officer for
/// it until it is closed.
pub fn may_edit(actor: &Actor, facts: MeasureFacts) -> bool {
    let closed = facts.status.next().is_empty();
    (facts.author_is_actor && matches!(facts.status, Status::Draft | Status::Submitted))
        || (!closed && facts.status != Status::Draft && is_officer_for(actor, facts.lead_office))
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

    fn facts(status: Status, author: bool) -> MeasureFacts {
        MeasureFacts {
            status,
            lead_office: Office::Altona,
            author_is_actor: author,
            goal_count: 2,
        }
    }

    /// Every pair of statuses, for every kind of person: allowed exactly where the table says.
    #[test]
    fn every_transition_is_allowed_exactly_for_the_right_people() {
        let people = [
            (
                "author (staff)",
                actor(&[Role::Staff], Office::Wandsbek),
                true,
            ),
            ("staff", actor(&[Role::Staff], Office::Altona), false),
            (
                "officer of the lead office",
                actor(&[Role::DistrictOfficer], Office::Altona),
                false,
            ),
            (
                "officer of another office",
                actor(&[Role::DistrictOfficer], Office::Wandsbek),
                false,
            ),
            (
                "central officer",
                actor(&[Role::CentralOfficer], Office::Central),
                false,
            ),
            (
                "strategy team",
                actor(&[Role::StrategyTeam], Office::Altona),
                false,
            ),
            (
                "administrator",
                actor(&[Role::Administrator], Office::Altona),
                false,
            ),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                for (who, person, author) in &people {
                    let reason = if to.needs_reason() { "Begründung" } else { "" };
                    let target = if to == Status::Merged {
                        MergeTarget::Measure(Status::Accepted)
                    } else {
                        MergeTarget::NotGiven
                    };
                    let result = check(person, facts(from, *author), to, reason, target);
                    let in_table = from.next().contains(&to);
                    let officer =
                        who.starts_with("officer of the lead") || *who == "central officer";
                    let expected = in_table
                        && if to == Status::Submitted {
                            *author
                        } else {
                            officer
                        };
                    assert_eq!(
                        result.is_ok(),
                        expected,
                        "{from:?} → {to:?} by {who}: {result:?}"
                    );
                    if !in_table {
                        assert_eq!(result, Err(Refusal::NotAllowedFromHere));
                    }
                }
            }
        }
    }

    #[test]
    fn rejecting_deferring_and_discontinuing_need_a_reason() {
        let officer = actor(&[Role::CentralOfficer], Office::Central);
        for (from, to) in [
            (Status::InReview, Status::Rejected),
            (Status::InReview, Status::Deferred),
            (Status::InProgress, Status::Discontinued),
        ] {
            let none = MergeTarget::NotGiven;
            assert_eq!(
                check(&officer, facts(from, false), to, "  ", none),
                Err(Refusal::ReasonRequired)
            );
            assert!(check(&officer, facts(from, false), to, "passt nicht", none).is_ok());
        }
        assert!(
            check(
                &officer,
                facts(Status::InReview, false),
                Status::Accepted,
                "",
                MergeTarget::NotGiven
            )
            .is_ok()
        );
    }

    #[test]
    fn a_merge_needs_a_target_and_a_submission_a_goal() {
        let officer = actor(&[Role::CentralOfficer], Office::Central);
        assert_eq!(
            check(
                &officer,
                facts(Status::InReview, false),
                Status::Merged,
                "",
                MergeTarget::NotGiven
            ),
            Err(Refusal::MergeTargetRequired)
        );
        let author = actor(&[Role::Staff], Office::Altona);
        let mut without_goal = facts(Status::Draft, true);
        without_goal.goal_count = 0;
        assert_eq!(
            check(
                &author,
                without_goal,
                Status::Submitted,
                "",
                MergeTarget::NotGiven
            ),
            Err(Refusal::GoalRequired)
        );
    }

    #[test]
    fn a_merge_target_must_be_known_another_measure_and_open() {
        let officer = actor(&[Role::CentralOfficer], Office::Central);
        let merge = |target| {
            check(
                &officer,
                facts(Status::InReview, false),
                Status::Merged,
                "",
                target,
            )
        };
        assert_eq!(
            merge(MergeTarget::Unknown),
            Err(Refusal::MergeTargetUnknown)
        );
        assert_eq!(merge(MergeTarget::Itself), Err(Refusal::MergeIntoItself));
        for status in Status::ALL {
            let expected = matches!(
                status,
                Status::Submitted | Status::InReview | Status::Accepted | Status::InProgress
            );
            assert_eq!(
                merge(MergeTarget::Measure(status)).is_ok(),
                expected,
                "into a measure {status:?}"
            );
        }
    }

    #[test]
    fn each_input_is_accepted_only_with_its_own_step() {
        let officer = actor(&[Role::CentralOfficer], Office::Central);
        let open = MergeTarget::Measure(Status::Accepted);
        let in_review = facts(Status::InReview, false);
        assert_eq!(
            check(&officer, in_review, Status::Accepted, "", open),
            Err(Refusal::TargetNotForThisStep)
        );
        assert_eq!(
            check(&officer, in_review, Status::Rejected, "doppelt", open),
            Err(Refusal::TargetNotForThisStep)
        );
        assert_eq!(
            check(
                &officer,
                in_review,
                Status::Accepted,
                "weil",
                MergeTarget::NotGiven
            ),
            Err(Refusal::ReasonNotForThisStep)
        );
        assert_eq!(
            check(&officer, in_review, Status::Merged, "weil", open),
            Err(Refusal::ReasonNotForThisStep)
        );
        assert!(check(&officer, in_review, Status::Merged, "", open).is_ok());
    }

    #[test]
    fn closed_statuses_lead_nowhere() {
        for status in [
            Status::Rejected,
            Status::Merged,
            Status::Implemented,
            Status::Discontinued,
        ] {
            assert!(status.next().is_empty(), "{status:?}");
        }
    }

    #[test]
    fn a_draft_is_seen_and_edited_by_its_author_only() {
        let author = actor(&[Role::Staff], Office::Altona);
        let officer = actor(&[Role::CentralOfficer], Office::Central);
        assert!(may_view(Status::Draft, true));
        assert!(!may_view(Status::Draft, false));
        assert!(may_view(Status::Submitted, false));
        assert!(may_edit(&author, facts(Status::Draft, true)));
        assert!(!may_edit(&officer, facts(Status::Draft, false)));
        assert!(may_edit(&officer, facts(Status::InReview, false)));
        assert!(!may_edit(&author, facts(Status::InReview, true)));
        assert!(!may_edit(&officer, facts(Status::Implemented, false)));
    }

    #[test]
    fn every_status_has_its_own_slug() {
        for status in Status::ALL {
            assert_eq!(Status::from_slug(status.slug()), Some(status));
        }
    }
}
