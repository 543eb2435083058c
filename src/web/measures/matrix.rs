//! The implementation matrix (`/massnahmen/umsetzung`): accepted measures × district offices,
//! with the catalogue's filters and a row of totals per office.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use crate::db;
use crate::db::implementation::{MatrixLine, OfficeTotal};
use crate::domain::implementation::{DISTRICT_OFFICES, State as RowState};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

use super::catalogue::{CatalogueQuery, FilterChoices, FilterPanel, PAGE_SIZE, Pagination};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/matrix.html")]
pub struct MatrixPage {
    pub shell: Shell,
    pub query: CatalogueQuery,
    pub lines: Vec<MatrixLine>,
    pub total: i64,
    pub pagination: Pagination,
    pub choices: FilterChoices,
    pub panel: FilterPanel,
    pub offices: [Office; 7],
    /// Rows per office and state over all pages.
    pub totals: Vec<OfficeTotal>,
}

impl MatrixPage {
    /// How many measures of all pages `office` has in `state`.
    pub fn total_of(&self, office: &Office, state: &RowState) -> i64 {
        self.totals
            .iter()
            .find(|total| total.office == *office && total.state == *state)
            .map_or(0, |total| total.count)
    }

    /// Every state, for the legend.
    pub fn legend_states(&self) -> [RowState; 4] {
        RowState::ALL
    }

    /// The states the footer counts, most advanced first.
    pub fn counted_states(&self) -> [RowState; 3] {
        [RowState::Done, RowState::InProgress, RowState::Planned]
    }

    pub fn state_of(&self, line: &MatrixLine, office: &Office) -> Option<RowState> {
        line.offices
            .iter()
            .position(|candidate| candidate == office)
            .and_then(|index| line.states.get(index).copied())
    }
}

pub async fn matrix(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<CatalogueQuery>,
) -> Result<MatrixPage, AppError> {
    let filter = query.filter();
    let (found, totals, tree) = tokio::try_join!(
        db::implementation::matrix(&state.db, &filter, PAGE_SIZE, query.offset()),
        db::implementation::matrix_totals(&state.db, &filter),
        state.strategy.current_tree(&state.db),
    )?;
    let (lines, total) = found;
    Ok(MatrixPage {
        shell: Shell::new(visitor, "Umsetzung in den Bezirksämtern")
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .here("Umsetzung"),
        pagination: Pagination::new(&query, "/massnahmen/umsetzung", total),
        panel: FilterPanel::new(
            &query,
            "/massnahmen/umsetzung",
            "umsetzung",
            tree.as_deref(),
        ),
        choices: FilterChoices::new(
            tree,
            vec![Status::Accepted, Status::InProgress, Status::Implemented],
        ),
        query,
        lines,
        total,
        offices: DISTRICT_OFFICES,
        totals,
    })
}
