//! Queries for server-side sessions. Rows hold a hash of the token, never the token.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::domain::ids::UserId;
use crate::domain::office::Office;
use crate::domain::roles::Role;
use crate::domain::user::User;

/// A session that is still valid, with its person.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub id: uuid::Uuid,
    pub user: User,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
    /// Unread notifications, for the header; counted in the same query.
    pub unread: i64,
    /// The content generation this request sees (see `web::cache`); read in the same query.
    pub generation: i64,
    /// The person signed in with a one-time password and has to choose their own first.
    pub must_change_password: bool,
}

/// A session as listed on the account page.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: uuid::Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub client_address: String,
    pub user_agent: String,
}

#[derive(Debug)]
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub user_id: UserId,
    pub csrf_token: &'a str,
    pub client_address: &'a str,
    pub user_agent: &'a str,
}

pub async fn create(
    executor: impl PgExecutor<'_>,
    session: &NewSession<'_>,
) -> sqlx::Result<uuid::Uuid> {
    let id = uuid::Uuid::new_v4();
    sqlx::query!(
        "insert into sessions (id, token_hash, user_id, csrf_token, client_address, user_agent)
         values ($1, $2, $3, $4, $5, $6)",
        id,
        session.token_hash,
        session.user_id as UserId,
        session.csrf_token,
        session.client_address,
        session.user_agent,
    )
    .execute(executor)
    .await?;
    Ok(id)
}

/// The session for `token_hash` if it is within both timeouts and its person is active.
pub async fn find_active(
    pool: &PgPool,
    token_hash: &[u8],
    idle_seconds: i64,
    absolute_seconds: i64,
) -> sqlx::Result<Option<ActiveSession>> {
    let row = sqlx::query!(
        r#"select s.id, s.csrf_token, s.last_seen_at,
                  u.id as "user_id: UserId", u.email, u.display_name, u.office as "office: Office",
                  u.roles as "roles: Vec<Role>", u.active, u.created_at,
                  (select count(*) from notifications n where n.user_id = u.id and n.read_at is null)
                      as "unread!",
                  (select value from content_generation) as "generation!",
                  u.one_time_until is not null as "must_change_password!"
           from sessions s join users u on u.id = s.user_id
           where s.token_hash = $1
             and u.active
             and s.last_seen_at > now() - make_interval(secs => $2)
             and s.created_at > now() - make_interval(secs => $3)"#,
        token_hash,
        idle_seconds as f64,
        absolute_seconds as f64,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| ActiveSession {
        id: row.id,
        csrf_token: row.csrf_token,
        last_seen_at: row.last_seen_at,
        unread: row.unread,
        generation: row.generation,
        must_change_password: row.must_change_password,
        user: User {
            id: row.user_id,
            email: row.email,
            display_name: row.display_name,
            office: row.office,
            roles: row.roles,
            active: row.active,
            created_at: row.created_at,
        },
    }))
}

/// Marks the session as used now (the idle timeout counts from here).
pub async fn touch(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<()> {
    sqlx::query!("update sessions set last_seen_at = now() where id = $1", id)
        .execute(pool)
        .await
        .map(drop)
}

pub async fn delete_by_token(executor: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("delete from sessions where token_hash = $1", token_hash)
        .execute(executor)
        .await
        .map(drop)
}

/// Ends one session of `owner`; returns whether there was one.
pub async fn delete_for_user(
    executor: impl PgExecutor<'_>,
    owner: UserId,
    id: uuid::Uuid,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "delete from sessions where id = $1 and user_id = $2",
        id,
        owner as UserId
    )
    .execute(executor)
    .await
    .map(|result| result.rows_affected() > 0)
}

/// Ends every session of a person; returns how many.
pub async fn delete_all_for_user(
    executor: impl PgExecutor<'_>,
    owner: UserId,
) -> sqlx::Result<u64> {
    sqlx::query!("delete from sessions where user_id = $1", owner as UserId)
        .execute(executor)
        .await
        .map(|result| result.rows_affected())
}

/// The person's sessions that are still within both timeouts, newest first.
pub async fn list_for_user(
    pool: &PgPool,
    owner: UserId,
    idle_seconds: i64,
    absolute_seconds: i64,
) -> sqlx::Result<Vec<SessionInfo>> {
    sqlx::query_as!(
        SessionInfo,
        r#"select id, created_at, last_seen_at, client_address, user_agent
           from sessions
           where user_id = $1
             and last_seen_at > now() - make_interval(secs => $2)
             and created_at > now() - make_interval(secs => $3)
           order by last_seen_at desc"#,
        owner as UserId,
        idle_seconds as f64,
        absolute_seconds as f64,
    )
    .fetch_all(pool)
    .await
}

/// Removes sessions past either timeout.
pub async fn delete_expired(
    pool: &PgPool,
    idle_seconds: i64,
    absolute_seconds: i64,
) -> sqlx::Result<u64> {
    sqlx::query!(
        "delete from sessions
         where last_seen_at <= now() - make_interval(secs => $1)
            or created_at <= now() - make_interval(secs => $2)",
        idle_seconds as f64,
        absolute_seconds as f64,
    )
    .execute(pool)
    .await
    .map(|result| result.rows_affected())
}
