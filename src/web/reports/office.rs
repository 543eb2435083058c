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

use axum::response::Response;
use chrono::NaiveDate;

use crate::export::pdf::{Document, TableColumn};

use super::pdf::{date_parts, download, heading, paragraph, render, table, today};

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

    /// The report as a PDF document of `day`.
    pub fn document(&self, day: NaiveDate) -> Document {
        let date = crate::domain::time::day(day);
        let measures = |count: i64| {
            if count == 1 {
                "1 Maßnahme".to_owned()
            } else {
                format!("{} Maßnahmen", crate::web::format::number(count))
            }
        };
        let counts: Vec<String> = self
            .states()
            .iter()
            .map(|state| format!("{} {}", self.in_state(state).len(), state.label()))
            .collect();
        let mut blocks = Vec::new();
        for state in self.states() {
            blocks.push(heading(2, state.heading()));
            let lines = self.in_state(&state);
            if lines.is_empty() {
                blocks.push(paragraph("Keine Maßnahme."));
                continue;
            }
            blocks.push(table(
                format!("{} im {}", state.heading(), self.office.label()),
                vec![
                    TableColumn::text("Maßnahme", 5),
                    TableColumn::text("Status", 2),
                    TableColumn::text("Federführung", 2),
                    TableColumn::text("Seit", 0),
                    TableColumn::text("Notiz", 4),
                ],
                lines
                    .iter()
                    .map(|line| {
                        vec![
                            format!("M-{} {}", line.number, line.title),
                            line.status.label().to_owned(),
                            line.lead_office.short_label().to_owned(),
                            line.as_of
                                .map_or_else(|| "–".to_owned(), crate::domain::time::day),
                            line.note.clone(),
                        ]
                    })
                    .collect(),
            ));
        }
        Document {
            title: format!("Bericht {}", self.office.label()),
            preline: format!("Bericht der Digitalstrategie · Stand {date}"),
            lead: vec![
                format!(
                    "Was das Bezirksamt geplant hat, umsetzt und umgesetzt hat, wie es die \
                     Einträge in PriMa festhalten. Federführend ist es bei {}.",
                    measures(self.led)
                ),
                counts.join(" · "),
            ],
            date: date_parts(day),
            title_page: false,
            blocks,
        }
    }
}

fn office_of(slug: &str) -> Result<Office, AppError> {
    Office::from_slug(slug)
        .filter(|office| DISTRICT_OFFICES.contains(office))
        .ok_or(AppError::NotFound)
}

async fn load(state: &AppState, visitor: Visitor, slug: &str) -> Result<OfficeReport, AppError> {
    let office = office_of(slug)?;
    let (lines, led) = tokio::try_join!(
        db::reports::office_lines(&state.db, office),
        db::reports::led_by(&state.db, office),
    )?;
    Ok(OfficeReport {
        shell: Shell::new(visitor, format!("Bericht {}", office.label()))
            .in_section(Section::Reports)
            .crumb("Berichte", "/berichte")
            .here(office.short_label()),
        office,
        lines,
        led,
        today: crate::domain::time::day(today()),
    })
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<OfficeReport, AppError> {
    load(&state, visitor, &slug).await
}

/// The report as a PDF (`/berichte/bezirksaemter/{office}/pdf`).
pub async fn pdf(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let report = load(&state, visitor, &slug).await?;
    let day = today();
    let bytes = render(report.document(day)).await?;
    Ok(download(
        bytes,
        &format!("bericht-{}", report.office.slug()),
        day,
    ))
}
