//! Releasing a measure for the public on its page (strategy team): propose its current texts,
//! release someone else's proposal (four eyes), or take it off the public page again. Each step
//! names the version of the release it was made from; a step over a newer one is refused (409)
//! with the page showing what is current.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::show::{Typed, refused_page};
use crate::db;
use crate::db::publications::{Publication, Step};
use crate::domain::ids::MeasureId;
use crate::domain::lifecycle::Status;
use crate::domain::publication::{self, PublicTexts, Refusal};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::forms::FormErrors;
use crate::web::visitor::{CurrentUser, Visitor};

/// What the measure's page shows the strategy team about the release.
#[derive(Debug, Clone)]
pub struct PublicationBox {
    pub publication: Option<Publication>,
    pub number: i64,
    pub status: Status,
    /// The measure's texts now, to tell whether they changed since the release.
    pub current: PublicTexts,
    pub actor: crate::domain::ids::UserId,
    pub actor_roles: crate::domain::permissions::Actor,
}

impl PublicationBox {
    pub fn eligible(&self) -> bool {
        publication::is_public_status(self.status)
    }

    pub fn version(&self) -> i32 {
        self.publication.as_ref().map_or(0, |p| p.version)
    }

    pub fn released(&self) -> Option<&PublicTexts> {
        self.publication
            .as_ref()
            .and_then(|p| p.released.as_ref())
            .map(|json| &json.0)
    }

    pub fn proposal(&self) -> Option<&PublicTexts> {
        self.publication
            .as_ref()
            .and_then(|p| p.proposal.as_ref())
            .map(|json| &json.0)
    }

    /// The released texts differ from the measure's texts now.
    pub fn changed_since_release(&self) -> bool {
        self.released().is_some_and(|texts| *texts != self.current)
    }

    pub fn release_refusal(&self) -> Option<&'static str> {
        let proposed_by = self
            .publication
            .as_ref()
            .filter(|p| p.proposal.is_some())
            .map(|p| p.proposed_by);
        publication::may_release(&self.actor_roles, self.status, proposed_by)
            .err()
            .map(Refusal::message)
    }

    pub fn proposed_text(&self) -> String {
        let Some(publication) = &self.publication else {
            return String::new();
        };
        format!(
            "Vorgeschlagen von {} am {}.",
            publication
                .proposed_by_name
                .as_deref()
                .unwrap_or("unbekannt"),
            publication
                .proposed_at
                .as_ref()
                .map(crate::domain::time::local)
                .unwrap_or_default()
        )
    }

    pub fn released_text(&self) -> String {
        let Some(publication) = &self.publication else {
            return String::new();
        };
        format!(
            "Öffentlich seit {}, freigegeben von {}.",
            publication
                .released_at
                .as_ref()
                .map(crate::domain::time::local)
                .unwrap_or_default(),
            publication
                .released_by_name
                .as_deref()
                .unwrap_or("unbekannt")
        )
    }

    pub fn public_href(&self) -> String {
        format!("/oeffentlich/massnahmen/{}", self.number)
    }
}

/// The box for `current` on the page of `row`, if they release measures.
pub async fn for_page(
    state: &AppState,
    current: &CurrentUser,
    row: &db::measure_details::MeasureRow,
) -> Result<Option<PublicationBox>, AppError> {
    let actor = current.user.actor();
    if !publication::may_publish(&actor) {
        return Ok(None);
    }
    Ok(Some(PublicationBox {
        publication: db::publications::find(&state.db, row.id).await?,
        number: row.number,
        status: row.status,
        current: PublicTexts {
            title: row.title.clone(),
            summary: row.summary.clone(),
            description: row.description.clone(),
            expected_benefit: row.expected_benefit.clone(),
        },
        actor: current.user.id,
        actor_roles: actor,
    }))
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: String,
}

async fn refuse(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    status: StatusCode,
    message: &str,
) -> Result<Response, AppError> {
    let errors = FormErrors::one("veroeffentlichung", message);
    let page = refused_page(state, visitor, current, id, errors, Typed::default()).await?;
    Ok((status, page).into_response())
}

/// What a step's outcome answers.
async fn answer(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    step: Step,
) -> Result<Response, AppError> {
    match step {
        Step::Done => {
            Ok(Redirect::to(&format!("/massnahmen/{id}#oeffentlichkeit")).into_response())
        }
        Step::Outdated => {
            refuse(
                state,
                visitor,
                current,
                id,
                StatusCode::CONFLICT,
                "Jemand anderes hat die Veröffentlichung inzwischen geändert. Unten steht der \
                 aktuelle Stand; bitte prüfen Sie ihn und wählen Sie erneut.",
            )
            .await
        }
        Step::NotPublic => {
            refuse(
                state,
                visitor,
                current,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::NotPublicStatus.message(),
            )
            .await
        }
    }
}

async fn checked(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
) -> Result<db::measure_details::MeasureRow, AppError> {
    let row = super::access::visible(state, current, id).await?;
    if !publication::may_publish(&current.user.actor()) {
        return Err(AppError::Forbidden);
    }
    Ok(row)
}

pub async fn propose(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let row = checked(&state, &current, id).await?;
    if let Err(refusal) = publication::may_propose(&current.user.actor(), row.status) {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refusal.message(),
        )
        .await;
    }
    let seen = form.version.parse().unwrap_or(-1);
    let step = db::publications::propose(&state.db, id, current.user.id, seen).await?;
    answer(&state, visitor, &current, id, step).await
}

pub async fn release(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let row = checked(&state, &current, id).await?;
    let seen: i32 = form.version.parse().unwrap_or(-1);
    let found = db::publications::find(&state.db, id).await?;
    if found.as_ref().map_or(0, |p| p.version) != seen {
        return answer(&state, visitor, &current, id, Step::Outdated).await;
    }
    let proposed_by = found
        .as_ref()
        .filter(|p| p.proposal.is_some())
        .map(|p| p.proposed_by);
    if let Err(refusal) = publication::may_release(&current.user.actor(), row.status, proposed_by) {
        return refuse(
            &state,
            visitor,
            &current,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refusal.message(),
        )
        .await;
    }
    let step = db::publications::release(&state.db, id, current.user.id, seen).await?;
    answer(&state, visitor, &current, id, step).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    checked(&state, &current, id).await?;
    let seen = form.version.parse().unwrap_or(-1);
    let step = db::publications::withdraw(&state.db, id, current.user.id, seen).await?;
    answer(&state, visitor, &current, id, step).await
}
