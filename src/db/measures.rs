//! Writing measures (idempotent creation, edits with optimistic locking, their links) and the
//! small lists of them other pages need: per goal, similar titles, typed numbers. The catalogue
//! is `db::catalogue`; one measure's page, its lifecycle and history `db::measure_details`.

use sqlx::{PgConnection, PgPool};

use crate::db::history::{self, Change, NewEvent};
use crate::domain::ids::{GoalId, MeasureId, UserId};
use crate::domain::lifecycle::{self, Status};
use crate::domain::measure::{MaturityModel, MeasureData, Source};
use crate::domain::office::Office;

/// A measure as a line in a list.
#[derive(Debug, Clone)]
pub struct MeasureListItem {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub lead_office: Office,
    pub quick_win: bool,
}

/// The measures that pay into a goal (drafts excepted), by title.
#[tracing::instrument(skip(pool))]
pub async fn for_goal(pool: &PgPool, goal: GoalId) -> sqlx::Result<Vec<MeasureListItem>> {
    sqlx::query_as!(
        MeasureListItem,
        r#"select m.id as "id: _", m.number, m.title, m.summary, m.status as "status: Status",
                  m.lead_office as "lead_office: Office", m.quick_win
           from measures m
           -- A goal of an archived iteration: the measures as they were linked then. Both
           -- sides are read by their goal index.
           join (select measure_id from measure_goals where goal_id = $1
                 union
                 select measure_id from archived_measure_goals where goal_id = $1) linked
             on linked.measure_id = m.id
           where m.status <> 'draft'
           order by m.title"#,
        goal as GoalId
    )
    .fetch_all(pool)
    .await
}

/// How many measures (drafts excepted) pay into each of `goals`; goals without any are absent.
pub async fn count_per_goal(pool: &PgPool, goals: &[GoalId]) -> sqlx::Result<Vec<(GoalId, i64)>> {
    let ids: Vec<uuid::Uuid> = goals.iter().map(|goal| goal.0).collect();
    let rows = sqlx::query!(
        r#"select mg.goal_id as "goal_id!: GoalId", count(*) as "count!"
           from (select measure_id, goal_id from measure_goals
                 union select measure_id, goal_id from archived_measure_goals) mg
           join measures m on m.id = mg.measure_id
           where mg.goal_id = any($1) and m.status <> 'draft'
           group by mg.goal_id"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.goal_id, row.count))
        .collect())
}

/// How many measures the catalogue shows (drafts excepted).
pub async fn count(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from measures where status <> 'draft'"#)
        .fetch_one(pool)
        .await
}

/// A measure that looks like the one being proposed.
#[derive(Debug, Clone)]
pub struct Similar {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub support_count: i32,
}

/// Up to five visible measures whose title and summary resemble `text` (trigram similarity).
pub async fn similar(pool: &PgPool, text: &str) -> sqlx::Result<Vec<Similar>> {
    sqlx::query_as!(
        Similar,
        r#"select id as "id: MeasureId", number, title, status as "status: Status", support_count
           from measures
           where status not in ('draft', 'merged')
             and (title || ' ' || summary) % $1
           order by similarity(title || ' ' || summary, $1) desc
           limit 5"#,
        text
    )
    .fetch_all(pool)
    .await
}

/// A measure a person referred to by its number ("M-42").
#[derive(Debug, Clone)]
pub struct Referenced {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub author_id: Option<UserId>,
}

/// The measures with these numbers that `viewer` may see, by number. Every number a person
/// types (dependencies, merge targets) is turned into a measure here, through the one
/// visibility rule (`lifecycle::may_view`): someone else's draft is as unknown as a number that
/// was never given out.
pub async fn resolve_numbers(
    executor: impl sqlx::PgExecutor<'_>,
    numbers: &[i64],
    viewer: UserId,
) -> sqlx::Result<Vec<Referenced>> {
    let found = sqlx::query_as!(
        Referenced,
        r#"select id as "id: MeasureId", number, title, status as "status: Status",
                  author_id as "author_id: UserId"
           from measures where number = any($1)
           order by number"#,
        numbers
    )
    .fetch_all(executor)
    .await?;
    Ok(found
        .into_iter()
        .filter(|measure| lifecycle::may_view(measure.status, measure.author_id == Some(viewer)))
        .collect())
}

/// What a new measure or a change refers to that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("unknown measure numbers")]
    UnknownDependencies(Vec<i64>),
    #[error("a measure cannot depend on itself")]
    DependsOnItself,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a measure with its first history line, in one transaction; the same form sent twice
/// (same author, same `submission_key`) creates one measure and returns it again.
pub async fn create(
    pool: &PgPool,
    data: &MeasureData,
    author: UserId,
    status: Status,
    submission_key: uuid::Uuid,
) -> Result<MeasureId, WriteError> {
    let mut transaction = pool.begin().await?;
    let (id, created) = insert(&mut transaction, data, author, status, submission_key).await?;
    if created {
        let event = NewEvent {
            measure: id,
            actor: author,
            version: 1,
            kind: "created",
            from_status: None,
            to_status: Some(status),
            reason: None,
            changes: &[],
        };
        history::record(&mut *transaction, &event).await?;
    }
    transaction.commit().await?;
    Ok(id)
}

/// Saves an edit with its history line, in one transaction, if the measure still has
/// `expected_version`; `describe` words the changes once the dependencies are resolved.
/// `None`: someone else saved in between, and nothing was written.
pub async fn save(
    pool: &PgPool,
    id: MeasureId,
    expected_version: i32,
    data: &MeasureData,
    editor: UserId,
    describe: impl FnOnce(&[Referenced]) -> Vec<Change>,
) -> Result<Option<i32>, WriteError> {
    let mut transaction = pool.begin().await?;
    let Some((version, dependencies)) =
        update(&mut transaction, id, expected_version, data, editor).await?
    else {
        return Ok(None);
    };
    let changes = describe(&dependencies);
    let event = NewEvent {
        measure: id,
        actor: editor,
        version,
        kind: "updated",
        from_status: None,
        to_status: None,
        reason: None,
        changes: &changes,
    };
    history::record(&mut *transaction, &event).await?;
    transaction.commit().await?;
    Ok(Some(version))
}

/// Creates a measure; a second call by the same author with the same `submission_key` returns
/// the first one's id.
pub async fn insert(
    connection: &mut PgConnection,
    data: &MeasureData,
    author: UserId,
    status: Status,
    submission_key: uuid::Uuid,
) -> Result<(MeasureId, bool), WriteError> {
    // The counter's lock first: the look-up below is then exact, and a measure sent twice
    // takes no number (an insert that does nothing would still use one up).
    sqlx::query!("select last from measure_numbers for update")
        .fetch_one(&mut *connection)
        .await?;
    if let Some(existing) = sqlx::query_scalar!(
        r#"select id as "id: MeasureId" from measures
           where author_id = $1 and submission_key = $2"#,
        author as UserId,
        submission_key
    )
    .fetch_optional(&mut *connection)
    .await?
    {
        return Ok((existing, false));
    }
    let id = MeasureId::new();
    let inserted = sqlx::query_scalar!(
        r#"insert into measures (id, title, summary, description, expected_benefit, lead_office,
                                 responsible_unit, contact_person, source, effort_person_days,
                                 cost_euros, planned_start, planned_end, quick_win, ozg_id,
                                 leika_key, maturity_now, maturity_target, status, author_id,
                                 submission_key, maturity_model, submitted_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22,
                   case when $19 = 'draft'::measure_status then null else now() end)
           on conflict (author_id, submission_key) do nothing
           returning id as "id: MeasureId""#,
        id as MeasureId,
        data.title,
        data.summary,
        data.description,
        data.expected_benefit,
        data.lead_office as Office,
        data.responsible_unit,
        data.contact_person,
        data.source as Source,
        data.effort_person_days,
        data.cost_euros,
        data.planned_start,
        data.planned_end,
        data.quick_win,
        data.ozg.as_ref().map(|ozg| ozg.ozg_id.clone()),
        data.ozg.as_ref().and_then(|ozg| ozg.leika_key.clone()),
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_now),
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_target),
        status as Status,
        author as UserId,
        submission_key,
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_model) as Option<MaturityModel>,
    )
    .fetch_optional(&mut *connection)
    .await?;
    match inserted {
        Some(id) => {
            replace_links(connection, id, data, author).await?;
            Ok((id, true))
        }
        None => {
            let existing = sqlx::query_scalar!(
                r#"select id as "id: MeasureId" from measures
                   where submission_key = $1 and author_id = $2"#,
                submission_key,
                author as UserId
            )
            .fetch_one(&mut *connection)
            .await?;
            Ok((existing, false))
        }
    }
}

/// Saves new content by `editor` if the measure still has `expected_version`; returns the new
/// version and the dependencies as resolved, or `None` when someone else saved in between.
pub async fn update(
    connection: &mut PgConnection,
    id: MeasureId,
    expected_version: i32,
    data: &MeasureData,
    editor: UserId,
) -> Result<Option<(i32, Vec<Referenced>)>, WriteError> {
    let version = sqlx::query_scalar!(
        "update measures set title = $3, summary = $4, description = $5, expected_benefit = $6,
                lead_office = $7, responsible_unit = $8, contact_person = $9, source = $10,
                effort_person_days = $11, cost_euros = $12, planned_start = $13, planned_end = $14,
                quick_win = $15, ozg_id = $16, leika_key = $17, maturity_now = $18,
                maturity_target = $19, maturity_model = $20, version = version + 1,
                updated_at = now()
         where id = $1 and version = $2
         returning version",
        id as MeasureId,
        expected_version,
        data.title,
        data.summary,
        data.description,
        data.expected_benefit,
        data.lead_office as Office,
        data.responsible_unit,
        data.contact_person,
        data.source as Source,
        data.effort_person_days,
        data.cost_euros,
        data.planned_start,
        data.planned_end,
        data.quick_win,
        data.ozg.as_ref().map(|ozg| ozg.ozg_id.clone()),
        data.ozg.as_ref().and_then(|ozg| ozg.leika_key.clone()),
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_now),
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_target),
        data.ozg.as_ref().and_then(|ozg| ozg.maturity_model) as Option<MaturityModel>,
    )
    .fetch_optional(&mut *connection)
    .await?;
    match version {
        Some(version) => Ok(Some((
            version,
            replace_links(connection, id, data, editor).await?,
        ))),
        None => Ok(None),
    }
}

/// Goals, participating offices, dependencies and tags, replaced as a whole. Dependencies are
/// the numbers `actor` typed, resolved among the measures `actor` may see; links to measures
/// `actor` cannot see (another author's draft) were not in their form and are kept.
async fn replace_links(
    connection: &mut PgConnection,
    id: MeasureId,
    data: &MeasureData,
    actor: UserId,
) -> Result<Vec<Referenced>, WriteError> {
    let goals: Vec<uuid::Uuid> = data.goals.iter().map(|goal| goal.0).collect();
    sqlx::query!(
        "delete from measure_goals where measure_id = $1",
        id as MeasureId
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id) select $1, unnest($2::uuid[])",
        id as MeasureId,
        &goals
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "delete from measure_offices where measure_id = $1",
        id as MeasureId
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into measure_offices (measure_id, office) select $1, unnest($2::office[])",
        id as MeasureId,
        &data.participating_offices as &[Office]
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "delete from measure_tags where measure_id = $1",
        id as MeasureId
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into measure_tags (measure_id, tag) select $1, unnest($2::text[])",
        id as MeasureId,
        &data.tags
    )
    .execute(&mut *connection)
    .await?;
    let required = resolve_numbers(&mut *connection, &data.depends_on, actor).await?;
    let unknown: Vec<i64> = data
        .depends_on
        .iter()
        .copied()
        .filter(|number| !required.iter().any(|measure| measure.number == *number))
        .collect();
    if !unknown.is_empty() {
        return Err(WriteError::UnknownDependencies(unknown));
    }
    if required.iter().any(|measure| measure.id == id) {
        return Err(WriteError::DependsOnItself);
    }
    let required_ids: Vec<uuid::Uuid> = required.iter().map(|measure| measure.id.0).collect();
    let hidden_from_actor: Vec<uuid::Uuid> = sqlx::query!(
        r#"select r.id as "id: MeasureId", r.status as "status: Status",
                  r.author_id as "author_id: UserId"
           from measure_dependencies d join measures r on r.id = d.requires_id
           where d.measure_id = $1"#,
        id as MeasureId
    )
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .filter(|row| !lifecycle::may_view(row.status, row.author_id == Some(actor)))
    .map(|row| row.id.0)
    .collect();
    sqlx::query!(
        "delete from measure_dependencies where measure_id = $1 and requires_id <> all($2)",
        id as MeasureId,
        &hidden_from_actor
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into measure_dependencies (measure_id, requires_id)
         select $1, unnest($2::uuid[]) on conflict do nothing",
        id as MeasureId,
        &required_ids
    )
    .execute(&mut *connection)
    .await?;
    Ok(required)
}

/// Records (or, with `None`, removes) the legal obligation that puts a measure in the tier
/// "Pflicht", with a history entry, in one transaction. `false` if the measure does not exist.
pub async fn set_legal_obligation(
    pool: &PgPool,
    measure: MeasureId,
    reason: Option<&str>,
    actor: UserId,
) -> sqlx::Result<bool> {
    let mut transaction = pool.begin().await?;
    let Some(before) = sqlx::query!(
        "select legal_obligation, version from measures where id = $1 for update",
        measure as MeasureId
    )
    .fetch_optional(&mut *transaction)
    .await?
    else {
        return Ok(false);
    };
    if before.legal_obligation.as_deref() == reason {
        return Ok(true);
    }
    let version = sqlx::query_scalar!(
        "update measures set legal_obligation = $2, version = version + 1, updated_at = now()
         where id = $1 returning version",
        measure as MeasureId,
        reason
    )
    .fetch_one(&mut *transaction)
    .await?;
    let words = |text: Option<&str>| text.map_or_else(|| "keine".to_owned(), str::to_owned);
    history::record(
        &mut *transaction,
        &NewEvent {
            measure,
            actor,
            version,
            kind: "updated",
            from_status: None,
            to_status: None,
            reason: None,
            changes: &[Change {
                field: "Gesetzliche Pflicht".to_owned(),
                before: words(before.legal_obligation.as_deref()),
                after: words(reason),
            }],
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(true)
}
