//! What the exports read: the measures of a catalogue view with every exported field and the
//! implementation matrix of a view, handed over in chunks through a channel by a task that
//! owns the statement (memory stays flat: at most two chunks wait; a reader who goes away ends
//! the task), and the numbers of a view's measures per goal.
//!
//! A large view is read in one statement that gathers the offices and goals of all measures
//! with one grouped scan each (100,000 measures in about half a second); a small one (up to a
//! chunk) by a statement that gathers them only for its own measures, which takes a few
//! milliseconds where the grouped scans would take a tenth of a second.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder, Row};
use tokio::sync::mpsc;

use super::catalogue::{Filter, Scope, push_from};
use crate::domain::ids::GoalId;
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

/// A measure as the exports write it (read by column position, in the order of
/// `MEASURE_COLUMNS`: a lookup by name per cell costs a fifth of a large export).
#[derive(Debug, Clone)]
pub struct ExportedMeasure {
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub lead_office: Office,
    pub offices: Vec<Office>,
    /// Its goals, in no particular order.
    pub goal_ids: Vec<GoalId>,
    pub quick_win: bool,
    pub ozg_id: Option<String>,
    pub support_count: i32,
    pub effort_person_days: Option<i32>,
    pub cost_euros: Option<i64>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub progress_percent: i16,
    /// Rank and twenty times the score in the newest frozen round of the strategy in force.
    pub decided_rank: Option<i32>,
    pub decided_score20: Option<i16>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<'r> FromRow<'r, PgRow> for ExportedMeasure {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        Ok(Self {
            number: row.try_get(0)?,
            title: row.try_get(1)?,
            summary: row.try_get(2)?,
            status: row.try_get(3)?,
            lead_office: row.try_get(4)?,
            offices: row.try_get(5)?,
            goal_ids: row.try_get(6)?,
            quick_win: row.try_get(7)?,
            ozg_id: row.try_get(8)?,
            support_count: row.try_get(9)?,
            effort_person_days: row.try_get(10)?,
            cost_euros: row.try_get(11)?,
            planned_start: row.try_get(12)?,
            planned_end: row.try_get(13)?,
            progress_percent: row.try_get(14)?,
            decided_rank: row.try_get(15)?,
            decided_score20: row.try_get(16)?,
            created_at: row.try_get(17)?,
            updated_at: row.try_get(18)?,
        })
    }
}

/// A measure of the implementation matrix with its offices' states (in office order).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImplementationLine {
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub lead_office: Office,
    pub progress_percent: i16,
    pub offices: Vec<Office>,
    pub states: Vec<State>,
}

/// Chunks of rows as they come.
pub type Chunks<T> = mpsc::Receiver<sqlx::Result<Vec<T>>>;

const MEASURE_COLUMNS: &str = "m.number, m.title, m.summary, m.status, m.lead_office, \
     coalesce(o.offices, '{}') as offices, coalesce(g.goal_ids, '{}') as goal_ids, \
     m.quick_win, m.ozg_id, m.support_count, m.effort_person_days, m.cost_euros, \
     m.planned_start, m.planned_end, m.progress_percent, \
     rm.rank as decided_rank, rm.score20 as decided_score20, m.created_at, m.updated_at";

/// The newest frozen round of the strategy in force, once per statement.
const DECIDED_ROUND: &str = "left join round_measures rm on rm.measure_id = m.id and rm.round_id = \
     (select r.id from prioritisation_rounds r join strategies s on s.id = r.strategy_id \
     where s.status = 'published' and r.status = 'frozen' order by r.frozen_at desc, r.id limit 1)";

/// The measures of the catalogue view `filter` (`count` of them), by number, in chunks.
pub fn measures(
    pool: &PgPool,
    filter: &Filter,
    count: usize,
    chunk: usize,
) -> Chunks<ExportedMeasure> {
    let filter = filter.clone();
    stream(pool.clone(), chunk, move || {
        if count <= chunk {
            let mut query = QueryBuilder::new("with page as materialized (select m.id");
            push_from(&mut query, &filter, Scope::Catalogue);
            query.push(format!(
                ") select {MEASURE_COLUMNS} from page join measures m on m.id = page.id \
                 left join (select o.measure_id, array_agg(o.office order by o.office) as offices \
                 from measure_offices o where o.measure_id in (select id from page) \
                 group by o.measure_id) o on o.measure_id = m.id \
                 left join (select mg.measure_id, array_agg(mg.goal_id) as goal_ids \
                 from measure_goals mg where mg.measure_id in (select id from page) \
                 group by mg.measure_id) g on g.measure_id = m.id {DECIDED_ROUND} \
                 order by m.number"
            ));
            query
        } else {
            // The view's measures as a subquery that PostgreSQL flattens into one scan.
            let mut query = QueryBuilder::new(format!(
                "select {MEASURE_COLUMNS} from (select m.id, m.number, m.title, m.summary, \
                 m.status, m.lead_office, m.quick_win, m.ozg_id, m.support_count, \
                 m.effort_person_days, m.cost_euros, m.planned_start, m.planned_end, \
                 m.progress_percent, m.created_at, m.updated_at"
            ));
            push_from(&mut query, &filter, Scope::Catalogue);
            query.push(format!(
                ") m left join (select o.measure_id, \
                 array_agg(o.office order by o.office) as offices \
                 from measure_offices o group by o.measure_id) o on o.measure_id = m.id \
                 left join (select mg.measure_id, array_agg(mg.goal_id) as goal_ids \
                 from measure_goals mg group by mg.measure_id) g on g.measure_id = m.id \
                 {DECIDED_ROUND} order by m.number"
            ));
            query
        }
    })
}

/// The implementation matrix of the view `filter`, by number, in chunks.
pub fn implementation(pool: &PgPool, filter: &Filter, chunk: usize) -> Chunks<ImplementationLine> {
    let filter = filter.clone();
    stream(pool.clone(), chunk, move || {
        let mut query = QueryBuilder::new(
            "select m.number, m.title, m.status, m.lead_office, m.progress_percent, \
             coalesce(i.offices, '{}') as offices, coalesce(i.states, '{}') as states \
             from measures m left join (select i.measure_id, \
             array_agg(i.office order by i.office) as offices, \
             array_agg(i.state order by i.office) as states \
             from measure_implementations i group by i.measure_id) i on i.measure_id = m.id \
             where m.id in (select m.id",
        );
        push_from(&mut query, &filter, Scope::Implementation);
        query.push(") order by m.number");
        query
    })
}

/// Runs the statement `build` makes on a task of its own and hands its rows over in chunks
/// of `chunk` (at most two waiting).
fn stream<T>(
    pool: PgPool,
    chunk: usize,
    build: impl FnOnce() -> QueryBuilder<'static, Postgres> + Send + 'static,
) -> Chunks<T>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static,
{
    let (sender, receiver) = mpsc::channel(2);
    tokio::spawn(async move {
        // Sorting 100,000 wide rows by number spills to disk with the default 4 MB of working
        // memory; this statement may take more (only for itself: `set local`).
        let mut transaction = match pool.begin().await {
            Ok(transaction) => transaction,
            Err(error) => {
                let _ = sender.send(Err(error)).await;
                return;
            }
        };
        if let Err(error) = sqlx::query("set local work_mem = '64MB'")
            .execute(&mut *transaction)
            .await
        {
            let _ = sender.send(Err(error)).await;
            return;
        }
        let mut query = build();
        let mut rows = query.build_query_as::<T>().fetch(&mut *transaction);
        let mut rows_of_chunk = Vec::with_capacity(chunk);
        while let Some(row) = rows.next().await {
            match row {
                Ok(row) => {
                    rows_of_chunk.push(row);
                    if rows_of_chunk.len() == chunk
                        && sender
                            .send(Ok(std::mem::take(&mut rows_of_chunk)))
                            .await
                            .is_err()
                    {
                        return;
                    }
                }
                Err(error) => {
                    let _ = sender.send(Err(error)).await;
                    return;
                }
            }
        }
        if !rows_of_chunk.is_empty() {
            let _ = sender.send(Ok(rows_of_chunk)).await;
        }
    });
    receiver
}

/// The numbers of the view's measures linked to each goal that has any, in number order.
#[tracing::instrument(skip(pool))]
pub async fn numbers_per_goal(
    pool: &PgPool,
    filter: &Filter,
) -> sqlx::Result<Vec<(GoalId, Vec<i64>)>> {
    let mut query = QueryBuilder::new(
        "select mg.goal_id, array_agg(m.number order by m.number) \
         from measure_goals mg join measures m on m.id = mg.measure_id \
         where mg.measure_id in (select m.id",
    );
    push_from(&mut query, filter, Scope::Catalogue);
    query.push(") group by mg.goal_id");
    query.build_query_as().fetch_all(pool).await
}
