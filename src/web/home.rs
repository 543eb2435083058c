//! The start page: the vision, its pillars, what the catalogue holds and where to go next.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::AppState;
use super::errors::AppError;
use super::layout::{Section, Shell};
use super::routes::Route;
use super::visitor::Visitor;
use crate::db;
use crate::domain::permissions::Permission;
use crate::domain::strategy::{FieldKind, StrategyTree};
use crate::web::format::filters;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/", Permission::SignedIn, start)]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "home/start.html")]
pub struct StartPage {
    pub shell: Shell,
    pub tree: Option<Arc<StrategyTree>>,
    pub measure_count: i64,
}

impl StartPage {
    pub fn design_field_count(&self) -> usize {
        self.tree
            .as_ref()
            .map_or(0, |tree| tree.count_of(FieldKind::DesignField))
    }

    pub fn theme_count(&self) -> usize {
        self.tree
            .as_ref()
            .map_or(0, |tree| tree.count_of(FieldKind::CrossCuttingTheme))
    }

    pub fn goal_count(&self) -> usize {
        self.tree.as_ref().map_or(0, |tree| tree.goal_count())
    }
}

async fn start(State(state): State<AppState>, visitor: Visitor) -> Result<StartPage, AppError> {
    let load = db::measures::count(&state.db);
    let count = state
        .caches
        .measure_count
        .get_or_load(visitor.generation(), (), load);
    let (tree, measure_count) = tokio::try_join!(state.strategy.current_tree(&state.db), count)?;
    let measure_count = *measure_count;
    Ok(StartPage {
        shell: Shell::new(visitor, "Start").in_section(Section::Start),
        tree,
        measure_count,
    })
}
