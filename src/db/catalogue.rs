//! The catalogue query: German full-text search, filters, sorting and a page of results with the
//! total, in one statement whatever the page size.
//!
//! Unlike the rest of `db`, these statements are assembled at run time from fixed fragments
//! (every value is bound, never spliced in): each filter is optional, and a statement that carries
//! only the conditions in use lets PostgreSQL plan it with the matching indexes (one cached plan
//! per combination) instead of one generic plan full of `$n is null or …` that can use none.
//! The API tests run every filter, sort and the search against a real database.
//!
//! Two shapes:
//! - without a search text, the page is read in index order and the total is counted from the
//!   same conditions (an index-only count for the usual filters);
//! - with a search text, the hits are found once through the GIN index of `measure_search` (a
//!   narrow copy of the measures, kept by triggers) into a materialised set of id and sort key
//!   (the rank only when sorting by relevance), which gives both the total and the page; only
//!   the page's 50 rows are then read from `measures`.

use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::domain::ids::{FieldId, GoalId, MeasureId};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;

/// How the catalogue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// Best match first when searching, else newest.
    #[default]
    Relevance,
    Newest,
    MostSupported,
    Title,
    /// By the rank of the newest frozen round (the decided ranking), measures without one last.
    Rank,
}

impl Sort {
    pub const ALL: [Self; 5] = [
        Self::Relevance,
        Self::Newest,
        Self::MostSupported,
        Self::Title,
        Self::Rank,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Relevance => "relevanz",
            Self::Newest => "neueste",
            Self::MostSupported => "unterstuetzung",
            Self::Title => "titel",
            Self::Rank => "rang",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Relevance => "Relevanz",
            Self::Newest => "Neueste zuerst",
            Self::MostSupported => "Meiste Unterstützung",
            Self::Title => "Titel (A–Z)",
            Self::Rank => "Rang der letzten beschlossenen Priorisierung",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.slug() == slug)
    }
}

/// A catalogue view: every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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

/// A hit on the catalogue page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub lead_office: Office,
    pub quick_win: bool,
    pub support_count: i32,
    /// The design fields and themes of its goals, in no particular order.
    pub field_ids: Vec<FieldId>,
    /// Its rank in the newest frozen round of the strategy in force, if it took part.
    pub decided_rank: Option<i32>,
}

/// A hit as read, with the total of all hits (the same on every row).
#[derive(sqlx::FromRow)]
struct CountedHit {
    #[sqlx(flatten)]
    hit: Hit,
    total: i64,
}

/// A measure's rank in the newest frozen round of the strategy in force (the ranking decided
/// last), null if it did not take part: one index probe per measure, the round found once.
macro_rules! decided_rank {
    () => {
        "(select rm.rank from round_measures rm where rm.measure_id = m.id and rm.round_id = \
         (select r.id from prioritisation_rounds r join strategies s on s.id = r.strategy_id \
         where s.status = 'published' and r.status = 'frozen' \
         order by r.frozen_at desc, r.id limit 1))"
    };
}

const HIT_COLUMNS: &str = concat!(
    "m.id, m.number, m.title, m.summary, m.status, m.lead_office, m.quick_win, m.support_count, \
     array(select distinct g.field_id from measure_goals mg \
     join goals g on g.id = mg.goal_id where mg.measure_id = m.id) as field_ids, ",
    decided_rank!(),
    " as decided_rank"
);

/// Which measures a view shows, besides the search text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every measure but drafts (the catalogue).
    Catalogue,
    /// Measures being or having been implemented (the implementation matrix).
    Implementation,
    /// Measures a new prioritisation round takes by default: accepted or deferred.
    Prioritisation,
}

/// Appends ` from measures m where …` with the scope, the search and every filter in use.
pub fn push_from(query: &mut QueryBuilder<'_, Postgres>, filter: &Filter, scope: Scope) {
    query.push(" from measures m");
    push_scope(query, scope);
    if !filter.text.is_empty() {
        query
            .push(
                " and m.id in (select s.id from measure_search s \
                 where s.status <> 'draft' and s.search @@ websearch_to_tsquery('german', ",
            )
            .push_bind(filter.text.clone())
            .push("))");
    }
    push_filters(query, filter);
}

/// Appends ` from measure_search m, … q where …`: the narrow copy of the measures that the
/// search reads, with the parsed search text as `q` (parsed once per statement, not per row).
/// The copy has the same names as `measures` for every column the filters use.
fn push_search_from(query: &mut QueryBuilder<'_, Postgres>, filter: &Filter, scope: Scope) {
    query
        .push(" from measure_search m, websearch_to_tsquery('german', ")
        .push_bind(filter.text.clone())
        .push(") q");
    push_scope(query, scope);
    query.push(" and m.search @@ q");
    push_filters(query, filter);
}

fn push_scope(query: &mut QueryBuilder<'_, Postgres>, scope: Scope) {
    query.push(match scope {
        Scope::Catalogue => " where m.status <> 'draft'",
        Scope::Implementation => " where m.status in ('accepted', 'in_progress', 'implemented')",
        Scope::Prioritisation => " where m.status in ('accepted', 'deferred')",
    });
}

/// Appends ` and …` for every filter in use but the search text, on `m`.
fn push_filters(query: &mut QueryBuilder<'_, Postgres>, filter: &Filter) {
    if let Some(status) = filter.status {
        query.push(" and m.status = ").push_bind(status);
    }
    if let Some(office) = filter.office {
        query
            .push(" and (m.lead_office = ")
            .push_bind(office)
            .push(
                " or exists (select 1 from measure_offices o \
                 where o.measure_id = m.id and o.office = ",
            )
            .push_bind(office)
            .push("))");
    }
    if let Some(goal) = filter.goal {
        query
            .push(
                " and exists (select 1 from measure_goals mg \
                 where mg.measure_id = m.id and mg.goal_id = ",
            )
            .push_bind(goal)
            .push(")");
    }
    if let Some(field) = filter.field {
        query
            .push(
                " and exists (select 1 from measure_goals mg join goals g on g.id = mg.goal_id \
                 where mg.measure_id = m.id and g.field_id = ",
            )
            .push_bind(field)
            .push(")");
    }
    if filter.quick_win {
        query.push(" and m.quick_win");
    }
    if filter.ozg {
        query.push(" and m.ozg_id is not null");
    }
    if !filter.tag.is_empty() {
        query
            .push(
                " and exists (select 1 from measure_tags t where t.measure_id = m.id and t.tag = ",
            )
            .push_bind(filter.tag.clone())
            .push(")");
    }
}

/// The total number of measures in a view (for a page past the last one).
pub async fn count(pool: &PgPool, filter: &Filter, scope: Scope) -> sqlx::Result<i64> {
    let mut query = QueryBuilder::new("select count(*)");
    push_from(&mut query, filter, scope);
    query.build_query_scalar().fetch_one(pool).await
}

/// Every measure of a view, by number (for opening a prioritisation round).
pub async fn ids(pool: &PgPool, filter: &Filter, scope: Scope) -> sqlx::Result<Vec<MeasureId>> {
    let mut query = QueryBuilder::new("select m.id");
    push_from(&mut query, filter, scope);
    query.push(" order by m.number");
    query.build_query_scalar().fetch_all(pool).await
}

/// A page of the catalogue and the total number of hits.
pub async fn search(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Hit>, i64)> {
    let mut query = statement("", filter, limit, offset);
    let rows: Vec<CountedHit> = query.build_query_as().fetch_all(pool).await?;
    let total = match rows.first() {
        Some(row) => row.total,
        None if offset > 0 => count(pool, filter, Scope::Catalogue).await?,
        None => 0,
    };
    Ok((rows.into_iter().map(|row| row.hit).collect(), total))
}

/// How PostgreSQL runs the statement of a catalogue view, with the time and buffers each step
/// took (for operators, `prima explain`, and the benchmarks).
pub async fn explain(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<String>> {
    let mut query = statement(
        "explain (analyze, buffers, costs off) ",
        filter,
        limit,
        offset,
    );
    query.build_query_scalar().fetch_all(pool).await
}

/// The statement of a view, after `prefix`.
fn statement(
    prefix: &str,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> QueryBuilder<'static, Postgres> {
    let mut query = QueryBuilder::new(prefix);
    if filter.text.is_empty() {
        browse(&mut query, filter, limit, offset);
    } else {
        find(&mut query, filter, limit, offset);
    }
    query
}

/// Without a search text: the page in index order, the total counted alongside.
fn browse(query: &mut QueryBuilder<'static, Postgres>, filter: &Filter, limit: i64, offset: i64) {
    query.push(format!("select {HIT_COLUMNS}, (select count(*)"));
    push_from(query, filter, Scope::Catalogue);
    query.push(") as total");
    push_from(query, filter, Scope::Catalogue);
    query.push(match filter.sort {
        Sort::Relevance | Sort::Newest => " order by m.created_at desc, m.id",
        Sort::MostSupported => " order by m.support_count desc, m.created_at desc, m.id",
        Sort::Title => " order by lower(m.title), m.created_at desc, m.id",
        Sort::Rank => concat!(
            " order by ",
            decided_rank!(),
            " nulls last, m.created_at desc, m.id"
        ),
    });
    push_page(query, limit, offset);
}

/// With a search text: the hits once through the GIN index, then the page and the total.
fn find(query: &mut QueryBuilder<'static, Postgres>, filter: &Filter, limit: i64, offset: i64) {
    // The sort key of a hit, and the order of the page.
    let (key, order) = match filter.sort {
        Sort::Relevance => (
            "ts_rank(m.search, q)",
            "h.key desc, h.created_at desc, h.id",
        ),
        Sort::Newest => ("null::integer", "h.created_at desc, h.id"),
        Sort::MostSupported => ("m.support_count", "h.key desc, h.created_at desc, h.id"),
        Sort::Title => ("m.title_key", "h.key, h.created_at desc, h.id"),
        Sort::Rank => (decided_rank!(), "h.key nulls last, h.created_at desc, h.id"),
    };
    query.push(format!(
        "with hits as materialized (select m.id, m.created_at, {key} as key"
    ));
    push_search_from(query, filter, Scope::Catalogue);
    query.push(format!(
        "), page as (select h.id, h.key, h.created_at from hits h order by {order}"
    ));
    push_page(query, limit, offset);
    query.push(format!(
        ") select {HIT_COLUMNS}, (select count(*) from hits) as total \
         from page h join measures m on m.id = h.id order by {order}"
    ));
}

fn push_page(query: &mut QueryBuilder<'_, Postgres>, limit: i64, offset: i64) {
    query
        .push(" limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset);
}
