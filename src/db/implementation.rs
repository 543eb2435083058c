//! Queries for the implementation in the offices: rows, progress, milestones (each write with
//! its line in the history), and the matrix.

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool, QueryBuilder};

use crate::db::catalogue::{self, Filter, Scope};
use crate::db::history::{self, NewEvent};
use crate::domain::ids::{MeasureId, UserId};
use crate::domain::implementation::{ProgressEntry, State};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

pub use crate::domain::implementation::Row;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Milestone {
    pub id: uuid::Uuid,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
}

/// A history line of the implementation, by `actor` at the measure's `version`.
fn implementation_event<'a>(
    measure: MeasureId,
    actor: UserId,
    version: i32,
    changes: &'a [history::Change],
) -> NewEvent<'a> {
    NewEvent {
        measure,
        actor,
        version,
        kind: "implementation",
        from_status: None,
        to_status: None,
        reason: None,
        changes,
    }
}

/// Keeps an office's row for `by`, with its line in the history, in one transaction;
/// `version` is the measure's version the line belongs to (a row does not change it).
pub async fn keep_row(
    pool: &PgPool,
    measure: MeasureId,
    row: &Row,
    by: UserId,
    version: i32,
) -> sqlx::Result<()> {
    let mut transaction = pool.begin().await?;
    let before = set_row(&mut transaction, measure, row, by).await?;
    let changes = [row.change_from(before.as_ref())];
    let event = implementation_event(measure, by, version, &changes);
    history::record(&mut *transaction, &event).await?;
    transaction.commit().await
}

/// Keeps the overall progress and a new milestone for `by`, with their lines in the history,
/// in one transaction.
pub async fn keep_progress(
    pool: &PgPool,
    measure: MeasureId,
    entry: &ProgressEntry,
    by: UserId,
) -> sqlx::Result<()> {
    let mut transaction = pool.begin().await?;
    let ProgressChange { before, version } =
        set_progress(&mut transaction, measure, entry.percent).await?;
    if let Some(milestone) = &entry.milestone {
        add_milestone(
            &mut transaction,
            measure,
            &milestone.title,
            milestone.due_on,
        )
        .await?;
    }
    let changes = entry.changes(before);
    if !changes.is_empty() {
        let event = implementation_event(measure, by, version, &changes);
        history::record(&mut *transaction, &event).await?;
    }
    transaction.commit().await
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

/// The overall progress as it was and as it is now, and the measure's new version.
#[derive(Debug, Clone, Copy)]
pub struct ProgressChange {
    pub before: i16,
    pub version: i32,
}

/// Sets the overall progress (the row locked while the old value is read).
pub async fn set_progress(
    connection: &mut PgConnection,
    measure: MeasureId,
    percent: i16,
) -> sqlx::Result<ProgressChange> {
    let before = sqlx::query_scalar!(
        "select progress_percent from measures where id = $1 for update",
        measure as MeasureId
    )
    .fetch_one(&mut *connection)
    .await?;
    let version = sqlx::query_scalar!(
        "update measures set progress_percent = $2, version = version + 1, updated_at = now()
         where id = $1 returning version",
        measure as MeasureId,
        percent
    )
    .fetch_one(&mut *connection)
    .await?;
    Ok(ProgressChange { before, version })
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
#[derive(Debug, Clone, sqlx::FromRow)]
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
    let mut query = QueryBuilder::new(
        "select m.id, m.number, m.title, m.status, m.lead_office, m.progress_percent,
                array(select i.office from measure_implementations i
                      where i.measure_id = m.id order by i.office) as offices,
                array(select i.state from measure_implementations i
                      where i.measure_id = m.id order by i.office) as states,
                (select count(*)",
    );
    catalogue::push_from(&mut query, filter, Scope::Implementation);
    query.push(") as total");
    catalogue::push_from(&mut query, filter, Scope::Implementation);
    query
        .push(" order by m.number limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset);
    let lines: Vec<MatrixLine> = query.build_query_as().fetch_all(pool).await?;
    let total = match lines.first() {
        Some(line) => line.total,
        None if offset > 0 => catalogue::count(pool, filter, Scope::Implementation).await?,
        None => 0,
    };
    Ok((lines, total))
}

/// How many of the measures the matrix shows (all pages) an office has in a state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeTotal {
    pub office: Office,
    pub state: State,
    pub count: i64,
}

/// Per office and state, the rows of the accepted measures that `filter` selects.
pub async fn matrix_totals(pool: &PgPool, filter: &Filter) -> sqlx::Result<Vec<OfficeTotal>> {
    let mut query = QueryBuilder::new(
        "select i.office, i.state, count(*) as count from measure_implementations i
         where i.measure_id in (select m.id",
    );
    catalogue::push_from(&mut query, filter, Scope::Implementation);
    query.push(") group by i.office, i.state");
    query.build_query_as().fetch_all(pool).await
}
