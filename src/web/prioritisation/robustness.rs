//! How robust a round's ranking is (SMAA-2): the reader chooses the weight model, the number of
//! samples, k and the seed in a GET form (the URL can be shared); the analysis runs off the async
//! threads and is kept for the round's inputs and these settings.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::domain::ids::RoundId;
use crate::rounds::RoundData;
use crate::scoring::ranking::Tier;
use crate::scoring::robustness::{Robustness, Settings, WeightModel, analyse};
use crate::scoring::tipping::stability_intervals;
use crate::web::AppState;
use crate::web::cache::{AnalysisKey, Stored};
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RobustnessQuery {
    #[serde(default)]
    pub modell: String,
    #[serde(default)]
    pub stichproben: String,
    #[serde(default)]
    pub k: String,
    #[serde(default)]
    pub seed: String,
    #[serde(default)]
    pub seite: String,
}

/// The default seed: any fixed number does; this one is the year the method entered PriMa.
pub const DEFAULT_SEED: u64 = 2026;

impl RobustnessQuery {
    pub fn settings(&self) -> Settings {
        Settings {
            samples: match self.stichproben.as_str() {
                "1000" => 1_000,
                _ => 10_000,
            },
            seed: self.seed.trim().parse().unwrap_or(DEFAULT_SEED),
            top_k: self
                .k
                .trim()
                .parse()
                .ok()
                .filter(|k| (1..=100).contains(k))
                .unwrap_or(10),
            model: match self.modell.as_str() {
                "reihenfolge" => WeightModel::OrderOnly,
                "beliebig" => WeightModel::Uniform,
                _ => WeightModel::AroundAgreed { percent: 20 },
            },
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

pub fn model_slug(model: WeightModel) -> &'static str {
    match model {
        WeightModel::AroundAgreed { .. } => "ungefaehr",
        WeightModel::OrderOnly => "reihenfolge",
        WeightModel::Uniform => "beliebig",
    }
}

/// The analysis of `data` with `settings`: the stored one if its inputs are those of `data`;
/// else the stored one all the same, marked stale, while a new one is computed in the
/// background; only without any stored analysis is it computed while the request waits, and
/// only if no other analysis is running (else 503 with `Retry-After`: one analysis uses every
/// core, and queueing them would let one person keep the instance busy).
///
/// `data` is the round as the reader sees it: narrowed for a blind reader, the analysis covers
/// only the measures they see, and is kept apart from the whole round's.
async fn analysis(
    state: &AppState,
    data: &Arc<RoundData>,
    settings: Settings,
) -> Result<(Arc<Robustness>, bool), AppError> {
    let key = (data.round.id, data.reader, settings);
    let fingerprint = data.fingerprint();
    let store = &state.caches.robustness;
    let measures = measure_ids(data);
    match store.get(&key) {
        Some(stored) if stored.fingerprint == fingerprint && stored.measures == measures => {
            Ok((stored.result, false))
        }
        Some(stored) if stored.measures == measures => {
            refresh(state, Arc::clone(data), settings);
            Ok((stored.result, true))
        }
        _ => {
            let Some(_running) = store.try_run() else {
                return Err(AppError::Busy(BUSY_WAIT));
            };
            let result = Arc::new(compute(data, settings).await?);
            store.put(
                key,
                Stored {
                    fingerprint,
                    measures,
                    result: Arc::clone(&result),
                },
                is_default,
            );
            Ok((result, false))
        }
    }
}

/// The measures an analysis of `data` covers, in its order.
fn measure_ids(data: &RoundData) -> Vec<crate::domain::ids::MeasureId> {
    data.measures.iter().map(|measure| measure.id).collect()
}

/// How long a reader is asked to wait while another analysis runs.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether `key` is a round's default analysis (the page without settings): the one kept when
/// the store is full.
fn is_default(key: &AnalysisKey) -> bool {
    key.1.is_none() && key.2 == RobustnessQuery::default().settings()
}

async fn compute(data: &RoundData, settings: Settings) -> Result<Robustness, AppError> {
    let criteria = data.criteria();
    let alternatives = data.alternatives();
    tokio::task::spawn_blocking(move || analyse(&criteria, &alternatives, settings))
        .await
        .map_err(|error| AppError::Internal(error.into()))
}

/// Computes the analysis of `data` with `settings` in the background, unless that is under way;
/// it waits for its turn behind any analysis running.
fn refresh(state: &AppState, data: Arc<RoundData>, settings: Settings) {
    let key = (data.round.id, data.reader, settings);
    if !state.caches.robustness.claim(key) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let store = &state.caches.robustness;
        let running = store.run().await;
        match compute(&data, settings).await {
            Ok(result) => store.put(
                key,
                Stored {
                    fingerprint: data.fingerprint(),
                    measures: measure_ids(&data),
                    result: Arc::new(result),
                },
                is_default,
            ),
            Err(error) => tracing::error!(?error, "the robustness analysis failed"),
        }
        drop(running);
        store.release(&key);
    });
}

/// After a change to the round's assessments: the analysis with the page's default settings
/// is computed again in the background, so that the next reader finds it ready.
pub fn refresh_after_change(state: &AppState, round: RoundId) {
    let state = state.clone();
    tokio::spawn(async move {
        match RoundData::load(&state.db, round).await {
            Ok(Some(data)) => {
                let settings = RobustnessQuery::default().settings();
                let key = (round, None, settings);
                if state.caches.robustness.get(&key).is_some() {
                    refresh(&state, Arc::new(data), settings);
                }
            }
            Ok(None) => {}
            Err(error) => tracing::error!(?error, "reading the round for its robustness failed"),
        }
    });
}

/// A measure's row.
#[derive(Debug, Clone)]
pub struct Row {
    pub rank: usize,
    pub number: i64,
    pub title: String,
    pub id: crate::domain::ids::MeasureId,
    pub p5: usize,
    pub median: usize,
    pub p95: usize,
    pub top_k: f64,
    pub first: f64,
    pub beats_above: Option<f64>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/robustness.html")]
pub struct RobustnessPage {
    pub shell: Shell,
    pub round_id: RoundId,
    pub round_name: String,
    pub settings: Settings,
    pub model: &'static str,
    pub rows: Vec<Row>,
    pub hidden: usize,
    pub accuracy: f64,
    /// The assessments changed since the analysis shown; a new one is being computed.
    pub stale: bool,
    /// The page of the table shown (from 1).
    pub page: usize,
    /// Per criterion: its name, agreed weight, and the weight range over which the first k of
    /// the ranking (among the measures the reader sees) stay the same.
    pub stability: Vec<(String, u8, f64, f64)>,
}

/// Rows per page of the table.
const PAGE_SIZE: usize = 50;

impl RobustnessPage {
    pub fn shown(&self) -> &[Row] {
        let start = (self.page - 1) * PAGE_SIZE;
        self.rows
            .get(start..(start + PAGE_SIZE).min(self.rows.len()))
            .unwrap_or_default()
    }

    pub fn pages(&self) -> usize {
        self.rows.len().div_ceil(PAGE_SIZE).max(1)
    }

    pub fn pagination(&self) -> crate::web::measures::catalogue::Pagination {
        let href = |page: usize| {
            format!(
                "/priorisierung/runden/{}/robustheit?modell={}&stichproben={}&k={}&seed={}&seite={page}",
                self.round_id,
                self.model,
                self.settings.samples,
                self.settings.top_k,
                self.settings.seed
            )
        };
        crate::web::measures::catalogue::Pagination::around(self.page, self.pages(), href)
    }

    pub fn percent(&self, share: &f64) -> String {
        crate::web::format::decimal((share * 100.0).round() as i64, 0) + " %"
    }

    /// The plain sentence for a row.
    pub fn sentence(&self, row: &Row) -> String {
        let k = self.settings.top_k;
        let share = self.percent(&row.top_k);
        if row.rank <= k {
            format!("bleibt in {share} der Fälle unter den ersten {k}")
        } else {
            format!("kommt in {share} der Fälle unter die ersten {k}")
        }
    }

    pub fn is_model(&self, slug: &str) -> bool {
        self.model == slug
    }

    /// "Die ersten 10 bleiben dieselben, solange „…“ zwischen 14 % und 31 % gewichtet ist."
    pub fn stability_text(&self, entry: &(String, u8, f64, f64)) -> String {
        let (name, _, low, high) = entry;
        let percent = |value: f64| crate::web::format::decimal((value * 10.0).round() as i64, 1);
        match (*low <= 0.0, *high >= 100.0) {
            (true, true) => format!("„{name}“: jedes Gewicht von 0 % bis 100 %"),
            (true, false) => format!("„{name}“: bis {} %", percent(*high)),
            (false, true) => format!("„{name}“: ab {} %", percent(*low)),
            (false, false) => format!(
                "„{name}“: zwischen {} % und {} %",
                percent(*low),
                percent(*high)
            ),
        }
    }

    pub fn accuracy_text(&self) -> String {
        crate::web::format::decimal((self.accuracy * 1000.0).round() as i64, 1)
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(query): Query<RobustnessQuery>,
) -> Result<RobustnessPage, AppError> {
    let data = super::load_round(&state, &current, id).await?;
    let settings = query.settings();
    let (result, stale) = analysis(&state, &data, settings).await?;
    let rows: Vec<Row> = data
        .ranked_order()
        .into_iter()
        .map(|index| {
            let measure = &data.measures[index];
            let figures = &result.acceptability[index];
            Row {
                rank: data.standings[index].rank,
                number: measure.number,
                title: measure.title.clone(),
                id: measure.id,
                p5: result.rank_percentile(index, 0.05),
                median: result.rank_percentile(index, 0.5),
                p95: result.rank_percentile(index, 0.95),
                top_k: result.share(figures.top_k),
                first: result.share(figures.first),
                beats_above: figures.beats_above.map(|count| result.share(count)),
            }
        })
        .collect();
    // The stability of the agreed order of the first k scored measures, weight by weight.
    let ranked: Vec<_> = data
        .ranked_order()
        .into_iter()
        .filter(|index| data.standings[*index].tier == Tier::Scored)
        .take(settings.top_k + 1)
        .map(|index| {
            data.standings[index]
                .consolidated
                .iter()
                .map(|value| value.map(|value| value.value))
                .collect::<Vec<_>>()
        })
        .collect();
    let stability = stability_intervals(&data.criteria(), &ranked)
        .into_iter()
        .zip(&data.catalogue.criteria)
        .map(|((low, high), criterion)| (criterion.name.clone(), criterion.weight, low, high))
        .collect();
    let title = format!("Robustheit: {}", data.round.name);
    Ok(RobustnessPage {
        shell: Shell::new(visitor, title)
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .crumb(
                data.round.name.clone(),
                format!("/priorisierung/runden/{id}"),
            )
            .here("Robustheit"),
        round_id: id,
        round_name: data.round.name.clone(),
        model: model_slug(settings.model),
        accuracy: result.accuracy(),
        stale,
        page: query
            .seite
            .parse::<usize>()
            .unwrap_or(1)
            .clamp(1, rows.len().div_ceil(PAGE_SIZE).max(1)),
        settings,
        rows,
        hidden: data.hidden.len(),
        stability,
    })
}
