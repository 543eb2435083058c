//! Prioritisation rounds as the pages and the example data use them: everything about a round
//! loaded in one place (the round, its catalogue version, its measures, assessments and final
//! values) with its evaluation, and freezing it. An open round is evaluated by `scoring::round`
//! on every load; a frozen round is read as it was stored, never re-scored. What one reader may
//! see of it is [`RoundData::narrowed`] (`sight`): the blind rule, applied in one place.

mod sight;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::db;
use crate::db::criteria::Catalogue;
use crate::db::rounds::{
    AssessmentRow, FinalRow, Freezing, FrozenMeasure, RevisionRow, Round, RoundMeasure, Written,
};
use crate::domain::ids::{MeasureId, RoundId, UserId};
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::{Decision, RoundStatus};
use crate::scoring::ranking::{Candidate, Class, ClassRule, Criterion, Tier};
use crate::scoring::robustness::{Alternative, Robustness, Settings, WeightModel, analyse};
use crate::scoring::round::{MeasureInput, evaluate};
use crate::scoring::values::{Consolidated, HalfPoints, Origin, Spread};

/// One criterion's consolidated value as stored with a frozen round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredValue {
    pub half_points: u8,
    /// "median" or "final".
    pub origin: StoredOrigin,
    /// How many values the median was taken of.
    pub n: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredOrigin {
    Median,
    Final,
}

impl StoredValue {
    pub fn from_consolidated(value: Consolidated) -> Self {
        let (origin, n) = match value.origin {
            Origin::Median(n) => (StoredOrigin::Median, n),
            Origin::Final => (StoredOrigin::Final, 0),
        };
        Self {
            half_points: value.value.half_points(),
            origin,
            n,
        }
    }

    pub fn consolidated(self) -> Option<Consolidated> {
        Some(Consolidated {
            value: HalfPoints::new(self.half_points)?,
            origin: match self.origin {
                StoredOrigin::Median => Origin::Median(self.n),
                StoredOrigin::Final => Origin::Final,
            },
        })
    }
}

/// What the ranking says of one measure of the round.
#[derive(Debug, Clone)]
pub struct Standing {
    pub rank: usize,
    pub tier: Tier,
    /// Twenty times the score.
    pub score20: Option<u16>,
    pub class: Option<Class>,
    pub consolidated: Vec<Option<Consolidated>>,
    pub spreads: Vec<Option<Spread>>,
    /// Positions (from 0) of the criteria whose values lie too far apart.
    pub disputed: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct RoundData {
    pub round: Round,
    pub catalogue: Catalogue,
    pub measures: Vec<RoundMeasure>,
    pub assessments: Vec<AssessmentRow>,
    pub finals: Vec<FinalRow>,
    /// Values replaced after the others' were shown, oldest first.
    pub revisions: Vec<RevisionRow>,
    /// In the order of `measures`.
    pub standings: Vec<Standing>,
    /// The measures hidden from the reader this data was narrowed for (`narrowed`), in the
    /// order of their numbers; none in the whole round.
    pub hidden: Vec<RoundMeasure>,
    /// The reader this data was narrowed for; none: the whole round.
    pub reader: Option<UserId>,
    /// Who has submitted an assessment of which measure.
    submitted: HashSet<(UserId, MeasureId)>,
    /// Who has given points (not only "nicht beurteilbar") to at least one criterion of which
    /// measure: only that shows them the others' values.
    unlocked: HashSet<(UserId, MeasureId)>,
    /// Where each measure's assessments lie in `assessments` (read in the measure's order).
    assessed: HashMap<MeasureId, std::ops::Range<usize>>,
    /// How many measures each office has assessed (at least one criterion).
    by_office: HashMap<Office, usize>,
    /// The fingerprint of what the robustness analysis reads (see [`RoundData::fingerprint`]).
    fingerprint: std::sync::OnceLock<u64>,
}

impl RoundData {
    /// The round `id`, or `None` if there is none.
    pub async fn load(db: &sqlx::PgPool, id: RoundId) -> sqlx::Result<Option<Self>> {
        let Some(round) = db::rounds::find(db, id).await? else {
            return Ok(None);
        };
        let (catalogue, measures, assessments, finals, revisions) = tokio::try_join!(
            db::criteria::by_id(db, round.catalogue_id),
            db::rounds::measures(db, id),
            db::rounds::assessments(db, id),
            db::rounds::final_values(db, id),
            db::rounds::revisions(db, id),
        )?;
        let Some(catalogue) = catalogue else {
            return Ok(None);
        };
        let standings = match round.status {
            RoundStatus::Open => {
                evaluate_open(&round, &catalogue, &measures, &assessments, &finals)
            }
            RoundStatus::Frozen => {
                let stored = db::rounds::frozen_values(db, id).await?;
                read_frozen(&catalogue, &measures, &assessments, stored)
            }
        };
        let by_office = assessments
            .iter()
            .map(|row| (row.office, row.measure))
            .collect::<HashSet<_>>()
            .into_iter()
            .fold(HashMap::new(), |mut counts, (office, _)| {
                *counts.entry(office).or_insert(0) += 1;
                counts
            });
        let mut data = Self::assemble(
            round,
            catalogue,
            measures,
            assessments,
            finals,
            standings,
            by_office,
        );
        // A rater who once gave values has seen the others' values of that measure, whatever
        // they submitted since ("nicht beurteilbar" throughout included).
        data.unlocked.extend(
            revisions
                .iter()
                .filter(|revision| revision.value.is_some())
                .map(|revision| (revision.rater, revision.measure)),
        );
        data.revisions = revisions;
        Ok(Some(data))
    }

    /// The data with its lookups built from the rows.
    fn assemble(
        round: Round,
        catalogue: Catalogue,
        measures: Vec<RoundMeasure>,
        assessments: Vec<AssessmentRow>,
        finals: Vec<FinalRow>,
        standings: Vec<Standing>,
        by_office: HashMap<Office, usize>,
    ) -> Self {
        let submitted = assessments
            .iter()
            .map(|row| (row.rater, row.measure))
            .collect();
        let unlocked = assessments
            .iter()
            .filter(|row| row.value.is_some())
            .map(|row| (row.rater, row.measure))
            .collect();
        let mut assessed: HashMap<MeasureId, std::ops::Range<usize>> = HashMap::new();
        for (index, row) in assessments.iter().enumerate() {
            assessed
                .entry(row.measure)
                .and_modify(|range| range.end = index + 1)
                .or_insert(index..index + 1);
        }
        Self {
            round,
            catalogue,
            measures,
            assessments,
            finals,
            revisions: Vec::new(),
            standings,
            hidden: Vec::new(),
            reader: None,
            submitted,
            unlocked,
            assessed,
            by_office,
            fingerprint: std::sync::OnceLock::new(),
        }
    }

    /// What the round keeps of each measure when it is frozen, with the robustness figures of
    /// `robustness` (computed with [`FROZEN_ROBUSTNESS`]).
    pub fn frozen_results(&self, robustness: &Robustness) -> Vec<FrozenMeasure> {
        self.measures
            .iter()
            .zip(&self.standings)
            .enumerate()
            .map(|(index, (measure, standing))| FrozenMeasure {
                measure: measure.id,
                legal_obligation: measure.legal_obligation.clone(),
                supports: measure.supports,
                tier: match standing.tier {
                    Tier::Mandatory => "mandatory",
                    Tier::Scored => "scored",
                    Tier::Incomplete => "incomplete",
                },
                score20: standing.score20.and_then(|score| i16::try_from(score).ok()),
                class: standing.class.map(|class| match class {
                    Class::A => "A",
                    Class::B => "B",
                    Class::C => "C",
                }),
                rank: i32::try_from(standing.rank).unwrap_or(i32::MAX),
                consolidated: serde_json::to_value(
                    standing
                        .consolidated
                        .iter()
                        .map(|value| value.map(StoredValue::from_consolidated))
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default(),
                robustness: Some(stored_robustness(robustness, index)),
            })
            .collect()
    }

    /// Freezes the round as it stands now with `decision`.
    pub async fn freeze(
        &self,
        db: &sqlx::PgPool,
        decision: &Decision,
        by: UserId,
    ) -> anyhow::Result<Written> {
        let criteria = self.criteria();
        let alternatives = self.alternatives();
        let robustness = tokio::task::spawn_blocking(move || {
            analyse(&criteria, &alternatives, FROZEN_ROBUSTNESS)
        })
        .await?;
        let results = self.frozen_results(&robustness);
        db::rounds::freeze(
            db,
            &Freezing {
                round: self.round.id,
                by,
                decided_on: decision.decided_on,
                body: &decision.body,
                note: &decision.note,
                seed: i64::try_from(FROZEN_ROBUSTNESS.seed).ok(),
                results: &results,
            },
        )
        .await
        .map_err(Into::into)
    }

    pub fn criteria(&self) -> Vec<Criterion> {
        self.catalogue
            .criteria
            .iter()
            .map(|criterion| criterion.scoring())
            .collect()
    }

    /// Whether the round's deadline lies behind us (in Hamburg).
    pub fn deadline_passed(&self) -> bool {
        crate::domain::time::today() > self.round.deadline
    }

    /// Whether `rater` has submitted an assessment of `measure`.
    pub fn submitted_by(&self, rater: UserId, measure: MeasureId) -> bool {
        self.submitted.contains(&(rater, measure))
    }

    /// Whether `rater`'s own assessment of `measure` shows them the others' values: it gives
    /// points to at least one criterion. "Nicht beurteilbar" throughout is an assessment (it
    /// counts as done) but no judgement of the measure, so it must not open the others' values.
    pub fn unlocked_by(&self, rater: UserId, measure: MeasureId) -> bool {
        self.unlocked.contains(&(rater, measure))
    }

    /// How many measures take part in the round, hidden ones included.
    pub fn total(&self) -> usize {
        self.measures.len() + self.hidden.len()
    }

    /// Whether something of the round is hidden from the reader.
    pub fn is_blind(&self) -> bool {
        !self.hidden.is_empty()
    }

    /// The measure `id` of the round: its position among the measures the reader sees, none if
    /// it is hidden from them.
    pub fn find(&self, id: MeasureId) -> Option<(Option<usize>, &RoundMeasure)> {
        match self.index_of(id) {
            Some(index) => Some((Some(index), &self.measures[index])),
            None => self
                .hidden
                .iter()
                .find(|measure| measure.id == id)
                .map(|measure| (None, measure)),
        }
    }

    /// A fingerprint of everything the robustness analysis reads (criteria, weights, every
    /// rater's values and the final values, tie-breaks): a stored analysis with the same
    /// fingerprint is still right. Computed once per loaded round.
    pub fn fingerprint(&self) -> u64 {
        *self.fingerprint.get_or_init(|| {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            self.criteria().hash(&mut hasher);
            self.alternatives().hash(&mut hasher);
            hasher.finish()
        })
    }

    /// How many of the round's measures `office` has assessed.
    pub fn assessed_by(&self, office: Office) -> usize {
        self.by_office.get(&office).copied().unwrap_or_default()
    }

    /// The assessments of `measure` (every rater, every criterion, by criterion position).
    pub fn assessments_of(&self, measure: MeasureId) -> &[AssessmentRow] {
        self.assessed
            .get(&measure)
            .and_then(|range| self.assessments.get(range.clone()))
            .unwrap_or_default()
    }

    /// The indexes of `measures` in the order of the ranking.
    pub fn ranked_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.measures.len()).collect();
        order.sort_by_key(|index| self.standings[*index].rank);
        order
    }

    /// The round's measures as the robustness analysis takes them: per criterion each rater's
    /// value, or the final value alone; the measure right above each in the ranking.
    pub fn alternatives(&self) -> Vec<Alternative> {
        let order = self.ranked_order();
        let mut above = vec![None; self.measures.len()];
        for pair in order.windows(2) {
            above[pair[1]] = Some(pair[0]);
        }
        let n = self.catalogue.criteria.len();
        let finals = final_points(&self.finals);
        let rated = submitted(&self.assessments);
        self.measures
            .iter()
            .enumerate()
            .map(|(index, measure)| Alternative {
                mandatory: measure.legal_obligation.is_some(),
                choices: (0..n)
                    .map(|k| match finals.get(&(measure.id, k)) {
                        Some(value) => HalfPoints::from_points(*value).into_iter().collect(),
                        None => rated
                            .get(&(measure.id, k))
                            .map_or(&[][..], Vec::as_slice)
                            .iter()
                            .filter_map(|points| HalfPoints::from_points(*points))
                            .collect(),
                    })
                    .collect(),
                supports: u32::try_from(measure.supports).unwrap_or_default(),
                created: measure.created_at.timestamp_micros(),
                number: measure.number,
                above: above[index],
            })
            .collect()
    }

    /// The measures as the ranking takes them, with their consolidated values (as stored for a
    /// frozen round), in the order of `measures`: what the what-if pages re-rank.
    pub fn candidates(&self) -> Vec<Candidate> {
        self.measures
            .iter()
            .zip(&self.standings)
            .map(|(measure, standing)| Candidate {
                number: measure.number,
                mandatory: measure.legal_obligation.is_some(),
                values: standing
                    .consolidated
                    .iter()
                    .map(|value| value.map(|value| value.value))
                    .collect(),
                supports: u32::try_from(measure.supports).unwrap_or_default(),
                created: measure.created_at.timestamp_micros(),
            })
            .collect()
    }

    /// The round's class thresholds.
    pub fn class_rule(&self) -> ClassRule {
        class_rule(&self.round)
    }

    pub fn index_of(&self, measure: MeasureId) -> Option<usize> {
        self.measures.iter().position(|row| row.id == measure)
    }
}

/// The robustness a round stores when it is frozen: around the agreed weights (±20 %), 10,000
/// samples, the first 10, a fixed seed; on two threads (the figures do not depend on it).
pub const FROZEN_ROBUSTNESS: Settings = Settings {
    samples: 10_000,
    seed: 2026,
    top_k: 10,
    model: WeightModel::AroundAgreed { percent: 20 },
    threads: 2,
};

/// One measure's robustness figures as stored with a frozen round.
fn stored_robustness(robustness: &Robustness, index: usize) -> serde_json::Value {
    let figures = &robustness.acceptability[index];
    serde_json::json!({
        "samples": robustness.settings.samples,
        "seed": robustness.settings.seed,
        "weight_model": "around_agreed_20",
        "top_k": robustness.settings.top_k,
        "rank_p5": robustness.rank_percentile(index, 0.05),
        "rank_median": robustness.rank_percentile(index, 0.5),
        "rank_p95": robustness.rank_percentile(index, 0.95),
        "top_k_share": robustness.share(figures.top_k),
        "first_share": robustness.share(figures.first),
        "beats_above_share": figures.beats_above.map(|count| robustness.share(count)),
    })
}

fn class_rule(round: &Round) -> ClassRule {
    ClassRule {
        a_from: u8::try_from(round.class_a_from).unwrap_or(65),
        b_from: u8::try_from(round.class_b_from).unwrap_or(50),
    }
}

/// The final values per measure and criterion position (from 0).
fn final_points(finals: &[FinalRow]) -> HashMap<(MeasureId, usize), u8> {
    finals
        .iter()
        .filter_map(|row| {
            let position = usize::try_from(row.position - 1).ok()?;
            Some(((row.measure, position), u8::try_from(row.value).ok()?))
        })
        .collect()
}

/// The submitted points per measure and criterion position (from 0).
fn submitted(assessments: &[AssessmentRow]) -> HashMap<(MeasureId, usize), Vec<u8>> {
    let mut values: HashMap<(MeasureId, usize), Vec<u8>> = HashMap::new();
    for row in assessments {
        if let (Some(points), Ok(position)) =
            (row.rating().points(), usize::try_from(row.position - 1))
        {
            values
                .entry((row.measure, position))
                .or_default()
                .push(points);
        }
    }
    values
}

fn evaluate_open(
    round: &Round,
    catalogue: &Catalogue,
    measures: &[RoundMeasure],
    assessments: &[AssessmentRow],
    finals: &[FinalRow],
) -> Vec<Standing> {
    let criteria: Vec<Criterion> = catalogue.criteria.iter().map(|c| c.scoring()).collect();
    let n = criteria.len();
    let values = submitted(assessments);
    let finals = final_points(finals);
    let inputs: Vec<MeasureInput> = measures
        .iter()
        .map(|measure| MeasureInput {
            number: measure.number,
            mandatory: measure.legal_obligation.is_some(),
            supports: u32::try_from(measure.supports).unwrap_or_default(),
            created: measure.created_at.timestamp_micros(),
            submitted: (0..n)
                .map(|k| values.get(&(measure.id, k)).cloned().unwrap_or_default())
                .collect(),
            finals: (0..n)
                .map(|k| finals.get(&(measure.id, k)).copied())
                .collect(),
        })
        .collect();
    evaluate(&criteria, &inputs, class_rule(round))
        .into_iter()
        .map(|evaluation| Standing {
            rank: evaluation.ranked.rank,
            tier: evaluation.ranked.tier,
            score20: evaluation.ranked.score.map(|score| score.0),
            class: evaluation.ranked.class,
            consolidated: evaluation.consolidated,
            spreads: evaluation.spreads,
            disputed: evaluation.disputed,
        })
        .collect()
}

fn read_frozen(
    catalogue: &Catalogue,
    measures: &[RoundMeasure],
    assessments: &[AssessmentRow],
    stored: Vec<(MeasureId, serde_json::Value)>,
) -> Vec<Standing> {
    let values = submitted(assessments);
    let stored: HashMap<MeasureId, Vec<Option<StoredValue>>> = stored
        .into_iter()
        .map(|(measure, json)| (measure, serde_json::from_value(json).unwrap_or_default()))
        .collect();
    measures
        .iter()
        .map(|measure| {
            let spreads: Vec<Option<Spread>> = (0..catalogue.criteria.len())
                .map(|k| {
                    crate::scoring::values::spread(
                        values.get(&(measure.id, k)).map_or(&[][..], Vec::as_slice),
                    )
                })
                .collect();
            let disputed = spreads
                .iter()
                .zip(&catalogue.criteria)
                .enumerate()
                .filter(|(_, (spread, criterion))| {
                    spread.is_some_and(|spread| {
                        crate::scoring::values::disputed(spread, criterion.weight)
                    })
                })
                .map(|(k, _)| k)
                .collect();
            Standing {
                rank: measure
                    .frozen_rank
                    .and_then(|rank| usize::try_from(rank).ok())
                    .unwrap_or(usize::MAX),
                tier: match measure.frozen_tier.as_deref() {
                    Some("mandatory") => Tier::Mandatory,
                    Some("scored") => Tier::Scored,
                    _ => Tier::Incomplete,
                },
                score20: measure
                    .frozen_score20
                    .and_then(|score| u16::try_from(score).ok()),
                class: match measure.frozen_class.as_deref() {
                    Some("A") => Some(Class::A),
                    Some("B") => Some(Class::B),
                    Some("C") => Some(Class::C),
                    _ => None,
                },
                consolidated: stored
                    .get(&measure.id)
                    .map(|values| {
                        values
                            .iter()
                            .map(|value| value.and_then(StoredValue::consolidated))
                            .collect()
                    })
                    .unwrap_or_else(|| vec![None; catalogue.criteria.len()]),
                spreads,
                disputed,
            }
        })
        .collect()
}
