//! Tipping points (METHOD.md, "Tipping points and weight stability"): for a measure ranked above
//! another, the weight of one criterion (the others rescaled in proportion, so the total stays
//! 100 %) at which the two tie. Exact: t* = (D − w_k·d_k) / (D − d_k), computed from the integer
//! scores.

use super::ranking::{Criterion, score, utility};
use super::values::HalfPoints;

/// The weight in percent of criterion `k` at which `ahead` and `behind` tie, for every
/// criterion in order; `None` where no weight between 0 and 100 % makes them tie (or a value
/// is missing, or `ahead` scores less). Two measures that tie already (D = 0, ordered by
/// supports) swap at the agreed weight itself, wherever they differ on the criterion: any
/// change of it in one direction swaps them.
pub fn tipping_weights(
    criteria: &[Criterion],
    ahead: &[Option<HalfPoints>],
    behind: &[Option<HalfPoints>],
) -> Vec<Option<f64>> {
    let (Some(first), Some(second)) = (score(criteria, ahead), score(criteria, behind)) else {
        return vec![None; criteria.len()];
    };
    // Twenty times the scores as fractions of 100: D' = 2000 · D.
    let gap = i64::from(first.0) - i64::from(second.0);
    criteria
        .iter()
        .enumerate()
        .map(|(k, criterion)| {
            if gap < 0 {
                return None;
            }
            let (a, b) = (ahead[k]?, behind[k]?);
            // 2000 · d_k = 100 · Δh, 2000 · w_k · d_k = W_k · Δh (W_k in percent).
            let delta =
                i64::from(utility(criterion.group, a)) - i64::from(utility(criterion.group, b));
            let numerator = gap - i64::from(criterion.weight) * delta;
            let denominator = gap - 100 * delta;
            if denominator == 0 {
                return None;
            }
            let t = numerator as f64 / denominator as f64;
            (0.0..=1.0).contains(&t).then_some(t * 100.0)
        })
        .collect()
}

/// The score (0–100) of `values` when criterion `k` weighs `weight` percent and the others keep
/// their proportions; for checking a tipping point.
pub fn score_with_weight(
    criteria: &[Criterion],
    values: &[Option<HalfPoints>],
    k: usize,
    weight: f64,
) -> Option<f64> {
    let others: f64 = criteria
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != k)
        .map(|(_, criterion)| f64::from(criterion.weight))
        .sum();
    let mut total = 0.0;
    for (index, (criterion, value)) in criteria.iter().zip(values).enumerate() {
        let w = if index == k {
            weight
        } else if others > 0.0 {
            f64::from(criterion.weight) * (100.0 - weight) / others
        } else {
            0.0
        };
        total += w * f64::from(utility(criterion.group, (*value)?)) / 2.0;
    }
    Some(total / 10.0)
}

/// The weight stability intervals (O'Shea, Deeney, Triantaphyllou et al. 2026): for each
/// criterion the range of its weight, in percent, the other weights keeping their proportions,
/// over which the order of `ranked` (the first k + 1 measures of a ranking, best first, all
/// scored) stays the same, so the first k stay the same measures in the same order. Scores are
/// linear in the weight, so the first swap is always between neighbours: the interval is the
/// intersection of the neighbouring pairs' intervals, O(k · n). Measures that tie exactly and
/// stay tied for every weight set no bound (their order comes from the tie-breaks).
pub fn stability_intervals(
    criteria: &[Criterion],
    ranked: &[Vec<Option<HalfPoints>>],
) -> Vec<(f64, f64)> {
    criteria
        .iter()
        .enumerate()
        .map(|(k, criterion)| {
            let w = f64::from(criterion.weight) / 100.0;
            let (mut low, mut high) = (0.0_f64, 1.0_f64);
            for pair in ranked.windows(2) {
                let (Some(first), Some(second)) =
                    (score(criteria, &pair[0]), score(criteria, &pair[1]))
                else {
                    continue;
                };
                let (Some(a), Some(b)) = (
                    pair[0].get(k).copied().flatten(),
                    pair[1].get(k).copied().flatten(),
                ) else {
                    continue;
                };
                // As fractions: D = S_a − S_b ≥ 0, d = (u_a − u_b)/10 on criterion k. The gap at
                // weight t is g(t) = (1 − t)/(1 − w) · (D − w·d) + t·d: linear, g(w) = D.
                let gap = (f64::from(first.0) - f64::from(second.0)) / 2000.0;
                let d = (f64::from(utility(criterion.group, a))
                    - f64::from(utility(criterion.group, b)))
                    / 20.0;
                let slope = d - gap;
                if slope == 0.0 {
                    continue;
                }
                if gap == 0.0 {
                    // Tied now: any move that favours the second swaps them.
                    if d > 0.0 {
                        low = low.max(w);
                    } else {
                        high = high.min(w);
                    }
                    continue;
                }
                // g(t) = 0 at t* = (D − w·d)/(D − d); the order holds on w's side of it.
                let tie = (gap - w * d) / (gap - d);
                if tie < w {
                    low = low.max(tie);
                } else {
                    high = high.min(tie);
                }
            }
            (low.clamp(0.0, 1.0) * 100.0, high.clamp(0.0, 1.0) * 100.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ranking::Group;

    /// METHOD.md's example: w = (50 %, 50 %), u_i = (10, 0), u_j = (0, 8).
    fn method_example() -> (
        [Criterion; 2],
        Vec<Option<HalfPoints>>,
        Vec<Option<HalfPoints>>,
    ) {
        let half = Criterion {
            group: Group::Benefit,
            weight: 50,
        };
        let points = |a: u8, b: u8| vec![HalfPoints::from_points(a), HalfPoints::from_points(b)];
        ([half, half], points(10, 0), points(0, 8))
    }

    #[test]
    fn two_measures_that_tie_swap_at_any_change_of_a_weight_where_they_differ() {
        let criteria = [
            (Group::Benefit, 50),
            (Group::Benefit, 30),
            (Group::Cost, 20),
        ]
        .map(|(group, weight)| Criterion { group, weight });
        let points = |values: [u8; 3]| -> Vec<Option<HalfPoints>> {
            values.iter().map(|p| HalfPoints::from_points(*p)).collect()
        };
        // 50 % × 6 + 30 % × 4 + 20 % × (10 − 5) = 5.2 = 50 % × 4 + 30 % × 6 + 20 % × (10 − 3):
        // both 52 points, ordered by supports.
        let (ahead, behind) = (points([6, 4, 5]), points([4, 6, 3]));
        assert_eq!(score(&criteria, &ahead), score(&criteria, &behind));
        let weights = tipping_weights(&criteria, &ahead, &behind);
        assert_eq!(weights, [Some(50.0), Some(30.0), Some(20.0)]);
    }

    #[test]
    fn the_example_of_the_method_holds_between_its_tipping_weights() {
        // i leads 50 to 40; they tie at 44.4 % on the first criterion, so i stays ahead from
        // there up; on the second, from 0 up to 55.6 %.
        let (criteria, ahead, behind) = method_example();
        let intervals = stability_intervals(&criteria, &[ahead, behind]);
        assert!(
            (intervals[0].0 - 44.444).abs() < 0.01 && intervals[0].1 == 100.0,
            "{intervals:?}"
        );
        assert!(
            intervals[1].0 == 0.0 && (intervals[1].1 - 55.556).abs() < 0.01,
            "{intervals:?}"
        );
    }

    #[test]
    fn the_example_of_the_method_ties_at_four_ninths() {
        let (criteria, ahead, behind) = method_example();
        let weights = tipping_weights(&criteria, &ahead, &behind);
        let t = weights[0].expect("a tipping weight");
        assert!((t - 44.444_444).abs() < 1e-4, "{t}");
        let (a, b) = (
            score_with_weight(&criteria, &ahead, 0, t).expect("scored"),
            score_with_weight(&criteria, &behind, 0, t).expect("scored"),
        );
        assert!(
            (a - b).abs() < 1e-9 && (a - 44.444_444).abs() < 1e-4,
            "{a} {b}"
        );
        // Raising the second criterion's weight: the one behind catches up at 55.6 %.
        let second = weights[1].expect("a tipping weight");
        assert!((second - 55.555_555).abs() < 1e-4, "{second}");
    }

    #[test]
    fn no_weight_swaps_a_measure_better_on_every_criterion() {
        let criteria = [
            Criterion {
                group: Group::Benefit,
                weight: 60,
            },
            Criterion {
                group: Group::Cost,
                weight: 40,
            },
        ];
        let ahead = vec![HalfPoints::from_points(8), HalfPoints::from_points(2)];
        let behind = vec![HalfPoints::from_points(5), HalfPoints::from_points(6)];
        assert_eq!(tipping_weights(&criteria, &ahead, &behind), [None, None]);
    }
}
