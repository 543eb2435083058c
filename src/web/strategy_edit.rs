//! An iteration's tree as a page (`/strategie/iterationen/{id}`), and, in a draft, the strategy
//! team's edits of it: the vision and texts, pillars, action dimensions (with the "deferred"
//! flag), fields (add, rename, reorder, retire) and goals (add, reword, move to another field,
//! reorder, retire). Every edit form saves against the version it showed; a save in between is
//! a conflict (409) that keeps the input and shows what the other person changed. Published and
//! archived iterations are read-only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::db;
use crate::db::strategy_edit::{
    DimensionTexts, Direction, EditError, EditableTree, Event, FieldTexts, GoalTexts, Part,
    PillarTexts, StrategyTexts,
};
use crate::domain::ids::{ActionDimensionId, FieldId, GoalId, PillarId, StrategyId};
use crate::domain::markdown::to_safe_html;
use crate::domain::permissions::Permission;
use crate::domain::roles::Role;
use crate::domain::strategy::{FieldKind, StrategyStatus};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::{Choice, FormErrors};
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

const DRAFTS: &str = "a draft iteration only for the strategy team";

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/strategie/iterationen/{id}",
            Permission::SignedIn,
            tree_page,
        )
        .checking(DRAFTS),
        Route::get(
            "/strategie/iterationen/{id}/verlauf",
            Permission::SignedIn,
            history_page,
        )
        .checking(DRAFTS),
        Route::get(
            "/strategie/iterationen/{id}/vision",
            Permission::EditStrategy,
            vision_form,
        ),
        Route::post(
            "/strategie/iterationen/{id}/vision",
            Permission::EditStrategy,
            vision_save,
        ),
        Route::get(
            "/strategie/saeulen/{id}/bearbeiten",
            Permission::EditStrategy,
            pillar_form,
        ),
        Route::post(
            "/strategie/saeulen/{id}/bearbeiten",
            Permission::EditStrategy,
            pillar_save,
        ),
        Route::get(
            "/strategie/dimensionen/{id}/bearbeiten",
            Permission::EditStrategy,
            dimension_form,
        ),
        Route::post(
            "/strategie/dimensionen/{id}/bearbeiten",
            Permission::EditStrategy,
            dimension_save,
        ),
        Route::get(
            "/strategie/iterationen/{id}/felder/neu",
            Permission::EditStrategy,
            new_field_form,
        ),
        Route::post(
            "/strategie/iterationen/{id}/felder/neu",
            Permission::EditStrategy,
            new_field_save,
        ),
        Route::get(
            "/strategie/felder/{id}/bearbeiten",
            Permission::EditStrategy,
            field_form,
        ),
        Route::post(
            "/strategie/felder/{id}/bearbeiten",
            Permission::EditStrategy,
            field_save,
        ),
        Route::post(
            "/strategie/felder/{id}/verschieben",
            Permission::EditStrategy,
            field_move,
        ),
        Route::post(
            "/strategie/felder/{id}/entfallen",
            Permission::EditStrategy,
            field_retire,
        ),
        Route::get(
            "/strategie/felder/{id}/ziele/neu",
            Permission::EditStrategy,
            new_goal_form,
        ),
        Route::post(
            "/strategie/felder/{id}/ziele/neu",
            Permission::EditStrategy,
            new_goal_save,
        ),
        Route::get(
            "/strategie/ziele/{id}/bearbeiten",
            Permission::EditStrategy,
            goal_form,
        ),
        Route::post(
            "/strategie/ziele/{id}/bearbeiten",
            Permission::EditStrategy,
            goal_save,
        ),
        Route::post(
            "/strategie/ziele/{id}/verschieben",
            Permission::EditStrategy,
            goal_move,
        ),
        Route::post(
            "/strategie/ziele/{id}/entfallen",
            Permission::EditStrategy,
            goal_retire,
        ),
    ]
}

pub fn is_strategy_team(current: &CurrentUser) -> bool {
    current.user.actor().has(Role::StrategyTeam)
}

/// The iteration `id` if `current` may read it: a draft only for the strategy team.
pub async fn readable_tree(
    state: &AppState,
    current: &CurrentUser,
    id: StrategyId,
) -> Result<EditableTree, AppError> {
    let tree = db::strategy_edit::tree(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if tree.status == StrategyStatus::Draft && !is_strategy_team(current) {
        return Err(AppError::NotFound);
    }
    Ok(tree)
}

async fn tree_of(state: &AppState, part: Part) -> Result<EditableTree, AppError> {
    let id = db::strategy_edit::iteration_of(&state.db, part)
        .await?
        .ok_or(AppError::NotFound)?;
    db::strategy_edit::tree(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub fn status_label(status: StrategyStatus) -> &'static str {
    match status {
        StrategyStatus::Draft => "Entwurf (Fortschreibung)",
        StrategyStatus::Published => "in Kraft",
        StrategyStatus::Archived => "archiviert",
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/tree.html")]
pub struct TreePage {
    pub shell: Shell,
    pub tree: EditableTree,
    pub editable: bool,
    pub introduction_html: String,
    pub undecided: Option<usize>,
    /// Why a button's change was not made.
    pub notice: Option<&'static str>,
    pub rounds: Vec<db::carryover::RoundLink>,
}

impl TreePage {
    pub fn status(&self) -> &'static str {
        status_label(self.tree.status)
    }

    pub fn fields_of(&self, kind: &FieldKind) -> Vec<&db::strategy_edit::EditableField> {
        self.tree
            .fields
            .iter()
            .filter(|field| field.texts.kind == *kind)
            .collect()
    }

    pub fn description_html(&self, text: &str) -> String {
        to_safe_html(text)
    }

    pub fn kinds(&self) -> [FieldKind; 2] {
        [FieldKind::CrossCuttingTheme, FieldKind::DesignField]
    }
}

async fn tree_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<TreePage, AppError> {
    shown_tree(&state, visitor, &current, id, None).await
}

pub(crate) async fn shown_tree(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: StrategyId,
    notice: Option<&'static str>,
) -> Result<TreePage, AppError> {
    let tree = readable_tree(state, current, id).await?;
    let editable = tree.status == StrategyStatus::Draft && is_strategy_team(current);
    let undecided = if editable {
        Some(
            db::carryover::overview(&state.db, id)
                .await?
                .map_or(0, |overview| overview.undecided()),
        )
    } else {
        None
    };
    Ok(TreePage {
        shell: Shell::new(
            visitor,
            format!("Version {} – {}", tree.version_label, tree.texts.title),
        )
        .in_section(Section::Strategy)
        .crumb("Strategie", "/strategie")
        .crumb("Iterationen", "/strategie/iterationen")
        .here(format!("Version {}", tree.version_label)),
        introduction_html: to_safe_html(&tree.texts.vision_introduction),
        editable,
        undecided,
        notice,
        rounds: db::carryover::rounds_of(&state.db, id).await?,
        tree,
    })
}

/// The iteration is no draft (any more): its page, saying so, as a conflict.
pub(crate) async fn not_a_draft(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: StrategyId,
) -> Result<Response, AppError> {
    let page = shown_tree(state, visitor, current, id, Some(READ_ONLY)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/history.html")]
pub struct HistoryPage {
    pub shell: Shell,
    pub tree: EditableTree,
    pub events: Vec<ShownEvent>,
}

/// A history line with its changed values spelled out.
#[derive(Debug)]
pub struct ShownEvent {
    pub event: Event,
    pub changes: Vec<ValueChange>,
}

impl ShownEvent {
    pub fn action_label(&self) -> &'static str {
        match self.event.action.as_str() {
            "added" => "neu",
            "moved" => "verschoben",
            "retired" => "entfällt",
            "restored" => "wieder aufgenommen",
            "published" => "veröffentlicht",
            "carried_over" => "Maßnahmen übertragen",
            _ => "geändert",
        }
    }
}

/// One value before and after a change.
#[derive(Debug)]
pub struct ValueChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn field_name(key: &str) -> &'static str {
    match key {
        "title" => "Titel",
        "motto" => "Leitmotiv",
        "vision_statement" => "Vision",
        "vision_introduction" => "Einleitung",
        "name" => "Name",
        "explanation" => "Erläuterung",
        "description" => "Beschreibung",
        "deferred" => "Zurückgestellt",
        "deferral_note" => "Begründung der Zurückstellung",
        "kind" => "Art",
        "section" => "Abschnitt",
        "field_id" => "Feld",
        "statement" => "Zielformulierung",
        "note" => "Erläuterung",
        _ => "Wert",
    }
}

fn shown_value(
    key: &str,
    value: Option<&serde_json::Value>,
    tree: Option<&EditableTree>,
) -> String {
    match value {
        None | Some(serde_json::Value::Null) => "–".to_owned(),
        Some(serde_json::Value::Bool(true)) => "ja".to_owned(),
        Some(serde_json::Value::Bool(false)) => "nein".to_owned(),
        Some(serde_json::Value::String(text)) => match (key, tree) {
            ("field_id", Some(tree)) => text
                .parse::<FieldId>()
                .ok()
                .and_then(|id| tree.field(id))
                .map_or_else(|| text.clone(), |field| field.texts.name.clone()),
            ("kind", _) if text == "design_field" => "Gestaltungsfeld".to_owned(),
            ("kind", _) if text == "cross_cutting_theme" => "Querschnittsthema".to_owned(),
            _ => text.clone(),
        },
        Some(other) => other.to_string(),
    }
}

/// The values that differ between `before` and `after`, in the order of `after`.
fn value_changes(event: &Event, tree: Option<&EditableTree>) -> Vec<ValueChange> {
    let (Some(serde_json::Value::Object(before)), Some(serde_json::Value::Object(after))) =
        (&event.before, &event.after)
    else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| ValueChange {
            field: field_name(key),
            before: shown_value(key, before.get(key), tree),
            after: shown_value(key, Some(value), tree),
        })
        .collect()
}

fn shown(events: Vec<Event>, tree: Option<&EditableTree>) -> Vec<ShownEvent> {
    events
        .into_iter()
        .map(|event| ShownEvent {
            changes: value_changes(&event, tree),
            event,
        })
        .collect()
}

async fn history_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<HistoryPage, AppError> {
    let tree = readable_tree(&state, &current, id).await?;
    let events = db::strategy_edit::history(&state.db, id, 500).await?;
    Ok(HistoryPage {
        shell: Shell::new(
            visitor,
            format!("Verlauf von Version {}", tree.version_label),
        )
        .in_section(Section::Strategy)
        .crumb("Strategie", "/strategie")
        .crumb("Iterationen", "/strategie/iterationen")
        .crumb(
            format!("Version {}", tree.version_label),
            format!("/strategie/iterationen/{id}"),
        )
        .here("Verlauf"),
        events: shown(events, Some(&tree)),
        tree,
    })
}

/// How a form control looks.
#[derive(Debug)]
pub enum Control {
    Text,
    Area(u8),
    Check,
    Pick(Vec<Choice>),
}

/// One control of an edit form with its current value.
#[derive(Debug)]
pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub control: Control,
    pub value: String,
}

impl Input {
    fn new(name: &'static str, label: &'static str, control: Control, value: &str) -> Self {
        Self {
            name,
            label,
            hint: "",
            control,
            value: value.to_owned(),
        }
    }

    fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    pub fn is_checked(&self) -> bool {
        self.value == "ja"
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/edit.html")]
pub struct EditPage {
    pub shell: Shell,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub version: Option<i32>,
    pub inputs: Vec<Input>,
    pub errors: FormErrors,
    pub conflict: Vec<ShownEvent>,
    pub read_only: bool,
    pub back: String,
}

/// The edit page's frame: heading, where it posts, where it leads back to.
struct Frame {
    visitor: Visitor,
    tree_id: StrategyId,
    version_label: String,
    heading: String,
    action: String,
    version: Option<i32>,
}

fn edit_page(frame: Frame, inputs: Vec<Input>, errors: FormErrors, read_only: bool) -> EditPage {
    let back = format!("/strategie/iterationen/{}", frame.tree_id);
    EditPage {
        shell: Shell::new(frame.visitor, frame.heading.clone())
            .in_section(Section::Strategy)
            .crumb("Strategie", "/strategie")
            .crumb("Iterationen", "/strategie/iterationen")
            .crumb(format!("Version {}", frame.version_label), back.clone())
            .here(frame.heading.clone()),
        heading: frame.heading,
        intro: if read_only {
            READ_ONLY.to_owned()
        } else {
            String::new()
        },
        action: frame.action,
        version: frame.version,
        inputs,
        errors,
        conflict: Vec::new(),
        read_only,
        back,
    }
}

fn frame(visitor: Visitor, tree: &EditableTree, heading: String, action: String) -> Frame {
    Frame {
        visitor,
        tree_id: tree.id,
        version_label: tree.version_label.clone(),
        heading,
        action,
        version: None,
    }
}

/// The form of a published or archived iteration: nothing to save, the reason shown.
fn read_only(mut page: EditPage) -> EditPage {
    page.read_only = true;
    page.intro = READ_ONLY.to_owned();
    page.errors = FormErrors::new();
    page
}

/// The answer to a form that was shown or saved: the page, with the status its state needs.
fn answer(page: EditPage) -> Response {
    let status = if page.read_only || !page.conflict.is_empty() {
        StatusCode::CONFLICT
    } else if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, page).into_response()
}

/// Where a save ended: back to the tree, or the form again with the reason.
async fn after_save(
    state: &AppState,
    result: Result<(), EditError>,
    mut page: EditPage,
    subject: uuid::Uuid,
    current_version: impl std::future::Future<Output = Option<i32>>,
    tree: &EditableTree,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&page.back).into_response()),
        Err(EditError::Database(error)) => Err(error.into()),
        Err(EditError::NotFound) => Err(AppError::NotFound),
        Err(EditError::NotDraft) => {
            page.read_only = true;
            page.intro = READ_ONLY.to_owned();
            Ok(answer(page))
        }
        Err(EditError::NameTaken) => {
            page.errors.add(
                "name",
                "Diesen Namen trägt in dieser Iteration schon ein anderer Eintrag.",
            );
            Ok(answer(page))
        }
        Err(EditError::Conflict) => {
            let since = page.version.unwrap_or(0);
            let events = db::strategy_edit::changes_since(&state.db, subject, since).await?;
            page.conflict = shown(events, Some(tree));
            page.version = current_version.await.or(page.version);
            page.errors.add(
                page.inputs.first().map_or("name", |input| input.name),
                "Jemand anderes hat hier gespeichert, während Sie bearbeitet haben. Ihre \
                 Eingaben sind erhalten; bitte prüfen Sie die Änderungen oben und speichern Sie \
                 erneut.",
            );
            Ok(answer(page))
        }
    }
}

fn text(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.replace("\r\n", "\n").trim().to_owned())
        .unwrap_or_default()
}

fn version_in(pairs: &[(String, String)]) -> i32 {
    text(pairs, "version").parse().unwrap_or(0)
}

fn checked(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(key, value)| key == name && value == "ja")
}

/// Checks a required text's length; adds the German message to `errors`.
fn required(errors: &mut FormErrors, name: &str, value: &str, what: &str, max: usize) {
    if value.is_empty() {
        errors.add(name, format!("Bitte geben Sie {what} an."));
    } else if value.chars().count() > max {
        errors.add(name, format!("Höchstens {max} Zeichen, bitte kürzen Sie."));
    }
}

fn at_most(errors: &mut FormErrors, name: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(name, format!("Höchstens {max} Zeichen, bitte kürzen Sie."));
    }
}

fn optional(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

pub(crate) const READ_ONLY: &str = "Diese Iteration ist nicht im Entwurf: Sie ist veröffentlicht oder \
     archiviert und bleibt, wie sie ist. Änderungen gehören in eine Fortschreibung.";

const MARKDOWN_HINT: &str =
    "Absätze durch eine Leerzeile trennen; Markdown für Listen, **fett** und Links.";

// ---- Vision and texts -------------------------------------------------------------------

fn vision_inputs(texts: &StrategyTexts) -> Vec<Input> {
    vec![
        Input::new("title", "Titel", Control::Text, &texts.title),
        Input::new("motto", "Leitmotiv", Control::Text, &texts.motto),
        Input::new(
            "vision_statement",
            "Vision",
            Control::Area(4),
            &texts.vision_statement,
        ),
        Input::new(
            "vision_introduction",
            "Einleitung",
            Control::Area(10),
            &texts.vision_introduction,
        )
        .hint(MARKDOWN_HINT),
    ]
}

fn vision_frame(visitor: Visitor, tree: &EditableTree, version: i32) -> Frame {
    Frame {
        version: Some(version),
        ..frame(
            visitor,
            tree,
            "Titel und Vision bearbeiten".to_owned(),
            format!("/strategie/iterationen/{}/vision", tree.id),
        )
    }
}

async fn vision_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<StrategyId>,
) -> Result<Response, AppError> {
    let tree = db::strategy_edit::tree(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let read_only = tree.status != StrategyStatus::Draft;
    let page = edit_page(
        vision_frame(visitor, &tree, tree.version),
        vision_inputs(&tree.texts),
        FormErrors::new(),
        read_only,
    );
    Ok(answer(page))
}

async fn vision_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = db::strategy_edit::tree(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let texts = StrategyTexts {
        title: text(&pairs, "title"),
        motto: text(&pairs, "motto"),
        vision_statement: text(&pairs, "vision_statement"),
        vision_introduction: text(&pairs, "vision_introduction"),
    };
    let version = version_in(&pairs);
    let mut errors = FormErrors::new();
    required(&mut errors, "title", &texts.title, "einen Titel", 200);
    at_most(&mut errors, "motto", &texts.motto, 200);
    at_most(
        &mut errors,
        "vision_statement",
        &texts.vision_statement,
        2000,
    );
    at_most(
        &mut errors,
        "vision_introduction",
        &texts.vision_introduction,
        20_000,
    );
    let page = edit_page(
        vision_frame(visitor, &tree, version),
        vision_inputs(&texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result =
        db::strategy_edit::save_strategy(&state.db, id, version, &texts, current.user.id).await;
    let latest = async {
        db::strategy_edit::tree(&state.db, id)
            .await
            .ok()
            .flatten()
            .map(|tree| tree.version)
    };
    after_save(&state, result, page, id.0, latest, &tree).await
}

// ---- Pillars ----------------------------------------------------------------------------

fn pillar_inputs(texts: &PillarTexts) -> Vec<Input> {
    vec![
        Input::new("name", "Name", Control::Text, &texts.name),
        Input::new(
            "explanation",
            "Erläuterung",
            Control::Area(5),
            &texts.explanation,
        )
        .hint(MARKDOWN_HINT),
    ]
}

async fn pillar_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<PillarId>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Pillar(id)).await?;
    let pillar = tree
        .pillars
        .iter()
        .find(|pillar| pillar.id == id)
        .ok_or(AppError::NotFound)?;
    let page = edit_page(
        Frame {
            version: Some(pillar.version),
            ..frame(
                visitor,
                &tree,
                format!("Säule „{}“ bearbeiten", pillar.texts.name),
                format!("/strategie/saeulen/{id}/bearbeiten"),
            )
        },
        pillar_inputs(&pillar.texts),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn pillar_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<PillarId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Pillar(id)).await?;
    let pillar = tree
        .pillars
        .iter()
        .find(|pillar| pillar.id == id)
        .ok_or(AppError::NotFound)?;
    let texts = PillarTexts {
        name: text(&pairs, "name"),
        explanation: text(&pairs, "explanation"),
    };
    let version = version_in(&pairs);
    let mut errors = FormErrors::new();
    required(&mut errors, "name", &texts.name, "einen Namen", 100);
    at_most(&mut errors, "explanation", &texts.explanation, 5000);
    let page = edit_page(
        Frame {
            version: Some(version),
            ..frame(
                visitor,
                &tree,
                format!("Säule „{}“ bearbeiten", pillar.texts.name),
                format!("/strategie/saeulen/{id}/bearbeiten"),
            )
        },
        pillar_inputs(&texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result =
        db::strategy_edit::save_pillar(&state.db, id, version, &texts, current.user.id).await;
    let latest = async {
        tree_of(&state, Part::Pillar(id))
            .await
            .ok()
            .and_then(|tree| {
                tree.pillars
                    .iter()
                    .find(|pillar| pillar.id == id)
                    .map(|pillar| pillar.version)
            })
    };
    after_save(&state, result, page, id.0, latest, &tree).await
}

// ---- Action dimensions ------------------------------------------------------------------

fn dimension_inputs(texts: &DimensionTexts) -> Vec<Input> {
    vec![
        Input::new("name", "Name", Control::Text, &texts.name),
        Input::new(
            "description",
            "Beschreibung",
            Control::Area(6),
            &texts.description,
        )
        .hint(MARKDOWN_HINT),
        Input::new(
            "deferred",
            "In dieser Iteration zurückgestellt",
            Control::Check,
            if texts.deferred { "ja" } else { "" },
        ),
        Input::new(
            "deferral_note",
            "Begründung der Zurückstellung",
            Control::Area(3),
            texts.deferral_note.as_deref().unwrap_or(""),
        )
        .hint("Nur bei einer zurückgestellten Handlungsdimension."),
    ]
}

async fn dimension_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<ActionDimensionId>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Dimension(id)).await?;
    let dimension = tree
        .dimensions
        .iter()
        .find(|dimension| dimension.id == id)
        .ok_or(AppError::NotFound)?;
    let page = edit_page(
        Frame {
            version: Some(dimension.version),
            ..frame(
                visitor,
                &tree,
                format!("Handlungsdimension „{}“ bearbeiten", dimension.texts.name),
                format!("/strategie/dimensionen/{id}/bearbeiten"),
            )
        },
        dimension_inputs(&dimension.texts),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn dimension_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<ActionDimensionId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Dimension(id)).await?;
    let dimension = tree
        .dimensions
        .iter()
        .find(|dimension| dimension.id == id)
        .ok_or(AppError::NotFound)?;
    let deferred = checked(&pairs, "deferred");
    let texts = DimensionTexts {
        name: text(&pairs, "name"),
        description: text(&pairs, "description"),
        deferred,
        deferral_note: optional(text(&pairs, "deferral_note")),
    };
    let version = version_in(&pairs);
    let mut errors = FormErrors::new();
    required(&mut errors, "name", &texts.name, "einen Namen", 200);
    at_most(&mut errors, "description", &texts.description, 10_000);
    if deferred && texts.deferral_note.is_none() {
        errors.add(
            "deferral_note",
            "Bitte begründen Sie, warum die Handlungsdimension zurückgestellt wird.",
        );
    }
    at_most(
        &mut errors,
        "deferral_note",
        texts.deferral_note.as_deref().unwrap_or(""),
        2000,
    );
    let page = edit_page(
        Frame {
            version: Some(version),
            ..frame(
                visitor,
                &tree,
                format!("Handlungsdimension „{}“ bearbeiten", dimension.texts.name),
                format!("/strategie/dimensionen/{id}/bearbeiten"),
            )
        },
        dimension_inputs(&texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result =
        db::strategy_edit::save_dimension(&state.db, id, version, &texts, current.user.id).await;
    let latest = async {
        tree_of(&state, Part::Dimension(id))
            .await
            .ok()
            .and_then(|tree| {
                tree.dimensions
                    .iter()
                    .find(|dimension| dimension.id == id)
                    .map(|dimension| dimension.version)
            })
    };
    after_save(&state, result, page, id.0, latest, &tree).await
}

// ---- Fields -----------------------------------------------------------------------------

fn kind_choices() -> Vec<Choice> {
    vec![
        Choice::new("design_field", "Gestaltungsfeld"),
        Choice::new("cross_cutting_theme", "Querschnittsthema"),
    ]
}

fn kind_value(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::DesignField => "design_field",
        FieldKind::CrossCuttingTheme => "cross_cutting_theme",
    }
}

fn field_inputs(texts: &FieldTexts) -> Vec<Input> {
    vec![
        Input::new("name", "Name", Control::Text, &texts.name),
        Input::new(
            "kind",
            "Art",
            Control::Pick(kind_choices()),
            kind_value(texts.kind),
        ),
        Input::new(
            "section",
            "Abschnitt im Dokument",
            Control::Text,
            &texts.section,
        )
        .hint("Zum Beispiel „3.2.4“; darf leer bleiben."),
        Input::new(
            "description",
            "Beschreibung",
            Control::Area(10),
            &texts.description,
        )
        .hint(MARKDOWN_HINT),
    ]
}

fn field_texts(pairs: &[(String, String)], errors: &mut FormErrors) -> FieldTexts {
    let kind = match text(pairs, "kind").as_str() {
        "cross_cutting_theme" => FieldKind::CrossCuttingTheme,
        _ => FieldKind::DesignField,
    };
    let texts = FieldTexts {
        kind,
        section: text(pairs, "section"),
        name: text(pairs, "name"),
        description: text(pairs, "description"),
    };
    required(errors, "name", &texts.name, "einen Namen", 200);
    at_most(errors, "section", &texts.section, 20);
    at_most(errors, "description", &texts.description, 20_000);
    texts
}

async fn draft_tree(state: &AppState, id: StrategyId) -> Result<EditableTree, AppError> {
    db::strategy_edit::tree(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn new_field_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<StrategyId>,
) -> Result<Response, AppError> {
    let tree = draft_tree(&state, id).await?;
    let blank = FieldTexts {
        kind: FieldKind::DesignField,
        section: String::new(),
        name: String::new(),
        description: String::new(),
    };
    let page = edit_page(
        frame(
            visitor,
            &tree,
            "Feld hinzufügen".to_owned(),
            format!("/strategie/iterationen/{id}/felder/neu"),
        ),
        field_inputs(&blank),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn new_field_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = draft_tree(&state, id).await?;
    let mut errors = FormErrors::new();
    let texts = field_texts(&pairs, &mut errors);
    let page = edit_page(
        frame(
            visitor,
            &tree,
            "Feld hinzufügen".to_owned(),
            format!("/strategie/iterationen/{id}/felder/neu"),
        ),
        field_inputs(&texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result = db::strategy_edit::add_field(&state.db, id, &texts, current.user.id)
        .await
        .map(|_| ());
    after_save(&state, result, page, id.0, async { None }, &tree).await
}

async fn field_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<FieldId>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let field = tree.field(id).ok_or(AppError::NotFound)?;
    let page = edit_page(
        Frame {
            version: Some(field.version),
            ..frame(
                visitor,
                &tree,
                format!("„{}“ bearbeiten", field.texts.name),
                format!("/strategie/felder/{id}/bearbeiten"),
            )
        },
        field_inputs(&field.texts),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn field_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<FieldId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let field = tree.field(id).ok_or(AppError::NotFound)?;
    let version = version_in(&pairs);
    let mut errors = FormErrors::new();
    let texts = field_texts(&pairs, &mut errors);
    let page = edit_page(
        Frame {
            version: Some(version),
            ..frame(
                visitor,
                &tree,
                format!("„{}“ bearbeiten", field.texts.name),
                format!("/strategie/felder/{id}/bearbeiten"),
            )
        },
        field_inputs(&texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result =
        db::strategy_edit::save_field(&state.db, id, version, &texts, current.user.id).await;
    let latest = async {
        tree_of(&state, Part::Field(id))
            .await
            .ok()
            .and_then(|tree| tree.field(id).map(|field| field.version))
    };
    after_save(&state, result, page, id.0, latest, &tree).await
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    direction: String,
}

#[derive(Debug, Deserialize)]
pub struct RetireForm {
    #[serde(default)]
    version: i32,
    /// "ja": retire; anything else: bring back.
    #[serde(default)]
    retire: String,
}

fn direction(form: &MoveForm) -> Direction {
    if form.direction == "hoch" {
        Direction::Up
    } else {
        Direction::Down
    }
}

/// A button's write ended: back to the tree at the row, or the tree again saying why not.
async fn after_button(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    tree: StrategyId,
    result: Result<(), EditError>,
    anchor: String,
) -> Result<Response, AppError> {
    let notice = match result {
        Ok(()) => {
            return Ok(
                Redirect::to(&format!("/strategie/iterationen/{tree}#{anchor}")).into_response(),
            );
        }
        Err(EditError::Database(error)) => return Err(error.into()),
        Err(EditError::NotFound) => return Err(AppError::NotFound),
        Err(EditError::NotDraft) => READ_ONLY,
        Err(EditError::Conflict | EditError::NameTaken) => {
            "Nicht ausgeführt: Jemand anderes hat diesen Eintrag inzwischen geändert. Die Seite \
             zeigt jetzt den aktuellen Stand; bitte prüfen Sie ihn und versuchen Sie es erneut."
        }
    };
    let page = shown_tree(state, visitor, current, tree, Some(notice)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

async fn field_move(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<FieldId>,
    axum::Form(form): axum::Form<MoveForm>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let result =
        db::strategy_edit::move_field(&state.db, id, direction(&form), current.user.id).await;
    after_button(
        &state,
        visitor,
        &current,
        tree.id,
        result,
        format!("feld-{id}"),
    )
    .await
}

async fn field_retire(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<FieldId>,
    axum::Form(form): axum::Form<RetireForm>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let result = db::strategy_edit::set_field_retired(
        &state.db,
        id,
        form.version,
        form.retire == "ja",
        current.user.id,
    )
    .await;
    after_button(
        &state,
        visitor,
        &current,
        tree.id,
        result,
        format!("feld-{id}"),
    )
    .await
}

// ---- Goals ------------------------------------------------------------------------------

fn field_choices(tree: &EditableTree) -> Vec<Choice> {
    tree.fields
        .iter()
        .filter(|field| !field.retired)
        .map(|field| {
            Choice::new(
                field.id.to_string(),
                format!("{}: {}", field.texts.kind.label(), field.texts.name),
            )
        })
        .collect()
}

fn goal_inputs(tree: &EditableTree, texts: &GoalTexts) -> Vec<Input> {
    vec![
        Input::new(
            "statement",
            "Zielformulierung",
            Control::Area(4),
            &texts.statement,
        )
        .hint("Wie in der Strategie: „Wir …“."),
        Input::new(
            "field_id",
            "Gestaltungsfeld oder Querschnittsthema",
            Control::Pick(field_choices(tree)),
            &texts.field_id.to_string(),
        )
        .hint("Ein anderes Feld verschiebt das Ziel dorthin, an das Ende."),
        Input::new(
            "note",
            "Erläuterung",
            Control::Area(5),
            texts.note.as_deref().unwrap_or(""),
        )
        .hint("Darf leer bleiben."),
    ]
}

fn goal_texts(
    tree: &EditableTree,
    pairs: &[(String, String)],
    fallback: FieldId,
    errors: &mut FormErrors,
) -> GoalTexts {
    let field_id = text(pairs, "field_id")
        .parse::<FieldId>()
        .ok()
        .filter(|id| tree.field(*id).is_some_and(|field| !field.retired));
    if field_id.is_none() {
        errors.add(
            "field_id",
            "Bitte wählen Sie ein Feld dieser Iteration, das nicht entfällt.",
        );
    }
    let texts = GoalTexts {
        field_id: field_id.unwrap_or(fallback),
        statement: text(pairs, "statement"),
        note: optional(text(pairs, "note")),
    };
    required(
        errors,
        "statement",
        &texts.statement,
        "die Zielformulierung",
        1000,
    );
    at_most(errors, "note", texts.note.as_deref().unwrap_or(""), 10_000);
    texts
}

async fn new_goal_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<FieldId>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let field = tree.field(id).ok_or(AppError::NotFound)?;
    let blank = GoalTexts {
        field_id: id,
        statement: String::new(),
        note: None,
    };
    let page = edit_page(
        frame(
            visitor,
            &tree,
            format!("Ziel in „{}“ hinzufügen", field.texts.name),
            format!("/strategie/felder/{id}/ziele/neu"),
        ),
        goal_inputs(&tree, &blank),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn new_goal_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<FieldId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Field(id)).await?;
    let field = tree.field(id).ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::new();
    let texts = goal_texts(&tree, &pairs, id, &mut errors);
    let page = edit_page(
        frame(
            visitor,
            &tree,
            format!("Ziel in „{}“ hinzufügen", field.texts.name),
            format!("/strategie/felder/{id}/ziele/neu"),
        ),
        goal_inputs(&tree, &texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result = db::strategy_edit::add_goal(&state.db, &texts, current.user.id)
        .await
        .map(|_| ());
    after_save(&state, result, page, id.0, async { None }, &tree).await
}

async fn goal_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(id): Id<GoalId>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Goal(id)).await?;
    let (field, goal) = tree.goal(id).ok_or(AppError::NotFound)?;
    let page = edit_page(
        Frame {
            version: Some(goal.version),
            ..frame(
                visitor,
                &tree,
                format!(
                    "Ziel {} in „{}“ bearbeiten",
                    goal.position, field.texts.name
                ),
                format!("/strategie/ziele/{id}/bearbeiten"),
            )
        },
        goal_inputs(&tree, &goal.texts),
        FormErrors::new(),
        tree.status != StrategyStatus::Draft,
    );
    Ok(answer(page))
}

async fn goal_save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<GoalId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Goal(id)).await?;
    let (field, goal) = tree.goal(id).ok_or(AppError::NotFound)?;
    let version = version_in(&pairs);
    let mut errors = FormErrors::new();
    let texts = goal_texts(&tree, &pairs, field.id, &mut errors);
    let page = edit_page(
        Frame {
            version: Some(version),
            ..frame(
                visitor,
                &tree,
                format!(
                    "Ziel {} in „{}“ bearbeiten",
                    goal.position, field.texts.name
                ),
                format!("/strategie/ziele/{id}/bearbeiten"),
            )
        },
        goal_inputs(&tree, &texts),
        errors,
        false,
    );
    if tree.status != StrategyStatus::Draft {
        return Ok(answer(read_only(page)));
    }
    if !page.errors.is_empty() {
        return Ok(answer(page));
    }
    let result =
        db::strategy_edit::save_goal(&state.db, id, version, &texts, current.user.id).await;
    let latest = async {
        tree_of(&state, Part::Goal(id))
            .await
            .ok()
            .and_then(|tree| tree.goal(id).map(|(_, goal)| goal.version))
    };
    after_save(&state, result, page, id.0, latest, &tree).await
}

async fn goal_move(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<GoalId>,
    axum::Form(form): axum::Form<MoveForm>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Goal(id)).await?;
    let result =
        db::strategy_edit::move_goal(&state.db, id, direction(&form), current.user.id).await;
    after_button(
        &state,
        visitor,
        &current,
        tree.id,
        result,
        format!("ziel-{id}"),
    )
    .await
}

async fn goal_retire(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<GoalId>,
    axum::Form(form): axum::Form<RetireForm>,
) -> Result<Response, AppError> {
    let tree = tree_of(&state, Part::Goal(id)).await?;
    let result = db::strategy_edit::set_goal_retired(
        &state.db,
        id,
        form.version,
        form.retire == "ja",
        current.user.id,
    )
    .await;
    after_button(
        &state,
        visitor,
        &current,
        tree.id,
        result,
        format!("ziel-{id}"),
    )
    .await
}
