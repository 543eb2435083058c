//! The strategy pages: the whole tree at a glance, a page per design field or cross-cutting
//! theme, and a page per goal with the measures that pay into it.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::AppState;
use super::errors::AppError;
use super::extract::Id;
use super::layout::{Section, Shell};
use super::routes::Route;
use super::visitor::{CurrentUser, Visitor};
use crate::db;
use crate::db::measures::MeasureListItem;
use crate::db::strategy::GoalInContext;
use crate::domain::ids::{FieldId, GoalId};
use crate::domain::markdown::to_safe_html;
use crate::domain::permissions::Permission;
use crate::domain::strategy::{
    Field, FieldKind, Strategy, StrategyStatus, StrategyTree, paragraphs,
};
use crate::web::format::filters;

const DRAFTS: &str = "a draft iteration only for the strategy team";

/// A draft iteration is the strategy team's work in progress: to others it does not exist.
fn hidden(status: StrategyStatus, current: &CurrentUser) -> bool {
    status == StrategyStatus::Draft && !super::strategy_edit::is_strategy_team(current)
}

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/strategie", Permission::SignedIn, overview),
        Route::get("/strategie/felder/{id}", Permission::SignedIn, field).checking(DRAFTS),
        Route::get("/strategie/ziele/{id}", Permission::SignedIn, goal).checking(DRAFTS),
    ]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/overview.html")]
pub struct OverviewPage {
    pub shell: Shell,
    pub tree: Option<Arc<StrategyTree>>,
}

impl OverviewPage {
    pub fn design_fields(&self) -> Vec<&Field> {
        self.fields_of(FieldKind::DesignField)
    }

    pub fn themes(&self) -> Vec<&Field> {
        self.fields_of(FieldKind::CrossCuttingTheme)
    }

    fn fields_of(&self, kind: FieldKind) -> Vec<&Field> {
        self.tree
            .as_ref()
            .map(|tree| tree.fields_of(kind).collect())
            .unwrap_or_default()
    }
}

async fn overview(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<OverviewPage, AppError> {
    let tree = state.strategy.current_tree(&state.db).await?;
    Ok(OverviewPage {
        shell: Shell::new(visitor, "Strategie")
            .in_section(Section::Strategy)
            .here("Strategie"),
        tree,
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/field.html")]
pub struct FieldPage {
    pub shell: Shell,
    pub strategy: Strategy,
    pub field: Field,
    pub measure_counts: Vec<(GoalId, i64)>,
}

impl FieldPage {
    pub fn description_html(&self) -> String {
        to_safe_html(&self.field.description)
    }

    /// How many measures pay into the goal.
    pub fn measures_for(&self, goal: &GoalId) -> i64 {
        self.measure_counts
            .iter()
            .find(|(id, _)| id == goal)
            .map_or(0, |(_, count)| *count)
    }
}

async fn field(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<FieldId>,
) -> Result<FieldPage, AppError> {
    let (strategy, field) = db::strategy::field(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if hidden(strategy.status, &current) {
        return Err(AppError::NotFound);
    }
    let goal_ids: Vec<GoalId> = field.goals.iter().map(|goal| goal.id).collect();
    let measure_counts = db::measures::count_per_goal(&state.db, &goal_ids).await?;
    Ok(FieldPage {
        shell: Shell::new(visitor, format!("{}: {}", field.kind.label(), field.name))
            .in_section(Section::Strategy)
            .crumb("Strategie", "/strategie")
            .here(field.name.clone()),
        strategy,
        field,
        measure_counts,
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/goal.html")]
pub struct GoalPage {
    pub shell: Shell,
    pub context: GoalInContext,
    /// Shared with the cache (not copied per request).
    pub measures: std::sync::Arc<Vec<MeasureListItem>>,
}

impl GoalPage {
    pub fn note_paragraphs(&self) -> Vec<&str> {
        self.context
            .goal
            .note
            .as_deref()
            .map(|note| paragraphs(note).collect())
            .unwrap_or_default()
    }
}

async fn goal(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<GoalId>,
) -> Result<GoalPage, AppError> {
    let (context, measures) = tokio::try_join!(
        db::strategy::goal(&state.db, id),
        state.caches.goal_measures.get_or_load(
            visitor.generation(),
            id,
            db::measures::for_goal(&state.db, id)
        ),
    )?;
    let context = context.ok_or(AppError::NotFound)?;
    if hidden(context.status, &current) {
        return Err(AppError::NotFound);
    }
    let label = format!("Ziel {}", context.goal.position);
    Ok(GoalPage {
        shell: Shell::new(visitor, format!("{label} – {}", context.field_name))
            .in_section(Section::Strategy)
            .crumb("Strategie", "/strategie")
            .crumb(
                context.field_name.clone(),
                format!("/strategie/felder/{}", context.goal.field_id),
            )
            .here(label),
        context,
        measures,
    })
}
