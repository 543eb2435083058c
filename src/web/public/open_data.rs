//! The released measures as open data: JSON (schema `docs/schemas/open-data.schema.json`) and
//! German CSV, under the Datenlizenz Deutschland – Namensnennung – 2.0 (docs/transparency.md says
//! why). Each document is built once per change of the public content and answered with a
//! strong `ETag` and `Last-Modified` (a matching `If-None-Match` or `If-Modified-Since` gets
//! `304`); every client may fetch a burst of 30 and then one a second (`429` with
//! `Retry-After` beyond that), so a scraper cannot keep the instance busy.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Serialize;

use super::cache::Document;
use crate::db;
use crate::db::publications::PublicMeasure;
use crate::domain::implementation::DISTRICT_OFFICES;
use crate::export::Column;
use crate::export::csv::Rows;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::ClientAddress;

pub const LICENCE: &str = "Datenlizenz Deutschland – Namensnennung – Version 2.0";
pub const LICENCE_URL: &str = "https://www.govdata.de/dl-de/by-2-0";
pub const ATTRIBUTION: &str = "Bezirksämter der Freien und Hansestadt Hamburg, PriMa";

/// Requests per client: a burst, then one per second.
#[derive(Debug)]
pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(30)
    }
}

impl Throttle {
    pub fn new(burst: u32) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN).allow_burst(burst)),
        }
    }

    /// `None` when `client` may go on, else the seconds to wait.
    fn check(&self, client: &str) -> Option<u64> {
        let key: IpAddr = client
            .parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        match self.limiter.check_key(&key) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Some(wait.as_secs().max(1))
            }
        }
    }

    /// Forgets clients that are back to a full burst (called now and then).
    pub fn tidy(&self) {
        self.limiter.retain_recent();
    }
}

/// 429 with the wait; the German error page explains it (`web::errors`).
fn throttled(seconds: u64) -> Response {
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[derive(Debug, Serialize)]
struct Dataset<'a> {
    title: &'static str,
    description: &'static str,
    publisher: &'static str,
    licence: &'static str,
    licence_url: &'static str,
    attribution: &'static str,
    strategy: Option<String>,
    modified: Option<String>,
    measures: Vec<Record<'a>>,
}

#[derive(Debug, Serialize)]
struct Record<'a> {
    number: String,
    title: &'a str,
    summary: &'a str,
    description: &'a str,
    expected_benefit: &'a str,
    status: &'static str,
    status_label: &'static str,
    lead_office: &'static str,
    participating_offices: Vec<&'static str>,
    goals: Vec<Goal<'a>>,
    implementation: Vec<Implementation>,
    planned_start: Option<String>,
    planned_end: Option<String>,
    quick_win: bool,
    released_on: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct Goal<'a> {
    field: &'a str,
    number: i32,
    statement: &'a str,
}

#[derive(Debug, Serialize)]
struct Implementation {
    office: &'static str,
    state: &'static str,
    state_label: &'static str,
    as_of: Option<String>,
}

fn status_slug(measure: &PublicMeasure) -> &'static str {
    use crate::domain::lifecycle::Status;
    match measure.status {
        Status::Accepted => "accepted",
        Status::InProgress => "in_progress",
        Status::Implemented => "implemented",
        Status::Discontinued => "discontinued",
        // Not public: never read (the query returns public statuses only).
        _ => "other",
    }
}

fn state_slug(state: crate::domain::implementation::State) -> &'static str {
    use crate::domain::implementation::State;
    match state {
        State::NotRelevant => "not_relevant",
        State::Planned => "planned",
        State::InProgress => "in_progress",
        State::Done => "done",
    }
}

fn record(measure: &PublicMeasure) -> Record<'_> {
    let texts = &measure.texts.0;
    Record {
        number: format!("M-{}", measure.number),
        title: &texts.title,
        summary: &texts.summary,
        description: &texts.description,
        expected_benefit: &texts.expected_benefit,
        status: status_slug(measure),
        status_label: measure.status.label(),
        lead_office: measure.lead_office.label(),
        participating_offices: measure
            .offices
            .iter()
            .map(|office| office.label())
            .collect(),
        goals: measure
            .goals
            .0
            .iter()
            .map(|goal| Goal {
                field: &goal.field,
                number: goal.position,
                statement: &goal.statement,
            })
            .collect(),
        implementation: measure
            .implementation
            .0
            .iter()
            .map(|row| Implementation {
                office: row.office.label(),
                state: state_slug(row.state),
                state_label: row.state.label(),
                as_of: row.as_of.map(|date| date.to_string()),
            })
            .collect(),
        planned_start: measure.planned_start.map(|date| date.to_string()),
        planned_end: measure.planned_end.map(|date| date.to_string()),
        quick_win: measure.quick_win,
        released_on: crate::domain::time::hamburg(measure.released_at)
            .date_naive()
            .to_string(),
        url: format!("/oeffentlich/massnahmen/{}", measure.number),
    }
}

async fn build_json(state: &AppState) -> Result<Document, AppError> {
    let (measures, modified, tree) = tokio::try_join!(
        async { Ok::<_, AppError>(db::publications::released(&state.db, None).await?) },
        async { Ok::<_, AppError>(db::publications::last_modified(&state.db).await?) },
        async { Ok::<_, AppError>(state.strategy.current_tree(&state.db).await?) },
    )?;
    let dataset = Dataset {
        title: "Maßnahmen der Digitalstrategie der Hamburger Bezirksämter",
        description: "Die Maßnahmen, die das DS-Team der Bezirksämter für die Öffentlichkeit \
                      freigegeben hat, mit Status und Umsetzung je Bezirksamt.",
        publisher: "Bezirksämter der Freien und Hansestadt Hamburg",
        licence: LICENCE,
        licence_url: LICENCE_URL,
        attribution: ATTRIBUTION,
        strategy: tree
            .as_ref()
            .map(|tree| format!("{} ({})", tree.strategy.title, tree.strategy.version_label)),
        modified: None,
        measures: measures.iter().map(record).collect(),
    };
    let to_json =
        |dataset: &Dataset| serde_json::to_vec(dataset).map_err(|e| AppError::Internal(e.into()));
    // The time of the last change to anything in it, from the content without that time.
    let content = super::cache::digest(&to_json(&dataset)?);
    let modified =
        db::publications::document_modified(&state.db, "open-data.json", &content, modified)
            .await?;
    let dataset = Dataset {
        modified: Some(modified.to_rfc3339()),
        ..dataset
    };
    Ok(Document::new(to_json(&dataset)?, Some(modified)))
}

const fn column(key: &'static str, heading: &'static str) -> Column {
    Column {
        key,
        heading,
        width: 12,
    }
}

fn implementation_heading(office: crate::domain::office::Office) -> &'static str {
    use crate::domain::office::Office;
    match office {
        Office::Altona => "Umsetzung Altona",
        Office::Bergedorf => "Umsetzung Bergedorf",
        Office::Eimsbuettel => "Umsetzung Eimsbüttel",
        Office::HamburgMitte => "Umsetzung Hamburg-Mitte",
        Office::HamburgNord => "Umsetzung Hamburg-Nord",
        Office::Harburg => "Umsetzung Harburg",
        Office::Wandsbek => "Umsetzung Wandsbek",
        Office::Central => "Umsetzung zentral",
    }
}

async fn build_csv(state: &AppState) -> Result<Document, AppError> {
    let (measures, modified) = tokio::try_join!(
        async { Ok::<_, AppError>(db::publications::released(&state.db, None).await?) },
        async { Ok::<_, AppError>(db::publications::last_modified(&state.db).await?) },
    )?;
    let mut columns = vec![
        column("nr", "Nr."),
        column("titel", "Titel"),
        column("kurzbeschreibung", "Kurzbeschreibung"),
        column("beschreibung", "Beschreibung"),
        column("nutzen", "Erwarteter Nutzen"),
        column("status", "Status"),
        column("federfuehrung", "Federführendes Bezirksamt"),
        column("beteiligte", "Beteiligte Bezirksämter"),
        column("ziele", "Ziele"),
    ];
    for office in DISTRICT_OFFICES {
        columns.push(column(office.slug(), implementation_heading(office)));
    }
    columns.extend([
        column("beginn", "Geplanter Beginn"),
        column("ende", "Geplantes Ende"),
        column("schnell", "Schneller Erfolg"),
        column("freigegeben", "Freigegeben am"),
    ]);
    let mut bytes = Rows::start(&columns);
    let mut rows = Rows::default();
    let date = |date: Option<chrono::NaiveDate>| {
        date.map(|date| date.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    };
    for measure in &measures {
        let texts = &measure.texts.0;
        let number = format!("M-{}", measure.number);
        let participating = measure
            .offices
            .iter()
            .map(|office| office.short_label())
            .collect::<Vec<_>>()
            .join(", ");
        let goals = measure
            .goals
            .0
            .iter()
            .map(|goal| format!("{} {}", goal.field, goal.position))
            .collect::<Vec<_>>()
            .join("; ");
        let states: Vec<&'static str> = DISTRICT_OFFICES
            .iter()
            .map(|office| {
                measure
                    .implementation
                    .0
                    .iter()
                    .find(|row| row.office == *office)
                    .map_or("", |row| row.state.label())
            })
            .collect();
        let start = date(measure.planned_start);
        let end = date(measure.planned_end);
        let released = crate::domain::time::hamburg(measure.released_at)
            .format("%d.%m.%Y")
            .to_string();
        let mut cells: Vec<&str> = vec![
            &number,
            &texts.title,
            &texts.summary,
            &texts.description,
            &texts.expected_benefit,
            measure.status.label(),
            measure.lead_office.short_label(),
            &participating,
            &goals,
        ];
        cells.extend(states);
        cells.extend([
            start.as_str(),
            end.as_str(),
            if measure.quick_win { "ja" } else { "nein" },
            released.as_str(),
        ]);
        rows.push(cells);
    }
    bytes.extend(rows.take());
    let content = super::cache::digest(&bytes);
    let modified =
        db::publications::document_modified(&state.db, "open-data.csv", &content, modified).await?;
    Ok(Document::new(bytes, Some(modified)))
}

async fn serve(
    state: &AppState,
    client: &str,
    headers: &HeaderMap,
    key: &'static str,
    content_type: &'static str,
    file_name: &'static str,
) -> Result<Response, AppError> {
    if let Some(seconds) = state.public.throttle.check(client) {
        return Ok(throttled(seconds));
    }
    let document: Arc<Document> = state
        .public
        .cache
        .get_or_build(key, async {
            match key {
                "json" => build_json(state).await,
                _ => build_csv(state).await,
            }
        })
        .await?;
    let mut response = super::answer(headers, &document, content_type);
    if response.status() == StatusCode::OK
        && let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\""))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

pub async fn json(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    serve(
        &state,
        &client,
        &headers,
        "json",
        "application/json",
        "massnahmen.json",
    )
    .await
}

pub async fn csv(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    serve(
        &state,
        &client,
        &headers,
        "csv",
        "text/csv; charset=utf-8",
        "massnahmen.csv",
    )
    .await
}
