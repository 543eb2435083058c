//! The report of a district office (`/berichte/bezirksaemter/{office}`): what it has planned,
//! is implementing and has implemented, with the day and note of each entry, and how many
//! measures it leads. An HTML page with print styles.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use crate::db;
use crate::db::reports::OfficeLine;
use crate::domain::implementation::{DISTRICT_OFFICES, State as RowState};
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "reports/office.html")]
pub struct OfficeReport {
    pub shell: Shell,
    pub office: Office,
    pub lines: Vec<OfficeLine>,
    pub led: i64,
    pub today: String,
}

impl OfficeReport {
    pub fn states(&self) -> [RowState; 3] {
        [RowState::Done, RowState::InProgress, RowState::Planned]
    }

    pub fn in_state(&self, state: &RowState) -> Vec<&OfficeLine> {
        self.lines
            .iter()
            .filter(|line| line.state == *state)
            .collect()
    }

    /// The other district offices, for the links between the reports.
    pub fn others(&self) -> Vec<Office> {
        DISTRICT_OFFICES
            .into_iter()
            .filter(|office| *office != self.office)
            .collect()
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<OfficeReport, AppError> {
    let office = Office::from_slug(&slug)
        .filter(|office| DISTRICT_OFFICES.contains(office))
        .ok_or(AppError::NotFound)?;
    let (lines, led) = tokio::try_join!(
        db::reports::office_lines(&state.db, office),
        db::reports::led_by(&state.db, office),
    )?;
    let today =
        crate::domain::time::day(crate::domain::time::hamburg(chrono::Utc::now()).date_naive());
    Ok(OfficeReport {
        shell: Shell::new(visitor, format!("Bericht {}", office.label()))
            .in_section(Section::Reports)
            .crumb("Berichte", "/berichte")
            .here(office.short_label()),
        office,
        lines,
        led,
        today,
    })
}
