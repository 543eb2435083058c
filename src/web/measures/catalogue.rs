//! The catalogue page: search, filters, sorting and pagination, all in a plain GET URL.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::db;
use crate::db::catalogue::{Filter, Hit, Sort};
use crate::domain::lifecycle::Status;
use crate::domain::office::Office;
use crate::domain::strategy::{FieldKind, StrategyTree};
use crate::web::AppState;
use crate::web::auth::encode_query;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::session::Visitor;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    pub suche: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub amt: String,
    #[serde(default)]
    pub feld: String,
    #[serde(default)]
    pub ziel: String,
    #[serde(default)]
    pub schnell: String,
    #[serde(default)]
    pub ozg: String,
    #[serde(default)]
    pub schlagwort: String,
    #[serde(default)]
    pub sortierung: String,
    #[serde(default)]
    pub seite: String,
}

impl CatalogueQuery {
    pub fn filter(&self) -> Filter {
        Filter {
            text: self.suche.trim().to_owned(),
            status: Status::from_slug(&self.status),
            office: Office::from_slug(&self.amt),
            goal: self.ziel.parse().ok(),
            field: self.feld.parse().ok(),
            quick_win: self.schnell == "ja",
            ozg: self.ozg == "ja",
            tag: self.schlagwort.trim().to_lowercase(),
            sort: Sort::from_slug(&self.sortierung).unwrap_or_default(),
        }
    }

    /// The page asked for (1 for anything that is not a page number).
    pub fn page(&self) -> i64 {
        self.seite.parse::<i64>().unwrap_or(1).clamp(1, 100_000)
    }

    /// How many hits come before this page.
    pub fn offset(&self) -> i64 {
        (self.page() - 1) * PAGE_SIZE
    }

    /// The address of this view at `path` on another page.
    fn with_page(&self, path: &str, page: i64) -> String {
        let pairs = [
            ("suche", self.suche.as_str()),
            ("status", self.status.as_str()),
            ("amt", self.amt.as_str()),
            ("feld", self.feld.as_str()),
            ("ziel", self.ziel.as_str()),
            ("schnell", self.schnell.as_str()),
            ("ozg", self.ozg.as_str()),
            ("schlagwort", self.schlagwort.as_str()),
            ("sortierung", self.sortierung.as_str()),
        ];
        let mut query: Vec<String> = pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", encode_query(value)))
            .collect();
        if page > 1 {
            query.push(format!("seite={page}"));
        }
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }
}

/// Where a view stands among its pages, with links to the neighbours.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub page: i64,
    pub pages: i64,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pagination {
    /// The pages of `total` hits of the view `query` at `path`.
    pub fn new(query: &CatalogueQuery, path: &str, total: i64) -> Self {
        let page = query.page();
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Self {
            page,
            pages,
            previous_href: (page > 1).then(|| query.with_page(path, page - 1)),
            next_href: (page < pages).then(|| query.with_page(path, page + 1)),
        }
    }

    /// The numbers of the first and last hit shown on a page with `shown` hits.
    pub fn shown(&self, shown: usize) -> (i64, i64) {
        let before = (self.page - 1) * PAGE_SIZE;
        (before + 1, before + shown as i64)
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/catalogue.html")]
pub struct CataloguePage {
    pub shell: Shell,
    pub query: CatalogueQuery,
    /// The page's hits and the total, shared with the cache (not copied per request).
    pub found: Arc<(Vec<Hit>, i64)>,
    pub total: i64,
    pub pagination: Pagination,
    pub choices: FilterChoices,
    pub sorts: [Sort; 4],
}

/// What the filters offer (`measures/_filters.html`).
#[derive(Debug, Clone)]
pub struct FilterChoices {
    pub tree: Option<Arc<StrategyTree>>,
    pub statuses: Vec<Status>,
    pub offices: [Office; 8],
}

impl FilterChoices {
    /// The choices of a view over measures in `statuses`.
    pub fn new(tree: Option<Arc<StrategyTree>>, statuses: Vec<Status>) -> Self {
        Self {
            tree,
            statuses,
            offices: Office::ALL,
        }
    }

    pub fn design_fields(&self) -> Vec<&crate::domain::strategy::Field> {
        self.tree
            .as_ref()
            .map(|tree| {
                tree.fields
                    .iter()
                    .filter(|field| {
                        field.kind == FieldKind::DesignField
                            || field.kind == FieldKind::CrossCuttingTheme
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl CataloguePage {
    pub fn first_shown(&self) -> i64 {
        self.pagination.shown(self.found.0.len()).0
    }

    pub fn last_shown(&self) -> i64 {
        self.pagination.shown(self.found.0.len()).1
    }
}

/// A page of hits and the total: views without a search text from the cache when current.
async fn find(
    state: &AppState,
    visitor: &Visitor,
    filter: Filter,
    page: i64,
) -> sqlx::Result<Arc<(Vec<Hit>, i64)>> {
    let offset = (page - 1) * PAGE_SIZE;
    let load = db::catalogue::search(&state.db, &filter, PAGE_SIZE, offset);
    // Searches are too varied to be worth keeping.
    let generation = visitor.generation().filter(|_| filter.text.is_empty());
    let key = (filter.clone(), page);
    state
        .caches
        .catalogue
        .get_or_load(generation, key, load)
        .await
}

pub async fn catalogue(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<CatalogueQuery>,
) -> Result<CataloguePage, AppError> {
    let filter = query.filter();
    let page = query.page();
    let (found, tree) = tokio::try_join!(
        find(&state, &visitor, filter, page),
        state.strategy.current_tree(&state.db),
    )?;
    let total = found.1;
    Ok(CataloguePage {
        shell: Shell::new(visitor, "Maßnahmenkatalog")
            .in_section(Section::Measures)
            .here("Maßnahmen"),
        pagination: Pagination::new(&query, "/massnahmen", total),
        query,
        found,
        total,
        choices: FilterChoices::new(
            tree,
            Status::ALL
                .into_iter()
                .filter(|status| *status != Status::Draft)
                .collect(),
        ),
        sorts: Sort::ALL,
    })
}
