//! Comments on a measure: everyone who sees the measure may comment; officers may add internal
//! notes only officers see; authors correct within 15 minutes; a deleted comment leaves a marker.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::show::{Typed, refused_page};
use crate::db;
use crate::db::comments::Comment;
use crate::domain::comments;
use crate::domain::ids::MeasureId;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::{Id, TwoIds};
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    intern: String,
}

pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let measure = super::access::visible(&state, &current, id).await?;
    let internal = form.intern == "ja";
    if internal && !comments::is_officer(&current.user.actor()) {
        return Err(AppError::Forbidden);
    }
    let body = match comments::parse_body(&form.body) {
        Ok(body) => body,
        Err(message) => {
            let errors = FormErrors::one("kommentar", message);
            let typed = Typed::default().with("kommentar", form.body);
            let page = refused_page(&state, visitor, &current, id, errors, typed).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut transaction = state.db.begin().await?;
    db::comments::create(&mut *transaction, id, current.user.id, &body, internal).await?;
    // Internal notes are for officers: they notify nobody who might not see them.
    if !internal {
        let message = format!(
            "M-{} „{}“: neuer Kommentar von {}",
            measure.number, measure.title, current.user.display_name
        );
        db::notifications::notify_interested(
            &mut transaction,
            id,
            current.user.id,
            "comment",
            &message,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/massnahmen/{id}#kommentare")).into_response())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/comment_edit.html")]
pub struct EditPage {
    pub shell: Shell,
    pub measure: MeasureId,
    pub number: i64,
    pub comment: Comment,
    pub body: String,
    pub errors: FormErrors,
}

async fn editable(
    state: &AppState,
    current: &CurrentUser,
    measure: MeasureId,
    id: uuid::Uuid,
) -> Result<(i64, Comment), AppError> {
    let row = super::access::visible(state, current, measure).await?;
    let comment = db::comments::find(&state.db, measure, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !comments::may_see(comment.internal, &current.user.actor()) {
        return Err(AppError::NotFound);
    }
    let own = comment.author_id == Some(current.user.id);
    if !comments::may_edit(
        own,
        comment.created_at,
        comment.deleted_at.is_some(),
        chrono::Utc::now(),
    ) {
        return Err(AppError::Forbidden);
    }
    Ok((row.number, comment))
}

fn edit_page(
    visitor: Visitor,
    measure: MeasureId,
    number: i64,
    comment: Comment,
    body: String,
    errors: FormErrors,
) -> EditPage {
    EditPage {
        shell: Shell::new(visitor, "Kommentar korrigieren")
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .crumb(format!("M-{number}"), format!("/massnahmen/{measure}"))
            .here("Kommentar korrigieren"),
        measure,
        number,
        comment,
        body,
        errors,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(measure, id): TwoIds<MeasureId, uuid::Uuid>,
) -> Result<EditPage, AppError> {
    let (number, comment) = editable(&state, &current, measure, id).await?;
    let body = comment.body.clone();
    Ok(edit_page(
        visitor,
        measure,
        number,
        comment,
        body,
        FormErrors::new(),
    ))
}

pub async fn correct(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(measure, id): TwoIds<MeasureId, uuid::Uuid>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let (number, comment) = editable(&state, &current, measure, id).await?;
    let body = match comments::parse_body(&form.body) {
        Ok(body) => body,
        Err(message) => {
            let page = edit_page(
                visitor,
                measure,
                number,
                comment,
                form.body,
                FormErrors::one("body", message),
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    // The window is checked again in the update itself: it may have closed meanwhile.
    if !db::comments::correct(
        &state.db,
        id,
        current.user.id,
        &body,
        comments::EDIT_WINDOW_MINUTES,
    )
    .await?
    {
        return Err(AppError::Forbidden);
    }
    Ok(Redirect::to(&format!("/massnahmen/{measure}#kommentar-{id}")).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    TwoIds(measure, id): TwoIds<MeasureId, uuid::Uuid>,
) -> Result<Response, AppError> {
    let row = super::access::visible(&state, &current, measure).await?;
    let comment = db::comments::find(&state.db, measure, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = current.user.actor();
    if !comments::may_see(comment.internal, &actor) {
        return Err(AppError::NotFound);
    }
    let own = comment.author_id == Some(current.user.id);
    if !comments::may_delete(own, &actor, row.lead_office, comment.deleted_at.is_some()) {
        return Err(AppError::Forbidden);
    }
    db::comments::delete(&state.db, id, current.user.id).await?;
    Ok(Redirect::to(&format!("/massnahmen/{measure}#kommentar-{id}")).into_response())
}
