//! A round as data (`/priorisierung/runden/{id}.json`): the catalogue version with criteria and
//! weights, and per measure its rank, tier, score, class, consolidated values with their source
//! and spread, and each office's values where the reader may see them (the same rules as the
//! page). The schema is in docs/prioritisation.md.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::ids::{MeasureId, RoundId};
use crate::domain::prioritisation::rounds::{self, Sight};
use crate::scoring::values::Origin;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::visitor::CurrentUser;

#[derive(Debug, Serialize)]
pub struct RoundDocument {
    pub round: RoundFacts,
    pub catalogue: CatalogueFacts,
    pub formula: &'static str,
    /// Measures the reader sees only after assessing them (left out below; the ranks below are
    /// then places among the measures the reader sees).
    pub hidden_for_reader: usize,
    pub measures: Vec<MeasureFacts>,
}

#[derive(Debug, Serialize)]
pub struct RoundFacts {
    pub id: RoundId,
    pub name: String,
    pub status: &'static str,
    pub deadline: chrono::NaiveDate,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub decided_on: Option<chrono::NaiveDate>,
    pub decision_body: Option<String>,
    pub decision_note: String,
    pub class_a_from: i16,
    pub class_b_from: i16,
    pub robustness_seed: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct CatalogueFacts {
    pub version: i32,
    pub criteria: Vec<CriterionFacts>,
}

#[derive(Debug, Serialize)]
pub struct CriterionFacts {
    pub position: usize,
    pub name: String,
    /// "benefit" or "cost".
    pub group: &'static str,
    /// Percent; the weights add up to 100.
    pub weight: u8,
}

#[derive(Debug, Serialize)]
pub struct MeasureFacts {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub rank: usize,
    /// "mandatory", "scored" or "incomplete".
    pub tier: &'static str,
    pub legal_obligation: Option<String>,
    /// 0–100 in steps of 0.05; none when incomplete.
    pub score: Option<f64>,
    pub class: Option<&'static str>,
    pub supports: i32,
    pub values: Vec<ValueFacts>,
    /// The robustness figures stored when the round was frozen; none while it is open (the
    /// robustness page computes them on demand).
    pub robustness: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct ValueFacts {
    pub criterion: usize,
    /// 0–10 in steps of 0.5; none without any submitted value.
    pub value: Option<f64>,
    /// "median" or "final".
    pub source: Option<&'static str>,
    /// How many values the median was taken of.
    pub submitted: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub lower_quartile: Option<f64>,
    pub upper_quartile: Option<f64>,
    pub disputed: bool,
    pub final_reason: Option<String>,
    /// Each office's value (none: "nicht beurteilbar") and reason; only where the reader may see
    /// them, otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub individual: Option<Vec<IndividualFacts>>,
}

#[derive(Debug, Serialize)]
pub struct IndividualFacts {
    pub office: &'static str,
    pub value: Option<u8>,
    pub reason: String,
}

fn points(half_points: u8) -> f64 {
    f64::from(half_points) / 2.0
}

pub async fn json(
    state: &AppState,
    current: &CurrentUser,
    id: RoundId,
) -> Result<Response, AppError> {
    let data = super::load_round(state, current, id).await?;
    let actor = current.user.actor();
    let deadline_passed = data.deadline_passed();
    let mut measures = Vec::new();
    for index in data.ranked_order() {
        let measure = &data.measures[index];
        let own = data.unlocked_by(actor.user_id, measure.id);
        let sight = rounds::sight(&actor, data.round.status, own, deadline_passed);
        let standing = &data.standings[index];
        let values = (0..data.catalogue.criteria.len())
            .map(|k| {
                let position = k as i32 + 1;
                let consolidated = standing.consolidated.get(k).copied().flatten();
                let spread = standing.spreads.get(k).copied().flatten();
                let rows = data
                    .assessments_of(measure.id)
                    .iter()
                    .filter(|row| row.position == position);
                ValueFacts {
                    criterion: k + 1,
                    value: consolidated.map(|value| points(value.value.half_points())),
                    source: consolidated.map(|value| match value.origin {
                        Origin::Median(_) => "median",
                        Origin::Final => "final",
                    }),
                    submitted: rows
                        .clone()
                        .filter(|row| row.rating().points().is_some())
                        .count(),
                    min: spread.map(|spread| points(spread.min.half_points())),
                    max: spread.map(|spread| points(spread.max.half_points())),
                    lower_quartile: spread
                        .map(|spread| points(spread.lower_quartile.half_points())),
                    upper_quartile: spread
                        .map(|spread| points(spread.upper_quartile.half_points())),
                    disputed: standing.disputed.contains(&k),
                    final_reason: data
                        .finals
                        .iter()
                        .find(|row| row.measure == measure.id && row.position == position)
                        .map(|row| row.reason.clone()),
                    individual: (sight == Sight::Individual).then(|| {
                        rows.map(|row| IndividualFacts {
                            office: row.office.label(),
                            value: row.rating().points(),
                            reason: row.reason.clone(),
                        })
                        .collect()
                    }),
                }
            })
            .collect();
        measures.push(MeasureFacts {
            id: measure.id,
            number: measure.number,
            title: measure.title.clone(),
            rank: standing.rank,
            tier: super::ranking_json::tier_slug(standing.tier),
            legal_obligation: measure.legal_obligation.clone(),
            score: standing.score20.map(|score| f64::from(score) / 20.0),
            class: standing.class.map(super::ranking_json::class_slug),
            supports: measure.supports,
            values,
            robustness: measure.frozen_robustness.clone(),
        });
    }
    let round = &data.round;
    let document = RoundDocument {
        round: RoundFacts {
            id,
            name: round.name.clone(),
            status: match round.status {
                rounds::RoundStatus::Open => "open",
                rounds::RoundStatus::Frozen => "frozen",
            },
            deadline: round.deadline,
            opened_at: round.opened_at,
            decided_on: round.decided_on,
            decision_body: round.decision_body.clone(),
            decision_note: round.decision_note.clone(),
            class_a_from: round.class_a_from,
            class_b_from: round.class_b_from,
            robustness_seed: round.robustness_seed,
        },
        catalogue: CatalogueFacts {
            version: data.catalogue.version,
            criteria: data
                .catalogue
                .criteria
                .iter()
                .enumerate()
                .map(|(k, criterion)| CriterionFacts {
                    position: k + 1,
                    name: criterion.name.clone(),
                    group: if criterion.group.is_cost() {
                        "cost"
                    } else {
                        "benefit"
                    },
                    weight: criterion.weight,
                })
                .collect(),
        },
        formula: "score = Σ_k w_k · u_k / 10 with w_k in percent and u_k = v_k for a benefit, 10 − v_k for a cost criterion; v_k = the final value if set, else the median of the submitted values",
        hidden_for_reader: data.hidden.len(),
        measures,
    };
    Ok(Json(document).into_response())
}
