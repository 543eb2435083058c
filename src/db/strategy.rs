//! Queries for the strategy tree.

use sqlx::PgPool;

use crate::domain::ids::{FieldId, GoalId, StrategyId};
use crate::domain::strategy::{
    ActionDimension, Field, FieldKind, Goal, Pillar, Strategy, StrategyStatus, StrategyTree,
};

/// The iteration in force: the published one, else the newest.
#[tracing::instrument(skip_all)]
pub async fn current(pool: &PgPool) -> sqlx::Result<Option<Strategy>> {
    sqlx::query_as!(
        Strategy,
        r#"select id as "id: StrategyId", title, motto, version_label, publisher, published_on,
                  status as "status: StrategyStatus", vision_statement, vision_introduction
           from strategies
           order by status = 'published' desc, created_at desc
           limit 1"#
    )
    .fetch_optional(pool)
    .await
}

/// The whole tree of the iteration in force, or `None` before any content is loaded.
#[tracing::instrument(skip_all)]
pub async fn current_tree(pool: &PgPool) -> sqlx::Result<Option<StrategyTree>> {
    let Some(strategy) = current(pool).await? else {
        return Ok(None);
    };
    let (pillars, dimensions, fields) = tokio::try_join!(
        pillars(pool, strategy.id),
        dimensions(pool, strategy.id),
        fields_with_goals(pool, strategy.id),
    )?;
    Ok(Some(StrategyTree {
        strategy,
        pillars,
        dimensions,
        fields,
    }))
}

async fn pillars(pool: &PgPool, strategy: StrategyId) -> sqlx::Result<Vec<Pillar>> {
    sqlx::query_as!(
        Pillar,
        r#"select id as "id: _", name, explanation
           from pillars where strategy_id = $1 order by position"#,
        strategy as StrategyId
    )
    .fetch_all(pool)
    .await
}

async fn dimensions(pool: &PgPool, strategy: StrategyId) -> sqlx::Result<Vec<ActionDimension>> {
    sqlx::query_as!(
        ActionDimension,
        r#"select id as "id: _", name, process_label, description, deferred, deferral_note
           from action_dimensions where strategy_id = $1 order by position"#,
        strategy as StrategyId
    )
    .fetch_all(pool)
    .await
}

/// Fields and their goals in two queries, however many fields there are.
async fn fields_with_goals(pool: &PgPool, strategy: StrategyId) -> sqlx::Result<Vec<Field>> {
    let (fields, goals) = tokio::try_join!(
        sqlx::query!(
            r#"select id as "id: FieldId", kind as "kind: FieldKind", section, name, description
               from fields where strategy_id = $1 and retired_at is null order by position"#,
            strategy as StrategyId
        )
        .fetch_all(pool),
        // Retired goals stay in their iteration but are no longer part of the strategy.
        sqlx::query_as!(
            Goal,
            r#"select g.id as "id: _", g.field_id as "field_id: _", g.position, g.statement, g.note
               from goals g join fields f on f.id = g.field_id
               where f.strategy_id = $1 and g.retired_at is null and f.retired_at is null
               order by f.position, g.position"#,
            strategy as StrategyId
        )
        .fetch_all(pool),
    )?;
    Ok(fields
        .into_iter()
        .map(|row| Field {
            goals: goals
                .iter()
                .filter(|goal| goal.field_id == row.id)
                .cloned()
                .collect(),
            id: row.id,
            kind: row.kind,
            section: row.section,
            name: row.name,
            description: row.description,
        })
        .collect())
}

/// One field with its goals, and the iteration it belongs to.
#[tracing::instrument(skip(pool))]
pub async fn field(pool: &PgPool, id: FieldId) -> sqlx::Result<Option<(Strategy, Field)>> {
    let Some(row) = sqlx::query!(
        r#"select f.kind as "kind: FieldKind", f.section, f.name, f.description,
                  s.id as "strategy_id: StrategyId", s.title, s.motto, s.version_label, s.publisher,
                  s.published_on, s.status as "status: StrategyStatus", s.vision_statement,
                  s.vision_introduction
           from fields f join strategies s on s.id = f.strategy_id
           where f.id = $1"#,
        id as FieldId
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let goals = sqlx::query_as!(
        Goal,
        r#"select id as "id: _", field_id as "field_id: _", position, statement, note
           from goals where field_id = $1 and retired_at is null order by position"#,
        id as FieldId
    )
    .fetch_all(pool)
    .await?;
    let strategy = Strategy {
        id: row.strategy_id,
        title: row.title,
        motto: row.motto,
        version_label: row.version_label,
        publisher: row.publisher,
        published_on: row.published_on,
        status: row.status,
        vision_statement: row.vision_statement,
        vision_introduction: row.vision_introduction,
    };
    let field = Field {
        id,
        kind: row.kind,
        section: row.section,
        name: row.name,
        description: row.description,
        goals,
    };
    Ok(Some((strategy, field)))
}

/// A goal with what its page shows about its field.
#[derive(Debug, Clone)]
pub struct GoalInContext {
    pub goal: Goal,
    pub field_name: String,
    pub field_kind: FieldKind,
    pub goal_count_in_field: i64,
    pub version_label: String,
    pub strategy_id: StrategyId,
    pub status: StrategyStatus,
    pub retired: bool,
}

#[tracing::instrument(skip(pool))]
pub async fn goal(pool: &PgPool, id: GoalId) -> sqlx::Result<Option<GoalInContext>> {
    let row = sqlx::query!(
        r#"select g.field_id as "field_id: FieldId", g.position, g.statement, g.note,
                  f.name as field_name, f.kind as "field_kind: FieldKind",
                  (select count(*) from goals sibling where sibling.field_id = g.field_id
                     and sibling.retired_at is null) as "goal_count_in_field!",
                  s.version_label, s.id as "strategy_id: StrategyId",
                  s.status as "status: StrategyStatus",
                  (g.retired_at is not null or f.retired_at is not null) as "retired!"
           from goals g
           join fields f on f.id = g.field_id
           join strategies s on s.id = f.strategy_id
           where g.id = $1"#,
        id as GoalId
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| GoalInContext {
        goal: Goal {
            id,
            field_id: row.field_id,
            position: row.position,
            statement: row.statement,
            note: row.note,
        },
        field_name: row.field_name,
        field_kind: row.field_kind,
        goal_count_in_field: row.goal_count_in_field,
        version_label: row.version_label,
        strategy_id: row.strategy_id,
        status: row.status,
        retired: row.retired,
    }))
}
