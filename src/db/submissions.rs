//! One-time form keys (see migration `…08000002_form_submissions.sql` and `web::once`).

use sqlx::PgPool;

use crate::domain::ids::UserId;

/// What became of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was unused: this request acts.
    New,
    /// The first request with the key is still running.
    Running,
    /// The first request finished; where it led, if it redirected.
    Finished(Option<String>),
}

pub async fn claim(pool: &PgPool, user: UserId, key: uuid::Uuid) -> sqlx::Result<Claim> {
    // Twice at most: a key given back between the insert and the look-up is taken again.
    for _ in 0..2 {
        let inserted = sqlx::query_scalar!(
            r#"insert into form_submissions (user_id, key) values ($1, $2)
               on conflict do nothing returning true as "inserted!""#,
            user as UserId,
            key
        )
        .fetch_optional(pool)
        .await?;
        if inserted.is_some() {
            return Ok(Claim::New);
        }
        if let Some(claim) = state(pool, user, key).await? {
            return Ok(claim);
        }
    }
    Ok(Claim::Running)
}

/// The state of a key claimed before; `None` if it is unclaimed (given back).
pub async fn state(pool: &PgPool, user: UserId, key: uuid::Uuid) -> sqlx::Result<Option<Claim>> {
    let row = sqlx::query!(
        "select finished_at, location from form_submissions where user_id = $1 and key = $2",
        user as UserId,
        key
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| match row.finished_at {
        None => Claim::Running,
        Some(_) => Claim::Finished(row.location),
    }))
}

pub async fn finish(
    pool: &PgPool,
    user: UserId,
    key: uuid::Uuid,
    location: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update form_submissions set finished_at = now(), location = $3
         where user_id = $1 and key = $2",
        user as UserId,
        key,
        location
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives a key back: the form was refused and may be sent again as it is.
pub async fn release(pool: &PgPool, user: UserId, key: uuid::Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from form_submissions where user_id = $1 and key = $2",
        user as UserId,
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes keys older than `keep_seconds`; how many.
pub async fn expire(pool: &PgPool, keep_seconds: f64) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from form_submissions where claimed_at < now() - make_interval(secs => $1)",
        keep_seconds
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
