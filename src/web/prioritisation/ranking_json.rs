//! The ranking as data (`/priorisierung.json`, the same query parameters as the page): the
//! newest round's measures the reader may see, narrowed by the catalogue's filters, with rank,
//! tier, score, class, benefit and cost scores, quadrant and (for a frozen round) the stored
//! robustness figures. The schema is docs/schemas/ranking.schema.json.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::ids::{MeasureId, RoundId};
use crate::domain::prioritisation::rounds::RoundStatus;
use crate::scoring::ranking::{Class, Quadrant, Tier};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::measures::catalogue::CatalogueQuery;
use crate::web::visitor::CurrentUser;

#[derive(Debug, Serialize)]
pub struct RankingDocument {
    /// The round the ranking comes from; none before the first round.
    pub round: Option<RoundRef>,
    pub class_rule: Option<ClassRule>,
    /// Measures of the filtered view the reader sees only after assessing them (left out).
    pub hidden_for_reader: usize,
    pub measures: Vec<RankedMeasure>,
}

#[derive(Debug, Serialize)]
pub struct RoundRef {
    pub id: RoundId,
    pub name: String,
    pub status: &'static str,
    pub decided_on: Option<chrono::NaiveDate>,
    /// The round as a document of its own.
    pub href: String,
}

#[derive(Debug, Serialize)]
pub struct ClassRule {
    pub a_from: i16,
    pub b_from: i16,
}

#[derive(Debug, Serialize)]
pub struct RankedMeasure {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub rank: usize,
    pub tier: &'static str,
    pub score: Option<f64>,
    pub class: Option<&'static str>,
    /// The score over the benefit criteria alone and over the cost criteria alone, 0–100.
    pub benefit: Option<f64>,
    pub cost: Option<f64>,
    pub quadrant: Option<&'static str>,
    pub robustness: Option<serde_json::Value>,
}

pub fn tier_slug(tier: Tier) -> &'static str {
    match tier {
        Tier::Mandatory => "mandatory",
        Tier::Scored => "scored",
        Tier::Incomplete => "incomplete",
    }
}

pub fn class_slug(class: Class) -> &'static str {
    match class {
        Class::A => "A",
        Class::B => "B",
        Class::C => "C",
    }
}

fn quadrant_slug(quadrant: Quadrant) -> &'static str {
    match quadrant {
        Quadrant::QuickWin => "quick_win",
        Quadrant::Strategic => "strategic",
        Quadrant::Filler => "filler",
        Quadrant::Defer => "defer",
    }
}

pub async fn json(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    let Some(ranking) = super::ranking::load(&state, &current, &query).await? else {
        return Ok(Json(RankingDocument {
            round: None,
            class_rule: None,
            hidden_for_reader: 0,
            measures: Vec::new(),
        })
        .into_response());
    };
    let round = &ranking.data.round;
    let measures = ranking
        .entries()
        .map(|entry| RankedMeasure {
            id: entry.id,
            number: entry.number,
            title: entry.title.clone(),
            rank: entry.rank,
            tier: tier_slug(entry.tier),
            score: entry.score20.map(|score| f64::from(score) / 20.0),
            class: entry.class.map(class_slug),
            benefit: entry.benefit.map(|value| (value * 100.0).round() / 100.0),
            cost: entry.cost.map(|value| (value * 100.0).round() / 100.0),
            quadrant: entry.quadrant.map(quadrant_slug),
            robustness: ranking.data.measures[entry.index].frozen_robustness.clone(),
        })
        .collect();
    Ok(Json(RankingDocument {
        round: Some(RoundRef {
            id: round.id,
            name: round.name.clone(),
            status: match round.status {
                RoundStatus::Open => "open",
                RoundStatus::Frozen => "frozen",
            },
            decided_on: round.decided_on,
            href: format!("/priorisierung/runden/{}.json", round.id),
        }),
        class_rule: Some(ClassRule {
            a_from: round.class_a_from,
            b_from: round.class_b_from,
        }),
        hidden_for_reader: ranking.filtered.hidden,
        measures,
    })
    .into_response())
}
