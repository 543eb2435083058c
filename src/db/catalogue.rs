//! The catalogue query: German full-text search, filters, sorting and a page of results with the
//! total, in one statement whatever the page size.

use sqlx::PgPool;

use crate::domain::ids::{FieldId, GoalId, MeasureId};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

/// How the catalogue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first when searching, else newest.
    #[default]
    Relevance,
    Newest,
    MostSupported,
    Title,
}

impl Sort {
    pub const ALL: [Self; 4] = [
        Self::Relevance,
        Self::Newest,
        Self::MostSupported,
        Self::Title,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Relevance => "relevanz",
            Self::Newest => "neueste",
            Self::MostSupported => "unterstuetzung",
            Self::Title => "titel",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Relevance => "Relevanz",
            Self::Newest => "Neueste zuerst",
            Self::MostSupported => "Meiste Unterstützung",
            Self::Title => "Titel (A–Z)",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.slug() == slug)
    }
}

/// A catalogue view: every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub text: String,
    pub status: Option<Status>,
    pub office: Option<Office>,
    pub goal: Option<GoalId>,
    pub field: Option<FieldId>,
    pub quick_win: bool,
    pub ozg: bool,
    pub tag: String,
    pub sort: Sort,
}

/// A hit with the total number of hits (the same on every row).
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub lead_office: Office,
    pub quick_win: bool,
    pub support_count: i32,
    pub total: i64,
}

pub async fn search(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Hit>, i64)> {
    let hits = sqlx::query_as!(
        Hit,
        r#"select m.id as "id: MeasureId", m.number, m.title, m.summary,
                  m.status as "status: Status", m.lead_office as "lead_office: Office",
                  m.quick_win, m.support_count, count(*) over () as "total!"
           from measures m
           where m.status <> 'draft'
             and ($1 = '' or m.search @@ websearch_to_tsquery('german', $1))
             and ($2::measure_status is null or m.status = $2)
             and ($3::office is null or m.lead_office = $3
                  or exists (select 1 from measure_offices o where o.measure_id = m.id and o.office = $3))
             and ($4::uuid is null
                  or exists (select 1 from measure_goals mg where mg.measure_id = m.id and mg.goal_id = $4))
             and ($5::uuid is null
                  or exists (select 1 from measure_goals mg join goals g on g.id = mg.goal_id
                             where mg.measure_id = m.id and g.field_id = $5))
             and (not $6 or m.quick_win)
             and (not $7 or m.ozg_id is not null)
             and ($8 = '' or exists (select 1 from measure_tags t where t.measure_id = m.id and t.tag = $8))
           order by
             case when $9 = 'relevanz' and $1 <> ''
                  then ts_rank(m.search, websearch_to_tsquery('german', $1)) end desc nulls last,
             case when $9 = 'unterstuetzung' then m.support_count end desc,
             case when $9 = 'titel' then lower(m.title) end,
             m.created_at desc, m.id
           limit $10 offset $11"#,
        filter.text,
        filter.status as Option<Status>,
        filter.office as Option<Office>,
        filter.goal as Option<GoalId>,
        filter.field as Option<FieldId>,
        filter.quick_win,
        filter.ozg,
        filter.tag,
        filter.sort.slug(),
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = hits.first().map_or(0, |hit| hit.total);
    Ok((hits, total))
}
