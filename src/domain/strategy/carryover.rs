//! Carrying the measures over into the next iteration: what becomes of a measure linked to goals
//! of the outgoing iteration. Each old goal leads by lineage to its successors (the goals of the
//! draft copied from it and not retired); a measure whose every goal has a successor can simply
//! keep its links, a measure with a goal that ends needs the strategy team's decision.

use std::collections::{BTreeSet, HashMap};

use crate::domain::ids::{GoalId, MeasureId};

/// The strategy team's decision for one measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Relink to the successors of its goals.
    Keep,
    /// Relink to these goals of the new iteration, chosen by hand.
    Relink(Vec<GoalId>),
    /// Eingestellt, with the reason "Fortschreibung".
    Retire,
    /// Merged into another measure.
    Merge(MeasureId),
}

impl Decision {
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Relink(_) => "relink",
            Self::Retire => "retire",
            Self::Merge(_) => "merge",
        }
    }
}

/// What publishing does with a measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Linked to these goals of the new iteration (maybe none, for a closed measure whose goals
    /// all ended).
    Link(Vec<GoalId>),
    Retire,
    Merge(MeasureId),
    /// A goal of it ends without successor and nobody decided: publishing waits.
    Undecided,
}

/// The goals of the new iteration that carry on `old` goals, in a stable order.
pub fn successors_of(old: &[GoalId], successors: &HashMap<GoalId, Vec<GoalId>>) -> Vec<GoalId> {
    let set: BTreeSet<GoalId> = old
        .iter()
        .flat_map(|goal| successors.get(goal).into_iter().flatten().copied())
        .collect();
    set.into_iter().collect()
}

/// Whether a goal of the measure ends without a successor: then someone has to decide.
pub fn needs_decision(old: &[GoalId], successors: &HashMap<GoalId, Vec<GoalId>>) -> bool {
    old.iter()
        .any(|goal| successors.get(goal).is_none_or(Vec::is_empty))
}

/// What publishing does with a measure linked to `old` goals, given the decision if any.
/// `closed`: the measure is finished (rejected, merged, implemented, discontinued) and has no
/// future to decide on: it keeps its lineage, whatever ends.
pub fn outcome(
    old: &[GoalId],
    successors: &HashMap<GoalId, Vec<GoalId>>,
    decision: Option<&Decision>,
    closed: bool,
) -> Outcome {
    match decision {
        Some(Decision::Relink(goals)) => Outcome::Link(goals.clone()),
        Some(Decision::Retire) if !closed => Outcome::Retire,
        Some(Decision::Merge(target)) if !closed => Outcome::Merge(*target),
        Some(Decision::Keep) => Outcome::Link(successors_of(old, successors)),
        _ if closed || !needs_decision(old, successors) => {
            Outcome::Link(successors_of(old, successors))
        }
        _ => Outcome::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(n: u128) -> GoalId {
        GoalId(uuid::Uuid::from_u128(n))
    }

    fn lineage() -> HashMap<GoalId, Vec<GoalId>> {
        // Old 1 → new 11; old 2 → new 12 and 13 (split); old 3 ends.
        HashMap::from([
            (goal(1), vec![goal(11)]),
            (goal(2), vec![goal(13), goal(12)]),
            (goal(3), vec![]),
        ])
    }

    #[test]
    fn a_measure_whose_goals_all_carry_on_keeps_them_without_a_decision() {
        let old = [goal(1), goal(2)];
        assert!(!needs_decision(&old, &lineage()));
        assert_eq!(
            outcome(&old, &lineage(), None, false),
            Outcome::Link(vec![goal(11), goal(12), goal(13)])
        );
    }

    #[test]
    fn a_goal_that_ends_leaves_the_measure_undecided_until_someone_decides() {
        let old = [goal(1), goal(3)];
        assert!(needs_decision(&old, &lineage()));
        assert_eq!(outcome(&old, &lineage(), None, false), Outcome::Undecided);
        assert_eq!(
            outcome(&old, &lineage(), Some(&Decision::Keep), false),
            Outcome::Link(vec![goal(11)])
        );
        assert_eq!(
            outcome(&old, &lineage(), Some(&Decision::Retire), false),
            Outcome::Retire
        );
        let target = MeasureId(uuid::Uuid::from_u128(7));
        assert_eq!(
            outcome(&old, &lineage(), Some(&Decision::Merge(target)), false),
            Outcome::Merge(target)
        );
    }

    #[test]
    fn a_goal_missing_from_the_lineage_ends_too() {
        assert!(needs_decision(&[goal(99)], &lineage()));
    }

    #[test]
    fn relinking_by_hand_replaces_the_lineage() {
        let old = [goal(1)];
        assert_eq!(
            outcome(
                &old,
                &lineage(),
                Some(&Decision::Relink(vec![goal(13)])),
                false
            ),
            Outcome::Link(vec![goal(13)])
        );
    }

    #[test]
    fn a_closed_measure_is_never_retired_or_merged_and_never_blocks() {
        let old = [goal(3)];
        assert_eq!(outcome(&old, &lineage(), None, true), Outcome::Link(vec![]));
        assert_eq!(
            outcome(&old, &lineage(), Some(&Decision::Retire), true),
            Outcome::Link(vec![])
        );
    }
}
