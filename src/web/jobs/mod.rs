//! Long work as jobs (`/auftraege`): whoever starts a long report gets a page with its
//! progress – a `<progress>` with text and an "Aktualisieren" link, updated in place through an
//! `aria-live` region when JavaScript runs – to leave and come back to, and the file when it is
//! ready. Only the person who started a job sees it.

pub mod worker;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::db;
use crate::db::jobs::{Job, JobStatus};
use crate::domain::permissions::Permission;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

pub fn routes() -> Vec<Route> {
    use Permission::SignedIn as P;
    vec![
        Route::get("/auftraege", P, list),
        Route::get("/auftraege/{id}", P, show).checking("a job only for whoever started it"),
        Route::get("/auftraege/{id}/stand", P, status)
            .checking("a job only for whoever started it"),
        Route::get("/auftraege/{id}/datei", P, file).checking("a job only for whoever started it"),
        Route::post("/berichte/strategie/pdf", P, start_strategy_report),
    ]
}

/// What a job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StrategyReport,
    /// The commit of an import (`params`: the import's id and the choices per row).
    Import,
    /// A large XLSX or ODS export (`params`: the view and the address's query).
    Export,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::StrategyReport => "strategy_report",
            Self::Import => "import",
            Self::Export => "export",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "strategy_report" => Some(Self::StrategyReport),
            "import" => Some(Self::Import),
            "export" => Some(Self::Export),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::StrategyReport => "Strategiebericht als PDF",
            Self::Import => "Übernahme einer Liste",
            Self::Export => "Export als Tabellendatei",
        }
    }

    pub fn steps(self) -> i32 {
        match self {
            Self::StrategyReport | Self::Import | Self::Export => 3,
        }
    }
}

/// What the page and the status JSON say about a job.
#[derive(Debug, serde::Serialize)]
pub struct Standing {
    pub status: JobStatus,
    pub step: i32,
    pub steps: i32,
    /// The sentence under the progress bar.
    pub text: String,
    /// The file's address once it is ready.
    pub download: Option<String>,
}

impl Standing {
    pub fn of(job: &Job) -> Self {
        let text = match job.status {
            JobStatus::Queued if job.attempts > 0 => {
                "Der Auftrag wird neu gestartet (ein Versuch ist abgebrochen).".to_owned()
            }
            JobStatus::Queued => "Der Auftrag wartet darauf, bearbeitet zu werden.".to_owned(),
            JobStatus::Running => format!(
                "Schritt {} von {}: {}",
                (job.step + 1).min(job.steps),
                job.steps,
                job.phase
            ),
            JobStatus::Done => "Fertig. Die Datei steht zum Herunterladen bereit.".to_owned(),
            JobStatus::Failed => job
                .error
                .clone()
                .unwrap_or_else(|| worker::FAILED.to_owned()),
        };
        Self {
            status: job.status,
            step: job.step,
            steps: job.steps,
            text,
            download: (job.status == JobStatus::Done)
                .then(|| format!("/auftraege/{}/datei", job.id)),
        }
    }
}

pub fn title_of(job: &Job) -> &'static str {
    Kind::from_slug(&job.kind).map_or("Auftrag", Kind::title)
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "jobs/show.html")]
pub struct JobPage {
    pub shell: Shell,
    pub job: Job,
    pub standing: Standing,
}

impl JobPage {
    pub fn is_open(&self) -> bool {
        matches!(self.job.status, JobStatus::Queued | JobStatus::Running)
    }

    pub fn failed(&self) -> bool {
        self.job.status == JobStatus::Failed
    }

    pub fn started(&self) -> String {
        crate::domain::time::local(&self.job.created_at)
    }

    /// Where the job's work continues, besides its file.
    pub fn follow_up(&self) -> Option<(String, &'static str)> {
        match Kind::from_slug(&self.job.kind)? {
            Kind::Import => self.job.params["import"].as_str().map(|id| {
                (
                    format!("/massnahmen/import/{id}"),
                    "Zur Übernahme mit ihren Zahlen",
                )
            }),
            Kind::Export => self.job.params["page"]
                .as_str()
                .map(|page| (page.to_owned(), "Zurück zum Export")),
            Kind::StrategyReport => None,
        }
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "jobs/list.html")]
pub struct JobList {
    pub shell: Shell,
    pub jobs: Vec<(Job, Standing)>,
    /// A new job was refused: the person has this many open already.
    pub refused: Option<i64>,
    pub keep_days: u64,
}

impl JobList {
    pub fn max_open(&self) -> i64 {
        db::jobs::MAX_OPEN_PER_OWNER
    }

    pub fn title_of(&self, job: &Job) -> &'static str {
        title_of(job)
    }

    pub fn started(&self, job: &Job) -> String {
        crate::domain::time::local(&job.created_at)
    }
}

/// The job if it is the current person's; to anyone else it does not exist.
async fn own_job(state: &AppState, current: &CurrentUser, id: uuid::Uuid) -> Result<Job, AppError> {
    db::jobs::find(&state.db, id)
        .await?
        .filter(|job| job.owner_id == current.user.id)
        .ok_or(AppError::NotFound)
}

pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
) -> Result<JobList, AppError> {
    job_list(&state, visitor, &current, None).await
}

async fn job_list(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    refused: Option<i64>,
) -> Result<JobList, AppError> {
    let jobs = db::jobs::of_owner(&state.db, current.user.id, 50).await?;
    Ok(JobList {
        shell: Shell::new(visitor, "Meine Aufträge").in_section(Section::Reports),
        jobs: jobs
            .into_iter()
            .map(|job| {
                let standing = Standing::of(&job);
                (job, standing)
            })
            .collect(),
        refused,
        keep_days: state.settings.keep_files_days(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
) -> Result<JobPage, AppError> {
    let job = own_job(&state, &current, id).await?;
    let standing = Standing::of(&job);
    Ok(JobPage {
        shell: Shell::new(visitor, title_of(&job))
            .in_section(Section::Reports)
            .crumb("Berichte", "/berichte")
            .crumb("Meine Aufträge", "/auftraege")
            .here(title_of(&job)),
        job,
        standing,
    })
}

/// The job's standing as JSON, for the page's script.
pub async fn status(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
) -> Result<Response, AppError> {
    let job = own_job(&state, &current, id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(Standing::of(&job)),
    )
        .into_response())
}

pub async fn file(
    State(state): State<AppState>,
    current: CurrentUser,
    Id(id): Id<uuid::Uuid>,
) -> Result<Response, AppError> {
    own_job(&state, &current, id).await?;
    let (name, content_type, bytes) = db::jobs::result(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Starts a job of `kind` for the current person and sends them to its page; with too many of
/// their jobs open already, their job list (429, `Retry-After`) saying why nothing started.
pub async fn start(
    state: &AppState,
    current: &CurrentUser,
    kind: Kind,
    params: serde_json::Value,
) -> Result<Response, AppError> {
    let created = db::jobs::create(
        &state.db,
        kind.slug(),
        &params,
        current.user.id,
        kind.steps(),
    )
    .await?;
    let Some(id) = created else {
        tracing::info!(
            kind = kind.slug(),
            "refused a job: too many open for this person"
        );
        let visitor = Visitor {
            user: Some(current.clone()),
            csrf_token: current.csrf_token.clone(),
        };
        let page = job_list(state, visitor, current, Some(db::jobs::MAX_OPEN_PER_OWNER)).await?;
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "30")],
            page,
        )
            .into_response());
    };
    Ok(Redirect::to(&format!("/auftraege/{id}")).into_response())
}

pub async fn start_strategy_report(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    start(
        &state,
        &current,
        Kind::StrategyReport,
        serde_json::json!({}),
    )
    .await
}
