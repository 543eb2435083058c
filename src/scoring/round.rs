//! A round's ranking from its raw inputs: per measure and criterion the submitted values and
//! an optional final value → consolidated value, spread and the disagreement flag; then score,
//! tier, class, rank and quadrant for every measure. Pure: plain data in, plain data out.

use super::ranking::{self, Candidate, ClassRule, Criterion, Quadrant, Ranked};
use super::values::{self, Consolidated, HalfPoints, Spread};

/// What the round knows of one measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureInput {
    pub number: i64,
    pub mandatory: bool,
    pub supports: u32,
    /// When it was proposed, as any number that orders in time.
    pub created: i64,
    /// Per criterion (in the catalogue's order) the submitted points 0–10 ("nicht beurteilbar"
    /// left out).
    pub submitted: Vec<Vec<u8>>,
    /// Per criterion the central officer's final value, if set.
    pub finals: Vec<Option<u8>>,
}

/// What the round makes of one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub consolidated: Vec<Option<Consolidated>>,
    pub spreads: Vec<Option<Spread>>,
    /// The criteria (by position) whose values lie too far apart (`values::disputed`).
    pub disputed: Vec<usize>,
    pub ranked: Ranked,
    pub quadrant: Option<Quadrant>,
    /// Each criterion's part of the score in twentieths of a point.
    pub contributions: Vec<Option<u16>>,
}

impl Evaluation {
    pub fn values(&self) -> Vec<Option<HalfPoints>> {
        self.consolidated
            .iter()
            .map(|value| value.map(|value| value.value))
            .collect()
    }
}

/// Evaluates every measure; the result is in the input's order (`ranked.rank` gives the place).
pub fn evaluate(
    criteria: &[Criterion],
    measures: &[MeasureInput],
    rule: ClassRule,
) -> Vec<Evaluation> {
    let consolidated: Vec<Vec<Option<Consolidated>>> = measures
        .iter()
        .map(|measure| {
            (0..criteria.len())
                .map(|k| {
                    let submitted = measure.submitted.get(k).map_or(&[][..], Vec::as_slice);
                    values::consolidate(submitted, measure.finals.get(k).copied().flatten())
                })
                .collect()
        })
        .collect();
    let candidates: Vec<Candidate> = measures
        .iter()
        .zip(&consolidated)
        .map(|(measure, values)| Candidate {
            number: measure.number,
            mandatory: measure.mandatory,
            values: values
                .iter()
                .map(|value| value.map(|value| value.value))
                .collect(),
            supports: measure.supports,
            created: measure.created,
        })
        .collect();
    let mut ranked = ranking::rank(criteria, &candidates, rule);
    ranked.sort_unstable_by_key(|entry| entry.index);
    measures
        .iter()
        .zip(consolidated)
        .zip(ranked)
        .zip(&candidates)
        .map(|(((measure, consolidated), ranked), candidate)| {
            let spreads: Vec<Option<Spread>> = (0..criteria.len())
                .map(|k| values::spread(measure.submitted.get(k).map_or(&[][..], Vec::as_slice)))
                .collect();
            let disputed = spreads
                .iter()
                .zip(criteria)
                .enumerate()
                .filter(|(_, (spread, criterion))| {
                    spread.is_some_and(|spread| values::disputed(spread, criterion.weight))
                })
                .map(|(k, _)| k)
                .collect();
            Evaluation {
                consolidated,
                spreads,
                disputed,
                ranked,
                quadrant: ranking::quadrant(criteria, &candidate.values),
                contributions: ranking::contributions(criteria, &candidate.values),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ranking::{Class, Group, Score20, Tier};
    use crate::scoring::values::Origin;

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion {
                group: Group::Benefit,
                weight: 60,
            },
            Criterion {
                group: Group::Cost,
                weight: 40,
            },
        ]
    }

    fn measure(number: i64, submitted: Vec<Vec<u8>>, finals: Vec<Option<u8>>) -> MeasureInput {
        MeasureInput {
            number,
            mandatory: false,
            supports: 0,
            created: number,
            submitted,
            finals,
        }
    }

    #[test]
    fn medians_and_final_values_make_the_score_and_the_order() {
        let measures = [
            // Benefit median of 4, 6, 8, 9 = 7; cost median 2 → 60·7/10 + 40·8/10 = 74.
            measure(1, vec![vec![4, 6, 8, 9], vec![2, 2, 3]], vec![None, None]),
            // Benefit final value 10 over the median 1; cost 5 → 60 + 20 = 80.
            measure(2, vec![vec![1, 1], vec![5]], vec![Some(10), None]),
            // No cost value: incomplete, never scored as 0.
            measure(3, vec![vec![10], vec![]], vec![None, None]),
        ];
        let result = evaluate(&criteria(), &measures, ClassRule::default());
        assert_eq!(result[0].ranked.score, Some(Score20(74 * 20)));
        assert_eq!(result[1].ranked.score, Some(Score20(80 * 20)));
        assert_eq!(
            result[1].consolidated[0].map(|c| c.origin),
            Some(Origin::Final)
        );
        assert_eq!(
            result.iter().map(|e| e.ranked.rank).collect::<Vec<_>>(),
            [2, 1, 3]
        );
        assert_eq!(result[2].ranked.tier, Tier::Incomplete);
        assert_eq!(result[2].ranked.class, None);
        assert_eq!(result[0].ranked.class, Some(Class::A));
        assert_eq!(result[0].contributions, [Some(60 * 14), Some(40 * 16)]);
    }

    #[test]
    fn values_5_points_apart_on_a_weighty_criterion_are_disputed() {
        let measures = [measure(1, vec![vec![2, 7], vec![0, 9]], vec![None, None])];
        let result = evaluate(&criteria(), &measures, ClassRule::default());
        assert_eq!(result[0].disputed, [0, 1]);
        let calm = [measure(1, vec![vec![2, 6], vec![5]], vec![None, None])];
        assert!(
            evaluate(&criteria(), &calm, ClassRule::default())[0]
                .disputed
                .is_empty()
        );
    }
}
