//! The ranking of the newest round as a person scans it (`/priorisierung`): filterable like the
//! catalogue, as a ranked list, as the value/effort matrix (an SVG with the numbers as a table
//! beside it) or grouped by class. A measure still hidden from a blind assessor is left out, and
//! the others' places count only among what the reader sees (`RoundData::narrowed`).

use std::collections::HashSet;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::db;
use crate::db::catalogue::Scope;
use crate::domain::ids::{MeasureId, RoundId};
use crate::domain::lifecycle::Status;
use crate::rounds::RoundData;
use crate::scoring::ranking::{Class, Quadrant, Tier, benefit_and_cost, quadrant};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::measures::catalogue::{CatalogueQuery, FilterChoices, FilterPanel, Pagination};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    ansicht: String,
}

/// How the ranking is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Matrix,
    Classes,
}

impl View {
    fn from_slug(slug: &str) -> Self {
        match slug {
            "matrix" => Self::Matrix,
            "klassen" => Self::Classes,
            _ => Self::List,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::List => "liste",
            Self::Matrix => "matrix",
            Self::Classes => "klassen",
        }
    }
}

/// One measure of the ranking.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its position among the round's measures.
    pub index: usize,
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub rank: usize,
    pub tier: Tier,
    pub score20: Option<u16>,
    pub class: Option<Class>,
    /// Benefit and cost scores, 0–100.
    pub benefit: Option<f64>,
    pub cost: Option<f64>,
    pub quadrant: Option<Quadrant>,
}

impl Entry {
    pub fn tier_label(&self) -> &'static str {
        super::round::tier_label(self.tier)
    }

    pub fn score(&self) -> Option<String> {
        self.score20.map(super::round::score_text)
    }

    pub fn class_label(&self) -> Option<String> {
        self.class.map(|class| format!("{class:?}"))
    }

    /// A point of the matrix: x = cost (0–100 → 40–360), y = benefit (100 at the top).
    pub fn x(&self) -> i64 {
        40 + (self.cost.unwrap_or_default() * 3.2).round() as i64
    }

    pub fn y(&self) -> i64 {
        20 + ((100.0 - self.benefit.unwrap_or_default()) * 3.2).round() as i64
    }

    pub fn one_decimal(value: &Option<f64>) -> String {
        value.map_or_else(
            || "–".to_owned(),
            |value| crate::web::format::decimal((value * 10.0).round() as i64, 1),
        )
    }

    pub fn benefit_text(&self) -> String {
        Self::one_decimal(&self.benefit)
    }

    pub fn cost_text(&self) -> String {
        Self::one_decimal(&self.cost)
    }

    pub fn quadrant_label(&self) -> &'static str {
        self.quadrant.map_or("–", Quadrant::label)
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/ranking.html")]
pub struct RankingPage {
    pub shell: Shell,
    pub round: Option<crate::db::rounds::Round>,
    pub view: View,
    /// The measures of the filtered view the reader sees, in the order of the ranking (shared
    /// with the cache).
    pub filtered: Arc<Filtered>,
    /// Measures of the view still hidden from the reader (left out, the places count without
    /// them).
    pub hidden: usize,
    pub query: CatalogueQuery,
    pub panel: FilterPanel,
    pub choices: FilterChoices,
}

/// Rows per page of the list and of the matrix's table.
pub const PAGE_SIZE: usize = 50;

/// The most points the matrix names one by one (a title each); beyond, the points stay
/// unnamed and the table below names them.
const NAMED_POINTS: usize = 300;

impl RankingPage {
    /// How many measures the reader sees.
    pub fn count(&self) -> usize {
        self.filtered.entries.len()
    }

    /// The measures the reader sees, in the order of the ranking.
    pub fn entries(&self) -> std::slice::Iter<'_, Entry> {
        self.filtered.entries.iter()
    }

    /// What the first column counts (see `round::RoundPage::rank_heading`).
    pub fn rank_heading(&self) -> &'static str {
        if self.filtered.blind { "Platz" } else { "Rang" }
    }

    pub fn pages(&self) -> usize {
        self.count().div_ceil(PAGE_SIZE).max(1)
    }

    /// The page shown (1 for anything past the last).
    pub fn page(&self) -> usize {
        usize::try_from(self.query.page())
            .unwrap_or(1)
            .min(self.pages())
    }

    /// The entries of the page shown.
    pub fn shown(&self) -> Vec<&Entry> {
        self.entries()
            .skip((self.page() - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect()
    }

    pub fn pagination(&self) -> Pagination {
        Pagination::around(self.page(), self.pages(), |page| self.page_href(page))
    }

    /// The address of this view on `page`.
    pub fn page_href(&self, page: usize) -> String {
        let href = self.view_href(self.view.slug());
        if page > 1 {
            format!("{href}&seite={page}")
        } else {
            href
        }
    }

    pub fn names_points(&self) -> bool {
        self.count() <= NAMED_POINTS
    }

    /// How many entries of the whole view are in `class`.
    pub fn class_count(&self, class: &str) -> usize {
        self.entries()
            .filter(|entry| entry.class_label().as_deref() == Some(class))
            .count()
    }

    pub fn view_href(&self, view: &str) -> String {
        let mut pairs = vec![("ansicht", view.to_owned())];
        for (key, value) in [
            ("suche", &self.query.suche),
            ("status", &self.query.status),
            ("amt", &self.query.amt),
            ("feld", &self.query.feld),
            ("schnell", &self.query.schnell),
            ("ozg", &self.query.ozg),
            ("schlagwort", &self.query.schlagwort),
        ] {
            if !value.is_empty() {
                pairs.push((key, value.clone()));
            }
        }
        format!(
            "/priorisierung?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }

    /// The entries of the page shown that are in `class`.
    pub fn in_class(&self, class: &str) -> Vec<&Entry> {
        self.shown()
            .into_iter()
            .filter(|entry| entry.class_label().as_deref() == Some(class))
            .collect()
    }

    pub fn in_quadrant(&self, quadrant: Quadrant) -> usize {
        self.entries()
            .filter(|entry| entry.quadrant == Some(quadrant))
            .count()
    }

    pub fn quadrants(&self) -> [Quadrant; 4] {
        [
            Quadrant::QuickWin,
            Quadrant::Strategic,
            Quadrant::Filler,
            Quadrant::Defer,
        ]
    }

    pub fn placed(&self) -> Vec<&Entry> {
        self.entries()
            .filter(|entry| entry.quadrant.is_some())
            .collect()
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Query(query): Query<CatalogueQuery>,
    Query(view): Query<ViewQuery>,
) -> Result<RankingPage, AppError> {
    let path = "/priorisierung";
    let (tree, ranking) = tokio::try_join!(
        async {
            state
                .strategy
                .current_tree(&state.db)
                .await
                .map_err(AppError::from)
        },
        load(&state, &current, &query)
    )?;
    let statuses = Status::ALL
        .into_iter()
        .filter(|status| *status != Status::Draft)
        .collect();
    let panel = FilterPanel::new(&query, path, "rangfolge", tree.as_deref());
    let choices = FilterChoices::new(tree, statuses);
    let shell = Shell::new(visitor, "Rangfolge")
        .in_section(Section::Prioritisation)
        .here("Priorisierung");
    let (round, filtered) = ranking.map_or((None, Arc::default()), |ranking| {
        (Some(ranking.data.round.clone()), ranking.filtered)
    });
    Ok(RankingPage {
        shell,
        round,
        view: View::from_slug(&view.ansicht),
        hidden: filtered.hidden,
        filtered,
        panel,
        choices,
        query,
    })
}

/// The newest round's ranking as the reader may see it, narrowed by the catalogue's filters.
#[derive(Debug)]
pub struct Ranking {
    /// The round as the reader may see it (`super::load_round`).
    pub data: Arc<RoundData>,
    pub filtered: Arc<Filtered>,
}

/// The measures of a round that a filtered view holds and the reader sees.
#[derive(Debug, Default)]
pub struct Filtered {
    /// In the order of the ranking.
    pub entries: Vec<Entry>,
    /// How many measures of the view are hidden from the reader.
    pub hidden: usize,
    /// Whether anything of the round is hidden from the reader (the ranks are then places).
    pub blind: bool,
}

impl Ranking {
    /// The measures the reader sees, in the order of the ranking.
    pub fn entries(&self) -> std::slice::Iter<'_, Entry> {
        self.filtered.entries.iter()
    }
}

/// The ranking of the newest round (none without a round) for `query`. The filtered view is
/// kept per round and filter for the content generation (`caches.rankings`); per request only
/// the blind rule is applied.
pub async fn load(
    state: &AppState,
    current: &CurrentUser,
    query: &CatalogueQuery,
) -> Result<Option<Ranking>, AppError> {
    let Some(newest) = super::newest_round(state, current).await? else {
        return Ok(None);
    };
    load_round(state, current, newest, query).await.map(Some)
}

/// The ranking of round `id` (404 if there is none) for `query`, as the reader may see it; kept
/// per round, reader (a blind one sees a part) and filter for the content generation.
pub async fn load_round(
    state: &AppState,
    current: &CurrentUser,
    id: RoundId,
    query: &CatalogueQuery,
) -> Result<Ranking, AppError> {
    let filter = query.filter();
    let data = super::load_round(state, current, id).await?;
    let key = (id, data.reader, filter.clone());
    let filtered = state
        .caches
        .rankings
        .get_or_load(Some(current.generation), key, async {
            let matching: HashSet<MeasureId> =
                db::catalogue::ids(&state.db, &filter, Scope::Catalogue)
                    .await?
                    .into_iter()
                    .collect();
            Ok::<_, AppError>(Filtered {
                entries: entries(&data, &matching),
                hidden: data
                    .hidden
                    .iter()
                    .filter(|measure| matching.contains(&measure.id))
                    .count(),
                blind: data.is_blind(),
            })
        })
        .await?;
    Ok(Ranking { data, filtered })
}

/// The round's measures among `matching`, in the order of the ranking.
fn entries(data: &RoundData, matching: &HashSet<MeasureId>) -> Vec<Entry> {
    let criteria = data.criteria();
    data.ranked_order()
        .into_iter()
        .filter(|index| matching.contains(&data.measures[*index].id))
        .map(|index| {
            let measure = &data.measures[index];
            let standing = &data.standings[index];
            let values: Vec<_> = standing
                .consolidated
                .iter()
                .map(|value| value.map(|value| value.value))
                .collect();
            let scores = benefit_and_cost(&criteria, &values);
            Entry {
                index,
                id: measure.id,
                number: measure.number,
                title: measure.title.clone(),
                rank: standing.rank,
                tier: standing.tier,
                score20: standing.score20,
                class: standing.class,
                benefit: scores.map(|(benefit, _)| benefit),
                cost: scores.map(|(_, cost)| cost),
                quadrant: quadrant(&criteria, &values),
            }
        })
        .collect()
}
