//! Implementation in the offices on a measure's page: each district officer keeps their office's
//! row, the lead office keeps the overall progress and milestones. The matrix over all measures
//! is `matrix`.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::show::{Typed, refused_page};
use crate::db;
use crate::db::implementation::Row;
use crate::domain::ids::MeasureId;
use crate::domain::implementation::{self, DISTRICT_OFFICES, ProgressEntry};
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::forms::FormErrors;
use crate::web::visitor::{CurrentUser, Visitor};

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

/// The page again with the error beside its field and what was typed kept.
async fn refuse(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    field: String,
    message: &str,
    typed: Typed,
) -> Result<Response, AppError> {
    let errors = FormErrors::one(field, message);
    let page = refused_page(state, visitor, current, id, errors, typed).await?;
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
    let row = match Row::parse(office, &form.state, &form.note, &form.as_of) {
        Ok(row) => row,
        Err((key, message)) => {
            let field = |key: &str| format!("umsetzung-{}-{key}", office.slug());
            let typed = Typed::default()
                .with(field("stand"), form.state)
                .with(field("notiz"), form.note)
                .with(field("datum"), form.as_of);
            return refuse(&state, visitor, &current, id, field(key), message, typed).await;
        }
    };
    db::implementation::keep_row(&state.db, id, &row, current.user.id, measure.version).await?;
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
    let entry = match ProgressEntry::parse(&form.percent, &form.milestone, &form.due_on) {
        Ok(entry) => entry,
        Err((field, message)) => {
            let typed = Typed::default()
                .with("fortschritt", form.percent)
                .with("meilenstein", form.milestone)
                .with("meilenstein-datum", form.due_on);
            let field = field.to_owned();
            return refuse(&state, visitor, &current, id, field, message, typed).await;
        }
    };
    db::implementation::keep_progress(&state.db, id, &entry, current.user.id).await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#umsetzung")).into_response())
}
