//! Importing an existing PriMa list (`/massnahmen/import`), a wizard of four steps, each a page
//! that works with the keyboard and without JavaScript:
//!
//! 1. upload a CSV, XLSX or ODS file (read and checked by `crate::import`; a refusal comes back
//!    next to the file field);
//! 2. map the file's columns to PriMa's fields (guessed from the headings or taken from a saved
//!    mapping; the mapping can be saved under a name);
//! 3. the preview: every row checked as the measure form checks it, each problem named with its
//!    row and column; for each good row the similar measures PriMa already has, and the choice
//!    to create, merge into one of them, or skip;
//! 4. commit: everything chosen in one transaction, or nothing; the import is listed with its
//!    file name and counts, and every measure it touched names the file and row in its history.
//!
//! Only whoever uploaded a list sees its import.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db;
use crate::db::imports::{Comparable, Counts, Decision, Import, Listed};
use crate::db::measures::Similar;
use crate::db::rounds::OpenRound;
use crate::domain::ids::RoundId;
use crate::domain::lifecycle::may_edit;
use crate::domain::measure::MeasureData;
use crate::domain::permissions::{Actor, Permission};
use crate::domain::prioritisation::rounds::Rating;
use crate::domain::roles::Role;
use crate::import::mapping::{self, Context, Mapping, Problem, TARGETS, Target};
use crate::import::similar::Index;
use crate::import::{Limits, Row};
use crate::web::AppState;
use crate::web::csrf::{MAX_UPLOAD_BYTES, OversizeUpload, UPLOAD_PATH};
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

const OWN: &str = "an import only for whoever uploaded it";

pub fn routes() -> Vec<Route> {
    use Permission::Assess as P;
    vec![
        Route::get(UPLOAD_PATH, P, upload_page),
        Route::post(UPLOAD_PATH, P, upload),
        Route::get("/massnahmen/import/{id}", P, mapping_page).checking(OWN),
        Route::post("/massnahmen/import/{id}", P, save_mapping).checking(OWN),
        Route::get("/massnahmen/import/{id}/vorschau", P, preview_page).checking(OWN),
        Route::post("/massnahmen/import/{id}/vorschau", P, commit).checking(OWN),
    ]
}

// ---------------------------------------------------------------------------------------
// Step 1: upload

#[derive(Debug, Template, WebTemplate)]
#[template(path = "imports/upload.html")]
pub struct UploadPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub mappings: Vec<String>,
    pub chosen_mapping: String,
    pub imports: Vec<Listed>,
    pub keep_days: u64,
}

impl UploadPage {
    pub fn moment(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::domain::time::local(at)
    }
}

async fn upload_form(
    state: &AppState,
    visitor: Visitor,
    errors: FormErrors,
    chosen_mapping: String,
) -> Result<UploadPage, AppError> {
    let (mappings, imports) = tokio::try_join!(
        db::imports::saved_mappings(&state.db),
        db::imports::recent(&state.db, 20),
    )?;
    Ok(UploadPage {
        shell: Shell::new(visitor, "Maßnahmen aus einer Liste übernehmen")
            .in_section(Section::Measures)
            .crumb("Maßnahmen", "/massnahmen")
            .here("Liste übernehmen"),
        errors,
        mappings: mappings.into_iter().map(|(name, _)| name).collect(),
        chosen_mapping,
        imports,
        keep_days: state.settings.keep_files_days(),
    })
}

pub async fn upload_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<UploadPage, AppError> {
    upload_form(&state, visitor, FormErrors::new(), String::new()).await
}

/// Reads an uploaded file off the async threads: at most [`READING_AT_ONCE`] at a time per
/// instance (each may use up to its limits of memory), and the answer comes within the limits'
/// deadline whatever happens – the reading itself checks that deadline at every step, and it
/// keeps its place until it has really ended.
async fn read_file(
    state: &AppState,
    file_name: String,
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<Result<crate::import::Table, crate::import::Refusal>, AppError> {
    let deadline = tokio::time::Instant::now() + limits.max_time;
    let place = tokio::time::timeout_at(deadline, Arc::clone(&state.uploads).acquire_owned())
        .await
        .map_err(|_| AppError::Busy(std::time::Duration::from_secs(10)))?
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?;
    let limits = Limits {
        max_time: deadline.saturating_duration_since(tokio::time::Instant::now()),
        ..limits.clone()
    };
    let reading = tokio::task::spawn_blocking(move || {
        let _place = place;
        crate::import::read(&file_name, &bytes, &limits)
    });
    // A little beyond the deadline: the reading refuses by itself at the next check.
    match tokio::time::timeout_at(deadline + std::time::Duration::from_secs(1), reading).await {
        Ok(read) => read.map_err(|error| AppError::Internal(anyhow::anyhow!(error))),
        Err(_) => Ok(Err(crate::import::Refusal::TooSlow)),
    }
}

/// Uploads read at the same time per instance.
pub const READING_AT_ONCE: usize = 2;

/// The fields of an upload form.
#[derive(Debug, Default)]
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    mapping: String,
}

async fn read_upload(request: Request) -> Option<Upload> {
    let boundary = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| multer::parse_boundary(value).ok())?;
    let bytes = to_bytes(request.into_body(), MAX_UPLOAD_BYTES).await.ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut upload = Upload::default();
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("datei") => {
                upload.file_name = field
                    .file_name()
                    .map(|name| name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned())
                    .unwrap_or_default();
                upload.bytes = field.bytes().await.ok()?.to_vec();
            }
            Some("vorlage") => upload.mapping = field.text().await.ok()?,
            _ => {}
        }
    }
    Some(upload)
}

pub async fn upload(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    request: Request,
) -> Result<Response, AppError> {
    let limits = Limits::default();
    let refuse = |message: String, mapping: String| async {
        let page = upload_form(
            &state,
            visitor.clone(),
            FormErrors::one("datei", message),
            mapping,
        )
        .await?;
        Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if request.extensions().get::<OversizeUpload>().is_some() {
        let message = crate::import::Refusal::TooLarge(MAX_UPLOAD_BYTES).message(&limits);
        return refuse(message, String::new()).await;
    }
    let Some(upload) = read_upload(request).await else {
        return refuse(
            "Die Datei kam nicht vollständig an. Bitte versuchen Sie es erneut.".to_owned(),
            String::new(),
        )
        .await;
    };
    if upload.file_name.is_empty() && upload.bytes.is_empty() {
        return refuse(
            "Bitte wählen Sie eine Datei aus.".to_owned(),
            upload.mapping,
        )
        .await;
    }
    let file_name = upload.file_name.clone();
    let table = match read_file(&state, upload.file_name, upload.bytes, &limits).await? {
        Ok(table) if table.rows.is_empty() => {
            return refuse(
                "Die Liste enthält unter der Überschriftenzeile keine Zeile.".to_owned(),
                upload.mapping,
            )
            .await;
        }
        Ok(table) => table,
        Err(refusal) => {
            tracing::info!(%refusal, file = %file_name, "refused an upload");
            return refuse(refusal.message(&limits), upload.mapping).await;
        }
    };
    let id = db::imports::create(&state.db, &file_name, current.user.id, &table).await?;
    // A saved mapping chosen with the upload applies at once; otherwise the headings decide.
    let saved = db::imports::saved_mappings(&state.db).await?;
    let chosen = saved
        .iter()
        .find(|(name, _)| *name == upload.mapping)
        .map(|(_, columns)| mapping::from_saved(columns, &table.headings));
    let rounds = db::rounds::open_rounds(&state.db).await?;
    let mapping =
        chosen.unwrap_or_else(|| mapping::guess(&table.headings, &criterion_names(&rounds)));
    let round = round_for(&rounds, &mapping);
    db::imports::set_mapping(&state.db, id, &mapping, round).await?;
    Ok(Redirect::to(&format!("/massnahmen/import/{id}")).into_response())
}

/// The criteria of the open rounds, each name once, in the order of their catalogues.
fn criterion_names(rounds: &[OpenRound]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in rounds.iter().flat_map(|round| &round.criteria) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The names of the criteria `mapping` maps.
fn mapped_criteria(mapping: &Mapping) -> Vec<&str> {
    mapping
        .keys()
        .filter_map(|key| mapping::criterion_of(key))
        .collect()
}

/// The newest open round whose catalogue has every criterion `mapping` maps (none when it
/// maps none).
fn round_for(rounds: &[OpenRound], mapping: &Mapping) -> Option<RoundId> {
    let wanted = mapped_criteria(mapping);
    if wanted.is_empty() {
        return None;
    }
    rounds
        .iter()
        .find(|round| {
            wanted
                .iter()
                .all(|name| round.criteria.iter().any(|criterion| criterion == name))
        })
        .map(|round| round.id)
}

async fn own_import(
    state: &AppState,
    current: &CurrentUser,
    id: uuid::Uuid,
) -> Result<Import, AppError> {
    db::imports::find(&state.db, id)
        .await?
        .filter(|import| import.owner_id == current.user.id)
        .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------
// Step 2: the mapping (and, once committed, the result)

#[derive(Debug, Template, WebTemplate)]
#[template(path = "imports/mapping.html")]
pub struct MappingPage {
    pub shell: Shell,
    pub import: Import,
    pub mapping: Mapping,
    pub errors: FormErrors,
    pub save_as: String,
    /// The open rounds the criterion columns can go into.
    pub rounds: Vec<OpenRound>,
    pub round: Option<RoundId>,
    /// Once committed: the round the assessments went into, and how many.
    pub assessed: Option<(String, i64)>,
}

/// A criterion on the mapping page: its form name, a position for ids, its name.
#[derive(Debug)]
pub struct CriterionChoice {
    pub key: String,
    pub position: usize,
    pub name: String,
}

impl MappingPage {
    pub fn targets(&self) -> &'static [Target] {
        &TARGETS
    }

    pub fn criteria(&self) -> Vec<CriterionChoice> {
        criterion_names(&self.rounds)
            .into_iter()
            .enumerate()
            .map(|(position, name)| CriterionChoice {
                key: mapping::criterion_key(&name),
                position: position + 1,
                name,
            })
            .collect()
    }

    pub fn is_mapped(&self, key: &str, index: &usize) -> bool {
        self.mapping.get(key) == Some(index)
    }

    pub fn is_round(&self, round: &OpenRound) -> bool {
        self.round == Some(round.id)
    }

    pub fn headings(&self) -> &[String] {
        &self.import.headings.0
    }

    pub fn is_chosen(&self, target: &Target, index: &usize) -> bool {
        self.mapping.get(target.key) == Some(index)
    }

    /// The first values of a column, as a hint of what it holds.
    pub fn example(&self, index: &usize) -> String {
        let values: Vec<&str> = self
            .import
            .rows
            .0
            .iter()
            .filter_map(|row| row.cells.get(*index).map(String::as_str))
            .filter(|value| !value.is_empty())
            .take(2)
            .collect();
        let text = values.join(" · ");
        if text.chars().count() > 60 {
            format!("{}…", text.chars().take(60).collect::<String>())
        } else {
            text
        }
    }

    pub fn committed(&self) -> bool {
        self.import.committed_at.is_some()
    }

    /// When the uploaded rows were removed after the retention time.
    pub fn table_removed_on(&self) -> Option<String> {
        self.import
            .table_removed_at
            .as_ref()
            .map(crate::domain::time::local)
    }

    pub fn committed_on(&self) -> String {
        self.import
            .committed_at
            .as_ref()
            .map(crate::domain::time::local)
            .unwrap_or_default()
    }
}

/// The frame of the wizard's pages after the upload.
fn wizard_shell(visitor: Visitor, title: String) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Measures)
        .crumb("Maßnahmen", "/massnahmen")
        .crumb("Liste übernehmen", UPLOAD_PATH)
}

fn mapping_shell(visitor: Visitor, import: &Import) -> Shell {
    let here = if import.committed_at.is_some() {
        "Übernommen"
    } else {
        "Spalten zuordnen"
    };
    wizard_shell(visitor, format!("Liste „{}“ übernehmen", import.file_name)).here(here)
}

pub async fn mapping_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
) -> Result<MappingPage, AppError> {
    let import = own_import(&state, &current, id).await?;
    let mapping = import
        .mapping
        .as_ref()
        .map(|json| json.0.clone())
        .unwrap_or_default();
    let (rounds, assessed) = if import.committed_at.is_some() {
        (Vec::new(), db::imports::assessed(&state.db, id).await?)
    } else {
        (db::rounds::open_rounds(&state.db).await?, None)
    };
    // Without a choice yet: the newest open round, should criterion columns be chosen.
    let round = import
        .round_id
        .or_else(|| rounds.first().map(|round| round.id));
    Ok(MappingPage {
        shell: mapping_shell(visitor, &import),
        import,
        mapping,
        errors: FormErrors::new(),
        save_as: String::new(),
        rounds,
        round,
        assessed,
    })
}

pub async fn save_mapping(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let import = own_import(&state, &current, id).await?;
    if import.committed_at.is_some() {
        return Ok(Redirect::to(&format!("/massnahmen/import/{id}")).into_response());
    }
    let columns = import.headings.0.len();
    let rounds = db::rounds::open_rounds(&state.db).await?;
    let offered = criterion_names(&rounds);
    let mut chosen = Mapping::new();
    let mut save_as = String::new();
    let mut round_sent = String::new();
    for (key, value) in &pairs {
        if key == "speichern_als" {
            save_as = value.trim().to_owned();
        } else if key == "runde" {
            round_sent = value.clone();
        } else if (mapping::target_of(key).is_some()
            || mapping::criterion_of(key).is_some_and(|name| offered.iter().any(|o| o == name)))
            && let Ok(index) = value.parse::<usize>()
            && index < columns
        {
            chosen.insert(key.clone(), index);
        }
    }
    let round = rounds
        .iter()
        .find(|round| round.id.to_string() == round_sent);
    let mut errors = FormErrors::new();
    if !chosen.contains_key("titel") {
        errors.add(
            "titel",
            "Bitte wählen Sie die Spalte mit dem Titel der Maßnahme.",
        );
    }
    let mut used: HashMap<usize, &str> = HashMap::new();
    for (key, index) in &chosen {
        if let Some(other) = used.insert(*index, key) {
            errors.add(
                key.clone(),
                format!(
                    "Die Spalte „{}“ ist schon „{}“ zugeordnet.",
                    import.headings.0[*index],
                    mapping::label_of(other)
                ),
            );
        }
    }
    let criteria = mapped_criteria(&chosen);
    match round {
        None if !criteria.is_empty() => errors.add(
            "runde",
            "Bitte wählen Sie die offene Runde, in die die Bewertungen übernommen werden.",
        ),
        Some(round) => {
            for name in &criteria {
                if !round.criteria.iter().any(|criterion| criterion == name) {
                    errors.add(
                        mapping::criterion_key(name),
                        format!(
                            "Das Kriterium „{name}“ gehört nicht zum Katalog der Runde „{}“.",
                            round.name
                        ),
                    );
                }
            }
        }
        None => {}
    }
    let round_id = round.map(|round| round.id);
    if save_as.chars().count() > 100 {
        errors.add(
            "speichern_als",
            "Der Name darf höchstens 100 Zeichen lang sein.",
        );
    }
    if !errors.is_empty() {
        let page = MappingPage {
            shell: mapping_shell(visitor, &import),
            import,
            mapping: chosen,
            errors,
            save_as,
            rounds,
            round: round_id,
            assessed: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let round = round_id.filter(|_| !criteria.is_empty());
    db::imports::set_mapping(&state.db, id, &chosen, round).await?;
    if !save_as.is_empty() {
        let columns = mapping::to_saved(&chosen, &import.headings.0);
        db::imports::save_mapping(&state.db, &save_as, &columns, current.user.id).await?;
    }
    Ok(Redirect::to(&format!("/massnahmen/import/{id}/vorschau")).into_response())
}

// ---------------------------------------------------------------------------------------
// Step 3: the preview

/// A row as the preview shows it.
#[derive(Debug)]
pub struct Reviewed {
    pub number: usize,
    pub title: String,
    pub outcome: Outcome,
    /// Similar measures the importer may not edit, so no row merges into them (the same rule
    /// as the edit form): shown, never offered.
    pub elsewhere: Vec<Similar>,
    /// The row's criterion values (criterion name → rating), when its columns are mapped.
    pub ratings: Vec<(String, Rating)>,
}

#[derive(Debug)]
pub enum Outcome {
    /// Good; the similar measures PriMa has that the importer may merge it into (none: it is
    /// created).
    Valid(Box<MeasureData>, Vec<Similar>),
    Invalid(Vec<Problem>),
}

/// Every row of `import` checked, with the similar measures of the good ones.
async fn review(
    state: &AppState,
    importer: &Actor,
    import: &Import,
) -> Result<Vec<Reviewed>, AppError> {
    let office = importer.office;
    let tree = state.strategy.current_tree(&state.db).await?;
    let mapping = import
        .mapping
        .as_ref()
        .map(|json| json.0.clone())
        .unwrap_or_default();
    let rows: Vec<Row> = import.rows.0.clone();
    let headings = import.headings.0.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let context = Context::new(tree.as_deref(), office);
        rows.iter()
            .map(|row| {
                let title = mapping
                    .get("titel")
                    .and_then(|index| row.cells.get(*index))
                    .cloned()
                    .unwrap_or_default();
                let measure = mapping::measure_of(row, &mapping, &headings, &context);
                let ratings = mapping::ratings_of(row, &mapping, &headings);
                let outcome = match (measure, ratings) {
                    (Ok(data), Ok(ratings)) => Ok((data, ratings)),
                    (Err(mut problems), Err(more)) => {
                        problems.extend(more);
                        Err(problems)
                    }
                    (Err(problems), Ok(_)) | (Ok(_), Err(problems)) => Err(problems),
                };
                (row.number, title, outcome)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?;
    let comparable = db::imports::comparable(&state.db, importer.user_id).await?;
    // Similar measures of the good rows, as the proposal form finds them (pg_trgm's
    // similarity of title and summary, threshold 0.3), the three closest.
    let found: Vec<(Vec<Similar>, Vec<Similar>)> = {
        let texts: Vec<String> = checked
            .iter()
            .filter_map(|(_, _, outcome)| outcome.as_ref().ok())
            .map(|(data, _)| format!("{} {}", data.title, data.summary))
            .collect();
        let importer = importer.clone();
        tokio::task::spawn_blocking(move || {
            let index = Index::new(comparable.iter().map(|candidate| candidate.text.as_str()));
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            index
                .most_similar_all(&texts, 0.3, 3)
                .into_iter()
                .map(|found| {
                    found
                        .into_iter()
                        .map(|(position, _)| &comparable[position])
                        .partition::<Vec<_>, _>(|candidate| may_edit(&importer, candidate.facts))
                })
                .map(|(mergeable, elsewhere)| {
                    let measures = |found: Vec<&Comparable>| {
                        found.into_iter().map(|c| c.measure.clone()).collect()
                    };
                    (measures(mergeable), measures(elsewhere))
                })
                .collect()
        })
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?
    };
    let mut similar = found.into_iter();
    Ok(checked
        .into_iter()
        .map(|(number, title, outcome)| match outcome {
            Ok((data, ratings)) => {
                let (mergeable, elsewhere) = similar.next().unwrap_or_default();
                Reviewed {
                    number,
                    title,
                    outcome: Outcome::Valid(Box::new(data), mergeable),
                    elsewhere,
                    ratings,
                }
            }
            Err(problems) => Reviewed {
                number,
                title,
                outcome: Outcome::Invalid(problems),
                elsewhere: Vec::new(),
                ratings: Vec::new(),
            },
        })
        .collect())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "imports/preview.html")]
pub struct PreviewPage {
    pub shell: Shell,
    pub import: Import,
    pub rows: Vec<Reviewed>,
    /// Row number → the choice made ("neu", "ueberspringen" or a measure's id).
    pub choices: HashMap<usize, String>,
    pub errors: Vec<String>,
    /// The open round the criterion values go into, when columns map criteria.
    pub round: Option<OpenRound>,
    /// Whether the importer may add measures to that round (the central officer).
    pub adds_to_round: bool,
}

/// How many rows of each list the preview prints at most.
const SHOWN: usize = 500;

impl PreviewPage {
    pub fn problems(&self) -> Vec<(usize, &Problem)> {
        self.rows
            .iter()
            .filter_map(|row| match &row.outcome {
                Outcome::Invalid(problems) => {
                    Some(problems.iter().map(move |problem| (row.number, problem)))
                }
                Outcome::Valid(..) => None,
            })
            .flatten()
            .collect()
    }

    pub fn invalid_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|row| matches!(row.outcome, Outcome::Invalid(_)))
            .count()
    }

    /// Good rows with similar measures: they need a choice.
    pub fn to_decide(&self) -> Vec<(&Reviewed, &[Similar])> {
        self.rows
            .iter()
            .filter_map(|row| match &row.outcome {
                Outcome::Valid(_, similar) if !similar.is_empty() => {
                    Some((row, similar.as_slice()))
                }
                _ => None,
            })
            .collect()
    }

    /// Good rows without similar measures: they are created.
    pub fn to_create(&self) -> Vec<&Reviewed> {
        self.rows
            .iter()
            .filter(|row| matches!(&row.outcome, Outcome::Valid(_, similar) if similar.is_empty()))
            .collect()
    }

    pub fn shown(&self) -> usize {
        SHOWN
    }

    /// Good rows with criterion values: they become the importer's assessment (unless a row is
    /// skipped).
    pub fn rated_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|row| matches!(row.outcome, Outcome::Valid(..)) && !row.ratings.is_empty())
            .count()
    }

    /// Whether the import maps criteria but its round is no longer open.
    pub fn round_closed(&self) -> bool {
        self.import.round_id.is_some() && self.round.is_none()
    }

    /// The choice for a row: as sent, else merging into the most similar measure.
    pub fn choice(&self, row: &Reviewed, similar: &[Similar]) -> String {
        self.choices.get(&row.number).cloned().unwrap_or_else(|| {
            similar
                .first()
                .map_or_else(|| "neu".to_owned(), |first| first.id.to_string())
        })
    }
}

fn preview_shell(visitor: Visitor, import: &Import) -> Shell {
    wizard_shell(visitor, format!("Vorschau: Liste „{}“", import.file_name))
        .crumb(
            "Spalten zuordnen",
            format!("/massnahmen/import/{}", import.id),
        )
        .here("Vorschau")
}

pub async fn preview_page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
) -> Result<Response, AppError> {
    let import = own_import(&state, &current, id).await?;
    if import.committed_at.is_some() || import.mapping.is_none() {
        return Ok(Redirect::to(&format!("/massnahmen/import/{id}")).into_response());
    }
    let importer = current.user.actor();
    let (rows, round) = tokio::try_join!(
        review(&state, &importer, &import),
        round_of(&state, &import),
    )?;
    Ok(PreviewPage {
        shell: preview_shell(visitor, &import),
        import,
        rows,
        choices: HashMap::new(),
        errors: Vec::new(),
        round,
        adds_to_round: importer.has(Role::CentralOfficer),
    }
    .into_response())
}

/// The import's round, if it is still open.
async fn round_of(state: &AppState, import: &Import) -> Result<Option<OpenRound>, AppError> {
    let Some(id) = import.round_id else {
        return Ok(None);
    };
    Ok(db::rounds::open_rounds(&state.db)
        .await?
        .into_iter()
        .find(|round| round.id == id))
}

const ROUND_CLOSED: &str = "Die Runde, in die die Bewertungen übernommen werden sollten, ist \
    nicht mehr offen. Bitte ordnen Sie die Spalten neu zu: ohne Kriterien oder mit einer offenen \
    Runde.";

// ---------------------------------------------------------------------------------------
// Step 4: commit

pub async fn commit(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let import = own_import(&state, &current, id).await?;
    if import.committed_at.is_some() || import.mapping.is_none() {
        return Ok(Redirect::to(&format!("/massnahmen/import/{id}")).into_response());
    }
    let choices: HashMap<usize, String> = pairs
        .into_iter()
        .filter_map(|(key, value)| {
            key.strip_prefix("zeile_")
                .and_then(|number| number.parse().ok())
                .map(|number| (number, value))
        })
        .collect();
    let importer = current.user.actor();
    let (rows, round) = tokio::try_join!(
        review(&state, &importer, &import),
        round_of(&state, &import),
    )?;
    let mut errors = match decide(&rows, &choices) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    };
    if import.round_id.is_some() && round.is_none() {
        errors.push(ROUND_CLOSED.to_owned());
    }
    if !errors.is_empty() {
        let page = PreviewPage {
            shell: preview_shell(visitor, &import),
            import,
            rows,
            choices,
            errors,
            round,
            adds_to_round: importer.has(Role::CentralOfficer),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    // Writing thousands of rows takes seconds: a job, with its progress page.
    let params = serde_json::json!({ "import": id, "choices": choices });
    crate::web::jobs::start(&state, &current, crate::web::jobs::Kind::Import, params).await
}

/// Each row's decision: errors for choices that are not among the row's similar measures.
fn decide(
    rows: &[Reviewed],
    choices: &HashMap<usize, String>,
) -> Result<Vec<(i32, Decision)>, Vec<String>> {
    let mut decisions: Vec<(i32, Decision)> = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in rows {
        let number = row.number as i32;
        let decision = match &row.outcome {
            Outcome::Invalid(_) => Decision::Skip,
            Outcome::Valid(data, similar) => {
                let default = similar
                    .first()
                    .map_or("neu".to_owned(), |first| first.id.to_string());
                let choice = choices.get(&row.number).cloned().unwrap_or(default);
                match choice.as_str() {
                    "neu" => Decision::Create((**data).clone()),
                    "ueberspringen" => Decision::Skip,
                    id => match similar
                        .iter()
                        .find(|candidate| candidate.id.to_string() == id)
                    {
                        Some(candidate) => Decision::Merge(candidate.id, (**data).clone()),
                        None => {
                            errors.push(format!(
                                "Zeile {}: Die gewählte Maßnahme ist keine der ähnlichen. Bitte wählen Sie erneut.",
                                row.number
                            ));
                            continue;
                        }
                    },
                }
            }
        };
        decisions.push((number, decision));
    }
    if errors.is_empty() {
        Ok(decisions)
    } else {
        Err(errors)
    }
}

/// The commit as the job runs it: the rows checked again, everything chosen written in one
/// transaction, and a protocol of every row (CSV) as the job's file. Run again after a crash,
/// it finds the import committed and only writes the protocol.
pub async fn run_commit(
    state: &AppState,
    params: &serde_json::Value,
    owner: crate::domain::ids::UserId,
    progress: &crate::web::jobs::worker::Progress<'_>,
) -> anyhow::Result<(String, Vec<u8>)> {
    let id: uuid::Uuid = serde_json::from_value(params["import"].clone())?;
    let choices: HashMap<usize, String> = serde_json::from_value(params["choices"].clone())?;
    let import = db::imports::find(&state.db, id)
        .await?
        .filter(|import| import.owner_id == owner)
        .ok_or_else(|| anyhow::anyhow!("import {id} of another person or gone"))?;
    if import.committed_at.is_none() {
        progress.step(0, "Die Zeilen werden geprüft.").await?;
        let importer = db::users::by_id(&state.db, owner)
            .await?
            .map(|user| user.actor())
            .ok_or_else(|| anyhow::anyhow!("the importer's account is gone"))?;
        let office = importer.office;
        // Checked again now: a measure the importer may no longer edit takes no merge.
        let rows = review(state, &importer, &import).await?;
        let decisions = decide(&rows, &choices)
            .map_err(|errors| anyhow::anyhow!("choices no longer valid: {}", errors.join("; ")))?;
        progress
            .step(1, "Die Maßnahmen werden geschrieben.")
            .await?;
        let ratings: HashMap<i32, Vec<(String, Rating)>> = rows
            .iter()
            .filter(|row| !row.ratings.is_empty())
            .map(|row| (row.number as i32, row.ratings.clone()))
            .collect();
        let assessing = import.round_id.map(|round| db::imports::Assessing {
            round,
            office,
            may_add: importer.has(Role::CentralOfficer),
            ratings: &ratings,
        });
        match db::imports::commit(&state.db, &import, &decisions, assessing.as_ref(), owner).await {
            Ok(Counts {
                created,
                merged,
                skipped,
                assessed,
            }) => {
                tracing::info!(created, merged, skipped, assessed, file = %import.file_name, "imported a list");
                if let Some(round) = import.round_id.filter(|_| assessed > 0) {
                    crate::web::prioritisation::refresh_after_change(state, round);
                }
            }
            Err(db::imports::CommitError::Committed) => {}
            Err(error) => return Err(error.into()),
        }
    }
    progress.step(2, "Das Protokoll wird geschrieben.").await?;
    let outcomes = db::imports::outcomes(&state.db, id).await?;
    let mut protocol = crate::export::csv::Rows::start(&[
        crate::export::Column {
            key: "zeile",
            heading: "Zeile",
            width: 6,
        },
        crate::export::Column {
            key: "ergebnis",
            heading: "Ergebnis",
            width: 16,
        },
        crate::export::Column {
            key: "nr",
            heading: "Maßnahme",
            width: 10,
        },
        crate::export::Column {
            key: "titel",
            heading: "Titel",
            width: 40,
        },
        crate::export::Column {
            key: "bewertung",
            heading: "Bewertung",
            width: 24,
        },
    ]);
    let mut rows = crate::export::csv::Rows::default();
    for outcome in &outcomes {
        let result = match outcome.action.as_str() {
            "created" => "neu angelegt",
            "merged" => "zusammengeführt",
            _ => "übersprungen",
        };
        let number = outcome
            .number
            .map(|number| format!("M-{number}"))
            .unwrap_or_default();
        let row = outcome.row_number.to_string();
        let assessment = match outcome.assessment.as_deref() {
            Some("taken") => "als Ihre übernommen",
            Some("kept") => "bestand schon, unverändert",
            Some("outside") => "nicht übernommen: die Maßnahme gehört nicht zur Runde",
            _ => "",
        };
        rows.push([
            row.as_str(),
            result,
            number.as_str(),
            outcome.title.as_deref().unwrap_or(""),
            assessment,
        ]);
    }
    protocol.extend(rows.take());
    let stem: String = import
        .file_name
        .rsplit_once('.')
        .map_or(import.file_name.as_str(), |(stem, _)| stem)
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    Ok((format!("uebernahme-{stem}.csv"), protocol))
}
