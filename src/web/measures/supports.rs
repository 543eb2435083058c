//! Supporting a measure (Unterstützung): one per person, withdrawable, never for one's own
//! proposal nor for a draft; and following a measure to be notified about it.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db;
use crate::domain::ids::MeasureId;
use crate::domain::lifecycle::Status;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::visitor::CurrentUser;

/// Who may support a measure: anyone who sees it but its author; not while it is a draft.
pub fn may_support(status: Status, author_is_actor: bool) -> bool {
    status != Status::Draft && !author_is_actor
}

async fn change(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
    add: bool,
) -> Result<Response, AppError> {
    let row = super::access::visible(state, current, id).await?;
    let author = row.author_id == Some(current.user.id);
    if !may_support(row.status, author) {
        return Err(AppError::Forbidden);
    }
    let mut transaction = state.db.begin().await?;
    if add {
        db::supports::add(&mut transaction, id, current.user.id).await?;
    } else {
        db::supports::withdraw(&mut transaction, id, current.user.id).await?;
    }
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#unterstuetzung")).into_response())
}

pub async fn support(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<Response, AppError> {
    change(&state, &current, id, true).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<Response, AppError> {
    change(&state, &current, id, false).await
}

async fn change_follow(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
    follow: bool,
) -> Result<Response, AppError> {
    super::access::visible(state, current, id).await?;
    let mut transaction = state.db.begin().await?;
    if follow {
        db::notifications::follow(&mut transaction, id, current.user.id).await?;
    } else {
        db::notifications::unfollow(&mut transaction, id, current.user.id).await?;
    }
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#unterstuetzung")).into_response())
}

pub async fn follow(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<Response, AppError> {
    change_follow(&state, &current, id, true).await
}

pub async fn unfollow(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<Response, AppError> {
    change_follow(&state, &current, id, false).await
}
