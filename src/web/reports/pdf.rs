//! The reports as PDF/UA documents: each report's page builds a [`Document`] from the data of
//! its HTML version; this module lays it out off the async threads and sends it as a download.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};

use crate::export::pdf::{self, Bar, Bars, Block, Document, Table, TableColumn};
use crate::web::errors::AppError;

/// The day of a report in Hamburg, as the document's date.
pub fn today() -> NaiveDate {
    crate::domain::time::today()
}

pub fn date_parts(day: NaiveDate) -> [i32; 3] {
    [day.year(), day.month() as i32, day.day() as i32]
}

/// Lays `document` out on a blocking thread.
pub async fn render(document: Document) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || pdf::render(&document))
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))?
        .map_err(|error| AppError::Internal(anyhow::anyhow!(error)))
}

/// `bytes` as a PDF download named `{stem}-{date}.pdf`.
pub fn download(bytes: Vec<u8>, stem: &str, day: NaiveDate) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}-{day}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}

pub fn paragraph(text: impl Into<String>) -> Block {
    Block::Paragraph { text: text.into() }
}

pub fn table(
    caption: impl Into<String>,
    columns: Vec<TableColumn>,
    rows: Vec<Vec<String>>,
) -> Block {
    Block::Table(Table {
        caption: caption.into(),
        columns,
        rows,
    })
}

/// A chart of stacked bars; `alt` says in words what it shows.
pub fn bars(caption: &str, alt: String, series: Vec<String>, bars: Vec<Bar>) -> Block {
    Block::Bars(Bars {
        caption: caption.to_owned(),
        alt,
        series,
        bars,
    })
}

/// A Markdown text as plain paragraphs for a PDF: emphasis and links become their text, each
/// list item a paragraph of its own after a dash.
pub fn plain_paragraphs(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut finish = |current: &mut String| {
        let text = current.trim().to_owned();
        if !text.is_empty() {
            paragraphs.push(text);
        }
        current.clear();
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Item) => {
                finish(&mut current);
                current.push_str("– ");
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock,
            ) => finish(&mut current),
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            _ => {}
        }
    }
    finish(&mut current);
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_paragraphs() {
        assert_eq!(
            plain_paragraphs("Ein **fetter** [Link](https://x.invalid)\nweiter.\n\n- eins\n- zwei"),
            ["Ein fetter Link weiter.", "– eins", "– zwei"]
        );
        assert!(plain_paragraphs("").is_empty());
    }
}
