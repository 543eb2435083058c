//! Jobs in PostgreSQL: created by a request, claimed by exactly one instance
//! (`for update skip locked`), kept alive by a heartbeat, finished with a file or a German
//! failure message. A write of an instance that lost its claim (its heartbeat went stale and
//! another instance took the job) changes nothing: every write names the worker.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use crate::domain::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Serialize)]
#[sqlx(type_name = "job_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

/// A job as its page shows it (without the result's bytes).
#[derive(Debug, Clone)]
pub struct Job {
    pub id: uuid::Uuid,
    pub kind: String,
    pub params: Value,
    pub owner_id: UserId,
    pub status: JobStatus,
    pub step: i32,
    pub steps: i32,
    pub phase: String,
    pub attempts: i32,
    pub result_name: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job an instance has claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: uuid::Uuid,
    pub kind: String,
    pub params: Value,
    pub owner_id: UserId,
    pub attempts: i32,
}

/// How many open (queued or running) jobs one person may have; beyond them a new one is refused.
pub const MAX_OPEN_PER_OWNER: i64 = 3;

/// Queues a job, or `None` when the owner already has [`MAX_OPEN_PER_OWNER`] open jobs. The
/// count and the insert hold the owner's advisory lock, so parallel requests cannot pass it.
pub async fn create(
    pool: &PgPool,
    kind: &str,
    params: &Value,
    owner: UserId,
    steps: i32,
) -> sqlx::Result<Option<uuid::Uuid>> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('jobs of ' || $1::uuid::text, 0))",
        owner as UserId
    )
    .execute(&mut *tx)
    .await?;
    let open = sqlx::query_scalar!(
        r#"select count(*) as "open!" from jobs
           where owner_id = $1 and status in ('queued', 'running')"#,
        owner as UserId
    )
    .fetch_one(&mut *tx)
    .await?;
    if open >= MAX_OPEN_PER_OWNER {
        return Ok(None);
    }
    let id = sqlx::query_scalar!(
        "insert into jobs (id, kind, params, owner_id, steps) values ($1, $2, $3, $4, $5)
         returning id",
        uuid::Uuid::new_v4(),
        kind,
        params,
        owner as UserId,
        steps
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn find(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<Option<Job>> {
    sqlx::query_as!(
        Job,
        r#"select id, kind, params, owner_id as "owner_id: UserId", status as "status: JobStatus",
                  step, steps, phase, attempts, result_name, error, created_at, finished_at
           from jobs where id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// A person's jobs, newest first.
pub async fn of_owner(pool: &PgPool, owner: UserId, limit: i64) -> sqlx::Result<Vec<Job>> {
    sqlx::query_as!(
        Job,
        r#"select id, kind, params, owner_id as "owner_id: UserId", status as "status: JobStatus",
                  step, steps, phase, attempts, result_name, error, created_at, finished_at
           from jobs where owner_id = $1 order by created_at desc limit $2"#,
        owner as UserId,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The finished file: name, content type, bytes.
pub async fn result(
    pool: &PgPool,
    id: uuid::Uuid,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    let row = sqlx::query!(
        r#"select result_name as "name!", result_type as "content_type!", result as "bytes!"
           from jobs where id = $1 and status = 'done'"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.name, row.content_type, row.bytes)))
}

/// Takes the next job that is queued, or running on an instance silent for `stale_seconds`,
/// and has attempts left; exactly one instance gets it. Owners take turns: first the jobs with
/// the fewest open jobs of the same owner ahead of them (a person's second job waits behind
/// everyone's first), then the oldest.
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    stale_seconds: f64,
    max_attempts: i32,
) -> sqlx::Result<Option<Claimed>> {
    sqlx::query_as!(
        Claimed,
        r#"update jobs set status = 'running', attempts = attempts + 1, worker = $1,
                           heartbeat_at = now(), step = 0, phase = ''
           where id = (select j.id from jobs j
                       where (j.status = 'queued'
                              or (j.status = 'running'
                                  and j.heartbeat_at < now() - make_interval(secs => $2)))
                         and j.attempts < $3
                       order by (select count(*) from jobs ahead
                                 where ahead.owner_id = j.owner_id
                                   and ahead.status in ('queued', 'running')
                                   and ahead.created_at < j.created_at),
                                j.created_at
                       for update of j skip locked
                       limit 1)
           returning id, kind, params, owner_id as "owner_id: UserId", attempts"#,
        worker,
        stale_seconds,
        max_attempts
    )
    .fetch_optional(pool)
    .await
}

/// Deletes finished and failed jobs (with their files) older than `keep_seconds`; how many.
pub async fn expire(pool: &PgPool, keep_seconds: f64) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from jobs where status in ('done', 'failed')
                            and finished_at < now() - make_interval(secs => $1)",
        keep_seconds
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Marks jobs failed whose instance died on their last attempt; how many.
pub async fn fail_abandoned(
    pool: &PgPool,
    stale_seconds: f64,
    max_attempts: i32,
    message: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update jobs set status = 'failed', error = $3, finished_at = now(), worker = null
         where status = 'running' and heartbeat_at < now() - make_interval(secs => $1)
           and attempts >= $2",
        stale_seconds,
        max_attempts,
        message
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Records progress (and that the worker is alive); false when the worker lost the job.
pub async fn progress(
    pool: &PgPool,
    id: uuid::Uuid,
    worker: &str,
    step: i32,
    phase: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update jobs set step = $3, phase = $4, heartbeat_at = now()
         where id = $1 and worker = $2 and status = 'running'",
        id,
        worker,
        step,
        phase
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn heartbeat(pool: &PgPool, id: uuid::Uuid, worker: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update jobs set heartbeat_at = now() where id = $1 and worker = $2 and status = 'running'",
        id,
        worker
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn finish(
    pool: &PgPool,
    id: uuid::Uuid,
    worker: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update jobs set status = 'done', step = steps, phase = '', result = $3,
                         result_name = $4, result_type = $5, finished_at = now(), error = null
         where id = $1 and worker = $2 and status = 'running'",
        id,
        worker,
        bytes,
        name,
        content_type
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// After a failed attempt: queued again while attempts are left, otherwise failed with
/// `message`.
pub async fn give_back(
    pool: &PgPool,
    id: uuid::Uuid,
    worker: &str,
    max_attempts: i32,
    message: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update jobs set
             status = case when attempts < $3 then 'queued'::job_status else 'failed' end,
             error = case when attempts < $3 then null else $4 end,
             finished_at = case when attempts < $3 then null else now() end,
             worker = null, step = 0, phase = ''
         where id = $1 and worker = $2 and status = 'running'",
        id,
        worker,
        max_attempts,
        message
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// At a clean shutdown: this instance's running jobs go back to the queue at once.
pub async fn release(pool: &PgPool, worker: &str) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update jobs set status = 'queued', worker = null, step = 0, phase = '',
                         attempts = greatest(attempts - 1, 0)
         where worker = $1 and status = 'running'",
        worker
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
