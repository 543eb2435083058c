//! What the reports read besides the dashboard's counts: every measure of every goal with its
//! status, its rank in the ranking decided last and its implementation per office, and an
//! office's implementation rows.

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::ids::{GoalId, MeasureId};
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

/// A measure under one of its goals.
#[derive(Debug, Clone)]
pub struct GoalMeasure {
    pub goal_id: GoalId,
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub decided_rank: Option<i32>,
    /// The offices with a row and their states, in office order.
    pub offices: Vec<Office>,
    pub states: Vec<State>,
}

/// Every measure of every goal (not drafts, not merged away), by goal and number.
#[tracing::instrument(skip(pool))]
pub async fn measures_by_goal(pool: &PgPool) -> sqlx::Result<Vec<GoalMeasure>> {
    sqlx::query_as!(
        GoalMeasure,
        r#"select mg.goal_id as "goal_id: GoalId", m.id as "id: MeasureId", m.number, m.title,
                  m.status as "status: Status", rm.rank as "decided_rank?",
                  coalesce(i.offices, '{}') as "offices!: Vec<Office>",
                  coalesce(i.states, '{}') as "states!: Vec<State>"
           from measure_goals mg
           join measures m on m.id = mg.measure_id
           left join (select measure_id, array_agg(office order by office) as offices,
                             array_agg(state order by office) as states
                      from measure_implementations group by measure_id) i on i.measure_id = m.id
           left join round_measures rm on rm.measure_id = m.id and rm.round_id =
                (select r.id from prioritisation_rounds r join strategies s on s.id = r.strategy_id
                 where s.status = 'published' and r.status = 'frozen'
                 order by r.frozen_at desc, r.id limit 1)
           where m.status not in ('draft', 'merged')
           order by mg.goal_id, m.number"#
    )
    .fetch_all(pool)
    .await
}

/// A measure as an office's report lists it.
#[derive(Debug, Clone)]
pub struct OfficeLine {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub lead_office: Office,
    pub state: State,
    pub as_of: Option<NaiveDate>,
    pub note: String,
}

/// The measures an office has planned, is implementing or has implemented, most advanced
/// first, then by number.
#[tracing::instrument(skip(pool))]
pub async fn office_lines(pool: &PgPool, office: Office) -> sqlx::Result<Vec<OfficeLine>> {
    sqlx::query_as!(
        OfficeLine,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status",
                  m.lead_office as "lead_office: Office", i.state as "state: State", i.as_of,
                  i.note
           from measure_implementations i
           join measures m on m.id = i.measure_id
           where i.office = $1 and m.status not in ('draft', 'merged')
             and i.state <> 'not_relevant'
           order by i.state desc, m.number"#,
        office as Office
    )
    .fetch_all(pool)
    .await
}

/// How many measures (not drafts, not merged away) an office leads.
#[tracing::instrument(skip(pool))]
pub async fn led_by(pool: &PgPool, office: Office) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from measures
           where lead_office = $1 and status not in ('draft', 'merged')"#,
        office as Office
    )
    .fetch_one(pool)
    .await
}
