//! The security log for administrators: who did what to whom, when (UTC) and from where.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono::{TimeZone, Utc};
use serde::Deserialize;

use super::AppState;
use super::errors::AppError;
use super::format::filters;
use super::forms::Choice;
use super::layout::{Section, Shell};
use super::routes::Route;
use super::visitor::Visitor;
use crate::db;
use crate::db::security_log::{EventKind, LogEntry, LogFilter};
use crate::domain::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/verwaltung/sicherheitsprotokoll",
        Permission::ViewSecurityLog,
        log,
    )]
}

const LIMIT: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub art: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub von: String,
    #[serde(default)]
    pub bis: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/security_log.html")]
pub struct LogPage {
    pub shell: Shell,
    pub query: LogQuery,
    pub kinds: Vec<Choice>,
    pub entries: Vec<LogEntry>,
    pub limit: i64,
    pub date_error: Option<&'static str>,
}

fn day_start(value: &str) -> Result<Option<chrono::DateTime<Utc>>, ()> {
    if value.is_empty() {
        return Ok(None);
    }
    let date = crate::domain::time::parse_date(value).map_err(|_| ())?;
    Ok(date
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| Utc.from_utc_datetime(&time)))
}

async fn log(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<LogQuery>,
) -> Result<LogPage, AppError> {
    let from = day_start(query.von.trim());
    // "bis" includes the whole day.
    let until =
        day_start(query.bis.trim()).map(|day| day.map(|day| day + chrono::Duration::days(1)));
    let date_error = (from.is_err() || until.is_err()).then_some(crate::domain::time::DATE_HINT);
    let filter = LogFilter {
        kind: EventKind::from_slug(&query.art),
        person: query.person.trim().to_owned(),
        from: from.unwrap_or(None),
        until: until.unwrap_or(None),
    };
    let entries = db::security_log::list(&state.db, &filter, LIMIT).await?;
    Ok(LogPage {
        shell: Shell::new(visitor, "Sicherheitsprotokoll")
            .in_section(Section::Administration)
            .crumb("Verwaltung", "/verwaltung/konten")
            .here("Sicherheitsprotokoll"),
        query,
        kinds: EventKind::ALL
            .iter()
            .map(|kind| Choice::new(kind.slug(), kind.label()))
            .collect(),
        entries,
        limit: LIMIT,
        date_error,
    })
}
