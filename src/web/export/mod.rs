//! Exports of the catalogue, the implementation matrix, the ranking and a round: per view a
//! page that lets the reader choose the columns and the format (a GET form, so the choice is
//! part of the address) and the file itself. CSV and JSON are streamed a thousand rows at a
//! time; XLSX is written in constant memory, ODS in memory. The catalogue's workbook also has
//! the goals, the implementation and the ranking of the same view. What a reader may not see
//! on the pages is not in the files either: no drafts, no internal notes, no individual
//! assessments, and a blind round's measures only once the reader has assessed them.

mod files;
mod page;
mod plan;
pub mod tables;

use axum::extract::{Query, RawQuery, State};
use axum::response::Response;

use crate::domain::ids::RoundId;
use crate::domain::permissions::Permission;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::measures::catalogue::CatalogueQuery;
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

pub use files::{Format, WORKBOOK_ROWS_IN_REQUEST};

pub fn routes() -> Vec<Route> {
    use Permission::SignedIn as P;
    vec![
        Route::get("/massnahmen/export", P, measures_page),
        Route::get("/massnahmen/export/datei", P, measures_file),
        Route::post("/massnahmen/export/datei", P, measures_job),
        Route::get("/massnahmen/umsetzung/export", P, implementation_page),
        Route::get("/massnahmen/umsetzung/export/datei", P, implementation_file),
        Route::post("/massnahmen/umsetzung/export/datei", P, implementation_job),
        // A blind round's measures are left out per reader, as on its pages.
        Route::get("/priorisierung/export", P, ranking_page),
        Route::get("/priorisierung/export/datei", P, ranking_file),
        Route::post("/priorisierung/export/datei", P, ranking_job),
        Route::get("/priorisierung/runden/{id}/export", P, round_page),
        Route::get("/priorisierung/runden/{id}/export/datei", P, round_file),
        Route::post("/priorisierung/runden/{id}/export/datei", P, round_job),
    ]
}

pub use files::run_job;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A catalogue view (with goals, implementation and ranking in workbooks).
    Measures,
    Implementation,
    /// The newest round's ranking.
    Ranking,
    Round(RoundId),
}

impl View {
    /// The address of the export page.
    pub fn page_path(self) -> String {
        match self {
            Self::Measures => "/massnahmen/export".to_owned(),
            Self::Implementation => "/massnahmen/umsetzung/export".to_owned(),
            Self::Ranking => "/priorisierung/export".to_owned(),
            Self::Round(id) => format!("/priorisierung/runden/{id}/export"),
        }
    }

    pub fn file_path(self) -> String {
        format!("{}/datei", self.page_path())
    }

    /// The view as a job's parameters name it.
    fn to_param(self) -> serde_json::Value {
        match self {
            Self::Measures => serde_json::json!("massnahmen"),
            Self::Implementation => serde_json::json!("umsetzung"),
            Self::Ranking => serde_json::json!("rangfolge"),
            Self::Round(id) => serde_json::json!({ "runde": id }),
        }
    }

    fn from_param(value: &serde_json::Value) -> Option<Self> {
        match value.as_str() {
            Some("massnahmen") => Some(Self::Measures),
            Some("umsetzung") => Some(Self::Implementation),
            Some("rangfolge") => Some(Self::Ranking),
            Some(_) => None,
            None => serde_json::from_value(value["runde"].clone())
                .ok()
                .map(Self::Round),
        }
    }
}

/// The export page, the file and the file as a job of a view without path parameters.
macro_rules! view_handlers {
    ($page:ident, $file:ident, $job:ident, $view:expr) => {
        async fn $page(
            State(state): State<AppState>,
            visitor: Visitor,
            current: CurrentUser,
            Query(query): Query<CatalogueQuery>,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, AppError> {
            page::show(&state, visitor, &current, $view, query, raw).await
        }

        async fn $file(
            State(state): State<AppState>,
            visitor: Visitor,
            current: CurrentUser,
            Query(query): Query<CatalogueQuery>,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, AppError> {
            files::download(&state, visitor, &current, $view, query, raw).await
        }

        async fn $job(
            State(state): State<AppState>,
            visitor: Visitor,
            current: CurrentUser,
            Query(query): Query<CatalogueQuery>,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, AppError> {
            files::start_job(&state, visitor, &current, $view, query, raw).await
        }
    };
}

view_handlers!(measures_page, measures_file, measures_job, View::Measures);
view_handlers!(
    implementation_page,
    implementation_file,
    implementation_job,
    View::Implementation
);
view_handlers!(ranking_page, ranking_file, ranking_job, View::Ranking);

async fn round_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(query): Query<CatalogueQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    page::show(&state, visitor, &current, View::Round(id), query, raw).await
}

async fn round_file(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(query): Query<CatalogueQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    files::download(&state, visitor, &current, View::Round(id), query, raw).await
}

async fn round_job(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(query): Query<CatalogueQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    files::start_job(&state, visitor, &current, View::Round(id), query, raw).await
}
