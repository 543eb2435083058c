//! The catalogue as CSV (`/massnahmen.csv`, the catalogue's query parameters): every measure of
//! the view a reader may see (drafts never), streamed a thousand rows at a time so that memory
//! stays flat however many there are; written by `export::csv`.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use super::catalogue::CatalogueQuery;
use crate::db;
use crate::db::catalogue::Hit;
use crate::domain::strategy::StrategyTree;
use crate::export::csv::{BOM, Rows};
use crate::web::AppState;
use crate::web::errors::AppError;

/// Rows read and written per step.
const CHUNK: i64 = 1_000;

const HEADER: [&str; 9] = [
    "Nr.",
    "Maßnahme",
    "Kurzbeschreibung",
    "Status",
    "Federführung",
    "Gestaltungsfelder und Querschnittsthemen",
    "Schneller Erfolg",
    "Unterstützungen",
    "Rang (letzte beschlossene Priorisierung)",
];

fn row(rows: &mut Rows, hit: &Hit, tree: Option<&StrategyTree>) {
    let fields: Vec<&str> = tree
        .iter()
        .flat_map(|tree| &tree.fields)
        .filter(|field| hit.field_ids.contains(&field.id))
        .map(|field| field.name.as_str())
        .collect();
    let number = format!("M-{}", hit.number);
    let fields = fields.join(", ");
    let supports = hit.support_count.to_string();
    let rank = hit
        .decided_rank
        .map(|rank| rank.to_string())
        .unwrap_or_default();
    rows.push([
        number.as_str(),
        hit.title.as_str(),
        hit.summary.as_str(),
        hit.status.label(),
        hit.lead_office.label(),
        fields.as_str(),
        if hit.quick_win { "ja" } else { "nein" },
        supports.as_str(),
        rank.as_str(),
    ]);
}

pub async fn csv(
    State(state): State<AppState>,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    let filter = query.filter();
    let tree = state.strategy.current_tree(&state.db).await?;
    let mut header = Rows::default();
    header.push(HEADER);
    let first = [BOM, &header.take()].concat();
    // Step n writes the rows from n · CHUNK on; a failure ends the file early (the log says
    // why: the status line has gone out with the first bytes).
    let body = stream::unfold(Some(0), move |offset| {
        let (state, filter, tree) = (state.clone(), filter.clone(), tree.clone());
        async move {
            let offset = offset?;
            let hits = match db::catalogue::search(&state.db, &filter, CHUNK, offset).await {
                Ok((hits, _)) => hits,
                Err(error) => {
                    tracing::error!(?error, "the CSV export stopped");
                    return None;
                }
            };
            if hits.is_empty() {
                return None;
            }
            let mut rows = Rows::default();
            for hit in &hits {
                row(&mut rows, hit, tree.as_deref());
            }
            let next = (hits.len() as i64 == CHUNK).then_some(offset + CHUNK);
            Some((Ok::<_, std::io::Error>(Bytes::from(rows.take())), next))
        }
    });
    let body = stream::StreamExt::chain(
        stream::iter([Ok::<_, std::io::Error>(Bytes::from(first))]),
        body,
    );
    let today = crate::domain::time::hamburg(chrono::Utc::now()).date_naive();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"massnahmen-{today}.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
