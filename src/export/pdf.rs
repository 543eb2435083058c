//! Reports as tagged PDF/UA-1 documents, laid out by typst.
//!
//! A report is a [`Document`]: a title page and a sequence of [`Block`]s (headings, paragraphs,
//! tables, facts, charts), built by the report's page from the same data as its HTML version.
//! One typst template (`templates/pdf/report.typ`) lays out every block; the data reaches it as
//! typst values in `sys.inputs`, never as markup, so no text of a measure can change the layout.
//! The export enforces PDF/UA-1: a document without a title, or a chart without alternative
//! text, is refused by typst rather than written.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Dict, IntoValue, Value};
use typst_as_lib::TypstEngine;
use typst_as_lib::TypstTemplateCollection;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// The fonts are part of the binary: the PDF looks the same on every server. DejaVu Sans covers
/// German and the typographic characters measures use; its licence is in `assets/fonts`.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
static TEMPLATE: &str = include_str!("../../templates/pdf/report.typ");

static ENGINE: LazyLock<TypstEngine<TypstTemplateCollection>> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts([REGULAR, BOLD])
        .with_static_source_file_resolver([("report.typ", TEMPLATE)])
        .build()
});

/// A report to be laid out.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The document's title (its metadata and the title page's heading).
    pub title: String,
    /// The line above the title ("Bericht zur Digitalstrategie · Stand 02.12.2026").
    pub preline: String,
    /// Lines under the title.
    pub lead: Vec<String>,
    /// The day of the report, as year, month, day (the document's date).
    pub date: [i32; 3],
    /// Whether the title has a page of its own with a table of contents after it.
    pub title_page: bool,
    pub blocks: Vec<Block>,
}

/// A part of a report, in reading order.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A heading of level 2 to 4 (the title is level 1).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// A bulleted list.
    List {
        items: Vec<String>,
    },
    /// Terms and their values ("Status: angenommen").
    Facts {
        items: Vec<(String, String)>,
    },
    /// A table with a heading row (repeated on every page it spans).
    Table(Table),
    /// A chart of stacked bars with its alternative text; its numbers should follow as a table.
    Bars(Bars),
    /// The next block starts on a new page.
    PageBreak,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// What the table shows (read out with it, printed above it).
    pub caption: String,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableColumn {
    pub heading: String,
    /// The column's share of the width; `0` fits the content.
    pub share: u8,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl TableColumn {
    pub fn text(heading: impl Into<String>, share: u8) -> Self {
        Self {
            heading: heading.into(),
            share,
            numeric: false,
        }
    }

    pub fn number(heading: impl Into<String>) -> Self {
        Self {
            heading: heading.into(),
            share: 0,
            numeric: true,
        }
    }

    /// A number column with a share of the width (for long headings over short numbers).
    pub fn number_shared(heading: impl Into<String>, share: u8) -> Self {
        Self {
            share,
            ..Self::number(heading)
        }
    }
}

/// Horizontal stacked bars: one bar per row, one segment per series.
#[derive(Debug, Clone, Serialize)]
pub struct Bars {
    pub caption: String,
    /// What the chart shows, for those who cannot see it (PDF/UA requires it).
    pub alt: String,
    /// The series, in segment order.
    pub series: Vec<String>,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// Typst could not lay out or export the document.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the report's data: {0}")]
    Data(#[from] serde_json::Error),
    #[error("typst: {0}")]
    Typst(String),
    /// The document would break PDF/UA in a way typst does not check for.
    #[error("not accessible: {0}")]
    Inaccessible(&'static str),
}

fn diagnostics(list: &[SourceDiagnostic]) -> String {
    list.iter()
        .map(|diagnostic| diagnostic.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lays out `document` and writes it as PDF/UA-1. Takes a while for long reports (typst works
/// on this thread): call it from a blocking task.
pub fn render(document: &Document) -> Result<Vec<u8>, Error> {
    // Typst checks images for alternative text, not figures drawn from shapes: a chart is.
    let chart_without_alt = document
        .blocks
        .iter()
        .any(|block| matches!(block, Block::Bars(bars) if bars.alt.trim().is_empty()));
    if chart_without_alt {
        return Err(Error::Inaccessible("a chart without alternative text"));
    }
    let data: Value = serde_json::from_value(serde_json::to_value(document)?)?;
    let mut inputs = Dict::new();
    inputs.insert("data".into(), data.into_value());
    let laid_out: PagedDocument = ENGINE
        .compile_with_input("report.typ", inputs)
        .output
        .map_err(|error| Error::Typst(error.to_string()))?;
    let options = PdfOptions {
        standards: PdfStandards::new(&[PdfStandard::Ua_1])
            .map_err(|error| Error::Typst(error.message().to_string()))?,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&laid_out, &options).map_err(|errors| Error::Typst(diagnostics(&errors)))
}

#[cfg(test)]
mod tests {
    //! Real documents, read back with lopdf as a PDF reader reads them.

    use lopdf::{Document as Pdf, Object};

    use super::*;

    fn sample() -> Document {
        Document {
            title: "Bericht Bezirksamt Hamburg-Nord".to_owned(),
            preline: "Bericht der Digitalstrategie · Stand 02.12.2026".to_owned(),
            lead: vec!["Was das Bezirksamt umsetzt.".to_owned()],
            date: [2026, 12, 2],
            title_page: true,
            blocks: vec![
                Block::Heading {
                    level: 2,
                    text: "Umgesetzt".to_owned(),
                },
                Block::Paragraph {
                    text: "Größere Übersicht: #set page(width: 1cm) und *kein* Markup.".to_owned(),
                },
                Block::Bars(Bars {
                    caption: "Maßnahmen nach Status".to_owned(),
                    alt: "Balkendiagramm: Gestaltungsfeld A hat 3 Massnahmen.".to_owned(),
                    series: vec!["angenommen".to_owned(), "umgesetzt".to_owned()],
                    bars: vec![Bar {
                        label: "Gestaltungsfeld A".to_owned(),
                        values: vec![1, 2],
                    }],
                }),
                Block::Table(Table {
                    caption: "Maßnahmen im Bezirksamt".to_owned(),
                    columns: vec![
                        TableColumn::text("Maßnahme", 3),
                        TableColumn::number("Rang"),
                    ],
                    rows: vec![vec!["M-7 Bürgerbüro öffnen".to_owned(), "1".to_owned()]],
                }),
                Block::Facts {
                    items: vec![("Status".to_owned(), "angenommen".to_owned())],
                },
                Block::List {
                    items: vec!["Ziel eins".to_owned()],
                },
            ],
        }
    }

    #[test]
    fn a_report_is_tagged_german_pdf_ua() {
        let bytes = render(&sample()).expect("a PDF");
        let pdf = Pdf::load_mem(&bytes).expect("lopdf reads it");
        let catalog = pdf.catalog().expect("a catalog");
        let lang = catalog
            .get(b"Lang")
            .and_then(Object::as_str)
            .expect("/Lang");
        assert_eq!(lang, b"de-DE");
        assert!(catalog.has(b"StructTreeRoot"), "a structure tree");
        let mark_info = catalog
            .get(b"MarkInfo")
            .and_then(Object::as_dict)
            .expect("/MarkInfo");
        assert!(matches!(
            mark_info.get(b"Marked"),
            Ok(Object::Boolean(true))
        ));
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("pdfuaid:part"), "PDF/UA identification");
        // The text is read back with pdftotext in the API tests (tests/api/dashboard.rs).
    }

    #[test]
    fn every_chart_has_its_alternative_text() {
        let bytes = render(&sample()).expect("a PDF");
        let pdf = Pdf::load_mem(&bytes).expect("lopdf reads it");
        let figures: Vec<String> = pdf
            .objects
            .values()
            .filter_map(|object| object.as_dict().ok())
            .filter(|dict| matches!(dict.get(b"S"), Ok(Object::Name(name)) if name == b"Figure"))
            .map(|dict| {
                let alt = dict.get(b"Alt").and_then(Object::as_str).expect("/Alt");
                String::from_utf8_lossy(alt).into_owned()
            })
            .collect();
        assert_eq!(figures.len(), 1, "one chart");
        assert!(figures[0].contains("Gestaltungsfeld A hat 3"));
    }

    #[test]
    fn a_chart_without_alternative_text_is_refused_before_typst_runs() {
        let mut document = sample();
        document.blocks.push(Block::Bars(Bars {
            caption: "Ohne Beschreibung".to_owned(),
            alt: String::new(),
            series: vec!["umgesetzt".to_owned()],
            bars: vec![Bar {
                label: "Feld".to_owned(),
                values: vec![1],
            }],
        }));
        assert!(matches!(
            render(&document),
            Err(Error::Inaccessible("a chart without alternative text"))
        ));
    }
}
