//! Queries for supports. Adding or withdrawing one changes the measure's count in the same
//! transaction.

use sqlx::PgConnection;

use crate::domain::ids::{MeasureId, UserId};

/// Adds a support; returns false when the person already supports the measure.
pub async fn add(
    connection: &mut PgConnection,
    measure: MeasureId,
    user: UserId,
) -> sqlx::Result<bool> {
    let added = sqlx::query!(
        "insert into supports (measure_id, user_id) values ($1, $2) on conflict do nothing",
        measure as MeasureId,
        user as UserId
    )
    .execute(&mut *connection)
    .await?
    .rows_affected()
        > 0;
    if added {
        sqlx::query!(
            "update measures set support_count = support_count + 1 where id = $1",
            measure as MeasureId
        )
        .execute(&mut *connection)
        .await?;
    }
    Ok(added)
}

/// Withdraws a support; returns false when there was none.
pub async fn withdraw(
    connection: &mut PgConnection,
    measure: MeasureId,
    user: UserId,
) -> sqlx::Result<bool> {
    let removed = sqlx::query!(
        "delete from supports where measure_id = $1 and user_id = $2",
        measure as MeasureId,
        user as UserId
    )
    .execute(&mut *connection)
    .await?
    .rows_affected()
        > 0;
    if removed {
        sqlx::query!(
            "update measures set support_count = support_count - 1 where id = $1",
            measure as MeasureId
        )
        .execute(&mut *connection)
        .await?;
    }
    Ok(removed)
}
