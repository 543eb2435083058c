//! Proposing a measure and editing it: one form, re-rendered with the input and the errors next
//! to the fields when something is wrong; a form sent twice creates one measure; a save over
//! someone else's newer save is refused with 409 and shows what changed in between.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::changes::{changes, input_from};
use crate::db;
use crate::db::history::HistoryEntry;
use crate::db::measure_details::MeasureDetail;
use crate::db::measures::{Referenced, Similar, WriteError};
use crate::domain::ids::{GoalId, MeasureId};
use crate::domain::lifecycle::{self, MeasureFacts, Status};
use crate::domain::measure::{self, MaturityModel, MeasureData, MeasureInput, Source};
use crate::domain::office::Office;
use crate::domain::strategy::StrategyTree;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::{self, Choice, FormErrors};
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/form.html")]
pub struct FormPage {
    pub shell: Shell,
    pub input: MeasureInput,
    pub errors: FormErrors,
    pub tree: Option<Arc<StrategyTree>>,
    pub offices: [Office; 8],
    pub sources: [Source; 4],
    pub action: String,
    /// New measures: the form's one-time key.
    pub submission_key: Option<String>,
    /// Edits: the version the form was filled from.
    pub version: Option<i32>,
    /// Edits: the fields as that version had them (`forms::encode_pairs`), for a three-way
    /// merge should someone else save in between.
    pub basis: Option<String>,
    /// Edits: the measure's number.
    pub number: Option<i64>,
    /// After a 409: what others changed since the form was filled.
    pub conflict: Vec<HistoryEntry>,
    /// Measures that look alike, shown before submitting so the proposer can support one.
    pub similar: Vec<Similar>,
    /// The similar measures were shown; the next "Einreichen" submits.
    pub checked: bool,
}

impl FormPage {
    /// The model the form offers the maturity levels in: the measure's own (1.1 levels stay
    /// readable as such), else the one in force.
    pub fn maturity_model(&self) -> MaturityModel {
        MaturityModel::from_slug(&self.input.maturity_model).unwrap_or(MaturityModel::CURRENT)
    }

    pub fn maturity_choices(&self) -> Vec<Choice> {
        self.maturity_model()
            .levels()
            .iter()
            .map(|level| {
                Choice::new(
                    level.value.to_string(),
                    format!("{} – {}", level.value, level.name),
                )
            })
            .collect()
    }

    pub fn maturity_hint(&self) -> String {
        format!("Nach dem {}.", self.maturity_model().label())
    }

    /// How many of `field`'s goals the input has chosen.
    pub fn chosen_in(&self, field: &crate::domain::strategy::Field) -> usize {
        field
            .goals
            .iter()
            .filter(|goal| self.input.has_goal(&goal.id))
            .count()
    }

    pub fn heading(&self) -> String {
        match self.number {
            Some(number) => format!("Maßnahme M-{number} bearbeiten"),
            None => "Maßnahme vorschlagen".to_owned(),
        }
    }
}

fn known_goals(tree: Option<&StrategyTree>) -> Vec<GoalId> {
    tree.map(|tree| {
        tree.fields
            .iter()
            .flat_map(|field| field.goals.iter().map(|goal| goal.id))
            .collect()
    })
    .unwrap_or_default()
}

pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<FormPage, AppError> {
    let tree = state.strategy.current_tree(&state.db).await?;
    Ok(FormPage {
        shell: shell(visitor, "Maßnahme vorschlagen"),
        input: MeasureInput {
            lead_office: String::new(),
            source: Source::StaffProposal.slug().to_owned(),
            ..MeasureInput::default()
        },
        errors: FormErrors::new(),
        tree,
        offices: Office::ALL,
        sources: Source::ALL,
        action: "/massnahmen/neu".to_owned(),
        submission_key: Some(uuid::Uuid::new_v4().to_string()),
        version: None,
        basis: None,
        number: None,
        conflict: Vec::new(),
        similar: Vec::new(),
        checked: false,
    })
}

fn shell(visitor: Visitor, title: &str) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Measures)
        .crumb("Maßnahmen", "/massnahmen")
        .here(title)
}

fn problems_to_errors(problems: Vec<measure::FieldProblem>) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, message) in problems {
        if errors.for_field(field).is_none() {
            errors.add(field, message);
        }
    }
    errors
}

fn write_error(error: WriteError) -> Result<FormErrors, AppError> {
    match error {
        WriteError::UnknownDependencies(numbers) => {
            let list: Vec<String> = numbers.iter().map(|number| format!("M-{number}")).collect();
            Ok(FormErrors::one(
                "depends_on",
                format!("Diese Maßnahmen gibt es nicht: {}.", list.join(", ")),
            ))
        }
        WriteError::DependsOnItself => Ok(FormErrors::one(
            "depends_on",
            "Eine Maßnahme kann nicht von sich selbst abhängen.",
        )),
        WriteError::Database(error) => Err(error.into()),
    }
}

/// What the proposal form sends besides the measure: which button, the one-time key, and
/// whether the similar measures were already shown.
struct Proposal {
    input: MeasureInput,
    action: String,
    key: uuid::Uuid,
    checked: bool,
}

impl Proposal {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        Self {
            input: MeasureInput::from_pairs(pairs),
            action: value("aktion").unwrap_or_default().to_owned(),
            key: value("submission_key")
                .and_then(|key| key.parse().ok())
                .unwrap_or_else(uuid::Uuid::new_v4),
            checked: value("geprueft") == Some("ja"),
        }
    }

    fn submits(&self) -> bool {
        self.action == "einreichen"
    }

    /// Whether to show the similar measures first: on request, and before a first submission
    /// (supporting an existing measure is often better than proposing it again).
    fn looks_for_similar(&self) -> bool {
        self.action == "pruefen" || (self.submits() && !self.checked)
    }

    fn page(
        &self,
        visitor: Visitor,
        errors: FormErrors,
        tree: Option<Arc<StrategyTree>>,
        similar: Vec<Similar>,
    ) -> FormPage {
        FormPage {
            shell: shell(visitor, "Maßnahme vorschlagen"),
            input: self.input.clone(),
            errors,
            tree,
            offices: Office::ALL,
            sources: Source::ALL,
            action: "/massnahmen/neu".to_owned(),
            submission_key: Some(self.key.to_string()),
            version: None,
            basis: None,
            number: None,
            conflict: Vec::new(),
            checked: !similar.is_empty() || self.checked,
            similar,
        }
    }
}

/// The input checked: the content's rules, and a goal for anything beyond a draft.
fn checked_data(
    input: &MeasureInput,
    tree: Option<&StrategyTree>,
    recorded_model: Option<MaturityModel>,
    needs_goal: bool,
) -> Result<MeasureData, FormErrors> {
    let data =
        measure::parse(input, &known_goals(tree), recorded_model).map_err(problems_to_errors)?;
    if needs_goal && data.goals.is_empty() {
        return Err(FormErrors::one(
            "goals",
            lifecycle::Refusal::GoalRequired.message(),
        ));
    }
    Ok(data)
}

fn unprocessable(page: FormPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let proposal = Proposal::from_pairs(&pairs);
    let tree = state.strategy.current_tree(&state.db).await?;
    let data = match checked_data(&proposal.input, tree.as_deref(), None, proposal.submits()) {
        Ok(data) => data,
        Err(errors) => return Ok(unprocessable(proposal.page(visitor, errors, tree, vec![]))),
    };
    if proposal.looks_for_similar() {
        let text = format!("{} {}", data.title, data.summary);
        let similar = db::measures::similar(&state.db, &text).await?;
        if proposal.action == "pruefen" || !similar.is_empty() {
            let page = proposal.page(visitor, FormErrors::new(), tree, similar);
            return Ok(page.into_response());
        }
    }
    let status = if proposal.submits() {
        Status::Submitted
    } else {
        Status::Draft
    };
    let key = proposal.key;
    match db::measures::create(&state.db, &data, current.user.id, status, key).await {
        Ok(id) => Ok(Redirect::to(&format!("/massnahmen/{id}")).into_response()),
        Err(error) => {
            let errors = write_error(error)?;
            Ok(unprocessable(proposal.page(visitor, errors, tree, vec![])))
        }
    }
}

/// The measure if `current` may edit it.
async fn editable(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
) -> Result<MeasureDetail, AppError> {
    let mut detail = db::measure_details::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = detail.row.author_id == Some(current.user.id);
    if !lifecycle::may_view(detail.row.status, author) {
        return Err(AppError::NotFound);
    }
    let facts = MeasureFacts {
        status: detail.row.status,
        lead_office: detail.row.lead_office,
        author_is_actor: author,
        goal_count: detail.goals.len(),
    };
    if !lifecycle::may_edit(&current.user.actor(), facts) {
        return Err(AppError::Forbidden);
    }
    // The form shows, and the save replaces, only the dependencies this person may see.
    detail.depends_on = detail.dependencies_for(current.user.id);
    Ok(detail)
}

pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
) -> Result<FormPage, AppError> {
    let detail = editable(&state, &current, id).await?;
    let tree = state.strategy.current_tree(&state.db).await?;
    let input = input_from(&detail);
    let basis = Basis::of(&input);
    Ok(edit_page(
        visitor,
        &detail,
        input,
        FormErrors::new(),
        tree,
        (detail.row.version, basis),
        Vec::new(),
    ))
}

/// The fields as the version the form was opened from had them.
struct Basis(String);

impl Basis {
    fn of(input: &MeasureInput) -> Self {
        Self(forms::encode_pairs(&input.to_pairs()))
    }

    /// As the form sent it back, read as the form reads its fields.
    fn sent(pairs: &[(String, String)]) -> Option<forms::Pairs> {
        let text = pairs.iter().find(|(key, _)| key == "basis")?;
        let base = forms::decode_pairs(&text.1)?;
        Some(MeasureInput::from_pairs(&base).to_pairs())
    }
}

fn edit_page(
    visitor: Visitor,
    detail: &MeasureDetail,
    input: MeasureInput,
    errors: FormErrors,
    tree: Option<Arc<StrategyTree>>,
    (version, basis): (i32, Basis),
    conflict: Vec<HistoryEntry>,
) -> FormPage {
    let title = format!("M-{} bearbeiten", detail.row.number);
    FormPage {
        shell: Shell::new(visitor, title.clone())
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .crumb(
                format!("M-{}", detail.row.number),
                format!("/massnahmen/{}", detail.row.id),
            )
            .here("Bearbeiten"),
        input,
        errors,
        tree,
        offices: Office::ALL,
        sources: Source::ALL,
        action: format!("/massnahmen/{}/bearbeiten", detail.row.id),
        submission_key: None,
        version: Some(version),
        basis: Some(basis.0),
        number: Some(detail.row.number),
        conflict,
        similar: Vec::new(),
        checked: true,
    }
}

pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<MeasureId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let before = editable(&state, &current, id).await?;
    let mut input = MeasureInput::from_pairs(&pairs);
    let mut version: i32 = pairs
        .iter()
        .find(|(key, _)| key == "version")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    // What the version the input is based on had: sent with the form, or after a merge below
    // the version merged onto.
    let mut basis_pairs = Basis::sent(&pairs);
    let tree = state.strategy.current_tree(&state.db).await?;
    if version != before.row.version {
        // Someone saved in between: take over what only they changed, keep what only this
        // person changed, and stop at fields both changed.
        let (merged_input, theirs, merged) = merge_onto(basis_pairs.as_ref(), &input, &before);
        if !merged.collisions.is_empty() {
            let theirs = (version, theirs);
            return collision(
                &state,
                visitor,
                &before,
                merged_input,
                tree,
                theirs,
                &merged,
            )
            .await;
        }
        (input, version) = (merged_input, before.row.version);
        basis_pairs = Some(theirs.to_pairs());
    }
    let basis = match &basis_pairs {
        Some(base) => Basis(forms::encode_pairs(base)),
        None => Basis::of(&input_from(&before)),
    };
    // The form again with what is wrong, the input kept.
    let invalid = |visitor, input, errors, tree| {
        let page = edit_page(
            visitor,
            &before,
            input,
            errors,
            tree,
            (version, basis),
            vec![],
        );
        unprocessable(page)
    };
    let needs_goal = before.row.status != Status::Draft;
    let recorded = before.row.maturity_model;
    let data = match checked_data(&input, tree.as_deref(), recorded, needs_goal) {
        Ok(data) => data,
        Err(errors) => return Ok(invalid(visitor, input, errors, tree)),
    };
    let describe =
        |dependencies: &[Referenced]| changes(&before, &data, dependencies, tree.as_deref());
    match db::measures::save(&state.db, id, version, &data, current.user.id, describe).await {
        Ok(Some(_)) => Ok(Redirect::to(&format!("/massnahmen/{id}")).into_response()),
        Ok(None) => {
            // Saved by someone else between reading and writing: merge against that.
            let now = editable(&state, &current, id).await?;
            let (input, theirs, merged) = merge_onto(basis_pairs.as_ref(), &input, &now);
            collision(
                &state,
                visitor,
                &now,
                input,
                tree,
                (version, theirs),
                &merged,
            )
            .await
        }
        Err(error) => {
            let errors = write_error(error)?;
            Ok(invalid(visitor, input, errors, tree))
        }
    }
}

/// `input` merged onto the measure as it is `now` (see [`forms::merge`]): the merged input,
/// the measure's own, and what the merge found.
fn merge_onto(
    basis: Option<&forms::Pairs>,
    input: &MeasureInput,
    now: &MeasureDetail,
) -> (MeasureInput, MeasureInput, forms::Merged) {
    let theirs = input_from(now);
    let merged = forms::merge(basis, &input.to_pairs(), &theirs.to_pairs());
    (MeasureInput::from_pairs(&merged.pairs), theirs, merged)
}

/// Both saved the same field differently: the form again (409) with the other person's values
/// taken over where only they changed something, this person's input in the fields both
/// changed, each marked with the value saved in between, and the list of what changed. The
/// next save is against the current version and applies what the form then holds.
async fn collision(
    state: &AppState,
    visitor: Visitor,
    now: &MeasureDetail,
    input: MeasureInput,
    tree: Option<Arc<StrategyTree>>,
    (version, theirs): (i32, MeasureInput),
    merged: &forms::Merged,
) -> Result<Response, AppError> {
    let changed = db::history::history(&state.db, now.row.id, version).await?;
    let who = changed
        .iter()
        .rev()
        .find_map(|entry| entry.actor_name.clone())
        .unwrap_or_else(|| "jemand anderes".to_owned());
    let their_pairs = theirs.to_pairs();
    let mut errors = FormErrors::new();
    for field in &merged.collisions {
        let values: Vec<&str> = their_pairs
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
            .collect();
        let (key, message) = collision_message(field, &values, &who);
        if errors.for_field(key).is_none() {
            errors.add(key, message);
        }
    }
    let page = edit_page(
        visitor,
        now,
        input,
        errors,
        tree,
        (now.row.version, Basis::of(&theirs)),
        changed,
    );
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// Where the form shows a collision in `field`, and what it says: the value saved in between.
fn collision_message<'a>(field: &'a str, theirs: &[&str], who: &str) -> (&'a str, String) {
    const KEEP: &str = "Im Feld steht Ihre Eingabe; sie gilt, wenn Sie erneut speichern.";
    let shown = |value: &str| -> String {
        let text: String = value.chars().take(300).collect();
        if text.len() < value.len() {
            format!("„{text}…“")
        } else if text.is_empty() {
            "leer".to_owned()
        } else {
            format!("„{text}“")
        }
    };
    let one = theirs.first().copied().unwrap_or_default();
    // Every field shows its message next to it; the hidden model, next to its levels.
    let key = if field == "maturity_model" {
        "maturity_now"
    } else {
        field
    };
    let message = match key {
        "goals" | "participating_offices" => format!(
            "Auch {who} hat diese Auswahl inzwischen geändert (siehe „Inzwischen geändert“ oben). \
             {KEEP}"
        ),
        "quick_win" => format!(
            "Auch {who} hat dieses Kennzeichen inzwischen {}. {KEEP}",
            if one == "ja" { "gesetzt" } else { "entfernt" }
        ),
        "lead_office" => format!(
            "Auch {who} hat dieses Feld inzwischen geändert, auf: {}. {KEEP}",
            Office::from_slug(one).map_or_else(|| shown(one), |office| office.label().to_owned())
        ),
        "source" => format!(
            "Auch {who} hat dieses Feld inzwischen geändert, auf: {}. {KEEP}",
            Source::from_slug(one).map_or_else(|| shown(one), |source| source.label().to_owned())
        ),
        _ => format!(
            "Auch {who} hat dieses Feld inzwischen geändert, auf: {}. {KEEP}",
            shown(one)
        ),
    };
    (key, message)
}
