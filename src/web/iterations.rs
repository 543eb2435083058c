//! The iterations of the strategy and the Fortschreibung (`/strategie/iterationen`): the list,
//! starting the next iteration as a draft copy of the one in force (DS-Team), and what changed
//! from one iteration to the next, as a page and as JSON. A draft is the DS-Team's work in
//! progress: to others it does not exist.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use crate::db;
use crate::db::iterations::{DiscardError, DiscardedDraft, DraftWork, Iteration, StartError};
use crate::domain::ids::StrategyId;
use crate::domain::permissions::Permission;
use crate::domain::roles::Role;
use crate::domain::strategy::StrategyStatus;
use crate::domain::strategy::diff::{self, Change, Piece};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

const DRAFTS: &str = "a draft iteration only for the strategy team";

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/strategie/iterationen", Permission::SignedIn, list),
        Route::post("/strategie/iterationen", Permission::EditStrategy, start),
        Route::get(
            "/strategie/iterationen/{id}/verwerfen",
            Permission::EditStrategy,
            discard_page,
        ),
        Route::post(
            "/strategie/iterationen/{id}/verwerfen",
            Permission::EditStrategy,
            discard,
        ),
        Route::get(
            "/strategie/iterationen/{id}/vergleich",
            Permission::SignedIn,
            comparison,
        )
        .checking(DRAFTS),
        Route::get(
            "/strategie/iterationen/{id}/vergleich.json",
            Permission::SignedIn,
            comparison_json,
        )
        .checking(DRAFTS),
    ]
}

fn may_edit(current: &CurrentUser) -> bool {
    current.user.actor().has(Role::StrategyTeam)
}

/// The iterations `current` may see: drafts only for the strategy team.
async fn visible(state: &AppState, current: &CurrentUser) -> Result<Vec<Iteration>, AppError> {
    let edits = may_edit(current);
    Ok(db::iterations::list(&state.db)
        .await?
        .into_iter()
        .filter(|iteration| edits || iteration.status != StrategyStatus::Draft)
        .collect())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/iterations.html")]
pub struct IterationsPage {
    pub shell: Shell,
    pub iterations: Vec<Iteration>,
    pub may_start: bool,
    pub errors: FormErrors,
    pub version_label: String,
    pub title: String,
    /// Drafts given up, for the strategy team.
    pub discarded: Vec<DiscardedDraft>,
    /// The page follows the discarding of a draft.
    pub just_discarded: bool,
}

impl IterationsPage {
    pub fn status_label(&self, status: &StrategyStatus) -> &'static str {
        match status {
            StrategyStatus::Draft => "Entwurf (Fortschreibung)",
            StrategyStatus::Published => "in Kraft",
            StrategyStatus::Archived => "archiviert",
        }
    }

    pub fn has_draft(&self) -> bool {
        self.iterations
            .iter()
            .any(|iteration| iteration.status == StrategyStatus::Draft)
    }
}

async fn page(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    errors: FormErrors,
    version_label: String,
    title: String,
) -> Result<IterationsPage, AppError> {
    let iterations = visible(state, current).await?;
    let discarded = if may_edit(current) {
        db::iterations::discarded(&state.db).await?
    } else {
        Vec::new()
    };
    let title = if title.is_empty() {
        iterations
            .iter()
            .find(|iteration| iteration.status == StrategyStatus::Published)
            .map(|iteration| iteration.title.clone())
            .unwrap_or_default()
    } else {
        title
    };
    Ok(IterationsPage {
        shell: Shell::new(visitor, "Iterationen der Strategie")
            .in_section(Section::Strategy)
            .crumb("Strategie", "/strategie")
            .here("Iterationen"),
        iterations,
        may_start: may_edit(current),
        errors,
        version_label,
        title,
        discarded,
        just_discarded: false,
    })
}

pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> Result<IterationsPage, AppError> {
    let mut page = page(
        &state,
        visitor,
        &current,
        FormErrors::new(),
        String::new(),
        String::new(),
    )
    .await?;
    page.just_discarded = query.iter().any(|(key, _)| key == "verworfen");
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    version_label: String,
    #[serde(default)]
    title: String,
}

pub async fn start(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let label = form.version_label.trim().to_owned();
    let title = form.title.trim().to_owned();
    let mut errors = FormErrors::new();
    if label.is_empty() {
        errors.add(
            "version_label",
            "Bitte geben Sie die Version an, z. B. „2.0 – 2022“.",
        );
    } else if label.chars().count() > 50 {
        errors.add("version_label", "Die Version hat höchstens 50 Zeichen.");
    }
    if title.is_empty() {
        errors.add("title", "Bitte geben Sie der Strategie einen Titel.");
    } else if title.chars().count() > 200 {
        errors.add("title", "Der Titel hat höchstens 200 Zeichen.");
    }
    if errors.is_empty() {
        match db::iterations::start(&state.db, &label, &title, current.user.id).await {
            Ok(id) => {
                tracing::info!(%id, label, "started a Fortschreibung");
                return Ok(Redirect::to(&format!("/strategie/iterationen/{id}")).into_response());
            }
            Err(StartError::DraftExists) => errors.add(
                "version_label",
                "Es läuft schon eine Fortschreibung (ein Entwurf). Sie wird erst veröffentlicht \
                 oder verworfen, bevor eine weitere beginnt.",
            ),
            Err(StartError::LabelTaken) => errors.add(
                "version_label",
                "Diese Version gibt es schon. Bitte wählen Sie eine andere Bezeichnung.",
            ),
            Err(StartError::NothingInForce) => errors.add(
                "version_label",
                "Es ist keine Strategie in Kraft, von der die Fortschreibung ausgehen könnte.",
            ),
            Err(StartError::Database(error)) => return Err(error.into()),
        }
    }
    let page = page(&state, visitor, &current, errors, label, title).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The iteration `id` and the one it came from, if `current` may see them.
async fn pair(
    state: &AppState,
    current: &CurrentUser,
    id: StrategyId,
) -> Result<(Iteration, Option<Iteration>), AppError> {
    let iterations = visible(state, current).await?;
    let iteration = iterations
        .iter()
        .find(|iteration| iteration.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let origin = iteration.origin_id.and_then(|origin| {
        iterations
            .iter()
            .find(|candidate| candidate.id == origin)
            .cloned()
    });
    Ok((iteration, origin))
}

async fn changes(
    state: &AppState,
    iteration: &Iteration,
    origin: Option<&Iteration>,
) -> Result<Vec<Change>, AppError> {
    let Some(origin) = origin else {
        return Ok(Vec::new());
    };
    let (before, after) = tokio::try_join!(
        db::iterations::side(&state.db, origin.id),
        db::iterations::side(&state.db, iteration.id),
    )?;
    Ok(diff::diff(&before, &after))
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/diff.html")]
pub struct DiffPage {
    pub shell: Shell,
    pub iteration: Iteration,
    pub origin: Option<Iteration>,
    pub changes: Vec<Change>,
}

/// A change as one line of the page: what kind, the text, and the words when reworded.
#[derive(Debug)]
pub struct Line<'a> {
    pub kind: &'static str,
    pub text: String,
    pub pieces: Option<&'a [Piece]>,
}

impl DiffPage {
    pub fn lines(&self) -> Vec<Line<'_>> {
        self.changes
            .iter()
            .map(|change| match change {
                Change::FieldAdded { name, .. } => Line {
                    kind: "Feld neu",
                    text: name.clone(),
                    pieces: None,
                },
                Change::FieldRetired { name, .. } => Line {
                    kind: "Feld entfällt",
                    text: name.clone(),
                    pieces: None,
                },
                Change::FieldRenamed { wording, .. } => Line {
                    kind: "Feld umbenannt",
                    text: format!("„{}“ heißt jetzt „{}“", wording.before, wording.after),
                    pieces: Some(&wording.pieces),
                },
                Change::FieldMoved {
                    name,
                    from_position,
                    to_position,
                    kind_changed,
                    ..
                } => Line {
                    kind: "Feld verschoben",
                    text: if *kind_changed {
                        format!("{name}: jetzt als anderes Element (Gestaltungsfeld/Querschnittsthema)")
                    } else {
                        format!("{name}: von Platz {from_position} auf Platz {to_position}")
                    },
                    pieces: None,
                },
                Change::GoalAdded {
                    field, statement, ..
                } => Line {
                    kind: "Ziel neu",
                    text: format!("{field}: {statement}"),
                    pieces: None,
                },
                Change::GoalRetired {
                    field, statement, ..
                } => Line {
                    kind: "Ziel entfällt",
                    text: format!("{field}: {statement}"),
                    pieces: None,
                },
                Change::GoalMoved {
                    statement,
                    from_field,
                    to_field,
                    from_position,
                    to_position,
                    ..
                } => Line {
                    kind: "Ziel verschoben",
                    text: format!(
                        "{statement} – von {from_field}, Ziel {from_position}, nach {to_field}, Ziel {to_position}"
                    ),
                    pieces: None,
                },
                Change::GoalReworded { field, wording, .. } => Line {
                    kind: "Ziel umformuliert",
                    text: field.clone(),
                    pieces: Some(&wording.pieces),
                },
            })
            .collect()
    }
}

pub async fn comparison(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<DiffPage, AppError> {
    let (iteration, origin) = pair(&state, &current, id).await?;
    let changes = changes(&state, &iteration, origin.as_ref()).await?;
    Ok(DiffPage {
        shell: Shell::new(
            visitor,
            format!("Was sich mit Version {} ändert", iteration.version_label),
        )
        .in_section(Section::Strategy)
        .crumb("Strategie", "/strategie")
        .crumb("Iterationen", "/strategie/iterationen")
        .here("Vergleich"),
        iteration,
        origin,
        changes,
    })
}

pub async fn comparison_json(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (iteration, origin) = pair(&state, &current, id).await?;
    let changes = changes(&state, &iteration, origin.as_ref()).await?;
    Ok(Json(serde_json::json!({
        "iteration": { "id": iteration.id.0, "version": iteration.version_label },
        "compared_with": origin.map(|o| serde_json::json!({ "id": o.id.0, "version": o.version_label })),
        "changes": changes,
    })))
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/discard.html")]
pub struct DiscardPage {
    pub shell: Shell,
    pub work: DraftWork,
    /// The draft changed after the confirmation was shown.
    pub changed: bool,
}

fn discard_shell(visitor: Visitor, work: &DraftWork) -> Shell {
    Shell::new(visitor, format!("Entwurf {} verwerfen", work.version_label))
        .in_section(Section::Strategy)
        .crumb("Strategie", "/strategie")
        .crumb("Iterationen", "/strategie/iterationen")
        .crumb(
            format!("Version {}", work.version_label),
            format!("/strategie/iterationen/{}", work.id),
        )
        .here("Entwurf verwerfen")
}

/// What discarding the draft would take with it, and the button that does it.
pub async fn discard_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<Response, AppError> {
    let Some(work) = db::iterations::draft_work(&state.db, id).await? else {
        return crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await;
    };
    Ok(DiscardPage {
        shell: discard_shell(visitor, &work),
        work,
        changed: false,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DiscardForm {
    #[serde(default)]
    stand: String,
}

/// Discards the draft, if it is still as the confirmation showed it.
pub async fn discard(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
    Form(form): Form<DiscardForm>,
) -> Result<Response, AppError> {
    match db::iterations::discard(&state.db, id, &form.stand, current.user.id).await {
        Ok(work) => {
            tracing::info!(
                %id,
                label = work.version_label,
                changes = work.changes,
                decisions = work.decisions,
                "discarded a draft iteration"
            );
            Ok(Redirect::to("/strategie/iterationen?verworfen=1").into_response())
        }
        Err(DiscardError::NotFound) => Err(AppError::NotFound),
        Err(DiscardError::NotDraft) => {
            crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await
        }
        Err(DiscardError::Changed(work)) => {
            let page = DiscardPage {
                shell: discard_shell(visitor, &work),
                work,
                changed: true,
            };
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(DiscardError::Database(error)) => Err(error.into()),
    }
}
