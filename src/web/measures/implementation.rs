//! Implementation in the offices: each district officer keeps their office's row, the lead
//! office keeps the overall progress and milestones; a matrix shows measures × offices.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::db;
use crate::db::implementation::{MatrixLine, Milestone, OfficeTotal, Row};
use crate::db::measure_details::{Change, NewEvent};
use crate::domain::ids::MeasureId;
use crate::domain::implementation::{self, DISTRICT_OFFICES, State as RowState};
use crate::domain::lifecycle::Status;
use crate::domain::measure::{DATE_HINT, parse_date};
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::session::{CurrentUser, Visitor};

use super::catalogue::{CatalogueQuery, FilterChoices, FilterPanel, PAGE_SIZE, Pagination};
use crate::web::format::filters;

/// An office's line on a measure's page, with whether the reader may change it.
#[derive(Debug, Clone)]
pub struct OfficeLine {
    pub office: Office,
    pub row: Option<Row>,
    pub editable: bool,
}

/// What a measure's page shows of its implementation.
#[derive(Debug, Clone)]
pub struct Implementation {
    pub lines: Vec<OfficeLine>,
    pub milestones: Vec<Milestone>,
    pub can_keep_progress: bool,
    pub states: [RowState; 4],
}

pub fn for_page(
    current: &CurrentUser,
    measure: &db::measure_details::MeasureRow,
    rows: &[Row],
    milestones: &[Milestone],
) -> Option<Implementation> {
    if !implementation::has_rows(measure.status) {
        return None;
    }
    let actor = current.user.actor();
    let lines = DISTRICT_OFFICES
        .iter()
        .map(|office| OfficeLine {
            office: *office,
            row: rows.iter().find(|row| row.office == *office).cloned(),
            editable: implementation::may_keep_row(&actor, *office),
        })
        .collect();
    Some(Implementation {
        lines,
        milestones: milestones.to_vec(),
        can_keep_progress: implementation::may_keep_progress(&actor, measure.lead_office),
        states: RowState::ALL,
    })
}

fn describe(row: Option<&Row>) -> String {
    row.map(|row| {
        let date = row
            .as_of
            .map(|date| format!(" ({})", crate::domain::time::day(date)))
            .unwrap_or_default();
        let note = if row.note.is_empty() {
            String::new()
        } else {
            format!(": {}", row.note)
        };
        format!("{}{date}{note}", row.state.label())
    })
    .unwrap_or_else(|| "noch offen".to_owned())
}

/// Writes an implementation change into the measure's history.
async fn record(
    connection: &mut sqlx::PgConnection,
    id: MeasureId,
    current: &CurrentUser,
    version: i32,
    changes: &[Change],
) -> sqlx::Result<()> {
    db::measure_details::record(
        connection,
        &NewEvent {
            measure: id,
            actor: current.user.id,
            version,
            kind: "implementation",
            from_status: None,
            to_status: None,
            reason: None,
            changes,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RowForm {
    #[serde(default)]
    office: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    as_of: String,
}

async fn implementable(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
) -> Result<db::measure_details::MeasureRow, AppError> {
    let row = super::access::visible(state, current, id).await?;
    if !implementation::has_rows(row.status) {
        return Err(AppError::Forbidden);
    }
    Ok(row)
}

async fn refuse(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    field: String,
    message: &str,
) -> Result<Response, AppError> {
    let page = super::show::page_with(
        state,
        visitor,
        current,
        id,
        FormErrors::one(field, message),
        String::new(),
        String::new(),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn set_row(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<RowForm>,
) -> Result<Response, AppError> {
    let measure = implementable(&state, &current, id).await?;
    let office = Office::from_slug(&form.office)
        .filter(|office| DISTRICT_OFFICES.contains(office))
        .ok_or(AppError::NotFound)?;
    if !implementation::may_keep_row(&current.user.actor(), office) {
        return Err(AppError::Forbidden);
    }
    let field = format!("umsetzung-{}", office.slug());
    let Some(row_state) = RowState::from_slug(&form.state) else {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            field,
            "Bitte wählen Sie einen Stand.",
        )
        .await;
    };
    let note = form.note.trim().to_owned();
    if note.chars().count() > 1000 {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            field,
            "Die Notiz darf höchstens 1000 Zeichen lang sein.",
        )
        .await;
    }
    let Ok(as_of) = parse_date(&form.as_of) else {
        return refuse(&state, visitor, &current, id, field, DATE_HINT).await;
    };
    let row = Row {
        office,
        state: row_state,
        note,
        as_of,
    };
    let mut transaction = state.db.begin().await?;
    let before = db::implementation::set_row(&mut transaction, id, &row, current.user.id).await?;
    let change = Change {
        field: format!("Umsetzung {}", office.label()),
        before: describe(before.as_ref()),
        after: describe(Some(&row)),
    };
    record(&mut transaction, id, &current, measure.version, &[change]).await?;
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#umsetzung")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    percent: String,
    #[serde(default)]
    milestone: String,
    #[serde(default)]
    due_on: String,
}

pub async fn set_progress(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<ProgressForm>,
) -> Result<Response, AppError> {
    let measure = implementable(&state, &current, id).await?;
    if !implementation::may_keep_progress(&current.user.actor(), measure.lead_office) {
        return Err(AppError::Forbidden);
    }
    let percent = match form
        .percent
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i16>()
    {
        Ok(percent) if (0..=100).contains(&percent) => percent,
        _ => {
            return refuse(
                &state,
                visitor,
                &current,
                id,
                "fortschritt".to_owned(),
                "Bitte geben Sie den Fortschritt als Zahl von 0 bis 100 an.",
            )
            .await;
        }
    };
    let Ok(due_on) = parse_date(&form.due_on) else {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            "fortschritt".to_owned(),
            DATE_HINT,
        )
        .await;
    };
    let milestone = form.milestone.trim();
    if milestone.chars().count() > 200 {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            "fortschritt".to_owned(),
            "Ein Meilenstein darf höchstens 200 Zeichen lang sein.",
        )
        .await;
    }
    let mut transaction = state.db.begin().await?;
    let db::implementation::ProgressChange { before, version } =
        db::implementation::set_progress(&mut transaction, id, percent).await?;
    let mut changes = Vec::new();
    if before != percent {
        changes.push(Change {
            field: "Fortschritt".to_owned(),
            before: format!("{before} %"),
            after: format!("{percent} %"),
        });
    }
    if !milestone.is_empty() {
        db::implementation::add_milestone(&mut transaction, id, milestone, due_on).await?;
        let due = due_on
            .map(|date| format!(" bis {}", crate::domain::time::day(date)))
            .unwrap_or_default();
        changes.push(Change {
            field: "Meilenstein".to_owned(),
            before: String::new(),
            after: format!("{milestone}{due}"),
        });
    }
    record(&mut transaction, id, &current, version, &changes).await?;
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#umsetzung")).into_response())
}

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
