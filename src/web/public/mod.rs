//! What the public sees, without an account: the strategy in force and the measures the
//! strategy team released (`/oeffentlich`), a page per released measure, an explanation in
//! Leichte Sprache (BITV 2.0 § 4), and the same content as open data
//! (`/offene-daten/massnahmen.json` and `.csv`, with `ETag` and `Last-Modified`, throttled per
//! client). Everything here reads `db::publications`, which returns only released texts of
//! measures in a public status and the fields declared public.

pub mod cache;
mod open_data;

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::db;
use crate::db::publications::PublicMeasure;
use crate::domain::implementation::DISTRICT_OFFICES;
use crate::domain::markdown;
use crate::domain::office::Office;
use crate::domain::permissions::Permission;
use crate::domain::strategy::StrategyTree;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::layout::Shell;
use crate::web::routes::Route;
use crate::web::visitor::Visitor;

pub use cache::PublicCache;
pub use open_data::Throttle;

pub const PAGE_PATH: &str = "/oeffentlich";

/// Whether `path` belongs to the public side (no session needed, no cookie handed out).
pub fn is_public_path(path: &str) -> bool {
    path == PAGE_PATH
        || path.starts_with("/oeffentlich/")
        || path.starts_with("/offene-daten/")
        // Linked from every public page's footer, and a statement without a form.
        || path == "/barrierefreiheit"
}

/// The public side's state: its documents in memory and the open data's throttle.
#[derive(Debug)]
pub struct Public {
    pub cache: Arc<PublicCache>,
    pub throttle: Arc<Throttle>,
}

impl Public {
    /// Starts the listener that keeps the documents current (inside a Tokio runtime).
    pub fn listening_on(pool: &sqlx::PgPool) -> Self {
        let throttle = Arc::new(Throttle::default());
        // Clients back to a full burst are forgotten now and then, so the map stays small.
        let tidied = Arc::downgrade(&throttle);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                match tidied.upgrade() {
                    Some(throttle) => throttle.tidy(),
                    None => break,
                }
            }
        });
        Self {
            cache: PublicCache::listening_on(pool),
            throttle,
        }
    }
}

pub fn routes() -> Vec<Route> {
    use Permission::Public as P;
    vec![
        Route::get(PAGE_PATH, P, page),
        Route::get("/oeffentlich/massnahmen/{id}", P, measure),
        Route::get("/oeffentlich/leichte-sprache", P, easy_language),
        Route::get("/offene-daten/massnahmen.json", P, open_data::json),
        Route::get("/offene-daten/massnahmen.csv", P, open_data::csv),
    ]
}

/// A released measure as the public pages show it.
#[derive(Debug)]
pub struct Shown {
    pub measure: PublicMeasure,
}

impl Shown {
    pub fn href(&self) -> String {
        format!("/oeffentlich/massnahmen/{}", self.measure.number)
    }

    pub fn status_label(&self) -> &'static str {
        self.measure.status.label()
    }

    pub fn lead_label(&self) -> &'static str {
        self.measure.lead_office.label()
    }

    pub fn participating(&self) -> String {
        self.measure
            .offices
            .iter()
            .map(|office| office.short_label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Per district office its state, "–" where nothing is recorded.
    pub fn implementation(&self) -> Vec<(&'static str, &'static str)> {
        DISTRICT_OFFICES
            .iter()
            .map(|office| {
                let state = self
                    .measure
                    .implementation
                    .0
                    .iter()
                    .find(|row| row.office == *office)
                    .map_or("–", |row| row.state.label());
                (office.label().trim_start_matches("Bezirksamt "), state)
            })
            .collect()
    }

    pub fn has_implementation(&self) -> bool {
        !self.measure.implementation.0.is_empty()
    }

    pub fn description_html(&self) -> String {
        markdown::to_safe_html(&self.measure.texts.0.description)
    }

    pub fn benefit_html(&self) -> String {
        markdown::to_safe_html(&self.measure.texts.0.expected_benefit)
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    q: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "public/index.html")]
pub struct PublicPage {
    pub shell: Shell,
    pub tree: Option<Arc<StrategyTree>>,
    pub measures: Vec<Shown>,
    pub search: String,
}

impl PublicPage {
    pub fn district_offices(&self) -> Vec<&'static str> {
        DISTRICT_OFFICES
            .iter()
            .map(|office| office.short_label())
            .collect()
    }

    /// How many released measures pay into `goal`.
    pub fn measures_of(&self, goal: &crate::domain::ids::GoalId) -> usize {
        self.measures
            .iter()
            .filter(|shown| shown.measure.goals.0.iter().any(|g| g.id == goal.0))
            .count()
    }
}

fn public_shell(visitor: Visitor, title: impl Into<String>) -> Shell {
    Shell::new(visitor, title)
}

async fn build_page(
    state: &AppState,
    visitor: Visitor,
    search: String,
) -> Result<PublicPage, AppError> {
    let query = search.trim();
    let (tree, measures) = tokio::try_join!(
        async { Ok::<_, AppError>(state.strategy.current_tree(&state.db).await?) },
        async {
            Ok::<_, AppError>(
                db::publications::released(&state.db, (!query.is_empty()).then_some(query)).await?,
            )
        },
    )?;
    Ok(PublicPage {
        shell: public_shell(visitor, "Was die Bezirksämter digital umsetzen"),
        tree,
        measures: measures
            .into_iter()
            .map(|measure| Shown { measure })
            .collect(),
        search: query.to_owned(),
    })
}

/// The page; for visitors without an account and without a search it is the same for everyone,
/// so it is kept in memory until the public content changes.
async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(query): Query<PublicQuery>,
) -> Result<Response, AppError> {
    if visitor.user.is_some() || !query.q.trim().is_empty() {
        return Ok(build_page(&state, visitor, query.q).await?.into_response());
    }
    let document = state
        .public
        .cache
        .get_or_build("page", async {
            let page = build_page(&state, visitor.clone(), String::new()).await?;
            let html = page
                .render()
                .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?;
            Ok::<_, AppError>(cache::Document::new(html, None))
        })
        .await?;
    // Revalidated on every visit (a 304 is cheap), so a release shows at once.
    let mut response = answer(&headers, &document, "text/html; charset=utf-8");
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    Ok(response)
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "public/measure.html")]
pub struct PublicMeasurePage {
    pub shell: Shell,
    pub shown: Shown,
}

async fn measure(
    State(state): State<AppState>,
    visitor: Visitor,
    Id(number): Id<i64>,
) -> Result<PublicMeasurePage, AppError> {
    // Unreleased and unknown numbers alike: not found.
    let measure = db::publications::released(&state.db, None)
        .await?
        .into_iter()
        .find(|measure| measure.number == number)
        .ok_or(AppError::NotFound)?;
    let title = format!("M-{} {}", measure.number, measure.texts.0.title);
    Ok(PublicMeasurePage {
        shell: public_shell(visitor, title),
        shown: Shown { measure },
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "public/easy.html")]
pub struct EasyLanguagePage {
    pub shell: Shell,
}

async fn easy_language(visitor: Visitor) -> EasyLanguagePage {
    EasyLanguagePage {
        shell: public_shell(
            visitor,
            "Leichte Sprache: Was die Bezirksämter digital machen",
        ),
    }
}

/// Whether the request's validators match `document` (a `304 Not Modified` answers it).
fn not_modified(headers: &HeaderMap, document: &cache::Document) -> bool {
    if let Some(tags) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
    {
        return tags
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == document.etag || tag == "*");
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| chrono::DateTime::parse_from_rfc2822(value).ok());
    match (since, document.last_modified) {
        (Some(since), Some(modified)) => modified.timestamp() <= since.timestamp(),
        _ => false,
    }
}

/// The office labels for templates.
pub fn office_label(office: &Office) -> &'static str {
    office.label()
}

pub(crate) fn not_modified_response(document: &cache::Document) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    for (name, value) in validators(document) {
        response.headers_mut().insert(name, value);
    }
    response
}

pub(crate) fn validators(document: &cache::Document) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut headers = Vec::new();
    if let Ok(etag) = HeaderValue::from_str(&document.etag) {
        headers.push((header::ETAG, etag));
    }
    if let Some(modified) = document.last_modified
        && let Ok(value) =
            HeaderValue::from_str(&modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.push((header::LAST_MODIFIED, value));
    }
    headers.push((
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    ));
    headers
}

pub(crate) fn answer(
    headers: &HeaderMap,
    document: &cache::Document,
    content_type: &'static str,
) -> Response {
    if not_modified(headers, document) {
        return not_modified_response(document);
    }
    let mut response = document.bytes.clone().into_response();
    for (name, value) in validators(document) {
        response.headers_mut().insert(name, value);
    }
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
