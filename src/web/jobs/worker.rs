//! Every instance runs one worker: it takes the oldest job nobody runs, runs it while a
//! heartbeat says it is alive, and stores the file or gives the job back. A job whose instance
//! died (no heartbeat for [`STALE_SECONDS`]) is taken again; after [`MAX_ATTEMPTS`] it fails
//! with a German message. At a clean shutdown the instance gives its running job back at once.

use std::time::Duration;

use anyhow::bail;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::db;
use crate::db::jobs::Claimed;
use crate::web::AppState;
use crate::web::reports::pdf::{render, today};
use crate::web::reports::strategy::Contents;

use super::Kind;

/// How long a running job's instance may stay silent before another takes the job.
pub const STALE_SECONDS: f64 = 60.0;
pub const MAX_ATTEMPTS: i32 = 3;
const HEARTBEAT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(400);
/// How often an instance removes what outlived `PRIMA_KEEP_FILES_DAYS` (every instance may;
/// the deletes are idempotent).
const HOUSEKEEPING: Duration = Duration::from_secs(15 * 60);

/// What the person who asked reads when a job failed for good.
pub const FAILED: &str = "Der Auftrag ist mehrmals abgebrochen und wurde aufgegeben. Bitte \
                          versuchen Sie es erneut; bleibt der Fehler, wenden Sie sich an die \
                          Administration.";

/// A running worker.
#[derive(Debug)]
pub struct Worker {
    name: String,
    task: JoinHandle<()>,
    pool: sqlx::PgPool,
}

impl Worker {
    /// Starts this instance's worker.
    pub fn start(state: AppState) -> Self {
        let name = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let pool = state.db.clone();
        let task = tokio::spawn(run(state, name.clone()));
        Self { name, task, pool }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Stops taking jobs and gives a running one back to the queue.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        match db::jobs::release(&self.pool, &self.name).await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "gave running jobs back to the queue"),
            Err(error) => tracing::warn!(%error, "could not give running jobs back"),
        }
    }
}

async fn run(state: AppState, name: String) {
    let mut housekept: Option<tokio::time::Instant> = None;
    loop {
        if housekept.is_none_or(|at| at.elapsed() >= HOUSEKEEPING) {
            housekeep(&state).await;
            housekept = Some(tokio::time::Instant::now());
        }
        if let Err(error) =
            db::jobs::fail_abandoned(&state.db, STALE_SECONDS, MAX_ATTEMPTS, FAILED).await
        {
            tracing::warn!(%error, "could not look for abandoned jobs");
        }
        match db::jobs::claim(&state.db, &name, STALE_SECONDS, MAX_ATTEMPTS).await {
            Ok(Some(job)) => {
                let span = tracing::info_span!("job", id = %job.id, kind = %job.kind,
                                               attempt = job.attempts);
                execute(&state, &name, job).instrument(span).await;
            }
            Ok(None) => tokio::time::sleep(POLL).await,
            Err(error) => {
                tracing::warn!(%error, "could not look for jobs");
                tokio::time::sleep(POLL * 10).await;
            }
        }
    }
}

/// Removes finished jobs and uploaded tables older than the retention time.
pub async fn housekeep(state: &AppState) {
    let keep = state.settings.keep_files.as_secs_f64();
    match db::jobs::expire(&state.db, keep).await {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "removed finished jobs past their retention"),
        Err(error) => tracing::warn!(%error, "could not remove old jobs"),
    }
    let keys = crate::web::once::KEEP.as_secs_f64();
    if let Err(error) = db::submissions::expire(&state.db, keys).await {
        tracing::warn!(%error, "could not remove old form keys");
    }
    match db::imports::expire(&state.db, keep).await {
        Ok(db::imports::Expired {
            deleted: 0,
            emptied: 0,
        }) => {}
        Ok(db::imports::Expired { deleted, emptied }) => {
            tracing::info!(
                deleted,
                emptied,
                "removed uploaded tables past their retention"
            )
        }
        Err(error) => tracing::warn!(%error, "could not remove old uploads"),
    }
}

/// The file a job made.
struct Output {
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// Reports a job's progress; fails when the job is no longer this worker's.
#[derive(Debug)]
pub struct Progress<'a> {
    pool: &'a sqlx::PgPool,
    id: uuid::Uuid,
    worker: &'a str,
}

impl Progress<'_> {
    pub async fn step(&self, step: i32, phase: &str) -> anyhow::Result<()> {
        if !db::jobs::progress(self.pool, self.id, self.worker, step, phase).await? {
            bail!("the job was taken over by another instance");
        }
        Ok(())
    }
}

async fn execute(state: &AppState, worker: &str, job: Claimed) {
    tracing::info!("running a job");
    let beat = {
        let pool = state.db.clone();
        let worker = worker.to_owned();
        let id = job.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                if !matches!(db::jobs::heartbeat(&pool, id, &worker).await, Ok(true)) {
                    break;
                }
            }
        })
    };
    let progress = Progress {
        pool: &state.db,
        id: job.id,
        worker,
    };
    let outcome = perform(state, &progress, &job).await;
    beat.abort();
    let stored = match outcome {
        Ok(output) => db::jobs::finish(
            &state.db,
            job.id,
            worker,
            &output.name,
            output.content_type,
            &output.bytes,
        )
        .await
        .map(|_| tracing::info!(bytes = output.bytes.len(), "finished a job")),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "a job failed");
            db::jobs::give_back(&state.db, job.id, worker, MAX_ATTEMPTS, FAILED).await
        }
    };
    if let Err(error) = stored {
        tracing::error!(%error, "could not record a job's outcome");
    }
}

async fn perform(
    state: &AppState,
    progress: &Progress<'_>,
    job: &Claimed,
) -> anyhow::Result<Output> {
    let Some(kind) = Kind::from_slug(&job.kind) else {
        bail!("unknown job kind {}", job.kind);
    };
    match kind {
        Kind::StrategyReport => {
            progress
                .step(0, "Die Daten des Berichts werden gelesen.")
                .await?;
            let contents = Contents::load(state, None).await?;
            progress
                .step(1, "Die Seiten werden gesetzt und als PDF geschrieben.")
                .await?;
            let day = today();
            let bytes = render(contents.document(day)).await?;
            progress.step(2, "Die Datei wird gespeichert.").await?;
            Ok(Output {
                name: format!("strategiebericht-{day}.pdf"),
                content_type: "application/pdf",
                bytes,
            })
        }
        Kind::Export => crate::web::export::run_job(state, &job.params, job.owner_id, progress)
            .await
            .map(|(name, content_type, bytes)| Output {
                name,
                content_type,
                bytes,
            }),
        Kind::Import => {
            let (name, bytes) =
                crate::web::imports::run_commit(state, &job.params, job.owner_id, progress).await?;
            Ok(Output {
                name,
                content_type: "text/csv; charset=utf-8",
                bytes,
            })
        }
    }
}
