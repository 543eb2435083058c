//! The strategy report for the district heads (`/berichte/strategie`): the strategy's version
//! and date, vision and pillars, per design field and cross-cutting theme its goals and under
//! each goal its measures with status, implementation per office and rank, the ranking decided
//! last with its classes, and the dashboard's charts. An HTML page with print styles (the
//! print leaves out navigation and starts each part on a new page).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::db;
use crate::db::dashboard::Ranked;
use crate::db::reports::GoalMeasure;
use crate::domain::ids::GoalId;
use crate::domain::implementation::State as RowState;
use crate::domain::strategy::{FieldKind, StrategyTree};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

use super::dashboard::{self, DashboardData};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "reports/strategy.html")]
pub struct StrategyReport {
    pub shell: Shell,
    pub tree: Option<Arc<StrategyTree>>,
    pub data: Arc<DashboardData>,
    pub by_goal: HashMap<GoalId, Vec<GoalMeasure>>,
    pub ranking: Vec<Ranked>,
    /// The day of the report.
    pub today: String,
}

/// The most measures the report's ranking lists (a round holds a few hundred at most; a
/// load test's ten thousand would make a book).
const RANKED: i64 = 500;

impl StrategyReport {
    /// The charts are part of the report's last chapter.
    pub fn chart_level(&self) -> u8 {
        3
    }

    pub fn kinds(&self) -> [FieldKind; 2] {
        [FieldKind::CrossCuttingTheme, FieldKind::DesignField]
    }

    pub fn measures_of(&self, goal: &GoalId) -> &[GoalMeasure] {
        self.by_goal.get(goal).map_or(&[], Vec::as_slice)
    }

    /// Where a measure stands in the offices, most advanced first: "umgesetzt: Altona,
    /// Harburg; geplant: Wandsbek"; "–" when no office has a row.
    pub fn implementation(&self, measure: &GoalMeasure) -> String {
        let parts: Vec<String> = [RowState::Done, RowState::InProgress, RowState::Planned]
            .into_iter()
            .filter_map(|state| {
                let offices: Vec<&str> = measure
                    .offices
                    .iter()
                    .zip(&measure.states)
                    .filter(|(_, candidate)| **candidate == state)
                    .map(|(office, _)| office.short_label())
                    .collect();
                (!offices.is_empty()).then(|| format!("{}: {}", state.label(), offices.join(", ")))
            })
            .collect();
        if parts.is_empty() {
            "–".to_owned()
        } else {
            parts.join("; ")
        }
    }

    /// How many measures of the ranking are in `class`.
    pub fn class_count(&self, class: &str) -> usize {
        self.ranking
            .iter()
            .filter(|ranked| ranked.class.as_deref() == Some(class))
            .count()
    }

    pub fn score_text(&self, ranked: &Ranked) -> String {
        self.data.score_text(ranked)
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<StrategyReport, AppError> {
    let pool = &state.db;
    let (data, tree, measures, ranking) = tokio::try_join!(
        dashboard::load_cached(&state, visitor.generation()),
        async {
            state
                .strategy
                .current_tree(pool)
                .await
                .map_err(AppError::from)
        },
        async {
            db::reports::measures_by_goal(pool)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::top_of_ranking(pool, RANKED)
                .await
                .map_err(AppError::from)
        },
    )?;
    let mut by_goal: HashMap<GoalId, Vec<GoalMeasure>> = HashMap::new();
    for measure in measures {
        by_goal.entry(measure.goal_id).or_default().push(measure);
    }
    let today =
        crate::domain::time::day(crate::domain::time::hamburg(chrono::Utc::now()).date_naive());
    Ok(StrategyReport {
        shell: Shell::new(visitor, "Bericht zur Digitalstrategie")
            .in_section(Section::Reports)
            .crumb("Berichte", "/berichte")
            .here("Strategiebericht"),
        tree,
        data,
        by_goal,
        ranking,
        today,
    })
}
