//! Queries for measures. The catalogue itself arrives with the measures issue; the foundation
//! needs what goal pages and the start page show.

use sqlx::PgPool;

use crate::domain::ids::{GoalId, MeasureId};

/// A measure as a line in a list.
#[derive(Debug, Clone)]
pub struct MeasureListItem {
    pub id: MeasureId,
    pub title: String,
    pub summary: String,
}

/// The measures that pay into a goal, by title.
#[tracing::instrument(skip(pool))]
pub async fn for_goal(pool: &PgPool, goal: GoalId) -> sqlx::Result<Vec<MeasureListItem>> {
    sqlx::query_as!(
        MeasureListItem,
        r#"select m.id as "id: _", m.title, m.summary
           from measures m join measure_goals mg on mg.measure_id = m.id
           where mg.goal_id = $1
           order by m.title"#,
        goal as GoalId
    )
    .fetch_all(pool)
    .await
}

/// How many measures the catalogue holds.
pub async fn count(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from measures"#)
        .fetch_one(pool)
        .await
}
