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

pub use files::Format;

pub fn routes() -> Vec<Route> {
    use Permission::SignedIn as P;
    vec![
        Route::get("/massnahmen/export", P, measures_page),
        Route::get("/massnahmen/export/datei", P, measures_file),
        Route::get("/massnahmen/umsetzung/export", P, implementation_page),
        Route::get("/massnahmen/umsetzung/export/datei", P, implementation_file),
        // A blind round's measures are left out per reader, as on its pages.
        Route::get("/priorisierung/export", P, ranking_page),
        Route::get("/priorisierung/export/datei", P, ranking_file),
        Route::get("/priorisierung/runden/{id}/export", P, round_page),
        Route::get("/priorisierung/runden/{id}/export/datei", P, round_file),
    ]
}

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
}

/// The export page and the file of a view without path parameters.
macro_rules! view_handlers {
    ($page:ident, $file:ident, $view:expr) => {
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
    };
}

view_handlers!(measures_page, measures_file, View::Measures);
view_handlers!(
    implementation_page,
    implementation_file,
    View::Implementation
);
view_handlers!(ranking_page, ranking_file, View::Ranking);

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
