//! A measure's page: its content, goals, offices, implementation, comments and history as the
//! reader may see them, the lifecycle steps the person may take, and taking one. Forms of other
//! modules that the page carries re-render it through [`refused_page`] with what was typed.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::db;
use crate::db::comments::Comment;
use crate::db::implementation::{Milestone, Row};
use crate::db::measure_details::{
    self, MeasureDetail, MeasurePage, MeasureRow, ReaderState, StepOutcome,
};
use crate::db::measures::Referenced;
use crate::domain::comments;
use crate::domain::ids::MeasureId;
use crate::domain::implementation::{self, DISTRICT_OFFICES, State as RowState};
use crate::domain::lifecycle::{self, MeasureFacts, MergeTarget, Refusal, Status};
use crate::domain::markdown;
use crate::domain::office::Office;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::{Choice, FormErrors};
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

/// A step the person may take from here.
#[derive(Debug, Clone)]
pub struct Step {
    pub to: Status,
}

impl Step {
    pub fn reason_field(&self) -> String {
        format!("grund-{}", self.to.slug())
    }

    pub fn target_field(&self) -> String {
        format!("ziel-{}", self.to.slug())
    }

    pub fn reason_label(&self) -> String {
        format!(
            "Begründung zu „{}“ (für alle sichtbar)",
            self.to.action_label()
        )
    }

    pub fn needs_reason(&self) -> bool {
        self.to.needs_reason()
    }

    pub fn is_merge(&self) -> bool {
        self.to == Status::Merged
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/show.html")]
pub struct ShowPage {
    pub shell: Shell,
    /// What every reader sees, shared with the cache (not copied per request).
    pub shared: Arc<Shared>,
    pub steps: Vec<Step>,
    pub can_edit: bool,
    pub can_support: bool,
    pub supported: bool,
    pub errors: FormErrors,
    /// What the person typed into a refused form, shown again.
    pub typed: Typed,
    pub comments: Vec<ShownComment>,
    pub following: bool,
    pub is_author: bool,
    pub implementation: Option<Implementation>,
    pub is_officer: bool,
    /// The dependencies this reader may see.
    pub depends_on: Vec<crate::db::measure_details::LinkedMeasure>,
    /// The release for the public, for the strategy team.
    pub publication: Option<super::publication::PublicationBox>,
}

impl ShowPage {
    pub fn detail(&self) -> &MeasureDetail {
        &self.shared.page.detail
    }

    /// Its place in the ranking decided last, explained.
    pub fn prioritised(&self) -> Option<crate::web::prioritisation::explain::Prioritised> {
        self.shared
            .page
            .decided
            .as_ref()
            .and_then(crate::web::prioritisation::explain::Prioritised::from_decided)
    }
}

/// A comment with what the reader may do with it.
#[derive(Debug, Clone)]
pub struct ShownComment {
    pub comment: Comment,
    pub can_edit: bool,
    pub can_delete: bool,
}

/// The comments of a measure as `current` may see them (internal notes only for officers).
fn shown_comments(
    current: &CurrentUser,
    all: &[Comment],
    lead_office: Office,
) -> Vec<ShownComment> {
    let actor = current.user.actor();
    let officer = comments::is_officer(&actor);
    let now = chrono::Utc::now();
    all.iter()
        .filter(|comment| officer || !comment.internal)
        .map(|comment| {
            let own = comment.author_id == Some(current.user.id);
            let deleted = comment.deleted_at.is_some();
            ShownComment {
                can_edit: comments::may_edit(own, comment.created_at, deleted, now),
                can_delete: comments::may_delete(own, &actor, lead_office, deleted),
                comment: comment.clone(),
            }
        })
        .collect()
}

/// An office's line on a measure's page, with whether the reader may change it.
#[derive(Debug, Clone)]
pub struct OfficeLine {
    pub office: Office,
    pub row: Option<Row>,
    pub editable: bool,
}

impl OfficeLine {
    /// The row's values as the form shows them (empty without a row).
    pub fn state_slug(&self) -> &'static str {
        self.row.as_ref().map_or("", |row| row.state.slug())
    }

    pub fn note(&self) -> &str {
        self.row.as_ref().map_or("", |row| row.note.as_str())
    }

    pub fn as_of(&self) -> String {
        self.row
            .as_ref()
            .and_then(|row| row.as_of)
            .map(|date| date.to_string())
            .unwrap_or_default()
    }
}

/// What a measure's page shows of its implementation.
#[derive(Debug, Clone)]
pub struct Implementation {
    pub lines: Vec<OfficeLine>,
    pub milestones: Vec<Milestone>,
    pub can_keep_progress: bool,
    pub states: [RowState; 4],
}

impl Implementation {
    pub fn state_choices(&self) -> Vec<Choice> {
        self.states
            .iter()
            .map(|state| Choice::new(state.slug(), state.label()))
            .collect()
    }
}

fn implementation_for(
    current: &CurrentUser,
    measure: &MeasureRow,
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

fn facts(detail: &MeasureDetail, current: &CurrentUser) -> MeasureFacts {
    MeasureFacts {
        status: detail.row.status,
        lead_office: detail.row.lead_office,
        author_is_actor: detail.row.author_id == Some(current.user.id),
        goal_count: detail.goals.len(),
    }
}

/// What the person typed into a form the page refused, by the id of each field.
#[derive(Debug, Clone, Default)]
pub struct Typed(Vec<(String, String)>);

impl Typed {
    pub fn with(mut self, id: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((id.into(), value.into()));
        self
    }

    /// What was typed into the field `id`, or else `stored`.
    pub fn or(&self, id: &str, stored: impl ToString) -> String {
        self.0
            .iter()
            .find(|(field, _)| field == id)
            .map_or_else(|| stored.to_string(), |(_, value)| value.clone())
    }
}

/// The page after a refused form: the errors beside their fields and what was typed kept. Shown
/// after a form was sent, it is read fresh from the database, never from the cache.
pub async fn refused_page(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    errors: FormErrors,
    typed: Typed,
) -> Result<ShowPage, AppError> {
    let (shared, reader) = tokio::try_join!(
        db::measure_details::page(&state.db, id),
        db::measure_details::reader_state(&state.db, id, current.user.id),
    )?;
    let shared = Arc::new(Shared::from(shared.ok_or(AppError::NotFound)?));
    let page = build(visitor, current, shared, reader, errors, typed)?;
    completed(state, current, page).await
}

/// What every reader of a measure's page sees, with its texts already rendered (cached).
#[derive(Debug)]
pub struct Shared {
    page: MeasurePage,
    description_html: String,
    benefit_html: String,
}

impl Shared {
    pub fn page(&self) -> &MeasurePage {
        &self.page
    }

    pub fn description_html(&self) -> &str {
        &self.description_html
    }

    pub fn benefit_html(&self) -> &str {
        &self.benefit_html
    }
}

impl From<MeasurePage> for Shared {
    fn from(page: MeasurePage) -> Self {
        Self {
            description_html: markdown::to_safe_html(&page.detail.row.description),
            benefit_html: markdown::to_safe_html(&page.detail.row.expected_benefit),
            page,
        }
    }
}

/// The page as `current` may see it, from what every reader sees and what only they see.
fn build(
    visitor: Visitor,
    current: &CurrentUser,
    shared: Arc<Shared>,
    reader: ReaderState,
    errors: FormErrors,
    typed: Typed,
) -> Result<ShowPage, AppError> {
    let detail = &shared.page.detail;
    let facts = facts(detail, current);
    // A draft is its author's alone: to anyone else it does not exist.
    if !lifecycle::may_view(facts.status, facts.author_is_actor) {
        return Err(AppError::NotFound);
    }
    let actor = current.user.actor();
    let steps = facts
        .status
        .next()
        .iter()
        .filter(|to| lifecycle::may_take(&actor, facts, **to).is_ok_or_needs_input())
        .map(|to| Step { to: *to })
        .collect();
    let comments = shown_comments(current, &shared.page.comments, detail.row.lead_office);
    let implementation = implementation_for(
        current,
        &detail.row,
        &shared.page.implementation_rows,
        &shared.page.milestones,
    );
    let title = format!("M-{} {}", detail.row.number, detail.row.title);
    let depends_on = detail.dependencies_for(current.user.id);
    Ok(ShowPage {
        shell: Shell::new(visitor, title)
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .here(format!("M-{}", detail.row.number)),
        can_edit: lifecycle::may_edit(&actor, facts),
        can_support: super::supports::may_support(facts.status, facts.author_is_actor),
        supported: reader.supported,
        shared,
        steps,
        errors,
        typed,
        comments,
        following: reader.following,
        is_author: facts.author_is_actor,
        implementation,
        is_officer: crate::domain::comments::is_officer(&actor),
        depends_on,
        publication: None,
    })
}

/// The page with what only the strategy team sees filled in.
async fn completed(
    state: &AppState,
    current: &CurrentUser,
    mut page: ShowPage,
) -> Result<ShowPage, AppError> {
    page.publication =
        super::publication::for_page(state, current, &page.shared.page.detail.row).await?;
    Ok(page)
}

/// Steps that fail only for want of a goal are still offered: the check explains it.
trait StepOffered {
    fn is_ok_or_needs_input(&self) -> bool;
}

impl StepOffered for Result<(), Refusal> {
    fn is_ok_or_needs_input(&self) -> bool {
        matches!(self, Ok(()) | Err(Refusal::GoalRequired))
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<ShowPage, AppError> {
    // What every reader sees comes from the cache while nothing has changed; only whether this
    // reader supports and follows the measure is read for them.
    let load = async {
        db::measure_details::page(&state.db, id)
            .await?
            .map(Shared::from)
            .ok_or(AppError::NotFound)
    };
    let (shared, reader) = tokio::try_join!(
        state
            .caches
            .measures
            .get_or_load(Some(current.generation), id, load),
        async { Ok(db::measure_details::reader_state(&state.db, id, current.user.id).await?) },
    )?;
    let page = build(
        visitor,
        &current,
        shared,
        reader,
        FormErrors::new(),
        Typed::default(),
    )?;
    completed(&state, &current, page).await
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    merge_into: String,
}

/// The measure a person typed as the merge target, resolved among those they may see.
async fn merge_target(
    state: &AppState,
    current: &CurrentUser,
    merged: MeasureId,
    typed: &str,
) -> Result<(MergeTarget, Option<Referenced>), AppError> {
    if typed.trim().is_empty() {
        return Ok((MergeTarget::NotGiven, None));
    }
    let Some(number) = crate::domain::measure::parse_number(typed) else {
        return Ok((MergeTarget::Unknown, None));
    };
    let found = db::measures::resolve_numbers(&state.db, &[number], current.user.id).await?;
    Ok(match found.into_iter().next() {
        None => (MergeTarget::Unknown, None),
        Some(target) if target.id == merged => (MergeTarget::Itself, None),
        Some(target) => (MergeTarget::Measure(target.status), Some(target)),
    })
}

/// The field a refusal is shown next to: each step has its own ("grund-abgelehnt",
/// "ziel-zusammengefuehrt"); the rest belong to the list of steps.
fn refusal_field(refusal: Refusal, to: Status) -> String {
    match refusal {
        Refusal::ReasonRequired => format!("grund-{}", to.slug()),
        Refusal::MergeTargetRequired
        | Refusal::MergeTargetUnknown
        | Refusal::MergeIntoItself
        | Refusal::MergeTargetClosed => format!("ziel-{}", to.slug()),
        _ => "naechste-schritte".to_owned(),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let detail = db::measure_details::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let facts = facts(&detail, &current);
    if !lifecycle::may_view(facts.status, facts.author_is_actor) {
        return Err(AppError::NotFound);
    }
    let to = Status::from_slug(&form.to).ok_or(AppError::NotFound)?;
    let reason = form.reason.trim();
    let (target, merge_into) = merge_target(&state, &current, id, &form.merge_into).await?;
    if let Err(refusal) = lifecycle::check(&current.user.actor(), facts, to, reason, target) {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refuse_step(&state, visitor, &current, id, form, refusal, status).await;
    }
    let (notice, merge_notice) = notices(&detail, to, merge_into.as_ref());
    let step = measure_details::Step {
        measure: id,
        actor: current.user.id,
        from: facts.status,
        to,
        reason: (!reason.is_empty()).then_some(reason),
        merge_into: merge_into.as_ref().map(|target| target.id),
        notice: &notice,
        merge_notice: &merge_notice,
    };
    match measure_details::take_step(&state.db, &step).await? {
        StepOutcome::Taken => Ok(Redirect::to(&format!("/massnahmen/{id}")).into_response()),
        StepOutcome::TargetClosed => {
            let refusal = Refusal::MergeTargetClosed;
            refuse_step(
                &state,
                visitor,
                &current,
                id,
                form,
                refusal,
                StatusCode::CONFLICT,
            )
            .await
        }
        StepOutcome::StatusMoved => {
            // Show the page as it is now.
            let errors = FormErrors::one(
                "naechste-schritte",
                "Der Status wurde inzwischen geändert. Bitte prüfen Sie die Maßnahme erneut.",
            );
            let page = refused_page(&state, visitor, &current, id, errors, Typed::default());
            Ok((StatusCode::CONFLICT, page.await?).into_response())
        }
    }
}

/// What the followers of a measure are told of a step, and the supporters of a merged one.
fn notices(
    detail: &MeasureDetail,
    to: Status,
    merge_into: Option<&Referenced>,
) -> (String, String) {
    let row = &detail.row;
    let notice = format!(
        "M-{} „{}“: {} → {}",
        row.number,
        row.title,
        row.status.label(),
        to.label()
    );
    let merge_notice = merge_into
        .map(|target| {
            format!(
                "M-{} „{}“, die Sie unterstützen, wurde in M-{} „{}“ zusammengeführt.",
                row.number, row.title, target.number, target.title
            )
        })
        .unwrap_or_default();
    (notice, merge_notice)
}

/// The page again with the refusal next to its field and what was typed kept; a step that is
/// not the person's to take is forbidden.
async fn refuse_step(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: MeasureId,
    form: StepForm,
    refusal: Refusal,
    status: StatusCode,
) -> Result<Response, AppError> {
    if refusal == Refusal::NotYourRole {
        return Err(AppError::Forbidden);
    }
    let to = Status::from_slug(&form.to).ok_or(AppError::NotFound)?;
    let errors = FormErrors::one(refusal_field(refusal, to), refusal.message());
    let step = Step { to };
    let typed = Typed::default()
        .with(step.reason_field(), form.reason)
        .with(step.target_field(), form.merge_into);
    let page = refused_page(state, visitor, current, id, errors, typed).await?;
    Ok((status, page).into_response())
}
