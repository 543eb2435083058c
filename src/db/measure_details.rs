//! One measure as its page shows it (the measure with everything linked to it, its comments,
//! implementation and history) and the writes of its lifecycle: status steps.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::db::comments::Comment;
use crate::db::history::{HistoryEntry, NewEvent, record};
use crate::db::{implementation, notifications};

use crate::domain::ids::{FieldId, GoalId, MeasureId, UserId};
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;
use crate::domain::measure::{MaturityModel, Source};
use crate::domain::office::Office;

/// A measure's own columns.
#[derive(Debug, Clone)]
pub struct MeasureRow {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub expected_benefit: String,
    pub lead_office: Office,
    pub responsible_unit: String,
    pub contact_person: String,
    pub source: Source,
    pub effort_person_days: Option<i32>,
    pub cost_euros: Option<i64>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub quick_win: bool,
    pub ozg_id: Option<String>,
    pub leika_key: Option<String>,
    pub maturity_now: Option<i16>,
    pub maturity_target: Option<i16>,
    pub maturity_model: Option<MaturityModel>,
    pub status: Status,
    pub status_reason: Option<String>,
    pub merged_into: Option<MeasureId>,
    pub merged_into_number: Option<i64>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub version: i32,
    pub support_count: i32,
    pub progress_percent: i16,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A goal a measure pays into, with its field.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LinkedGoal {
    pub id: GoalId,
    pub statement: String,
    pub field_id: FieldId,
    pub field_name: String,
}

/// Another measure this one refers to, with what decides who may see it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LinkedMeasure {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub author_id: Option<UserId>,
}

impl LinkedMeasure {
    /// Whether `reader` may see this measure (`lifecycle::may_view`).
    pub fn visible_to(&self, reader: UserId) -> bool {
        crate::domain::lifecycle::may_view(self.status, self.author_id == Some(reader))
    }
}

/// A measure with everything its page shows.
#[derive(Debug, Clone)]
pub struct MeasureDetail {
    pub row: MeasureRow,
    pub goals: Vec<LinkedGoal>,
    pub participating_offices: Vec<Office>,
    /// Every dependency, whoever may see it: show only [`MeasureDetail::dependencies_for`].
    pub depends_on: Vec<LinkedMeasure>,
    pub tags: Vec<String>,
}

impl MeasureDetail {
    /// The dependencies `reader` may see (another author's draft stays hidden).
    pub fn dependencies_for(&self, reader: UserId) -> Vec<LinkedMeasure> {
        self.depends_on
            .iter()
            .filter(|measure| measure.visible_to(reader))
            .cloned()
            .collect()
    }
}

pub async fn row(executor: impl PgExecutor<'_>, id: MeasureId) -> sqlx::Result<Option<MeasureRow>> {
    sqlx::query_as!(
        MeasureRow,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.summary, m.description,
                  m.expected_benefit, m.lead_office as "lead_office: Office", m.responsible_unit,
                  m.contact_person, m.source as "source: Source", m.effort_person_days,
                  m.cost_euros, m.planned_start, m.planned_end, m.quick_win, m.ozg_id,
                  m.leika_key, m.maturity_now, m.maturity_target,
                  m.maturity_model as "maturity_model: MaturityModel", m.status as "status: Status",
                  m.status_reason, m.merged_into as "merged_into: MeasureId",
                  target.number as "merged_into_number?", m.author_id as "author_id: UserId",
                  u.display_name as "author_name?", m.version, m.support_count, m.progress_percent, m.created_at,
                  m.updated_at
           from measures m left join users u on u.id = m.author_id
           left join measures target on target.id = m.merged_into
           where m.id = $1"#,
        id as MeasureId
    )
    .fetch_optional(executor)
    .await
}

/// Everything a measure's page shows that is the same for every reader: the measure with its
/// links, its history, all its comments (internal notes included: the page filters them), and
/// its implementation rows and milestones.
#[derive(Debug, Clone)]
pub struct MeasurePage {
    pub detail: MeasureDetail,
    pub history: Vec<HistoryEntry>,
    pub comments: Vec<Comment>,
    pub implementation_rows: Vec<implementation::Row>,
    pub milestones: Vec<implementation::Milestone>,
    /// Where the ranking decided last put it (the newest frozen round it took part in).
    pub decided: Option<super::rounds::Decided>,
}

/// A measure's page in one statement (the lists as JSON or arrays, whatever their lengths).
pub async fn page(pool: &PgPool, id: MeasureId) -> sqlx::Result<Option<MeasurePage>> {
    let Some(record) = sqlx::query!(
        r#"select m.id as "id: MeasureId", m.number, m.title, m.summary, m.description,
                  m.expected_benefit, m.lead_office as "lead_office: Office", m.responsible_unit,
                  m.contact_person, m.source as "source: Source", m.effort_person_days,
                  m.cost_euros, m.planned_start, m.planned_end, m.quick_win, m.ozg_id,
                  m.leika_key, m.maturity_now, m.maturity_target,
                  m.maturity_model as "maturity_model: MaturityModel", m.status as "status: Status",
                  m.status_reason, m.merged_into as "merged_into: MeasureId",
                  target.number as "merged_into_number?", m.author_id as "author_id: UserId",
                  u.display_name as "author_name?", m.version, m.support_count,
                  m.progress_percent, m.created_at, m.updated_at,
                  -- Its goals in the iteration in force; a measure that ended with an earlier
                  -- iteration shows the goals it had there, named with their iteration.
                  (select coalesce(json_agg(json_build_object(
                              'id', g.id, 'statement', g.statement, 'field_id', f.id,
                              'field_name', f.name || case when s.status = 'archived'
                                  then ' (Version ' || s.version_label || ')' else '' end)
                              order by f.position, g.position), '[]')
                   from (select mg.goal_id from measure_goals mg where mg.measure_id = m.id
                         union all
                         select a.goal_id from archived_measure_goals a
                         where a.measure_id = m.id
                           and not exists (select 1 from measure_goals mg
                                           where mg.measure_id = m.id)) linked
                   join goals g on g.id = linked.goal_id
                   join fields f on f.id = g.field_id
                   join strategies s on s.id = f.strategy_id) as "goals!: Json<Vec<LinkedGoal>>",
                  array(select o.office from measure_offices o where o.measure_id = m.id
                        order by o.office) as "offices!: Vec<Office>",
                  (select coalesce(json_agg(json_build_object(
                              'id', r.id, 'number', r.number, 'title', r.title,
                              'status', r.status, 'author_id', r.author_id)
                              order by r.number), '[]')
                   from measure_dependencies d join measures r on r.id = d.requires_id
                   where d.measure_id = m.id) as "depends_on!: Json<Vec<LinkedMeasure>>",
                  array(select t.tag from measure_tags t where t.measure_id = m.id
                        order by t.tag) as "tags!",
                  (select coalesce(json_agg(json_build_object(
                              'occurred_at', e.occurred_at, 'actor_name', a.display_name,
                              'version', e.version, 'kind', e.kind, 'from_status', e.from_status,
                              'to_status', e.to_status, 'reason', e.reason,
                              'changes', e.changes) order by e.id desc), '[]')
                   from measure_events e left join users a on a.id = e.actor_id
                   where e.measure_id = m.id) as "history!: Json<Vec<HistoryEntry>>",
                  (select coalesce(json_agg(json_build_object(
                              'id', c.id, 'author_id', c.author_id, 'author_name', a.display_name,
                              'body', c.body, 'internal', c.internal, 'created_at', c.created_at,
                              'edited_at', c.edited_at, 'deleted_at', c.deleted_at)
                              order by c.created_at, c.id), '[]')
                   from comments c left join users a on a.id = c.author_id
                   where c.measure_id = m.id) as "comments!: Json<Vec<Comment>>",
                  array(select i.office from measure_implementations i where i.measure_id = m.id
                        order by i.office) as "row_offices!: Vec<Office>",
                  array(select i.state from measure_implementations i where i.measure_id = m.id
                        order by i.office) as "row_states!: Vec<State>",
                  array(select i.note from measure_implementations i where i.measure_id = m.id
                        order by i.office) as "row_notes!",
                  array(select i.as_of from measure_implementations i where i.measure_id = m.id
                        order by i.office) as "row_dates!: Vec<Option<NaiveDate>>",
                  (select coalesce(json_agg(json_build_object(
                              'id', s.id, 'title', s.title, 'due_on', s.due_on, 'done', s.done)
                              order by s.due_on nulls last, s.created_at), '[]')
                   from milestones s where s.measure_id = m.id)
                      as "milestones!: Json<Vec<implementation::Milestone>>",
                  (select json_build_object(
                              'round', r.id, 'round_name', r.name, 'decided_on', r.decided_on,
                              'decision_body', r.decision_body,
                              'measures', (select count(*) from round_measures a
                                           where a.round_id = r.id),
                              'rank', rm.rank, 'tier', rm.tier, 'score20', rm.score20,
                              'class', rm.class, 'consolidated', rm.consolidated,
                              'criteria', (select json_agg(json_build_object(
                                                'name', k.name, 'group', k.criterion_group,
                                                'weight', k.weight) order by k.position)
                                           from criteria k where k.catalogue_id = r.catalogue_id))
                   from round_measures rm
                   join prioritisation_rounds r on r.id = rm.round_id
                   join strategies s on s.id = r.strategy_id
                   where rm.measure_id = m.id and r.status = 'frozen' and s.status = 'published'
                   order by r.frozen_at desc, r.id
                   limit 1) as "decided?: Json<super::rounds::Decided>"
           from measures m left join users u on u.id = m.author_id
           left join measures target on target.id = m.merged_into
           where m.id = $1"#,
        id as MeasureId
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let implementation_rows = record
        .row_offices
        .into_iter()
        .zip(record.row_states)
        .zip(record.row_notes)
        .zip(record.row_dates)
        .map(|(((office, state), note), as_of)| implementation::Row {
            office,
            state,
            note,
            as_of,
        })
        .collect();
    let row = MeasureRow {
        id: record.id,
        number: record.number,
        title: record.title,
        summary: record.summary,
        description: record.description,
        expected_benefit: record.expected_benefit,
        lead_office: record.lead_office,
        responsible_unit: record.responsible_unit,
        contact_person: record.contact_person,
        source: record.source,
        effort_person_days: record.effort_person_days,
        cost_euros: record.cost_euros,
        planned_start: record.planned_start,
        planned_end: record.planned_end,
        quick_win: record.quick_win,
        ozg_id: record.ozg_id,
        leika_key: record.leika_key,
        maturity_now: record.maturity_now,
        maturity_target: record.maturity_target,
        maturity_model: record.maturity_model,
        status: record.status,
        status_reason: record.status_reason,
        merged_into: record.merged_into,
        merged_into_number: record.merged_into_number,
        author_id: record.author_id,
        author_name: record.author_name,
        version: record.version,
        support_count: record.support_count,
        progress_percent: record.progress_percent,
        created_at: record.created_at,
        updated_at: record.updated_at,
    };
    Ok(Some(MeasurePage {
        decided: record.decided.map(|decided| decided.0),
        detail: MeasureDetail {
            row,
            goals: record.goals.0,
            participating_offices: record.offices,
            depends_on: record.depends_on.0,
            tags: record.tags,
        },
        history: record.history.0,
        comments: record.comments.0,
        implementation_rows,
        milestones: record.milestones.0,
    }))
}

/// A measure with its links.
pub async fn find(pool: &PgPool, id: MeasureId) -> sqlx::Result<Option<MeasureDetail>> {
    Ok(page(pool, id).await?.map(|page| page.detail))
}

/// What a measure's page shows only to `reader`: whether they support and follow it.
#[derive(Debug, Clone, Copy)]
pub struct ReaderState {
    pub supported: bool,
    pub following: bool,
}

pub async fn reader_state(
    pool: &PgPool,
    id: MeasureId,
    reader: UserId,
) -> sqlx::Result<ReaderState> {
    sqlx::query_as!(
        ReaderState,
        r#"select exists (select 1 from supports where measure_id = $1 and user_id = $2)
                      as "supported!",
                  exists (select 1 from follows where measure_id = $1 and user_id = $2)
                      as "following!""#,
        id as MeasureId,
        reader as UserId
    )
    .fetch_one(pool)
    .await
}

/// Locks the rows of `ids` for the rest of the transaction, always in the same order (so that
/// two transactions locking the same pair cannot deadlock), and returns their statuses.
pub async fn lock_statuses(
    connection: &mut PgConnection,
    ids: &[MeasureId],
) -> sqlx::Result<Vec<(MeasureId, Status)>> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
    let rows = sqlx::query!(
        r#"select id as "id: MeasureId", status as "status: Status"
           from measures where id = any($1)
           order by id
           for update"#,
        &ids
    )
    .fetch_all(connection)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.status)).collect())
}

/// Moves a measure from `from` to `to` if it is still in `from`; returns the new version. The
/// reason and the merge target belong to this step alone: a step without them clears them.
pub async fn set_status(
    connection: &mut PgConnection,
    id: MeasureId,
    from: Status,
    to: Status,
    reason: Option<&str>,
    merged_into: Option<MeasureId>,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "update measures
         set status = $3, status_reason = $4, version = version + 1,
             merged_into = $5, updated_at = now(),
             submitted_at = case when $3 = 'submitted'::measure_status then now() else submitted_at end
         where id = $1 and status = $2
         returning version",
        id as MeasureId,
        from as Status,
        to as Status,
        reason,
        merged_into as Option<MeasureId>,
    )
    .fetch_optional(connection)
    .await
}

/// A lifecycle step to write, already checked against `domain::lifecycle`: the measure moves
/// `from` → `to`, its followers are told `notice`, and when it is merged, its supporters are
/// told `merge_notice`.
#[derive(Debug)]
pub struct Step<'a> {
    pub measure: MeasureId,
    pub actor: UserId,
    pub from: Status,
    pub to: Status,
    pub reason: Option<&'a str>,
    pub merge_into: Option<MeasureId>,
    pub notice: &'a str,
    pub merge_notice: &'a str,
}

/// How writing a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Taken,
    /// The merge target was closed or merged meanwhile.
    TargetClosed,
    /// The measure's status moved on meanwhile.
    StatusMoved,
}

/// Writes a step in one transaction: status, notifications and the history line, or nothing.
/// For a merge both rows are locked in one order, so two crossing merges (A into B, B into A)
/// run one after the other and the second finds its target merged.
pub async fn take_step(pool: &PgPool, step: &Step<'_>) -> sqlx::Result<StepOutcome> {
    let mut transaction = pool.begin().await?;
    if let Some(target) = step.merge_into {
        let statuses = lock_statuses(&mut transaction, &[step.measure, target]).await?;
        let still_open = statuses
            .iter()
            .any(|(measure, status)| *measure == target && status.accepts_merges());
        if !still_open {
            return Ok(StepOutcome::TargetClosed);
        }
    }
    let Some(version) = set_status(
        &mut transaction,
        step.measure,
        step.from,
        step.to,
        step.reason,
        step.merge_into,
    )
    .await?
    else {
        return Ok(StepOutcome::StatusMoved);
    };
    notifications::notify_interested(
        &mut transaction,
        step.measure,
        step.actor,
        "status_changed",
        step.notice,
    )
    .await?;
    if let Some(target) = step.merge_into {
        notifications::notify_supporters_of_merge(
            &mut transaction,
            step.measure,
            target,
            step.actor,
            step.merge_notice,
        )
        .await?;
    }
    record(
        &mut *transaction,
        &NewEvent {
            measure: step.measure,
            actor: step.actor,
            version,
            kind: "status_changed",
            from_status: Some(step.from),
            to_status: Some(step.to),
            reason: step.reason,
            changes: &[],
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(StepOutcome::Taken)
}
