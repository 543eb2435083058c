//! Following measures, and notifications written in the same transaction as what they report.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::ids::{MeasureId, RoundId, UserId};

pub async fn follow(
    connection: &mut PgConnection,
    measure: MeasureId,
    user: UserId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into follows (measure_id, user_id) values ($1, $2) on conflict do nothing",
        measure as MeasureId,
        user as UserId
    )
    .execute(connection)
    .await
    .map(drop)
}

pub async fn unfollow(
    connection: &mut PgConnection,
    measure: MeasureId,
    user: UserId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from follows where measure_id = $1 and user_id = $2",
        measure as MeasureId,
        user as UserId
    )
    .execute(connection)
    .await
    .map(drop)
}

/// Tells the measure's author and followers (not `actor`) about something that happened.
pub async fn notify_interested(
    connection: &mut PgConnection,
    measure: MeasureId,
    actor: UserId,
    kind: &str,
    message: &str,
) -> sqlx::Result<u64> {
    sqlx::query!(
        "insert into notifications (user_id, measure_id, kind, message)
         select interested.user_id, $1, $3, $4
         from (select author_id as user_id from measures where id = $1
               union select user_id from follows where measure_id = $1) interested
         where interested.user_id is not null and interested.user_id <> $2",
        measure as MeasureId,
        actor as UserId,
        kind,
        message
    )
    .execute(connection)
    .await
    .map(|result| result.rows_affected())
}

/// Tells the supporters of a merged measure where it went, so they can support the target.
pub async fn notify_supporters_of_merge(
    connection: &mut PgConnection,
    merged: MeasureId,
    target: MeasureId,
    actor: UserId,
    message: &str,
) -> sqlx::Result<u64> {
    sqlx::query!(
        "insert into notifications (user_id, measure_id, target_id, kind, message)
         select user_id, $1, $2, 'merged', $4 from supports
         where measure_id = $1 and user_id <> $3",
        merged as MeasureId,
        target as MeasureId,
        actor as UserId,
        message
    )
    .execute(connection)
    .await
    .map(|result| result.rows_affected())
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    /// What it is about: a measure, or (when a round opened) a prioritisation round.
    pub measure_id: Option<MeasureId>,
    pub round_id: Option<RoundId>,
    pub target_id: Option<MeasureId>,
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// For merges: whether the person supports the target already.
    pub supports_target: bool,
}

impl Notification {
    /// The page it is about.
    pub fn href(&self) -> String {
        match (self.measure_id, self.round_id) {
            (Some(measure), _) => format!("/massnahmen/{measure}"),
            (None, Some(round)) => format!("/priorisierung/runden/{round}"),
            (None, None) => "/benachrichtigungen".to_owned(),
        }
    }
}

pub async fn for_user(pool: &PgPool, user: UserId) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as!(
        Notification,
        r#"select n.id, n.measure_id as "measure_id?: MeasureId", n.round_id as "round_id?: RoundId", n.target_id as "target_id: MeasureId",
                  n.kind, n.message, n.created_at, n.read_at,
                  exists (select 1 from supports s where s.measure_id = n.target_id and s.user_id = n.user_id)
                      as "supports_target!"
           from notifications n
           where n.user_id = $1
           order by n.created_at desc, n.id desc
           limit 200"#,
        user as UserId
    )
    .fetch_all(pool)
    .await
}

pub async fn mark_all_read(pool: &PgPool, user: UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
        user as UserId
    )
    .execute(pool)
    .await
    .map(drop)
}
