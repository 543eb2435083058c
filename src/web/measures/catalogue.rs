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
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::forms::Choice;
use crate::web::layout::{Section, Shell};
use crate::web::links::encode_query;
use crate::web::visitor::Visitor;

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

    /// The view's parameters in the order its addresses list them (without the page).
    fn pairs(&self) -> [(&'static str, &str); 9] {
        [
            ("suche", self.suche.as_str()),
            ("status", self.status.as_str()),
            ("amt", self.amt.as_str()),
            ("feld", self.feld.as_str()),
            ("ziel", self.ziel.as_str()),
            ("schnell", self.schnell.as_str()),
            ("ozg", self.ozg.as_str()),
            ("schlagwort", self.schlagwort.as_str()),
            ("sortierung", self.sortierung.as_str()),
        ]
    }

    /// The address at `path` of this view with `change` applied to each parameter (`None`
    /// drops it) and on `page`.
    fn href<'a>(
        &'a self,
        path: &str,
        page: i64,
        change: impl Fn(&'static str, &'a str) -> Option<&'a str>,
    ) -> String {
        let mut query: Vec<String> = self
            .pairs()
            .into_iter()
            .filter_map(|(key, value)| change(key, value).map(|value| (key, value)))
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

    /// The address of this view at `path` on another page.
    fn with_page(&self, path: &str, page: i64) -> String {
        self.href(path, page, |_, value| Some(value))
    }

    /// This view (all pages) at `path`: its export page, the view from there.
    pub fn view_href(&self, path: &str) -> String {
        self.href(path, 1, |_, value| Some(value))
    }

    /// The view's parameters in use (no page), for the hidden fields of a form that keeps it.
    pub fn pairs_in_use(&self) -> Vec<(&'static str, String)> {
        self.pairs()
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| (key, value.to_owned()))
            .collect()
    }

    /// The first page of this view sorted by `sort`.
    pub fn sorted_by(&self, path: &str, sort: Sort) -> String {
        self.href(path, 1, |key, value| {
            Some(if key == "sortierung" {
                sort.slug()
            } else {
                value
            })
        })
    }

    /// The first page of this view with the search text and sorting only.
    pub fn without_filters(&self, path: &str) -> String {
        self.href(path, 1, |key, value| {
            matches!(key, "suche" | "sortierung").then_some(value)
        })
    }

    /// The filters in use (the search text too), each with the address of the view without it.
    pub fn active_filters(&self, path: &str, tree: Option<&StrategyTree>) -> Vec<ActiveFilter> {
        let filter = self.filter();
        let mut active = Vec::new();
        let mut add = |key: &'static str, label: String| {
            active.push(ActiveFilter {
                label,
                remove_href: self.href(path, 1, |other, value| (other != key).then_some(value)),
            });
        };
        if !filter.text.is_empty() {
            add("suche", format!("Suche: „{}“", filter.text));
        }
        if let Some(field) = filter.field.and_then(|id| tree?.field(id)) {
            add("feld", format!("Feld: {}", field.name));
        }
        if let Some(goal) = filter.goal.and_then(|id| tree?.goal(id)) {
            add("ziel", format!("Ziel: {}", shortened(&goal.statement, 60)));
        }
        if let Some(status) = filter.status {
            add("status", format!("Status: {}", status.label()));
        }
        if let Some(office) = filter.office {
            add("amt", office.label().to_owned());
        }
        if !filter.tag.is_empty() {
            add("schlagwort", format!("Schlagwort: {}", filter.tag));
        }
        if filter.quick_win {
            add("schnell", "Nur schnelle Erfolge".to_owned());
        }
        if filter.ozg {
            add("ozg", "Nur mit OZG-Bezug".to_owned());
        }
        active
    }

    /// How many filters of the panel are in use (the search text is not one of them).
    pub fn panel_filters_in_use(&self) -> usize {
        let filter = self.filter();
        [
            filter.field.is_some(),
            filter.goal.is_some(),
            filter.status.is_some(),
            filter.office.is_some(),
            !filter.tag.is_empty(),
            filter.quick_win,
            filter.ozg,
        ]
        .into_iter()
        .filter(|in_use| *in_use)
        .count()
    }

    /// The order the reader sees: relevance only means something with a search text.
    pub fn shown_sort(&self) -> Sort {
        match self.filter().sort {
            Sort::Relevance if self.suche.trim().is_empty() => Sort::Newest,
            sort => sort,
        }
    }
}

/// `text` cut after at most `limit` characters at a word boundary, with "…" when cut.
fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let cut: String = text.chars().take(limit).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |end| &cut[..end]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

/// A filter in use, and the address of the same view without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

/// A column header that sorts the view: a plain link, with `aria-sort` on the column in use.
#[derive(Debug, Clone)]
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// `ascending` or `descending` when the view is sorted by this column.
    pub aria_sort: Option<&'static str>,
    /// What following the link does, for screen readers ("neueste zuerst").
    pub hint: &'static str,
}

impl SortHeader {
    fn new(query: &CatalogueQuery, path: &str, label: &'static str, sort: Sort) -> Self {
        let (direction, hint) = match sort {
            Sort::Title => ("ascending", "alphabetisch"),
            Sort::MostSupported => ("descending", "meiste zuerst"),
            Sort::Rank => ("ascending", "nach dem zuletzt beschlossenen Rang"),
            Sort::Newest | Sort::Relevance => ("descending", "neueste zuerst"),
        };
        Self {
            label,
            href: query.sorted_by(path, sort),
            aria_sort: (query.shown_sort() == sort).then_some(direction),
            hint,
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
    /// Page `page` of `pages`, the neighbours' addresses from `href`.
    pub fn around(page: usize, pages: usize, href: impl Fn(usize) -> String) -> Self {
        Self {
            page: i64::try_from(page).unwrap_or(i64::MAX),
            pages: i64::try_from(pages).unwrap_or(i64::MAX),
            previous_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        }
    }

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
    pub panel: FilterPanel,
    /// Nr., Maßnahme, Unterstützung, Rang.
    pub headers: [SortHeader; 4],
    /// The address that sorts by relevance again, when searching and sorted otherwise.
    pub relevance_href: Option<String>,
}

/// The filter panel of a list page and the filters in use above its results
/// (`measures/_filter_panel.html`).
#[derive(Debug, Clone)]
pub struct FilterPanel {
    /// The id of the form the panel's fields belong to.
    pub form: &'static str,
    pub active: Vec<ActiveFilter>,
    /// How many of the panel's fields are in use: the panel starts open when any is.
    pub in_use: usize,
    pub reset_href: String,
}

impl FilterPanel {
    pub fn new(
        query: &CatalogueQuery,
        path: &str,
        form: &'static str,
        tree: Option<&StrategyTree>,
    ) -> Self {
        Self {
            form,
            active: query.active_filters(path, tree),
            in_use: query.panel_filters_in_use(),
            reset_href: query.without_filters(path),
        }
    }
}

/// What the filters offer (`measures/_filter_panel.html`).
#[derive(Debug, Clone)]
pub struct FilterChoices {
    pub tree: Option<Arc<StrategyTree>>,
    pub statuses: Vec<Status>,
}

impl FilterChoices {
    /// The choices of a view over measures in `statuses`.
    pub fn new(tree: Option<Arc<StrategyTree>>, statuses: Vec<Status>) -> Self {
        Self { tree, statuses }
    }

    /// The design fields and cross-cutting themes, in the strategy's order.
    pub fn field_choices(&self) -> Vec<Choice> {
        self.tree
            .iter()
            .flat_map(|tree| &tree.fields)
            .filter(|field| {
                matches!(
                    field.kind,
                    FieldKind::DesignField | FieldKind::CrossCuttingTheme
                )
            })
            .map(|field| Choice::new(field.id.to_string(), &field.name))
            .collect()
    }

    pub fn status_choices(&self) -> Vec<Choice> {
        self.statuses
            .iter()
            .map(|status| Choice::new(status.slug(), status.label()))
            .collect()
    }

    pub fn office_choices(&self) -> Vec<Choice> {
        Office::ALL
            .iter()
            .map(|office| Choice::new(office.slug(), office.label()))
            .collect()
    }
}

impl CataloguePage {
    /// The names of the design fields and themes `hit`'s goals belong to, in the strategy's
    /// order.
    pub fn field_names(&self, hit: &Hit) -> Vec<&str> {
        self.choices
            .tree
            .iter()
            .flat_map(|tree| &tree.fields)
            .filter(|field| hit.field_ids.contains(&field.id))
            .map(|field| field.name.as_str())
            .collect()
    }

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
    let path = "/massnahmen";
    let searching = !query.suche.trim().is_empty();
    Ok(CataloguePage {
        shell: Shell::new(visitor, "Maßnahmenkatalog")
            .in_section(Section::Measures)
            .here("Maßnahmen"),
        pagination: Pagination::new(&query, path, total),
        panel: FilterPanel::new(&query, path, "katalog", tree.as_deref()),
        headers: [
            SortHeader::new(&query, path, "Nr.", Sort::Newest),
            SortHeader::new(&query, path, "Maßnahme", Sort::Title),
            SortHeader::new(&query, path, "Unterstützung", Sort::MostSupported),
            SortHeader::new(&query, path, "Rang", Sort::Rank),
        ],
        relevance_href: (searching && query.filter().sort != Sort::Relevance)
            .then(|| query.sorted_by(path, Sort::Relevance)),
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
    })
}
