//! Imports of existing lists: the uploaded table until it is committed, the commit itself – every
//! chosen row in one transaction, or nothing – and the saved column mappings.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use crate::db::history::{self, NewEvent};
use crate::db::measures::{Similar, WriteError};
use crate::domain::ids::{MeasureId, RoundId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::measure::{MeasureData, Source};
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::Rating;
use crate::import::Row;
use crate::import::mapping::Mapping;

/// An upload and what became of it.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: uuid::Uuid,
    pub file_name: String,
    pub owner_id: UserId,
    pub headings: Json<Vec<String>>,
    pub rows: Json<Vec<Row>>,
    pub row_count: i32,
    pub mapping: Option<Json<Mapping>>,
    /// The open round the criterion columns go into as the importer's assessment.
    pub round_id: Option<RoundId>,
    pub created_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub created_count: Option<i32>,
    pub merged_count: Option<i32>,
    pub skipped_count: Option<i32>,
    /// The file was a CSV read as Windows-1252, not UTF-8.
    pub windows_1252: bool,
    /// When the uploaded rows were removed after the retention time (the outcomes stay).
    pub table_removed_at: Option<DateTime<Utc>>,
}

/// An import in the list of imports (without its rows).
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: uuid::Uuid,
    pub file_name: String,
    pub owner_name: Option<String>,
    pub row_count: i32,
    pub created_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub created_count: Option<i32>,
    pub merged_count: Option<i32>,
    pub skipped_count: Option<i32>,
}

pub async fn create(
    pool: &PgPool,
    file_name: &str,
    owner: UserId,
    table: &crate::import::Table,
) -> sqlx::Result<uuid::Uuid> {
    sqlx::query_scalar!(
        "insert into imports (id, file_name, owner_id, headings, rows, row_count, windows_1252)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        uuid::Uuid::new_v4(),
        file_name,
        owner as UserId,
        Json(&table.headings) as _,
        Json(&table.rows) as _,
        table.rows.len() as i32,
        table.windows_1252
    )
    .fetch_one(pool)
    .await
}

pub async fn find(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<Option<Import>> {
    sqlx::query_as!(
        Import,
        r#"select id, file_name, owner_id as "owner_id: UserId",
                  headings as "headings: Json<Vec<String>>", rows as "rows: Json<Vec<Row>>",
                  row_count, mapping as "mapping: Json<Mapping>",
                  round_id as "round_id: RoundId", created_at, committed_at,
                  created_count, merged_count, skipped_count, windows_1252, table_removed_at
           from imports where id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub async fn recent(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as!(
        Listed,
        r#"select i.id, i.file_name, u.display_name as "owner_name?", i.row_count, i.created_at,
                  i.committed_at, i.created_count, i.merged_count, i.skipped_count
           from imports i left join users u on u.id = i.owner_id
           order by i.created_at desc limit $1"#,
        limit
    )
    .fetch_all(pool)
    .await
}

/// What [`expire`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expired {
    /// Uploads never committed, deleted whole.
    pub deleted: u64,
    /// Committed imports whose uploaded rows were removed (their outcomes stay).
    pub emptied: u64,
}

/// Removes what uploads left behind after `keep_seconds`: an upload never committed goes whole
/// (unless a commit job for it is still open); a committed one keeps its headings, counts and
/// the outcome per row, only its rows go.
pub async fn expire(pool: &PgPool, keep_seconds: f64) -> sqlx::Result<Expired> {
    let deleted = sqlx::query!(
        "delete from imports i
         where i.committed_at is null and i.created_at < now() - make_interval(secs => $1)
           and not exists (select from jobs j
                           where j.kind = 'import' and j.params ->> 'import' = i.id::text
                             and j.status in ('queued', 'running'))",
        keep_seconds
    )
    .execute(pool)
    .await?
    .rows_affected();
    let emptied = sqlx::query!(
        "update imports set rows = '[]'::jsonb, table_removed_at = now()
         where committed_at is not null and table_removed_at is null
           and created_at < now() - make_interval(secs => $1)
           and committed_at < now() - make_interval(secs => $1)",
        keep_seconds
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(Expired { deleted, emptied })
}

pub async fn set_mapping(
    pool: &PgPool,
    id: uuid::Uuid,
    mapping: &Mapping,
    round: Option<RoundId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update imports set mapping = $2, round_id = $3 where id = $1 and committed_at is null",
        id,
        Json(mapping) as _,
        round as Option<RoundId>
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Saves (or replaces) a named mapping: field → heading.
pub async fn save_mapping(
    pool: &PgPool,
    name: &str,
    columns: &BTreeMap<String, String>,
    by: UserId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into import_mappings (name, columns, saved_by) values ($1, $2, $3)
         on conflict (name) do update set columns = excluded.columns,
                                          saved_by = excluded.saved_by, saved_at = now()",
        name,
        Json(columns) as _,
        by as UserId
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn saved_mappings(
    pool: &PgPool,
) -> sqlx::Result<Vec<(String, BTreeMap<String, String>)>> {
    let rows = sqlx::query!(
        r#"select name, columns as "columns: Json<BTreeMap<String, String>>"
           from import_mappings order by name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.name, row.columns.0))
        .collect())
}

/// A visible measure as imports compare rows with it.
#[derive(Debug, Clone)]
pub struct Comparable {
    pub measure: Similar,
    /// What decides whether the importer may merge a row into it (`lifecycle::may_edit`).
    pub facts: crate::domain::lifecycle::MeasureFacts,
    /// Title and summary, as the proposal form's duplicate search compares them.
    pub text: String,
}

/// Every measure an import may find similar (not drafts, not merged away).
pub async fn comparable(pool: &PgPool, importer: UserId) -> sqlx::Result<Vec<Comparable>> {
    let rows = sqlx::query!(
        r#"select id as "id: MeasureId", number, title, status as "status: Status",
                  support_count, title || ' ' || summary as "text!",
                  lead_office as "lead_office: Office", coalesce(author_id = $1, false) as "by_importer!"
           from measures where status not in ('draft', 'merged') order by number"#,
        importer as UserId
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Comparable {
            facts: crate::domain::lifecycle::MeasureFacts {
                status: row.status,
                lead_office: row.lead_office,
                author_is_actor: row.by_importer,
                goal_count: 0,
            },
            measure: Similar {
                id: row.id,
                number: row.number,
                title: row.title,
                status: row.status,
                support_count: row.support_count,
            },
            text: row.text,
        })
        .collect())
}

/// What happens to a row.
#[derive(Debug, Clone)]
pub enum Decision {
    Create(MeasureData),
    /// The row's values fill what the measure leaves empty; its goals and offices are added.
    Merge(MeasureId, MeasureData),
    Skip,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: i32,
    pub merged: i32,
    pub skipped: i32,
    /// Measures whose criterion values became the importer's assessment.
    pub assessed: i32,
}

/// The criterion values of the rows, to become the importer's assessment in a round.
#[derive(Debug)]
pub struct Assessing<'a> {
    pub round: RoundId,
    pub office: Office,
    /// Whether the importer may add measures to the round (the central officer, who decides
    /// which measures a round holds); for anyone else only measures already in it are assessed.
    pub may_add: bool,
    /// Row → criterion name and rating (rows without values are absent).
    pub ratings: &'a std::collections::HashMap<i32, Ratings>,
}

/// A row's criterion values: criterion name and rating.
pub type Ratings = Vec<(String, Rating)>;

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("the import was committed already")]
    Committed,
    #[error("a merge target is gone: M-{0}")]
    TargetGone(uuid::Uuid),
    #[error("the round of the assessments is frozen or gone")]
    RoundClosed,
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Writes every decision in one transaction: all of them, or – on any failure – nothing.
pub async fn commit(
    pool: &PgPool,
    import: &Import,
    decisions: &[(i32, Decision)],
    assessing: Option<&Assessing<'_>>,
    actor: UserId,
) -> Result<Counts, CommitError> {
    let mut transaction = pool.begin().await?;
    let open = sqlx::query_scalar!(
        "select committed_at is null as \"open!\" from imports where id = $1 for update",
        import.id
    )
    .fetch_one(&mut *transaction)
    .await?;
    if !open {
        return Err(CommitError::Committed);
    }
    let mut counts = Counts::default();
    let mut created: Vec<(i32, &MeasureData)> = Vec::new();
    let mut outcomes: Vec<(i32, &'static str, Option<uuid::Uuid>)> = Vec::new();
    for (row, decision) in decisions {
        match decision {
            Decision::Create(data) => created.push((*row, data)),
            Decision::Merge(target, data) => {
                merge_one(&mut transaction, import, *row, *target, data, actor).await?;
                counts.merged += 1;
                outcomes.push((*row, "merged", Some(target.0)));
            }
            Decision::Skip => {
                counts.skipped += 1;
                outcomes.push((*row, "skipped", None));
            }
        }
    }
    let ids = create_all(&mut transaction, import, &created, actor).await?;
    counts.created = ids.len() as i32;
    outcomes.extend(
        created
            .iter()
            .zip(&ids)
            .map(|((row, _), id)| (*row, "created", Some(*id))),
    );
    let assessments = match assessing {
        Some(assessing) => assess(&mut transaction, import, &outcomes, assessing, actor).await?,
        None => std::collections::HashMap::new(),
    };
    counts.assessed = assessments
        .values()
        .filter(|outcome| **outcome == "taken")
        .count() as i32;
    let mut rows = Vec::with_capacity(outcomes.len());
    let mut actions = Vec::with_capacity(outcomes.len());
    let mut measures = Vec::with_capacity(outcomes.len());
    let mut assessed: Vec<Option<String>> = Vec::with_capacity(outcomes.len());
    for (row, action, measure) in outcomes {
        rows.push(row);
        actions.push(action.to_owned());
        measures.push(measure);
        assessed.push(assessments.get(&row).map(|outcome| (*outcome).to_owned()));
    }
    sqlx::query!(
        "insert into import_rows (import_id, row_number, action, measure_id, assessment)
         select $1, row_number, action, measure_id, assessment
         from unnest($2::int[], $3::text[], $4::uuid[], $5::text[])
              as r(row_number, action, measure_id, assessment)",
        import.id,
        &rows,
        &actions,
        &measures as &[Option<uuid::Uuid>],
        &assessed as &[Option<String>]
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "update imports set committed_at = now(), created_count = $2, merged_count = $3,
                            skipped_count = $4
         where id = $1",
        import.id,
        counts.created,
        counts.merged,
        counts.skipped
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(counts)
}

/// The criterion values of the created and merged rows as the importer's assessment in the
/// round: each measure joins the round (if it is not in it), and every criterion of the round's
/// catalogue gets the row's value – "nicht beurteilbar" where the list has none. An assessment
/// the importer already gave a measure is kept, never overwritten ("kept"); of two rows merged
/// into one measure the first one counts. Who may not add measures to the round (`may_add`)
/// assesses only measures already in it. Row → "taken", "kept" or "outside".
async fn assess(
    connection: &mut PgConnection,
    import: &Import,
    outcomes: &[(i32, &'static str, Option<uuid::Uuid>)],
    assessing: &Assessing<'_>,
    actor: UserId,
) -> Result<std::collections::HashMap<i32, &'static str>, CommitError> {
    let mut result = std::collections::HashMap::new();
    let rated: Vec<(i32, uuid::Uuid, &Ratings)> = outcomes
        .iter()
        .filter_map(|(row, _, measure)| {
            let ratings = assessing.ratings.get(row)?;
            Some((*row, (*measure)?, ratings))
        })
        .filter(|(_, _, ratings)| !ratings.is_empty())
        .collect();
    if rated.is_empty() {
        return Ok(result);
    }
    // Freezing waits for this transaction, and a frozen round takes nothing.
    let open = sqlx::query_scalar!(
        r#"select status = 'open' as "open!" from prioritisation_rounds where id = $1 for share"#,
        assessing.round as RoundId
    )
    .fetch_optional(&mut *connection)
    .await?;
    if open != Some(true) {
        return Err(CommitError::RoundClosed);
    }
    let measures: Vec<uuid::Uuid> = rated.iter().map(|(_, measure, _)| *measure).collect();
    let already: std::collections::HashSet<uuid::Uuid> = sqlx::query_scalar!(
        "select distinct measure_id from assessments
         where round_id = $1 and rater_id = $2 and measure_id = any($3)",
        assessing.round as RoundId,
        actor as UserId,
        &measures
    )
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .collect();
    let inside: std::collections::HashSet<uuid::Uuid> = sqlx::query_scalar!(
        "select measure_id from round_measures where round_id = $1 and measure_id = any($2)",
        assessing.round as RoundId,
        &measures
    )
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .collect();
    let mut taken = std::collections::HashSet::new();
    let (mut joined, mut reasons) = (Vec::new(), Vec::new());
    let (mut given_measures, mut given_criteria, mut given_values) =
        (Vec::new(), Vec::new(), Vec::new());
    for (row, measure, ratings) in rated {
        if !assessing.may_add && !inside.contains(&measure) {
            result.insert(row, "outside");
            continue;
        }
        if already.contains(&measure) || !taken.insert(measure) {
            result.insert(row, "kept");
            continue;
        }
        result.insert(row, "taken");
        joined.push(measure);
        reasons.push(source_note(import, row));
        for (criterion, rating) in ratings {
            given_measures.push(measure);
            given_criteria.push(criterion.clone());
            given_values.push(rating.points().map(i16::from));
        }
    }
    if joined.is_empty() {
        return Ok(result);
    }
    sqlx::query!(
        "insert into round_measures (round_id, measure_id)
         select $1, unnest($2::uuid[]) on conflict do nothing",
        assessing.round as RoundId,
        &joined
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "insert into assessments (round_id, measure_id, criterion_id, rater_id, rater_office,
                                  value, reason)
         select $1, m.measure, k.id, $3, $4, given.value, m.reason
         from unnest($2::uuid[], $5::text[]) as m(measure, reason)
         join prioritisation_rounds r on r.id = $1
         join criteria k on k.catalogue_id = r.catalogue_id
         left join unnest($6::uuid[], $7::text[], $8::smallint[]) as given(measure, criterion, value)
                on given.measure = m.measure and given.criterion = k.name",
        assessing.round as RoundId,
        &joined,
        actor as UserId,
        assessing.office as Office,
        &reasons,
        &given_measures,
        &given_criteria,
        &given_values as &[Option<i16>]
    )
    .execute(&mut *connection)
    .await?;
    Ok(result)
}

fn source_note(import: &Import, row: i32) -> String {
    format!(
        "Übernommen aus der Liste „{}“, Zeile {row}.",
        import.file_name
    )
}

/// The new measures of the rows in `created`, in a few statements whatever their number:
/// the measures, their goals and offices, and each one's first history entry naming the row.
async fn create_all(
    connection: &mut PgConnection,
    import: &Import,
    created: &[(i32, &MeasureData)],
    actor: UserId,
) -> Result<Vec<uuid::Uuid>, CommitError> {
    if created.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = created.iter().map(|_| uuid::Uuid::new_v4()).collect();
    let texts = |pick: fn(&MeasureData) -> &String| -> Vec<String> {
        created.iter().map(|(_, data)| pick(data).clone()).collect()
    };
    let lead: Vec<Office> = created.iter().map(|(_, data)| data.lead_office).collect();
    let effort: Vec<Option<i32>> = created
        .iter()
        .map(|(_, data)| data.effort_person_days)
        .collect();
    let cost: Vec<Option<i64>> = created.iter().map(|(_, data)| data.cost_euros).collect();
    let start: Vec<Option<chrono::NaiveDate>> =
        created.iter().map(|(_, data)| data.planned_start).collect();
    let end: Vec<Option<chrono::NaiveDate>> =
        created.iter().map(|(_, data)| data.planned_end).collect();
    let quick: Vec<bool> = created.iter().map(|(_, data)| data.quick_win).collect();
    let source: Vec<Source> = created.iter().map(|(_, data)| data.source).collect();
    sqlx::query!(
        "insert into measures (id, title, summary, description, expected_benefit, lead_office,
                               responsible_unit, contact_person, source, effort_person_days,
                               cost_euros, planned_start, planned_end, quick_win, status,
                               author_id, submission_key, submitted_at)
         select m.id, m.title, m.summary, m.description, m.benefit, m.lead, m.unit, m.contact,
                m.source, m.effort, m.cost, m.start, m.finish, m.quick, 'submitted', $15,
                gen_random_uuid(), now()
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::office[],
                     $7::text[], $8::text[], $9::measure_source[], $10::int[], $11::bigint[],
                     $12::date[], $13::date[], $14::bool[])
              with ordinality as m(id, title, summary, description, benefit, lead, unit,
                                   contact, source, effort, cost, start, finish, quick, position)
         order by m.position",
        &ids,
        &texts(|data| &data.title),
        &texts(|data| &data.summary),
        &texts(|data| &data.description),
        &texts(|data| &data.expected_benefit),
        &lead as &[Office],
        &texts(|data| &data.responsible_unit),
        &texts(|data| &data.contact_person),
        &source as &[Source],
        &effort as &[Option<i32>],
        &cost as &[Option<i64>],
        &start as &[Option<chrono::NaiveDate>],
        &end as &[Option<chrono::NaiveDate>],
        &quick,
        actor as UserId
    )
    .execute(&mut *connection)
    .await?;
    let (goal_measures, goals): (Vec<uuid::Uuid>, Vec<uuid::Uuid>) = created
        .iter()
        .zip(&ids)
        .flat_map(|((_, data), id)| data.goals.iter().map(move |goal| (*id, goal.0)))
        .unzip();
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id)
         select * from unnest($1::uuid[], $2::uuid[])",
        &goal_measures,
        &goals
    )
    .execute(&mut *connection)
    .await?;
    let (office_measures, offices): (Vec<uuid::Uuid>, Vec<Office>) = created
        .iter()
        .zip(&ids)
        .flat_map(|((_, data), id)| {
            data.participating_offices
                .iter()
                .map(move |office| (*id, *office))
        })
        .unzip();
    sqlx::query!(
        "insert into measure_offices (measure_id, office)
         select * from unnest($1::uuid[], $2::office[])",
        &office_measures,
        &offices as &[Office]
    )
    .execute(&mut *connection)
    .await?;
    let reasons: Vec<String> = created
        .iter()
        .map(|(row, _)| source_note(import, *row))
        .collect();
    sqlx::query!(
        "insert into measure_events (measure_id, actor_id, version, kind, to_status, reason, changes)
         select id, $3, 1, 'created', 'submitted', reason, '[]'::jsonb
         from unnest($1::uuid[], $2::text[]) as e(id, reason)",
        &ids,
        &reasons,
        actor as UserId
    )
    .execute(&mut *connection)
    .await?;
    Ok(ids)
}

async fn merge_one(
    connection: &mut PgConnection,
    import: &Import,
    row: i32,
    target: MeasureId,
    data: &MeasureData,
    actor: UserId,
) -> Result<(), CommitError> {
    let version = sqlx::query_scalar!(
        "update measures set
             summary = case when summary = '' then $2 else summary end,
             description = case when description = '' then $3 else description end,
             expected_benefit = case when expected_benefit = '' then $4 else expected_benefit end,
             responsible_unit = case when responsible_unit = '' then $5 else responsible_unit end,
             contact_person = case when contact_person = '' then $6 else contact_person end,
             effort_person_days = coalesce(effort_person_days, $7),
             cost_euros = coalesce(cost_euros, $8),
             planned_start = coalesce(planned_start, $9),
             planned_end = coalesce(planned_end, $10),
             version = version + 1, updated_at = now()
         where id = $1 and status not in ('draft', 'merged')
         returning version",
        target as MeasureId,
        data.summary,
        data.description,
        data.expected_benefit,
        data.responsible_unit,
        data.contact_person,
        data.effort_person_days,
        data.cost_euros,
        data.planned_start,
        data.planned_end
    )
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(CommitError::TargetGone(target.0))?;
    let goals: Vec<uuid::Uuid> = data.goals.iter().map(|goal| goal.0).collect();
    sqlx::query!(
        "insert into measure_goals (measure_id, goal_id)
         select $1, goal from unnest($2::uuid[]) as goal on conflict do nothing",
        target as MeasureId,
        &goals
    )
    .execute(&mut *connection)
    .await?;
    let offices: Vec<Office> = data.participating_offices.clone();
    sqlx::query!(
        "insert into measure_offices (measure_id, office)
         select m.id, o from measures m, unnest($2::office[]) as o
         where m.id = $1 and o <> m.lead_office on conflict do nothing",
        target as MeasureId,
        &offices as &[Office]
    )
    .execute(&mut *connection)
    .await?;
    let reason = format!(
        "Zeile {row} der Liste „{}“ wurde mit dieser Maßnahme zusammengeführt.",
        import.file_name
    );
    history::record(
        &mut *connection,
        &NewEvent {
            measure: target,
            actor,
            version,
            kind: "updated",
            from_status: None,
            to_status: None,
            reason: Some(&reason),
            changes: &[],
        },
    )
    .await?;
    Ok(())
}

/// The round a committed import's criterion values went into and how many measures were assessed.
pub async fn assessed(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<Option<(String, i64)>> {
    let found = sqlx::query!(
        r#"select r.name, (select count(*) from import_rows x
                           where x.import_id = i.id and x.assessment = 'taken') as "count!"
           from imports i join prioritisation_rounds r on r.id = i.round_id
           where i.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|row| (row.name, row.count)))
}

/// A row's outcome, for the protocol.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub row_number: i32,
    pub action: String,
    pub assessment: Option<String>,
    pub number: Option<i64>,
    pub title: Option<String>,
}

pub async fn outcomes(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<Vec<Outcome>> {
    sqlx::query_as!(
        Outcome,
        r#"select r.row_number, r.action, r.assessment, m.number as "number?",
                  m.title as "title?"
           from import_rows r left join measures m on m.id = r.measure_id
           where r.import_id = $1 order by r.row_number"#,
        id
    )
    .fetch_all(pool)
    .await
}
