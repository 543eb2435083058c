//! The start page: the vision, its pillars, what the catalogue holds and where to go next.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::AppState;
use super::errors::AppError;
use super::layout::{Section, Shell};
use crate::db;
use crate::domain::strategy::{FieldKind, StrategyTree};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(start))
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

async fn start(State(state): State<AppState>) -> Result<StartPage, AppError> {
    let (tree, measure_count) = tokio::try_join!(
        state.strategy.current_tree(&state.db),
        db::measures::count(&state.db),
    )?;
    Ok(StartPage {
        shell: Shell::new("Start").in_section(Section::Start),
        tree,
        measure_count,
    })
}
