//! Reading one measure with everything linked to it, its lifecycle facts and its history.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::ids::{FieldId, GoalId, MeasureId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::measure::Source;
use crate::domain::office::Office;

/// A measure's own columns.
#[derive(Debug, Clone)]
pub struct MeasureRow {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub expected_benefit: String,
    pub lead_office: Office,
    pub responsible_unit: String,
    pub contact_person: String,
    pub source: Source,
    pub effort_person_days: Option<i32>,
    pub cost_euros: Option<i64>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub quick_win: bool,
    pub ozg_id: Option<String>,
    pub leika_key: Option<String>,
    pub maturity_now: Option<i16>,
    pub maturity_target: Option<i16>,
    pub status: Status,
    pub status_reason: Option<String>,
    pub merged_into: Option<MeasureId>,
    pub merged_into_number: Option<i64>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub version: i32,
    pub support_count: i32,
    pub progress_percent: i16,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A goal a measure pays into, with its field.
#[derive(Debug, Clone)]
pub struct LinkedGoal {
    pub id: GoalId,
    pub statement: String,
    pub field_id: FieldId,
    pub field_name: String,
}

/// Another measure this one refers to.
#[derive(Debug, Clone)]
pub struct LinkedMeasure {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
}

/// A measure with everything its page shows.
#[derive(Debug, Clone)]
pub struct MeasureDetail {
    pub row: MeasureRow,
    pub goals: Vec<LinkedGoal>,
    pub participating_offices: Vec<Office>,
    pub depends_on: Vec<LinkedMeasure>,
    pub tags: Vec<String>,
}

pub async fn row(executor: impl PgExecutor<'_>, id: MeasureId) -> sqlx::Result<Option<MeasureRow>> {
    sqlx::query_as!(
        MeasureRow,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.summary, m.description,
                  m.expected_benefit, m.lead_office as "lead_office: Office", m.responsible_unit,
                  m.contact_person, m.source as "source: Source", m.effort_person_days,
                  m.cost_euros, m.planned_start, m.planned_end, m.quick_win, m.ozg_id,
                  m.leika_key, m.maturity_now, m.maturity_target, m.status as "status: Status",
                  m.status_reason, m.merged_into as "merged_into: MeasureId",
                  target.number as "merged_into_number?", m.author_id as "author_id: UserId",
                  u.display_name as "author_name?", m.version, m.support_count, m.progress_percent, m.created_at,
                  m.updated_at
           from measures m left join users u on u.id = m.author_id
           left join measures target on target.id = m.merged_into
           where m.id = $1"#,
        id as MeasureId
    )
    .fetch_optional(executor)
    .await
}

pub async fn find(pool: &PgPool, id: MeasureId) -> sqlx::Result<Option<MeasureDetail>> {
    let Some(row) = row(pool, id).await? else {
        return Ok(None);
    };
    let (goals, offices, depends_on, tags) = tokio::try_join!(
        sqlx::query_as!(
            LinkedGoal,
            r#"select g.id as "id: GoalId", g.statement, f.id as "field_id: FieldId",
                      f.name as field_name
               from measure_goals mg join goals g on g.id = mg.goal_id
               join fields f on f.id = g.field_id
               where mg.measure_id = $1
               order by f.position, g.position"#,
            id as MeasureId
        )
        .fetch_all(pool),
        sqlx::query_scalar!(
            r#"select office as "office: Office" from measure_offices where measure_id = $1
               order by office"#,
            id as MeasureId
        )
        .fetch_all(pool),
        sqlx::query_as!(
            LinkedMeasure,
            r#"select m.id as "id: MeasureId", m.number, m.title
               from measure_dependencies d join measures m on m.id = d.requires_id
               where d.measure_id = $1 order by m.number"#,
            id as MeasureId
        )
        .fetch_all(pool),
        sqlx::query_scalar!(
            "select tag from measure_tags where measure_id = $1 order by tag",
            id as MeasureId
        )
        .fetch_all(pool),
    )?;
    Ok(Some(MeasureDetail {
        row,
        goals,
        participating_offices: offices,
        depends_on,
        tags,
    }))
}

/// The measure with this number, if any.
pub async fn id_by_number(
    executor: impl PgExecutor<'_>,
    number: i64,
) -> sqlx::Result<Option<MeasureId>> {
    sqlx::query_scalar!(
        r#"select id as "id: MeasureId" from measures where number = $1"#,
        number
    )
    .fetch_optional(executor)
    .await
}

/// Moves a measure from `from` to `to` if it is still in `from`; returns the new version.
pub async fn set_status(
    connection: &mut PgConnection,
    id: MeasureId,
    from: Status,
    to: Status,
    reason: Option<&str>,
    merged_into: Option<MeasureId>,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "update measures
         set status = $3, status_reason = coalesce($4, status_reason), version = version + 1,
             merged_into = coalesce($5, merged_into), updated_at = now(),
             submitted_at = case when $3 = 'submitted'::measure_status then now() else submitted_at end
         where id = $1 and status = $2
         returning version",
        id as MeasureId,
        from as Status,
        to as Status,
        reason,
        merged_into as Option<MeasureId>,
    )
    .fetch_optional(connection)
    .await
}

/// One line of a measure's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub occurred_at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub version: i32,
    pub kind: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    pub changes: sqlx::types::Json<Vec<Change>>,
}

/// A changed field: its label, before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What to record.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub measure: MeasureId,
    pub actor: UserId,
    pub version: i32,
    pub kind: &'a str,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<&'a str>,
    pub changes: &'a [Change],
}

pub async fn record(executor: impl PgExecutor<'_>, event: &NewEvent<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into measure_events (measure_id, actor_id, version, kind, from_status, to_status, reason, changes)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.measure as MeasureId,
        event.actor as UserId,
        event.version,
        event.kind,
        event.from_status as Option<Status>,
        event.to_status as Option<Status>,
        event.reason,
        sqlx::types::Json(event.changes) as _,
    )
    .execute(executor)
    .await
    .map(drop)
}

/// The history, newest first; with `after_version`, only what came after that version.
pub async fn history(
    pool: &PgPool,
    id: MeasureId,
    after_version: i32,
) -> sqlx::Result<Vec<HistoryEntry>> {
    sqlx::query_as!(
        HistoryEntry,
        r#"select e.occurred_at, u.display_name as "actor_name?", e.version, e.kind,
                  e.from_status as "from_status: Status", e.to_status as "to_status: Status",
                  e.reason, e.changes as "changes: sqlx::types::Json<Vec<Change>>"
           from measure_events e left join users u on u.id = e.actor_id
           where e.measure_id = $1 and e.version > $2
           order by e.id desc"#,
        id as MeasureId,
        after_version
    )
    .fetch_all(pool)
    .await
}
