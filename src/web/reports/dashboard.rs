//! The dashboard (`/berichte`), for everyone signed in: measures by status per design field, a
//! coverage heatmap goal × office (goals without any measure stand out), implementation
//! progress over the last twelve months, the top of the ranking decided last, quick wins, and
//! the gaps: goals without measures, measures without goals. Counted once per content
//! generation (`caches.dashboard`).

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::db;
use crate::db::dashboard::{GoalOfficeState, Listed, MonthStates, Ranked};
use crate::domain::ids::GoalId;
use crate::domain::implementation::{DISTRICT_OFFICES, State as RowState};
use crate::domain::office::Office;
use crate::domain::strategy::StrategyTree;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

use super::charts::{
    BAR_LEFT, BAR_LINE, BAR_WIDTH, COLUMN_STEP, MonthColumn, PLOT_HEIGHT, PLOT_LEFT, PLOT_TOP,
    Segment, StatusGroup, month_columns, scale, stacked,
};

/// How many months the progress chart shows.
const MONTHS: i32 = 12;
/// How many measures the top of the ranking and the lists show.
const TOP: i64 = 10;
const LISTED: i64 = 20;

/// Everything the dashboard counts (the same for every reader).
#[derive(Debug)]
pub struct DashboardData {
    pub fields: Vec<FieldBar>,
    pub max_field_total: i64,
    pub goals: Vec<GoalRow>,
    pub columns: Vec<MonthColumn>,
    pub progress_top: i64,
    pub top: Vec<Ranked>,
    pub quick_wins: Vec<Listed>,
    pub quick_win_total: i64,
    pub without_goals: Vec<Listed>,
    pub without_goals_total: i64,
}

/// A design field's or theme's bar in the status chart.
#[derive(Debug)]
pub struct FieldBar {
    pub name: String,
    pub kind: &'static str,
    /// Per status group, in [`StatusGroup::ALL`]'s order.
    pub counts: [i64; 6],
    pub total: i64,
    pub segments: Vec<Segment>,
    pub y: i64,
}

/// A goal's row of the coverage heatmap.
#[derive(Debug)]
pub struct GoalRow {
    pub id: GoalId,
    pub label: String,
    pub statement: String,
    pub measures: i64,
    /// Per district office: the most advanced state and how many measures have one there.
    pub cells: Vec<Option<(RowState, i64)>>,
    pub y: i64,
}

impl GoalRow {
    pub fn is_gap(&self) -> bool {
        self.measures == 0
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "reports/dashboard.html")]
pub struct DashboardPage {
    pub shell: Shell,
    pub data: Arc<DashboardData>,
}

impl DashboardPage {
    /// The charts' headings are the page's second level.
    pub fn chart_level(&self) -> u8 {
        2
    }
}

/// Rows of the heatmap and where it starts.
pub const HEAT_LEFT: i64 = 250;
pub const HEAT_TOP: i64 = 56;
pub const HEAT_CELL: i64 = 64;
pub const HEAT_LINE: i64 = 22;

impl DashboardData {
    pub fn offices(&self) -> [Office; 7] {
        DISTRICT_OFFICES
    }

    pub fn groups(&self) -> [StatusGroup; 6] {
        StatusGroup::ALL
    }

    pub fn states(&self) -> [RowState; 3] {
        [RowState::Planned, RowState::InProgress, RowState::Done]
    }

    pub fn status_height(&self) -> i64 {
        20 + BAR_LINE * self.fields.len() as i64 + 30
    }

    pub fn bar_end(&self) -> i64 {
        BAR_LEFT + BAR_WIDTH
    }

    pub fn bar_left(&self) -> i64 {
        BAR_LEFT
    }

    /// The x of a bar's end, where its total is written.
    pub fn total_x(&self, field: &FieldBar) -> i64 {
        BAR_LEFT + scale(field.total, self.max_field_total, BAR_WIDTH) + 6
    }

    pub fn heat_width(&self) -> i64 {
        HEAT_LEFT + HEAT_CELL * 7 + 4
    }

    pub fn heat_height(&self) -> i64 {
        HEAT_TOP + HEAT_LINE * self.goals.len() as i64 + 4
    }

    /// The left edge of an office's column (askama hands the loop index over by value or by
    /// reference, depending on the loop).
    pub fn heat_x(&self, index: impl std::borrow::Borrow<usize>) -> i64 {
        HEAT_LEFT + HEAT_CELL * *index.borrow() as i64
    }

    pub fn heat_left(&self) -> i64 {
        HEAT_LEFT
    }

    pub fn heat_cell(&self) -> i64 {
        HEAT_CELL
    }

    pub fn heat_line(&self) -> i64 {
        HEAT_LINE
    }

    pub fn gaps(&self) -> Vec<&GoalRow> {
        self.goals.iter().filter(|goal| goal.is_gap()).collect()
    }

    pub fn covered(&self) -> usize {
        self.goals.len() - self.gaps().len()
    }

    pub fn plot_bottom(&self) -> i64 {
        PLOT_TOP + PLOT_HEIGHT
    }

    pub fn plot_top(&self) -> i64 {
        PLOT_TOP
    }

    pub fn plot_left(&self) -> i64 {
        PLOT_LEFT
    }

    pub fn plot_right(&self) -> i64 {
        PLOT_LEFT + 16 + COLUMN_STEP * self.columns.len() as i64
    }

    pub fn column_width(&self) -> i64 {
        COLUMN_STEP - 16
    }

    /// The gridlines of the progress chart: value and y, bottom to top.
    pub fn gridlines(&self) -> Vec<(i64, i64)> {
        let top = self.progress_top;
        (0..=4)
            .map(|step| {
                let value = top * step / 4;
                (
                    value,
                    PLOT_TOP + PLOT_HEIGHT - scale(value, top, PLOT_HEIGHT),
                )
            })
            .collect()
    }

    /// The width of a score's bar (0–100 points on 120 px).
    pub fn score_width(&self, ranked: &Ranked) -> i64 {
        ranked
            .score20
            .map_or(0, |score| scale(i64::from(score), 2000, 120))
    }

    pub fn score_text(&self, ranked: &Ranked) -> String {
        ranked.score20.map_or_else(
            || "–".to_owned(),
            |score| crate::web::format::decimal(i64::from(score) * 5, 2),
        )
    }

    pub fn round_name(&self) -> Option<&str> {
        self.top.first().map(|ranked| ranked.round_name.as_str())
    }

    pub fn state_count(&self, month: &MonthStates, state: &RowState) -> i64 {
        match state {
            RowState::Planned => month.planned,
            RowState::InProgress => month.in_progress,
            RowState::Done => month.done,
            RowState::NotRelevant => 0,
        }
    }
}

/// The dashboard's counts, read once per content generation.
pub async fn load_cached(
    state: &AppState,
    generation: Option<i64>,
) -> Result<Arc<DashboardData>, AppError> {
    state
        .caches
        .dashboard
        .get_or_load(generation, (), load(state))
        .await
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<DashboardPage, AppError> {
    let data = load_cached(&state, visitor.generation()).await?;
    Ok(DashboardPage {
        shell: Shell::new(visitor, "Berichte und Kennzahlen").in_section(Section::Reports),
        data,
    })
}

async fn load(state: &AppState) -> Result<DashboardData, AppError> {
    let pool = &state.db;
    let (tree, per_field, coverage, per_goal, months, top, quick, without) = tokio::try_join!(
        async {
            state
                .strategy
                .current_tree(pool)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::status_per_field(pool)
                .await
                .map_err(AppError::from)
        },
        async { db::dashboard::coverage(pool).await.map_err(AppError::from) },
        async {
            db::dashboard::measures_per_goal(pool)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::progress_by_month(pool, MONTHS)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::top_of_ranking(pool, TOP)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::quick_wins(pool, LISTED)
                .await
                .map_err(AppError::from)
        },
        async {
            db::dashboard::without_goals(pool, LISTED)
                .await
                .map_err(AppError::from)
        },
    )?;
    let (fields, max_field_total) = field_bars(tree.as_deref(), &per_field);
    let goals = goal_rows(tree.as_deref(), &coverage, &per_goal);
    let (columns, progress_top) = month_columns(&months);
    Ok(DashboardData {
        fields,
        max_field_total,
        goals,
        columns,
        progress_top,
        top,
        quick_wins: quick.0,
        quick_win_total: quick.1,
        without_goals: without.0,
        without_goals_total: without.1,
    })
}

fn field_bars(
    tree: Option<&StrategyTree>,
    per_field: &[db::dashboard::FieldStatusCount],
) -> (Vec<FieldBar>, i64) {
    let mut bars: Vec<FieldBar> = tree
        .iter()
        .flat_map(|tree| &tree.fields)
        .map(|field| {
            let mut counts = [0; 6];
            for row in per_field.iter().filter(|row| row.field_id == field.id) {
                if let Some(group) = StatusGroup::of(row.status) {
                    let index = StatusGroup::ALL
                        .iter()
                        .position(|candidate| *candidate == group)
                        .unwrap_or_default();
                    counts[index] += row.count;
                }
            }
            FieldBar {
                name: field.name.clone(),
                kind: field.kind.label(),
                total: counts.iter().sum(),
                counts,
                segments: Vec::new(),
                y: 0,
            }
        })
        .collect();
    let max = bars.iter().map(|bar| bar.total).max().unwrap_or(0);
    for (index, bar) in bars.iter_mut().enumerate() {
        bar.segments = stacked(&bar.counts, max);
        bar.y = 20 + BAR_LINE * index as i64;
    }
    (bars, max)
}

fn goal_rows(
    tree: Option<&StrategyTree>,
    coverage: &[GoalOfficeState],
    per_goal: &[(GoalId, i64)],
) -> Vec<GoalRow> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    tree.fields
        .iter()
        .flat_map(|field| field.goals.iter().map(move |goal| (field, goal)))
        .enumerate()
        .map(|(index, (field, goal))| GoalRow {
            id: goal.id,
            label: format!("{} · Ziel {}", field.name, goal.position),
            statement: goal.statement.clone(),
            measures: per_goal
                .iter()
                .find(|(id, _)| *id == goal.id)
                .map_or(0, |(_, count)| *count),
            cells: DISTRICT_OFFICES
                .iter()
                .map(|office| {
                    coverage
                        .iter()
                        .find(|cell| cell.goal_id == goal.id && cell.office == *office)
                        .map(|cell| (cell.best, cell.measures))
                })
                .collect(),
            y: HEAT_TOP + HEAT_LINE * index as i64,
        })
        .collect()
}
