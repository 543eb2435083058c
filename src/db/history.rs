//! A measure's history: every change is written in the same transaction as the change itself,
//! and read back for the measure's page and for a refused save (what others changed).

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

pub use crate::domain::history::Change;
use crate::domain::ids::{MeasureId, UserId};
use crate::domain::lifecycle::Status;

/// One line of a measure's history.
#[derive(Debug, Clone, serde::Deserialize)]
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
