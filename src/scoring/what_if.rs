//! What-if: the ranking the same consolidated values would give under other weights, each
//! measure's movement against the agreed ranking, and which measures enter or leave the first k.
//! Nothing here is stored; a scenario is only its weights.

use super::ranking::{self, Candidate, ClassRule, Criterion, Ranked};

/// Why weights cannot stand in for the agreed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightError {
    /// Not one weight per criterion.
    Count { expected: usize, given: usize },
    /// A weight above 100 %.
    TooLarge,
    /// The weights do not add up to 100 %.
    Sum(u32),
}

/// The criteria with `weights` (in the criteria's order) in place of their own.
pub fn reweigh(criteria: &[Criterion], weights: &[u8]) -> Result<Vec<Criterion>, WeightError> {
    if weights.len() != criteria.len() {
        return Err(WeightError::Count {
            expected: criteria.len(),
            given: weights.len(),
        });
    }
    if weights.iter().any(|weight| *weight > 100) {
        return Err(WeightError::TooLarge);
    }
    let sum: u32 = weights.iter().map(|weight| u32::from(*weight)).sum();
    if sum != 100 {
        return Err(WeightError::Sum(sum));
    }
    Ok(criteria
        .iter()
        .zip(weights)
        .map(|(criterion, weight)| Criterion {
            group: criterion.group,
            weight: *weight,
        })
        .collect())
}

/// The ranking under other weights beside the agreed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// In the candidates' order.
    pub ranked: Vec<Ranked>,
    /// Per candidate: places moved up (positive) or down (negative) against the agreed rank.
    pub movement: Vec<i64>,
    /// Candidates (by position) in the first k now and not before, in their new order.
    pub entering: Vec<usize>,
    /// Candidates in the first k before and not now, in their agreed order.
    pub leaving: Vec<usize>,
}

/// Ranks `candidates` under `criteria` (the scenario's weights) and compares with `agreed`
/// (each candidate's agreed rank, from 1) over the first `k`.
pub fn what_if(
    criteria: &[Criterion],
    candidates: &[Candidate],
    rule: ClassRule,
    agreed: &[usize],
    k: usize,
) -> WhatIf {
    let mut ranked = ranking::rank(criteria, candidates, rule);
    ranked.sort_unstable_by_key(|entry| entry.index);
    let movement = ranked
        .iter()
        .zip(agreed)
        .map(|(now, before)| to_i64(*before) - to_i64(now.rank))
        .collect();
    let mut entering: Vec<usize> = (0..ranked.len())
        .filter(|index| ranked[*index].rank <= k && agreed[*index] > k)
        .collect();
    entering.sort_unstable_by_key(|index| ranked[*index].rank);
    let mut leaving: Vec<usize> = (0..ranked.len())
        .filter(|index| agreed[*index] <= k && ranked[*index].rank > k)
        .collect();
    leaving.sort_unstable_by_key(|index| agreed[*index]);
    WhatIf {
        ranked,
        movement,
        entering,
        leaving,
    }
}

fn to_i64(rank: usize) -> i64 {
    i64::try_from(rank).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ranking::Group;
    use crate::scoring::values::HalfPoints;

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion {
                group: Group::Benefit,
                weight: 70,
            },
            Criterion {
                group: Group::Cost,
                weight: 30,
            },
        ]
    }

    fn candidate(number: i64, benefit: u8, cost: u8) -> Candidate {
        Candidate {
            number,
            mandatory: false,
            values: vec![
                HalfPoints::from_points(benefit),
                HalfPoints::from_points(cost),
            ],
            supports: 0,
            created: number,
        }
    }

    #[test]
    fn weights_must_be_one_per_criterion_and_add_up_to_100() {
        assert_eq!(
            reweigh(&criteria(), &[100]),
            Err(WeightError::Count {
                expected: 2,
                given: 1
            })
        );
        assert_eq!(reweigh(&criteria(), &[60, 30]), Err(WeightError::Sum(90)));
        assert_eq!(reweigh(&criteria(), &[120, 0]), Err(WeightError::TooLarge));
        let reweighed = reweigh(&criteria(), &[40, 60]).expect("weights add up to 100");
        assert_eq!(reweighed[1].weight, 60);
        assert_eq!(reweighed[1].group, Group::Cost);
    }

    #[test]
    fn more_weight_on_cost_moves_the_cheap_measure_up() {
        // 1: benefit 10, cost 10 → 70 under 70/30, 40 under 40/60.
        // 2: benefit 6, cost 2 → 42 + 24 = 66 under 70/30, 24 + 48 = 72 under 40/60.
        // 3: benefit 2, cost 6 → 14 + 12 = 26; 8 + 24 = 32.
        let candidates = [candidate(1, 10, 10), candidate(2, 6, 2), candidate(3, 2, 6)];
        let agreed = [1, 2, 3];
        let same = what_if(&criteria(), &candidates, ClassRule::default(), &agreed, 1);
        assert_eq!(same.movement, [0, 0, 0]);
        assert!(same.entering.is_empty() && same.leaving.is_empty());

        let costly = reweigh(&criteria(), &[40, 60]).expect("weights add up to 100");
        let result = what_if(&costly, &candidates, ClassRule::default(), &agreed, 1);
        assert_eq!(
            result.ranked.iter().map(|r| r.rank).collect::<Vec<_>>(),
            [2, 1, 3]
        );
        assert_eq!(result.movement, [-1, 1, 0]);
        assert_eq!(result.entering, [1]);
        assert_eq!(result.leaving, [0]);
        assert_eq!(
            result.ranked[1].score.map(|score| score.score()),
            Some(72.0)
        );
    }
}
