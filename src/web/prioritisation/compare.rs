//! Two rounds compared (`/priorisierung/vergleich?von=…&zu=…`): which measures are new, which
//! dropped out, which moved up or down and by how much. A measure hidden from a blind assessor
//! in either round is left out of the comparison.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::round::score_text;
use crate::db;
use crate::db::rounds::RoundSummary;
use crate::domain::ids::{MeasureId, RoundId};
use crate::rounds::RoundData;
use crate::scoring::comparison::{Moved, compare as compare_ranks};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    von: String,
    #[serde(default)]
    zu: String,
}

/// A measure's line in one of the groups.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub before: Option<usize>,
    pub after: Option<usize>,
    pub before_score: Option<u16>,
    pub after_score: Option<u16>,
}

impl Line {
    pub fn places(&self) -> i64 {
        match (self.before, self.after) {
            (Some(before), Some(after)) => Moved {
                key: (),
                before,
                after,
            }
            .places(),
            _ => 0,
        }
    }

    pub fn movement(&self) -> String {
        match (self.before, self.after) {
            (None, _) => return "neu".to_owned(),
            (_, None) => return "entfällt".to_owned(),
            _ => {}
        }
        super::movement_arrow(self.places())
    }

    pub fn movement_words(&self) -> String {
        if self.before.is_none() || self.after.is_none() {
            return String::new();
        }
        super::movement_words(self.places())
    }

    pub fn before_text(&self) -> String {
        self.before
            .map_or_else(|| "–".to_owned(), |rank| rank.to_string())
    }

    pub fn after_text(&self) -> String {
        self.after
            .map_or_else(|| "–".to_owned(), |rank| rank.to_string())
    }

    pub fn before_score_text(&self) -> String {
        self.before_score.map_or_else(|| "–".to_owned(), score_text)
    }

    pub fn after_score_text(&self) -> String {
        self.after_score.map_or_else(|| "–".to_owned(), score_text)
    }
}

/// One group of the comparison: its heading, an id for the page, its lines.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: &'static str,
    pub heading: &'static str,
    pub lines: Vec<Line>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/compare.html")]
pub struct ComparePage {
    pub shell: Shell,
    pub rounds: Vec<RoundSummary>,
    pub before: Option<RoundSummary>,
    pub after: Option<RoundSummary>,
    pub groups: Vec<Group>,
    pub same: usize,
    pub hidden: usize,
}

impl ComparePage {
    pub fn is_before(&self, round: &RoundSummary) -> bool {
        self.before
            .as_ref()
            .is_some_and(|before| before.id == round.id)
    }

    pub fn pair(&self) -> Option<(&RoundSummary, &RoundSummary)> {
        self.before.as_ref().zip(self.after.as_ref())
    }

    pub fn is_after(&self, round: &RoundSummary) -> bool {
        self.after
            .as_ref()
            .is_some_and(|after| after.id == round.id)
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Query(query): Query<CompareQuery>,
) -> Result<ComparePage, AppError> {
    let rounds = db::rounds::list(&state.db).await?;
    let find = |text: &str, default: usize| {
        text.parse::<RoundId>()
            .ok()
            .and_then(|id| rounds.iter().find(|round| round.id == id))
            .or_else(|| rounds.get(default))
            .cloned()
    };
    // By default the newest round against the one before it.
    let (before, after) = (find(&query.von, 1), find(&query.zu, 0));
    let mut page = ComparePage {
        shell: Shell::new(visitor, "Runden vergleichen")
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .here("Vergleich"),
        rounds: Vec::new(),
        before: None,
        after: None,
        groups: Vec::new(),
        same: 0,
        hidden: 0,
    };
    if let (Some(before), Some(after)) = (&before, &after) {
        let (earlier, later) = tokio::try_join!(
            super::load_round(&state, &current, before.id),
            super::load_round(&state, &current, after.id)
        )?;
        fill(&mut page, &earlier, &later);
    }
    page.rounds = rounds;
    page.before = before;
    page.after = after;
    Ok(page)
}

/// Both rounds as the reader sees them (`super::load_round`): a measure hidden from them in
/// either is left out of both.
fn fill(page: &mut ComparePage, earlier: &RoundData, later: &RoundData) {
    let mut hidden: Vec<MeasureId> = earlier
        .hidden
        .iter()
        .chain(&later.hidden)
        .map(|measure| measure.id)
        .collect();
    hidden.sort_unstable();
    hidden.dedup();
    page.hidden = hidden.len();
    let ranks = |data: &RoundData| -> Vec<(MeasureId, usize)> {
        data.measures
            .iter()
            .zip(&data.standings)
            .filter(|(measure, _)| hidden.binary_search(&measure.id).is_err())
            .map(|(measure, standing)| (measure.id, standing.rank))
            .collect()
    };
    let result = compare_ranks(&ranks(earlier), &ranks(later));
    let index = |data: &RoundData| -> HashMap<MeasureId, usize> {
        data.measures
            .iter()
            .enumerate()
            .map(|(index, measure)| (measure.id, index))
            .collect()
    };
    let (in_earlier, in_later) = (index(earlier), index(later));
    let line = |id: MeasureId| {
        let old = in_earlier
            .get(&id)
            .map(|i| (&earlier.measures[*i], &earlier.standings[*i]));
        let new = in_later
            .get(&id)
            .map(|i| (&later.measures[*i], &later.standings[*i]));
        let measure = new.or(old).map(|(measure, _)| measure);
        Line {
            id,
            number: measure.map_or(0, |measure| measure.number),
            title: measure
                .map(|measure| measure.title.clone())
                .unwrap_or_default(),
            before: old.map(|(_, standing)| standing.rank),
            after: new.map(|(_, standing)| standing.rank),
            before_score: old.and_then(|(_, standing)| standing.score20),
            after_score: new.and_then(|(_, standing)| standing.score20),
        }
    };
    page.same = result.same.len();
    page.groups = vec![
        Group {
            id: "neu",
            heading: "Neu dabei",
            lines: result.new.iter().map(|(id, _)| line(*id)).collect(),
        },
        Group {
            id: "aufgestiegen",
            heading: "Aufgestiegen",
            lines: result.up.iter().map(|moved| line(moved.key)).collect(),
        },
        Group {
            id: "abgestiegen",
            heading: "Abgestiegen",
            lines: result.down.iter().map(|moved| line(moved.key)).collect(),
        },
        Group {
            id: "nicht-mehr-dabei",
            heading: "Nicht mehr dabei",
            lines: result.dropped.iter().map(|(id, _)| line(*id)).collect(),
        },
    ];
}
