//! The criteria catalogues of the prioritisation: versions are written whole and never changed
//! (PostgreSQL refuses updates and deletes, and a version whose weights do not add up to 100 at
//! commit). The default catalogue is loaded for the strategy in force when it has none.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::ids::UserId;
use crate::domain::prioritisation::criteria::{
    self, CatalogueDocument, CriterionGroup, CriterionSpec,
};

const DEFAULT: &str = include_str!("../../content/criteria-default.json");

/// The default catalogue as shipped with PriMa.
pub fn default_catalogue() -> anyhow::Result<CatalogueDocument> {
    let document: CatalogueDocument =
        serde_json::from_str(DEFAULT).context("content/criteria-default.json is malformed")?;
    if let Err(problems) = criteria::check(&document.criteria) {
        anyhow::bail!("content/criteria-default.json: {problems:?}");
    }
    Ok(document)
}

/// A catalogue version with its criteria in order.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub id: uuid::Uuid,
    pub version: i32,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// Who wrote it; none for the shipped default.
    pub created_by: Option<String>,
    pub criteria: Vec<CriterionSpec>,
    /// The criteria's ids, in the same order (assessments refer to them).
    pub criterion_ids: Vec<uuid::Uuid>,
}

/// A version in the list of versions.
#[derive(Debug, Clone)]
pub struct VersionSummary {
    pub version: i32,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub criteria: i64,
}

/// What became of a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written as this version.
    Version(i32),
    /// Someone else wrote this version after the one the editor started from; nothing written.
    Outdated { newest: i32 },
}

/// Writes `criteria` as the next version of the catalogue of the strategy in force, in one
/// transaction. With `based_on`, only if that is still the newest version (the editor saw it);
/// otherwise nothing is written and the newest version is returned.
pub async fn add_version(
    pool: &PgPool,
    criteria: &[CriterionSpec],
    note: &str,
    by: Option<UserId>,
    based_on: Option<i32>,
) -> anyhow::Result<Written> {
    let mut transaction = pool.begin().await?;
    let strategy = sqlx::query_scalar!("select id from strategies where status = 'published'")
        .fetch_one(&mut *transaction)
        .await
        .context("no strategy is in force")?;
    // Versions of one iteration are numbered one after the other: the lock keeps two writers
    // from taking the same number, and a writer from missing a version written meanwhile.
    sqlx::query!("select pg_advisory_xact_lock(hashtext('criteria_catalogues'))")
        .execute(&mut *transaction)
        .await?;
    let newest = sqlx::query_scalar!(
        r#"select coalesce(max(version), 0) as "version!" from criteria_catalogues
           where strategy_id = $1"#,
        strategy
    )
    .fetch_one(&mut *transaction)
    .await?;
    if based_on.is_some_and(|base| base != newest) {
        return Ok(Written::Outdated { newest });
    }
    let version = newest + 1;
    let id = uuid::Uuid::new_v4();
    sqlx::query!(
        "insert into criteria_catalogues (id, strategy_id, version, note, created_by)
         values ($1, $2, $3, $4, $5)",
        id,
        strategy,
        version,
        note.trim(),
        by as Option<UserId>
    )
    .execute(&mut *transaction)
    .await?;
    for (position, criterion) in criteria.iter().enumerate() {
        sqlx::query!(
            "insert into criteria (id, catalogue_id, position, name, explanation, criterion_group,
                                   weight, anchors)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            uuid::Uuid::new_v4(),
            id,
            position as i32 + 1,
            criterion.name.trim(),
            criterion.explanation.trim(),
            criterion.group as CriterionGroup,
            i16::from(criterion.weight),
            &criterion
                .anchors
                .clone()
                .map(|anchor| anchor.trim().to_owned())[..]
        )
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(Written::Version(version))
}

/// Loads the default catalogue as version 1 if the strategy in force has no catalogue yet.
/// Returns whether it loaded it.
pub async fn load_default(pool: &PgPool) -> anyhow::Result<bool> {
    let present = sqlx::query_scalar!(
        r#"select exists (select 1 from criteria_catalogues c join strategies s on s.id = c.strategy_id
                          where s.status = 'published') as "present!""#
    )
    .fetch_one(pool)
    .await?;
    if present {
        return Ok(false);
    }
    let document = default_catalogue()?;
    add_version(pool, &document.criteria, &document.note, None, Some(0)).await?;
    tracing::info!("loaded the default criteria catalogue");
    Ok(true)
}

/// The newest version of the catalogue of the strategy in force.
pub async fn current(pool: &PgPool) -> sqlx::Result<Option<Catalogue>> {
    version(pool, None).await
}

/// A version of the catalogue of the strategy in force (`None`: the newest).
#[tracing::instrument(skip(pool))]
pub async fn version(pool: &PgPool, version: Option<i32>) -> sqlx::Result<Option<Catalogue>> {
    load(pool, version, None).await
}

/// The version a round was opened with, of whichever strategy iteration.
pub async fn by_id(pool: &PgPool, id: uuid::Uuid) -> sqlx::Result<Option<Catalogue>> {
    load(pool, None, Some(id)).await
}

async fn load(
    pool: &PgPool,
    version: Option<i32>,
    id: Option<uuid::Uuid>,
) -> sqlx::Result<Option<Catalogue>> {
    let Some(head) = sqlx::query!(
        "select c.id, c.version, c.note, c.created_at, u.display_name as \"created_by?\"
         from criteria_catalogues c
         join strategies s on s.id = c.strategy_id
         left join users u on u.id = c.created_by
         where case when $2::uuid is null
                    then s.status = 'published' and ($1::integer is null or c.version = $1)
                    else c.id = $2 end
         order by c.version desc limit 1",
        version,
        id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query!(
        r#"select id, name, explanation, criterion_group as "group: CriterionGroup", weight, anchors
           from criteria where catalogue_id = $1 order by position"#,
        head.id
    )
    .fetch_all(pool)
    .await?;
    let criterion_ids = rows.iter().map(|row| row.id).collect();
    let criteria = rows
        .into_iter()
        .map(|row| CriterionSpec {
            name: row.name,
            explanation: row.explanation,
            group: row.group,
            weight: u8::try_from(row.weight).unwrap_or_default(),
            anchors: std::array::from_fn(|i| row.anchors.get(i).cloned().unwrap_or_default()),
        })
        .collect();
    Ok(Some(Catalogue {
        id: head.id,
        version: head.version,
        note: head.note,
        created_at: head.created_at,
        created_by: head.created_by,
        criteria,
        criterion_ids,
    }))
}

/// Every version of the catalogue of the strategy in force, newest first.
#[tracing::instrument(skip(pool))]
pub async fn versions(pool: &PgPool) -> sqlx::Result<Vec<VersionSummary>> {
    sqlx::query_as!(
        VersionSummary,
        r#"select c.version, c.note, c.created_at, u.display_name as "created_by?",
                  (select count(*) from criteria k where k.catalogue_id = c.id) as "criteria!"
           from criteria_catalogues c
           join strategies s on s.id = c.strategy_id
           left join users u on u.id = c.created_by
           where s.status = 'published'
           order by c.version desc"#
    )
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_follows_the_rules() {
        let document = default_catalogue().expect("content/criteria-default.json");
        assert_eq!(document.criteria.len(), 7);
        assert!(criteria::check(&document.criteria).is_ok());
    }
}
