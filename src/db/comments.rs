//! Queries for comments.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::domain::ids::{MeasureId, UserId};

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Comment {
    pub id: uuid::Uuid,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

pub async fn find(
    pool: &PgPool,
    measure: MeasureId,
    id: uuid::Uuid,
) -> sqlx::Result<Option<Comment>> {
    sqlx::query_as!(
        Comment,
        r#"select c.id, c.author_id as "author_id: UserId", u.display_name as "author_name?",
                  c.body, c.internal, c.created_at, c.edited_at, c.deleted_at
           from comments c left join users u on u.id = c.author_id
           where c.measure_id = $1 and c.id = $2"#,
        measure as MeasureId,
        id
    )
    .fetch_optional(pool)
    .await
}

pub async fn create(
    executor: impl PgExecutor<'_>,
    measure: MeasureId,
    author: UserId,
    body: &str,
    internal: bool,
) -> sqlx::Result<uuid::Uuid> {
    let id = uuid::Uuid::new_v4();
    sqlx::query!(
        "insert into comments (id, measure_id, author_id, body, internal) values ($1, $2, $3, $4, $5)",
        id,
        measure as MeasureId,
        author as UserId,
        body,
        internal
    )
    .execute(executor)
    .await?;
    Ok(id)
}

/// Corrects a comment if it is still within the window; returns whether it was.
pub async fn correct(
    executor: impl PgExecutor<'_>,
    id: uuid::Uuid,
    author: UserId,
    body: &str,
    window_minutes: i64,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "update comments set body = $3, edited_at = now()
         where id = $1 and author_id = $2 and deleted_at is null
           and created_at > now() - make_interval(mins => $4)",
        id,
        author as UserId,
        body,
        window_minutes as i32
    )
    .execute(executor)
    .await
    .map(|result| result.rows_affected() > 0)
}

/// Deletes the text and leaves the marker.
pub async fn delete(
    executor: impl PgExecutor<'_>,
    id: uuid::Uuid,
    by: UserId,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "update comments set body = '', deleted_at = now(), deleted_by = $2
         where id = $1 and deleted_at is null",
        id,
        by as UserId
    )
    .execute(executor)
    .await
    .map(|result| result.rows_affected() > 0)
}
