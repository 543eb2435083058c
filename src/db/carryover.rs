//! The carry-over of measures into a draft iteration and its publication. The decisions are
//! saved while the draft is worked on (all of a form or none); publishing applies them in the
//! same transaction that puts the draft in force and archives the old iteration, and refuses
//! while a measure with an ending goal is undecided or a round of the old iteration is open.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};

use crate::db::history::{NewEvent, record};
use crate::db::measure_details::set_status;
use crate::domain::ids::{GoalId, MeasureId, StrategyId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;
use crate::domain::strategy::StrategyStatus;
use crate::domain::strategy::carryover::{self, Decision, Outcome};

/// The reason a measure retired by the Fortschreibung carries.
pub const RETIRE_REASON: &str = "Fortschreibung";

/// A goal of the outgoing iteration a measure is linked to.
#[derive(Debug, Clone)]
pub struct OldGoal {
    pub id: GoalId,
    pub statement: String,
    pub field: String,
    pub successors: Vec<GoalId>,
}

/// A measure to carry over.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub lead_office: Office,
    pub old_goals: Vec<OldGoal>,
    pub decision: Option<Decision>,
    /// The number of the measure it is to be merged into, for the form.
    pub merge_number: Option<i64>,
}

impl Candidate {
    pub fn closed(&self) -> bool {
        matches!(
            self.status,
            Status::Rejected | Status::Merged | Status::Implemented | Status::Discontinued
        )
    }

    fn old_ids(&self) -> Vec<GoalId> {
        self.old_goals.iter().map(|goal| goal.id).collect()
    }

    fn lineage(&self) -> HashMap<GoalId, Vec<GoalId>> {
        self.old_goals
            .iter()
            .map(|goal| (goal.id, goal.successors.clone()))
            .collect()
    }

    pub fn needs_decision(&self) -> bool {
        !self.closed() && carryover::needs_decision(&self.old_ids(), &self.lineage())
    }

    pub fn outcome(&self) -> Outcome {
        carryover::outcome(
            &self.old_ids(),
            &self.lineage(),
            self.decision.as_ref(),
            self.closed(),
        )
    }

    /// The successors by lineage, the proposal for "keep".
    pub fn proposed(&self) -> Vec<GoalId> {
        carryover::successors_of(&self.old_ids(), &self.lineage())
    }
}

/// A goal of the draft a measure may be linked to by hand.
#[derive(Debug, Clone)]
pub struct DraftGoal {
    pub id: GoalId,
    pub field: String,
    pub position: i32,
    pub statement: String,
}

/// The carry-over of draft `draft` from the iteration it came from.
#[derive(Debug, Clone)]
pub struct Overview {
    pub draft: StrategyId,
    pub origin: StrategyId,
    pub candidates: Vec<Candidate>,
    pub draft_goals: Vec<DraftGoal>,
}

impl Overview {
    pub fn undecided(&self) -> usize {
        self.candidates
            .iter()
            .filter(|candidate| candidate.outcome() == Outcome::Undecided)
            .count()
    }
}

/// The carry-over of `draft`, or `None` when it is no draft with an origin.
pub async fn overview(pool: &PgPool, draft: StrategyId) -> sqlx::Result<Option<Overview>> {
    let mut connection = pool.acquire().await?;
    overview_in(&mut connection, draft).await
}

async fn overview_in(
    connection: &mut PgConnection,
    draft: StrategyId,
) -> sqlx::Result<Option<Overview>> {
    let Some(origin) = sqlx::query_scalar!(
        r#"select origin_id as "origin: StrategyId" from strategies
           where id = $1 and status = 'draft'"#,
        draft as StrategyId
    )
    .fetch_optional(&mut *connection)
    .await?
    .flatten() else {
        return Ok(None);
    };
    let links = sqlx::query!(
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status",
                  m.lead_office as "lead_office: Office",
                  g.id as "goal_id: GoalId", g.statement, f.name as field,
                  coalesce((select array_agg(s.id order by sf.position, s.position)
                            from goals s join fields sf on sf.id = s.field_id
                            where s.origin_id = g.id and sf.strategy_id = $2
                              and s.retired_at is null and sf.retired_at is null),
                           '{}') as "successors!: Vec<uuid::Uuid>"
           from measures m
           join measure_goals mg on mg.measure_id = m.id
           join goals g on g.id = mg.goal_id
           join fields f on f.id = g.field_id
           where f.strategy_id = $1 and m.status <> 'draft'
           order by m.number, f.position, g.position"#,
        origin as StrategyId,
        draft as StrategyId
    )
    .fetch_all(&mut *connection)
    .await?;
    let decisions = sqlx::query!(
        r#"select d.measure_id as "measure_id: MeasureId", d.decision, d.goal_ids,
                  d.merge_into as "merge_into: MeasureId", t.number as "merge_number?"
           from carryover_decisions d left join measures t on t.id = d.merge_into
           where d.strategy_id = $1"#,
        draft as StrategyId
    )
    .fetch_all(&mut *connection)
    .await?;
    let draft_goals = sqlx::query_as!(
        DraftGoal,
        r#"select g.id as "id: GoalId", f.name as field, g.position, g.statement
           from goals g join fields f on f.id = g.field_id
           where f.strategy_id = $1 and g.retired_at is null and f.retired_at is null
           order by f.position, g.position"#,
        draft as StrategyId
    )
    .fetch_all(&mut *connection)
    .await?;
    let mut candidates: Vec<Candidate> = Vec::new();
    for row in links {
        let goal = OldGoal {
            id: row.goal_id,
            statement: row.statement,
            field: row.field,
            successors: row.successors.into_iter().map(GoalId).collect(),
        };
        match candidates.last_mut() {
            Some(last) if last.id == row.id => last.old_goals.push(goal),
            _ => candidates.push(Candidate {
                id: row.id,
                number: row.number,
                title: row.title,
                status: row.status,
                lead_office: row.lead_office,
                old_goals: vec![goal],
                decision: None,
                merge_number: None,
            }),
        }
    }
    for row in decisions {
        let Some(candidate) = candidates
            .iter_mut()
            .find(|candidate| candidate.id == row.measure_id)
        else {
            continue;
        };
        candidate.decision = match (row.decision.as_str(), row.merge_into) {
            // Goals chosen by hand that were retired since no longer count; none left: no
            // decision.
            ("relink", _) => {
                let goals: Vec<GoalId> = row
                    .goal_ids
                    .into_iter()
                    .map(GoalId)
                    .filter(|goal| draft_goals.iter().any(|draft| draft.id == *goal))
                    .collect();
                (!goals.is_empty()).then_some(Decision::Relink(goals))
            }
            ("retire", _) => Some(Decision::Retire),
            ("merge", Some(target)) => Some(Decision::Merge(target)),
            _ => Some(Decision::Keep),
        };
        candidate.merge_number = row.merge_number;
    }
    Ok(Some(Overview {
        draft,
        origin,
        candidates,
        draft_goals,
    }))
}

/// Saves the decisions of one form (`None`: back to undecided): all of them or, on any error,
/// none.
pub async fn save(
    pool: &PgPool,
    draft: StrategyId,
    decisions: &[(MeasureId, Option<Decision>)],
    by: UserId,
) -> sqlx::Result<bool> {
    let mut transaction = pool.begin().await?;
    let is_draft = sqlx::query_scalar!(
        r#"select status = 'draft' as "draft!" from strategies where id = $1 for update"#,
        draft as StrategyId
    )
    .fetch_optional(&mut *transaction)
    .await?
    .unwrap_or(false);
    if !is_draft {
        return Ok(false);
    }
    for (measure, decision) in decisions {
        let Some(decision) = decision else {
            sqlx::query!(
                "delete from carryover_decisions where strategy_id = $1 and measure_id = $2",
                draft as StrategyId,
                *measure as MeasureId
            )
            .execute(&mut *transaction)
            .await?;
            continue;
        };
        let (goals, target): (Vec<uuid::Uuid>, Option<MeasureId>) = match decision {
            Decision::Relink(goals) => (goals.iter().map(|goal| goal.0).collect(), None),
            Decision::Merge(target) => (Vec::new(), Some(*target)),
            Decision::Keep | Decision::Retire => (Vec::new(), None),
        };
        sqlx::query!(
            "insert into carryover_decisions (strategy_id, measure_id, decision, goal_ids,
                                              merge_into, decided_by)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (strategy_id, measure_id) do update
             set decision = excluded.decision, goal_ids = excluded.goal_ids,
                 merge_into = excluded.merge_into, decided_by = excluded.decided_by,
                 decided_at = now()",
            draft as StrategyId,
            *measure as MeasureId,
            decision.slug(),
            &goals,
            target as Option<MeasureId>,
            by as UserId
        )
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(true)
}

/// Why a draft was not published.
#[derive(Debug)]
pub enum PublishError {
    NotFound,
    NotDraft,
    /// Measures with an ending goal and no decision.
    Undecided(usize),
    /// Rounds of the outgoing iteration still open: freeze them first.
    OpenRounds(Vec<String>),
    /// A merge target is closed or merged meanwhile.
    MergeTargetClosed(i64),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for PublishError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// What a publication did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Published {
    pub relinked: usize,
    pub retired: usize,
    pub merged: usize,
}

/// Puts draft `draft` in force in one transaction: carries the measures over as decided,
/// keeps the old links for the archived iteration, archives the one in force and records it.
pub async fn publish(
    pool: &PgPool,
    draft: StrategyId,
    by: UserId,
) -> Result<Published, PublishError> {
    // The day in Hamburg, not the database's UTC date.
    let today = crate::domain::time::today();
    let mut transaction = pool.begin().await?;
    // The iteration in force first, then the draft: the same order as every edit's lock.
    let rows = sqlx::query!(
        r#"select id as "id: StrategyId", status as "status: StrategyStatus"
           from strategies where status = 'published' or id = $1
           order by id for update"#,
        draft as StrategyId
    )
    .fetch_all(&mut *transaction)
    .await?;
    match rows.iter().find(|row| row.id == draft) {
        None => return Err(PublishError::NotFound),
        Some(row) if row.status != StrategyStatus::Draft => return Err(PublishError::NotDraft),
        Some(_) => {}
    }
    let overview = overview_in(&mut transaction, draft)
        .await?
        .ok_or(PublishError::NotDraft)?;
    let open_rounds = sqlx::query_scalar!(
        "select name from prioritisation_rounds
         where strategy_id = $1 and status = 'open' order by opened_at",
        overview.origin as StrategyId
    )
    .fetch_all(&mut *transaction)
    .await?;
    if !open_rounds.is_empty() {
        return Err(PublishError::OpenRounds(open_rounds));
    }
    let undecided = overview.undecided();
    if undecided > 0 {
        return Err(PublishError::Undecided(undecided));
    }
    // The links as they were stay with the archived iteration.
    sqlx::query!(
        "insert into archived_measure_goals (measure_id, goal_id)
         select mg.measure_id, mg.goal_id from measure_goals mg
         join goals g on g.id = mg.goal_id join fields f on f.id = g.field_id
         where f.strategy_id = $1
         on conflict do nothing",
        overview.origin as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    // Drafts of measures are their authors' own: they follow the lineage where it goes.
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id)
         select mg.measure_id, s.id from measure_goals mg
         join measures m on m.id = mg.measure_id and m.status = 'draft'
         join goals s on s.origin_id = mg.goal_id and s.retired_at is null
         join fields sf on sf.id = s.field_id and sf.strategy_id = $1 and sf.retired_at is null
         on conflict do nothing",
        draft as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from measure_goals mg using goals g, fields f
         where g.id = mg.goal_id and f.id = g.field_id and f.strategy_id = $1",
        overview.origin as StrategyId
    )
    .execute(&mut *transaction)
    .await?;
    let mut published = Published::default();
    for candidate in &overview.candidates {
        match candidate.outcome() {
            Outcome::Link(goals) => {
                link(&mut transaction, candidate.id, &goals).await?;
                published.relinked += 1;
            }
            Outcome::Retire => {
                close(&mut transaction, candidate, Status::Discontinued, None, by).await?;
                published.retired += 1;
            }
            Outcome::Merge(target) => {
                let open = sqlx::query_scalar!(
                    r#"select status as "status: Status" from measures where id = $1 for update"#,
                    target as MeasureId
                )
                .fetch_optional(&mut *transaction)
                .await?
                .is_some_and(Status::accepts_merges);
                if !open {
                    return Err(PublishError::MergeTargetClosed(candidate.number));
                }
                close(
                    &mut transaction,
                    candidate,
                    Status::Merged,
                    Some(target),
                    by,
                )
                .await?;
                published.merged += 1;
            }
            Outcome::Undecided => return Err(PublishError::Undecided(1)),
        }
    }
    sqlx::query!(
        "update strategies set status = 'archived', archived_at = now(),
                               valid_until = greatest(coalesce(published_on, $2), $2)
         where id = $1",
        overview.origin as StrategyId,
        today
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "update strategies set status = 'published', published_on = $2,
                               version = version + 1
         where id = $1",
        draft as StrategyId,
        today
    )
    .execute(&mut *transaction)
    .await?;
    let summary = format!(
        "Veröffentlicht: {} Maßnahmen übertragen, {} eingestellt, {} zusammengeführt",
        published.relinked, published.retired, published.merged
    );
    sqlx::query!(
        "insert into strategy_events (strategy_id, actor_id, subject, subject_id, version,
                                      action, label)
         select $1, $2, 'strategy', $1, version, 'published', $3 from strategies where id = $1",
        draft as StrategyId,
        by as UserId,
        summary
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(published)
}

async fn link(
    connection: &mut PgConnection,
    measure: MeasureId,
    goals: &[GoalId],
) -> sqlx::Result<()> {
    let ids: Vec<uuid::Uuid> = goals.iter().map(|goal| goal.0).collect();
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id)
         select $1, unnest($2::uuid[]) on conflict do nothing",
        measure as MeasureId,
        &ids
    )
    .execute(connection)
    .await?;
    Ok(())
}

async fn close(
    connection: &mut PgConnection,
    candidate: &Candidate,
    to: Status,
    merge_into: Option<MeasureId>,
    by: UserId,
) -> sqlx::Result<()> {
    let reason = (to == Status::Discontinued).then_some(RETIRE_REASON);
    if let Some(version) = set_status(
        connection,
        candidate.id,
        candidate.status,
        to,
        reason,
        merge_into,
    )
    .await?
    {
        record(
            &mut *connection,
            &NewEvent {
                measure: candidate.id,
                actor: by,
                version,
                kind: "status_changed",
                from_status: Some(candidate.status),
                to_status: Some(to),
                reason: Some(reason.unwrap_or(RETIRE_REASON)),
                changes: &[],
            },
        )
        .await?;
    }
    Ok(())
}

/// The prioritisation rounds of an iteration, for its page.
#[derive(Debug, Clone)]
pub struct RoundLink {
    pub id: crate::domain::ids::RoundId,
    pub name: String,
    pub frozen: bool,
}

pub async fn rounds_of(pool: &PgPool, strategy: StrategyId) -> sqlx::Result<Vec<RoundLink>> {
    sqlx::query_as!(
        RoundLink,
        r#"select id as "id: _", name, status = 'frozen' as "frozen!"
           from prioritisation_rounds where strategy_id = $1 order by opened_at desc"#,
        strategy as StrategyId
    )
    .fetch_all(pool)
    .await
}
