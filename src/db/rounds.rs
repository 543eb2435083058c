//! Prioritisation rounds as stored: opening one with its measures (and telling every district
//! officer), the rounds and their measures, the assessments and final values in them. The
//! database computes nothing here: consolidation and ranking are `scoring`'s. Triggers refuse
//! every change to a frozen round (migration `…_prioritisation_rounds.sql`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::domain::ids::{MeasureId, RoundId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::{Rating, RoundName, RoundStatus};

/// A round in the list of rounds.
#[derive(Debug, Clone)]
pub struct RoundSummary {
    pub id: RoundId,
    pub name: String,
    pub status: RoundStatus,
    pub deadline: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub catalogue_version: i32,
    pub measures: i64,
    pub decided_on: Option<NaiveDate>,
    pub decision_body: Option<String>,
}

/// A round with everything its page says about it.
#[derive(Debug, Clone)]
pub struct Round {
    pub id: RoundId,
    pub name: String,
    pub status: RoundStatus,
    pub deadline: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub opened_by: Option<String>,
    pub catalogue_id: uuid::Uuid,
    pub catalogue_version: i32,
    pub class_a_from: i16,
    pub class_b_from: i16,
    pub frozen_at: Option<DateTime<Utc>>,
    pub frozen_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub decision_body: Option<String>,
    pub decision_note: String,
    pub robustness_seed: Option<i64>,
}

/// A measure taking part in a round, with the inputs of its ranking (live while the round is
/// open; as frozen once it is).
#[derive(Debug, Clone)]
pub struct RoundMeasure {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub status: Status,
    pub lead_office: Office,
    pub supports: i32,
    pub created_at: DateTime<Utc>,
    pub legal_obligation: Option<String>,
    /// Frozen results: tier, twenty times the score, class, rank.
    pub frozen_tier: Option<String>,
    pub frozen_score20: Option<i16>,
    pub frozen_class: Option<String>,
    pub frozen_rank: Option<i32>,
    /// The robustness figures stored when the round was frozen (docs/prioritisation.md).
    pub frozen_robustness: Option<serde_json::Value>,
    /// The measures of the round this one depends on ("setzt voraus").
    pub requires: Vec<MeasureId>,
}

/// One rater's value of one criterion of one measure.
#[derive(Debug, Clone)]
pub struct AssessmentRow {
    pub measure: MeasureId,
    /// The criterion's position in its catalogue version, from 1.
    pub position: i32,
    pub rater: UserId,
    pub office: Office,
    pub value: Option<i16>,
    pub reason: String,
    pub submitted_at: DateTime<Utc>,
}

impl AssessmentRow {
    pub fn rating(&self) -> Rating {
        Rating::from_points(self.value)
    }
}

/// A value an assessor replaced after the others' values were shown to them.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub measure: MeasureId,
    /// The criterion's position in its catalogue version, from 1.
    pub position: i32,
    pub rater: UserId,
    /// The value replaced (none: "nicht beurteilbar").
    pub value: Option<i16>,
    pub replaced_at: DateTime<Utc>,
}

/// Every replaced value of a round, oldest first.
pub async fn revisions(pool: &PgPool, id: RoundId) -> sqlx::Result<Vec<RevisionRow>> {
    sqlx::query_as!(
        RevisionRow,
        r#"select r.measure_id as "measure: MeasureId", k.position, r.rater_id as "rater: UserId",
                  r.value, r.replaced_at
           from assessment_revisions r
           join criteria k on k.id = r.criterion_id
           where r.round_id = $1
           order by r.replaced_at, r.id"#,
        id as RoundId
    )
    .fetch_all(pool)
    .await
}

/// A final value set by the central officer.
#[derive(Debug, Clone)]
pub struct FinalRow {
    pub measure: MeasureId,
    pub position: i32,
    pub value: i16,
    pub reason: String,
    pub set_by: Option<String>,
    /// Who set it (a round can have several central officers; each sees only their own final
    /// values of the measures hidden from them).
    pub set_by_id: Option<UserId>,
    pub set_at: DateTime<Utc>,
}

/// Why a round was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// Another round of this strategy iteration has that name.
    NameTaken,
    /// The filter found no measure.
    NoMeasures,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for OpenError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// What opening a round needs.
#[derive(Debug)]
pub struct NewRound<'a> {
    pub name: &'a RoundName,
    pub deadline: NaiveDate,
    pub catalogue_id: uuid::Uuid,
    pub measures: &'a [MeasureId],
    pub by: UserId,
    /// What every district officer is told.
    pub notice: &'a str,
}

/// Opens a round with its measures and notifies every active district officer, in one
/// transaction.
#[tracing::instrument(skip(pool, round), fields(measures = round.measures.len()))]
pub async fn open(pool: &PgPool, round: &NewRound<'_>) -> Result<RoundId, OpenError> {
    if round.measures.is_empty() {
        return Err(OpenError::NoMeasures);
    }
    let mut transaction = pool.begin().await?;
    let id = RoundId::new();
    let inserted = sqlx::query!(
        "insert into prioritisation_rounds (id, strategy_id, catalogue_id, name, deadline, opened_by)
         select $1, c.strategy_id, c.id, $3, $4, $5 from criteria_catalogues c where c.id = $2",
        id as RoundId,
        round.catalogue_id,
        round.name.as_str(),
        round.deadline,
        round.by as UserId
    )
    .execute(&mut *transaction)
    .await;
    match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(OpenError::NameTaken);
        }
        other => {
            other?;
        }
    }
    let ids: Vec<uuid::Uuid> = round.measures.iter().map(|id| id.0).collect();
    sqlx::query!(
        "insert into round_measures (round_id, measure_id) select $1, unnest($2::uuid[])",
        id as RoundId,
        &ids
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "insert into notifications (user_id, round_id, kind, message)
         select u.id, $1, 'round_opened', $2 from users u
         where u.active and 'district_officer' = any (u.roles)",
        id as RoundId,
        round.notice
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(id)
}

/// The rounds of the strategy in force, newest first.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<RoundSummary>> {
    sqlx::query_as!(
        RoundSummary,
        r#"select r.id as "id: RoundId", r.name, r.status as "status: RoundStatus", r.deadline,
                  r.opened_at, c.version as catalogue_version,
                  (select count(*) from round_measures rm where rm.round_id = r.id) as "measures!",
                  r.decided_on, r.decision_body
           from prioritisation_rounds r
           join criteria_catalogues c on c.id = r.catalogue_id
           join strategies s on s.id = r.strategy_id
           where s.status = 'published'
           order by r.opened_at desc, r.name"#
    )
    .fetch_all(pool)
    .await
}

/// The newest round of the strategy in force (the one the ranking page shows).
pub async fn newest(pool: &PgPool) -> sqlx::Result<Option<RoundId>> {
    sqlx::query_scalar!(
        r#"select r.id as "id: RoundId"
           from prioritisation_rounds r
           join strategies s on s.id = r.strategy_id
           where s.status = 'published'
           order by r.opened_at desc, r.name
           limit 1"#
    )
    .fetch_optional(pool)
    .await
}

pub async fn find(pool: &PgPool, id: RoundId) -> sqlx::Result<Option<Round>> {
    sqlx::query_as!(
        Round,
        r#"select r.id as "id: RoundId", r.name, r.status as "status: RoundStatus", r.deadline,
                  r.opened_at, o.display_name as "opened_by?", r.catalogue_id,
                  c.version as catalogue_version, r.class_a_from, r.class_b_from, r.frozen_at,
                  f.display_name as "frozen_by?", r.decided_on, r.decision_body, r.decision_note,
                  r.robustness_seed
           from prioritisation_rounds r
           join criteria_catalogues c on c.id = r.catalogue_id
           left join users o on o.id = r.opened_by
           left join users f on f.id = r.frozen_by
           where r.id = $1"#,
        id as RoundId
    )
    .fetch_optional(pool)
    .await
}

/// The measures of a round, by number.
pub async fn measures(pool: &PgPool, id: RoundId) -> sqlx::Result<Vec<RoundMeasure>> {
    sqlx::query_as!(
        RoundMeasure,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.status as "status: Status",
                  m.lead_office as "lead_office: Office",
                  coalesce(rm.supports, m.support_count) as "supports!", m.created_at,
                  case when r.status = 'frozen' then rm.legal_obligation else m.legal_obligation end
                      as legal_obligation,
                  rm.tier as frozen_tier, rm.score20 as frozen_score20, rm.class as frozen_class,
                  rm.rank as frozen_rank, rm.robustness as frozen_robustness,
                  array(select d.requires_id from measure_dependencies d
                        join round_measures other on other.measure_id = d.requires_id
                                                 and other.round_id = rm.round_id
                        where d.measure_id = m.id order by d.requires_id)
                      as "requires!: Vec<MeasureId>"
           from round_measures rm
           join prioritisation_rounds r on r.id = rm.round_id
           join measures m on m.id = rm.measure_id
           where rm.round_id = $1
           order by m.number"#,
        id as RoundId
    )
    .fetch_all(pool)
    .await
}

/// Every assessment of a round (the page decides what each reader sees of them).
pub async fn assessments(pool: &PgPool, id: RoundId) -> sqlx::Result<Vec<AssessmentRow>> {
    sqlx::query_as!(
        AssessmentRow,
        r#"select a.measure_id as "measure: MeasureId", k.position, a.rater_id as "rater: UserId",
                  a.rater_office as "office: Office", a.value, a.reason, a.submitted_at
           from assessments a
           join criteria k on k.id = a.criterion_id
           where a.round_id = $1
           order by a.measure_id, k.position, a.rater_office, a.rater_id"#,
        id as RoundId
    )
    .fetch_all(pool)
    .await
}

/// The final values of a round.
pub async fn final_values(pool: &PgPool, id: RoundId) -> sqlx::Result<Vec<FinalRow>> {
    sqlx::query_as!(
        FinalRow,
        r#"select f.measure_id as "measure: MeasureId", k.position, f.value, f.reason,
                  u.display_name as "set_by?", f.set_by as "set_by_id?: UserId", f.set_at
           from final_values f
           join criteria k on k.id = f.criterion_id
           left join users u on u.id = f.set_by
           where f.round_id = $1
           order by f.measure_id, k.position"#,
        id as RoundId
    )
    .fetch_all(pool)
    .await
}

/// What became of a write into a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Saved,
    /// The round was frozen meanwhile; nothing was written.
    Frozen,
    /// The measure does not take part in the round (or the round does not exist).
    NotInRound,
}

/// Locks the round against freezing while a write goes in, and says whether it may.
async fn lock_open(
    transaction: &mut sqlx::PgConnection,
    round: RoundId,
    measure: MeasureId,
) -> sqlx::Result<Option<Written>> {
    let status = sqlx::query_scalar!(
        r#"select r.status as "status: RoundStatus" from prioritisation_rounds r
           join round_measures rm on rm.round_id = r.id and rm.measure_id = $2
           where r.id = $1 for share of r"#,
        round as RoundId,
        measure as MeasureId
    )
    .fetch_optional(&mut *transaction)
    .await?;
    Ok(match status {
        None => Some(Written::NotInRound),
        Some(RoundStatus::Frozen) => Some(Written::Frozen),
        Some(RoundStatus::Open) => None,
    })
}

/// One rater's ratings of every criterion of a measure, as submitted.
#[derive(Debug)]
pub struct Submission<'a> {
    pub round: RoundId,
    pub measure: MeasureId,
    pub rater: UserId,
    pub office: Office,
    /// Per criterion id, in any order: the rating and its reason.
    pub ratings: &'a [(uuid::Uuid, Rating, String)],
}

/// Replaces the rater's assessment of the measure with `submission`, in one transaction. Once
/// the earlier assessment gave points (so the others' values were shown), every value it
/// changes is kept in `assessment_revisions`.
#[tracing::instrument(skip(pool, submission), fields(round = %submission.round, measure = %submission.measure))]
pub async fn submit(pool: &PgPool, submission: &Submission<'_>) -> sqlx::Result<Written> {
    let mut transaction = pool.begin().await?;
    if let Some(refused) = lock_open(&mut transaction, submission.round, submission.measure).await?
    {
        return Ok(refused);
    }
    let criteria: Vec<uuid::Uuid> = submission.ratings.iter().map(|(id, _, _)| *id).collect();
    let values: Vec<Option<i16>> = submission
        .ratings
        .iter()
        .map(|(_, rating, _)| rating.points().map(i16::from))
        .collect();
    sqlx::query!(
        "insert into assessment_revisions (round_id, measure_id, criterion_id, rater_id,
                                           rater_office, value, submitted_at)
         select a.round_id, a.measure_id, a.criterion_id, a.rater_id, a.rater_office, a.value,
                a.submitted_at
         from assessments a
         join unnest($4::uuid[], $5::smallint[]) as given (criterion, value)
           on given.criterion = a.criterion_id
         where a.round_id = $1 and a.measure_id = $2 and a.rater_id = $3
           and a.value is distinct from given.value
           and (exists (select 1 from assessments seen
                        where seen.round_id = $1 and seen.measure_id = $2 and seen.rater_id = $3
                          and seen.value is not null)
                -- Values once given unlocked the others' for good: \"nicht beurteilbar\"
                -- throughout in between does not reset the trail.
                or exists (select 1 from assessment_revisions earlier
                           where earlier.round_id = $1 and earlier.measure_id = $2
                             and earlier.rater_id = $3 and earlier.value is not null))",
        submission.round as RoundId,
        submission.measure as MeasureId,
        submission.rater as UserId,
        &criteria,
        &values as &[Option<i16>]
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from assessments where round_id = $1 and measure_id = $2 and rater_id = $3",
        submission.round as RoundId,
        submission.measure as MeasureId,
        submission.rater as UserId
    )
    .execute(&mut *transaction)
    .await?;
    let reasons: Vec<String> = submission
        .ratings
        .iter()
        .map(|(_, _, reason)| reason.clone())
        .collect();
    // Only criteria of the round's own catalogue version are taken.
    sqlx::query!(
        "insert into assessments (round_id, measure_id, criterion_id, rater_id, rater_office, value, reason)
         select $1, $2, given.criterion, $3, $4, given.value, given.reason
         from unnest($5::uuid[], $6::smallint[], $7::text[]) as given (criterion, value, reason)
         join criteria k on k.id = given.criterion
         join prioritisation_rounds r on r.id = $1 and r.catalogue_id = k.catalogue_id",
        submission.round as RoundId,
        submission.measure as MeasureId,
        submission.rater as UserId,
        submission.office as Office,
        &criteria,
        &values as &[Option<i16>],
        &reasons
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Written::Saved)
}

/// Sets (or, with `None`, removes) the central officer's final value of a criterion.
pub async fn set_final_value(
    pool: &PgPool,
    round: RoundId,
    measure: MeasureId,
    criterion: uuid::Uuid,
    value: Option<(u8, &str)>,
    by: UserId,
) -> sqlx::Result<Written> {
    let mut transaction = pool.begin().await?;
    if let Some(refused) = lock_open(&mut transaction, round, measure).await? {
        return Ok(refused);
    }
    match value {
        Some((points, reason)) => {
            sqlx::query!(
                "insert into final_values (round_id, measure_id, criterion_id, value, reason, set_by)
                 select $1, $2, k.id, $4, $5, $6 from criteria k
                 join prioritisation_rounds r on r.id = $1 and r.catalogue_id = k.catalogue_id
                 where k.id = $3
                 on conflict (round_id, measure_id, criterion_id)
                 do update set value = excluded.value, reason = excluded.reason,
                               set_by = excluded.set_by, set_at = now()",
                round as RoundId,
                measure as MeasureId,
                criterion,
                i16::from(points),
                reason,
                by as UserId
            )
            .execute(&mut *transaction)
            .await?;
        }
        None => {
            sqlx::query!(
                "delete from final_values where round_id = $1 and measure_id = $2 and criterion_id = $3",
                round as RoundId,
                measure as MeasureId,
                criterion
            )
            .execute(&mut *transaction)
            .await?;
        }
    }
    transaction.commit().await?;
    Ok(Written::Saved)
}

/// What a frozen round keeps of one measure.
#[derive(Debug, Clone)]
pub struct FrozenMeasure {
    pub measure: MeasureId,
    pub legal_obligation: Option<String>,
    pub supports: i32,
    /// "mandatory", "scored" or "incomplete".
    pub tier: &'static str,
    pub score20: Option<i16>,
    /// "A", "B" or "C".
    pub class: Option<&'static str>,
    pub rank: i32,
    /// The consolidated values with their origin, per criterion position.
    pub consolidated: serde_json::Value,
    pub robustness: Option<serde_json::Value>,
}

/// The decision that freezes a round.
#[derive(Debug)]
pub struct Freezing<'a> {
    pub round: RoundId,
    pub by: UserId,
    pub decided_on: NaiveDate,
    pub body: &'a str,
    pub note: &'a str,
    pub seed: Option<i64>,
    pub results: &'a [FrozenMeasure],
}

/// Stores the results of every measure and freezes the round, in one transaction; from then on
/// the triggers refuse any change to it. `Frozen` if it was frozen already.
#[tracing::instrument(skip(pool, freezing), fields(round = %freezing.round))]
pub async fn freeze(pool: &PgPool, freezing: &Freezing<'_>) -> sqlx::Result<Written> {
    let mut transaction = pool.begin().await?;
    let status = sqlx::query_scalar!(
        r#"select status as "status: RoundStatus" from prioritisation_rounds where id = $1 for update"#,
        freezing.round as RoundId
    )
    .fetch_optional(&mut *transaction)
    .await?;
    match status {
        None => return Ok(Written::NotInRound),
        Some(RoundStatus::Frozen) => return Ok(Written::Frozen),
        Some(RoundStatus::Open) => {}
    }
    let results = freezing.results;
    let measures: Vec<uuid::Uuid> = results.iter().map(|r| r.measure.0).collect();
    let obligations: Vec<Option<String>> =
        results.iter().map(|r| r.legal_obligation.clone()).collect();
    let supports: Vec<i32> = results.iter().map(|r| r.supports).collect();
    let tiers: Vec<String> = results.iter().map(|r| r.tier.to_owned()).collect();
    let scores: Vec<Option<i16>> = results.iter().map(|r| r.score20).collect();
    let classes: Vec<Option<String>> = results.iter().map(|r| r.class.map(str::to_owned)).collect();
    let ranks: Vec<i32> = results.iter().map(|r| r.rank).collect();
    let consolidated: Vec<serde_json::Value> =
        results.iter().map(|r| r.consolidated.clone()).collect();
    let robustness: Vec<Option<serde_json::Value>> =
        results.iter().map(|r| r.robustness.clone()).collect();
    sqlx::query!(
        "update round_measures rm
         set legal_obligation = given.obligation, supports = given.supports, tier = given.tier,
             score20 = given.score20, class = given.class, rank = given.rank,
             consolidated = given.consolidated, robustness = given.robustness
         from unnest($2::uuid[], $3::text[], $4::integer[], $5::text[], $6::smallint[],
                     $7::text[], $8::integer[], $9::jsonb[], $10::jsonb[])
              as given (measure, obligation, supports, tier, score20, class, rank, consolidated,
                        robustness)
         where rm.round_id = $1 and rm.measure_id = given.measure",
        freezing.round as RoundId,
        &measures,
        &obligations as &[Option<String>],
        &supports,
        &tiers,
        &scores as &[Option<i16>],
        &classes as &[Option<String>],
        &ranks,
        &consolidated,
        &robustness as &[Option<serde_json::Value>]
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "update prioritisation_rounds
         set status = 'frozen', frozen_at = now(), frozen_by = $2, decided_on = $3,
             decision_body = $4, decision_note = $5, robustness_seed = $6
         where id = $1",
        freezing.round as RoundId,
        freezing.by as UserId,
        freezing.decided_on,
        freezing.body,
        freezing.note,
        freezing.seed
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Written::Saved)
}

/// A frozen measure's consolidated values as stored, per criterion position.
pub async fn frozen_values(
    pool: &PgPool,
    round: RoundId,
) -> sqlx::Result<Vec<(MeasureId, serde_json::Value)>> {
    let rows = sqlx::query!(
        r#"select measure_id as "measure: MeasureId", consolidated as "consolidated!"
           from round_measures where round_id = $1 and consolidated is not null"#,
        round as RoundId
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.measure, row.consolidated))
        .collect())
}

/// A measure's place in the newest frozen round of the strategy in force that it took part in,
/// with the criteria the round was assessed with (read with the measure's page, as JSON).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Decided {
    pub round: RoundId,
    pub round_name: String,
    pub decided_on: Option<NaiveDate>,
    pub decision_body: Option<String>,
    pub measures: i64,
    pub rank: Option<i32>,
    pub tier: Option<String>,
    pub score20: Option<i16>,
    pub class: Option<String>,
    /// As stored: `[{"half_points": 13, "origin": "median", "n": 4}, …]`.
    pub consolidated: Option<serde_json::Value>,
    pub criteria: Vec<CriterionBrief>,
}

/// A criterion as a score's explanation needs it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CriterionBrief {
    pub name: String,
    pub group: crate::domain::prioritisation::criteria::CriterionGroup,
    pub weight: u8,
}

/// An open round of the strategy in force, with the names of its catalogue's criteria: where an
/// import may put the importer's assessments.
#[derive(Debug, Clone)]
pub struct OpenRound {
    pub id: RoundId,
    pub name: String,
    pub deadline: NaiveDate,
    pub criteria: Vec<String>,
}

pub async fn open_rounds(pool: &PgPool) -> sqlx::Result<Vec<OpenRound>> {
    sqlx::query_as!(
        OpenRound,
        r#"select r.id as "id: RoundId", r.name, r.deadline,
                  array(select k.name from criteria k where k.catalogue_id = r.catalogue_id
                        order by k.position) as "criteria!"
           from prioritisation_rounds r
           join strategies s on s.id = r.strategy_id
           where s.status = 'published' and r.status = 'open'
           order by r.opened_at desc, r.name"#
    )
    .fetch_all(pool)
    .await
}
