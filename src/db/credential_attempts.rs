//! The throttle's memory: one row per check of a password, reserved before the hash is checked.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// Failures that count against an account or an address, and the time of the newest.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    pub failures: i64,
    pub latest: Option<DateTime<Utc>>,
}

/// What the throttle needs to decide, read under the locks of [`lock`].
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub account: Recent,
    pub address: Recent,
    pub now: DateTime<Utc>,
}

/// Serialises the checks of one account and of one address until the transaction ends. The
/// account's lock is always taken first, so two checks never wait for each other in a circle.
pub async fn lock(
    connection: &mut PgConnection,
    account: &str,
    client_address: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('credential-account:' || $1, 0)),
                pg_advisory_xact_lock(hashtextextended('credential-address:' || $2, 0))",
        account,
        client_address
    )
    .fetch_one(connection)
    .await
    .map(drop)
}

/// Failed and still running checks of `account` since its last success, and of
/// `client_address`, each within its window; a check without an outcome counts for
/// `running_seconds` (a process that died during a check leaves one behind).
pub async fn recent(
    connection: &mut PgConnection,
    account: &str,
    client_address: &str,
    account_window_seconds: i64,
    address_window_seconds: i64,
    running_seconds: i64,
) -> sqlx::Result<Counts> {
    let row = sqlx::query!(
        r#"with counted as (
               select account, client_address, started_at from credential_attempts
               where (account = $1 or client_address = $2)
                 and (outcome = 'failed'
                      or (outcome is null and started_at > now() - make_interval(secs => $5)))
           ),
           last_success as (
               select coalesce(max(started_at), '-infinity') as at from credential_attempts
               where account = $1 and outcome = 'succeeded'
           )
           select
               (select count(*) from counted, last_success
                where account = $1 and started_at > last_success.at
                  and started_at > now() - make_interval(secs => $3)) as "account_failures!",
               (select max(started_at) from counted, last_success
                where account = $1 and started_at > last_success.at
                  and started_at > now() - make_interval(secs => $3)) as account_latest,
               (select count(*) from counted
                where client_address = $2
                  and started_at > now() - make_interval(secs => $4)) as "address_failures!",
               (select max(started_at) from counted
                where client_address = $2
                  and started_at > now() - make_interval(secs => $4)) as address_latest,
               now() as "now!""#,
        account,
        client_address,
        account_window_seconds as f64,
        address_window_seconds as f64,
        running_seconds as f64,
    )
    .fetch_one(connection)
    .await?;
    Ok(Counts {
        account: Recent {
            failures: row.account_failures,
            latest: row.account_latest,
        },
        address: Recent {
            failures: row.address_failures,
            latest: row.address_latest,
        },
        now: row.now,
    })
}

/// Reserves a check; returns its id. Rows older than a day are of no use to the throttle.
pub async fn reserve(
    connection: &mut PgConnection,
    account: &str,
    client_address: &str,
    purpose: &str,
) -> sqlx::Result<i64> {
    sqlx::query!("delete from credential_attempts where started_at < now() - interval '1 day'")
        .execute(&mut *connection)
        .await?;
    sqlx::query_scalar!(
        "insert into credential_attempts (account, client_address, purpose)
         values ($1, $2, $3) returning id",
        account,
        client_address,
        purpose
    )
    .fetch_one(connection)
    .await
}

/// Writes a check's outcome.
pub async fn finish(executor: impl PgExecutor<'_>, id: i64, succeeded: bool) -> sqlx::Result<()> {
    let outcome = if succeeded { "succeeded" } else { "failed" };
    sqlx::query!(
        "update credential_attempts set outcome = $2 where id = $1",
        id,
        outcome
    )
    .execute(executor)
    .await
    .map(drop)
}
