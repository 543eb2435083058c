//! Writing example measures in bulk: one statement per table for a whole batch.

use sqlx::PgPool;

use crate::domain::ids::MeasureId;
use crate::domain::lifecycle::Status;
use crate::domain::measure::{MeasureData, Source};
use crate::domain::office::Office;

/// A measure to write in bulk: its checked content and the status it stands in.
#[derive(Debug, Clone)]
pub struct BulkMeasure {
    pub data: MeasureData,
    pub status: Status,
}

pub async fn examples_present(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from measure_tags where tag = 'beispiel') as "exists!""#
    )
    .fetch_one(pool)
    .await
}

/// Inserts a batch of measures with their goals, offices and tags, in one transaction.
pub async fn insert(pool: &PgPool, measures: &[BulkMeasure]) -> sqlx::Result<()> {
    let ids: Vec<uuid::Uuid> = measures.iter().map(|_| MeasureId::new().0).collect();
    let data = || measures.iter().map(|m| &m.data);
    let titles: Vec<String> = data().map(|m| m.title.clone()).collect();
    let summaries: Vec<String> = data().map(|m| m.summary.clone()).collect();
    let descriptions: Vec<String> = data().map(|m| m.description.clone()).collect();
    let benefits: Vec<String> = data().map(|m| m.expected_benefit.clone()).collect();
    let offices: Vec<Office> = data().map(|m| m.lead_office).collect();
    let statuses: Vec<Status> = measures.iter().map(|m| m.status).collect();
    let sources: Vec<Source> = data().map(|m| m.source).collect();
    let quick_wins: Vec<bool> = data().map(|m| m.quick_win).collect();
    let efforts: Vec<Option<i32>> = data().map(|m| m.effort_person_days).collect();
    let costs: Vec<Option<i64>> = data().map(|m| m.cost_euros).collect();
    let ozg: Vec<Option<String>> = data()
        .map(|m| m.ozg.as_ref().map(|ozg| ozg.ozg_id.clone()))
        .collect();
    let mut transaction = pool.begin().await?;
    sqlx::query!(
        "insert into measures (id, title, summary, description, expected_benefit, lead_office,
                               status, source, quick_win, effort_person_days, cost_euros, ozg_id,
                               submitted_at)
         select *, now() from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                                     $6::office[], $7::measure_status[], $8::measure_source[],
                                     $9::bool[], $10::int[], $11::bigint[], $12::text[])",
        &ids,
        &titles,
        &summaries,
        &descriptions,
        &benefits,
        &offices as &[Office],
        &statuses as &[Status],
        &sources as &[Source],
        &quick_wins,
        &efforts as &[Option<i32>],
        &costs as &[Option<i64>],
        &ozg as &[Option<String>],
    )
    .execute(&mut *transaction)
    .await?;
    let (goal_measures, goals): (Vec<uuid::Uuid>, Vec<uuid::Uuid>) = measures
        .iter()
        .zip(&ids)
        .flat_map(|(measure, id)| measure.data.goals.iter().map(move |goal| (*id, goal.0)))
        .unzip();
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id) select * from unnest($1::uuid[], $2::uuid[])",
        &goal_measures,
        &goals
    )
    .execute(&mut *transaction)
    .await?;
    let (tag_measures, tags): (Vec<uuid::Uuid>, Vec<String>) = measures
        .iter()
        .zip(&ids)
        .flat_map(|(measure, id)| measure.data.tags.iter().map(move |tag| (*id, tag.clone())))
        .unzip();
    sqlx::query!(
        "insert into measure_tags (measure_id, tag) select * from unnest($1::uuid[], $2::text[]) on conflict do nothing",
        &tag_measures,
        &tags
    )
    .execute(&mut *transaction)
    .await?;
    let (office_measures, participating): (Vec<uuid::Uuid>, Vec<Office>) = measures
        .iter()
        .zip(&ids)
        .flat_map(|(measure, id)| {
            measure
                .data
                .participating_offices
                .iter()
                .map(move |office| (*id, *office))
        })
        .unzip();
    sqlx::query!(
        "insert into measure_offices (measure_id, office) select * from unnest($1::uuid[], $2::office[])",
        &office_measures,
        &participating as &[Office]
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await
}

/// After a bulk load, what autovacuum would do a little later, at once: the search index takes
/// in its pending entries, every page's visibility is recorded, and the planner's statistics
/// know the new rows.
pub async fn tidy_up(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::raw_sql("vacuum (analyze) measures, measure_goals, measure_offices, measure_tags")
        .execute(pool)
        .await
        .map(drop)
}

/// The example colleagues who assess in rounds: the district officers and the central officer,
/// with their offices.
pub async fn example_assessors(
    pool: &PgPool,
) -> sqlx::Result<Vec<(crate::domain::ids::UserId, crate::domain::office::Office)>> {
    let rows = sqlx::query!(
        r#"select id as "id: crate::domain::ids::UserId", office as "office: crate::domain::office::Office"
           from users
           where email like '%@beispiel.prima.invalid'
             and ('district_officer' = any (roles) or 'central_officer' = any (roles))
           order by office, email"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.office)).collect())
}

/// Whether any prioritisation round exists.
pub async fn rounds_present(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"select exists (select 1 from prioritisation_rounds) as "exists!""#)
        .fetch_one(pool)
        .await
}

/// Moves an example round's opening into the past (a round of 2025 opened in 2025).
pub async fn backdate_round(
    pool: &PgPool,
    round: crate::domain::ids::RoundId,
    opened_at: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update prioritisation_rounds set opened_at = $2 where id = $1 and status = 'open'",
        round as crate::domain::ids::RoundId,
        opened_at
    )
    .execute(pool)
    .await
    .map(drop)
}

/// Marks the example measure with OZG service `ozg_id` as legally required.
pub async fn require_by_law(pool: &PgPool, ozg_id: &str, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "update measures set legal_obligation = $2
         where id = (select m.id from measures m join measure_tags t on t.measure_id = m.id
                     where t.tag = 'beispiel' and m.ozg_id = $1 order by m.number limit 1)",
        ozg_id,
        reason
    )
    .execute(pool)
    .await
    .map(drop)
}

/// One generated assessment of a load-test round.
#[derive(Debug, Clone)]
pub struct BulkAssessment {
    pub measure: crate::domain::ids::MeasureId,
    pub criterion: uuid::Uuid,
    pub rater: crate::domain::ids::UserId,
    pub office: crate::domain::office::Office,
    pub value: Option<i16>,
    pub reason: String,
}

/// Writes many assessments of `round` in one statement (load tests: hundreds of thousands of
/// rows would take minutes one submission at a time).
pub async fn insert_assessments(
    pool: &PgPool,
    round: crate::domain::ids::RoundId,
    rows: &[BulkAssessment],
) -> sqlx::Result<()> {
    let measures: Vec<uuid::Uuid> = rows.iter().map(|row| row.measure.0).collect();
    let criteria: Vec<uuid::Uuid> = rows.iter().map(|row| row.criterion).collect();
    let raters: Vec<uuid::Uuid> = rows.iter().map(|row| row.rater.0).collect();
    let offices: Vec<crate::domain::office::Office> = rows.iter().map(|row| row.office).collect();
    let values: Vec<Option<i16>> = rows.iter().map(|row| row.value).collect();
    let reasons: Vec<String> = rows.iter().map(|row| row.reason.clone()).collect();
    sqlx::query!(
        "insert into assessments (round_id, measure_id, criterion_id, rater_id, rater_office,
                                  value, reason)
         select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::office[],
                                  $6::smallint[], $7::text[])",
        round as crate::domain::ids::RoundId,
        &measures,
        &criteria,
        &raters,
        &offices as &[crate::domain::office::Office],
        &values as &[Option<i16>],
        &reasons
    )
    .execute(pool)
    .await
    .map(drop)
}

/// Whether a round of this name exists for the strategy in force.
pub async fn round_named(pool: &PgPool, name: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from prioritisation_rounds r
                          join strategies s on s.id = r.strategy_id
                          where s.status = 'published' and r.name = $1) as "exists!""#,
        name
    )
    .fetch_one(pool)
    .await
}

/// Releases the first `count` example measures in a public status for the public page, as the
/// demo's strategy team would have (their texts as they are now).
pub async fn release_examples(pool: &PgPool, count: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into measure_publications (measure_id, released, released_by, released_at)
         select m.id, jsonb_build_object('title', m.title, 'summary', m.summary,
                                         'description', m.description,
                                         'expected_benefit', m.expected_benefit),
                (select u.id from users u where u.email = 'ds-team@demo.prima.invalid'), now()
         from measures m
         where m.status in ('accepted', 'in_progress', 'implemented')
           and exists (select 1 from measure_tags t where t.measure_id = m.id and t.tag = 'beispiel')
         order by m.number
         limit $1
         on conflict (measure_id) do nothing",
        count
    )
    .execute(pool)
    .await
    .map(drop)
}
