//! The catalogue page: search, filters, sorting and pagination, all in a plain GET URL.

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

    /// The query string of this view on another page.
    fn with_page(&self, page: i64) -> String {
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
            "/massnahmen".to_owned()
        } else {
            format!("/massnahmen?{}", query.join("&"))
        }
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "measures/catalogue.html")]
pub struct CataloguePage {
    pub shell: Shell,
    pub query: CatalogueQuery,
    pub hits: Vec<Hit>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub tree: Option<std::sync::Arc<StrategyTree>>,
    pub statuses: Vec<Status>,
    pub offices: [Office; 8],
    pub sorts: [Sort; 4],
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
}

impl CataloguePage {
    pub fn first_shown(&self) -> i64 {
        (self.page - 1) * PAGE_SIZE + 1
    }

    pub fn last_shown(&self) -> i64 {
        (self.page - 1) * PAGE_SIZE + self.hits.len() as i64
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

pub async fn catalogue(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<CatalogueQuery>,
) -> Result<CataloguePage, AppError> {
    let filter = query.filter();
    let page = query.seite.parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let (hits, tree) = tokio::try_join!(
        db::catalogue::search(&state.db, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE),
        state.strategy.current_tree(&state.db),
    )?;
    let (hits, total) = hits;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    Ok(CataloguePage {
        shell: Shell::new(visitor, "Maßnahmenkatalog")
            .in_section(Section::Measures)
            .here("Maßnahmen"),
        previous_href: (page > 1).then(|| query.with_page(page - 1)),
        next_href: (page < pages).then(|| query.with_page(page + 1)),
        query,
        hits,
        total,
        page,
        pages,
        tree,
        statuses: Status::ALL
            .into_iter()
            .filter(|status| *status != Status::Draft)
            .collect(),
        offices: Office::ALL,
        sorts: Sort::ALL,
    })
}
