//! A measure's one-page profile (`/massnahmen/{id}/steckbrief`): its facts, texts, goals,
//! implementation per office and place in the ranking decided last, laid out to be printed on
//! one page. The same object rule as the measure's page: a draft only for its author.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::db;
use crate::db::measure_details::MeasurePage;
use crate::domain::ids::MeasureId;
use crate::domain::implementation::DISTRICT_OFFICES;
use crate::domain::lifecycle;
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

use axum::response::Response;
use chrono::NaiveDate;

use crate::export::pdf::{Block, Document, TableColumn};
use crate::web::format;
use crate::web::reports::pdf::{
    date_parts, download, heading, paragraph, plain_paragraphs, render, table, today,
};

use super::show::Shared;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/profile.html")]
pub struct ProfilePage {
    pub shell: Shell,
    pub shared: Arc<Shared>,
    pub today: String,
}

impl ProfilePage {
    pub fn page(&self) -> &MeasurePage {
        self.shared.page()
    }

    pub fn description_html(&self) -> &str {
        self.shared.description_html()
    }

    pub fn benefit_html(&self) -> &str {
        self.shared.benefit_html()
    }

    pub fn offices(&self) -> [Office; 7] {
        DISTRICT_OFFICES
    }

    /// An office's state and since when ("umgesetzt seit 04.05.2026"), "offen" without a row.
    pub fn state_in(&self, office: &Office) -> String {
        self.page()
            .implementation_rows
            .iter()
            .find(|row| row.office == *office)
            .map_or_else(
                || "offen".to_owned(),
                |row| match row.as_of {
                    Some(day) => format!(
                        "{} seit {}",
                        row.state.label(),
                        crate::domain::time::day(day)
                    ),
                    None => row.state.label().to_owned(),
                },
            )
    }

    pub fn participating(&self) -> String {
        let offices: Vec<&str> = self
            .page()
            .detail
            .participating_offices
            .iter()
            .map(|office| office.short_label())
            .collect();
        if offices.is_empty() {
            "–".to_owned()
        } else {
            offices.join(", ")
        }
    }

    pub fn period(&self) -> String {
        let row = &self.page().detail.row;
        match (row.planned_start, row.planned_end) {
            (Some(start), Some(end)) => format!(
                "{} bis {}",
                crate::domain::time::day(start),
                crate::domain::time::day(end)
            ),
            (Some(start), None) => format!("ab {}", crate::domain::time::day(start)),
            (None, Some(end)) => format!("bis {}", crate::domain::time::day(end)),
            (None, None) => "–".to_owned(),
        }
    }

    pub fn score_text(&self, score20: &i16) -> String {
        crate::web::format::decimal(i64::from(*score20) * 5, 2)
    }
}

impl ProfilePage {
    /// The profile as a PDF document of `day`.
    pub fn document(&self, day: NaiveDate) -> Document {
        let detail = &self.page().detail;
        let row = &detail.row;
        let dash = |text: &str| {
            if text.is_empty() {
                "–".to_owned()
            } else {
                text.to_owned()
            }
        };
        let mut status = row.status.label().to_owned();
        if row.quick_win {
            status.push_str(" · schneller Erfolg");
        }
        let mut facts = vec![
            ("Status".to_owned(), status),
            (
                "Federführung".to_owned(),
                row.lead_office.label().to_owned(),
            ),
            ("Beteiligt".to_owned(), self.participating()),
            (
                "Verantwortliche Stelle".to_owned(),
                dash(&row.responsible_unit),
            ),
            ("Zeitraum".to_owned(), self.period()),
            (
                "Aufwand".to_owned(),
                row.effort_person_days.map_or_else(
                    || "–".to_owned(),
                    |days| format!("{} Personentage", format::number(i64::from(days))),
                ),
            ),
            (
                "Kosten".to_owned(),
                row.cost_euros.map_or_else(
                    || "–".to_owned(),
                    |euros| format!("{} €", format::number(euros)),
                ),
            ),
            (
                "Fortschritt".to_owned(),
                format!("{} %", row.progress_percent),
            ),
            (
                "Unterstützungen".to_owned(),
                format::number(i64::from(row.support_count)),
            ),
        ];
        if let Some(ozg) = &row.ozg_id {
            facts.push(("OZG-Leistung".to_owned(), ozg.clone()));
        }
        let mut blocks = vec![Block::Facts { items: facts }, heading(2, "Beschreibung")];
        blocks.extend(
            plain_paragraphs(&row.description)
                .into_iter()
                .map(paragraph),
        );
        if !row.expected_benefit.is_empty() {
            blocks.push(heading(2, "Erwarteter Nutzen"));
            blocks.extend(
                plain_paragraphs(&row.expected_benefit)
                    .into_iter()
                    .map(paragraph),
            );
        }
        blocks.push(heading(2, "Ziele der Digitalstrategie"));
        if detail.goals.is_empty() {
            blocks.push(paragraph("Mit keinem Ziel verknüpft."));
        } else {
            blocks.push(Block::List {
                items: detail
                    .goals
                    .iter()
                    .map(|goal| format!("{}: {}", goal.field_name, goal.statement))
                    .collect(),
            });
        }
        blocks.push(heading(2, "Umsetzung in den Bezirksämtern"));
        blocks.push(table(
            "Stand je Bezirksamt",
            vec![
                TableColumn::text("Bezirksamt", 1),
                TableColumn::text("Stand", 2),
            ],
            self.offices()
                .iter()
                .map(|office| vec![office.short_label().to_owned(), self.state_in(office)])
                .collect(),
        ));
        blocks.push(heading(2, "Priorisierung"));
        blocks.push(paragraph(match &self.page().decided {
            Some(decided) => {
                let mut text = format!("Runde „{}“", decided.round_name);
                if let Some(day) = decided.decided_on {
                    text.push_str(&format!(
                        ", beschlossen am {}",
                        crate::domain::time::day(day)
                    ));
                }
                match decided.rank {
                    Some(rank) => text.push_str(&format!(
                        ": Rang {rank} von {}",
                        format::number(decided.measures)
                    )),
                    None => text.push_str(": ohne Rang"),
                }
                if let Some(score) = &decided.score20 {
                    text.push_str(&format!(", {} Punkte", self.score_text(score)));
                }
                if let Some(class) = &decided.class {
                    text.push_str(&format!(", Klasse {class}"));
                }
                text.push('.');
                text
            }
            None => "Noch in keiner beschlossenen Runde.".to_owned(),
        }));
        Document {
            title: format!("Steckbrief M-{} {}", row.number, row.title),
            preline: format!("Steckbrief · Stand {}", crate::domain::time::day(day)),
            lead: vec![row.summary.clone()],
            date: date_parts(day),
            title_page: false,
            blocks,
        }
    }
}

async fn load(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
) -> Result<ProfilePage, AppError> {
    let load = async {
        db::measure_details::page(&state.db, id)
            .await?
            .map(Shared::from)
            .ok_or(AppError::NotFound)
    };
    let shared = state
        .caches
        .measures
        .get_or_load(Some(current.generation), id, load)
        .await?;
    let row = &shared.page().detail.row;
    // A draft is its author's alone: to anyone else it does not exist.
    if !lifecycle::may_view(row.status, row.author_id == Some(current.user.id)) {
        return Err(AppError::NotFound);
    }
    let title = format!("Steckbrief M-{} {}", row.number, row.title);
    let href = format!("/massnahmen/{id}");
    let number = format!("M-{}", row.number);
    let today = crate::domain::time::day(today());
    Ok(ProfilePage {
        shell: Shell::new(visitor, title)
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .crumb(number, href)
            .here("Steckbrief"),
        shared,
        today,
    })
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<ProfilePage, AppError> {
    load(&state, visitor, &current, id).await
}

/// The profile as a PDF (`/massnahmen/{id}/steckbrief/pdf`), under the same rule.
pub async fn pdf(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<Response, AppError> {
    let profile = load(&state, visitor, &current, id).await?;
    let day = today();
    let number = profile.page().detail.row.number;
    let bytes = render(profile.document(day)).await?;
    Ok(download(bytes, &format!("steckbrief-m-{number}"), day))
}
