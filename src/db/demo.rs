//! Writing example measures in bulk: one statement per table for a whole batch.

use sqlx::PgPool;

use crate::demo::DemoMeasure;
use crate::domain::ids::MeasureId;
use crate::domain::lifecycle::Status;
use crate::domain::measure::Source;
use crate::domain::office::Office;

pub async fn examples_present(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from measure_tags where tag = 'beispiel') as "exists!""#
    )
    .fetch_one(pool)
    .await
}

/// Inserts a batch of measures with their goals, offices and tags, in one transaction.
pub async fn insert(pool: &PgPool, measures: &[DemoMeasure]) -> sqlx::Result<()> {
    let ids: Vec<uuid::Uuid> = measures.iter().map(|_| MeasureId::new().0).collect();
    let titles: Vec<String> = measures.iter().map(|m| m.title.clone()).collect();
    let summaries: Vec<String> = measures.iter().map(|m| m.summary.clone()).collect();
    let descriptions: Vec<String> = measures.iter().map(|m| m.description.clone()).collect();
    let benefits: Vec<String> = measures
        .iter()
        .map(|m| m.expected_benefit.clone())
        .collect();
    let offices: Vec<Office> = measures.iter().map(|m| m.lead_office).collect();
    let statuses: Vec<Status> = measures.iter().map(|m| m.status).collect();
    let sources: Vec<Source> = measures.iter().map(|m| m.source).collect();
    let quick_wins: Vec<bool> = measures.iter().map(|m| m.quick_win).collect();
    let efforts: Vec<i32> = measures.iter().map(|m| m.effort_person_days).collect();
    let costs: Vec<i64> = measures.iter().map(|m| m.cost_euros).collect();
    let ozg: Vec<Option<String>> = measures.iter().map(|m| m.ozg_id.clone()).collect();
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
        &efforts,
        &costs,
        &ozg as &[Option<String>],
    )
    .execute(&mut *transaction)
    .await?;
    let (goal_measures, goals): (Vec<uuid::Uuid>, Vec<uuid::Uuid>) = measures
        .iter()
        .zip(&ids)
        .flat_map(|(measure, id)| measure.goals.iter().map(move |goal| (*id, goal.0)))
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
        .flat_map(|(measure, id)| measure.tags.iter().map(move |tag| (*id, tag.clone())))
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
