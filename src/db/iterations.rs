//! Iterations of the strategy (Fortschreibung): the list, starting a new one as a draft copy of
//! the one in force with lineage, and each iteration's fields and goals as the comparison
//! (`domain::strategy::diff`) reads them.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::domain::ids::{StrategyId, UserId};
use crate::domain::strategy::diff::{FieldRow, GoalRow, Side};
use crate::domain::strategy::{FieldKind, StrategyStatus};

/// An iteration in the list.
#[derive(Debug, Clone)]
pub struct Iteration {
    pub id: StrategyId,
    pub title: String,
    pub version_label: String,
    pub status: StrategyStatus,
    pub published_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub origin_id: Option<StrategyId>,
    pub origin_label: Option<String>,
    pub fields: i64,
    pub goals: i64,
}

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<Iteration>> {
    sqlx::query_as!(
        Iteration,
        r#"select s.id as "id: StrategyId", s.title, s.version_label,
                  s.status as "status: StrategyStatus", s.published_on, s.created_at,
                  s.origin_id as "origin_id: StrategyId", o.version_label as "origin_label?",
                  (select count(*) from fields f where f.strategy_id = s.id
                     and f.retired_at is null) as "fields!",
                  (select count(*) from goals g join fields f on f.id = g.field_id
                   where f.strategy_id = s.id and g.retired_at is null
                     and f.retired_at is null) as "goals!"
           from strategies s left join strategies o on o.id = s.origin_id
           order by s.created_at desc"#
    )
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, id: StrategyId) -> sqlx::Result<Option<Iteration>> {
    Ok(list(pool)
        .await?
        .into_iter()
        .find(|iteration| iteration.id == id))
}

/// Why a Fortschreibung was not started.
#[derive(Debug)]
pub enum StartError {
    /// A draft exists already: one Fortschreibung at a time.
    DraftExists,
    /// Another iteration has this version label.
    LabelTaken,
    /// No iteration is in force.
    NothingInForce,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StartError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// Starts the next iteration: in one transaction a draft copy of the iteration in force – its
/// texts, pillars, action dimensions, the fields and goals not retired (each remembering the
/// one it came from) – and a copy of its newest criteria catalogue version as the draft's
/// version 1.
pub async fn start(
    pool: &PgPool,
    version_label: &str,
    title: &str,
    by: UserId,
) -> Result<StrategyId, StartError> {
    let mut transaction = pool.begin().await?;
    let Some(origin) = sqlx::query_scalar!(
        r#"select id as "id: StrategyId" from strategies where status = 'published'
           for update"#
    )
    .fetch_optional(&mut *transaction)
    .await?
    else {
        return Err(StartError::NothingInForce);
    };
    let id = StrategyId(uuid::Uuid::new_v4());
    let inserted = sqlx::query!(
        "insert into strategies (id, title, motto, version_label, publisher, status,
                                 vision_statement, vision_introduction, origin_id)
         select $1, $2, motto, $3, publisher, 'draft', vision_statement, vision_introduction, id
         from strategies where id = $4",
        id as StrategyId,
        title,
        version_label,
        origin as StrategyId
    )
    .execute(&mut *transaction)
    .await;
    match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(if error.constraint() == Some("strategies_one_draft") {
                StartError::DraftExists
            } else {
                StartError::LabelTaken
            });
        }
        other => {
            other?;
        }
    }
    sqlx::query!(
        "insert into pillars (id, strategy_id, position, name, explanation)
         select gen_random_uuid(), $1, position, name, explanation from pillars
         where strategy_id = $2",
        id as StrategyId,
        origin as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "insert into action_dimensions (id, strategy_id, position, name, process_label,
                                        description, deferred, deferral_note)
         select gen_random_uuid(), $1, position, name, process_label, description, deferred,
                deferral_note
         from action_dimensions where strategy_id = $2",
        id as StrategyId,
        origin as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "insert into fields (id, strategy_id, kind, position, section, name, description,
                             origin_id)
         select gen_random_uuid(), $1, kind, position, section, name, description, id
         from fields where strategy_id = $2 and retired_at is null",
        id as StrategyId,
        origin as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "insert into goals (id, field_id, position, statement, note, origin_id)
         select gen_random_uuid(), copy.id, g.position, g.statement, g.note, g.id
         from goals g join fields copy on copy.origin_id = g.field_id and copy.strategy_id = $1
         where g.retired_at is null",
        id as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    // The criteria as they are now: the new iteration's first catalogue version.
    let catalogue = uuid::Uuid::new_v4();
    let copied = sqlx::query!(
        "insert into criteria_catalogues (id, strategy_id, version, note, created_by)
         select $1, $2, 1, 'Übernommen aus Version ' || c.version || ' der vorigen Iteration.', $4
         from criteria_catalogues c where c.strategy_id = $3
         order by c.version desc limit 1",
        catalogue,
        id as StrategyId,
        origin as StrategyId,
        by as UserId
    )
    .execute(&mut *transaction)
    .await?;
    if copied.rows_affected() == 1 {
        sqlx::query!(
            "insert into criteria (id, catalogue_id, position, name, explanation,
                                   criterion_group, weight, anchors)
             select gen_random_uuid(), $1, k.position, k.name, k.explanation, k.criterion_group,
                    k.weight, k.anchors
             from criteria k
             where k.catalogue_id = (select c.id from criteria_catalogues c
                                     where c.strategy_id = $2 order by c.version desc limit 1)",
            catalogue,
            origin as StrategyId
        )
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(id)
}

/// An iteration's fields and goals, retired ones included (marked), for the comparison.
pub async fn side(pool: &PgPool, id: StrategyId) -> sqlx::Result<Side> {
    let (fields, goals) = tokio::try_join!(
        sqlx::query!(
            r#"select id, origin_id, kind as "kind: FieldKind", position, name,
                      retired_at is not null as "retired!"
               from fields where strategy_id = $1"#,
            id as StrategyId
        )
        .fetch_all(pool),
        sqlx::query!(
            r#"select g.id, g.origin_id, g.field_id, g.position, g.statement,
                      g.retired_at is not null as "retired!"
               from goals g join fields f on f.id = g.field_id
               where f.strategy_id = $1"#,
            id as StrategyId
        )
        .fetch_all(pool),
    )?;
    Ok(Side {
        fields: fields
            .into_iter()
            .map(|row| FieldRow {
                id: row.id,
                origin: row.origin_id,
                kind: row.kind,
                position: row.position,
                name: row.name,
                retired: row.retired,
            })
            .collect(),
        goals: goals
            .into_iter()
            .map(|row| GoalRow {
                id: row.id,
                origin: row.origin_id,
                field: row.field_id,
                position: row.position,
                statement: row.statement,
                retired: row.retired,
            })
            .collect(),
    })
}

/// What discarding a draft would take with it, and the mark of its state the confirmation was
/// shown for: a change made after that mark is a conflict, not lost silently.
#[derive(Debug, Clone)]
pub struct DraftWork {
    pub id: StrategyId,
    pub version_label: String,
    pub title: String,
    pub started_at: DateTime<Utc>,
    /// Lines in the draft's history.
    pub changes: i64,
    /// Carry-over decisions stored for it.
    pub decisions: i64,
    pub mark: String,
}

/// The draft `id` and the work in it; `None` when there is no such draft.
pub async fn draft_work(pool: &PgPool, id: StrategyId) -> sqlx::Result<Option<DraftWork>> {
    let mut connection = pool.acquire().await?;
    work_of(&mut connection, id).await
}

async fn work_of(
    connection: &mut sqlx::PgConnection,
    id: StrategyId,
) -> sqlx::Result<Option<DraftWork>> {
    let row = sqlx::query!(
        r#"select s.version_label, s.title, s.created_at, s.version,
                  (select count(*) from strategy_events e where e.strategy_id = s.id) as "changes!",
                  (select coalesce(max(e.id), 0) from strategy_events e
                   where e.strategy_id = s.id) as "last_event!",
                  (select count(*) from carryover_decisions d
                   where d.strategy_id = s.id) as "decisions!",
                  (select max(d.decided_at) from carryover_decisions d
                   where d.strategy_id = s.id) as "last_decision"
           from strategies s where s.id = $1 and s.status = 'draft'"#,
        id as StrategyId
    )
    .fetch_optional(connection)
    .await?;
    Ok(row.map(|row| DraftWork {
        id,
        mark: format!(
            "{}.{}.{}.{}",
            row.version,
            row.last_event,
            row.decisions,
            row.last_decision
                .map_or(0, |at: DateTime<Utc>| at.timestamp_micros())
        ),
        version_label: row.version_label,
        title: row.title,
        started_at: row.created_at,
        changes: row.changes,
        decisions: row.decisions,
    }))
}

/// Why a draft was not discarded.
#[derive(Debug)]
pub enum DiscardError {
    NotFound,
    /// The iteration is published or archived: it stays forever.
    NotDraft,
    /// The draft changed after the confirmation was shown: what it holds now.
    Changed(DraftWork),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for DiscardError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// Discards the draft `id` in one transaction, if it is still as `mark` describes: its tree,
/// history, carry-over decisions and criteria copy go, a record of it stays in
/// `discarded_drafts`. The strategy in force and every measure stay as they are: until
/// publication nothing outside the draft refers to it.
pub async fn discard(
    pool: &PgPool,
    id: StrategyId,
    mark: &str,
    by: UserId,
) -> Result<DraftWork, DiscardError> {
    let mut transaction = pool.begin().await?;
    let status = sqlx::query_scalar!(
        r#"select status as "status: StrategyStatus" from strategies where id = $1 for update"#,
        id as StrategyId
    )
    .fetch_optional(&mut *transaction)
    .await?;
    match status {
        None => return Err(DiscardError::NotFound),
        Some(StrategyStatus::Draft) => {}
        Some(_) => return Err(DiscardError::NotDraft),
    }
    // Every edit and every carry-over save locks this row first, so the work read now stays.
    let work = work_of(&mut transaction, id)
        .await?
        .ok_or(DiscardError::NotFound)?;
    if work.mark != mark {
        return Err(DiscardError::Changed(work));
    }
    sqlx::query!(
        "insert into discarded_drafts (id, version_label, title, started_at, discarded_by,
                                       changes, decisions)
         values ($1, $2, $3, $4, $5, $6, $7)",
        id as StrategyId,
        work.version_label,
        work.title,
        work.started_at,
        by as UserId,
        i32::try_from(work.changes).unwrap_or(i32::MAX),
        i32::try_from(work.decisions).unwrap_or(i32::MAX)
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from carryover_decisions where strategy_id = $1",
        id as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from criteria where catalogue_id in
           (select c.id from criteria_catalogues c where c.strategy_id = $1)",
        id as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from criteria_catalogues where strategy_id = $1",
        id as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from goals g using fields f where f.id = g.field_id and f.strategy_id = $1",
        id as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    // Fields, pillars, action dimensions and the history go with the iteration (cascade).
    sqlx::query!("delete from strategies where id = $1", id as StrategyId)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(work)
}

/// A draft given up, for the iterations list.
#[derive(Debug, Clone)]
pub struct DiscardedDraft {
    pub version_label: String,
    pub title: String,
    pub started_at: DateTime<Utc>,
    pub discarded_at: DateTime<Utc>,
    pub discarded_by: Option<String>,
    pub changes: i32,
    pub decisions: i32,
}

/// The drafts given up, the latest first.
pub async fn discarded(pool: &PgPool) -> sqlx::Result<Vec<DiscardedDraft>> {
    sqlx::query_as!(
        DiscardedDraft,
        r#"select d.version_label, d.title, d.started_at, d.discarded_at,
                  u.display_name as "discarded_by?", d.changes, d.decisions
           from discarded_drafts d left join users u on u.id = d.discarded_by
           order by d.discarded_at desc"#
    )
    .fetch_all(pool)
    .await
}
