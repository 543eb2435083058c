//! Queries for the implementation in the offices: rows, progress, milestones, and the matrix.

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

use crate::db::catalogue::Filter;
use crate::domain::ids::{FieldId, GoalId, MeasureId, UserId};
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

#[derive(Debug, Clone)]
pub struct Row {
    pub office: Office,
    pub state: State,
    pub note: String,
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: uuid::Uuid,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
}

pub async fn rows(pool: &PgPool, measure: MeasureId) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"select office as "office: Office", state as "state: State", note, as_of
           from measure_implementations where measure_id = $1 order by office"#,
        measure as MeasureId
    )
    .fetch_all(pool)
    .await
}

/// Sets an office's row; returns the row as it was before (for the history).
pub async fn set_row(
    connection: &mut PgConnection,
    measure: MeasureId,
    row: &Row,
    by: UserId,
) -> sqlx::Result<Option<Row>> {
    let before = sqlx::query_as!(
        Row,
        r#"select office as "office: Office", state as "state: State", note, as_of
           from measure_implementations where measure_id = $1 and office = $2 for update"#,
        measure as MeasureId,
        row.office as Office
    )
    .fetch_optional(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into measure_implementations (measure_id, office, state, note, as_of, updated_by)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (measure_id, office) do update
         set state = excluded.state, note = excluded.note, as_of = excluded.as_of,
             updated_by = excluded.updated_by, updated_at = now()",
        measure as MeasureId,
        row.office as Office,
        row.state as State,
        row.note,
        row.as_of,
        by as UserId
    )
    .execute(&mut *connection)
    .await?;
    Ok(before)
}

pub async fn milestones(pool: &PgPool, measure: MeasureId) -> sqlx::Result<Vec<Milestone>> {
    sqlx::query_as!(
        Milestone,
        "select id, title, due_on, done from milestones where measure_id = $1
         order by due_on nulls last, created_at",
        measure as MeasureId
    )
    .fetch_all(pool)
    .await
}

/// Sets the overall progress; returns the new version of the measure.
pub async fn set_progress(
    connection: &mut PgConnection,
    measure: MeasureId,
    percent: i16,
) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "update measures set progress_percent = $2, version = version + 1, updated_at = now()
         where id = $1 returning version",
        measure as MeasureId,
        percent
    )
    .fetch_one(connection)
    .await
}

pub async fn add_milestone(
    connection: &mut PgConnection,
    measure: MeasureId,
    title: &str,
    due_on: Option<NaiveDate>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into milestones (id, measure_id, title, due_on) values ($1, $2, $3, $4)",
        uuid::Uuid::new_v4(),
        measure as MeasureId,
        title,
        due_on
    )
    .execute(connection)
    .await
    .map(drop)
}

/// One line of the matrix: a measure and its offices' states.
#[derive(Debug, Clone)]
pub struct MatrixLine {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub lead_office: Office,
    pub progress_percent: i16,
    pub offices: Vec<Office>,
    pub states: Vec<State>,
    pub total: i64,
}

/// Accepted measures with their rows, filtered like the catalogue, a page at a time.
pub async fn matrix(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<MatrixLine>, i64)> {
    let lines = sqlx::query_as!(
        MatrixLine,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status",
                  m.lead_office as "lead_office: Office", m.progress_percent,
                  coalesce(array_agg(i.office order by i.office) filter (where i.office is not null), '{}')
                      as "offices!: Vec<Office>",
                  coalesce(array_agg(i.state order by i.office) filter (where i.office is not null), '{}')
                      as "states!: Vec<State>",
                  count(*) over () as "total!"
           from measures m
           left join measure_implementations i on i.measure_id = m.id
           where m.status in ('accepted', 'in_progress', 'implemented')
             and ($1 = '' or m.search @@ websearch_to_tsquery('german', $1))
             and ($2::measure_status is null or m.status = $2)
             and ($3::office is null or m.lead_office = $3
                  or exists (select 1 from measure_offices o where o.measure_id = m.id and o.office = $3))
             and ($4::uuid is null
                  or exists (select 1 from measure_goals mg where mg.measure_id = m.id and mg.goal_id = $4))
             and ($5::uuid is null
                  or exists (select 1 from measure_goals mg join goals g on g.id = mg.goal_id
                             where mg.measure_id = m.id and g.field_id = $5))
             and (not $6 or m.quick_win)
             and (not $7 or m.ozg_id is not null)
             and ($8 = '' or exists (select 1 from measure_tags t where t.measure_id = m.id and t.tag = $8))
           group by m.id
           order by m.number
           limit $9 offset $10"#,
        filter.text,
        filter.status as Option<Status>,
        filter.office as Option<Office>,
        filter.goal as Option<GoalId>,
        filter.field as Option<FieldId>,
        filter.quick_win,
        filter.ozg,
        filter.tag,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = lines.first().map_or(0, |line| line.total);
    Ok((lines, total))
}
