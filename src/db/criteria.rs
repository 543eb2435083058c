//! The criteria catalogues of the prioritisation: versions are written whole and never changed
//! (PostgreSQL refuses updates and deletes, and a version whose weights do not add up to 100 at
//! commit). The default catalogue is loaded for the strategy in force when it has none.

use anyhow::Context;
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
    pub criteria: Vec<CriterionSpec>,
}

/// Writes `criteria` as the next version of the catalogue of the strategy in force, in one
/// transaction; returns its version number.
pub async fn add_version(
    pool: &PgPool,
    criteria: &[CriterionSpec],
    note: &str,
    by: Option<UserId>,
) -> anyhow::Result<i32> {
    let mut transaction = pool.begin().await?;
    let strategy = sqlx::query_scalar!("select id from strategies where status = 'published'")
        .fetch_one(&mut *transaction)
        .await
        .context("no strategy is in force")?;
    // Versions of one iteration are numbered one after the other: the lock keeps two writers
    // from taking the same number.
    sqlx::query!("select pg_advisory_xact_lock(hashtext('criteria_catalogues'))")
        .execute(&mut *transaction)
        .await?;
    let version = sqlx::query_scalar!(
        r#"select coalesce(max(version), 0) + 1 as "version!" from criteria_catalogues
           where strategy_id = $1"#,
        strategy
    )
    .fetch_one(&mut *transaction)
    .await?;
    let id = uuid::Uuid::new_v4();
    sqlx::query!(
        "insert into criteria_catalogues (id, strategy_id, version, note, created_by)
         values ($1, $2, $3, $4, $5)",
        id,
        strategy,
        version,
        note,
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
            &criterion.anchors[..]
        )
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(version)
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
    add_version(pool, &document.criteria, &document.note, None).await?;
    tracing::info!("loaded the default criteria catalogue");
    Ok(true)
}

/// The newest version of the catalogue of the strategy in force.
pub async fn current(pool: &PgPool) -> sqlx::Result<Option<Catalogue>> {
    let Some(head) = sqlx::query!(
        "select c.id, c.version, c.note from criteria_catalogues c
         join strategies s on s.id = c.strategy_id
         where s.status = 'published'
         order by c.version desc limit 1"
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query!(
        r#"select name, explanation, criterion_group as "group: CriterionGroup", weight, anchors
           from criteria where catalogue_id = $1 order by position"#,
        head.id
    )
    .fetch_all(pool)
    .await?;
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
        criteria,
    }))
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
