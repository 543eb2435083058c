//! What the dashboard counts: measures by status per design field, the coverage of goals per
//! office, the implementation states at the end of each month, the top of the ranking decided
//! last, quick wins, and the gaps (goals without measures, measures without goals). Drafts are
//! never counted.

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::ids::{FieldId, GoalId, MeasureId};
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

/// How many measures of a status have goals in a field.
#[derive(Debug, Clone)]
pub struct FieldStatusCount {
    pub field_id: FieldId,
    pub status: Status,
    pub count: i64,
}

#[tracing::instrument(skip(pool))]
pub async fn status_per_field(pool: &PgPool) -> sqlx::Result<Vec<FieldStatusCount>> {
    sqlx::query_as!(
        FieldStatusCount,
        r#"select g.field_id as "field_id: FieldId", m.status as "status: Status",
                  count(distinct m.id) as "count!"
           from measures m
           join measure_goals mg on mg.measure_id = m.id
           join goals g on g.id = mg.goal_id
           where m.status <> 'draft'
           group by g.field_id, m.status"#
    )
    .fetch_all(pool)
    .await
}

/// The most advanced state the measures of a goal have reached in an office, and how many
/// of them have a state there (other than "not relevant").
#[derive(Debug, Clone)]
pub struct GoalOfficeState {
    pub goal_id: GoalId,
    pub office: Office,
    pub best: State,
    pub measures: i64,
}

#[tracing::instrument(skip(pool))]
pub async fn coverage(pool: &PgPool) -> sqlx::Result<Vec<GoalOfficeState>> {
    // The enum's order is its declaration's: not relevant < planned < in progress < done.
    sqlx::query_as!(
        GoalOfficeState,
        r#"select mg.goal_id as "goal_id: GoalId", mi.office as "office: Office",
                  max(mi.state) as "best!: State", count(distinct m.id) as "measures!"
           from measure_goals mg
           join measures m on m.id = mg.measure_id
           join measure_implementations mi on mi.measure_id = m.id
           where m.status <> 'draft' and mi.state <> 'not_relevant'
           group by mg.goal_id, mi.office"#
    )
    .fetch_all(pool)
    .await
}

/// How many measures (not drafts) each goal with any has.
#[tracing::instrument(skip(pool))]
pub async fn measures_per_goal(pool: &PgPool) -> sqlx::Result<Vec<(GoalId, i64)>> {
    let rows = sqlx::query!(
        r#"select mg.goal_id as "goal_id: GoalId", count(*) as "count!"
           from measure_goals mg join measures m on m.id = mg.measure_id
           where m.status <> 'draft'
           group by mg.goal_id"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.goal_id, row.count))
        .collect())
}

/// The implementation rows in each state at the end of a month.
#[derive(Debug, Clone)]
pub struct MonthStates {
    /// The month's first day.
    pub month: NaiveDate,
    pub planned: i64,
    pub in_progress: i64,
    pub done: i64,
}

/// The last `months` months up to this one, from the history of the implementation rows.
#[tracing::instrument(skip(pool))]
pub async fn progress_by_month(pool: &PgPool, months: i32) -> sqlx::Result<Vec<MonthStates>> {
    sqlx::query_as!(
        MonthStates,
        r#"with months as (
               select (date_trunc('month', $2::date) - make_interval(months => n))::date
                      as month
               from generate_series(0, $1 - 1) n
           ),
           latest as (
               select mo.month, s.state
               from months mo
               cross join lateral (
                   select distinct on (h.measure_id, h.office) h.state
                   from implementation_history h
                   join measures m on m.id = h.measure_id and m.status <> 'draft'
                   where h.as_of < mo.month + interval '1 month'
                   order by h.measure_id, h.office, h.as_of desc, h.recorded_at desc
               ) s
           )
           select mo.month as "month!",
                  count(l.state) filter (where l.state = 'planned') as "planned!",
                  count(l.state) filter (where l.state = 'in_progress') as "in_progress!",
                  count(l.state) filter (where l.state = 'done') as "done!"
           from months mo left join latest l on l.month = mo.month
           group by mo.month
           order by mo.month"#,
        months,
        // This month in Hamburg, not the database's UTC date.
        crate::domain::time::today()
    )
    .fetch_all(pool)
    .await
}

/// A measure of the ranking decided last.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub rank: i32,
    pub score20: Option<i16>,
    pub class: Option<String>,
    pub round_name: String,
    pub decided_on: Option<NaiveDate>,
}

/// The first `limit` of the newest frozen round of the strategy in force.
#[tracing::instrument(skip(pool))]
pub async fn top_of_ranking(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<Ranked>> {
    sqlx::query_as!(
        Ranked,
        r#"select m.id as "id: MeasureId", m.number, m.title, rm.rank as "rank!", rm.score20,
                  rm.class, r.name as round_name, r.decided_on
           from prioritisation_rounds r
           join round_measures rm on rm.round_id = r.id
           join measures m on m.id = rm.measure_id
           where r.id = (select r.id from prioritisation_rounds r
                         join strategies s on s.id = r.strategy_id
                         where s.status = 'published' and r.status = 'frozen'
                         order by r.frozen_at desc, r.id limit 1)
           order by rm.rank
           limit $1"#,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A measure in a list of the dashboard.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
}

/// Quick wins still worth doing or done (not rejected, merged or discontinued), the open ones
/// first: the first `limit` and how many there are.
#[tracing::instrument(skip(pool))]
pub async fn quick_wins(pool: &PgPool, limit: i64) -> sqlx::Result<(Vec<Listed>, i64)> {
    let listed = sqlx::query_as!(
        Listed,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status"
           from measures m
           where m.quick_win
             and m.status not in ('draft', 'rejected', 'merged', 'discontinued')
           order by m.status = 'implemented', m.number
           limit $1"#,
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from measures m
           where m.quick_win
             and m.status not in ('draft', 'rejected', 'merged', 'discontinued')"#
    )
    .fetch_one(pool)
    .await?;
    Ok((listed, total))
}

/// Measures linked to no goal (not drafts, not merged away, not ended with an earlier
/// iteration whose goals they served): the first `limit` by number and how many there are.
#[tracing::instrument(skip(pool))]
pub async fn without_goals(pool: &PgPool, limit: i64) -> sqlx::Result<(Vec<Listed>, i64)> {
    let listed = sqlx::query_as!(
        Listed,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status"
           from measures m
           where m.status not in ('draft', 'merged')
             and not exists (select 1 from measure_goals mg where mg.measure_id = m.id)
             and not (m.status = 'discontinued'
                      and exists (select 1 from archived_measure_goals a where a.measure_id = m.id))
           order by m.number
           limit $1"#,
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from measures m
           where m.status not in ('draft', 'merged')
             and not exists (select 1 from measure_goals mg where mg.measure_id = m.id)
             and not (m.status = 'discontinued'
                      and exists (select 1 from archived_measure_goals a where a.measure_id = m.id))"#
    )
    .fetch_one(pool)
    .await?;
    Ok((listed, total))
}
