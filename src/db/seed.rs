//! The 2020 strategy ("Digitalstrategie der Bezirksämter, Version 1.0") as PriMa's first content,
//! loaded from `content/strategy-2020.json` on first start. Loading is idempotent: the iteration's
//! version label is unique, and an advisory lock keeps two starting instances apart.

use anyhow::Context;
use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::ids::{ActionDimensionId, FieldId, GoalId, PillarId, StrategyId};
use crate::domain::strategy::{FieldKind, StrategyStatus};

const STRATEGY_2020: &str = include_str!("../../content/strategy-2020.json");

/// Arbitrary, fixed: the lock that serialises content loading across processes.
const SEED_LOCK: i64 = 0x7072_696d_615f_0001;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyDocument {
    #[serde(rename = "_comment")]
    _comment: Option<String>,
    pub strategy: StrategyHeader,
    pub vision: Vision,
    pub pillars: Vec<PillarEntry>,
    pub action_dimensions: Vec<DimensionEntry>,
    pub fields: Vec<FieldEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyHeader {
    pub id: StrategyId,
    pub title: String,
    pub motto: String,
    pub version_label: String,
    pub published_on: Option<NaiveDate>,
    pub status: StrategyStatus,
    pub publisher: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vision {
    pub statement: String,
    pub introduction: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PillarEntry {
    pub id: PillarId,
    pub name: String,
    pub explanation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionEntry {
    pub id: ActionDimensionId,
    pub name: String,
    pub process_label: String,
    pub deferred: bool,
    pub deferral_note: Option<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldEntry {
    pub id: FieldId,
    pub kind: FieldKind,
    pub section: String,
    pub name: String,
    pub description: String,
    pub goals: Vec<GoalEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalEntry {
    pub id: GoalId,
    pub statement: String,
    pub note: Option<String>,
}

/// The 2020 document as shipped with PriMa.
pub fn strategy_2020() -> anyhow::Result<StrategyDocument> {
    serde_json::from_str(STRATEGY_2020).context("content/strategy-2020.json is malformed")
}

/// Loads the 2020 strategy unless it is there already. Returns whether it loaded anything.
#[tracing::instrument(skip_all)]
pub async fn load_strategy_2020(pool: &PgPool) -> anyhow::Result<bool> {
    load(pool, &strategy_2020()?).await
}

/// Loads one strategy document in one transaction: all of it or nothing.
pub async fn load(pool: &PgPool, document: &StrategyDocument) -> anyhow::Result<bool> {
    let mut transaction = pool.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock($1)", SEED_LOCK)
        .execute(&mut *transaction)
        .await?;
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from strategies where version_label = $1) as "exists!""#,
        document.strategy.version_label
    )
    .fetch_one(&mut *transaction)
    .await?;
    if exists {
        return Ok(false);
    }
    insert_document(&mut transaction, document)
        .await
        .context("could not load the strategy content")?;
    transaction.commit().await?;
    tracing::info!(
        version = document.strategy.version_label,
        "loaded the strategy content"
    );
    Ok(true)
}

async fn insert_document(
    transaction: &mut Transaction<'_, Postgres>,
    document: &StrategyDocument,
) -> sqlx::Result<()> {
    let header = &document.strategy;
    sqlx::query!(
        "insert into strategies (id, title, motto, version_label, publisher, published_on, status,
                                 vision_statement, vision_introduction)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        header.id as StrategyId,
        header.title,
        header.motto,
        header.version_label,
        header.publisher,
        header.published_on,
        header.status as StrategyStatus,
        document.vision.statement,
        document.vision.introduction,
    )
    .execute(&mut **transaction)
    .await?;
    for (position, pillar) in (1..).zip(&document.pillars) {
        sqlx::query!(
            "insert into pillars (id, strategy_id, position, name, explanation)
             values ($1, $2, $3, $4, $5)",
            pillar.id as PillarId,
            header.id as StrategyId,
            position,
            pillar.name,
            pillar.explanation,
        )
        .execute(&mut **transaction)
        .await?;
    }
    for (position, dimension) in (1..).zip(&document.action_dimensions) {
        sqlx::query!(
            "insert into action_dimensions
                 (id, strategy_id, position, name, process_label, description, deferred, deferral_note)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            dimension.id as ActionDimensionId,
            header.id as StrategyId,
            position,
            dimension.name,
            dimension.process_label,
            dimension.description,
            dimension.deferred,
            dimension.deferral_note,
        )
        .execute(&mut **transaction)
        .await?;
    }
    for (position, field) in (1..).zip(&document.fields) {
        sqlx::query!(
            "insert into fields (id, strategy_id, kind, position, section, name, description)
             values ($1, $2, $3, $4, $5, $6, $7)",
            field.id as FieldId,
            header.id as StrategyId,
            field.kind as FieldKind,
            position,
            field.section,
            field.name,
            field.description,
        )
        .execute(&mut **transaction)
        .await?;
        for (goal_position, goal) in (1..).zip(&field.goals) {
            sqlx::query!(
                "insert into goals (id, field_id, position, statement, note)
                 values ($1, $2, $3, $4, $5)",
                goal.id as GoalId,
                field.id as FieldId,
                goal_position,
                goal.statement,
                goal.note,
            )
            .execute(&mut **transaction)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2020_document_has_the_strategy_s_shape() {
        let document = strategy_2020().expect("the shipped content parses");
        assert_eq!(document.pillars.len(), 3);
        assert_eq!(document.action_dimensions.len(), 3);
        let themes = document
            .fields
            .iter()
            .filter(|field| field.kind == FieldKind::CrossCuttingTheme)
            .count();
        assert_eq!(themes, 3);
        assert_eq!(document.fields.len() - themes, 6);
        let goals: usize = document.fields.iter().map(|field| field.goals.len()).sum();
        assert_eq!(goals, 39);
        let deferred: Vec<&str> = document
            .action_dimensions
            .iter()
            .filter(|dimension| dimension.deferred)
            .map(|dimension| dimension.name.as_str())
            .collect();
        assert_eq!(deferred, ["Digitale Räume"]);
    }
}
