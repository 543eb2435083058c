//! Scores, tiers, order, classes and quadrants (METHOD.md, "Consolidation and score" and
//! "Portfolio views"). Scores are computed in integers, as twenty times the score (0..=2000),
//! so that ties are exact and orders reproducible; scales are absolute, so a measure's score
//! depends on its own values and the weights alone.

use std::cmp::Ordering;

use super::values::HalfPoints;

/// Whether a criterion counts what a measure brings or what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Benefit,
    Cost,
}

/// A criterion as the score needs it: its group and its weight in whole percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Criterion {
    pub group: Group,
    pub weight: u8,
}

/// Twenty times a score of 0–100: 0..=2000, exact for whole-percent weights and half points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score20(pub u16);

impl Score20 {
    /// The score for people: 67.25.
    pub fn score(self) -> f64 {
        f64::from(self.0) / 20.0
    }
}

/// The utility of a value in half points: the value for a benefit, 10 − value for a cost.
pub fn utility(group: Group, value: HalfPoints) -> u8 {
    match group {
        Group::Benefit => value.half_points(),
        Group::Cost => HalfPoints::MAX.half_points() - value.half_points(),
    }
}

/// Σ w_k · u_k / 10 as twenty times the score: Σ w_k · (2 u_k). `None` when a value is missing
/// (the measure is "unvollständig bewertet", never scored as zero).
pub fn score(criteria: &[Criterion], values: &[Option<HalfPoints>]) -> Option<Score20> {
    if values.len() != criteria.len() {
        return None;
    }
    let mut total: u32 = 0;
    for (criterion, value) in criteria.iter().zip(values) {
        total += u32::from(criterion.weight) * u32::from(utility(criterion.group, (*value)?));
    }
    u16::try_from(total).ok().map(Score20)
}

/// Each criterion's part of the score, in twentieths of a point (they add up to the score).
pub fn contributions(criteria: &[Criterion], values: &[Option<HalfPoints>]) -> Vec<Option<u16>> {
    criteria
        .iter()
        .zip(values)
        .map(|(criterion, value)| {
            value.map(|value| {
                u16::from(criterion.weight) * u16::from(utility(criterion.group, value))
            })
        })
        .collect()
}

/// Where a measure stands before its score is looked at (WiBe 5.0: the gate before the points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Legally required: above every scored measure.
    Mandatory,
    Scored,
    /// A criterion without a consolidated value.
    Incomplete,
}

/// A measure to rank: its consolidated values in the criteria's order, whether it is required
/// by law, and the tie-breaks (supports, then older first, then the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub number: i64,
    pub mandatory: bool,
    pub values: Vec<Option<HalfPoints>>,
    pub supports: u32,
    /// When it was proposed, as any number that orders in time (older is smaller).
    pub created: i64,
}

/// The thresholds of the classes on the score (defaults A ≥ 65, B ≥ 50 after WiBe's 50 points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassRule {
    pub a_from: u8,
    pub b_from: u8,
}

impl Default for ClassRule {
    fn default() -> Self {
        Self {
            a_from: 65,
            b_from: 50,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    A,
    B,
    C,
}

impl ClassRule {
    pub fn class(self, score: Score20) -> Class {
        if score.0 >= u16::from(self.a_from) * 20 {
            Class::A
        } else if score.0 >= u16::from(self.b_from) * 20 {
            Class::B
        } else {
            Class::C
        }
    }
}

/// A measure's place in the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// The candidate's position in the input.
    pub index: usize,
    /// 1 for the first.
    pub rank: usize,
    pub tier: Tier,
    pub score: Option<Score20>,
    pub class: Option<Class>,
}

/// The order of the ranking: tier, then score descending, then supports descending, then older
/// first, then the number. Total and deterministic: the input's order changes nothing.
pub fn rank(criteria: &[Criterion], candidates: &[Candidate], rule: ClassRule) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| {
            let score = score(criteria, &candidate.values);
            let tier = match (candidate.mandatory, score) {
                (true, _) => Tier::Mandatory,
                (false, Some(_)) => Tier::Scored,
                (false, None) => Tier::Incomplete,
            };
            Ranked {
                index,
                rank: 0,
                tier,
                score,
                class: score.map(|score| rule.class(score)),
            }
        })
        .collect();
    ranked.sort_unstable_by(|a, b| order(a, b, candidates));
    for (position, entry) in ranked.iter_mut().enumerate() {
        entry.rank = position + 1;
    }
    ranked
}

fn order(a: &Ranked, b: &Ranked, candidates: &[Candidate]) -> Ordering {
    let (ca, cb) = (&candidates[a.index], &candidates[b.index]);
    a.tier
        .cmp(&b.tier)
        .then_with(|| b.score.cmp(&a.score))
        .then_with(|| cb.supports.cmp(&ca.supports))
        .then_with(|| ca.created.cmp(&cb.created))
        .then_with(|| ca.number.cmp(&cb.number))
}

/// The four fields of the value/effort matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quadrant {
    /// Much benefit, little cost.
    QuickWin,
    /// Much benefit, much cost.
    Strategic,
    /// Little benefit, little cost.
    Filler,
    /// Little benefit, much cost.
    Defer,
}

impl Quadrant {
    pub fn label(self) -> &'static str {
        match self {
            Self::QuickWin => "Quick Wins",
            Self::Strategic => "Strategische Vorhaben",
            Self::Filler => "Füllmaßnahmen",
            Self::Defer => "Zurückstellen",
        }
    }
}

/// A group's score: the weighted mean of its criteria's raw values, 0–100, as a fraction
/// (numerator, denominator) so that the comparison with 50 is exact; `None` when the group has
/// no weight or a value is missing.
fn group_score(
    criteria: &[Criterion],
    values: &[Option<HalfPoints>],
    group: Group,
) -> Option<(u32, u32)> {
    let mut weighted: u32 = 0;
    let mut weights: u32 = 0;
    for (criterion, value) in criteria.iter().zip(values) {
        if criterion.group == group {
            weighted += u32::from(criterion.weight) * u32::from((*value)?.half_points());
            weights += u32::from(criterion.weight);
        }
    }
    // Σ w·h / (20 Σ w) × 100 = 5 Σ w·h / Σ w.
    (weights > 0).then_some((5 * weighted, weights))
}

/// The benefit score (benefit criteria only) and the cost score (cost criteria only, the raw
/// values: high is costly), each 0–100.
pub fn benefit_and_cost(
    criteria: &[Criterion],
    values: &[Option<HalfPoints>],
) -> Option<(f64, f64)> {
    let (bn, bd) = group_score(criteria, values, Group::Benefit)?;
    let (cn, cd) = group_score(criteria, values, Group::Cost)?;
    Some((f64::from(bn) / f64::from(bd), f64::from(cn) / f64::from(cd)))
}

/// The quadrant, with 50 as the boundary on both axes (50 itself counts as high).
pub fn quadrant(criteria: &[Criterion], values: &[Option<HalfPoints>]) -> Option<Quadrant> {
    let (bn, bd) = group_score(criteria, values, Group::Benefit)?;
    let (cn, cd) = group_score(criteria, values, Group::Cost)?;
    let high_benefit = bn >= 50 * bd;
    let high_cost = cn >= 50 * cd;
    Some(match (high_benefit, high_cost) {
        (true, false) => Quadrant::QuickWin,
        (true, true) => Quadrant::Strategic,
        (false, false) => Quadrant::Filler,
        (false, true) => Quadrant::Defer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[f64]) -> Vec<Option<HalfPoints>> {
        values
            .iter()
            .map(|value| HalfPoints::new((value * 2.0) as u8))
            .collect()
    }

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion {
                group: Group::Benefit,
                weight: 40,
            },
            Criterion {
                group: Group::Benefit,
                weight: 35,
            },
            Criterion {
                group: Group::Cost,
                weight: 25,
            },
        ]
    }

    #[test]
    fn the_score_is_the_weighted_sum_with_costs_inverted() {
        // 40·8 + 35·6.5 + 25·(10 − 4) = 320 + 227.5 + 150 = 697.5; / 10 = 69.75.
        let score = score(&criteria(), &points(&[8.0, 6.5, 4.0])).expect("complete");
        assert_eq!(score, Score20(1395));
        assert_eq!(score.score(), 69.75);
        let parts = contributions(&criteria(), &points(&[8.0, 6.5, 4.0]));
        assert_eq!(parts, [Some(640), Some(455), Some(300)]);
        assert_eq!(parts.iter().flatten().sum::<u16>(), score.0);
    }

    #[test]
    fn a_missing_value_leaves_the_measure_unscored() {
        let mut values = points(&[8.0, 6.5, 4.0]);
        values[1] = None;
        assert_eq!(score(&criteria(), &values), None);
    }

    #[test]
    fn classes_follow_the_thresholds() {
        let rule = ClassRule::default();
        assert_eq!(rule.class(Score20(65 * 20)), Class::A);
        assert_eq!(rule.class(Score20(65 * 20 - 1)), Class::B);
        assert_eq!(rule.class(Score20(50 * 20)), Class::B);
        assert_eq!(rule.class(Score20(50 * 20 - 1)), Class::C);
    }

    #[test]
    fn mandatory_first_then_scores_then_ties_by_supports_age_and_number() {
        let candidate = |number, mandatory, values: &[f64], supports, created| Candidate {
            number,
            mandatory,
            values: points(values),
            supports,
            created,
        };
        let mut incomplete = candidate(1, false, &[9.0, 9.0, 0.0], 9, 1);
        incomplete.values[2] = None;
        let candidates = vec![
            incomplete,
            candidate(2, false, &[5.0, 5.0, 5.0], 1, 5),
            candidate(3, false, &[5.0, 5.0, 5.0], 2, 9),
            candidate(4, false, &[5.0, 5.0, 5.0], 2, 3),
            candidate(5, true, &[0.0, 0.0, 10.0], 0, 1),
            candidate(6, false, &[10.0, 10.0, 0.0], 0, 1),
            candidate(7, false, &[5.0, 5.0, 5.0], 2, 3),
        ];
        let ranked = rank(&criteria(), &candidates, ClassRule::default());
        let numbers: Vec<i64> = ranked.iter().map(|r| candidates[r.index].number).collect();
        assert_eq!(numbers, [5, 6, 4, 7, 3, 2, 1]);
        assert_eq!(ranked[0].tier, Tier::Mandatory);
        assert_eq!(ranked[6].tier, Tier::Incomplete);
        assert_eq!(ranked[6].score, None);
        assert_eq!(
            ranked.iter().map(|r| r.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn quadrants_split_benefit_and_cost_at_50() {
        assert_eq!(
            quadrant(&criteria(), &points(&[8.0, 6.0, 2.0])),
            Some(Quadrant::QuickWin)
        );
        assert_eq!(
            quadrant(&criteria(), &points(&[8.0, 6.0, 5.0])),
            Some(Quadrant::Strategic)
        );
        assert_eq!(
            quadrant(&criteria(), &points(&[2.0, 3.0, 2.0])),
            Some(Quadrant::Filler)
        );
        assert_eq!(
            quadrant(&criteria(), &points(&[2.0, 3.0, 9.0])),
            Some(Quadrant::Defer)
        );
        let (benefit, cost) =
            benefit_and_cost(&criteria(), &points(&[8.0, 6.0, 2.0])).expect("both");
        // (40·8 + 35·6) / 75 = 530 / 75 = 7.0667 points = 70.67 %.
        assert!((benefit - 70.666_666).abs() < 1e-3, "{benefit}");
        assert_eq!(cost, 20.0);
    }
}
