//! Editing a draft iteration: its texts, pillars, action dimensions, fields and goals. Every
//! write locks the iteration's row first (so edits of one draft run one after the other and a
//! publication cannot slip in between), refuses anything but a draft, saves only against the
//! version the person started from, and writes a line to the iteration's history with the values
//! before and after.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::domain::ids::{ActionDimensionId, FieldId, GoalId, PillarId, StrategyId, UserId};
use crate::domain::strategy::{FieldKind, StrategyStatus};

/// Why an edit was not saved.
#[derive(Debug)]
pub enum EditError {
    NotFound,
    /// The iteration is published or archived: read-only.
    NotDraft,
    /// Someone saved in between; nothing was written.
    Conflict,
    /// Another row of the iteration has this name.
    NameTaken,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for EditError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Database(ref database) if database.is_unique_violation() => {
                Self::NameTaken
            }
            other => Self::Database(other),
        }
    }
}

pub type EditResult<T> = Result<T, EditError>;

/// The vision and the texts of an iteration.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StrategyTexts {
    pub title: String,
    pub motto: String,
    pub vision_statement: String,
    pub vision_introduction: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PillarTexts {
    pub name: String,
    pub explanation: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DimensionTexts {
    pub name: String,
    pub description: String,
    pub deferred: bool,
    pub deferral_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldTexts {
    pub kind: FieldKind,
    pub section: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GoalTexts {
    pub field_id: FieldId,
    pub statement: String,
    pub note: Option<String>,
}

/// An iteration as its tree page and the edit forms read it: retired fields and goals
/// included, every row with its version.
#[derive(Debug, Clone)]
pub struct EditableTree {
    pub id: StrategyId,
    pub version_label: String,
    pub status: StrategyStatus,
    pub published_on: Option<NaiveDate>,
    pub archived_at: Option<DateTime<Utc>>,
    pub origin_id: Option<StrategyId>,
    pub version: i32,
    pub texts: StrategyTexts,
    pub pillars: Vec<EditablePillar>,
    pub dimensions: Vec<EditableDimension>,
    pub fields: Vec<EditableField>,
}

#[derive(Debug, Clone)]
pub struct EditablePillar {
    pub id: PillarId,
    pub version: i32,
    pub texts: PillarTexts,
}

#[derive(Debug, Clone)]
pub struct EditableDimension {
    pub id: ActionDimensionId,
    pub version: i32,
    pub process_label: String,
    pub texts: DimensionTexts,
}

#[derive(Debug, Clone)]
pub struct EditableField {
    pub id: FieldId,
    pub position: i32,
    pub version: i32,
    pub retired: bool,
    pub texts: FieldTexts,
    pub goals: Vec<EditableGoal>,
}

#[derive(Debug, Clone)]
pub struct EditableGoal {
    pub id: GoalId,
    pub position: i32,
    pub version: i32,
    pub retired: bool,
    /// The goal of the previous iteration it was copied from.
    pub origin_id: Option<GoalId>,
    pub texts: GoalTexts,
}

impl EditableTree {
    pub fn field(&self, id: FieldId) -> Option<&EditableField> {
        self.fields.iter().find(|field| field.id == id)
    }

    pub fn goal(&self, id: GoalId) -> Option<(&EditableField, &EditableGoal)> {
        self.fields.iter().find_map(|field| {
            field
                .goals
                .iter()
                .find(|goal| goal.id == id)
                .map(|goal| (field, goal))
        })
    }
}

/// The whole iteration `id`, retired parts included.
pub async fn tree(pool: &PgPool, id: StrategyId) -> sqlx::Result<Option<EditableTree>> {
    let Some(strategy) = sqlx::query!(
        r#"select version_label, status as "status: StrategyStatus", published_on, archived_at,
                  origin_id as "origin_id: StrategyId", version, title, motto, vision_statement,
                  vision_introduction
           from strategies where id = $1"#,
        id as StrategyId
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let (pillars, dimensions, fields, goals) = tokio::try_join!(
        sqlx::query!(
            r#"select id as "id: PillarId", version, name, explanation
               from pillars where strategy_id = $1 order by position"#,
            id as StrategyId
        )
        .fetch_all(pool),
        sqlx::query!(
            r#"select id as "id: ActionDimensionId", version, name, process_label, description,
                      deferred, deferral_note
               from action_dimensions where strategy_id = $1 order by position"#,
            id as StrategyId
        )
        .fetch_all(pool),
        sqlx::query!(
            r#"select id as "id: FieldId", position, version, retired_at is not null as "retired!",
                      kind as "kind: FieldKind", section, name, description
               from fields where strategy_id = $1 order by position"#,
            id as StrategyId
        )
        .fetch_all(pool),
        sqlx::query!(
            r#"select g.id as "id: GoalId", g.field_id as "field_id: FieldId", g.position,
                      g.version, g.retired_at is not null as "retired!",
                      g.origin_id as "origin_id: GoalId", g.statement, g.note
               from goals g join fields f on f.id = g.field_id
               where f.strategy_id = $1 order by g.position"#,
            id as StrategyId
        )
        .fetch_all(pool),
    )?;
    let mut goals: Vec<EditableGoal> = goals
        .into_iter()
        .map(|row| EditableGoal {
            id: row.id,
            position: row.position,
            version: row.version,
            retired: row.retired,
            origin_id: row.origin_id,
            texts: GoalTexts {
                field_id: row.field_id,
                statement: row.statement,
                note: row.note,
            },
        })
        .collect();
    let fields = fields
        .into_iter()
        .map(|row| {
            let (own, rest) = goals
                .drain(..)
                .partition(|goal| goal.texts.field_id == row.id);
            goals = rest;
            EditableField {
                id: row.id,
                position: row.position,
                version: row.version,
                retired: row.retired,
                texts: FieldTexts {
                    kind: row.kind,
                    section: row.section,
                    name: row.name,
                    description: row.description,
                },
                goals: own,
            }
        })
        .collect();
    Ok(Some(EditableTree {
        id,
        version_label: strategy.version_label,
        status: strategy.status,
        published_on: strategy.published_on,
        archived_at: strategy.archived_at,
        origin_id: strategy.origin_id,
        version: strategy.version,
        texts: StrategyTexts {
            title: strategy.title,
            motto: strategy.motto,
            vision_statement: strategy.vision_statement,
            vision_introduction: strategy.vision_introduction,
        },
        pillars: pillars
            .into_iter()
            .map(|row| EditablePillar {
                id: row.id,
                version: row.version,
                texts: PillarTexts {
                    name: row.name,
                    explanation: row.explanation,
                },
            })
            .collect(),
        dimensions: dimensions
            .into_iter()
            .map(|row| EditableDimension {
                id: row.id,
                version: row.version,
                process_label: row.process_label,
                texts: DimensionTexts {
                    name: row.name,
                    description: row.description,
                    deferred: row.deferred,
                    deferral_note: row.deferral_note,
                },
            })
            .collect(),
        fields,
    }))
}

/// The iteration a part of the tree belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Pillar(PillarId),
    Dimension(ActionDimensionId),
    Field(FieldId),
    Goal(GoalId),
}

pub async fn iteration_of(pool: &PgPool, part: Part) -> sqlx::Result<Option<StrategyId>> {
    match part {
        Part::Pillar(id) => {
            sqlx::query_scalar!(
                r#"select strategy_id as "id: StrategyId" from pillars where id = $1"#,
                id as PillarId
            )
            .fetch_optional(pool)
            .await
        }
        Part::Dimension(id) => {
            sqlx::query_scalar!(
                r#"select strategy_id as "id: StrategyId" from action_dimensions where id = $1"#,
                id as ActionDimensionId
            )
            .fetch_optional(pool)
            .await
        }
        Part::Field(id) => {
            sqlx::query_scalar!(
                r#"select strategy_id as "id: StrategyId" from fields where id = $1"#,
                id as FieldId
            )
            .fetch_optional(pool)
            .await
        }
        Part::Goal(id) => {
            sqlx::query_scalar!(
                r#"select f.strategy_id as "id: StrategyId"
                   from goals g join fields f on f.id = g.field_id where g.id = $1"#,
                id as GoalId
            )
            .fetch_optional(pool)
            .await
        }
    }
}

/// Locks the iteration for the rest of the transaction; only a draft may be edited.
async fn lock_draft(connection: &mut PgConnection, id: StrategyId) -> EditResult<()> {
    let status = sqlx::query_scalar!(
        r#"select status as "status: StrategyStatus" from strategies where id = $1 for update"#,
        id as StrategyId
    )
    .fetch_optional(connection)
    .await?;
    match status {
        None => Err(EditError::NotFound),
        Some(StrategyStatus::Draft) => Ok(()),
        Some(_) => Err(EditError::NotDraft),
    }
}

/// Begins the transaction of an edit of `part`: its iteration locked, and a draft.
async fn begin(
    pool: &PgPool,
    part: Part,
) -> EditResult<(sqlx::Transaction<'static, sqlx::Postgres>, StrategyId)> {
    let strategy = iteration_of(pool, part).await?.ok_or(EditError::NotFound)?;
    let mut transaction = pool.begin().await?;
    lock_draft(&mut transaction, strategy).await?;
    Ok((transaction, strategy))
}

/// One line of an iteration's history.
#[derive(Debug)]
struct Line<'a> {
    strategy: StrategyId,
    actor: UserId,
    subject: &'a str,
    subject_id: uuid::Uuid,
    version: i32,
    action: &'a str,
    label: &'a str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

async fn record(connection: &mut PgConnection, line: Line<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into strategy_events (strategy_id, actor_id, subject, subject_id, version, action,
                                      label, before, after)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        line.strategy as StrategyId,
        line.actor as UserId,
        line.subject,
        line.subject_id,
        line.version,
        line.action,
        line.label,
        line.before,
        line.after
    )
    .execute(connection)
    .await?;
    Ok(())
}

fn json(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

pub async fn save_strategy(
    pool: &PgPool,
    id: StrategyId,
    version: i32,
    texts: &StrategyTexts,
    actor: UserId,
) -> EditResult<()> {
    let mut transaction = pool.begin().await?;
    lock_draft(&mut transaction, id).await?;
    let before = sqlx::query_as!(
        StrategyTexts,
        "select title, motto, vision_statement, vision_introduction from strategies
         where id = $1 and version = $2",
        id as StrategyId,
        version
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if before == *texts {
        // Nothing changed: nothing to save, no line in the history.
        return Ok(());
    }
    sqlx::query!(
        "update strategies set title = $2, motto = $3, vision_statement = $4,
                               vision_introduction = $5, version = version + 1
         where id = $1",
        id as StrategyId,
        texts.title,
        texts.motto,
        texts.vision_statement,
        texts.vision_introduction
    )
    .execute(&mut *transaction)
    .await?;
    record(
        &mut transaction,
        Line {
            strategy: id,
            actor,
            subject: "strategy",
            subject_id: id.0,
            version: version + 1,
            action: "updated",
            label: "Titel und Vision",
            before: json(&before),
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

pub async fn save_pillar(
    pool: &PgPool,
    id: PillarId,
    version: i32,
    texts: &PillarTexts,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Pillar(id)).await?;
    let before = sqlx::query_as!(
        PillarTexts,
        "select name, explanation from pillars where id = $1 and version = $2",
        id as PillarId,
        version
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if before == *texts {
        // Nothing changed: nothing to save, no line in the history.
        return Ok(());
    }
    sqlx::query!(
        "update pillars set name = $2, explanation = $3, version = version + 1 where id = $1",
        id as PillarId,
        texts.name,
        texts.explanation
    )
    .execute(&mut *transaction)
    .await?;
    let label = format!("Säule „{}“", texts.name);
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "pillar",
            subject_id: id.0,
            version: version + 1,
            action: "updated",
            label: &label,
            before: json(&before),
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

pub async fn save_dimension(
    pool: &PgPool,
    id: ActionDimensionId,
    version: i32,
    texts: &DimensionTexts,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Dimension(id)).await?;
    let before = sqlx::query_as!(
        DimensionTexts,
        "select name, description, deferred, deferral_note from action_dimensions
         where id = $1 and version = $2",
        id as ActionDimensionId,
        version
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if before == *texts {
        // Nothing changed: nothing to save, no line in the history.
        return Ok(());
    }
    sqlx::query!(
        "update action_dimensions
         set name = $2, description = $3, deferred = $4, deferral_note = $5,
             version = version + 1
         where id = $1",
        id as ActionDimensionId,
        texts.name,
        texts.description,
        texts.deferred,
        texts.deferral_note
    )
    .execute(&mut *transaction)
    .await?;
    let label = format!("Handlungsdimension „{}“", texts.name);
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "dimension",
            subject_id: id.0,
            version: version + 1,
            action: "updated",
            label: &label,
            before: json(&before),
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

fn field_label(texts: &FieldTexts) -> String {
    format!("{} „{}“", texts.kind.label(), texts.name)
}

pub async fn add_field(
    pool: &PgPool,
    strategy: StrategyId,
    texts: &FieldTexts,
    actor: UserId,
) -> EditResult<FieldId> {
    let mut transaction = pool.begin().await?;
    lock_draft(&mut transaction, strategy).await?;
    let id = FieldId::new();
    sqlx::query!(
        "insert into fields (id, strategy_id, kind, position, section, name, description)
         select $1, $2, $3, coalesce(max(position), 0) + 1, $4, $5, $6
         from fields where strategy_id = $2",
        id as FieldId,
        strategy as StrategyId,
        texts.kind as FieldKind,
        texts.section,
        texts.name,
        texts.description
    )
    .execute(&mut *transaction)
    .await?;
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "field",
            subject_id: id.0,
            version: 1,
            action: "added",
            label: &field_label(texts),
            before: None,
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(id)
}

pub async fn save_field(
    pool: &PgPool,
    id: FieldId,
    version: i32,
    texts: &FieldTexts,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Field(id)).await?;
    let before = sqlx::query_as!(
        FieldTexts,
        r#"select kind as "kind: FieldKind", section, name, description from fields
           where id = $1 and version = $2"#,
        id as FieldId,
        version
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if before == *texts {
        // Nothing changed: nothing to save, no line in the history.
        return Ok(());
    }
    sqlx::query!(
        "update fields set kind = $2, section = $3, name = $4, description = $5,
                           version = version + 1
         where id = $1",
        id as FieldId,
        texts.kind as FieldKind,
        texts.section,
        texts.name,
        texts.description
    )
    .execute(&mut *transaction)
    .await?;
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "field",
            subject_id: id.0,
            version: version + 1,
            action: "updated",
            label: &field_label(texts),
            before: json(&before),
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Retires a field (and with it its goals still in the strategy) or brings it back (its goals
/// stay retired: each comes back on its own).
pub async fn set_field_retired(
    pool: &PgPool,
    id: FieldId,
    version: i32,
    retired: bool,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Field(id)).await?;
    let texts = sqlx::query_as!(
        FieldTexts,
        r#"update fields
           set retired_at = case when $3 then now() end, version = version + 1
           where id = $1 and version = $2 and (retired_at is not null) <> $3
           returning kind as "kind: FieldKind", section, name, description"#,
        id as FieldId,
        version,
        retired
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if retired {
        let goals = sqlx::query!(
            r#"update goals set retired_at = now(), version = version + 1
               where field_id = $1 and retired_at is null
               returning id as "id: GoalId", version, statement"#,
            id as FieldId
        )
        .fetch_all(&mut *transaction)
        .await?;
        for goal in goals {
            let label = format!("Ziel „{}“ (mit dem Feld)", short(&goal.statement));
            record(
                &mut transaction,
                Line {
                    strategy,
                    actor,
                    subject: "goal",
                    subject_id: goal.id.0,
                    version: goal.version,
                    action: "retired",
                    label: &label,
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
    }
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "field",
            subject_id: id.0,
            version: version + 1,
            action: if retired { "retired" } else { "restored" },
            label: &field_label(&texts),
            before: None,
            after: None,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Which way a field or goal moves in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Swaps a field with its neighbour of the same kind; at either end nothing moves.
pub async fn move_field(
    pool: &PgPool,
    id: FieldId,
    direction: Direction,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Field(id)).await?;
    let up = direction == Direction::Up;
    let swapped = sqlx::query!(
        r#"with me as (select id, position, kind, strategy_id, name from fields where id = $1),
                other as (
                    select f.id, f.position from fields f, me
                    where f.strategy_id = me.strategy_id and f.kind = me.kind and f.id <> me.id
                      and case when $2 then f.position < me.position else f.position > me.position end
                    order by case when $2 then -f.position else f.position end
                    limit 1)
           update fields f
           set position = case when f.id = me.id then other.position else me.position end
           from me, other
           where f.id in (me.id, other.id)
           returning f.id as "id: FieldId", f.name"#,
        id as FieldId,
        up
    )
    .fetch_all(&mut *transaction)
    .await?;
    if let Some(moved) = swapped.iter().find(|row| row.id == id) {
        let label = format!(
            "„{}“ {}",
            moved.name,
            if up { "nach oben" } else { "nach unten" }
        );
        record(
            &mut transaction,
            Line {
                strategy,
                actor,
                subject: "field",
                subject_id: id.0,
                version: 0,
                action: "moved",
                label: &label,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

fn short(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Adds a goal at the end of its field.
pub async fn add_goal(pool: &PgPool, texts: &GoalTexts, actor: UserId) -> EditResult<GoalId> {
    let (mut transaction, strategy) = begin(pool, Part::Field(texts.field_id)).await?;
    let id = GoalId::new();
    sqlx::query!(
        "insert into goals (id, field_id, position, statement, note)
         select $1, $2, coalesce(max(position), 0) + 1, $3, $4 from goals where field_id = $2",
        id as GoalId,
        texts.field_id as FieldId,
        texts.statement,
        texts.note
    )
    .execute(&mut *transaction)
    .await?;
    let label = format!("Ziel „{}“", short(&texts.statement));
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "goal",
            subject_id: id.0,
            version: 1,
            action: "added",
            label: &label,
            before: None,
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(id)
}

/// Saves a goal's texts; a new field moves it there, to the end, and closes the gap it left.
pub async fn save_goal(
    pool: &PgPool,
    id: GoalId,
    version: i32,
    texts: &GoalTexts,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Goal(id)).await?;
    if iteration_of(pool, Part::Field(texts.field_id)).await? != Some(strategy) {
        return Err(EditError::NotFound);
    }
    let before = sqlx::query_as!(
        GoalTexts,
        r#"select field_id as "field_id: FieldId", statement, note from goals
           where id = $1 and version = $2"#,
        id as GoalId,
        version
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    if before == *texts {
        // Nothing changed: nothing to save, no line in the history.
        return Ok(());
    }
    let moves = before.field_id != texts.field_id;
    sqlx::query!(
        "update goals
         set statement = $2, note = $3, version = version + 1,
             field_id = $4,
             position = case when field_id = $4 then position
                        else (select coalesce(max(position), 0) + 1 from goals where field_id = $4)
                        end
         where id = $1",
        id as GoalId,
        texts.statement,
        texts.note,
        texts.field_id as FieldId
    )
    .execute(&mut *transaction)
    .await?;
    if moves {
        renumber_goals(&mut transaction, before.field_id).await?;
    }
    let label = format!("Ziel „{}“", short(&texts.statement));
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "goal",
            subject_id: id.0,
            version: version + 1,
            action: if moves { "moved" } else { "updated" },
            label: &label,
            before: json(&before),
            after: json(texts),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

async fn renumber_goals(connection: &mut PgConnection, field: FieldId) -> sqlx::Result<()> {
    sqlx::query!(
        "update goals g set position = numbered.position
         from (select id, row_number() over (order by position)::integer as position
               from goals where field_id = $1) numbered
         where g.id = numbered.id and g.position <> numbered.position",
        field as FieldId
    )
    .execute(connection)
    .await?;
    Ok(())
}

pub async fn set_goal_retired(
    pool: &PgPool,
    id: GoalId,
    version: i32,
    retired: bool,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Goal(id)).await?;
    let statement = sqlx::query_scalar!(
        "update goals
         set retired_at = case when $3 then now() end, version = version + 1
         where id = $1 and version = $2 and (retired_at is not null) <> $3
         returning statement",
        id as GoalId,
        version,
        retired
    )
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or(EditError::Conflict)?;
    let label = format!("Ziel „{}“", short(&statement));
    record(
        &mut transaction,
        Line {
            strategy,
            actor,
            subject: "goal",
            subject_id: id.0,
            version: version + 1,
            action: if retired { "retired" } else { "restored" },
            label: &label,
            before: None,
            after: None,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Swaps a goal with its neighbour in its field; at either end nothing moves.
pub async fn move_goal(
    pool: &PgPool,
    id: GoalId,
    direction: Direction,
    actor: UserId,
) -> EditResult<()> {
    let (mut transaction, strategy) = begin(pool, Part::Goal(id)).await?;
    let up = direction == Direction::Up;
    let swapped = sqlx::query!(
        r#"with me as (select id, position, field_id from goals where id = $1),
                other as (
                    select g.id, g.position from goals g, me
                    where g.field_id = me.field_id and g.id <> me.id
                      and case when $2 then g.position < me.position else g.position > me.position end
                    order by case when $2 then -g.position else g.position end
                    limit 1)
           update goals g
           set position = case when g.id = me.id then other.position else me.position end
           from me, other
           where g.id in (me.id, other.id)
           returning g.id as "id: GoalId", g.statement"#,
        id as GoalId,
        up
    )
    .fetch_all(&mut *transaction)
    .await?;
    if let Some(moved) = swapped.iter().find(|row| row.id == id) {
        let label = format!(
            "Ziel „{}“ {}",
            short(&moved.statement),
            if up { "nach oben" } else { "nach unten" }
        );
        record(
            &mut transaction,
            Line {
                strategy,
                actor,
                subject: "goal",
                subject_id: id.0,
                version: 0,
                action: "moved",
                label: &label,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// A line of an iteration's history as the history page shows it.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub subject: String,
    pub action: String,
    pub label: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The history of iteration `id`, newest first: at most `limit` lines.
pub async fn history(pool: &PgPool, id: StrategyId, limit: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"select e.at, u.display_name as "actor?", e.subject, e.action, e.label, e.before, e.after
           from strategy_events e left join users u on u.id = e.actor_id
           where e.strategy_id = $1
           order by e.at desc, e.id desc
           limit $2"#,
        id as StrategyId,
        limit
    )
    .fetch_all(pool)
    .await
}

/// What others saved on `subject` after `version`: the lines a conflicting save shows.
pub async fn changes_since(
    pool: &PgPool,
    subject: uuid::Uuid,
    version: i32,
) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"select e.at, u.display_name as "actor?", e.subject, e.action, e.label, e.before, e.after
           from strategy_events e left join users u on u.id = e.actor_id
           where e.subject_id = $1 and e.version > $2
           order by e.at, e.id"#,
        subject,
        version
    )
    .fetch_all(pool)
    .await
}
