//! Released measures: the two steps of a release (propose, release) with their history, and
//! what the public page and the open data read – only released texts of measures in a public
//! status, and the structured fields declared public (`domain::publication`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use crate::db::history::{self, NewEvent};
use crate::domain::ids::{MeasureId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;
use crate::domain::publication::{PUBLIC_STATUSES, PublicTexts};

/// A measure's release as its page shows it to the strategy team.
#[derive(Debug, Clone)]
pub struct Publication {
    pub proposal: Option<Json<PublicTexts>>,
    pub proposed_by: Option<UserId>,
    pub proposed_by_name: Option<String>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub released: Option<Json<PublicTexts>>,
    pub released_by_name: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn find(pool: &PgPool, measure: MeasureId) -> sqlx::Result<Option<Publication>> {
    sqlx::query_as!(
        Publication,
        r#"select p.proposal as "proposal: Json<PublicTexts>", p.proposed_by as "proposed_by: UserId",
                  a.display_name as "proposed_by_name?", p.proposed_at,
                  p.released as "released: Json<PublicTexts>", b.display_name as "released_by_name?",
                  p.released_at, p.version
           from measure_publications p
           left join users a on a.id = p.proposed_by
           left join users b on b.id = p.released_by
           where p.measure_id = $1"#,
        measure as MeasureId
    )
    .fetch_optional(pool)
    .await
}

/// What became of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    /// Someone else took a step meanwhile (the version the form was made from is old).
    Outdated,
    /// The measure is not (or no longer) in a public status, or gone.
    NotPublic,
}

fn statuses() -> Vec<Status> {
    PUBLIC_STATUSES.to_vec()
}

/// Locks the measure and its release; the measure's version, if it is in a public status, and
/// the release's version (0: none).
async fn lock(
    connection: &mut PgConnection,
    measure: MeasureId,
) -> sqlx::Result<Option<(i32, i32)>> {
    let row = sqlx::query!(
        r#"select m.version, coalesce(p.version, 0) as "publication!"
           from measures m left join measure_publications p on p.measure_id = m.id
           where m.id = $1 and m.status = any($2)
           for update of m"#,
        measure as MeasureId,
        &statuses() as &[Status]
    )
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.map(|row| (row.version, row.publication)))
}

async fn record(
    connection: &mut PgConnection,
    measure: MeasureId,
    actor: UserId,
    version: i32,
    what: &str,
) -> sqlx::Result<()> {
    history::record(
        &mut *connection,
        &NewEvent {
            measure,
            actor,
            version,
            kind: "publication",
            from_status: None,
            to_status: None,
            reason: Some(what),
            changes: &[],
        },
    )
    .await
}

/// Proposes the measure's current texts for release (replacing an earlier proposal).
pub async fn propose(
    pool: &PgPool,
    measure: MeasureId,
    by: UserId,
    seen: i32,
) -> sqlx::Result<Step> {
    let mut transaction = pool.begin().await?;
    let Some((version, publication)) = lock(&mut transaction, measure).await? else {
        return Ok(Step::NotPublic);
    };
    if publication != seen {
        return Ok(Step::Outdated);
    }
    sqlx::query!(
        "insert into measure_publications (measure_id, proposal, proposed_by, proposed_at)
         select id, jsonb_build_object('title', title, 'summary', summary,
                                       'description', description,
                                       'expected_benefit', expected_benefit), $2, now()
         from measures where id = $1
         on conflict (measure_id) do update
         set proposal = excluded.proposal, proposed_by = excluded.proposed_by,
             proposed_at = excluded.proposed_at,
             version = measure_publications.version + 1",
        measure as MeasureId,
        by as UserId
    )
    .execute(&mut *transaction)
    .await?;
    record(
        &mut transaction,
        measure,
        by,
        version,
        "Zur Veröffentlichung vorgeschlagen.",
    )
    .await?;
    transaction.commit().await?;
    Ok(Step::Done)
}

/// Releases the proposal: its texts become what the public sees. The caller has checked that
/// `by` did not propose it.
pub async fn release(
    pool: &PgPool,
    measure: MeasureId,
    by: UserId,
    seen: i32,
) -> sqlx::Result<Step> {
    let mut transaction = pool.begin().await?;
    let Some((version, publication)) = lock(&mut transaction, measure).await? else {
        return Ok(Step::NotPublic);
    };
    if publication != seen {
        return Ok(Step::Outdated);
    }
    let released = sqlx::query!(
        "update measure_publications
         set released = proposal, released_by = $2, released_at = now(), proposal = null,
             proposed_by = null, proposed_at = null, version = version + 1
         where measure_id = $1 and proposal is not null and proposed_by is distinct from $2",
        measure as MeasureId,
        by as UserId
    )
    .execute(&mut *transaction)
    .await?;
    if released.rows_affected() == 0 {
        return Ok(Step::Outdated);
    }
    record(
        &mut transaction,
        measure,
        by,
        version,
        "Für die Öffentlichkeit freigegeben (öffentliche Seite und offene Daten).",
    )
    .await?;
    transaction.commit().await?;
    Ok(Step::Done)
}

/// Takes the measure off the public page and drops a pending proposal.
pub async fn withdraw(
    pool: &PgPool,
    measure: MeasureId,
    by: UserId,
    seen: i32,
) -> sqlx::Result<Step> {
    let mut transaction = pool.begin().await?;
    let current = sqlx::query!(
        r#"select m.version, p.version as publication
           from measures m join measure_publications p on p.measure_id = m.id
           where m.id = $1 for update of m, p"#,
        measure as MeasureId
    )
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(current) = current else {
        return Ok(Step::Outdated);
    };
    if current.publication != seen {
        return Ok(Step::Outdated);
    }
    sqlx::query!(
        "delete from measure_publications where measure_id = $1",
        measure as MeasureId
    )
    .execute(&mut *transaction)
    .await?;
    record(
        &mut transaction,
        measure,
        by,
        current.version,
        "Veröffentlichung zurückgenommen: nicht mehr öffentlich.",
    )
    .await?;
    transaction.commit().await?;
    Ok(Step::Done)
}

/// A goal a public measure pays into.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicGoal {
    pub id: uuid::Uuid,
    pub field: String,
    pub position: i32,
    pub statement: String,
}

/// The state of the implementation in one office (no note: notes are internal).
#[derive(Debug, Clone, Deserialize)]
pub struct PublicImplementation {
    pub office: Office,
    pub state: crate::domain::implementation::State,
    pub as_of: Option<NaiveDate>,
}

/// A released measure with the fields declared public.
#[derive(Debug, Clone)]
pub struct PublicMeasure {
    pub number: i64,
    pub texts: Json<PublicTexts>,
    pub status: Status,
    pub lead_office: Office,
    pub offices: Vec<Office>,
    pub goals: Json<Vec<PublicGoal>>,
    pub implementation: Json<Vec<PublicImplementation>>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub quick_win: bool,
    pub released_at: DateTime<Utc>,
}

/// The released measures, by number; with `search`, those whose released texts match it
/// (German full text, as the catalogue searches), best first.
pub async fn released(pool: &PgPool, search: Option<&str>) -> sqlx::Result<Vec<PublicMeasure>> {
    sqlx::query_as!(
        PublicMeasure,
        r#"select m.number, p.released as "texts!: Json<PublicTexts>",
                  m.status as "status: Status", m.lead_office as "lead_office: Office",
                  array(select o.office from measure_offices o where o.measure_id = m.id
                        order by o.office) as "offices!: Vec<Office>",
                  (select coalesce(json_agg(json_build_object(
                              'id', g.id, 'field', f.name, 'position', g.position,
                              'statement', g.statement) order by f.position, g.position), '[]')
                   from measure_goals mg join goals g on g.id = mg.goal_id
                   join fields f on f.id = g.field_id
                   where mg.measure_id = m.id) as "goals!: Json<Vec<PublicGoal>>",
                  (select coalesce(json_agg(json_build_object(
                              'office', replace(i.office::text, '_', '-'), 'state', i.state,
                              'as_of', i.as_of)
                              order by i.office), '[]')
                   from measure_implementations i
                   where i.measure_id = m.id) as "implementation!: Json<Vec<PublicImplementation>>",
                  m.planned_start, m.planned_end, m.quick_win, p.released_at as "released_at!"
           from measure_publications p join measures m on m.id = p.measure_id
           where p.released is not null and m.status = any($1)
             and ($2::text is null or p.search @@ websearch_to_tsquery('german', $2))
           order by case when $2::text is null then 0
                         else ts_rank(p.search, websearch_to_tsquery('german', $2)) end desc,
                    m.number"#,
        &statuses() as &[Status],
        search
    )
    .fetch_all(pool)
    .await
}

/// When what the public sees last changed: the newest release, or the newest change of a
/// released measure's status or implementation.
pub async fn last_modified(pool: &PgPool) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        r#"select greatest(
                  (select max(p.released_at) from measure_publications p),
                  (select max(e.occurred_at) from measure_events e
                   join measure_publications p on p.measure_id = e.measure_id
                   where p.released is not null
                     and e.kind in ('status_changed', 'implementation', 'publication')),
                  (select max(i.updated_at) from measure_implementations i
                   join measure_publications p on p.measure_id = i.measure_id
                   where p.released is not null)) as "at""#
    )
    .fetch_one(pool)
    .await
}

/// When the open-data document `name` with content `digest` last changed: the stored time while
/// the content is the same; once it differs, now (or, for its first build, `computed`, the
/// latest event in it), in whole seconds and at least a second after the time stored before,
/// so that a client revalidating by date always sees the change.
pub async fn document_modified(
    pool: &PgPool,
    name: &str,
    digest: &str,
    computed: Option<DateTime<Utc>>,
) -> sqlx::Result<DateTime<Utc>> {
    let changed = sqlx::query_scalar!(
        r#"insert into public_documents (name, digest, modified)
           values ($1, $2, date_trunc('second', coalesce($3, now())))
           on conflict (name) do update
               set digest = excluded.digest,
                   -- Whole seconds, as HTTP dates carry them, and at least one later.
                   modified = greatest(public_documents.modified + interval '1 second',
                                       date_trunc('second', now()))
               where public_documents.digest <> excluded.digest
           returning modified"#,
        name,
        digest,
        computed
    )
    .fetch_optional(pool)
    .await?;
    match changed {
        Some(modified) => Ok(modified),
        None => {
            sqlx::query_scalar!(
                "select modified from public_documents where name = $1",
                name
            )
            .fetch_one(pool)
            .await
        }
    }
}
