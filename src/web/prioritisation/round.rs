//! A round's page: its facts, how far each office has got, and the ranking as far as the reader
//! may see it (an assessor sees a measure's values only after submitting their own, in an open
//! round); the measures flagged for discussion.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use crate::db::rounds::RoundMeasure;
use crate::domain::ids::RoundId;
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::{self, RoundStatus};
use crate::domain::roles::Role;
use crate::rounds::{RoundData, Standing};
use crate::scoring::ranking::Tier;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

/// A row of the ranking as the reader sees it.
#[derive(Debug, Clone)]
pub struct RankRow<'a> {
    pub measure: &'a RoundMeasure,
    pub standing: &'a Standing,
    /// The names of the criteria whose values lie too far apart.
    pub disputed: Vec<&'a str>,
    /// Measures it depends on that rank below it ("M-12 (Rang 9)").
    pub prerequisites_below: Vec<String>,
}

impl RankRow<'_> {
    pub fn tier_label(&self) -> &'static str {
        tier_label(self.standing.tier)
    }

    pub fn score(&self) -> Option<String> {
        self.standing.score20.map(score_text)
    }

    pub fn class(&self) -> Option<String> {
        self.standing.class.map(|class| format!("{class:?}"))
    }
}

pub fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Mandatory => "Pflicht",
        Tier::Scored => "bewertet",
        Tier::Incomplete => "unvollständig bewertet",
    }
}

/// Twenty times a score as people read it: "67,25".
pub fn score_text(score20: u16) -> String {
    crate::web::format::decimal(i64::from(score20) * 5, 2)
}

/// How far one office has got.
#[derive(Debug, Clone)]
pub struct OfficeProgress {
    pub office: Office,
    pub assessed: usize,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/round.html")]
pub struct RoundPage {
    pub shell: Shell,
    pub data: std::sync::Arc<RoundData>,
    pub is_assessor: bool,
    pub is_central: bool,
    /// The reader's own progress: measures assessed.
    pub own_done: usize,
    pub offices: Vec<OfficeProgress>,
    /// The measures the reader sees, in the order of the ranking (positions in `data`).
    pub visible: Vec<usize>,
    /// The page of the ranking shown (from 1).
    pub page: usize,
}

/// Rows per page of a round's ranking, and the most entries its lists show at once.
const PAGE_SIZE: usize = 50;

impl RoundPage {
    pub fn is_open(&self) -> bool {
        self.data.round.status == RoundStatus::Open
    }

    pub fn pages(&self) -> usize {
        self.visible.len().div_ceil(PAGE_SIZE).max(1)
    }

    /// The page of the ranking shown, without the measures the reader may not see yet.
    pub fn ranking(&self) -> Vec<RankRow<'_>> {
        self.visible
            .iter()
            .skip((self.page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|index| self.row(*index))
            .collect()
    }

    pub fn pagination(&self) -> crate::web::measures::catalogue::Pagination {
        let href = |page: usize| {
            let base = format!("/priorisierung/runden/{}", self.data.round.id);
            if page > 1 {
                format!("{base}?seite={page}")
            } else {
                base
            }
        };
        crate::web::measures::catalogue::Pagination::around(self.page, self.pages(), href)
    }

    /// The first of the measures whose values the reader sees only after assessing them, by
    /// number (any order made from values would tell them).
    pub fn hidden(&self) -> &[RoundMeasure] {
        &self.data.hidden[..self.data.hidden.len().min(PAGE_SIZE)]
    }

    pub fn hidden_count(&self) -> usize {
        self.data.hidden.len()
    }

    /// What the first column counts: the ranks of the round, or while measures are hidden from
    /// the reader their places among those they see.
    pub fn rank_heading(&self) -> &'static str {
        if self.data.is_blind() {
            "Platz"
        } else {
            "Rang"
        }
    }

    fn row(&self, index: usize) -> RankRow<'_> {
        let standing = &self.data.standings[index];
        let measure = &self.data.measures[index];
        let prerequisites_below = measure
            .requires
            .iter()
            .filter_map(|required| self.data.index_of(*required))
            .filter(|other| self.data.standings[*other].rank > standing.rank)
            .map(|other| {
                format!(
                    "M-{} ({} {})",
                    self.data.measures[other].number,
                    self.rank_heading(),
                    self.data.standings[other].rank
                )
            })
            .collect();
        RankRow {
            measure,
            prerequisites_below,
            standing,
            disputed: standing
                .disputed
                .iter()
                .filter_map(|k| self.data.catalogue.criteria.get(*k))
                .map(|criterion| criterion.name.as_str())
                .collect(),
        }
    }

    /// The visible measures flagged for discussion: how many, and the first of them.
    pub fn flagged(&self) -> (usize, Vec<RankRow<'_>>) {
        let all = self
            .visible
            .iter()
            .filter(|index| !self.data.standings[**index].disputed.is_empty());
        (
            all.clone().count(),
            all.take(PAGE_SIZE).map(|index| self.row(*index)).collect(),
        )
    }

    pub fn total(&self) -> usize {
        self.data.total()
    }
}

/// The round's page, or with ".json" after the id its data (`super::round_json`): the router
/// cannot tell the two apart by a suffix, so one handler serves both.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Path(raw): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    if let Some(id) = raw.strip_suffix(".json") {
        let id: RoundId = id.parse().map_err(|_| AppError::NotFound)?;
        return super::round_json::json(&state, &current, id).await;
    }
    let id: RoundId = raw.parse().map_err(|_| AppError::NotFound)?;
    let page = query.seite.parse::<usize>().unwrap_or(1).max(1);
    Ok(self::page(&state, visitor, current, id, page)
        .await?
        .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    seite: String,
}

async fn page(
    state: &AppState,
    visitor: Visitor,
    current: CurrentUser,
    id: RoundId,
    page: usize,
) -> Result<RoundPage, AppError> {
    let data = super::load_round(state, &current, id).await?;
    let visible = data.ranked_order();
    let page = page.min(visible.len().div_ceil(PAGE_SIZE).max(1));
    let actor = current.user.actor();
    let own_done = data
        .measures
        .iter()
        .chain(&data.hidden)
        .filter(|measure| data.submitted_by(actor.user_id, measure.id))
        .count();
    let offices = Office::ALL
        .into_iter()
        .map(|office| OfficeProgress {
            office,
            assessed: data.assessed_by(office),
        })
        .collect();
    let title = data.round.name.clone();
    Ok(RoundPage {
        shell: Shell::new(visitor, title.clone())
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .here(title),
        is_assessor: rounds::may_assess(&actor),
        is_central: actor.has(Role::CentralOfficer),
        own_done,
        offices,
        data,
        visible,
        page,
    })
}
