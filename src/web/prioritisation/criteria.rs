//! The criteria catalogue as everyone reads it: the version in force with its weights and
//! anchor texts, and every older version, each as it was written.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::db;
use crate::db::criteria::{Catalogue, VersionSummary};
use crate::domain::prioritisation::criteria::ANCHOR_POINTS;
use crate::domain::roles::Role;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/criteria.html")]
pub struct CriteriaPage {
    pub shell: Shell,
    pub catalogue: Catalogue,
    /// The newest version, when the page shows an older one.
    pub newest: Option<i32>,
    pub versions: Vec<VersionSummary>,
    pub points: [u8; 6],
    /// Whether the reader may write a new version.
    pub may_edit: bool,
    /// The version just saved by the reader, for the confirmation.
    pub saved: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub struct CurrentQuery {
    gespeichert: Option<String>,
}

impl CriteriaPage {
    pub fn total_weight(&self) -> u32 {
        self.catalogue
            .criteria
            .iter()
            .map(|criterion| u32::from(criterion.weight))
            .sum()
    }
}

pub async fn current(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<CurrentQuery>,
) -> Result<CriteriaPage, AppError> {
    let catalogue = db::criteria::current(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = page(&state, visitor, catalogue, None).await?;
    page.saved = query
        .gespeichert
        .and_then(|version| version.parse().ok())
        .filter(|version| *version == page.catalogue.version);
    Ok(page)
}

pub async fn version(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(number): Path<String>,
) -> Result<CriteriaPage, AppError> {
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    let (catalogue, newest) = tokio::try_join!(
        db::criteria::version(&state.db, Some(number)),
        db::criteria::current(&state.db)
    )?;
    let (catalogue, newest) = (
        catalogue.ok_or(AppError::NotFound)?,
        newest.ok_or(AppError::NotFound)?,
    );
    let newest = (newest.version != catalogue.version).then_some(newest.version);
    page(&state, visitor, catalogue, newest).await
}

async fn page(
    state: &AppState,
    visitor: Visitor,
    catalogue: Catalogue,
    newest: Option<i32>,
) -> Result<CriteriaPage, AppError> {
    let versions = db::criteria::versions(&state.db).await?;
    let may_edit = visitor
        .user
        .as_ref()
        .is_some_and(|user| user.user.roles.contains(&Role::CentralOfficer));
    let shell = Shell::new(visitor, "Kriterienkatalog")
        .in_section(Section::Prioritisation)
        .crumb("Priorisierung", "/priorisierung/runden");
    let shell = match newest {
        None => shell.here("Kriterienkatalog"),
        Some(_) => shell
            .crumb("Kriterienkatalog", "/priorisierung/kriterien")
            .here(format!("Version {}", catalogue.version)),
    };
    Ok(CriteriaPage {
        shell,
        catalogue,
        newest,
        versions,
        points: ANCHOR_POINTS,
        may_edit,
        saved: None,
    })
}
