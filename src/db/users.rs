//! Queries for accounts.

use sqlx::{PgExecutor, PgPool};

use crate::db::security_log::{self, Event, EventKind};
use crate::domain::ids::UserId;
use crate::domain::office::Office;
use crate::domain::roles::Role;
use crate::domain::user::{DisplayName, EmailAddress, User};

/// What creating an account can run into besides a broken database.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("e-mail address taken")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new account; `password_hash` is `None` for an invitation.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a EmailAddress,
    pub display_name: &'a DisplayName,
    pub office: Office,
    pub roles: &'a [Role],
    pub password_hash: Option<String>,
    /// Until when `password_hash` is a one-time password (`domain::password::one_time_until`);
    /// none: the person's own.
    pub one_time_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn create(
    executor: impl PgExecutor<'_>,
    user: &NewUser<'_>,
) -> Result<UserId, CreateUserError> {
    let id = UserId::new();
    let result = sqlx::query!(
        "insert into users (id, email, display_name, office, roles, password_hash, password_changed_at,
                            one_time_until)
         values ($1, $2, $3, $4, $5, $6, case when $6::text is null then null else now() end, $7)",
        id as UserId,
        user.email.as_str(),
        user.display_name.as_str(),
        user.office as Office,
        user.roles as &[Role],
        user.password_hash,
        user.one_time_until,
    )
    .execute(executor)
    .await;
    match result {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.constraint() == Some("users_email_unique") => {
            Err(CreateUserError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// The account with this e-mail address, if any.
pub async fn id_by_email(
    executor: impl PgExecutor<'_>,
    email: &EmailAddress,
) -> sqlx::Result<Option<UserId>> {
    sqlx::query_scalar!(
        r#"select id as "id: UserId" from users where lower(email) = lower($1)"#,
        email.as_str()
    )
    .fetch_optional(executor)
    .await
}

/// What the login needs: the stored hash is never part of [`User`].
#[derive(Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
    /// Until when the password is a one-time password.
    pub one_time_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn credentials_by_email(pool: &PgPool, email: &str) -> sqlx::Result<Option<Credentials>> {
    let row = sqlx::query!(
        r#"select id as "id: UserId", email, display_name, office as "office: Office",
                  roles as "roles: Vec<Role>", active, created_at, password_hash, one_time_until
           from users where lower(email) = lower($1)"#,
        email
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| Credentials {
        user: User {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            office: row.office,
            roles: row.roles,
            active: row.active,
            created_at: row.created_at,
        },
        password_hash: row.password_hash,
        one_time_until: row.one_time_until,
    }))
}

pub async fn password_hash(pool: &PgPool, id: UserId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select password_hash from users where id = $1",
        id as UserId
    )
    .fetch_optional(pool)
    .await
    .map(Option::flatten)
}

pub async fn by_id(executor: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        r#"select id as "id: UserId", email, display_name, office as "office: Office",
                  roles as "roles: Vec<Role>", active, created_at
           from users where id = $1"#,
        id as UserId
    )
    .fetch_optional(executor)
    .await
}

/// Accounts whose name or e-mail contains `search` (all when empty), by name.
pub async fn search(pool: &PgPool, search: &str) -> sqlx::Result<Vec<User>> {
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as!(
        User,
        r#"select id as "id: UserId", email, display_name, office as "office: Office",
                  roles as "roles: Vec<Role>", active, created_at
           from users
           where display_name ilike $1 or email ilike $1
           order by lower(display_name), lower(email)
           limit 500"#,
        pattern
    )
    .fetch_all(pool)
    .await
}

pub async fn count(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from users"#)
        .fetch_one(pool)
        .await
}

/// Sets the password: the person's own (`one_time_until` none), or a one-time password.
pub async fn set_password_hash(
    executor: impl PgExecutor<'_>,
    id: UserId,
    hash: &str,
    one_time_until: Option<chrono::DateTime<chrono::Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set password_hash = $2, password_changed_at = now(), updated_at = now(),
                          one_time_until = $3
         where id = $1",
        id as UserId,
        hash,
        one_time_until
    )
    .execute(executor)
    .await
    .map(drop)
}

/// Gives `user` these roles and this office on behalf of the administrator `by` (at `client`),
/// with a security-log line for each that changed, in one transaction.
pub async fn change_roles_and_office(
    pool: &PgPool,
    user: &User,
    roles: &[Role],
    office: Office,
    by: UserId,
    client: &str,
) -> sqlx::Result<()> {
    let mut transaction = pool.begin().await?;
    set_roles_and_office(&mut *transaction, user.id, roles, office).await?;
    let mut changes = Vec::new();
    if roles != user.roles {
        let details = format!("{} → {}", Role::list(&user.roles), Role::list(roles));
        changes.push((EventKind::RolesChanged, details));
    }
    if office != user.office {
        let details = format!("{} → {}", user.office.label(), office.label());
        changes.push((EventKind::OfficeChanged, details));
    }
    for (kind, details) in &changes {
        let event = Event {
            kind: *kind,
            actor: Some(by),
            subject: Some(user.id),
            subject_email: &user.email,
            client_address: client,
            details,
        };
        security_log::record(&mut *transaction, &event).await?;
    }
    transaction.commit().await
}

pub async fn set_roles_and_office(
    executor: impl PgExecutor<'_>,
    id: UserId,
    roles: &[Role],
    office: Office,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set roles = $2, office = $3, updated_at = now() where id = $1",
        id as UserId,
        roles as &[Role],
        office as Office
    )
    .execute(executor)
    .await
    .map(drop)
}

pub async fn set_active(
    executor: impl PgExecutor<'_>,
    id: UserId,
    active: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set active = $2, updated_at = now() where id = $1",
        id as UserId,
        active
    )
    .execute(executor)
    .await
    .map(drop)
}
