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

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
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
    let today =
        crate::domain::time::day(crate::domain::time::hamburg(chrono::Utc::now()).date_naive());
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
