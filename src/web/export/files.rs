//! The file of an export: CSV and JSON streamed chunk by chunk, XLSX and ODS written off the
//! async threads and sent whole – or, with more than `WORKBOOK_ROWS_IN_REQUEST` rows, written
//! by a job (its progress page, the file when ready). A file's name is chosen here, with the
//! date.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};

use crate::export::csv::Rows;
use crate::export::{json, ods, xlsx};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::measures::catalogue::CatalogueQuery;
use crate::web::visitor::{CurrentUser, Visitor};

use super::View;
use super::plan::{Choice, Plan};
use super::tables::Table;

/// The formats a reader can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Ods,
    Json,
}

impl Format {
    pub const ALL: [Self; 4] = [Self::Xlsx, Self::Ods, Self::Csv, Self::Json];

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|format| format.slug() == slug)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Ods => "ods",
            Self::Json => "json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV (Semikolon, UTF-8) – für jedes Tabellenprogramm",
            Self::Xlsx => "Excel (XLSX)",
            Self::Ods => "OpenDocument-Tabelle (ODS) – LibreOffice und andere",
            Self::Json => "JSON – für die Weiterverarbeitung (offene Daten)",
        }
    }

    /// The kind of file, in a sentence: "Die Excel-Datei (XLSX) wird …".
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Csv => "CSV-Datei",
            Self::Xlsx => "Excel-Datei (XLSX)",
            Self::Ods => "ODS-Datei",
            Self::Json => "JSON-Datei",
        }
    }

    /// Whether the file has a sheet per table (CSV and JSON hold the main table only).
    pub fn is_workbook(self) -> bool {
        matches!(self, Self::Xlsx | Self::Ods)
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Json => "application/json",
        }
    }
}

/// Workbooks of more rows take more than about a second (XLSX ~30,000 rows a second, ODS
/// fewer; BENCHMARKS.md): they are written as a job (`Settings::workbook_rows_in_request`).
pub const WORKBOOK_ROWS_IN_REQUEST: usize = 10_000;

/// The file of `view`, or the export page again with what is wrong with the choice; a large
/// workbook is offered as a job.
pub async fn download(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    view: View,
    query: CatalogueQuery,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let choice = Choice::parse(raw.as_deref());
    let plan = Plan::load(state, current, view, &query).await?;
    let (format, chosen) = match choice.validate(&plan.sheet) {
        Ok(valid) => valid,
        Err(errors) => return super::page::refused(visitor, plan, query, choice, errors),
    };
    if format.is_workbook() && plan.count > state.settings.workbook_rows_in_request {
        return Ok(super::page::large(visitor, plan, format, raw).into_response());
    }
    let mut tables = plan.tables(state, chosen, format.is_workbook()).await?;
    let today = crate::domain::time::today();
    let body = match format {
        Format::Csv => streamed(csv(tables.swap_remove(0))),
        Format::Json => streamed(json_document(&plan, tables.swap_remove(0), today)),
        Format::Xlsx | Format::Ods => Body::from(workbook(&plan.title, format, tables).await?),
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-{today}.{}\"",
                    plan.file_stem,
                    format.slug()
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// Starts the job that writes the file of `view` as the address chooses it (a POST from the
/// page that offers large workbooks), or the export page again with what is wrong.
pub async fn start_job(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    view: View,
    query: CatalogueQuery,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let choice = Choice::parse(raw.as_deref());
    let plan = Plan::load(state, current, view, &query).await?;
    if let Err(errors) = choice.validate(&plan.sheet) {
        return super::page::refused(visitor, plan, query, choice, errors);
    }
    let raw = raw.unwrap_or_default();
    let params = serde_json::json!({
        "view": view.to_param(),
        "query": raw,
        "page": format!("{}?{raw}", view.page_path()),
    });
    crate::web::jobs::start(state, current, crate::web::jobs::Kind::Export, params).await
}

/// The export as a job writes it: for its owner, with their permissions now (an account
/// closed meanwhile gets nothing), the view and choice of the address.
pub async fn run_job(
    state: &AppState,
    params: &serde_json::Value,
    owner: crate::domain::ids::UserId,
    progress: &crate::web::jobs::worker::Progress<'_>,
) -> anyhow::Result<(String, &'static str, Vec<u8>)> {
    let view = View::from_param(&params["view"])
        .ok_or_else(|| anyhow::anyhow!("an export job without a view: {params}"))?;
    let raw = params["query"].as_str().unwrap_or_default().to_owned();
    progress.step(0, "Die Daten werden gelesen.").await?;
    let user = crate::db::users::by_id(&state.db, owner)
        .await?
        .filter(|user| user.active)
        .ok_or_else(|| anyhow::anyhow!("the export's owner {owner} is gone or closed"))?;
    let generation = crate::db::content_generation(&state.db).await?;
    let current = CurrentUser {
        session_id: uuid::Uuid::nil(),
        user,
        csrf_token: String::new(),
        unread: 0,
        generation,
        must_change_password: false,
    };
    let query: CatalogueQuery = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let choice = Choice::parse(Some(&raw));
    let plan = Plan::load(state, &current, view, &query).await?;
    let (format, chosen) = choice
        .validate(&plan.sheet)
        .map_err(|_| anyhow::anyhow!("the export's choice is no longer valid: {raw}"))?;
    let tables = plan.tables(state, chosen, format.is_workbook()).await?;
    progress
        .step(1, "Die Tabellenblätter werden geschrieben.")
        .await?;
    let bytes = match format {
        Format::Xlsx | Format::Ods => workbook(&plan.title, format, tables).await?,
        Format::Csv | Format::Json => anyhow::bail!("CSV and JSON are streamed, never jobs"),
    };
    progress.step(2, "Die Datei wird gespeichert.").await?;
    let today = crate::domain::time::today();
    Ok((
        format!("{}-{today}.{}", plan.file_stem, format.slug()),
        format.content_type(),
        bytes,
    ))
}

type Chunk = Result<Bytes, std::io::Error>;

/// A streamed file as the response body. Fused: a body may be polled again after its end (the
/// compression layer does, for every browser that asks for gzip), and a chain ending in an
/// `unfold` panics when polled past its end.
fn streamed(stream: impl futures_util::Stream<Item = Chunk> + Send + 'static) -> Body {
    Body::from_stream(stream.fuse())
}

/// The table's rows, a chunk at a time, each chunk turned into bytes by `write`; a failure
/// ends the file early (the log says why: the status line has gone out with the first bytes).
fn chunks(
    table: Table,
    write: impl Fn(&[Vec<crate::export::Value>], &[crate::export::Column], bool) -> Vec<u8>
    + Copy
    + Send
    + Sync
    + 'static,
) -> impl futures_util::Stream<Item = Chunk> + Send + 'static {
    let columns = table.columns();
    stream::unfold(Some((table, true)), move |progress| {
        let columns = columns.clone();
        async move {
            let (mut table, first) = progress?;
            match table.next().await {
                Ok(Some(rows)) => {
                    let bytes = write(&rows, &columns, first);
                    Some((Ok(Bytes::from(bytes)), Some((table, false))))
                }
                Ok(None) => None,
                Err(error) => {
                    tracing::error!(?error, "an export stopped");
                    None
                }
            }
        }
    })
}

fn csv(table: Table) -> impl futures_util::Stream<Item = Chunk> + Send + 'static {
    let start = Bytes::from(Rows::start(&table.columns()));
    let rows = chunks(table, |rows, _, _| {
        let mut writer = Rows::default();
        for row in rows {
            writer.push_values(row);
        }
        writer.take()
    });
    stream::iter([Ok(start)]).chain(rows)
}

fn json_document(
    plan: &Plan,
    table: Table,
    today: chrono::NaiveDate,
) -> impl futures_util::Stream<Item = Chunk> + Send + 'static {
    let columns: Vec<serde_json::Value> = table
        .columns()
        .iter()
        .map(|column| serde_json::json!({"key": column.key, "heading": column.heading}))
        .collect();
    let head = serde_json::json!({
        "view": plan.file_stem,
        "title": plan.title,
        "created_on": today.to_string(),
        "columns": columns,
    })
    .to_string();
    // The head without its closing brace, then the rows' array.
    let start = format!("{},\"rows\":[", head.trim_end_matches('}'));
    let rows = chunks(table, |rows, columns, first| {
        let mut bytes = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            if !(first && index == 0) {
                bytes.push(b',');
            }
            let record = serde_json::Value::Object(json::record(columns, row));
            // Serialising a JSON value into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut bytes, &record);
        }
        bytes
    });
    stream::iter([Ok(Bytes::from(start))])
        .chain(rows)
        .chain(stream::iter([Ok(Bytes::from_static(b"]}"))]))
}

/// An XLSX or ODS workbook of `tables`, written off the async threads a chunk at a time.
async fn workbook(title: &str, format: Format, tables: Vec<Table>) -> Result<Vec<u8>, AppError> {
    enum Book {
        Xlsx(Box<xlsx::Book>),
        Ods(Box<ods::Book>),
    }
    let mut book = match format {
        Format::Ods => Book::Ods(Box::new(ods::Book::new(title))),
        _ => Book::Xlsx(Box::new(xlsx::Book::new(title))),
    };
    for mut table in tables {
        let sheet = table.chosen_sheet();
        book = blocking(move || {
            match &mut book {
                Book::Xlsx(xlsx) => xlsx.sheet(&sheet)?,
                Book::Ods(ods) => ods.sheet(&sheet),
            }
            Ok(book)
        })
        .await?;
        while let Some(rows) = table.next().await? {
            book = blocking(move || {
                for row in &rows {
                    match &mut book {
                        Book::Xlsx(xlsx) => xlsx.row(row)?,
                        Book::Ods(ods) => ods.row(row)?,
                    }
                }
                Ok(book)
            })
            .await?;
        }
    }
    blocking(move || match book {
        Book::Xlsx(xlsx) => xlsx.finish(),
        Book::Ods(ods) => ods.finish(),
    })
    .await
}

/// Runs `work` on the blocking threads; a writer's failure is logged and shown as the
/// German error page.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::export::Error> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))
}
