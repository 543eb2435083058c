//! What-if scenarios: named weights saved for a round (`weight_scenarios`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::ids::{RoundId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub id: uuid::Uuid,
    pub name: String,
    /// Whole percent per criterion, in the catalogue's order.
    pub weights: Vec<i16>,
    pub created_by: Option<String>,
    pub created_by_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Why a scenario was not saved.
#[derive(Debug)]
pub enum SaveError {
    NameTaken,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// The scenarios of `round`, by name.
pub async fn list(pool: &PgPool, round: RoundId) -> sqlx::Result<Vec<Scenario>> {
    sqlx::query_as!(
        Scenario,
        r#"select s.id, s.name, s.weights, u.display_name as "created_by?",
                  s.created_by as "created_by_id: UserId", s.created_at
           from weight_scenarios s
           left join users u on u.id = s.created_by
           where s.round_id = $1
           order by lower(s.name), s.id"#,
        round as RoundId
    )
    .fetch_all(pool)
    .await
}

/// Saves `weights` as `name` for `round`.
pub async fn save(
    pool: &PgPool,
    round: RoundId,
    name: &str,
    weights: &[u8],
    by: UserId,
) -> Result<uuid::Uuid, SaveError> {
    let id = uuid::Uuid::new_v4();
    let weights: Vec<i16> = weights.iter().map(|weight| i16::from(*weight)).collect();
    let inserted = sqlx::query!(
        "insert into weight_scenarios (id, round_id, name, weights, created_by)
         values ($1, $2, $3, $4, $5)",
        id,
        round as RoundId,
        name,
        &weights,
        by as UserId
    )
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(SaveError::NameTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// Deletes the scenario `id` of `round`; whether anything was deleted.
pub async fn delete(pool: &PgPool, round: RoundId, id: uuid::Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "delete from weight_scenarios where round_id = $1 and id = $2",
        round as RoundId,
        id
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected() > 0)
}
